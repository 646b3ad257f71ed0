/*
 * test_neighbourhood.c — fires and calls within several radii and the
 * decayed kernel: records on both sides of every radius and window
 * boundary, the kernel's value, missing parcel points, and the same bits
 * at 1 and 3 threads.
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

static void same_bits_at_any_thread_count(void **state)
{
    (void)state;
    enum { NP = 3000, NI = 5000 };
    model_scales s = {.nradii = 4, .radii_m = {100, 250, 500, 1000}, .nbandwidths = 2, .bandwidths_m = {100, 250},
                      .half_life_days = 730};
    double *px = malloc(NP * sizeof *px), *py = malloc(NP * sizeof *py);
    double *ix = malloc(NI * sizeof *ix), *iy = malloc(NI * sizeof *iy);
    int32_t *dt = malloc(NI * sizeof *dt);
    uint8_t *fire = malloc(NI);
    uint64_t z = 5;
    for (int i = 0; i < NP + NI; i++) {
        z = z * 6364136223846793005ULL + 1442695040888963407ULL;
        double a = (double)(z >> 11) / 9007199254740992.0 * 5000, b = (double)(z & 0xffff) / 65536.0 * 5000;
        if (i < NP) {
            px[i] = a;
            py[i] = b;
        } else {
            ix[i - NP] = a;
            iy[i - NP] = b;
            dt[i - NP] = AS_OF - (int32_t)(z % 2500);
            fire[i - NP] = (z >> 20) % 3 == 0;
        }
    }
    model_incident_points inc = {.n = NI, .x = ix, .y = iy, .date = dt, .is_fire = fire};
    double *a = malloc(10 * NP * sizeof *a), *b = malloc(10 * NP * sizeof *b), *ca[10], *cb[10];
    for (int c = 0; c < 10; c++) {
        ca[c] = a + c * NP;
        cb[c] = b + c * NP;
    }
    fr_error err;
    omp_set_num_threads(1);
    assert_int_equal(model_neighbourhood_fill(&s, px, py, NP, &inc, AS_OF, ca, &err), FR_OK);
    omp_set_num_threads(3);
    assert_int_equal(model_neighbourhood_fill(&s, px, py, NP, &inc, AS_OF, cb, &err), FR_OK);
    assert_memory_equal(a, b, 10 * NP * sizeof *a);
    double nonzero = 0;
    for (int i = 0; i < NP; i++)
        nonzero += a[3 * NP + i] > 0;
    assert_true(nonzero > NP / 2); /* fires within 1000 m: most parcels have some */
    free(px), free(py), free(ix), free(iy), free(dt), free(fire), free(a), free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(radii_windows_and_kernel),
        cmocka_unit_test(same_bits_at_any_thread_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
