/*
 * test_address_corpus.c — the address matcher on real US address strings
 * from many sources (tests/fixtures/addresses/usaddress_strings.tsv: the
 * usaddress parser's public test and training data, see its header), each
 * with the address an assessor's roll would give the place.
 *
 * The parcels are the expected addresses, far apart (no buildings), less
 * every eighth one, held out: a record of a held-out address must stay
 * unmatched (no absent address matched).  Every other record must match
 * its own parcel or none (no wrong match), and at least 95% must match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"
#include "layer.h"

#define MAXREC 512

static char raw[MAXREC][256], expected[MAXREC][96];
static int nrec;

static int load(void)
{
    const char *dir = getenv("FIRERISK_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/addresses/usaddress_strings.tsv", dir ? dir : "tests/fixtures");
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    char line[512];
    while (fgets(line, sizeof line, fp) && nrec < MAXREC) {
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        if (strlen(line) >= sizeof raw[0] || strlen(tab + 1) >= sizeof expected[0])
            continue;
        memcpy(raw[nrec], line, strlen(line) + 1);
        memcpy(expected[nrec], tab + 1, strlen(tab + 1) + 1);
        nrec++;
    }
    fclose(fp);
    return nrec;
}

static void real_strings_match_their_parcel_or_none(void **state)
{
    (void)state;
    assert_true(load() > 100);
    /* distinct expected addresses: the parcels (every eighth held out) */
    static char uniq[MAXREC][96];
    int nu = 0, parcel_of[MAXREC];
    for (int r = 0; r < nrec; r++) {
        int k = 0;
        while (k < nu && strcmp(uniq[k], expected[r]) != 0)
            k++;
        if (k == nu)
            memcpy(uniq[nu++], expected[r], sizeof uniq[0]);
        parcel_of[r] = k;
    }
    geo_layer *p = geo_layer_new("parcels", "parcels.gpkg", "parcels", GEO_GEOM_POLYGON);
    size_t adc;
    assert_int_equal(geo_layer_add_column(p, "address", "SITE_ADDR", GEO_COL_STRING, &adc, NULL), FR_OK);
    double rx[MAXREC], ry[MAXREC];
    for (int k = 0; k < nu; k++) {
        size_t i;
        assert_int_equal(geo_layer_add_feature(p, k + 1, &i, NULL), FR_OK);
        double x0 = 1000.0 * k, xs[4] = {x0, x0 + 10, x0 + 10, x0}, ys[4] = {0, 0, 10, 10};
        assert_int_equal(geo_layer_add_ring(p, xs, ys, 4, 1, NULL), FR_OK);
        int held_out = k % 8 == 7;
        assert_int_equal(geo_layer_set_string(p, adc, i, held_out ? NULL : uniq[k], NULL), FR_OK);
        rx[k] = x0;
        ry[k] = 0;
    }
    geo_address_index *ix;
    fr_error err;
    assert_int_equal(geo_address_index_build(p, (int)adc, &ix, &err), FR_OK);
    assert_int_equal(geo_address_index_buildings(ix, rx, ry, 25.0, &err), FR_OK);
    int present = 0, matched = 0, wrong = 0, absent = 0, absent_matched = 0;
    for (int r = 0; r < nrec; r++) {
        geo_match m;
        geo_match_address(ix, raw[r], 10, &m);
        int held_out = parcel_of[r] % 8 == 7;
        if (held_out) {
            absent++;
            if (m.parcel >= 0) {
                absent_matched++;
                print_message("ABSENT MATCHED '%s' -> '%s'\n", raw[r], uniq[m.parcel]);
            }
            continue;
        }
        present++;
        if (m.parcel == parcel_of[r]) {
            matched++;
        } else if (m.parcel >= 0) {
            wrong++;
            print_message("WRONG '%s' -> '%s' (want '%s')\n", raw[r], uniq[m.parcel], expected[r]);
        } else {
            print_message("missed '%s' (%s; want '%s')\n", raw[r], geo_unmatched_reason_name(m.why), expected[r]);
        }
    }
    print_message("%d records of present addresses: %d matched (%.1f%%), %d wrong; %d of absent ones, %d matched\n",
                  present, matched, 100.0 * matched / present, wrong, absent, absent_matched);
    assert_int_equal(wrong, 0);
    assert_int_equal(absent_matched, 0);
    assert_true(matched * 100 >= present * 95);
    geo_address_index_free(ix);
    geo_layer_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_strings_match_their_parcel_or_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
