/*
 * join_points.c — geo_match_records and geo_match_points (join.h): every
 * inspection / incident to one parcel, with the configured steps in order:
 * by id, by address (join_address.c), by the parcel containing it, by the
 * nearest parcel within a tolerance.
 *
 * Each thread queries the shared parcel tree with its own GEOS context (see
 * parcel_index.h) and writes only out[k] of the records it processes, so the
 * result does not depend on the thread count.  Records are visited in
 * Z-order of their points (not record order), which halves the time of the
 * tree queries on a million parcels by keeping the tree's paths in cache.
 * Candidates are tested in ascending parcel index, which makes "lowest
 * index wins" the tie-break.
 * The answers are GEOS': GEOSIntersects_r (a point on a parcel's boundary
 * belongs to it) and GEOSDistance_r.  The flat-array test of
 * poly_distance.c gives them without building a GEOS polygon whenever the
 * point is not within a micrometre of a ring; within it, GEOS is asked.
 */
#include <ctype.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "geos_build.h"
#include "join.h"
#include "join_common.h"
#include "parcel_index.h"
#include "poly_distance.h"
#include "psort.h"

/* Scratch of one thread. */
typedef struct {
    geo_geos_ctx *ctx;
    const geo_box_tree *tree;
    const geo_layer *parcels;
    geo_join_common_cands cands;
    double *bd;       /* bbox distance of each candidate */
    int32_t *order;   /* candidates sorted by (bbox distance, index) */
    size_t scap;
} points_thread;

/* Distance from (x, y) to parcel p's envelope (0 inside it). */
static double points_bbox_distance(const geo_layer *l, int32_t p, double x, double y)
{
    const double *b = &l->bbox[4 * (size_t)p];
    double dx = x < b[0] ? b[0] - x : (x > b[2] ? x - b[2] : 0.0);
    double dy = y < b[1] ? b[1] - y : (y > b[3] ? y - b[3] : 0.0);
    return sqrt(dx * dx + dy * dy);
}

/* Margin of geo_poly_locate: a point closer than this to a ring is left
 * to GEOS.  Far above the rounding error of the crossing test at city
 * coordinates (~1e-9 m at 1e7 m), far below any geocoding precision. */
static double points_margin(double x, double y)
{
    return 1e-6 + 1e-12 * (fabs(x) + fabs(y));
}

/* GEOS' answer for parcel p and the point (x, y): GEOSIntersects_r (*hit)
 * and, when dist is not NULL, GEOSDistance_r.  Used only for points within
 * points_margin of a ring, where the flat-array test is not certain. */
static fr_status points_geos_exact(points_thread *t, int32_t p, double x, double y, char *hit, double *dist,
                                   fr_error *err)
{
    GEOSGeometry *poly, *pt;
    fr_status st = geo_geos_build_polygon(t->ctx, t->parcels, (size_t)p, &poly, err);
    if (st != FR_OK)
        return st;
    *hit = 0;
    if (dist)
        *dist = NAN;
    if (!poly)
        return FR_OK;
    st = geo_geos_build_point(t->ctx, x, y, &pt, err);
    if (st != FR_OK) {
        GEOSGeom_destroy_r(t->ctx->h, poly);
        return st;
    }
    *hit = GEOSIntersects_r(t->ctx->h, poly, pt);
    int ok = *hit != 2 && (!dist || GEOSDistance_r(t->ctx->h, poly, pt, dist));
    GEOSGeom_destroy_r(t->ctx->h, pt);
    GEOSGeom_destroy_r(t->ctx->h, poly);
    if (!ok)
        return fr_error_set(err, FR_E_INPUT, "layer '%s' (%s) feature fid %lld: GEOS %s failed: %s",
                            t->parcels->name, t->parcels->source, (long long)t->parcels->fid[p],
                            *hit == 2 ? "point-in-polygon" : "distance", t->ctx->last_error);
    return FR_OK;
}

/* Lowest-index parcel whose polygon intersects pt = (x, y), or -1.
 * Decided on the flat arrays (geo_poly_locate) unless the point is within
 * points_margin of a ring: building a GEOS polygon for every candidate
 * touches GEOS' shared geometry factory and kept the two cores from
 * scaling (issue 7's profile); near a ring GEOS decides, as before. */
static fr_status points_contains(points_thread *t, double x, double y, int32_t *found, fr_error *err)
{
    *found = -1;
    t->cands.n = 0;
    geo_box_tree_query(t->tree, x, y, x, y, geo_join_common_collect_item, &t->cands);
    if (t->cands.oom)
        return fr_error_oom_while(err, "querying the parcel index");
    geo_join_common_cands_sort(&t->cands);
    const double margin = points_margin(x, y);
    for (size_t k = 0; k < t->cands.n; k++) {
        int32_t p = t->cands.v[k];
        double d;
        geo_poly_location loc = geo_poly_locate(t->parcels, (size_t)p, x, y, margin, &d);
        char hit = loc == GEO_POLY_INSIDE;
        if (loc == GEO_POLY_NEAR_RING) {
            fr_status st = points_geos_exact(t, p, x, y, &hit, NULL, err);
            if (st != FR_OK)
                return st;
        }
        if (hit) {
            *found = p;
            return FR_OK;
        }
    }
    return FR_OK;
}

static int points_by_bd(const points_thread *t, size_t a, size_t b)
{
    if (t->bd[a] != t->bd[b])
        return t->bd[a] < t->bd[b];
    return t->cands.v[a] < t->cands.v[b];
}

/* Nearest parcel to (x, y) among those whose envelope lies within reach of
 * (x, y): *found (-1 if none within reach) and *dist (exact GEOS distance).
 * Ties: lowest index. */
static fr_status points_nearest(points_thread *t, double x, double y, double reach, int32_t *found,
                                double *dist, fr_error *err)
{
    *found = -1;
    *dist = NAN;
    t->cands.n = 0;
    geo_box_tree_query(t->tree, x - reach, y - reach, x + reach, y + reach, geo_join_common_collect_item,
                       &t->cands);
    if (t->cands.oom)
        return fr_error_oom_while(err, "querying the parcel index");
    size_t n = t->cands.n;
    if (n == 0)
        return FR_OK;
    if (n > t->scap) {
        double *bd = realloc(t->bd, n * sizeof *bd);
        if (bd)
            t->bd = bd;
        int32_t *order = realloc(t->order, n * sizeof *order);
        if (order)
            t->order = order;
        if (!bd || !order)
            return fr_error_oom_while(err, "querying the parcel index");
        t->scap = n;
    }
    /* Visit candidates by envelope distance, a lower bound of the exact
     * distance: once it exceeds the best exact distance, no later candidate
     * can win.  Insertion sort: n is small (tolerance-sized window). */
    for (size_t k = 0; k < n; k++) {
        t->bd[k] = points_bbox_distance(t->parcels, t->cands.v[k], x, y);
        size_t j = k;
        while (j > 0 && points_by_bd(t, k, (size_t)t->order[j - 1])) {
            t->order[j] = t->order[j - 1];
            j--;
        }
        t->order[j] = (int32_t)k;
    }
    double best = INFINITY;
    int32_t bestp = -1;
    const double margin = points_margin(x, y);
    for (size_t o = 0; o < n; o++) {
        size_t k = (size_t)t->order[o];
        if (t->bd[k] > reach || t->bd[k] > best)
            break;
        int32_t p = t->cands.v[k];
        double d;
        geo_poly_location loc = geo_poly_locate(t->parcels, (size_t)p, x, y, margin, &d);
        if (loc == GEO_POLY_NO_GEOMETRY)
            continue;
        if (loc == GEO_POLY_NEAR_RING) { /* GEOS' exact distance, as everywhere else */
            char hit;
            fr_status st = points_geos_exact(t, p, x, y, &hit, &d, err);
            if (st != FR_OK)
                return st;
        }
        if (d <= reach && (d < best || (d == best && p < bestp))) {
            best = d;
            bestp = p;
        }
    }
    if (bestp >= 0) {
        *found = bestp;
        *dist = best;
    }
    return FR_OK;
}

/* The spatial steps for record k's point: containment, else (when
 * `nearest`) the nearest parcel within tol.  *matched says whether one
 * did; out is filled either way (distance of a near miss). */
static fr_status points_spatial(points_thread *t, double x, double y, int contains, int nearest, double tol,
                                geo_match *out, int *matched, fr_error *err)
{
    *matched = 0;
    if (t->parcels->kind == GEO_GEOM_POINT && contains) {
        /* homes given as points have no inside: a record matches the
         * nearest within the tolerance (method "nearest", its distance) */
        contains = 0;
        nearest = 1;
    }
    fr_status st = FR_OK;
    int32_t p = -1;
    double d;
    if (contains)
        st = points_contains(t, x, y, &p, err);
    if (st == FR_OK && p >= 0) {
        out->parcel = p;
        out->method = GEO_MATCH_CONTAINS;
        out->confidence = 0.9f;
        out->distance_m = 0.0;
        *matched = 1;
    } else if (st == FR_OK && nearest && tol > 0.0) {
        st = points_nearest(t, x, y, tol, &p, &d, err);
        if (st == FR_OK && p >= 0) {
            out->parcel = p;
            out->method = GEO_MATCH_NEAREST;
            out->confidence = (float)(0.8 - 0.3 * d / tol);
            out->distance_m = d;
            *matched = 1;
        } else if (st == FR_OK) {
            /* Say how far off it was, looking up to 10x the tolerance. */
            st = points_nearest(t, x, y, 10.0 * tol, &p, &d, err);
            out->distance_m = p >= 0 ? d : NAN;
        }
    }
    return st;
}

/* Matches record k with the steps of spec; *out filled on FR_OK.  why ends
 * as the reason of the last step the record had data for. */
static fr_status points_match_one(points_thread *t, const geo_layer *pts, const geo_match_spec *spec,
                                  size_t k, geo_match *out, fr_error *err)
{
    out->parcel = -1;
    out->method = GEO_MATCH_NONE;
    out->why = GEO_UNMATCHED_NO_ID_NO_POINT;
    out->confidence = 0.0f;
    out->number_diff = -1;
    out->street = -1;
    out->candidates = 0;
    out->distance_m = NAN;

    double x = NAN, y = NAN;
    if (pts->kind == GEO_GEOM_POINT) {
        x = pts->x[k];
        y = pts->y[k];
    }
    /* a record without coordinates (NaN, or inf from a transform) never reaches the spatial steps */
    int has_point = isfinite(x) && isfinite(y), spatial_done = 0;
    for (int s = 0; s < spec->nsteps; s++) {
        switch (spec->steps[s]) {
        case GEO_MATCH_ID: {
            if (spec->id_col < 0 || !spec->ids)
                break;
            const char *id = pts->cols[spec->id_col].str[k];
            const char *p = id;
            while (p && isspace((unsigned char)*p))
                p++;
            if (!p || !*p)
                break;
            int32_t parcel = geo_id_index_find(spec->ids, id);
            int normalised = 0, ambiguous = 0;
            if (parcel < 0) { /* the documented fallback: "0013" for 13, "13.0", case */
                parcel = geo_id_index_find_normalised(spec->ids, id, &ambiguous);
                normalised = 1;
            }
            if (parcel >= 0) {
                out->parcel = parcel;
                out->method = normalised ? GEO_MATCH_ID_NORMALISED : GEO_MATCH_ID;
                out->why = GEO_UNMATCHED_NONE;
                out->confidence = normalised ? 0.95f : 1.0f;
                return FR_OK;
            }
            out->why = ambiguous ? GEO_UNMATCHED_AMBIGUOUS_ID : GEO_UNMATCHED_UNKNOWN_ID;
            break;
        }
        case GEO_MATCH_ADDRESS: {
            if (spec->address_col < 0)
                break;
            geo_match m;
            geo_match_address_known(spec->addresses, spec->known_addresses, pts->cols[spec->address_col].str[k],
                                    spec->address_range, &m);
            if (m.method != GEO_MATCH_NONE) {
                *out = m;
                return FR_OK;
            }
            if (m.why != GEO_UNMATCHED_NO_ID_NO_POINT) /* it had an address */
                out->why = m.why;
            out->street = m.street; /* for the audit, whatever step matches */
            out->candidates = m.candidates;
            break;
        }
        case GEO_MATCH_CONTAINS:
        case GEO_MATCH_NEAREST: {
            if (!has_point || spatial_done)
                break;
            /* contains and nearest run together when adjacent in the order
             * (one point geometry, one query) */
            int contains = spec->steps[s] == GEO_MATCH_CONTAINS;
            int nearest = spec->steps[s] == GEO_MATCH_NEAREST ||
                          (s + 1 < spec->nsteps && spec->steps[s + 1] == GEO_MATCH_NEAREST);
            int matched;
            fr_status st = points_spatial(t, x, y, contains, nearest, spec->tolerance_m, out, &matched, err);
            if (st != FR_OK)
                return st;
            if (matched) {
                out->why = GEO_UNMATCHED_NONE;
                return FR_OK;
            }
            out->why = GEO_UNMATCHED_BEYOND_TOLERANCE;
            spatial_done = contains && nearest;
            break;
        }
        default:
            break;
        }
    }
    return FR_OK;
}

/* Visiting order of the records: by Morton (Z-order) code of the point, so
 * that consecutive records query the same branches of the tree and the
 * same parcel coordinates while they are in cache.  Results still go to
 * out[k] by record, so the order changes nothing but the speed.  Records
 * without a point come first, in record order. */
typedef struct {
    uint64_t key;
    size_t k;
} points_order_item;

static uint64_t points_spread(uint32_t v)
{
    uint64_t x = v;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2)) & 0x3333333333333333ULL;
    x = (x | (x << 1)) & 0x5555555555555555ULL;
    return x;
}

static int points_order_cmp(const void *a, const void *b)
{
    const points_order_item *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

static size_t *points_order(const geo_layer *pts)
{
    size_t n = pts->count;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    points_order_item *it = malloc((n ? n : 1) * sizeof *it);
    if (!order || !it) {
        free(order);
        free(it);
        return NULL;
    }
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    if (pts->kind == GEO_GEOM_POINT)
        for (size_t k = 0; k < n; k++)
            if (isfinite(pts->x[k]) && isfinite(pts->y[k])) {
                minx = fmin(minx, pts->x[k]);
                maxx = fmax(maxx, pts->x[k]);
                miny = fmin(miny, pts->y[k]);
                maxy = fmax(maxy, pts->y[k]);
            }
    double span = fmax(maxx - minx, maxy - miny);
    double scale = span > 0.0 ? 4294967295.0 / span : 0.0;
    for (size_t k = 0; k < n; k++) {
        it[k].k = k;
        it[k].key = 0;
        if (pts->kind == GEO_GEOM_POINT && isfinite(pts->x[k]) && isfinite(pts->y[k])) {
            uint32_t qx = (uint32_t)((pts->x[k] - minx) * scale);
            uint32_t qy = (uint32_t)((pts->y[k] - miny) * scale);
            it[k].key = 1 + ((points_spread(qx) | (points_spread(qy) << 1)) >> 1);
        }
    }
    if (fr_sort_parallel(it, n, sizeof *it, points_order_cmp, NULL) != FR_OK) {
        free(order);
        free(it);
        return NULL;
    }
    for (size_t k = 0; k < n; k++)
        order[k] = it[k].k;
    free(it);
    return order;
}

fr_status geo_match_points(const geo_parcel_index *ix, const geo_id_index *ids,
                           const geo_layer *points, int id_col, double tolerance_m,
                           geo_match *out, fr_error *err)
{
    geo_match_spec spec = {.steps = {GEO_MATCH_ID, GEO_MATCH_CONTAINS, GEO_MATCH_NEAREST},
                           .nsteps = 3, .ids = ids, .id_col = id_col, .address_col = -1,
                           .tolerance_m = tolerance_m};
    return geo_match_records(ix, points, &spec, out, err);
}

fr_status geo_match_records(const geo_parcel_index *ix, const geo_layer *points,
                            const geo_match_spec *spec, geo_match *out, fr_error *err)
{
    if (points->kind == GEO_GEOM_POLYGON)
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s': matching needs points, not polygons",
                            points->name);
    int id_col = spec->id_col, addr_col = spec->address_col;
    if (id_col >= 0 && ((size_t)id_col >= points->ncols ||
                        points->cols[id_col].type != GEO_COL_STRING || !spec->ids))
        return fr_error_set(err, FR_E_INTERNAL,
                            "layer '%s': id column %d is not a string column or no id index",
                            points->name, id_col);
    if (addr_col >= 0 && ((size_t)addr_col >= points->ncols || points->cols[addr_col].type != GEO_COL_STRING))
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s': address column %d is not a string column",
                            points->name, addr_col);
    if (spec->nsteps < 0 || spec->nsteps > GEO_MATCH_MAX_STEPS || spec->address_range < 0)
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s': invalid match steps", points->name);
    if (!(spec->tolerance_m >= 0.0) || isinf(spec->tolerance_m))
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s': invalid match tolerance %g",
                            points->name, spec->tolerance_m);

    int nt = geo_parcel_index_threads(ix);
    geo_join_common_err *errs = calloc((size_t)nt, sizeof *errs);
    size_t *order = points_order(points);
    if (!errs || !order) {
        free(errs);
        free(order);
        return fr_error_oom_while(err, "matching layer '%s'", points->name);
    }
    const long long n = (long long)points->count;

#pragma omp parallel num_threads(nt)
    {
        int tid = omp_get_thread_num();
        points_thread t = {0};
        t.ctx = &ix->slot[tid].ctx;
        t.tree = ix->tree;
        t.parcels = ix->parcels;
        geo_join_common_err_init(&errs[tid]);
#pragma omp for schedule(dynamic, 256)
        for (long long o = 0; o < n; o++) {
            size_t k = order[o];
            fr_error e;
            if (points_match_one(&t, points, spec, k, &out[k], &e) != FR_OK) {
                fr_error_prefix(&e, "matching feature fid %lld of layer '%s'",
                                (long long)points->fid[k], points->name);
                geo_join_common_err_keep(&errs[tid], k, &e);
            }
        }
        geo_join_common_cands_free(&t.cands);
        free(t.bd);
        free(t.order);
    }
    fr_status st = geo_join_common_err_merge(errs, nt, err);
    free(errs);
    free(order);
    return st;
}
