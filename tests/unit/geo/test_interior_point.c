/*
 * test_interior_point.c — the flat-array point on surface is GEOS' point,
 * bit for bit: against GEOSPointOnSurface_r on random star polygons (at 0
 * and at UTM coordinates), polygons with holes, multipolygons with tied
 * widths, parcels with corners on their edges, zero-area rings and random
 * self-crossing rings; and it leaves to GEOS what it cannot be sure of.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "geos_build.h"
#include "geos_ctx.h"
#include "interior_point.h"
#include "layer.h"

typedef struct {
    geo_geos_ctx c;
    geo_layer *l;
    size_t compared, left_to_geos;
} fixture;

/* xorshift64*: the same polygons on every machine */
static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static double uniform(uint64_t *s)
{
    return (double)(next(s) >> 11) / 9007199254740992.0;
}

static void new_feature(fixture *f)
{
    fr_error err;
    assert_int_equal(geo_layer_add_feature(f->l, (int64_t)f->l->count + 1, NULL, &err), FR_OK);
}

static void ring(fixture *f, const double *x, const double *y, size_t n, int shell)
{
    fr_error err;
    assert_int_equal(geo_layer_add_ring(f->l, x, y, n, shell, &err), FR_OK);
}

/* A star-shaped ring of n vertices around (cx, cy), radii in [r0, r1):
 * simple, counter-clockwise; on a grid of `snap` when snap > 0. */
static void star(fixture *f, uint64_t *s, size_t n, double cx, double cy, double r0, double r1, double snap,
                 int shell)
{
    double x[64], y[64];
    for (size_t k = 0; k < n; k++) {
        double a = 2 * M_PI * ((double)k + 0.8 * uniform(s)) / (double)n, r = r0 + (r1 - r0) * uniform(s);
        x[k] = cx + r * cos(a);
        y[k] = cy + r * sin(a);
        if (snap > 0) {
            x[k] = cx + snap * round((x[k] - cx) / snap);
            y[k] = cy + snap * round((y[k] - cy) / snap);
        }
    }
    ring(f, x, y, n, shell);
}

/* Every feature of the layer: where the flat test answers, GEOS' answer to
 * the bit; counts the features it leaves to GEOS. */
static void compare_all(fixture *f)
{
    for (size_t i = 0; i < f->l->count; i++) {
        double fx, fy, gx, gy;
        if (!geo_interior_point(f->l, i, &fx, &fy)) {
            f->left_to_geos++;
            continue;
        }
        GEOSGeometry *g = NULL;
        fr_error err;
        assert_int_equal(geo_geos_build_polygon(&f->c, f->l, i, &g, &err), FR_OK);
        assert_non_null(g);
        GEOSGeometry *p = GEOSPointOnSurface_r(f->c.h, g);
        assert_non_null(p);
        assert_true(GEOSGeomGetX_r(f->c.h, p, &gx) && GEOSGeomGetY_r(f->c.h, p, &gy));
        if (memcmp(&fx, &gx, sizeof fx) || memcmp(&fy, &gy, sizeof fy))
            fail_msg("feature %zu: flat (%.17g, %.17g), GEOS (%.17g, %.17g)", i, fx, fy, gx, gy);
        GEOSGeom_destroy_r(f->c.h, p);
        GEOSGeom_destroy_r(f->c.h, g);
        f->compared++;
    }
}

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof f);
    fr_error err;
    if (geo_geos_ctx_init(&f.c, &err) != FR_OK)
        return -1;
    f.l = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POLYGON);
    *state = &f;
    return f.l ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    geo_layer_free(f->l);
    geo_geos_ctx_finish(&f->c);
    return 0;
}

static void random_polygons_match_geos(void **state)
{
    fixture *f = *state;
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    for (int round = 0; round < 20000; round++) {
        double cx = (round & 1) ? 447123.25 + 1000 * uniform(&s) : 0, cy = (round & 1) ? 3735911.5 : 0;
        size_t n = 3 + next(&s) % 30;
        double snap = round % 4 == 0 ? 1.0 : 0; /* on a grid: vertices share y, edges lie flat */
        new_feature(f);
        switch (round % 5) {
        case 0:
        case 1: /* one ring */
            star(f, &s, n, cx, cy, 5, 25, snap, 1);
            break;
        case 2: /* holes: inside the shell's smallest radius, apart from each other */
            star(f, &s, n, cx, cy, 20, 30, snap, 1);
            star(f, &s, 3 + next(&s) % 8, cx - 8, cy, 2, 5, 0, 0);
            star(f, &s, 3 + next(&s) % 8, cx + 8, cy, 2, 5, 0, 0);
            break;
        case 3: /* a multipolygon: the widest part wins */
            star(f, &s, n, cx, cy, 5, 25, snap, 1);
            star(f, &s, n, cx + 100, cy + 50 * uniform(&s), 5, 25, snap, 1);
            break;
        default: { /* the same square twice: the first wins the tie */
            double x[4] = {cx, cx + 10, cx + 10, cx}, y[4] = {cy, cy, cy + 10, cy + 10};
            ring(f, x, y, 4, 1);
            for (int k = 0; k < 4; k++)
                x[k] += 50;
            ring(f, x, y, 4, 1);
        }
        }
    }
    compare_all(f);
    assert_int_equal(f->left_to_geos, 0);
    assert_int_equal(f->compared, 20000);
}

static void parcels_and_degenerate_rings(void **state)
{
    fixture *f = *state;
    /* a synthetic parcel with corners of its neighbours on three edges */
    static const double px[] = {740749.69163313264, 740775.31195452891, 740775.31195452891, 740761.38979216118,
                                740757.7591169565,  740749.69163313264, 740749.69163313264};
    static const double py[] = {3750121.5541350725, 3750121.5541350725, 3750158.2879577689, 3750158.280835493,
                                3750158.525241062,  3750158.2879577689, 3750127.5766170523};
    new_feature(f);
    ring(f, px, py, 7, 1);
    /* U shape: the scan line crosses twice inside */
    static const double ux[] = {0, 30, 30, 20, 20, 10, 10, 0}, uy[] = {0, 0, 30, 30, 10, 10, 30, 30};
    new_feature(f);
    ring(f, ux, uy, 8, 1);
    /* zero area: every vertex on one line (GEOS gives the first vertex) */
    static const double zx[] = {0, 10, 20}, zy[] = {5, 5, 5};
    new_feature(f);
    ring(f, zx, zy, 3, 1);
    /* a bow-tie: invalid, still answered as GEOS does */
    static const double bx[] = {0, 10, 10, 0}, by[] = {0, 10, 0, 10};
    new_feature(f);
    ring(f, bx, by, 4, 1);
    /* random self-crossing rings */
    uint64_t s = 42;
    for (int k = 0; k < 2000; k++) {
        double x[12], y[12];
        size_t n = 3 + next(&s) % 9;
        for (size_t j = 0; j < n; j++) {
            x[j] = 447000 + (double)(next(&s) % 7);
            y[j] = 3735000 + (double)(next(&s) % 7) + (k % 2 ? 0.5 * uniform(&s) : 0);
        }
        new_feature(f);
        ring(f, x, y, n, 1);
    }
    compare_all(f);
    assert_true(f->compared > 1500);
    print_message("%zu compared with GEOS, %zu left to GEOS\n", f->compared, f->left_to_geos);
}

static void leaves_to_geos_what_it_cannot_settle(void **state)
{
    fixture *f = *state;
    double x, y;
    /* no rings */
    new_feature(f);
    assert_false(geo_interior_point(f->l, 0, &x, &y));
    /* more crossings than fit on the stack: a comb of 40 teeth */
    double cx[84], cy[84];
    size_t n = 0;
    for (int t = 0; t < 40; t++) {
        cx[n] = 2.0 * t;
        cy[n++] = 0;
        cx[n] = 2.0 * t + 1;
        cy[n++] = 10;
    }
    cx[n] = 80, cy[n++] = 0;
    cx[n] = 80, cy[n++] = -5;
    cx[n] = -1, cy[n++] = -5;
    new_feature(f);
    ring(f, cx, cy, n, 1);
    assert_false(geo_interior_point(f->l, 1, &x, &y));
    /* not finite */
    double nx[4] = {0, 10, NAN, 0}, ny[4] = {0, 0, 10, 10};
    new_feature(f);
    ring(f, nx, ny, 4, 1);
    assert_false(geo_interior_point(f->l, 2, &x, &y));
    /* a points layer is not asked */
    geo_layer *pts = geo_layer_new("homes", "test", NULL, GEO_GEOM_POINT);
    fr_error err;
    assert_int_equal(geo_layer_add_feature(pts, 1, NULL, &err), FR_OK);
    geo_layer_set_point(pts, 1, 2);
    assert_false(geo_interior_point(pts, 0, &x, &y));
    geo_layer_free(pts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(random_polygons_match_geos, setup, teardown),
        cmocka_unit_test_setup_teardown(parcels_and_degenerate_rings, setup, teardown),
        cmocka_unit_test_setup_teardown(leaves_to_geos_what_it_cannot_settle, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
