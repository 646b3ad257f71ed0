/*
 * bench_address.c — timing of address matching (geo/join/join_address.c) at
 * scale: N parcel addresses (house numbers on synthetic streets: names from
 * a word list, suffixes, directionals; one address in 20 shared by 2-6
 * condominium parcels at one place) indexed, buildings grouped, and N
 * address-only records matched, written as people and dispatch systems
 * write them (exact; suffix spelled out or misspelt; units in Publication 28
 * forms; town, state and ZIP+4 without commas; a name before the number;
 * the number absent from the roll: one record in 8, unmatched by design).  Each stage runs with 1 and 2 threads
 * and the results are compared.  Prints the share matched and wrongly
 * matched.
 *
 * A benchmark, not a test: it asserts nothing about time (STYLE.md).
 *   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build --target bench_address
 *   build/bench_address [records=1000000] [parcels=1000000]
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "join.h"
#include "layer.h"

static uint64_t rng = 88172645463325252ULL;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *const words[] = {"OAK", "PINE", "MAPLE", "CEDAR", "ELM", "BIRCH", "WILLOW", "ASH", "SPRUCE",
                                    "HICKORY", "MAGNOLIA", "DOGWOOD", "PEACHTREE", "CHESTNUT", "LAUREL", "HOLLY",
                                    "JUNIPER", "SYCAMORE", "POPLAR", "WALNUT", "CHERRY", "ALDER", "HAZEL", "LINDEN",
                                    "BEECH", "CYPRESS", "HEMLOCK", "REDBUD", "TUPELO", "SASSAFRAS", "MULBERRY",
                                    "HAWTHORN", "LOCUST", "BUCKEYE", "PERSIMMON", "CATALPA", "BASSWOOD", "BOXELDER",
                                    "FIR", "LARCH"};
static const char *const qual[] = {"", "OLD ", "NEW ", "LAKE ", "HIGH ", "MILL ", "GLEN ", "FOX ", "DEER ", "RIVER "};
static const char *const sfx[] = {"ST", "AVE", "RD", "DR", "LN", "CT", "PL", "BLVD", "WAY", "CIR"};
static const char *const sfx_long[] = {"STREET", "AVENUE", "ROAD", "DRIVE", "LANE", "COURT", "PLACE", "BOULEVARD",
                                       "WAY", "CIRCLE"};
static const char *const sfx_typo[] = {"STRET", "AVNUE", "RAOD", "DIRVE", "LANEE", "COUTR", "PLCAE", "BOULVARD",
                                       "WAYY", "CIRLCE"};
static const char *const dirs[] = {"", "N ", "S ", "E ", "W "};

int main(int argc, char **argv)
{
    size_t nrec = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    size_t npar = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
    /* streets: qualifier x word x suffix x directional; 100 numbers each */
    size_t nstreets = (npar + 99) / 100;
    geo_layer *p = geo_layer_new("parcels", "bench", "parcels", GEO_GEOM_NONE);
    size_t ac;
    fr_error err = {0};
    if (!p || geo_layer_add_column(p, "address", "ADDR", GEO_COL_STRING, &ac, &err) != FR_OK)
        return 1;
    double *rx = malloc(npar * sizeof *rx), *ry = malloc(npar * sizeof *ry);
    uint32_t *street_of = malloc(npar * sizeof *street_of), *num_of = malloc(npar * sizeof *num_of);
    uint8_t *unit_of = malloc(npar * sizeof *unit_of); /* condominium unit, 0 none */
    char buf[256];
    size_t k = 0;
    for (size_t s = 0; s < nstreets && k < npar; s++) {
        uint32_t q = (uint32_t)(s % 10), w = (uint32_t)(s / 10 % 40), x = (uint32_t)(s / 400 % 10),
                 d = (uint32_t)(s / 4000 % 5);
        for (uint32_t i = 0; i < 100 && k < npar; i++) {
            uint32_t num = 100 + 2 * i + (s % 2), copies = rnd(20) == 0 ? 2 + rnd(5) : 1;
            for (uint32_t c = 0; c < copies && k < npar; c++, k++) {
                if (copies > 1)
                    snprintf(buf, sizeof buf, "%u %s%s%s %s UNIT %u", num, dirs[d], qual[q], words[w], sfx[x], c + 1);
                else
                    snprintf(buf, sizeof buf, "%u %s%s%s %s", num, dirs[d], qual[q], words[w], sfx[x]);
                size_t f;
                if (geo_layer_add_feature(p, (int64_t)k, &f, &err) != FR_OK ||
                    geo_layer_set_string(p, ac, f, buf, &err) != FR_OK)
                    return 1;
                rx[k] = (double)s * 1000.0 + i * 10.0;
                ry[k] = (double)(s % 1000) * 100.0;
                street_of[k] = (uint32_t)s;
                num_of[k] = num;
                unit_of[k] = (uint8_t)(copies > 1 ? c + 1 : 0);
            }
        }
    }
    npar = k;
    /* records */
    geo_layer *r = geo_layer_new("incidents", "bench", "incidents", GEO_GEOM_NONE);
    size_t rc;
    if (!r || geo_layer_add_column(r, "address", "ADDR", GEO_COL_STRING, &rc, &err) != FR_OK)
        return 1;
    int32_t *truth = malloc(nrec * sizeof *truth);
    static const char *const towns[] = {"DECATUR", "STONE MOUNTAIN", "TUCKER", "PINE LAKE"};
    static const char *const units[] = {"APT 4", "# 12", "UNIT A&B", "STE 600", "15TH FLOOR", "LOBBY", "600"};
    for (size_t i = 0; i < nrec; i++) {
        size_t j = rnd((uint32_t)npar);
        size_t s = street_of[j];
        uint32_t q = (uint32_t)(s % 10), w = (uint32_t)(s / 10 % 40), x = (uint32_t)(s / 400 % 10),
                 d = (uint32_t)(s / 4000 % 5), kind = getenv("BENCH_KIND") ? (uint32_t)atoi(getenv("BENCH_KIND")) : rnd(8);
        const char *sf = kind == 1 ? sfx_long[x] : kind == 2 ? sfx_typo[x] : sfx[x];
        char tail[64] = "", head[32] = "";
        if (kind == 3 && unit_of[j])
            snprintf(tail, sizeof tail, " APT %u", unit_of[j]); /* a condominium's own unit */
        else if (kind == 3)
            snprintf(tail, sizeof tail, " %s", units[rnd(7)]);
        else if (kind == 4)
            snprintf(tail, sizeof tail, " %s GA 300%02u-%04u", towns[rnd(4)], rnd(100), rnd(10000));
        else if (kind == 5)
            snprintf(head, sizeof head, "ATTN J SMITH ");
        uint32_t num = num_of[j] + (kind == 6 ? 200 : 0); /* a number the roll lacks: unmatched */
        snprintf(buf, sizeof buf, "%s%u %s%s%s %s%s", head, num, dirs[d], qual[q], words[w], sf, tail);
        size_t f;
        if (geo_layer_add_feature(r, (int64_t)i, &f, &err) != FR_OK || geo_layer_set_string(r, rc, f, buf, &err) != FR_OK)
            return 1;
        truth[i] = kind == 6 ? -1 : (int32_t)j;
    }
    printf("%zu parcel addresses on %zu streets, %zu records\n", npar, nstreets, nrec);
    geo_match *m[2];
    for (int t = 1; t <= 2; t++) {
        omp_set_num_threads(t);
        double t0 = fr_clock_seconds();
        clock_t c0 = clock();
        geo_address_index *ix;
        if (geo_address_index_build(p, (int)ac, &ix, &err) != FR_OK ||
            geo_address_index_buildings(ix, rx, ry, 15.0, &err) != FR_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        double t1 = fr_clock_seconds();
        double icpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
        clock_t c1 = clock(); /* CPU time of all threads: on a machine shared with other jobs the wall
                                 clock says more about them than about the matcher */
        m[t - 1] = malloc(nrec * sizeof *m[t - 1]);
        const char *const *text = (const char *const *)r->cols[rc].str;
#pragma omp parallel for schedule(dynamic, 256)
        for (long long i = 0; i < (long long)nrec; i++)
            geo_match_address(ix, text[i], 10, &m[t - 1][i]);
        double t2 = fr_clock_seconds();
        double cpu = (double)(clock() - c1) / CLOCKS_PER_SEC;
        size_t matched = 0, wrong = 0, building = 0;
        for (size_t i = 0; i < nrec; i++) {
            const geo_match *g = &m[t - 1][i];
            if (g->parcel < 0)
                continue;
            matched++;
            building += g->method == GEO_MATCH_ADDRESS_BUILDING;
            /* right: the parcel itself, or a parcel of its address (building) */
            int ok = truth[i] >= 0 && street_of[g->parcel] == street_of[truth[i]] && num_of[g->parcel] == num_of[truth[i]];
            wrong += !ok;
        }
        if (getenv("BENCH_MISSES"))
            for (size_t i = 0; i < nrec && i < 3000; i++)
                if (truth[i] >= 0 && m[t - 1][i].parcel < 0)
                    printf("  missed %s (%s)\n", text[i], geo_unmatched_reason_name(m[t - 1][i].why));
        printf("%d thread%s: index + buildings %.2f s wall, %.2f s CPU; matching %.2f s wall, %.2f s CPU (%.2f us CPU a record); "
               "matched %.2f%% (%zu at a building), wrong %.3f%%\n",
               t, t > 1 ? "s" : "", t1 - t0, icpu, t2 - t1, cpu, 1e6 * cpu / (double)nrec, 100.0 * matched / nrec,
               building, 100.0 * wrong / nrec);
        geo_address_index_free(ix);
    }
    for (size_t i = 0; i < nrec; i++)
        if (m[0][i].parcel != m[1][i].parcel || m[0][i].method != m[1][i].method) {
            printf("DIFFERENT results at 1 and 2 threads (record %zu)\n", i);
            return 1;
        }
    printf("same results at 1 and 2 threads\n");
    free(m[0]);
    free(m[1]);
    free(truth);
    free(rx);
    free(ry);
    free(street_of);
    free(num_of);
    free(unit_of);
    geo_layer_free(p);
    geo_layer_free(r);
    return 0;
}
