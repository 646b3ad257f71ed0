/*
 * gdal_geom.c — a geo_layer feature as an OGR geometry (see gdal_geom.h).
 */
#include "gdal_geom.h"

#include <stdint.h>

static OGRGeometryH ring_geometry(const geo_layer *l, size_t r)
{
    OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
    if (!ring)
        return NULL;
    size_t p0 = l->pt_start[r], n = l->pt_start[r + 1] - p0;
    /* X and Y are separate contiguous arrays: one call copies the ring. */
    OGR_G_SetPoints(ring, (int)n, l->px + p0, (int)sizeof(double), l->py + p0,
                    (int)sizeof(double), NULL, 0);
    return ring;
}

fr_status geo_gdal_geom_build(const geo_layer *l, size_t i, OGRGeometryH *out, fr_error *err)
{
    *out = NULL;
    if (l->kind == GEO_GEOM_POINT) {
        if (!geo_layer_has_geometry(l, i))
            return FR_OK;
        OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
        if (!pt)
            return fr_error_oom_while(err, "building a point");
        OGR_G_SetPoint_2D(pt, 0, l->x[i], l->y[i]);
        *out = pt;
        return FR_OK;
    }
    if (l->kind != GEO_GEOM_POLYGON)
        return FR_OK;
    size_t r0 = l->ring_start[i], r1 = l->ring_start[i + 1];
    if (r0 == r1)
        return FR_OK;
    if (!l->ring_shell[r0])
        return fr_error_set(err, FR_E_INTERNAL,
                            "feature %lld of layer '%s' starts with a hole, not a shell",
                            (long long)l->fid[i], l->name);
    size_t nshells = 0;
    for (size_t r = r0; r < r1; r++)
        nshells += l->ring_shell[r];
    for (size_t r = r0; r < r1; r++)
        if (l->pt_start[r + 1] - l->pt_start[r] > (size_t)INT32_MAX)
            return fr_error_set(err, FR_E_INTERNAL, "feature %lld of layer '%s' has a ring too "
                                "large for OGR", (long long)l->fid[i], l->name);

    /* poly is owned here until it is handed to multi (or returned). */
    OGRGeometryH multi = NULL, poly = NULL;
    if (nshells > 1) {
        multi = OGR_G_CreateGeometry(wkbMultiPolygon);
        if (!multi)
            goto oom;
    }
    for (size_t r = r0; r < r1; r++) {
        if (l->ring_shell[r]) {
            if (poly) {
                if (OGR_G_AddGeometryDirectly(multi, poly) != OGRERR_NONE)
                    goto oom;
                poly = NULL;
            }
            poly = OGR_G_CreateGeometry(wkbPolygon);
            if (!poly)
                goto oom;
        }
        OGRGeometryH ring = ring_geometry(l, r);
        if (!ring || OGR_G_AddGeometryDirectly(poly, ring) != OGRERR_NONE) {
            if (ring)
                OGR_G_DestroyGeometry(ring);
            goto oom;
        }
    }
    if (multi) {
        if (OGR_G_AddGeometryDirectly(multi, poly) != OGRERR_NONE)
            goto oom;
        *out = multi;
    } else {
        *out = poly;
    }
    return FR_OK;
oom:
    if (poly)
        OGR_G_DestroyGeometry(poly);
    if (multi)
        OGR_G_DestroyGeometry(multi);
    return fr_error_oom_while(err, "building the geometry of feature %lld of layer '%s'", (long long)l->fid[i],
                              l->name);
}
