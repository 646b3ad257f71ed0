/*
 * test_ring_simple.c — the fast "certainly valid" ring test never says
 * valid where GEOS says invalid: against GEOSisValid on hand-made rings
 * (square, triangle, bow-tie, spike, self-touching vertex, collinear
 * vertices, repeats) and on random rings of a small grid, which are full of
 * collinear, touching and crossing edges, at parcel-sized coordinates of a
 * UTM zone where rounding is real.  It must also accept the plain parcel
 * and the parcel with a neighbour's corner on its edge, or it saves
 * nothing.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "geos_ctx.h"
#include "ring_simple.h"

/* GEOSisValid of the polygon whose shell is x/y[0..n) (closed). */
static int geos_valid(GEOSContextHandle_t h, const double *x, const double *y, size_t n)
{
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)n, 2);
    for (size_t k = 0; k < n; k++)
        GEOSCoordSeq_setXY_r(h, cs, (unsigned)k, x[k], y[k]);
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(h, cs);
    if (!ring)
        return 0;
    GEOSGeometry *poly = GEOSGeom_createPolygon_r(h, ring, NULL, 0);
    int v = GEOSisValid_r(h, poly) == 1;
    GEOSGeom_destroy_r(h, poly);
    return v;
}

/* x/y of pts (pairs, not closed) closed into a ring, offset by (ox, oy). */
static size_t ring_of(const double *pts, size_t npts, double ox, double oy, double *x, double *y)
{
    for (size_t k = 0; k < npts; k++) {
        x[k] = ox + pts[2 * k];
        y[k] = oy + pts[2 * k + 1];
    }
    x[npts] = x[0];
    y[npts] = y[0];
    return npts + 1;
}

static void hand_made_rings(void **state)
{
    (void)state;
    geo_geos_ctx c;
    fr_error err;
    assert_int_equal(geo_geos_ctx_init(&c, &err), FR_OK);
    static const struct {
        const char *name;
        double pts[16];
        size_t n;
        int simple; /* what the fast test must answer */
    } cases[] = {
        {"square", {0, 0, 10, 0, 10, 10, 0, 10}, 4, 1},
        {"clockwise square", {0, 0, 0, 10, 10, 10, 10, 0}, 4, 1},
        {"triangle", {0, 0, 10, 0, 5, 8}, 3, 1},
        {"L-shape", {0, 0, 20, 0, 20, 5, 5, 5, 5, 20, 0, 20}, 6, 1},
        {"repeated vertex", {0, 0, 10, 0, 10, 0, 10, 10, 0, 10}, 5, 1},
        {"bow-tie", {0, 0, 10, 10, 10, 0, 0, 10}, 4, 0},
        {"spike", {0, 0, 10, 0, 10, 10, 10, 15, 10, 10, 0, 10}, 6, 0},
        {"touches itself at a vertex", {0, 0, 10, 0, 5, 5, 10, 10, 0, 10, 5, 5}, 6, 0},
        {"a neighbour's corner on the edge", {0, 0, 5, 0, 10, 0, 10, 10, 0, 10}, 5, 1},
        {"two corners on one edge", {0, 0, 4, 0, 7, 0, 10, 0, 10, 10, 0, 10, 0, 6}, 7, 1},
        {"a corner on a slanted edge", {0, 0, 3, 1, 6, 2, 6, 10, 0, 10}, 5, 1},
        {"folds back along its edge", {0, 0, 10, 0, 5, 0, 5, 10, 0, 10}, 5, 0},
        {"spike back along a straight run", {0, 0, 10, 0, 10, 5, 10, 10, 10, 3, 0, 10}, 6, 0},
        {"flat", {0, 0, 10, 0, 20, 0}, 3, 0},
        {"two points", {0, 0, 10, 0}, 2, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double x[16], y[16];
        for (int utm = 0; utm < 2; utm++) {
            size_t n = ring_of(cases[k].pts, cases[k].n, utm ? 447123.25 : 0, utm ? 3735911.5 : 0, x, y);
            int fast = geo_ring_certainly_simple(c.h, x, y, n);
            if (fast != cases[k].simple)
                fail_msg("%s%s: fast test says %d", cases[k].name, utm ? " (UTM)" : "", fast);
            if (fast != geos_valid(c.h, x, y, n))
                fail_msg("%s%s: GEOS disagrees", cases[k].name, utm ? " (UTM)" : "");
            /* without GEOS' predicate, the slanted corner is not sure */
            if (!strcmp(cases[k].name, "a corner on a slanted edge"))
                assert_false(geo_ring_certainly_simple(NULL, x, y, n));
        }
    }
    /* not closed, NAN: never certain */
    double x[5] = {0, 10, 10, 0, 0}, y[5] = {0, 0, 10, 10, 1};
    assert_false(geo_ring_certainly_simple(c.h, x, y, 5));
    y[4] = 0;
    assert_true(geo_ring_certainly_simple(c.h, x, y, 5));
    x[2] = NAN;
    assert_false(geo_ring_certainly_simple(c.h, x, y, 5));
    geo_geos_ctx_finish(&c);
}

/* A parcel of `firerisk synth` (UTM 16N), its neighbours' corners on three
 * of its edges: the common case, which the test was once too shy to pass. */
static void synthetic_parcel(void **state)
{
    (void)state;
    geo_geos_ctx c;
    fr_error err;
    assert_int_equal(geo_geos_ctx_init(&c, &err), FR_OK);
    double x[] = {740749.69163313264, 740775.31195452891, 740775.31195452891, 740761.38979216118,
                  740757.7591169565,  740749.69163313264, 740749.69163313264, 740749.69163313264};
    double y[] = {3750121.5541350725, 3750121.5541350725, 3750158.2879577689, 3750158.280835493,
                  3750158.525241062,  3750158.2879577689, 3750127.5766170523, 3750121.5541350725};
    assert_true(geos_valid(c.h, x, y, 8));
    assert_true(geo_ring_certainly_simple(c.h, x, y, 8));
    y[6] = 3750170.0; /* the corner on the west edge moved past the north-west one: a fold back */
    assert_false(geos_valid(c.h, x, y, 8));
    assert_false(geo_ring_certainly_simple(c.h, x, y, 8));
    geo_geos_ctx_finish(&c);
}

/* xorshift64*: the same rings on every machine */
static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static void random_rings_agree_with_geos(void **state)
{
    (void)state;
    geo_geos_ctx c;
    fr_error err;
    assert_int_equal(geo_geos_ctx_init(&c, &err), FR_OK);
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    size_t accepted = 0, accepted_filter_only = 0, geos_valid_count = 0, tried = 0;
    for (int round = 0; round < 60000; round++) {
        size_t npts = 3 + next(&s) % 8;
        int grid = 2 + (int)(next(&s) % 4); /* a small grid: many collinear and shared points */
        double scale = (round % 3 == 0) ? 1.0 : (round % 3 == 1) ? 0.1 : 1e-7;
        double ox = (round & 1) ? 447123.25 : 0, oy = (round & 1) ? 3735911.5 : 0;
        double pts[32];
        for (size_t k = 0; k < npts; k++) {
            pts[2 * k] = (double)(next(&s) % (uint64_t)grid) * scale;
            pts[2 * k + 1] = (double)(next(&s) % (uint64_t)grid) * scale;
            if (round % 5 == 0) /* off the grid by a hair: nearly collinear */
                pts[2 * k] += (double)(next(&s) % 3) * 1e-9;
        }
        double x[20], y[20];
        size_t n = ring_of(pts, npts, ox, oy, x, y);
        int valid = geos_valid(c.h, x, y, n), fast = geo_ring_certainly_simple(c.h, x, y, n);
        int filter_only = geo_ring_certainly_simple(NULL, x, y, n);
        tried++;
        geos_valid_count += valid;
        accepted += fast;
        accepted_filter_only += filter_only;
        if (fast && !valid)
            fail_msg("round %d: the fast test accepts a ring GEOS finds invalid (%zu points)", round, n);
        if (filter_only && !fast)
            fail_msg("round %d: GEOS' predicate turned a certain ring into an unsure one", round);
    }
    /* it must do its job: these grids are full of collinear points, which
     * GEOS' predicate settles (without it only the axis-parallel ones are
     * sure) */
    assert_true(accepted_filter_only > 0);
    assert_true(accepted > accepted_filter_only);
    assert_true(accepted * 10 > geos_valid_count * 9);
    print_message("%zu rings, %zu valid by GEOS, %zu accepted by the fast test (%zu by the filter alone)\n", tried,
                  geos_valid_count, accepted, accepted_filter_only);
    geo_geos_ctx_finish(&c);
}

/* Convex polygons of many vertices at UTM coordinates: accepted up to the
 * size limit, left to GEOS above it. */
static void convex_polygons(void **state)
{
    (void)state;
    for (size_t nv = 3; nv <= 40; nv++) {
        double x[64], y[64];
        for (size_t k = 0; k < nv; k++) {
            double a = 2 * M_PI * (double)k / (double)nv;
            x[k] = 447123.25 + 12.5 * cos(a);
            y[k] = 3735911.5 + 12.5 * sin(a);
        }
        x[nv] = x[0];
        y[nv] = y[0];
        assert_int_equal(geo_ring_certainly_simple(NULL, x, y, nv + 1), nv + 1 <= GEO_RING_SIMPLE_MAX_POINTS);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_made_rings),
        cmocka_unit_test(synthetic_parcel),
        cmocka_unit_test(random_rings_agree_with_geos),
        cmocka_unit_test(convex_polygons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
