/*
 * test_ring_simple.c — the fast "certainly valid" ring test never says
 * valid where GEOS says invalid: against GEOSisValid on hand-made rings
 * (square, triangle, bow-tie, spike, self-touching vertex, collinear
 * vertices, repeats) and on random rings of a small grid, which are full of
 * collinear, touching and crossing edges, at parcel-sized coordinates of a
 * UTM zone where rounding is real.  It must also accept the plain parcel,
 * or it saves nothing.
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
        {"collinear vertex (valid, left to GEOS)", {0, 0, 5, 0, 10, 0, 10, 10, 0, 10}, 5, 0},
        {"flat", {0, 0, 10, 0, 20, 0}, 3, 0},
        {"two points", {0, 0, 10, 0}, 2, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double x[16], y[16];
        for (int utm = 0; utm < 2; utm++) {
            size_t n = ring_of(cases[k].pts, cases[k].n, utm ? 447123.25 : 0, utm ? 3735911.5 : 0, x, y);
            int fast = geo_ring_certainly_simple(x, y, n);
            if (fast != cases[k].simple)
                fail_msg("%s%s: fast test says %d", cases[k].name, utm ? " (UTM)" : "", fast);
            if (fast)
                assert_true(geos_valid(c.h, x, y, n));
        }
    }
    /* not closed, NAN: never certain */
    double x[5] = {0, 10, 10, 0, 0}, y[5] = {0, 0, 10, 10, 1};
    assert_false(geo_ring_certainly_simple(x, y, 5));
    y[4] = 0;
    assert_true(geo_ring_certainly_simple(x, y, 5));
    x[2] = NAN;
    assert_false(geo_ring_certainly_simple(x, y, 5));
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
    size_t accepted = 0, geos_valid_count = 0, tried = 0;
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
        int valid = geos_valid(c.h, x, y, n), fast = geo_ring_certainly_simple(x, y, n);
        tried++;
        geos_valid_count += valid;
        accepted += fast;
        if (fast && !valid)
            fail_msg("round %d: the fast test accepts a ring GEOS finds invalid (%zu points)", round, n);
    }
    /* it must do its job: most rings GEOS finds valid here are in general position */
    assert_true(accepted > 0);
    assert_true(accepted * 4 > geos_valid_count);
    print_message("%zu rings, %zu valid by GEOS, %zu accepted by the fast test\n", tried, geos_valid_count, accepted);
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
        assert_int_equal(geo_ring_certainly_simple(x, y, nv + 1), nv + 1 <= GEO_RING_SIMPLE_MAX_POINTS);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_made_rings),
        cmocka_unit_test(random_rings_agree_with_geos),
        cmocka_unit_test(convex_polygons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
