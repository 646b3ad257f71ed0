/*
 * study_area.c — median centre, study-area square, outside_study_area and
 * lonlat_swapped rejects (see study_area.h).
 *
 * The median is found by selection (base/select.h), both axes at once:
 * linear time, where the full sort it replaces took ~0.2 s per axis and
 * call for a million parcels, three calls a run, on the read stage's
 * serial path.
 */
#include "study_area.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ogr_srs_api.h>

#include "gdal_gate.h"
#include "gdal_srs.h"
#include "hugepage.h"
#include "select.h"

/* The finite centres of l's envelopes into xs, ys, in feature order; their
 * number.  On every thread: parts counted, then each written after the
 * parts before it.  Why: at 5M parcels the gather was 0.1-0.2 s of one
 * thread (its 80 MB new) with the other idle, three times a run. */
static size_t gather_centres(const geo_layer *l, double *xs, double *ys)
{
    enum { PARTS = 64 };
    size_t at[PARTS + 1] = {0};
    const long long n = (long long)l->count;
#pragma omp parallel
    {
#pragma omp for schedule(static)
        for (int p = 0; p < PARTS; p++) {
            size_t m = 0;
            for (long long i = n * p / PARTS; i < n * (p + 1) / PARTS; i++) {
                const double *b = &l->bbox[4 * i];
                m += isfinite((b[0] + b[2]) / 2) && isfinite((b[1] + b[3]) / 2);
            }
            at[p + 1] = m;
        }
#pragma omp single
        for (int p = 0; p < PARTS; p++)
            at[p + 1] += at[p];
#pragma omp for schedule(static)
        for (int p = 0; p < PARTS; p++) {
            size_t k = at[p];
            for (long long i = n * p / PARTS; i < n * (p + 1) / PARTS; i++) {
                const double *b = &l->bbox[4 * i];
                double x = (b[0] + b[2]) / 2, y = (b[1] + b[3]) / 2;
                if (isfinite(x) && isfinite(y)) {
                    xs[k] = x;
                    ys[k++] = y;
                }
            }
        }
    }
    return at[PARTS];
}

fr_status geo_median_centre(const geo_layer *l, double *cx, double *cy, fr_error *err)
{
    *cx = *cy = NAN;
    double *xs = malloc((l->count ? l->count : 1) * sizeof *xs);
    double *ys = malloc((l->count ? l->count : 1) * sizeof *ys);
    if (!xs || !ys) {
        free(xs);
        free(ys);
        return fr_error_oom(err);
    }
    size_t n = gather_centres(l, xs, ys);
    if (n > 0) {
        /* the lower median of each axis, both at once: the read stage
         * calls this with nothing else to do meanwhile */
#pragma omp parallel sections
        {
#pragma omp section
            *cx = fr_select_double(xs, n, (n - 1) / 2);
#pragma omp section
            *cy = fr_select_double(ys, n, (n - 1) / 2);
        }
    }
    free(xs);
    free(ys);
    if (n == 0)
        return fr_error_set(err, FR_E_INPUT, "layer %s (%s) has no feature with a geometry", l->name, l->source);
    return FR_OK;
}

fr_status geo_study_half_sides(const char *srs_wkt, double cx, double cy, double radius_m, double *hx, double *hy,
                               fr_error *err)
{
    (void)cx;
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    OGRSpatialReferenceH srs = geo_gdal_srs(srs_wkt);
    if (!srs) {
        geo_gdal_gate_end_quiet(&gate);
        return fr_error_set(err, FR_E_INTERNAL, "cannot read back the CRS of a layer");
    }
    if (OSRIsGeographic(srs)) {
        /* degrees: 111.32 km per degree of latitude; a degree of longitude
         * shrinks with cos(latitude) (floored near the poles) */
        double k = cos(fmin(fabs(cy), 89.0) * M_PI / 180.0);
        *hy = radius_m / 111320.0;
        *hx = fmin(radius_m / (111320.0 * fmax(k, 0.01)), 360.0);
    } else {
        double to_m = OSRGetLinearUnits(srs, NULL);
        if (!(to_m > 0))
            to_m = 1;
        *hx = *hy = radius_m / to_m;
    }
    OSRDestroySpatialReference(srs);
    geo_gdal_gate_end_quiet(&gate);
    return FR_OK;
}

static int inside_square(const double *b, double cx, double cy, double hx, double hy)
{
    return b[0] >= cx - hx && b[2] <= cx + hx && b[1] >= cy - hy && b[3] <= cy + hy;
}

/* keep[i]: feature i has no geometry or lies inside the square; on every
 * thread (a pass over every parcel, on the read stage's serial path). */
static void mark_inside(const geo_layer *l, double cx, double cy, double hx, double hy, unsigned char *keep)
{
    const long long n = (long long)l->count;
#pragma omp parallel for schedule(static)
    for (long long i = 0; i < n; i++) {
        const double *b = &l->bbox[4 * i];
        keep[i] = isnan(b[0]) || inside_square(b, cx, cy, hx, hy);
    }
}

fr_status geo_study_area_filter(geo_layer *l, double cx, double cy, double hx, double hy, double radius_km,
                                geo_rejects *rejects, size_t *removed, fr_error *err)
{
    *removed = 0;
    unsigned char *keep = malloc(l->count ? l->count : 1);
    if (!keep)
        return fr_error_oom(err);
    fr_status st = FR_OK;
    mark_inside(l, cx, cy, hx, hy, keep);
    for (size_t i = 0; i < l->count && st == FR_OK; i++) {
        if (keep[i])
            continue;
        const double *b = &l->bbox[4 * i];
        (*removed)++;
        if (geo_rejects_add(rejects, l->name, l->fid[i], NULL, "outside_study_area",
                            "%s, layer '%s', feature %lld: extent (%.6g, %.6g)-(%.6g, %.6g) is not within %g km of "
                            "the centre of the parcels (%.6g, %.6g); wrong coordinates or CRS? (join.study_area_km)",
                            l->source, l->source_layer ? l->source_layer : "", (long long)l->fid[i], b[0], b[1],
                            b[2], b[3], radius_km, cx, cy) != FR_OK)
            st = fr_error_oom(err);
    }
    if (st == FR_OK && *removed)
        geo_layer_compact(l, keep);
    free(keep);
    return st;
}

fr_status geo_source_points_keep(const geo_layer *l, geo_source_points *out, fr_error *err)
{
    memset(out, 0, sizeof *out);
    if (l->kind != GEO_GEOM_POINT)
        return FR_OK;
    size_t n = l->count ? l->count : 1;
    out->fid = malloc(n * sizeof *out->fid);
    out->x = malloc(n * sizeof *out->x);
    out->y = malloc(n * sizeof *out->y);
    out->srs_wkt = l->srs_wkt ? strdup(l->srs_wkt) : NULL;
    if (!out->fid || !out->x || !out->y || (l->srs_wkt && !out->srs_wkt)) {
        geo_source_points_free(out);
        return fr_error_oom(err);
    }
    if (l->count) { /* an empty layer may have no arrays yet (memcpy from NULL is undefined) */
        fr_copy_on_every_thread(out->fid, l->fid, l->count * sizeof *out->fid);
        fr_copy_on_every_thread(out->x, l->x, l->count * sizeof *out->x);
        fr_copy_on_every_thread(out->y, l->y, l->count * sizeof *out->y);
    }
    out->n = l->count;
    return FR_OK;
}

void geo_source_points_free(geo_source_points *p)
{
    free(p->fid);
    free(p->x);
    free(p->y);
    free(p->srs_wkt);
    memset(p, 0, sizeof *p);
}

/* Would the source point (x, y) read as (y, x) land inside `inside`?  A
 * point that cannot be transformed would not (the caller's gate keeps
 * GDAL's complaint to itself). */
static int swapped_inside(OGRCoordinateTransformationH ct, double x, double y, const double inside[4])
{
    double sx = y, sy = x;
    int ok = 0;
    int done = OCTTransformEx(ct, 1, &sx, &sy, NULL, &ok);
    return done && ok && isfinite(sx) && isfinite(sy) && sx >= inside[0] && sx <= inside[2] && sy >= inside[1] &&
           sy <= inside[3];
}

fr_status geo_study_area_points(geo_layer *l, const geo_source_points *src, double cx, double cy, double half,
                                double radius_km, const double inside[4], geo_rejects *rejects, size_t *removed,
                                size_t *swapped, fr_error *err)
{
    *removed = *swapped = 0;
    if (l->kind != GEO_GEOM_POINT || l->count == 0)
        return FR_OK;
    unsigned char *keep = malloc(l->count);
    if (!keep)
        return fr_error_oom(err);
    /* No CRS or transformation for the swap test is only a swap not found. */
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    OGRCoordinateTransformationH ct = NULL;
    fr_status st = FR_OK;
    size_t j = 0; /* the kept points are a subsequence of the source points */
    mark_inside(l, cx, cy, half, half, keep);
    for (size_t i = 0; i < l->count && st == FR_OK; i++) {
        if (keep[i])
            continue;
        (*removed)++;
        while (j < src->n && src->fid[j] != l->fid[i])
            j++;
        int swap = 0;
        if (j < src->n && src->srs_wkt && l->srs_wkt) {
            if (!ct) {
                OGRSpatialReferenceH a = geo_gdal_srs(src->srs_wkt), w = geo_gdal_srs(l->srs_wkt);
                if (a && w)
                    ct = OCTNewCoordinateTransformation(a, w);
                if (a)
                    OSRDestroySpatialReference(a);
                if (w)
                    OSRDestroySpatialReference(w);
            }
            swap = ct && swapped_inside(ct, src->x[j], src->y[j], inside);
        }
        const char *layer_name = l->source_layer ? l->source_layer : "";
        double sx = j < src->n ? src->x[j] : NAN, sy = j < src->n ? src->y[j] : NAN;
        fr_status a;
        if (swap) {
            (*swapped)++;
            a = geo_rejects_add(rejects, l->name, l->fid[i], NULL, "lonlat_swapped",
                                "%s, layer '%s', feature %lld: (%.10g, %.10g) is far from the parcels, but (%.10g, "
                                "%.10g), x and y swapped, falls among them: longitude and latitude exchanged?",
                                l->source, layer_name, (long long)l->fid[i], sx, sy, sy, sx);
        } else {
            a = geo_rejects_add(rejects, l->name, l->fid[i], NULL, "outside_study_area",
                                "%s, layer '%s', feature %lld: (%.10g, %.10g) is not within %g km of the centre of "
                                "the parcels; wrong coordinates or CRS? (join.study_area_km)",
                                l->source, layer_name, (long long)l->fid[i], sx, sy, radius_km);
        }
        if (a != FR_OK)
            st = fr_error_oom(err);
    }
    if (st == FR_OK && *removed)
        geo_layer_compact(l, keep);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    geo_gdal_gate_end_quiet(&gate);
    free(keep);
    return st;
}
