/*
 * validate.c — parallel GEOS validity check and MakeValid repair of the
 * polygons of a layer (see validate.h).
 *
 * Most parcels are one ring of a few vertices, which ring_simple.c finds
 * certainly valid without GEOS; the others go to GEOSisValid.
 *
 * Invalid polygons are rare, so the check runs in parallel and writes one
 * flag per feature; the repairs and the rebuilding of the flat arrays run
 * on one thread afterwards, in feature order, so the result does not depend
 * on the thread count.
 */
#include "validate.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "geos_build.h"
#include "geos_ctx.h"
#include "ring_simple.h"

enum { CHECK_VALID = 0, CHECK_INVALID = 1, CHECK_UNBUILDABLE = 2 };

/* Appends the rings of a GEOS polygon to the last feature of out. */
static fr_status append_polygon(GEOSContextHandle_t h, const GEOSGeometry *poly, geo_layer *out, double **bx,
                                double **by, size_t *cap, fr_error *err)
{
    int nholes = GEOSGetNumInteriorRings_r(h, poly);
    for (int r = -1; r < nholes; r++) {
        const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(h, poly) : GEOSGetInteriorRingN_r(h, poly, r);
        const GEOSCoordSequence *cs = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
        unsigned int n = 0;
        if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n))
            return fr_error_set(err, FR_E_INTERNAL, "GEOS returned a ring without coordinates");
        if (n > *cap) {
            double *nx = realloc(*bx, n * sizeof *nx), *ny = nx ? realloc(*by, n * sizeof *ny) : NULL;
            if (nx)
                *bx = nx;
            if (!nx || !ny)
                return fr_error_oom_while(err, "repairing polygons");
            *by = ny;
            *cap = n;
        }
        for (unsigned int k = 0; k < n; k++)
            GEOSCoordSeq_getXY_r(h, cs, k, &(*bx)[k], &(*by)[k]);
        fr_status st = geo_layer_add_ring(out, *bx, *by, n, r < 0, err);
        if (st != FR_OK)
            return st;
    }
    return FR_OK;
}

/* Appends every polygon inside g (Polygon, MultiPolygon, collections). */
static fr_status append_polygonal(GEOSContextHandle_t h, const GEOSGeometry *g, geo_layer *out, double **bx,
                                  double **by, size_t *cap, fr_error *err)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON)
        return GEOSisEmpty_r(h, g) ? FR_OK : append_polygon(h, g, out, bx, by, cap, err);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++) {
            fr_status st = append_polygonal(h, GEOSGetGeometryN_r(h, g, i), out, bx, by, cap, err);
            if (st != FR_OK)
                return st;
        }
    }
    return FR_OK;
}

static fr_status copy_feature_geometry(const geo_layer *l, size_t i, geo_layer *out, fr_error *err)
{
    for (size_t r = l->ring_start[i]; r < l->ring_start[i + 1]; r++) {
        size_t p0 = l->pt_start[r], p1 = l->pt_start[r + 1];
        fr_status st = geo_layer_add_ring(out, l->px + p0, l->py + p0, p1 - p0, l->ring_shell[r], err);
        if (st != FR_OK)
            return st;
    }
    return FR_OK;
}

/* Rebuilds the geometry arrays of l with the invalid features repaired
 * (or emptied, keep[i] = 0, when nothing polygonal remains). */
static fr_status rebuild(geo_layer *l, const unsigned char *flag, unsigned char *keep, geo_rejects *rejects,
                         geo_rejects *warnings, size_t *repaired, size_t *removed, fr_error *err)
{
    geo_geos_ctx c;
    fr_status st = geo_geos_ctx_init(&c, err);
    if (st != FR_OK)
        return st;
    geo_layer *out = geo_layer_new(l->name, l->source, l->source_layer, GEO_GEOM_POLYGON);
    double *bx = NULL, *by = NULL;
    size_t cap = 0;
    if (!out)
        st = fr_error_oom_while(err, "repairing polygons");
    const char *layer_name = l->source_layer ? l->source_layer : "";
    for (size_t i = 0; i < l->count && st == FR_OK; i++) {
        keep[i] = 1;
        if ((st = geo_layer_add_feature(out, l->fid[i], NULL, err)) != FR_OK)
            break;
        if (flag[i] == CHECK_VALID) {
            st = copy_feature_geometry(l, i, out, err);
            continue;
        }
        GEOSGeometry *g = NULL, *fixed = NULL;
        if (flag[i] == CHECK_INVALID) {
            fr_error ignored;
            if (geo_geos_build_polygon(&c, l, i, &g, &ignored) == FR_OK && g)
                fixed = GEOSMakeValid_r(c.h, g);
        }
        size_t before = out->nrings;
        if (fixed)
            st = append_polygonal(c.h, fixed, out, &bx, &by, &cap, err);
        if (g)
            GEOSGeom_destroy_r(c.h, g);
        if (fixed)
            GEOSGeom_destroy_r(c.h, fixed);
        if (st != FR_OK)
            break;
        if (out->nrings > before) {
            (*repaired)++;
            if (geo_rejects_add(warnings, l->name, l->fid[i], NULL, "repaired_geometry",
                                "%s, layer '%s', feature %lld: invalid polygon repaired with GEOS MakeValid",
                                l->source, layer_name, (long long)l->fid[i]) != FR_OK)
                st = fr_error_oom(err);
        } else {
            keep[i] = 0;
            (*removed)++;
            if (geo_rejects_add(rejects, l->name, l->fid[i], NULL, "invalid_geometry",
                                "%s, layer '%s', feature %lld: invalid polygon that MakeValid could not repair%s",
                                l->source, layer_name, (long long)l->fid[i],
                                flag[i] == CHECK_UNBUILDABLE ? " (a ring has fewer than 4 points)" : "") != FR_OK)
                st = fr_error_oom(err);
        }
    }
    if (st == FR_OK) {
        /* Swap the geometry arrays (attributes and ids stay in l). */
#define SWAP(field)                  \
    do {                             \
        __typeof__(l->field) t_ = l->field; \
        l->field = out->field;       \
        out->field = t_;             \
    } while (0)
        SWAP(ring_start);
        SWAP(nrings);
        SWAP(ring_cap);
        SWAP(pt_start);
        SWAP(ring_shell);
        SWAP(npts);
        SWAP(pt_cap);
        SWAP(px);
        SWAP(py);
#undef SWAP
        memcpy(l->bbox, out->bbox, l->count * 4 * sizeof *l->bbox);
        if (out->cap < l->cap) { /* ring_start must keep room for l->cap features */
            size_t *rs = realloc(l->ring_start, (l->cap + 1) * sizeof *rs);
            if (!rs)
                st = fr_error_oom_while(err, "repairing polygons");
            else
                l->ring_start = rs;
        }
    }
    free(bx);
    free(by);
    geo_layer_free(out);
    geo_geos_ctx_finish(&c);
    return st;
}

fr_status geo_layer_make_valid(geo_layer *l, geo_rejects *rejects, geo_rejects *warnings, size_t *repaired,
                               size_t *removed, fr_error *err)
{
    *repaired = *removed = 0;
    if (l->kind != GEO_GEOM_POLYGON || l->count == 0)
        return FR_OK;
    int nt = omp_get_max_threads();
    geo_geos_ctx *ctx = NULL;
    fr_status st = geo_geos_ctx_array_new(nt, &ctx, err);
    if (st != FR_OK)
        return st;
    unsigned char *flag = calloc(l->count, 1), *keep = malloc(l->count);
    if (!flag || !keep) {
        free(flag);
        free(keep);
        geo_geos_ctx_array_free(ctx, nt);
        return fr_error_oom_while(err, "checking polygons");
    }
    size_t ninvalid = 0;
#pragma omp parallel num_threads(nt) reduction(+ : ninvalid)
    {
        geo_geos_ctx *c = &ctx[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 4096)
        for (size_t i = 0; i < l->count; i++) {
            size_t r0 = l->ring_start[i];
            if (l->ring_start[i + 1] == r0)
                continue;
            /* one shell of a few vertices, certainly simple: what GEOS
             * would find valid, at a tenth of its cost (ring_simple.h) */
            if (l->ring_start[i + 1] == r0 + 1 && l->ring_shell[r0] &&
                geo_ring_certainly_simple(c->h, l->px + l->pt_start[r0], l->py + l->pt_start[r0],
                                          l->pt_start[r0 + 1] - l->pt_start[r0]))
                continue;
            GEOSGeometry *g = NULL;
            fr_error ignored;
            if (geo_geos_build_polygon(c, l, i, &g, &ignored) != FR_OK || !g) {
                flag[i] = CHECK_UNBUILDABLE;
                ninvalid++;
                continue;
            }
            if (GEOSisValid_r(c->h, g) != 1) {
                flag[i] = CHECK_INVALID;
                ninvalid++;
            }
            GEOSGeom_destroy_r(c->h, g);
        }
    }
    geo_geos_ctx_array_free(ctx, nt);
    if (ninvalid)
        st = rebuild(l, flag, keep, rejects, warnings, repaired, removed, err);
    if (st == FR_OK && *removed)
        geo_layer_compact(l, keep);
    free(flag);
    free(keep);
    return st;
}
