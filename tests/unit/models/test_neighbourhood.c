/*
 * test_neighbourhood.c — fires and calls within several radii and the
 * decayed kernel: records on both sides of every radius and window
 * boundary, the kernel's value, missing parcel points, the same bits at 1
 * and 3 threads, and a brute-force comparison on a lattice.
 */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dates.h"
#include "feature_table.h"

#define AS_OF 20000 /* days since 1970 */

static void radii_windows_and_kernel(void **state)
{
    (void)state;
    model_scales s = {.nradii = 2, .radii_m = {100, 250}, .nbandwidths = 1, .bandwidths_m = {100},
                      .half_life_days = 365};
    char names[8][32];
    assert_int_equal(model_neighbourhood_names(&s, names), 5);
    assert_string_equal(names[0], "fires_100m_5y");
    assert_string_equal(names[3], "calls_250m_3y");
    assert_string_equal(names[4], "fire_kernel_100m");
    int32_t p5 = fr_days_minus_years(AS_OF, 5), p3 = fr_days_minus_years(AS_OF, 3);
    /* parcel 0 at the origin; parcel 1 has no point */
    double px[2] = {0, NAN}, py[2] = {0, NAN};
    double ix[] = {100, 100.01, 0, 250, 0, 0, 0, 30};
    double iy[] = {0, 0, 250.01, 0, 0, 0, 0, 40};
    int32_t dt[] = {AS_OF - 1, AS_OF - 1, AS_OF - 1, p5, p5 - 1, AS_OF, p3, AS_OF - 365};
    uint8_t fire[] = {1, 1, 1, 1, 1, 1, 0, 1};
    model_incident_points inc = {.n = 8, .x = ix, .y = iy, .date = dt, .is_fire = fire};
    double v[5][2];
    double *cols[5] = {v[0], v[1], v[2], v[3], v[4]};
    fr_error err;
    assert_int_equal(model_neighbourhood_fill(&s, px, py, 2, &inc, AS_OF, cols, &err), FR_OK);
    /* fires <= 100 m: k0 (exactly 100), k7 (50 m); not k1 (100.01), not k4 (before 5 y), not k5 (on as_of) */
    assert_true(v[0][0] == 2);
    /* fires <= 250 m: also k3 (exactly 250 m, exactly 5 years before), not k2 (250.01) */
    assert_true(v[1][0] == 4);
    /* calls in 3 years within 100 m: k0, k7 and the call k6 dated exactly 3 years before; within 250 m:
     * also k1 (k3 is older than 3 years) */
    assert_true(v[2][0] == 3);
    assert_true(v[3][0] == 4);
    double want = exp(-100.0 * 100 / (2 * 100 * 100) - log(2) / 365) + exp(-100.01 * 100.01 / (2 * 100 * 100) - log(2) / 365) +
                  exp(-250.01 * 250.01 / (2 * 100 * 100) - log(2) / 365) + exp(-2500.0 / 20000 - log(2)) +
                  exp(-250.0 * 250 / 20000 - log(2) / 365 * (AS_OF - p5));
    assert_true(fabs(v[4][0] - want) < 1e-12);
    for (int c = 0; c < 5; c++)
        assert_true(isnan(v[c][1]));
}

/* Random parcels and incidents (the tests fill them). */
typedef struct {
    double *px, *py, *ix, *iy;
    int32_t *dt;
    uint8_t *fire;
} cloud;

static cloud cloud_new(size_t np, size_t ni)
{
    cloud c = {malloc(np * sizeof(double)), malloc(np * sizeof(double)), malloc(ni * sizeof(double)),
               malloc(ni * sizeof(double)), malloc(ni * sizeof(int32_t)), malloc(ni)};
    assert_true(c.px && c.py && c.ix && c.iy && c.dt && c.fire);
    return c;
}

static void cloud_free(cloud *c)
{
    free(c->px), free(c->py), free(c->ix), free(c->iy), free(c->dt), free(c->fire);
}

static uint64_t lcg_next(uint64_t z)
{
    return z * 6364136223846793005ULL + 1442695040888963407ULL;
}

/* The ncols columns of the parcels of pts, column-major (the caller frees),
 * after checking that 1 and 3 threads fill the same bits. */
static double *fill_at_1_and_3_threads(const model_scales *s, const cloud *pts, size_t np,
                                       const model_incident_points *inc, size_t ncols)
{
    double *a = malloc(ncols * np * sizeof *a), *b = malloc(ncols * np * sizeof *b), *ca[3 * MODEL_MAX_SCALES],
           *cb[3 * MODEL_MAX_SCALES];
    assert_true(a && b && ncols <= 3 * MODEL_MAX_SCALES);
    for (size_t c = 0; c < ncols; c++) {
        ca[c] = a + c * np;
        cb[c] = b + c * np;
    }
    fr_error err;
    omp_set_num_threads(1);
    assert_int_equal(model_neighbourhood_fill(s, pts->px, pts->py, np, inc, AS_OF, ca, &err), FR_OK);
    omp_set_num_threads(3);
    assert_int_equal(model_neighbourhood_fill(s, pts->px, pts->py, np, inc, AS_OF, cb, &err), FR_OK);
    assert_memory_equal(a, b, ncols * np * sizeof *a);
    free(b);
    return a;
}

static void same_bits_at_any_thread_count(void **state)
{
    (void)state;
    enum { NP = 3000, NI = 5000 };
    model_scales s = {.nradii = 4, .radii_m = {100, 250, 500, 1000}, .nbandwidths = 2, .bandwidths_m = {100, 250},
                      .half_life_days = 730};
    cloud pts = cloud_new(NP, NI);
    uint64_t z = 5;
    for (int i = 0; i < NP + NI; i++) {
        z = lcg_next(z);
        double a = (double)(z >> 11) / 9007199254740992.0 * 5000, b = (double)(z & 0xffff) / 65536.0 * 5000;
        if (i < NP) {
            pts.px[i] = a;
            pts.py[i] = b;
        } else {
            pts.ix[i - NP] = a;
            pts.iy[i - NP] = b;
            pts.dt[i - NP] = AS_OF - (int32_t)(z % 2500);
            pts.fire[i - NP] = (z >> 20) % 3 == 0;
        }
    }
    model_incident_points inc = {.n = NI, .x = pts.ix, .y = pts.iy, .date = pts.dt, .is_fire = pts.fire};
    double *a = fill_at_1_and_3_threads(&s, &pts, NP, &inc, 10);
    double nonzero = 0;
    for (int i = 0; i < NP; i++)
        nonzero += a[3 * NP + i] > 0;
    assert_true(nonzero > NP / 2); /* fires within 1000 m: most parcels have some */
    cloud_free(&pts);
    free(a);
}

/* Every count and kernel of a brute-force loop over all pairs, on points on
 * a 10 m lattice (so that many lie exactly on a radius, 3 bandwidths or a
 * cell's edge), with missing parcel points, incidents without a point or a
 * date, a parcel far outside the grid, at 1 and 3 threads; and the values of
 * a gathered subset of the parcels are those of the whole. */
static void brute_force_on_a_lattice(void **state)
{
    (void)state;
    enum { NP = 2500, NI = 4000, NC = 2 * 3 + 2 };
    model_scales s = {.nradii = 3, .radii_m = {250, 100, 50}, .nbandwidths = 2, .bandwidths_m = {100, 30},
                      .half_life_days = 400};
    cloud pts = cloud_new(NP, NI);
    uint64_t z = 17;
    for (int i = 0; i < NP + NI; i++) {
        z = lcg_next(z);
        double a = (double)((z >> 20) % 150) * 10, b = (double)((z >> 40) % 150) * 10;
        if (i < NP) {
            pts.px[i] = (z & 63) == 0 ? NAN : a;
            pts.py[i] = b;
        } else {
            int k = i - NP;
            pts.ix[k] = (z & 127) == 1 ? NAN : a;
            pts.iy[k] = b;
            pts.dt[k] = (z & 127) == 2 ? FR_DATE_MISSING : AS_OF + 5 - (int32_t)((z >> 8) % 2200);
            pts.fire[k] = (z >> 12) % 2;
        }
    }
    pts.px[7] = 1e15; /* far outside every cell */
    pts.py[7] = -1e15;
    model_incident_points inc = {.n = NI, .x = pts.ix, .y = pts.iy, .date = pts.dt, .is_fire = pts.fire};
    double *a = fill_at_1_and_3_threads(&s, &pts, NP, &inc, NC);
    int32_t p5 = fr_days_minus_years(AS_OF, 5), p3 = fr_days_minus_years(AS_OF, 3);
    size_t on_radius = 0;
    for (int i = 0; i < NP; i++) {
        if (isnan(pts.px[i])) {
            for (int c = 0; c < NC; c++)
                assert_true(isnan(a[c * NP + i]));
            continue;
        }
        double fires[3] = {0}, calls[3] = {0}, kern[2] = {0};
        for (int k = 0; k < NI; k++) {
            if (isnan(pts.ix[k]) || pts.dt[k] == FR_DATE_MISSING || pts.dt[k] >= AS_OF)
                continue;
            double dx = pts.ix[k] - pts.px[i], dy = pts.iy[k] - pts.py[i], d2 = dx * dx + dy * dy;
            for (int r = 0; r < 3; r++) {
                on_radius += d2 == s.radii_m[r] * s.radii_m[r];
                calls[r] += pts.dt[k] >= p3 && d2 <= s.radii_m[r] * s.radii_m[r];
                fires[r] += pts.fire[k] && pts.dt[k] >= p5 && d2 <= s.radii_m[r] * s.radii_m[r];
            }
            for (int q = 0; q < 2; q++)
                if (pts.fire[k] && pts.dt[k] >= p5 && d2 <= 9 * s.bandwidths_m[q] * s.bandwidths_m[q])
                    kern[q] += exp(-d2 / (2 * s.bandwidths_m[q] * s.bandwidths_m[q])) *
                               exp(-log(2) / s.half_life_days * (AS_OF - pts.dt[k]));
        }
        for (int r = 0; r < 3; r++) {
            assert_true(a[r * NP + i] == fires[r]);
            assert_true(a[(3 + r) * NP + i] == calls[r]);
        }
        for (int q = 0; q < 2; q++) /* the grid sums in cell order: the last bits may differ */
            assert_true(fabs(a[(6 + q) * NP + i] - kern[q]) <= 1e-12 * (1 + kern[q]));
    }
    assert_true(on_radius > 100); /* the lattice puts many incidents exactly on a radius */
    assert_true(a[2 * NP + 7] == 0 && a[6 * NP + 7] == 0);
    /* a gathered subset (every third parcel, backwards): the same bits as in the whole */
    enum { NS = NP / 3 };
    double *sx = malloc(NS * sizeof *sx), *sy = malloc(NS * sizeof *sy), *sv = malloc(NC * NS * sizeof *sv), *cs[NC];
    for (int j = 0; j < NS; j++) {
        sx[j] = pts.px[NP - 1 - 3 * j];
        sy[j] = pts.py[NP - 1 - 3 * j];
    }
    for (int c = 0; c < NC; c++)
        cs[c] = sv + c * NS;
    fr_error err;
    assert_int_equal(model_neighbourhood_fill(&s, sx, sy, NS, &inc, AS_OF, cs, &err), FR_OK);
    for (int c = 0; c < NC; c++)
        for (int j = 0; j < NS; j++)
            assert_memory_equal(&cs[c][j], &a[c * NP + NP - 1 - 3 * j], sizeof(double));
    cloud_free(&pts);
    free(a), free(sx), free(sy), free(sv);
}

/* No incident in the windows at all, and no parcels: zeros, and no error. */
static void no_incidents_no_parcels(void **state)
{
    (void)state;
    model_scales s = {.nradii = 1, .radii_m = {100}, .nbandwidths = 1, .bandwidths_m = {100}, .half_life_days = 365};
    double px[1] = {5}, py[1] = {5}, ix[1] = {5}, iy[1] = {5};
    int32_t dt[1] = {AS_OF}; /* on as_of: never counts */
    uint8_t fire[1] = {1};
    model_incident_points inc = {.n = 1, .x = ix, .y = iy, .date = dt, .is_fire = fire};
    double v[3][1] = {{-1}, {-1}, {-1}}, *cols[3] = {v[0], v[1], v[2]};
    fr_error err;
    assert_int_equal(model_neighbourhood_fill(&s, px, py, 1, &inc, AS_OF, cols, &err), FR_OK);
    assert_true(v[0][0] == 0 && v[1][0] == 0 && v[2][0] == 0);
    assert_int_equal(model_neighbourhood_fill(&s, px, py, 0, &inc, AS_OF, cols, &err), FR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(radii_windows_and_kernel),
        cmocka_unit_test(same_bits_at_any_thread_count),
        cmocka_unit_test(brute_force_on_a_lattice),
        cmocka_unit_test(no_incidents_no_parcels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
