/*
 * test_join.c — the spatial and key joins of geo/join/join.h on hand-made
 * geometries: id lookup, point matching (inside, shared boundary, hole,
 * tolerance), radius counts (exact boundary, buckets, multipolygons, and a
 * brute-force GEOS cross-check), the hand-written point-to-polygon distance
 * against GEOSDistance_r, representative points, nearest targets, zones, and
 * identical results with 1 and 2 OpenMP threads; and homes given as points
 * through every join (nearest within the tolerance, never contains; beyond
 * it; the key join; radius counts, station and block group from the point).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geos_build.h"
#include "geos_ctx.h"
#include "join.h"
#include "layer.h"
#include "poly_distance.h"

/* ---- helpers ---------------------------------------------------------- */

/* cmocka 1.1.7 (Debian 12) has no assert_double_equal. */
#define assert_near(a, b, eps) assert_near_at((a), (b), (eps), #a, __FILE__, __LINE__)
static void assert_near_at(double a, double b, double eps, const char *what, const char *file,
                           int line)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("%s:%d: %s = %.17g, expected %.17g (+- %g)", file, line, what, a, b, eps);
}

static geo_layer *new_polys(const char *name)
{
    geo_layer *l = geo_layer_new(name, "test.gpkg", name, GEO_GEOM_POLYGON);
    assert_non_null(l);
    return l;
}

static size_t add_feature(geo_layer *l, int64_t fid)
{
    size_t i;
    assert_int_equal(geo_layer_add_feature(l, fid, &i, NULL), FR_OK);
    return i;
}

static void add_rect_ring(geo_layer *l, double x0, double y0, double x1, double y1, int shell)
{
    double xs[4] = {x0, x1, x1, x0}, ys[4] = {y0, y0, y1, y1};
    if (!shell) { /* holes clockwise, as they should be */
        double t = xs[1];
        xs[1] = xs[3];
        xs[3] = t;
        t = ys[1];
        ys[1] = ys[3];
        ys[3] = t;
    }
    assert_int_equal(geo_layer_add_ring(l, xs, ys, 4, shell, NULL), FR_OK);
}

static size_t add_square(geo_layer *l, int64_t fid, double x0, double y0, double x1, double y1)
{
    size_t i = add_feature(l, fid);
    add_rect_ring(l, x0, y0, x1, y1, 1);
    return i;
}

/* U shape: 0..30 wide, 0..30 high, a notch 10..20 x 10..30 open at the top.
 * Its centroid (15, ~12.9) falls in the notch, outside the polygon. */
static size_t add_u_shape(geo_layer *l, int64_t fid, double ox, double oy)
{
    double xs[8] = {0, 30, 30, 20, 20, 10, 10, 0}, ys[8] = {0, 0, 30, 30, 10, 10, 30, 30};
    for (int k = 0; k < 8; k++) {
        xs[k] += ox;
        ys[k] += oy;
    }
    size_t i = add_feature(l, fid);
    assert_int_equal(geo_layer_add_ring(l, xs, ys, 8, 1, NULL), FR_OK);
    return i;
}

static geo_layer *new_points(const char *name, int with_id, size_t *id_col)
{
    geo_layer *l = geo_layer_new(name, "test.csv", name, GEO_GEOM_POINT);
    assert_non_null(l);
    if (with_id)
        assert_int_equal(geo_layer_add_column(l, "parcel_id", "PIN", GEO_COL_STRING, id_col, NULL),
                         FR_OK);
    return l;
}

static size_t add_point(geo_layer *l, int64_t fid, double x, double y)
{
    size_t i = add_feature(l, fid);
    geo_layer_set_point(l, x, y);
    return i;
}

static size_t add_point_id(geo_layer *l, size_t col, int64_t fid, double x, double y, const char *id)
{
    size_t i = add_point(l, fid, x, y);
    assert_int_equal(geo_layer_set_string(l, col, i, id, NULL), FR_OK);
    return i;
}

/* Deterministic pseudo-random numbers (xorshift64*), no global state. */
static double rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* Two unit-ish squares side by side: 0 = [0,10]^2, 1 = [10,20]x[0,10]. */
static geo_layer *two_squares(int swapped)
{
    geo_layer *p = new_polys("parcels");
    if (!swapped) {
        add_square(p, 100, 0, 0, 10, 10);
        add_square(p, 101, 10, 0, 20, 10);
    } else {
        add_square(p, 100, 10, 0, 20, 10);
        add_square(p, 101, 0, 0, 10, 10);
    }
    return p;
}

static void match_all(const geo_layer *parcels, const geo_id_index *ids, const geo_layer *pts,
                      int id_col, double tol, geo_match *out)
{
    geo_parcel_index *ix = NULL;
    fr_error err;
    assert_int_equal(geo_parcel_index_new(parcels, &ix, &err), FR_OK);
    assert_int_equal(geo_match_points(ix, ids, pts, id_col, tol, out, &err), FR_OK);
    geo_parcel_index_free(ix);
}

/* ---- id index --------------------------------------------------------- */

/* n 10 m squares in a row, with parcel ids ids[k] in string column *col. */
static geo_layer *squares_with_ids(const char *const *ids, size_t n, size_t *col)
{
    geo_layer *p = new_polys("parcels");
    assert_int_equal(geo_layer_add_column(p, "parcel_id", "PIN", GEO_COL_STRING, col, NULL), FR_OK);
    for (size_t k = 0; k < n; k++) {
        add_square(p, (int64_t)k, (double)k * 10, 0, (double)k * 10 + 10, 10);
        assert_int_equal(geo_layer_set_string(p, *col, k, ids[k], NULL), FR_OK);
    }
    return p;
}

static void test_id_index_trims_and_reports_dups(void **state)
{
    (void)state;
    const char *ids[] = {"A", "B", " A ", "C", "B", NULL, "   ", "\tD\n"};
    size_t col;
    geo_layer *p = squares_with_ids(ids, 8, &col);
    geo_id_index *ix = NULL;
    size_t *dups = NULL, ndups = 0;
    fr_error err;
    assert_int_equal(geo_id_index_build(p, (int)col, &ix, &dups, &ndups, &err), FR_OK);
    assert_int_equal(ndups, 2);
    assert_int_equal(dups[0], 2); /* " A " repeats "A": the first keeps it */
    assert_int_equal(dups[1], 4);
    assert_int_equal(geo_id_index_find(ix, "A"), 0);
    assert_int_equal(geo_id_index_find(ix, "  B\t"), 1);
    assert_int_equal(geo_id_index_find(ix, "C"), 3);
    assert_int_equal(geo_id_index_find(ix, "D"), 7);
    assert_int_equal(geo_id_index_find(ix, "Z"), -1);
    assert_int_equal(geo_id_index_find(ix, ""), -1);
    assert_int_equal(geo_id_index_find(ix, "  "), -1);
    assert_int_equal(geo_id_index_find(ix, NULL), -1);
    assert_int_equal(geo_id_index_find(ix, "a"), -1); /* case matters */
    free(dups);
    geo_id_index_free(ix);
    geo_layer_free(p);
}

/* The normalised fallback: leading zeros, case and a number's zero
 * decimals do not matter; an id that normalises like two parcels' is
 * refused (ambiguous), whether both ids change when normalised ("0099",
 * "099") or one is normal already ("42" and "0042"; "X-1" and "x-1");
 * the exact lookup is unchanged. */
static void test_id_index_normalised_fallback(void **state)
{
    (void)state;
    const char *ids[] = {"13", "ab-7", "0042", "42", "000000001224", "0.5", "7.25", "0099", "099", "x-1", "X-1"};
    size_t col;
    geo_layer *p = squares_with_ids(ids, 11, &col);
    geo_id_index *ix = NULL;
    size_t *dups = NULL, ndups = 0;
    fr_error err;
    assert_int_equal(geo_id_index_build(p, (int)col, &ix, &dups, &ndups, &err), FR_OK);
    assert_int_equal(ndups, 0);
    int amb = -1;
    assert_int_equal(geo_id_index_find(ix, "0013"), -1); /* exact first: not found as written */
    assert_int_equal(geo_id_index_find_normalised(ix, "0013", &amb), 0);
    assert_int_equal(amb, 0);
    assert_int_equal(geo_id_index_find_normalised(ix, "13.0", &amb), 0);
    assert_int_equal(geo_id_index_find_normalised(ix, " 13.000 ", &amb), 0);
    assert_int_equal(geo_id_index_find_normalised(ix, "AB-7", &amb), 1);
    assert_int_equal(geo_id_index_find_normalised(ix, "1224", &amb), 4);
    assert_int_equal(geo_id_index_find_normalised(ix, "0.50", &amb), -1); /* 0.5 is not 0.50's integer form */
    assert_int_equal(geo_id_index_find_normalised(ix, "7.250", &amb), -1);
    assert_int_equal(geo_id_index_find_normalised(ix, "13.5", &amb), -1);
    assert_int_equal(geo_id_index_find_normalised(ix, "042", &amb), -1); /* "0042" and "42" */
    assert_int_equal(amb, 1);
    assert_int_equal(geo_id_index_find(ix, "42"), 3); /* exact still wins */
    assert_int_equal(geo_id_index_find_normalised(ix, "", &amb), -1);
    assert_int_equal(amb, 0);
    assert_int_equal(geo_id_index_find_normalised(ix, "99", &amb), -1); /* two ids that change */
    assert_int_equal(amb, 1);
    assert_int_equal(geo_id_index_find_normalised(ix, "x-1 ", &amb), -1); /* "X-1" as is, "x-1" changed */
    assert_int_equal(amb, 1);
    assert_int_equal(geo_id_index_find_normalised(ix, "0.500", &amb), -1);
    assert_int_equal(amb, 0);
    assert_int_equal(geo_id_index_find_normalised(ix, "0.5", &amb), 5); /* normal already: as is */
    assert_int_equal(amb, 0);
    free(dups);
    geo_id_index_free(ix);
    geo_layer_free(p);
}

/* geo_id_find_many answers as the index does (trimmed ids, exact, the
 * lowest index), by a scan on any number of threads: asked for ids
 * present, absent, repeated, blank and NULL. */
static void test_id_find_many_answers_as_the_index(void **state)
{
    (void)state;
    const char *ids[] = {"13", "ab-7", " 0042 ", "42", "x", "13 ", "", "P9"};
    size_t col;
    geo_layer *p = squares_with_ids(ids, 8, &col);
    geo_id_index *ix = NULL;
    size_t *dups = NULL, ndups = 0;
    fr_error err;
    assert_int_equal(geo_id_index_build(p, (int)col, &ix, &dups, &ndups, &err), FR_OK);
    const char *ask[] = {"13", " 42", "0042", "AB-7", "ab-7", "nope", "P9", "13", "", NULL, "x "};
    enum { NASK = sizeof ask / sizeof *ask };
    for (int threads = 1; threads <= 3; threads++) {
        omp_set_num_threads(threads);
        long got[NASK];
        assert_int_equal(geo_id_find_many(p, (int)col, ask, NASK, got, &err), FR_OK);
        for (size_t k = 0; k < NASK; k++) {
            long want = ask[k] ? (long)geo_id_index_find(ix, ask[k]) : -1;
            if (got[k] != want)
                fail_msg("%d threads, id '%s': %ld, the index says %ld", threads, ask[k] ? ask[k] : "(null)", got[k],
                         want);
        }
        assert_int_equal(got[0], 0); /* "13" and "13 " trim alike: the first keeps it */
        assert_int_equal(got[2], 2);
    }
    omp_set_num_threads(2);
    free(dups);
    geo_id_index_free(ix);
    geo_layer_free(p);
}

static void test_id_index_many(void **state)
{
    (void)state;
    geo_layer *p = new_polys("parcels");
    size_t col;
    assert_int_equal(geo_layer_add_column(p, "parcel_id", NULL, GEO_COL_STRING, &col, NULL), FR_OK);
    char buf[32];
    for (size_t k = 0; k < 5000; k++) {
        add_square(p, (int64_t)k, 0, 0, 1, 1);
        snprintf(buf, sizeof buf, "P-%zu", k % 4000); /* 1000 duplicates */
        assert_int_equal(geo_layer_set_string(p, col, k, buf, NULL), FR_OK);
    }
    geo_id_index *ix = NULL;
    size_t *dups = NULL, ndups = 0;
    assert_int_equal(geo_id_index_build(p, (int)col, &ix, &dups, &ndups, NULL), FR_OK);
    assert_int_equal(ndups, 1000);
    for (size_t d = 0; d < ndups; d++)
        assert_int_equal(dups[d], 4000 + d);
    for (size_t k = 0; k < 4000; k += 37) {
        snprintf(buf, sizeof buf, "P-%zu", k);
        assert_int_equal(geo_id_index_find(ix, buf), (int32_t)k);
    }
    /* the duplicates alone: the same ones */
    size_t *dups2 = NULL, ndups2 = 0;
    assert_int_equal(geo_id_duplicates(p, (int)col, &dups2, &ndups2, NULL, NULL), FR_OK);
    assert_int_equal(ndups2, ndups);
    assert_memory_equal(dups2, dups, ndups * sizeof *dups);
    free(dups2);
    free(dups);
    geo_id_index_free(ix);
    geo_layer_free(p);
}

/* The exact index of the duplicates check, completed for the join
 * (geo_id_index_complete): over the same layer it answers as a whole
 * build does, the normalised fallback included; once the layer has lost a
 * feature (as the study area or a failed reprojection drops parcels after
 * the check), its parcel numbers are stale and it is built anew, so that
 * the ids after the dropped parcel find their new places. */
static void test_id_index_completed_from_the_duplicates_check(void **state)
{
    (void)state;
    const char *ids[] = {"13", "ab-7", "0042", "X", "Y"};
    size_t col;
    geo_layer *p = squares_with_ids(ids, 5, &col);
    fr_error err;
    for (int dropped = 0; dropped < 2; dropped++) {
        geo_id_index *ix = NULL;
        size_t *dups = NULL, ndups = 0;
        assert_int_equal(geo_id_duplicates(p, (int)col, &dups, &ndups, &ix, &err), FR_OK);
        assert_int_equal(ndups, 0);
        assert_non_null(ix);
        assert_int_equal(geo_id_index_find(ix, "X"), 3 - dropped);
        if (dropped == 0) { /* the check's index is kept over the layer as it was */
            unsigned char keep[] = {1, 0, 1, 1, 1};
            geo_layer_compact(p, keep); /* "ab-7" leaves: X is 2, Y is 3 */
        }
        assert_int_equal(geo_id_index_complete(&ix, p, (int)col, &err), FR_OK);
        int amb = -1;
        assert_int_equal(geo_id_index_find(ix, "X"), 2);
        assert_int_equal(geo_id_index_find(ix, "Y"), 3);
        assert_int_equal(geo_id_index_find(ix, "ab-7"), -1);
        assert_int_equal(geo_id_index_find_normalised(ix, "42.0", &amb), 1);
        assert_int_equal(geo_id_index_find_normalised(ix, "x", &amb), 2);
        assert_int_equal(amb, 0);
        free(dups);
        geo_id_index_free(ix);
    }
    /* no index yet: built whole */
    geo_id_index *ix = NULL;
    assert_int_equal(geo_id_index_complete(&ix, p, (int)col, &err), FR_OK);
    assert_int_equal(geo_id_index_find(ix, "Y"), 3);
    geo_id_index_free(ix);
    geo_layer_free(p);
}

/* ---- point matching --------------------------------------------------- */

static void test_match_inside_and_shared_boundary(void **state)
{
    (void)state;
    for (int swapped = 0; swapped < 2; swapped++) {
        geo_layer *p = two_squares(swapped);
        geo_layer *pts = new_points("inspections", 0, NULL);
        add_point(pts, 1, 5, 5);   /* strictly inside the left square */
        add_point(pts, 2, 15, 5);  /* strictly inside the right square */
        add_point(pts, 3, 10, 5);  /* on the shared edge */
        add_point(pts, 4, 10, 10); /* on the shared corner */
        add_point(pts, 5, 0, 5);   /* on the outer boundary of the left square */
        geo_match m[5];
        match_all(p, NULL, pts, -1, 0.0, m);
        int32_t left = swapped ? 1 : 0, right = swapped ? 0 : 1;
        assert_int_equal(m[0].parcel, left);
        assert_int_equal(m[0].method, GEO_MATCH_CONTAINS);
        assert_int_equal(m[0].why, GEO_UNMATCHED_NONE);
        assert_true(m[0].distance_m == 0.0);
        assert_int_equal(m[1].parcel, right);
        assert_int_equal(m[2].parcel, 0); /* both contain it: lowest index */
        assert_int_equal(m[2].method, GEO_MATCH_CONTAINS);
        assert_int_equal(m[3].parcel, 0);
        assert_int_equal(m[4].parcel, left);
        assert_int_equal(m[4].method, GEO_MATCH_CONTAINS);
        geo_layer_free(pts);
        geo_layer_free(p);
    }
}

static void test_match_hole_tolerance_and_beyond(void **state)
{
    (void)state;
    geo_layer *p = new_polys("parcels");
    size_t i = add_feature(p, 7); /* [0,30]^2 with a hole [10,20]^2 */
    add_rect_ring(p, 0, 0, 30, 30, 1);
    add_rect_ring(p, 10, 10, 20, 20, 0);
    add_square(p, 8, 40, 0, 50, 10);
    (void)i;
    geo_layer *pts = new_points("inspections", 0, NULL);
    add_point(pts, 1, 15, 15);   /* in the hole, 5 from its edge */
    add_point(pts, 2, 35, 5);    /* 5 from both parcels: tie -> 0 */
    add_point(pts, 3, 53, 14);   /* 5 from parcel 1's corner (3-4-5) */
    add_point(pts, 4, 80, 5);    /* 30 from parcel 1: beyond 6, within 60 */
    add_point(pts, 5, 500, 500); /* beyond 10x the tolerance */
    add_point(pts, 6, 25, 25);   /* inside parcel 0 */
    geo_match m[6];

    match_all(p, NULL, pts, -1, 6.0, m);
    assert_int_equal(m[0].parcel, 0);
    assert_int_equal(m[0].method, GEO_MATCH_NEAREST);
    assert_near(m[0].distance_m, 5.0, 1e-12);
    assert_int_equal(m[1].parcel, 0);
    assert_int_equal(m[1].method, GEO_MATCH_NEAREST);
    assert_near(m[1].distance_m, 5.0, 1e-12);
    assert_int_equal(m[2].parcel, 1);
    assert_near(m[2].distance_m, 5.0, 1e-12);
    assert_int_equal(m[3].parcel, -1);
    assert_int_equal(m[3].method, GEO_MATCH_NONE);
    assert_int_equal(m[3].why, GEO_UNMATCHED_BEYOND_TOLERANCE);
    assert_near(m[3].distance_m, 30.0, 1e-12);
    assert_int_equal(m[4].parcel, -1);
    assert_int_equal(m[4].why, GEO_UNMATCHED_BEYOND_TOLERANCE);
    assert_true(isnan(m[4].distance_m));
    assert_int_equal(m[5].parcel, 0);
    assert_int_equal(m[5].method, GEO_MATCH_CONTAINS);

    /* Tolerance just below the distance: not matched, distance still told. */
    match_all(p, NULL, pts, -1, 4.999, m);
    assert_int_equal(m[0].parcel, -1); /* the hole is not part of the parcel */
    assert_int_equal(m[0].why, GEO_UNMATCHED_BEYOND_TOLERANCE);
    assert_near(m[0].distance_m, 5.0, 1e-12);
    assert_int_equal(m[2].parcel, -1);

    /* Tolerance 0: only containment. */
    match_all(p, NULL, pts, -1, 0.0, m);
    assert_int_equal(m[0].parcel, -1);
    assert_int_equal(m[0].why, GEO_UNMATCHED_BEYOND_TOLERANCE);
    assert_true(isnan(m[0].distance_m));
    assert_int_equal(m[5].parcel, 0);
    geo_layer_free(pts);
    geo_layer_free(p);
}

/* Quadrilaterals on a jittered grid at UTM-sized coordinates (no edge is
 * axis-aligned; neighbours share edges exactly), a few with a hole or
 * missing, and points: random, on shared vertices, on (or within rounding
 * of) shared edges, just outside the outer edge.  geo_match_points decides
 * most of them on the flat arrays and asks GEOS only near a ring; the answer
 * must be GEOS' own, computed here by brute force over every parcel:
 * lowest-index parcel that GEOSIntersects the point, else the nearest by
 * GEOSDistance within the tolerance (ties: lowest index). */
static void test_match_agrees_with_geos_brute_force(void **state)
{
    (void)state;
    enum { G = 14 };
    const double ox = 512345.0, oy = 4123456.0, cell = 17.0, tol = 4.0;
    double vx[G + 1][G + 1], vy[G + 1][G + 1];
    uint64_t s = 99;
    for (int r = 0; r <= G; r++)
        for (int c = 0; c <= G; c++) {
            vx[r][c] = ox + c * cell + r * 3.1 + (rnd(&s) - 0.5) * 6.0;
            vy[r][c] = oy + r * cell - c * 2.3 + (rnd(&s) - 0.5) * 6.0;
        }
    geo_layer *p = new_polys("parcels");
    for (int r = 0; r < G; r++)
        for (int c = 0; c < G; c++) {
            size_t i = add_feature(p, r * G + c);
            if ((r * G + c) % 23 == 22)
                continue; /* a parcel without geometry */
            double xs[4] = {vx[r][c], vx[r][c + 1], vx[r + 1][c + 1], vx[r + 1][c]};
            double ys[4] = {vy[r][c], vy[r][c + 1], vy[r + 1][c + 1], vy[r + 1][c]};
            assert_int_equal(geo_layer_add_ring(p, xs, ys, 4, 1, NULL), FR_OK);
            if ((r * G + c) % 9 == 4) { /* a hole around the middle, clockwise */
                double mx = (xs[0] + xs[1] + xs[2] + xs[3]) / 4, my = (ys[0] + ys[1] + ys[2] + ys[3]) / 4;
                double hx[4] = {mx - 2, mx - 2.5, mx + 2, mx + 2.5}, hy[4] = {my - 2, my + 2, my + 2.5, my - 2};
                assert_int_equal(geo_layer_add_ring(p, hx, hy, 4, 0, NULL), FR_OK);
            }
            (void)i;
        }
    geo_layer *pts = new_points("incidents", 0, NULL);
    for (int k = 0; k < 1500; k++) /* anywhere, including beyond the city */
        add_point(pts, k, ox - 30 + rnd(&s) * (G * cell + 90), oy - 60 + rnd(&s) * (G * cell + 90));
    for (int k = 0; k < 300; k++) { /* shared vertices and points along shared edges */
        int r = 1 + (int)(rnd(&s) * (G - 1)), c = 1 + (int)(rnd(&s) * (G - 1));
        double t = k % 3 == 0 ? 0.0 : rnd(&s);
        add_point(pts, 2000 + k, vx[r][c] + t * (vx[r][c + 1] - vx[r][c]), vy[r][c] + t * (vy[r][c + 1] - vy[r][c]));
    }
    for (int k = 0; k < 100; k++) /* just outside the bottom edge, within and beyond the tolerance */
        add_point(pts, 3000 + k, vx[0][k % G] + 5.0, vy[0][k % G] - 0.5 - (k % 10) * 0.6);

    geo_match *m = malloc(pts->count * sizeof *m);
    match_all(p, NULL, pts, -1, tol, m);

    geo_geos_ctx c;
    assert_int_equal(geo_geos_ctx_init(&c, NULL), FR_OK);
    GEOSGeometry **poly = calloc(p->count, sizeof *poly);
    for (size_t i = 0; i < p->count; i++)
        assert_int_equal(geo_geos_build_polygon(&c, p, i, &poly[i], NULL), FR_OK);
    size_t contains = 0, nearest = 0, none = 0, on_edge = 0;
    for (size_t k = 0; k < pts->count; k++) {
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(c.h, pts->x[k], pts->y[k]);
        int32_t want = -1, hits = 0;
        for (size_t i = 0; i < p->count; i++)
            if (poly[i] && GEOSIntersects_r(c.h, poly[i], pt) == 1) {
                if (want < 0)
                    want = (int32_t)i;
                hits++;
            }
        double best = INFINITY;
        if (want < 0)
            for (size_t i = 0; i < p->count; i++) {
                double d;
                if (poly[i] && GEOSDistance_r(c.h, poly[i], pt, &d) && d <= tol && d < best) {
                    best = d;
                    want = (int32_t)i;
                }
            }
        GEOSGeom_destroy_r(c.h, pt);
        if (m[k].parcel != want)
            fail_msg("point %zu (%.9f, %.9f): parcel %d, GEOS says %d", k, pts->x[k], pts->y[k],
                     m[k].parcel, want);
        if (want >= 0 && isfinite(best)) {
            assert_int_equal(m[k].method, GEO_MATCH_NEAREST);
            assert_true(m[k].distance_m == best); /* the same value, not just close */
            nearest++;
        } else if (want >= 0) {
            assert_int_equal(m[k].method, GEO_MATCH_CONTAINS);
            contains++;
            on_edge += hits > 1;
        } else {
            assert_int_equal(m[k].method, GEO_MATCH_NONE);
            none++;
        }
    }
    /* every case occurs: inside, on a shared edge or vertex, near, beyond */
    assert_true(contains > 1000 && on_edge > 50 && nearest > 30 && none > 30);
    for (size_t i = 0; i < p->count; i++)
        if (poly[i])
            GEOSGeom_destroy_r(c.h, poly[i]);
    free(poly);
    geo_geos_ctx_finish(&c);
    free(m);
    geo_layer_free(pts);
    geo_layer_free(p);
}

static void test_match_ids(void **state)
{
    (void)state;
    geo_layer *p = two_squares(0);
    size_t pcol;
    /* columns must come before features: rebuild with an id column */
    geo_layer_free(p);
    p = new_polys("parcels");
    assert_int_equal(geo_layer_add_column(p, "parcel_id", "PIN", GEO_COL_STRING, &pcol, NULL), FR_OK);
    add_square(p, 100, 0, 0, 10, 10);
    add_square(p, 101, 10, 0, 20, 10);
    assert_int_equal(geo_layer_set_string(p, pcol, 0, "P-0", NULL), FR_OK);
    assert_int_equal(geo_layer_set_string(p, pcol, 1, "P-1", NULL), FR_OK);
    geo_id_index *ids = NULL;
    size_t *dups = NULL, ndups = 0;
    assert_int_equal(geo_id_index_build(p, (int)pcol, &ids, &dups, &ndups, NULL), FR_OK);
    assert_int_equal(ndups, 0);
    assert_null(dups);

    size_t col;
    geo_layer *pts = new_points("incidents", 1, &col);
    add_point_id(pts, col, 1, 15, 5, "P-0");       /* id beats the geometry */
    add_point_id(pts, col, 2, NAN, NAN, " P-1\t"); /* trimmed id, no point */
    add_point_id(pts, col, 3, NAN, NAN, "P-9");    /* unknown id, no point */
    add_point_id(pts, col, 4, NAN, NAN, NULL);     /* nothing at all */
    add_point_id(pts, col, 5, NAN, NAN, "   ");    /* blank id = no id */
    add_point_id(pts, col, 6, 15, 5, "P-9");       /* unknown id, point inside */
    add_point_id(pts, col, 7, 25, 5, "P-9");       /* unknown id, point beyond */
    geo_match m[7];
    match_all(p, ids, pts, (int)col, 1.0, m);
    assert_int_equal(m[0].parcel, 0);
    assert_int_equal(m[0].method, GEO_MATCH_ID);
    assert_true(isnan(m[0].distance_m));
    assert_int_equal(m[1].parcel, 1);
    assert_int_equal(m[1].method, GEO_MATCH_ID);
    assert_int_equal(m[2].parcel, -1);
    assert_int_equal(m[2].why, GEO_UNMATCHED_UNKNOWN_ID);
    assert_true(isnan(m[2].distance_m));
    assert_int_equal(m[3].why, GEO_UNMATCHED_NO_ID_NO_POINT);
    assert_int_equal(m[4].why, GEO_UNMATCHED_NO_ID_NO_POINT);
    assert_int_equal(m[5].parcel, 1);
    assert_int_equal(m[5].method, GEO_MATCH_CONTAINS);
    assert_int_equal(m[6].parcel, -1);
    assert_int_equal(m[6].why, GEO_UNMATCHED_BEYOND_TOLERANCE);
    assert_near(m[6].distance_m, 5.0, 1e-12);

    /* Without an id column the id is ignored. */
    match_all(p, NULL, pts, -1, 1.0, m);
    assert_int_equal(m[0].parcel, 1);
    assert_int_equal(m[0].method, GEO_MATCH_CONTAINS);
    assert_int_equal(m[2].why, GEO_UNMATCHED_NO_ID_NO_POINT);

    /* An attribute-only layer: ids only. */
    size_t ncol;
    geo_layer *table = geo_layer_new("permits", "permits.csv", NULL, GEO_GEOM_NONE);
    assert_int_equal(geo_layer_add_column(table, "parcel_id", NULL, GEO_COL_STRING, &ncol, NULL), FR_OK);
    add_feature(table, 1);
    assert_int_equal(geo_layer_set_string(table, ncol, 0, "P-1", NULL), FR_OK);
    add_feature(table, 2);
    assert_int_equal(geo_layer_set_string(table, ncol, 1, "nope", NULL), FR_OK);
    match_all(p, ids, table, (int)ncol, 1.0, m);
    assert_int_equal(m[0].parcel, 1);
    assert_int_equal(m[1].why, GEO_UNMATCHED_UNKNOWN_ID);

    geo_layer_free(table);
    geo_layer_free(pts);
    geo_id_index_free(ids);
    geo_layer_free(p);
}

static void test_match_bad_parcel_names_layer_and_fid(void **state)
{
    (void)state;
    geo_layer *p = new_polys("parcels");
    add_square(p, 100, 0, 0, 10, 10);
    size_t i = add_feature(p, 4242);
    double xs[2] = {20, 30}, ys[2] = {0, 10}; /* closed to 3 points: no ring */
    assert_int_equal(geo_layer_add_ring(p, xs, ys, 2, 1, NULL), FR_OK);
    (void)i;
    geo_layer *pts = new_points("inspections", 0, NULL);
    add_point(pts, 1, 5, 5);   /* fine: parcel 0 */
    add_point(pts, 77, 25, 5); /* hits the broken parcel's envelope */
    geo_match m[2];
    geo_parcel_index *ix = NULL;
    fr_error err;
    assert_int_equal(geo_parcel_index_new(p, &ix, &err), FR_OK);
    assert_int_equal(geo_match_points(ix, NULL, pts, -1, 1.0, m, &err), FR_E_INPUT);
    assert_non_null(strstr(err.message, "parcels"));
    assert_non_null(strstr(err.message, "4242"));
    assert_non_null(strstr(err.message, "fid 77"));
    assert_int_equal(m[0].parcel, 0);
    geo_parcel_index_free(ix);

    double rx[2], ry[2];
    assert_int_equal(geo_representative_points(p, rx, ry, &err), FR_E_INPUT);
    assert_non_null(strstr(err.message, "4242"));

    geo_layer_free(pts);
    geo_layer_free(p);
}

static void test_empty_layers(void **state)
{
    (void)state;
    geo_layer *p = new_polys("parcels");
    geo_layer *pts = new_points("inspections", 0, NULL);
    add_point(pts, 1, 5, 5);
    geo_match m[1];
    match_all(p, NULL, pts, -1, 10.0, m); /* no parcels at all */
    assert_int_equal(m[0].parcel, -1);
    assert_int_equal(m[0].why, GEO_UNMATCHED_BEYOND_TOLERANCE);
    assert_true(isnan(m[0].distance_m));

    add_square(p, 1, 0, 0, 10, 10);
    geo_layer *none = new_points("incidents", 0, NULL);
    geo_parcel_index *ix = NULL;
    assert_int_equal(geo_parcel_index_new(p, &ix, NULL), FR_OK);
    uint32_t c[2] = {7, 7};
    assert_int_equal(geo_count_within(ix, none, NULL, 2, 100.0, c, NULL), FR_OK);
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 0);
    geo_parcel_index_free(ix);

    geo_layer *z = new_polys("zones");
    double x = 5, y = 5;
    int32_t zone = 7;
    assert_int_equal(geo_assign_zones(&x, &y, 1, z, &zone, NULL), FR_OK);
    assert_int_equal(zone, -1);
    /* wrong layer kinds are refused */
    fr_error err;
    assert_int_equal(geo_assign_zones(&x, &y, 1, pts, &zone, &err), FR_E_INTERNAL);
    geo_layer *table = geo_layer_new("parcels", "t.csv", NULL, GEO_GEOM_NONE); /* points are homes too */
    assert_int_equal(geo_parcel_index_new(table, &ix, &err), FR_E_INTERNAL);
    geo_layer_free(table);
    geo_layer_free(z);
    geo_layer_free(none);
    geo_layer_free(pts);
    geo_layer_free(p);
}

/* ---- GEOS building and the hand-written distance ---------------------- */

static geo_layer *distance_shapes(void)
{
    geo_layer *p = new_polys("shapes");
    add_u_shape(p, 1, 0, 0);
    size_t i = add_feature(p, 2); /* square with two holes */
    add_rect_ring(p, 100, 0, 160, 40, 1);
    add_rect_ring(p, 110, 10, 120, 20, 0);
    add_rect_ring(p, 130, 10, 150, 30, 0);
    i = add_feature(p, 3); /* multipolygon: a holed square and a triangle */
    add_rect_ring(p, 200, 0, 240, 40, 1);
    add_rect_ring(p, 210, 10, 230, 30, 0);
    double tx[3] = {260, 300, 270}, ty[3] = {0, 5, 45};
    assert_int_equal(geo_layer_add_ring(p, tx, ty, 3, 1, NULL), FR_OK);
    add_rect_ring(p, 220, 15, 225, 20, 1); /* an island inside the hole */
    (void)i;
    return p;
}

static void test_geos_build_areas(void **state)
{
    (void)state;
    geo_layer *p = distance_shapes();
    geo_geos_ctx c;
    assert_int_equal(geo_geos_ctx_init(&c, NULL), FR_OK);
    double want[3] = {30 * 30 - 10 * 20, 60 * 40 - 100 - 400,
                      40 * 40 - 20 * 20 + 875.0 /* triangle */ + 25};
    int want_type[3] = {GEOS_POLYGON, GEOS_POLYGON, GEOS_MULTIPOLYGON};
    for (size_t i = 0; i < 3; i++) {
        GEOSGeometry *g = NULL;
        assert_int_equal(geo_geos_build_polygon(&c, p, i, &g, NULL), FR_OK);
        assert_non_null(g);
        double a;
        assert_true(GEOSArea_r(c.h, g, &a));
        assert_near(a, want[i], 1e-9);
        assert_int_equal(GEOSGeomTypeId_r(c.h, g), want_type[i]);
        assert_int_equal(GEOSisValid_r(c.h, g), 1);
        GEOSGeom_destroy_r(c.h, g);
    }
    geo_geos_ctx_finish(&c);
    geo_layer_free(p);
}

static void test_poly_distance_agrees_with_geos(void **state)
{
    (void)state;
    geo_layer *p = distance_shapes();
    geo_geos_ctx c;
    assert_int_equal(geo_geos_ctx_init(&c, NULL), FR_OK);
    uint64_t s = 42;
    size_t checked = 0, inside = 0;
    for (size_t i = 0; i < p->count; i++) {
        GEOSGeometry *g = NULL;
        assert_int_equal(geo_geos_build_polygon(&c, p, i, &g, NULL), FR_OK);
        const double *b = &p->bbox[4 * i];
        for (int k = 0; k < 3000; k++) {
            double x = b[0] - 15 + rnd(&s) * (b[2] - b[0] + 30);
            double y = b[1] - 15 + rnd(&s) * (b[3] - b[1] + 30);
            if (k % 10 == 0) { /* exactly on a vertex or an edge */
                size_t v = p->pt_start[p->ring_start[i]] + (size_t)k % 3;
                x = p->px[v];
                y = p->py[v] + (k % 20 == 0 ? 0.0 : 0.25 * (p->py[v + 1] - p->py[v]));
                x += k % 20 == 0 ? 0.0 : 0.25 * (p->px[v + 1] - p->px[v]);
            }
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(c.h, x, y);
            double want;
            assert_true(GEOSDistance_r(c.h, g, pt, &want));
            double got = geo_poly_distance_point(p, i, x, y);
            if (fabs(got - want) > 1e-9)
                fail_msg("feature %zu point (%.17g, %.17g): %.17g, GEOS %.17g", i, x, y, got, want);
            /* within() must agree with the distance, also exactly at it */
            if (want > 0) {
                assert_true(geo_poly_distance_within(p, i, x, y, want));
                assert_false(geo_poly_distance_within(p, i, x, y, want * (1 - 1e-6)));
            } else {
                assert_true(geo_poly_distance_within(p, i, x, y, 0.0));
                inside++;
            }
            GEOSGeom_destroy_r(c.h, pt);
            checked++;
        }
        GEOSGeom_destroy_r(c.h, g);
    }
    assert_int_equal(checked, 9000);
    assert_true(inside > 1000); /* the sample really covers the insides */
    geo_geos_ctx_finish(&c);
    geo_layer_free(p);
}

/* ---- radius counts ---------------------------------------------------- */

static void test_count_within_boundaries_and_buckets(void **state)
{
    (void)state;
    geo_layer *p = new_polys("parcels");
    add_square(p, 1, 0, 0, 10, 10);
    size_t i = add_feature(p, 2); /* multipolygon far right */
    add_rect_ring(p, 100, 0, 110, 10, 1);
    add_rect_ring(p, 200, 0, 210, 10, 1);
    i = add_feature(p, 3); /* holed square [300,330]^2, hole [310,320]^2 */
    add_rect_ring(p, 300, 300, 330, 330, 1);
    add_rect_ring(p, 310, 310, 320, 320, 0);
    add_feature(p, 4); /* no geometry */
    (void)i;

    geo_layer *pts = new_points("incidents", 0, NULL);
    add_point(pts, 1, 15, 5);           /* exactly 5 from parcel 0 */
    add_point(pts, 2, 15.000001, 5);    /* just beyond */
    add_point(pts, 3, 13, 14);          /* 3-4-5 from the corner: exactly 5 */
    add_point(pts, 4, 13, 14.0001);     /* just beyond */
    add_point(pts, 5, 5, 5);            /* inside */
    add_point(pts, 6, 215, 5);          /* 5 from the second part */
    add_point(pts, 7, 150, 5);          /* between the parts, 40 from both */
    add_point(pts, 8, 315, 315);        /* in the hole: 5 from its edge */
    add_point(pts, 9, 5, 5);            /* inside, skipped bucket */
    add_point(pts, 10, NAN, NAN);       /* no geometry */
    add_point(pts, 11, 5, 14.5);        /* 4.5 from parcel 0, bucket 1 */
    int8_t bucket[11] = {0, 0, 0, 0, 1, 1, 0, 1, -1, 0, 1};

    geo_parcel_index *ix = NULL;
    fr_error err;
    assert_int_equal(geo_parcel_index_new(p, &ix, &err), FR_OK);
    uint32_t counts[4 * 2];
    memset(counts, 0xAB, sizeof counts);
    assert_int_equal(geo_count_within(ix, pts, bucket, 2, 5.0, counts, &err), FR_OK);
    assert_int_equal(counts[0 * 2 + 0], 2); /* points 1 and 3 */
    assert_int_equal(counts[0 * 2 + 1], 2); /* points 5 and 11 */
    assert_int_equal(counts[1 * 2 + 0], 0);
    assert_int_equal(counts[1 * 2 + 1], 1); /* point 6 */
    assert_int_equal(counts[2 * 2 + 0], 0);
    assert_int_equal(counts[2 * 2 + 1], 1); /* point 8, at exactly 5 */
    assert_int_equal(counts[3 * 2 + 0], 0); /* no geometry: zeros written */
    assert_int_equal(counts[3 * 2 + 1], 0);

    /* Just under the radius the boundary points drop out. */
    assert_int_equal(geo_count_within(ix, pts, bucket, 2, 4.9999, counts, &err), FR_OK);
    assert_int_equal(counts[0], 0);
    assert_int_equal(counts[1], 2);
    assert_int_equal(counts[3], 0);
    assert_int_equal(counts[5], 0);

    /* Radius 0: only points in or on a parcel; NULL buckets = all in 0. */
    uint32_t c1[4];
    assert_int_equal(geo_count_within(ix, pts, NULL, 1, 0.0, c1, &err), FR_OK);
    assert_int_equal(c1[0], 2); /* points 5 and 9 */
    assert_int_equal(c1[1], 0);
    assert_int_equal(c1[2], 0);

    /* A large radius: 40 reaches point 7 from both parts, counted once. */
    assert_int_equal(geo_count_within(ix, pts, NULL, 1, 40.0, c1, &err), FR_OK);
    assert_int_equal(c1[1], 2); /* points 6 and 7 */

    /* Bad bucket values are refused. */
    bucket[0] = 2;
    assert_int_equal(geo_count_within(ix, pts, bucket, 2, 5.0, counts, &err), FR_E_INTERNAL);
    geo_parcel_index_free(ix);
    geo_layer_free(pts);
    geo_layer_free(p);
}

/* A grid of parcels, some squares, some U shapes, some holed, some
 * multipolygons, with no geometry now and then. */
static geo_layer *mixed_grid(int n, double size, size_t *id_col)
{
    geo_layer *p = new_polys("parcels");
    if (id_col)
        assert_int_equal(geo_layer_add_column(p, "parcel_id", NULL, GEO_COL_STRING, id_col, NULL),
                         FR_OK);
    char buf[32];
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) {
            double x = c * size, y = r * size;
            int64_t fid = r * n + c;
            size_t i;
            switch (fid % 7) {
            case 3: {
                i = add_feature(p, fid);
                double s = size / 30.0;
                double xs[8] = {0, 30, 30, 20, 20, 10, 10, 0}, ys[8] = {0, 0, 30, 30, 10, 10, 30, 30};
                for (int k = 0; k < 8; k++) {
                    xs[k] = x + xs[k] * s;
                    ys[k] = y + ys[k] * s;
                }
                assert_int_equal(geo_layer_add_ring(p, xs, ys, 8, 1, NULL), FR_OK);
                break;
            }
            case 5:
                i = add_feature(p, fid);
                add_rect_ring(p, x, y, x + size, y + size, 1);
                add_rect_ring(p, x + size * 0.3, y + size * 0.3, x + size * 0.7, y + size * 0.7, 0);
                break;
            case 6:
                i = add_feature(p, fid);
                add_rect_ring(p, x, y, x + size * 0.4, y + size, 1);
                add_rect_ring(p, x + size * 0.6, y, x + size, y + size, 1);
                break;
            default:
                if (fid % 97 == 0) {
                    i = add_feature(p, fid); /* no geometry */
                    break;
                }
                i = add_square(p, fid, x, y, x + size, y + size);
            }
            if (id_col) {
                snprintf(buf, sizeof buf, "ID%lld", (long long)fid);
                assert_int_equal(geo_layer_set_string(p, *id_col, i, buf, NULL), FR_OK);
            }
        }
    return p;
}

static void test_count_within_matches_geos_brute_force(void **state)
{
    (void)state;
    geo_layer *p = mixed_grid(12, 20.0, NULL); /* 240 m x 240 m */
    geo_layer *pts = new_points("incidents", 0, NULL);
    uint64_t s = 7;
    for (int k = 0; k < 600; k++)
        add_point(pts, k, -40 + rnd(&s) * 320, -40 + rnd(&s) * 320);
    /* points exactly on parcel corners and edges */
    for (int k = 0; k < 50; k++)
        add_point(pts, 1000 + k, (k % 13) * 20.0, (k % 11) * 20.0 + (k % 2) * 7.0);
    int8_t *bucket = malloc(pts->count);
    for (size_t k = 0; k < pts->count; k++)
        bucket[k] = (int8_t)(k % 4 == 3 ? -1 : (int)(k % 3));
    const double radius = 25.0;

    geo_parcel_index *ix = NULL;
    assert_int_equal(geo_parcel_index_new(p, &ix, NULL), FR_OK);
    uint32_t *counts = malloc(p->count * 3 * sizeof *counts);
    assert_int_equal(geo_count_within(ix, pts, bucket, 3, radius, counts, NULL), FR_OK);

    geo_geos_ctx c;
    assert_int_equal(geo_geos_ctx_init(&c, NULL), FR_OK);
    uint32_t total = 0;
    for (size_t i = 0; i < p->count; i++) {
        uint32_t want[3] = {0, 0, 0};
        GEOSGeometry *g = NULL;
        assert_int_equal(geo_geos_build_polygon(&c, p, i, &g, NULL), FR_OK);
        for (size_t k = 0; g && k < pts->count; k++) {
            if (bucket[k] < 0)
                continue;
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(c.h, pts->x[k], pts->y[k]);
            double d;
            assert_true(GEOSDistance_r(c.h, g, pt, &d));
            if (d <= radius)
                want[bucket[k]]++;
            GEOSGeom_destroy_r(c.h, pt);
        }
        if (g)
            GEOSGeom_destroy_r(c.h, g);
        for (int b = 0; b < 3; b++) {
            if (counts[i * 3 + (size_t)b] != want[b])
                fail_msg("parcel %zu bucket %d: %u, GEOS says %u", i, b, counts[i * 3 + (size_t)b],
                         want[b]);
            total += want[b];
        }
    }
    assert_true(total > 1000); /* a meaningful sample */
    geo_geos_ctx_finish(&c);

    /* a few rows only (changes.csv's "then"): those rows as above, the
     * others not written */
    uint8_t *only = calloc(p->count, 1);
    for (size_t i = 0; i < p->count; i += 7)
        only[i] = 1;
    uint32_t *some = malloc(p->count * 3 * sizeof *some);
    memset(some, 0xab, p->count * 3 * sizeof *some);
    assert_int_equal(geo_count_within_rows(ix, pts, bucket, 3, radius, only, some, NULL), FR_OK);
    uint32_t seen = 0;
    for (size_t i = 0; i < p->count; i++)
        for (size_t b = 0; b < 3; b++) {
            if (only[i])
                assert_int_equal(some[i * 3 + b], counts[i * 3 + b]), seen += counts[i * 3 + b];
            else
                assert_int_equal(some[i * 3 + b], 0xabababab);
        }
    assert_true(seen > 100);
    free(only);
    free(some);
    free(counts);
    free(bucket);
    geo_parcel_index_free(ix);
    geo_layer_free(pts);
    geo_layer_free(p);
}

/* ---- representative points, nearest targets, zones -------------------- */

static void test_representative_point_in_concave_polygon(void **state)
{
    (void)state;
    geo_layer *p = new_polys("parcels");
    add_u_shape(p, 1, 1000, 2000);
    add_feature(p, 2); /* no geometry */
    size_t i = add_feature(p, 3);
    add_rect_ring(p, 0, 0, 30, 30, 1);
    add_rect_ring(p, 5, 5, 25, 25, 0); /* a thin frame: the centre is the hole */
    (void)i;
    double rx[3], ry[3];
    fr_error err;
    assert_int_equal(geo_representative_points(p, rx, ry, &err), FR_OK);

    /* The centroid of the U lies outside it: the check below means something. */
    geo_geos_ctx c;
    assert_int_equal(geo_geos_ctx_init(&c, NULL), FR_OK);
    GEOSGeometry *g = NULL;
    assert_int_equal(geo_geos_build_polygon(&c, p, 0, &g, NULL), FR_OK);
    GEOSGeometry *cen = GEOSGetCentroid_r(c.h, g);
    assert_int_equal(GEOSIntersects_r(c.h, g, cen), 0);
    GEOSGeom_destroy_r(c.h, cen);
    GEOSGeom_destroy_r(c.h, g);
    geo_geos_ctx_finish(&c);

    assert_true(geo_poly_distance_point(p, 0, rx[0], ry[0]) == 0.0);
    assert_true(rx[0] > 1000 && rx[0] < 1030 && ry[0] > 2000 && ry[0] < 2030);
    assert_true(isnan(rx[1]) && isnan(ry[1]));
    assert_true(geo_poly_distance_point(p, 2, rx[2], ry[2]) == 0.0);
    geo_layer_free(p);
}

static void test_nearest_target_ties_and_missing(void **state)
{
    (void)state;
    geo_layer *t = new_points("stations", 0, NULL);
    add_point(t, 1, 10, 0);
    add_point(t, 2, NAN, NAN); /* a station without a location */
    add_point(t, 3, 0, 0);
    add_point(t, 4, 0, 10);
    double qx[4] = {5, 1, NAN, 5}, qy[4] = {0, 9, 0, 5};
    double d[4];
    int32_t ix[4];
    assert_int_equal(geo_nearest_target(qx, qy, 4, t, d, ix, NULL), FR_OK);
    assert_int_equal(ix[0], 0); /* 5 from targets 0 and 2: lowest index */
    assert_near(d[0], 5.0, 0);
    assert_int_equal(ix[1], 3);
    assert_near(d[1], sqrt(2.0), 1e-15);
    assert_int_equal(ix[2], -1);
    assert_true(isnan(d[2]));
    assert_int_equal(ix[3], 0); /* equidistant from 0, 2 and 3 */

    geo_layer *none = new_points("stations", 0, NULL);
    assert_int_equal(geo_nearest_target(qx, qy, 4, none, d, ix, NULL), FR_OK);
    assert_int_equal(ix[0], -1);
    assert_true(isnan(d[0]));
    geo_layer_free(none);
    geo_layer_free(t);
}

static void test_nearest_target_many_targets_match_brute_force(void **state)
{
    (void)state;
    /* Over 1000 targets: the grid path; duplicates make ties. */
    geo_layer *t = new_points("hydrants", 0, NULL);
    uint64_t s = 99;
    for (int k = 0; k < 3000; k++) {
        if (k % 10 == 9) { /* a copy of an earlier target */
            add_point(t, k, t->x[k / 2], t->y[k / 2]);
            continue;
        }
        add_point(t, k, floor(rnd(&s) * 1000), floor(rnd(&s) * 500));
    }
    const size_t n = 4000;
    double *qx = malloc(n * sizeof *qx), *qy = malloc(n * sizeof *qy);
    for (size_t i = 0; i < n; i++) {
        qx[i] = floor(-300 + rnd(&s) * 1600);
        qy[i] = floor(-300 + rnd(&s) * 1100);
    }
    qx[0] = 1e6; /* far away */
    qy[0] = -1e6;
    double *d = malloc(n * sizeof *d);
    int32_t *ix = malloc(n * sizeof *ix);
    assert_int_equal(geo_nearest_target(qx, qy, n, t, d, ix, NULL), FR_OK);
    for (size_t i = 0; i < n; i++) {
        double best = INFINITY;
        int32_t bj = -1;
        for (size_t j = 0; j < t->count; j++) {
            double dx = t->x[j] - qx[i], dy = t->y[j] - qy[i];
            double dd = sqrt(dx * dx + dy * dy);
            if (dd < best) {
                best = dd;
                bj = (int32_t)j;
            }
        }
        if (ix[i] != bj || d[i] != best)
            fail_msg("query %zu: got %d (%.17g), want %d (%.17g)", i, ix[i], d[i], bj, best);
    }
    free(qx);
    free(qy);
    free(d);
    free(ix);
    geo_layer_free(t);
}

static void test_zones_overlap_hole_and_outside(void **state)
{
    (void)state;
    geo_layer *z = new_polys("block_groups");
    add_square(z, 10, 0, 0, 100, 100);
    add_square(z, 11, 50, 0, 150, 100); /* overlaps zone 0 */
    size_t i = add_feature(z, 12);
    add_rect_ring(z, 200, 0, 300, 100, 1);
    add_rect_ring(z, 240, 40, 260, 60, 0);
    add_feature(z, 13); /* no geometry */
    (void)i;
    double x[8] = {25, 75, 125, 100, 175, 250, 200, NAN};
    double y[8] = {50, 50, 50, 50, 50, 50, 50, NAN};
    int32_t zone[8];
    fr_error err;
    assert_int_equal(geo_assign_zones(x, y, 8, z, zone, &err), FR_OK);
    assert_int_equal(zone[0], 0);
    assert_int_equal(zone[1], 0);  /* in both: lowest index */
    assert_int_equal(zone[2], 1);
    assert_int_equal(zone[3], 0);  /* on zone 0's edge, inside zone 1 */
    assert_int_equal(zone[4], -1); /* between zones */
    assert_int_equal(zone[5], -1); /* in the hole */
    assert_int_equal(zone[6], 2);  /* on the outer boundary */
    assert_int_equal(zone[7], -1);
    geo_layer_free(z);

    /* The same overlap with the right-hand zone first: still lowest index. */
    z = new_polys("block_groups");
    add_square(z, 20, 50, 0, 150, 100);
    add_square(z, 21, 0, 0, 100, 100);
    assert_int_equal(geo_assign_zones(x, y, 5, z, zone, &err), FR_OK);
    assert_int_equal(zone[0], 1);
    assert_int_equal(zone[1], 0);
    assert_int_equal(zone[2], 0);
    assert_int_equal(zone[3], 0);
    assert_int_equal(zone[4], -1);
    geo_layer_free(z);
}

/* ---- determinism across thread counts --------------------------------- */

typedef struct {
    geo_match *m;
    uint32_t *counts;
    double *rx, *ry, *d;
    int32_t *near, *zone;
} run_out;

static void run_everything(int threads, const geo_layer *p, const geo_id_index *ids,
                           const geo_layer *pts, int id_col, const int8_t *bucket,
                           const geo_layer *stations, const geo_layer *zones, run_out *o)
{
    omp_set_num_threads(threads);
    o->m = malloc(pts->count * sizeof *o->m);
    o->counts = malloc(p->count * 2 * sizeof *o->counts);
    o->rx = malloc(p->count * sizeof *o->rx);
    o->ry = malloc(p->count * sizeof *o->ry);
    o->d = malloc(p->count * sizeof *o->d);
    o->near = malloc(p->count * sizeof *o->near);
    o->zone = malloc(p->count * sizeof *o->zone);
    geo_parcel_index *ix = NULL;
    fr_error err;
    /* One thread: the three builds one by one; more: geo_parcel_prepare,
     * which must give the same index, ids and points. */
    geo_id_index *own_ids = NULL;
    if (threads == 1) {
        assert_int_equal(geo_parcel_index_new(p, &ix, &err), FR_OK);
        assert_int_equal(geo_representative_points(p, o->rx, o->ry, &err), FR_OK);
    } else {
        assert_int_equal(geo_parcel_prepare(p, geo_layer_find_column(p, "parcel_id"), &ix, &own_ids, o->rx, o->ry,
                                            &err),
                         FR_OK);
        ids = own_ids;
    }
    assert_int_equal(geo_match_points(ix, ids, pts, id_col, 3.0, o->m, &err), FR_OK);
    assert_int_equal(geo_count_within(ix, pts, bucket, 2, 15.0, o->counts, &err), FR_OK);
    geo_parcel_index_free(ix);
    geo_id_index_free(own_ids);
    assert_int_equal(geo_nearest_target(o->rx, o->ry, p->count, stations, o->d, o->near, &err), FR_OK);
    assert_int_equal(geo_assign_zones(o->rx, o->ry, p->count, zones, o->zone, &err), FR_OK);
}

static void run_free(run_out *o)
{
    free(o->m);
    free(o->counts);
    free(o->rx);
    free(o->ry);
    free(o->d);
    free(o->near);
    free(o->zone);
}

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static void test_same_results_with_1_and_2_threads(void **state)
{
    (void)state;
    const int n = 40;
    const double size = 10.0;
    size_t pid;
    geo_layer *p = mixed_grid(n, size, &pid); /* 1600 parcels, 400 m square */
    geo_id_index *ids = NULL;
    size_t *dups = NULL, ndups = 0;
    assert_int_equal(geo_id_index_build(p, (int)pid, &ids, &dups, &ndups, NULL), FR_OK);
    assert_int_equal(ndups, 0);

    size_t col;
    geo_layer *pts = new_points("incidents", 1, &col);
    uint64_t s = 2024;
    char buf[32];
    for (int k = 0; k < 4000; k++) {
        double x = -20 + rnd(&s) * 440, y = -20 + rnd(&s) * 440;
        if (k % 50 == 0) /* exactly on grid lines: shared boundaries */
            x = floor(x / size) * size;
        const char *id = NULL;
        if (k % 11 == 0) {
            snprintf(buf, sizeof buf, "ID%d", k % 1600);
            id = buf;
        } else if (k % 13 == 0) {
            id = "unknown";
        }
        if (k % 17 == 0)
            x = y = NAN;
        add_point_id(pts, col, k, x, y, id);
    }
    int8_t *bucket = malloc(pts->count);
    for (size_t k = 0; k < pts->count; k++)
        bucket[k] = (int8_t)(k % 5 == 0 ? -1 : (int)(k % 2));

    geo_layer *stations = new_points("stations", 0, NULL);
    for (int k = 0; k < 12; k++)
        add_point(stations, k, (k % 4) * 100.0 + 50, (k / 4) * 150.0 + 20);
    geo_layer *zones = new_polys("zones");
    for (int k = 0; k < 16; k++) /* overlapping 120 m squares on a 100 m pitch */
        add_square(zones, k, (k % 4) * 100.0, (k / 4) * 100.0, (k % 4) * 100.0 + 120,
                   (k / 4) * 100.0 + 120);

    run_out a, b;
    run_everything(1, p, ids, pts, (int)col, bucket, stations, zones, &a);
    run_everything(2, p, ids, pts, (int)col, bucket, stations, zones, &b);
    omp_set_num_threads(2);

    size_t contains = 0, nearest = 0, byid = 0, none = 0;
    for (size_t k = 0; k < pts->count; k++) {
        assert_int_equal(a.m[k].parcel, b.m[k].parcel);
        assert_int_equal(a.m[k].method, b.m[k].method);
        assert_int_equal(a.m[k].why, b.m[k].why);
        assert_true(same_double(a.m[k].distance_m, b.m[k].distance_m));
        switch (a.m[k].method) {
        case GEO_MATCH_CONTAINS: {
            contains++;
            /* independent check: the containing grid cell, lowest index on
             * shared edges, and really inside the parcel */
            int32_t p0 = a.m[k].parcel;
            assert_true(geo_poly_distance_point(p, (size_t)p0, pts->x[k], pts->y[k]) == 0.0);
            int cx = (int)floor(pts->x[k] / size), cy = (int)floor(pts->y[k] / size);
            assert_true(p0 / n == cy || p0 / n == cy - 1);
            assert_true(p0 % n == cx || p0 % n == cx - 1);
            break;
        }
        case GEO_MATCH_NEAREST:
            nearest++;
            assert_true(a.m[k].distance_m > 0 && a.m[k].distance_m <= 3.0);
            break;
        case GEO_MATCH_ID:
            byid++;
            break;
        default:
            none++;
        }
    }
    /* every kind of outcome occurs, so the comparison covers them all */
    assert_true(contains > 1000 && nearest > 20 && byid > 100 && none > 100);
    assert_memory_equal(a.counts, b.counts, p->count * 2 * sizeof *a.counts);
    for (size_t i = 0; i < p->count; i++) {
        assert_true(same_double(a.rx[i], b.rx[i]) && same_double(a.ry[i], b.ry[i]));
        assert_true(same_double(a.d[i], b.d[i]));
        assert_int_equal(a.near[i], b.near[i]);
        assert_int_equal(a.zone[i], b.zone[i]);
        if (!isnan(a.rx[i]))
            assert_true(a.zone[i] >= 0);
    }
    run_free(&a);
    run_free(&b);
    free(bucket);
    free(dups);
    geo_id_index_free(ids);
    geo_layer_free(zones);
    geo_layer_free(stations);
    geo_layer_free(pts);
    geo_layer_free(p);
}

/* ---- homes given as points ---------------------------------------------- */

/* Homes as points, ids H0.. in column 0:
 *   H0 (0, 0), H1 (100, 0), H2 and H3 stacked on (200, 0), H4 without a point. */
static geo_layer *point_homes(void)
{
    size_t col;
    geo_layer *l = new_points("parcels", 1, &col);
    const double xs[] = {0, 100, 200, 200, NAN};
    const char *ids[] = {"H0", "H1", "H2", "H3", "H4"};
    for (size_t k = 0; k < 5; k++)
        add_point_id(l, col, (int64_t)k, xs[k], isnan(xs[k]) ? NAN : 0.0, ids[k]);
    return l;
}

static void joins_from_the_point(void **state)
{
    (void)state;
    geo_layer *h = point_homes();
    geo_parcel_index *ix = NULL;
    geo_id_index *ids = NULL;
    double rx[5], ry[5];
    fr_error err = {0};
    if (geo_parcel_prepare(h, 0, &ix, &ids, rx, ry, &err) != FR_OK)
        fail_msg("%s", err.message);
    /* the representative point of a point home is the point itself */
    assert_true(rx[1] == 100 && ry[1] == 0 && rx[2] == 200);
    assert_true(isnan(rx[4]) && isnan(ry[4]));

    size_t idc;
    geo_layer *rec = new_points("incidents", 1, &idc);
    const double px[] = {3, 100, 160, 201, 50, NAN};
    const double py[] = {4, 0, 0, 0, 0, NAN};
    const char *pid[] = {NULL, NULL, NULL, NULL, NULL, "H1"};
    for (size_t k = 0; k < 6; k++)
        add_point_id(rec, idc, (int64_t)k + 1, px[k], py[k], pid[k]);
    /* the default order: id, contains, nearest; and contains alone */
    for (int only_contains = 0; only_contains < 2; only_contains++) {
        geo_match_spec spec = {.steps = {GEO_MATCH_ID, GEO_MATCH_CONTAINS, GEO_MATCH_NEAREST}, .nsteps = 3,
                               .ids = ids, .id_col = (int)idc, .address_col = -1, .tolerance_m = 10};
        if (only_contains) {
            spec.steps[0] = GEO_MATCH_CONTAINS;
            spec.nsteps = 1;
        }
        geo_match m[6];
        if (geo_match_records(ix, rec, &spec, m, &err) != FR_OK)
            fail_msg("%s", err.message);
        /* 5 m from H0: the nearest home, with its distance */
        assert_int_equal(m[0].parcel, 0);
        assert_int_equal(m[0].method, GEO_MATCH_NEAREST);
        assert_true(fabs(m[0].distance_m - 5) < 1e-12);
        /* on the point: still "nearest" (a point has no inside), distance 0 */
        assert_int_equal(m[1].parcel, 1);
        assert_int_equal(m[1].method, GEO_MATCH_NEAREST);
        assert_true(m[1].distance_m == 0);
        /* 40 m from the nearest: beyond the tolerance, and how far it was */
        assert_int_equal(m[2].parcel, -1);
        assert_int_equal(m[2].why, GEO_UNMATCHED_BEYOND_TOLERANCE);
        assert_true(fabs(m[2].distance_m - 40) < 1e-12);
        /* two homes stacked on one point: the lowest index */
        assert_int_equal(m[3].parcel, 2);
        assert_true(fabs(m[3].distance_m - 1) < 1e-12);
        /* 50 m from both H0 and H1: unmatched, its distance found within 10x the tolerance */
        assert_int_equal(m[4].parcel, -1);
        assert_true(m[4].distance_m == 50);
        if (!only_contains) { /* the key join, as with polygons */
            assert_int_equal(m[5].parcel, 1);
            assert_int_equal(m[5].method, GEO_MATCH_ID);
        } else {
            assert_int_equal(m[5].parcel, -1);
        }
    }

    /* radius counts measure from the point: exactly 100 m counts, a hair
     * beyond does not; the home without a point counts nothing */
    geo_layer *fires = new_points("incidents", 0, NULL);
    const double fx[] = {0, 100, 100.000001, 260, 200};
    const double fy[] = {0, 0, 0, 80, 0};
    for (size_t k = 0; k < 5; k++)
        add_point(fires, (int64_t)k, fx[k], fy[k]);
    uint32_t counts[5];
    if (geo_count_within(ix, fires, NULL, 1, 100.0, counts, &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_int_equal(counts[0], 2); /* (0,0) and (100,0) */
    assert_int_equal(counts[1], 4); /* (0,0), (100,0), (100.000001,0), (200,0) */
    assert_int_equal(counts[2], 4); /* (100,0)... (200,0) and (260,80): exactly 100 */
    assert_int_equal(counts[3], counts[2]);
    assert_int_equal(counts[4], 0);

    /* the nearest station and the block group from the home's point */
    geo_layer *stations = new_points("stations", 0, NULL);
    add_point(stations, 1, 0, 30);
    add_point(stations, 2, 200, 40);
    double dist[5];
    int32_t sidx[5];
    if (geo_nearest_target(rx, ry, 5, stations, dist, sidx, &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_int_equal(sidx[0], 0);
    assert_true(dist[0] == 30);
    assert_int_equal(sidx[2], 1);
    assert_true(dist[2] == 40);
    assert_int_equal(sidx[4], -1);

    geo_layer *bg = new_polys("block_groups");
    add_square(bg, 0, -50, -50, 150, 50);
    add_square(bg, 1, 150, -50, 250, 50);
    int32_t zone[5];
    if (geo_assign_zones(rx, ry, 5, bg, zone, &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_int_equal(zone[0], 0);
    assert_int_equal(zone[1], 0);
    assert_int_equal(zone[2], 1);
    assert_int_equal(zone[3], 1);
    assert_int_equal(zone[4], -1);

    geo_layer_free(bg);
    geo_layer_free(stations);
    geo_layer_free(fires);
    geo_layer_free(rec);
    geo_id_index_free(ids);
    geo_parcel_index_free(ix);
    geo_layer_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_index_trims_and_reports_dups),
        cmocka_unit_test(test_id_index_normalised_fallback),
        cmocka_unit_test(test_id_index_many),
        cmocka_unit_test(test_id_find_many_answers_as_the_index),
        cmocka_unit_test(test_id_index_completed_from_the_duplicates_check),
        cmocka_unit_test(test_match_inside_and_shared_boundary),
        cmocka_unit_test(test_match_agrees_with_geos_brute_force),
        cmocka_unit_test(test_match_hole_tolerance_and_beyond),
        cmocka_unit_test(test_match_ids),
        cmocka_unit_test(test_match_bad_parcel_names_layer_and_fid),
        cmocka_unit_test(test_empty_layers),
        cmocka_unit_test(test_geos_build_areas),
        cmocka_unit_test(test_poly_distance_agrees_with_geos),
        cmocka_unit_test(test_count_within_boundaries_and_buckets),
        cmocka_unit_test(test_count_within_matches_geos_brute_force),
        cmocka_unit_test(test_representative_point_in_concave_polygon),
        cmocka_unit_test(test_nearest_target_ties_and_missing),
        cmocka_unit_test(test_nearest_target_many_targets_match_brute_force),
        cmocka_unit_test(test_zones_overlap_hole_and_outside),
        cmocka_unit_test(test_same_results_with_1_and_2_threads),
        cmocka_unit_test(joins_from_the_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
