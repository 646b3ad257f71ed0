/*
 * geos_build.c — GEOS (Multi)Polygons and points from geo_layer flat arrays
 * (see geos_build.h).
 *
 * Coordinates go to GEOS with GEOSCoordSeq_copyFromArrays_r, one memcpy-like
 * call per ring, rather than one GEOSCoordSeq_setXY_r per vertex.
 */
#include "geos_build.h"

#include <stdio.h>
#include <stdlib.h>

/* Stack room for the parts/holes of ordinary parcels; larger features
 * allocate. */
enum { GEOS_BUILD_SMALL = 8 };

static fr_status geos_build_fail(geo_geos_ctx *c, const geo_layer *l, size_t i, const char *what,
                                 fr_error *err)
{
    return fr_error_set(err, FR_E_INPUT, "layer '%s' (%s) feature fid %lld: %s%s%s", l->name,
                        l->source, (long long)l->fid[i], what, c->last_error[0] ? ": " : "",
                        c->last_error);
}

/* Ring r of the layer as a GEOS LinearRing, or NULL (c->last_error says why). */
static GEOSGeometry *geos_build_ring(geo_geos_ctx *c, const geo_layer *l, size_t r)
{
    size_t p0 = l->pt_start[r], n = l->pt_start[r + 1] - p0;
    GEOSCoordSequence *cs =
        GEOSCoordSeq_copyFromArrays_r(c->h, l->px + p0, l->py + p0, NULL, NULL, (unsigned)n);
    if (!cs)
        return NULL;
    /* GEOS owns cs from here on, also when it refuses the ring. */
    return GEOSGeom_createLinearRing_r(c->h, cs);
}

fr_status geo_geos_build_polygon(geo_geos_ctx *c, const geo_layer *l, size_t i, GEOSGeometry **out,
                                 fr_error *err)
{
    *out = NULL;
    c->last_error[0] = '\0';
    size_t r0 = l->ring_start[i], r1 = l->ring_start[i + 1];
    if (r0 == r1)
        return FR_OK;
    if (!l->ring_shell[r0])
        return geos_build_fail(c, l, i, "the first ring is a hole, not an exterior ring", err);

    size_t nparts = 0, maxholes = 0, holes_here = 0;
    for (size_t r = r0; r < r1; r++) {
        size_t n = l->pt_start[r + 1] - l->pt_start[r];
        if (n < 4) {
            char what[96];
            snprintf(what, sizeof what, "ring %zu has %zu points, a closed ring needs at least 4",
                     r - r0, n);
            return geos_build_fail(c, l, i, what, err);
        }
        if (n > 0xFFFFFFFFu)
            return geos_build_fail(c, l, i, "ring too large for GEOS", err);
        if (l->ring_shell[r]) {
            nparts++;
            holes_here = 0;
        } else if (++holes_here > maxholes) {
            maxholes = holes_here;
        }
    }

    GEOSGeometry *parts_small[GEOS_BUILD_SMALL], *holes_small[GEOS_BUILD_SMALL];
    GEOSGeometry **parts = parts_small, **holes = holes_small;
    if (nparts > GEOS_BUILD_SMALL)
        parts = malloc(nparts * sizeof *parts);
    if (maxholes > GEOS_BUILD_SMALL)
        holes = malloc(maxholes * sizeof *holes);
    if (!parts || !holes) {
        if (parts != parts_small)
            free(parts);
        if (holes != holes_small)
            free(holes);
        return fr_error_oom_while(err, "building feature fid %lld of layer '%s'",
                            (long long)l->fid[i], l->name);
    }

    fr_status st = FR_OK;
    size_t built = 0;
    size_t r = r0;
    while (r < r1 && st == FR_OK) {
        GEOSGeometry *shell = geos_build_ring(c, l, r);
        if (!shell) {
            st = geos_build_fail(c, l, i, "GEOS refused an exterior ring", err);
            break;
        }
        r++;
        size_t nh = 0;
        while (r < r1 && !l->ring_shell[r]) {
            GEOSGeometry *h = geos_build_ring(c, l, r);
            if (!h) {
                st = geos_build_fail(c, l, i, "GEOS refused a hole", err);
                break;
            }
            holes[nh++] = h;
            r++;
        }
        if (st != FR_OK) {
            GEOSGeom_destroy_r(c->h, shell);
            for (size_t k = 0; k < nh; k++)
                GEOSGeom_destroy_r(c->h, holes[k]);
            break;
        }
        /* GEOS takes the rings (not the holes array). */
        GEOSGeometry *poly = GEOSGeom_createPolygon_r(c->h, shell, nh ? holes : NULL, (unsigned)nh);
        if (!poly) {
            GEOSGeom_destroy_r(c->h, shell);
            for (size_t k = 0; k < nh; k++)
                GEOSGeom_destroy_r(c->h, holes[k]);
            st = geos_build_fail(c, l, i, "GEOS refused the polygon", err);
            break;
        }
        parts[built++] = poly;
    }

    if (st == FR_OK) {
        if (built == 1) {
            *out = parts[0];
        } else {
            /* GEOS takes the parts (not the array), also when it fails. */
            *out = GEOSGeom_createCollection_r(c->h, GEOS_MULTIPOLYGON, parts, (unsigned)built);
            built = 0;
            if (!*out)
                st = geos_build_fail(c, l, i, "GEOS refused the multipolygon", err);
        }
    }
    if (st != FR_OK)
        for (size_t k = 0; k < built; k++)
            GEOSGeom_destroy_r(c->h, parts[k]);
    if (parts != parts_small)
        free(parts);
    if (holes != holes_small)
        free(holes);
    return st;
}

fr_status geo_geos_build_point(geo_geos_ctx *c, double x, double y, GEOSGeometry **out,
                               fr_error *err)
{
    c->last_error[0] = '\0';
    *out = GEOSGeom_createPointFromXY_r(c->h, x, y);
    if (!*out)
        return fr_error_set(err, FR_E_INTERNAL, "GEOS could not create the point (%.3f, %.3f): %s", x,
                            y, c->last_error);
    return FR_OK;
}
