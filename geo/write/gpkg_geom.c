/*
 * gpkg_geom.c — GeoPackage binary geometries from a geo_layer (see
 * gpkg_geom.h).
 */
#include "gpkg_geom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void geo_gpkg_blob_free(geo_gpkg_blob *b)
{
    free(b->buf);
    memset(b, 0, sizeof *b);
}

static int reserve(geo_gpkg_blob *b, size_t need)
{
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    unsigned char *p = realloc(b->buf, cap);
    if (!p)
        return 0;
    b->buf = p;
    b->cap = cap;
    return 1;
}

/* Little-endian stores: the format's byte order whatever the host's. */
static inline void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static inline void put_f64(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, sizeof v);
#else
    for (int k = 0; k < 8; k++)
        p[k] = (unsigned char)(v >> (8 * k));
#endif
}

enum { WKB_POINT = 1, WKB_POLYGON = 3, WKB_MULTIPOLYGON = 6 };
enum { FLAG_LE = 0x01, FLAG_ENV_XY = 0x02 }; /* envelope indicator 1 in bits 1-3 */

/* "GP", version, flags, srs_id: 8 bytes. */
static unsigned char *put_header(unsigned char *p, unsigned char flags, int32_t srs_id)
{
    p[0] = 'G';
    p[1] = 'P';
    p[2] = 0;
    p[3] = flags;
    put_u32(p + 4, (uint32_t)srs_id);
    return p + 8;
}

static unsigned char *put_wkb_head(unsigned char *p, uint32_t type, uint32_t count)
{
    p[0] = 1; /* little-endian */
    put_u32(p + 1, type);
    put_u32(p + 5, count);
    return p + 9;
}

static fr_status encode_point(const geo_layer *l, size_t i, int32_t srs_id, geo_gpkg_blob *b, double env[4],
                              fr_error *err)
{
    double x = l->x[i], y = l->y[i];
    if (!reserve(b, 8 + 21))
        return fr_error_oom_while(err, "encoding a GeoPackage point");
    unsigned char *p = put_header(b->buf, FLAG_LE, srs_id);
    p[0] = 1;
    put_u32(p + 1, WKB_POINT);
    put_f64(p + 5, x);
    put_f64(p + 13, y);
    b->len = 8 + 21;
    env[0] = env[1] = x;
    env[2] = env[3] = y;
    return FR_OK;
}

static fr_status encode_polygons(const geo_layer *l, size_t i, int32_t srs_id, geo_gpkg_blob *b, double env[4],
                                 fr_error *err)
{
    size_t r0 = l->ring_start[i], r1 = l->ring_start[i + 1];
    size_t nparts = 0;
    for (size_t r = r0; r < r1; r++)
        nparts += l->ring_shell[r];
    size_t npts = l->pt_start[r1] - l->pt_start[r0];
    /* header + envelope + multipolygon head + per part (head) + per ring
     * (count) + points */
    size_t need = 8 + 32 + 9 + 9 * nparts + 4 * (r1 - r0) + 16 * npts;
    if (!reserve(b, need))
        return fr_error_oom_while(err, "encoding a GeoPackage polygon");
    unsigned char *p = put_header(b->buf, FLAG_LE | FLAG_ENV_XY, srs_id);
    unsigned char *envp = p;
    p = put_wkb_head(p + 32, WKB_MULTIPOLYGON, (uint32_t)nparts);
    double minx = HUGE_VAL, maxx = -HUGE_VAL, miny = HUGE_VAL, maxy = -HUGE_VAL;
    for (size_t r = r0; r < r1; r++) {
        if (l->ring_shell[r]) {
            size_t nrings = 1;
            while (r + nrings < r1 && !l->ring_shell[r + nrings])
                nrings++;
            p = put_wkb_head(p, WKB_POLYGON, (uint32_t)nrings);
        }
        size_t p0 = l->pt_start[r], p1 = l->pt_start[r + 1];
        put_u32(p, (uint32_t)(p1 - p0));
        p += 4;
        for (size_t v = p0; v < p1; v++) {
            double x = l->px[v], y = l->py[v];
            minx = x < minx ? x : minx;
            maxx = x > maxx ? x : maxx;
            miny = y < miny ? y : miny;
            maxy = y > maxy ? y : maxy;
            put_f64(p, x);
            put_f64(p + 8, y);
            p += 16;
        }
    }
    put_f64(envp, minx);
    put_f64(envp + 8, maxx);
    put_f64(envp + 16, miny);
    put_f64(envp + 24, maxy);
    env[0] = minx;
    env[1] = maxx;
    env[2] = miny;
    env[3] = maxy;
    b->len = (size_t)(p - b->buf);
    return FR_OK;
}

fr_status geo_gpkg_geom_encode(const geo_layer *l, size_t i, int32_t srs_id, geo_gpkg_blob *b, double env[4],
                               int *has, fr_error *err)
{
    b->len = 0;
    *has = l->kind != GEO_GEOM_NONE && geo_layer_has_geometry(l, i);
    if (!*has)
        return FR_OK;
    if (l->kind == GEO_GEOM_POINT)
        return encode_point(l, i, srs_id, b, env, err);
    return encode_polygons(l, i, srs_id, b, env, err);
}
