/*
 * bench_join.c — timing of the joins of geo/join/join.h on a synthetic city: a
 * grid of N x N square parcels (20 m squares on a 25 m pitch, so about a
 * third of random points fall in the "streets" and take the nearest-parcel
 * path), 500k random inspections matched with a 10 m tolerance, 240k random
 * incidents counted within 250 m, plus the index build, representative
 * points, 60 stations and 400 zones.  Each stage runs with 1 and with 2
 * threads; the results of both runs are compared.
 *
 * A benchmark, not a test: it asserts nothing about time (see STYLE.md).
 *
 * Built with the project (CMake target bench_join, linked against the geo
 * layer only, so it sees what geo/ sees):
 *   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build --target bench_join
 *   build/bench_join [grid_side=1000] [inspections=500000] [incidents=240000]
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"
#include "layer.h"

static double bench_rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void bench_check(fr_status st, const fr_error *err, const char *what)
{
    if (st != FR_OK) {
        fprintf(stderr, "%s: %s\n", what, err->message);
        exit(1);
    }
}

static geo_layer *bench_points(const char *name, size_t n, double extent, uint64_t seed)
{
    geo_layer *l = geo_layer_new(name, "synthetic", name, GEO_GEOM_POINT);
    fr_error err;
    for (size_t k = 0; k < n; k++) {
        bench_check(geo_layer_add_feature(l, (int64_t)k, NULL, &err), &err, "add point");
        geo_layer_set_point(l, bench_rnd(&seed) * extent, bench_rnd(&seed) * extent);
    }
    return l;
}

int main(int argc, char **argv)
{
    int side = argc > 1 ? atoi(argv[1]) : 1000;
    size_t ninsp = argc > 2 ? (size_t)atol(argv[2]) : 500000;
    size_t ninc = argc > 3 ? (size_t)atol(argv[3]) : 240000;
    const double pitch = 25.0, size = 20.0, extent = side * pitch;
    fr_error err;

    double t0 = omp_get_wtime();
    geo_layer *parcels = geo_layer_new("parcels", "synthetic", "parcels", GEO_GEOM_POLYGON);
    for (int r = 0; r < side; r++)
        for (int c = 0; c < side; c++) {
            double x = c * pitch, y = r * pitch;
            double xs[4] = {x, x + size, x + size, x}, ys[4] = {y, y, y + size, y + size};
            bench_check(geo_layer_add_feature(parcels, (int64_t)r * side + c, NULL, &err), &err, "add");
            bench_check(geo_layer_add_ring(parcels, xs, ys, 4, 1, &err), &err, "ring");
        }
    geo_layer *insp = bench_points("inspections", ninsp, extent, 1);
    geo_layer *inc = bench_points("incidents", ninc, extent, 2);
    geo_layer *stations = bench_points("stations", 60, extent, 3);
    geo_layer *zones = geo_layer_new("zones", "synthetic", "zones", GEO_GEOM_POLYGON);
    for (int k = 0; k < 400; k++) {
        double z = extent / 20.0, x = (k % 20) * z, y = (k / 20) * z;
        double xs[4] = {x, x + z, x + z, x}, ys[4] = {y, y, y + z, y + z};
        bench_check(geo_layer_add_feature(zones, k, NULL, &err), &err, "add");
        bench_check(geo_layer_add_ring(zones, xs, ys, 4, 1, &err), &err, "ring");
    }
    int8_t *bucket = malloc(ninc);
    for (size_t k = 0; k < ninc; k++)
        bucket[k] = (int8_t)(k % 3); /* e.g. three time windows */
    printf("synthetic city: %zu parcels, %zu inspections, %zu incidents (%.2f s to make)\n",
           parcels->count, insp->count, inc->count, omp_get_wtime() - t0);

    size_t np = parcels->count;
    geo_match *m[2];
    uint32_t *cnt[2];
    double *rx[2], *ry[2], *d[2];
    int32_t *near[2], *zone[2];
    for (int run = 0; run < 2; run++) {
        int threads = run + 1;
        omp_set_num_threads(threads);
        m[run] = malloc(ninsp * sizeof *m[run]);
        cnt[run] = malloc(np * 3 * sizeof *cnt[run]);
        rx[run] = malloc(np * sizeof(double));
        ry[run] = malloc(np * sizeof(double));
        d[run] = malloc(np * sizeof(double));
        near[run] = malloc(np * sizeof(int32_t));
        zone[run] = malloc(np * sizeof(int32_t));

        geo_parcel_index *ix;
        double a = omp_get_wtime();
        bench_check(geo_parcel_index_new(parcels, &ix, &err), &err, "index");
        double b = omp_get_wtime();
        bench_check(geo_match_points(ix, NULL, insp, -1, 10.0, m[run], &err), &err, "match");
        double c = omp_get_wtime();
        bench_check(geo_count_within(ix, inc, bucket, 3, 250.0, cnt[run], &err), &err, "count");
        double e = omp_get_wtime();
        geo_parcel_index_free(ix);
        double f = omp_get_wtime();
        bench_check(geo_representative_points(parcels, rx[run], ry[run], &err), &err, "repr");
        double g = omp_get_wtime();
        bench_check(geo_nearest_target(rx[run], ry[run], np, stations, d[run], near[run], &err),
                    &err, "nearest");
        double h = omp_get_wtime();
        bench_check(geo_assign_zones(rx[run], ry[run], np, zones, zone[run], &err), &err, "zones");
        double i = omp_get_wtime();
        printf("threads=%d  index %.2f s | match_points %.2f s | count_within %.2f s | "
               "representative %.2f s | nearest_target %.2f s | zones %.2f s\n",
               threads, b - a, c - b, e - c, g - f, h - g, i - h);
    }
    size_t byk[4] = {0, 0, 0, 0};
    unsigned long long total = 0;
    for (size_t k = 0; k < ninsp; k++)
        byk[m[0][k].method]++;
    for (size_t i = 0; i < np * 3; i++)
        total += cnt[0][i];
    int same = 1;
    for (size_t k = 0; k < ninsp; k++)
        same &= m[0][k].parcel == m[1][k].parcel && m[0][k].method == m[1][k].method;
    same &= memcmp(cnt[0], cnt[1], np * 3 * sizeof *cnt[0]) == 0;
    same &= memcmp(rx[0], rx[1], np * sizeof(double)) == 0;
    same &= memcmp(near[0], near[1], np * sizeof(int32_t)) == 0;
    same &= memcmp(zone[0], zone[1], np * sizeof(int32_t)) == 0;
    printf("matches: contains %zu, nearest %zu, unmatched %zu; mean points within 250 m: %.1f; "
           "1 and 2 threads identical: %s\n",
           byk[GEO_MATCH_CONTAINS], byk[GEO_MATCH_NEAREST], byk[GEO_MATCH_NONE],
           (double)total / (double)np, same ? "yes" : "NO");
    for (int run = 0; run < 2; run++) {
        free(m[run]);
        free(cnt[run]);
        free(rx[run]);
        free(ry[run]);
        free(d[run]);
        free(near[run]);
        free(zone[run]);
    }
    free(bucket);
    geo_layer_free(parcels);
    geo_layer_free(insp);
    geo_layer_free(inc);
    geo_layer_free(stations);
    geo_layer_free(zones);
    return same ? 0 : 1;
}
