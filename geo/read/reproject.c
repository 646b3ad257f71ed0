/*
 * reproject.c — working CRS choice and coordinate transformation (see
 * reproject.h).  Coordinates are transformed in batches with OCTTransformEx,
 * one call per chunk of the flat arrays, not one call per point, the chunks
 * shared among the threads (transform_chunks).
 *
 * GDAL's errors: every function runs its GDAL calls inside a gate
 * (gdal_gate.h) on its own thread.  A point that cannot be transformed is
 * not an error here: OCTTransformEx says so in its per-point flags, and the
 * callers reject the record or the run with their own message.
 */
#include "reproject.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <ogr_srs_api.h>

#include "gdal_gate.h"
#include "gdal_srs.h"
#include "study_area.h"

static char *wkt_of(OGRSpatialReferenceH srs)
{
    char *wkt = NULL;
    const char *opts[] = {"FORMAT=WKT2_2018", NULL};
    if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE || !wkt) {
        CPLFree(wkt);
        return NULL;
    }
    char *copy = strdup(wkt);
    CPLFree(wkt);
    return copy;
}

fr_status geo_crs_wkt(const char *user_text, const char *what, int require_metric, char **wkt,
                      fr_error *err)
{
    *wkt = NULL;
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    fr_status st = FR_OK;
    OGRSpatialReferenceH srs = geo_gdal_srs(user_text);
    if (!srs) {
        st = fr_error_set(err, FR_E_CONFIG, "%s '%s' is not a CRS PROJ knows", what, user_text);
        goto done;
    }
    if (require_metric) {
        const char *unit = NULL;
        double to_m = OSRGetLinearUnits(srs, (char **)&unit);
        if (!OSRIsProjected(srs) || fabs(to_m - 1.0) > 1e-9)
            st = fr_error_set(err, FR_E_CONFIG,
                              "%s '%s' is not a projected CRS in metres; tolerances and radii are metres "
                              "(omit it to use the UTM zone of the parcels)", what, user_text);
    }
    if (st == FR_OK && !(*wkt = wkt_of(srs)))
        st = fr_error_oom(err);
    OSRDestroySpatialReference(srs);
done:
    geo_gdal_gate_end_quiet(&gate);
    return st;
}

static OGRCoordinateTransformationH make_ct(const char *src_wkt, const char *dst_wkt, fr_error *err)
{
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    OGRSpatialReferenceH src = geo_gdal_srs(src_wkt), dst = geo_gdal_srs(dst_wkt);
    OGRCoordinateTransformationH ct = NULL;
    if (src && dst)
        ct = OCTNewCoordinateTransformation(src, dst);
    if (!ct)
        geo_gdal_gate_error(&gate, err, FR_E_INPUT, "", "no coordinate transformation between the CRSs");
    if (src)
        OSRDestroySpatialReference(src);
    if (dst)
        OSRDestroySpatialReference(dst);
    geo_gdal_gate_end_quiet(&gate);
    return ct;
}

/* What a chunk's points become after OCTTransformEx: s, m the chunk, ok
 * its per-point flags. */
typedef void (*chunk_after)(size_t s, size_t m, const int *ok, void *arg);

/* Transforms xs[0..n), ys[0..n) in place from src_wkt to dst_wkt, in
 * chunks on every thread; after, when not NULL, sees each chunk once
 * transformed, with its points' flags.
 *
 * Why in parallel: a layer or an output has millions of vertices (~7
 * million at a million parcels, ~2 s of PROJ on one core).  An
 * OGRCoordinateTransformation must not be shared between threads, so each
 * thread makes its own; the chunks are independent and every point is
 * transformed on its own, so the result does not depend on the thread
 * count. */
static fr_status transform_chunks(const char *src_wkt, const char *dst_wkt, size_t n, double *xs, double *ys,
                                  chunk_after after, void *arg, fr_error *err)
{
    enum { CHUNK = 1 << 14 };
    const long long nchunks = (long long)((n + CHUNK - 1) / CHUNK);
    int nt = omp_get_max_threads();
    if (nt < 1 || nchunks < 4)
        nt = 1;
    fr_status st = FR_OK;
#pragma omp parallel num_threads(nt)
    {
        geo_gdal_gate gate; /* this thread's: failed points come back in the flags */
        geo_gdal_gate_begin(&gate);
        fr_error e;
        OGRCoordinateTransformationH ct = make_ct(src_wkt, dst_wkt, &e);
        int *mine = malloc(CHUNK * sizeof *mine);
        if (!ct || !mine) {
#pragma omp critical(transform_chunks_error)
            if (st == FR_OK) {
                st = ct ? fr_error_oom(err) : e.status;
                if (!ct && err)
                    *err = e;
            }
        }
#pragma omp for schedule(static)
        for (long long c = 0; c < nchunks; c++) {
            if (!ct || !mine)
                continue;
            size_t s = (size_t)c * CHUNK, m = n - s < CHUNK ? n - s : CHUNK;
            OCTTransformEx(ct, (int)m, xs + s, ys + s, NULL, mine);
            if (after)
                after(s, m, mine, arg);
        }
        free(mine);
        if (ct)
            OCTDestroyCoordinateTransformation(ct);
        geo_gdal_gate_end_quiet(&gate);
    }
    return st;
}

/* A point that did not transform becomes NaN (arg: the x array), which
 * geo_reproject_layer rejects as it rejects a non-finite result. */
static void failed_to_nan(size_t s, size_t m, const int *ok, void *arg)
{
    double *x = arg;
    for (size_t i = s; i < s + m; i++)
        if (!ok[i - s])
            x[i] = NAN;
}

typedef struct {
    const double *x;
    double *lon, *lat;
} lonlat_chunk;

/* A point that did not transform, or had no coordinates, is NaN. */
static void lonlat_after(size_t s, size_t m, const int *ok, void *arg)
{
    const lonlat_chunk *c = arg;
    for (size_t i = s; i < s + m; i++)
        if (!ok[i - s] || isnan(c->x[i]) || !isfinite(c->lon[i]) || !isfinite(c->lat[i]))
            c->lon[i] = c->lat[i] = NAN;
}

fr_status geo_to_lonlat(const char *src_wkt, size_t n, const double *x, const double *y, double *lon,
                        double *lat, fr_error *err)
{
    memcpy(lon, x, n * sizeof *x);
    memcpy(lat, y, n * sizeof *y);
    lonlat_chunk c = {x, lon, lat};
    return transform_chunks(src_wkt, "EPSG:4326", n, lon, lat, lonlat_after, &c, err);
}

fr_status geo_utm_for_layer(const geo_layer *layer, char **wkt, int *epsg, fr_error *err)
{
    *wkt = NULL;
    /* The median centre, as the study area uses: a few hundred homes
     * geocoded to the South Pole move a bounding box's centre across the
     * globe, but not the median. */
    double cx, cy, lon, lat;
    if (geo_median_centre(layer, &cx, &cy, err) != FR_OK) {
        fr_error_prefix(err, "choosing a working CRS");
        return err->status;
    }
    fr_status st = geo_to_lonlat(layer->srs_wkt, 1, &cx, &cy, &lon, &lat, err);
    if (st != FR_OK)
        return st;
    if ((isnan(lon) || !(fabs(lat) <= 90.0)) && fabs(cx) <= 90.0 && fabs(cy) > 90.0 && fabs(cy) <= 180.0)
        return fr_error_set(err, FR_E_INPUT,
                            "%s, layer '%s': the centre of layer %s (%.6g, %.6g) is no lon/lat, but would be one with "
                            "x and y exchanged: the longitude and latitude are stored swapped (exchange geometry.x "
                            "and geometry.y, or fix the source's axis order)",
                            layer->source, layer->source_layer ? layer->source_layer : "", layer->name, cx, cy);
    if (isnan(lon) || lat < -80 || lat > 84)
        return fr_error_set(err, FR_E_INPUT,
                            "%s, layer '%s': the centre of layer %s (%.6g, %.6g) is not on a UTM zone (is the layer's "
                            "crs right?); set working_crs",
                            layer->source, layer->source_layer ? layer->source_layer : "", layer->name, cx, cy);
    int zone = (int)floor((lon + 180.0) / 6.0) + 1;
    if (zone < 1) zone = 1;
    if (zone > 60) zone = 60;
    *epsg = (lat >= 0 ? 32600 : 32700) + zone;
    char code[32];
    snprintf(code, sizeof code, "EPSG:%d", *epsg);
    return geo_crs_wkt(code, "working_crs", 1, wkt, err);
}

fr_status geo_reproject_layer(geo_layer *layer, const char *dst_wkt, geo_rejects *rejects, size_t *removed,
                              fr_error *err)
{
    *removed = 0;
    if (layer->kind == GEO_GEOM_NONE || layer->count == 0 || !layer->srs_wkt)
        return geo_layer_set_srs(layer, dst_wkt, err);
    double *xs = layer->kind == GEO_GEOM_POINT ? layer->x : layer->px;
    double *ys = layer->kind == GEO_GEOM_POINT ? layer->y : layer->py;
    size_t n = layer->kind == GEO_GEOM_POINT ? layer->count : layer->npts;
    /* Coordinates that read as lon/lat only with x and y exchanged (a
     * latitude where the longitude belongs): if the whole layer then fails
     * to transform, that is what to tell. */
    size_t swapped_look = 0, with_point = 0;
#pragma omp parallel for schedule(static) reduction(+ : swapped_look, with_point)
    for (size_t i = 0; i < n; i++) {
        if (isnan(xs[i]))
            continue;
        with_point++;
        swapped_look += fabs(xs[i]) <= 90.0 && fabs(ys[i]) > 90.0 && fabs(ys[i]) <= 180.0;
    }
    unsigned char *keep = malloc(layer->count);
    if (!keep)
        return fr_error_oom_while(err, "reprojecting layer %s", layer->name);
    /* a point that failed to transform comes back NaN (failed_to_nan) and
     * its feature is rejected below: no flag per point kept (4 bytes a
     * point, 144 MB of new memory for 5M parcels) */
    fr_status st = transform_chunks(layer->srs_wkt, dst_wkt, n, xs, ys, failed_to_nan, xs, err);
    if (st != FR_OK) {
        free(keep);
        fr_error_prefix(err, "%s, layer '%s' (%s)", layer->source, layer->source_layer ? layer->source_layer : "",
                        layer->name);
        return err->status;
    }
    /* every feature on its own: the envelopes anew, on every thread */
    const long long count = (long long)layer->count;
#pragma omp parallel for schedule(static)
    for (long long f = 0; f < count; f++) {
        size_t i = (size_t)f;
        keep[i] = 1;
        double *b = &layer->bbox[4 * i];
        if (layer->kind == GEO_GEOM_POINT) {
            if (isnan(b[0])) {
                xs[i] = ys[i] = NAN; /* no geometry stays no geometry (PROJ may turn NaN into inf) */
                continue;
            }
            int good = isfinite(xs[i]) && isfinite(ys[i]);
            if (good) {
                b[0] = b[2] = xs[i];
                b[1] = b[3] = ys[i];
            } else {
                keep[i] = 0;
            }
        } else {
            size_t p0 = layer->pt_start[layer->ring_start[i]], p1 = layer->pt_start[layer->ring_start[i + 1]];
            if (p0 == p1)
                continue;
            b[0] = b[1] = INFINITY;
            b[2] = b[3] = -INFINITY;
            for (size_t p = p0; p < p1; p++) {
                if (!isfinite(xs[p]) || !isfinite(ys[p])) {
                    keep[i] = 0;
                    break;
                }
                if (xs[p] < b[0]) b[0] = xs[p];
                if (ys[p] < b[1]) b[1] = ys[p];
                if (xs[p] > b[2]) b[2] = xs[p];
                if (ys[p] > b[3]) b[3] = ys[p];
            }
        }
    }
    for (size_t i = 0; i < layer->count && st == FR_OK; i++) {
        if (!keep[i]) {
            (*removed)++;
            if (geo_rejects_add(rejects, layer->name, layer->fid[i], NULL, "reprojection_failed",
                                "%s, layer '%s', feature %lld: coordinates cannot be transformed into the working "
                                "CRS (outside the source CRS's area of use, or the wrong CRS configured)",
                                layer->source, layer->source_layer ? layer->source_layer : "",
                                (long long)layer->fid[i]) != FR_OK)
                st = fr_error_oom(err);
        }
    }
    if (st == FR_OK && *removed && *removed == layer->count && with_point && swapped_look == with_point)
        st = fr_error_set(err, FR_E_INPUT,
                          "%s, layer '%s': no feature of layer %s can be moved into the working CRS, and every one "
                          "would be a valid lon/lat with x and y exchanged: the longitude and latitude are stored "
                          "swapped (exchange geometry.x and geometry.y, or fix the source's axis order)",
                          layer->source, layer->source_layer ? layer->source_layer : "", layer->name);
    if (st == FR_OK && *removed)
        geo_layer_compact(layer, keep);
    free(keep);
    if (st != FR_OK)
        return st;
    return geo_layer_set_srs(layer, dst_wkt, err);
}
