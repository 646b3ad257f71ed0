/*
 * test_address_buildings.c — issue 17 of the address matcher
 * (geo/join/join_address.c, join_address_dict.c, geo/address/address_index.c):
 * never a wrong parcel for a right reason (a directional, unit or house
 * number the record states and the parcel contradicts rules the parcel
 * out; units in any Publication 28 form compare as sets; the near-number
 * step only on the same side and block), buildings (parcels sharing one
 * address at one place), and the street dictionary reading of free-form
 * addresses (a town without commas, a unit or landmark after the street,
 * text before the number, a spelled number).  Each refusal has its test.
 *
 * The spellings are written in the style of real strings: the usaddress
 * test data (datamade/usaddress, measure_performance/test_data), the
 * Pittsburgh dispatch addresses and the NFIRS patterns of issue 17.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address_norm.h"
#include "join.h"
#include "layer.h"

/* Parcel k: its address and its representative point. */
static const struct {
    const char *address;
    double x, y;
} parcels[] = {
    /*  0 */ {"100 W MAIN ST", 0, 0},
    /*  1 */ {"230 4TH ST SW", 100, 0},
    /*  2 */ {"220 CLOVER RD UNIT A&B", 200, 0},
    /*  3 */ {"212 CLOVER RD", 210, 0},
    /*  4 */ {"12 OAK ST UNIT 1", 300, 0},     /* condominium parcels of one building */
    /*  5 */ {"12 OAK ST UNIT 2", 300.5, 0},
    /*  6 */ {"40 ELM AVE", 400, 0},           /* a building without units on the roll */
    /*  7 */ {"40 ELM AVE", 401, 0},
    /*  8 */ {"40 ELM AVE", 402, 0},
    /*  9 */ {"7 BIRCH LN", 500, 0},           /* namesakes 5 km apart: two towns */
    /* 10 */ {"7 BIRCH LN", 5500, 0},
    /* 11 */ {"1000 GRAVENSTEIN HWY N", 600, 0},
    /* 12 */ {"1000 GRAVENSTEIN HWY S", 700, 0},
    /* 13 */ {"1700 ELM ST", 800, 0},
    /* 14 */ {"1200 AVE OF THE AMERICAS", 900, 0},
    /* 15 */ {"1 S DEARBORN ST", 1000, 0},
    /* 16 */ {"W150 N9700 TREE TOPS DR", 1100, 0},
    /* 17 */ {"4922B S CORNELL AVE", 1200, 0},
    /* 18 */ {"220 9TH ST", 1300, 0},
    /* 19 */ {"198 PEACH ST", 1400, 0},       /* the last of its block */
    /* 20 */ {"1918-20 HILL ST", 1500, 0},    /* an assessor's short range */
    /* 21 */ {"55 COUNTY RD MM", 1600, 0},
    /* 22 */ {"8 UNIT C LN APT 1", 1700, 0},  /* unit 1 alone on the roll */
    /* 23 */ {"30 WILLOW HL", 1800, 0},
    /* 24 */ {"1306 N CLIFF VALLEY WAY NE", 1900, 0}, /* DeKalb County's roll */
    /* 25 */ {"2211 DRESDEN DR NE", 2000, 0},
    /* 26 */ {"2213 DRESDEN DR", 2100, 0},
    /* 27 */ {"2607 W MEADOW LN", 2200, 0},     /* MEADOW is a suffix word too */
    /* 28 */ {"2607 W MEADOW DR", 2300, 0},
    /* 29 */ {"310A PLUM ST", 2400, 0},
};
#define NP (sizeof parcels / sizeof parcels[0])

typedef struct {
    geo_layer *layer;
    geo_address_index *ix;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->layer = geo_layer_new("parcels", "parcels.gpkg", "parcels", GEO_GEOM_POLYGON);
    size_t idc, adc;
    assert_int_equal(geo_layer_add_column(f->layer, "parcel_id", "PIN", GEO_COL_STRING, &idc, NULL), FR_OK);
    assert_int_equal(geo_layer_add_column(f->layer, "address", "SITE_ADDR", GEO_COL_STRING, &adc, NULL), FR_OK);
    double rx[NP], ry[NP];
    for (size_t k = 0; k < NP; k++) {
        size_t i;
        assert_int_equal(geo_layer_add_feature(f->layer, (int64_t)k + 1, &i, NULL), FR_OK);
        double x0 = parcels[k].x, xs[4] = {x0, x0 + 0.4, x0 + 0.4, x0}, ys[4] = {0, 0, 0.4, 0.4};
        assert_int_equal(geo_layer_add_ring(f->layer, xs, ys, 4, 1, NULL), FR_OK);
        char id[16];
        snprintf(id, sizeof id, "P%02zu", k);
        assert_int_equal(geo_layer_set_string(f->layer, idc, i, id, NULL), FR_OK);
        assert_int_equal(geo_layer_set_string(f->layer, adc, i, parcels[k].address, NULL), FR_OK);
        rx[k] = parcels[k].x;
        ry[k] = parcels[k].y;
    }
    fr_error err;
    assert_int_equal(geo_address_index_build(f->layer, (int)adc, &f->ix, &err), FR_OK);
    assert_int_equal(geo_address_index_buildings(f->ix, rx, ry, 25.0, &err), FR_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    geo_address_index_free(f->ix);
    geo_layer_free(f->layer);
    free(f);
    return 0;
}

static geo_match match(void **state, const char *text)
{
    fixture *f = *state;
    geo_match m;
    geo_match_address(f->ix, text, 10, &m);
    return m;
}

static void expect(void **state, const char *text, int parcel, int method)
{
    geo_match m = match(state, text);
    if (m.parcel != parcel || m.method != method)
        fail_msg("'%s': parcel %d method %s (%s), want parcel %d method %s", text, m.parcel,
                 geo_match_method_name(m.method), geo_unmatched_reason_name(m.why), parcel,
                 geo_match_method_name(method));
}

static void refused(void **state, const char *text, int why)
{
    geo_match m = match(state, text);
    if (m.parcel != -1 || m.why != why)
        fail_msg("'%s': parcel %d (%s), want refused as %s", text, m.parcel, geo_unmatched_reason_name(m.why),
                 geo_unmatched_reason_name(why));
}

/* ---- 0. never a wrong parcel for a right reason -------------------------- */

static void contradicting_directional_is_refused(void **state)
{
    refused(state, "100 E Main St", GEO_UNMATCHED_UNKNOWN_STREET); /* only W MAIN ST */
    refused(state, "230 4th St NW", GEO_UNMATCHED_UNKNOWN_STREET); /* only 4TH ST SW */
    expect(state, "100 Main St", 0, GEO_MATCH_ADDRESS);             /* missing is not contradicting */
    expect(state, "100 West Main Street", 0, GEO_MATCH_ADDRESS);
    /* a comma before the post-directional: the directional, not the town */
    expect(state, "1000 Gravenstein Hwy, N Sebastopol CA", 11, GEO_MATCH_ADDRESS);
    expect(state, "1000 Gravenstein Hwy S, Sebastopol, CA 95472", 12, GEO_MATCH_ADDRESS);
    refused(state, "1000 Gravenstein Hwy", GEO_UNMATCHED_AMBIGUOUS_ADDRESS); /* N or S: no guess */
    /* pre- and post-directionals compare each with its own kind */
    refused(state, "1306 S Cliff Valley Way NE", GEO_UNMATCHED_UNKNOWN_STREET);
    expect(state, "1306 Cliff Valley Way", 24, GEO_MATCH_ADDRESS);
    /* a namesake ruled out by its directional: no near number on the
     * other street (the record's 2211 is the namesake's number) */
    refused(state, "2211 Dresden Dr SW", GEO_UNMATCHED_NO_HOUSE_NUMBER);
    expect(state, "2211 Dresden Dr NE", 25, GEO_MATCH_ADDRESS);
}

static void units_in_any_pub28_form(void **state)
{
    char k[16];
    const char *same[] = {"UNIT A&B", "UNIT AB", "APT A-B", "UNIT B&A", "# AB"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        geo_address_unit_key(same[i], k, sizeof k);
        assert_string_equal(k, "A&B");
    }
    geo_address_unit_key("UNIT 1&2", k, sizeof k);
    assert_string_equal(k, "1&2");
    geo_address_unit_key("APT 04", k, sizeof k);
    assert_string_equal(k, "4");
    geo_address_unit_key("BLDG 3 APT 4", k, sizeof k);
    assert_string_equal(k, "4"); /* the building is not the unit */
    assert_int_equal(geo_address_units_compare("A", "A&B"), 1);
    assert_int_equal(geo_address_units_compare("1", "2"), -1);
    assert_int_equal(geo_address_units_compare("", "2"), 0);
    /* a home written "UNIT A&B" is found by a record without a unit, or
     * with either unit: never the neighbour at 212 */
    expect(state, "220 Clover Rd", 2, GEO_MATCH_ADDRESS);
    expect(state, "220 CLOVER RD APT B", 2, GEO_MATCH_ADDRESS);
    expect(state, "220 Clover Rd Unit AB", 2, GEO_MATCH_ADDRESS);
    refused(state, "220 Clover Rd Unit C", GEO_UNMATCHED_UNIT_MISMATCH);
    refused(state, "8 UNIT C LN APT 2", GEO_UNMATCHED_UNIT_MISMATCH);
    expect(state, "8 UNIT C LN APT 1", 22, GEO_MATCH_ADDRESS);
}

static void near_number_only_on_its_block(void **state)
{
    /* 200 is on the next block from 198: no near match across the hundred */
    refused(state, "200 PEACH ST", GEO_UNMATCHED_NO_HOUSE_NUMBER);
    geo_match m = match(state, "196 PEACH ST");
    assert_int_equal(m.parcel, 19);
    assert_int_equal(m.method, GEO_MATCH_ADDRESS_NEAR);
    refused(state, "197 PEACH ST", GEO_UNMATCHED_NO_HOUSE_NUMBER); /* the other side */
    /* a letter the record states contradicts another letter, not a plain number */
    refused(state, "310B Plum St", GEO_UNMATCHED_NO_HOUSE_NUMBER);
    expect(state, "310 Plum St", 29, GEO_MATCH_ADDRESS_NEAR);
    /* a grid number is exact or nothing */
    refused(state, "W152 N9700 TREE TOPS DR", GEO_UNMATCHED_NO_HOUSE_NUMBER);
}

static void master_list_marks_addresses_that_are_not_homes(void **state)
{
    fixture *f = *state;
    /* the city's master address list: the homes and a shop at 214 */
    geo_layer *l = geo_layer_new("addresses", "addresses.csv", "addresses", GEO_GEOM_NONE);
    size_t c;
    assert_int_equal(geo_layer_add_column(l, "address", "ADDR", GEO_COL_STRING, &c, NULL), FR_OK);
    const char *list[] = {"212 CLOVER RD", "214 CLOVER RD", "220 CLOVER RD", "40 ELM AVE"};
    for (size_t k = 0; k < 4; k++) {
        size_t i;
        assert_int_equal(geo_layer_add_feature(l, (int64_t)k + 1, &i, NULL), FR_OK);
        assert_int_equal(geo_layer_set_string(l, c, i, list[k], NULL), FR_OK);
    }
    geo_address_index *known;
    fr_error err;
    assert_int_equal(geo_address_index_build(l, (int)c, &known, &err), FR_OK);
    geo_match m;
    geo_match_address(f->ix, "214 Clover Rd", 10, &m); /* without the list: the neighbour at 212 */
    assert_int_equal(m.method, GEO_MATCH_ADDRESS_NEAR);
    geo_match_address_known(f->ix, known, "214 Clover Rd", 10, &m);
    assert_int_equal(m.parcel, -1);
    assert_int_equal(m.why, GEO_UNMATCHED_NOT_A_HOME);
    assert_string_equal(geo_unmatched_reason_name(m.why), "not_a_home");
    geo_match_address_known(f->ix, known, "210 Clover Rd", 10, &m); /* not on the list: near as before */
    assert_int_equal(m.method, GEO_MATCH_ADDRESS_NEAR);
    geo_match_address_known(f->ix, known, "212 Clover Rd", 10, &m); /* a home */
    assert_int_equal(m.parcel, 3);
    geo_match_address_known(f->ix, known, "40 Elm Ave", 10, &m);
    assert_int_equal(m.method, GEO_MATCH_ADDRESS_BUILDING);
    geo_address_index_free(known);
    geo_layer_free(l);
}

/* ---- 1. buildings -------------------------------------------------------- */

static void shared_address_at_one_place_is_a_building(void **state)
{
    fixture *f = *state;
    geo_match m = match(state, "40 Elm Ave");
    assert_int_equal(m.parcel, 6); /* the building's first parcel */
    assert_int_equal(m.method, GEO_MATCH_ADDRESS_BUILDING);
    assert_int_equal(m.candidates, 3);
    assert_string_equal(geo_match_method_name(m.method), "address_building");
    int32_t nb;
    size_t sharing, in_buildings;
    const int32_t *b = geo_address_index_building_of(f->ix, &nb, &sharing, &in_buildings);
    assert_non_null(b);
    assert_int_equal(nb, 2);            /* 12 OAK ST and 40 ELM AVE */
    assert_int_equal(sharing, 7);       /* and the two BIRCH LN far apart */
    assert_int_equal(in_buildings, 5);
    assert_int_equal(b[6], b[7]);
    assert_int_equal(b[6], b[8]);
    assert_true(b[4] >= 0 && b[4] == b[5] && b[4] != b[6]);
    assert_int_equal(b[9], -1);
    assert_int_equal(b[0], -1);
    char street[64];
    assert_string_equal(geo_address_index_street(f->ix, m.street, street, sizeof street), "ELM AVE");
}

static void unit_picks_the_condominium_parcel(void **state)
{
    expect(state, "12 Oak St Unit 2", 5, GEO_MATCH_ADDRESS);
    expect(state, "12 OAK ST APT 1", 4, GEO_MATCH_ADDRESS);
    expect(state, "12 Oak St", 4, GEO_MATCH_ADDRESS_BUILDING);
    refused(state, "12 Oak St Unit 3", GEO_UNMATCHED_UNIT_MISMATCH);
}

static void namesakes_far_apart_are_still_refused(void **state)
{
    refused(state, "7 Birch Ln", GEO_UNMATCHED_AMBIGUOUS_ADDRESS);
}

/* ---- 2./3. the street dictionary, units and numbers anywhere -------------- */

static void town_and_more_after_the_street(void **state)
{
    const char *texts[] = {
        "1700 Elm Street Glenview",
        "1700 ELM ST GLENVIEW IL 60025",
        "1700 Elm Street Forest Park, Georgia 30297",
        "1700 ELM ST CHICAGO IL 606011234 United States",
        "1700 Elm St 15th Floor",
        "1700 Elm St, 15th Floor, Chicago",
        "1700 Elm St Lobby",
        "1700 ELM ST NO 2202",
        "1700 Elm St 600",
        "1700 Elm St Ste 600 P.O. Box 5000",
        "ATTN: Accounts Payable 1700 Elm St",
        "Acme Corp, 1700 Elm St., Glenview",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        expect(state, texts[i], 13, GEO_MATCH_ADDRESS);
    expect(state, "30 Willow Hill Saint Louis MO 631242055", 23, GEO_MATCH_ADDRESS);
    expect(state, "220 Ninth Stret Charlottesville VA 22900-1234", 18, GEO_MATCH_ADDRESS);
    expect(state, "220 Ninth Stret", 18, GEO_MATCH_ADDRESS);
    /* the town's start guessed after MEADOW finds W MEADOW LN and DR both:
     * the dictionary reads the street the record means */
    expect(state, "2607 W MEADOW LANS TUCKER GA 30099-7525", 27, GEO_MATCH_ADDRESS);
    refused(state, "2607 W MEADOW TUCKER GA 30099-7525", GEO_UNMATCHED_AMBIGUOUS_ADDRESS);
    /* a street the parcels lack stays unknown, whatever follows it */
    refused(state, "1700 Poplar Street Glenview", GEO_UNMATCHED_UNKNOWN_STREET);
    refused(state, "ATTN Accounts Payable 1751 Elm St", GEO_UNMATCHED_NO_HOUSE_NUMBER);
}

static void numbers_written_otherwise(void **state)
{
    expect(state, "41st floor 1200 ave of the americas", 14, GEO_MATCH_ADDRESS);
    expect(state, "1200 Avenue of the Americas", 14, GEO_MATCH_ADDRESS);
    expect(state, "One S. Dearborn St.", 15, GEO_MATCH_ADDRESS);
    expect(state, "W150 N9700 Tree Tops Dr", 16, GEO_MATCH_ADDRESS);
    expect(state, "4922 B South Cornell Ave", 17, GEO_MATCH_ADDRESS);
    expect(state, "1920 Hill St", 20, GEO_MATCH_ADDRESS);
    refused(state, "1919 Hill St", GEO_UNMATCHED_NO_HOUSE_NUMBER); /* the other side: not in the range */
    expect(state, "55 County Road MM", 21, GEO_MATCH_ADDRESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contradicting_directional_is_refused),
        cmocka_unit_test(units_in_any_pub28_form),
        cmocka_unit_test(near_number_only_on_its_block),
        cmocka_unit_test(master_list_marks_addresses_that_are_not_homes),
        cmocka_unit_test(shared_address_at_one_place_is_a_building),
        cmocka_unit_test(unit_picks_the_condominium_parcel),
        cmocka_unit_test(namesakes_far_apart_are_still_refused),
        cmocka_unit_test(town_and_more_after_the_street),
        cmocka_unit_test(numbers_written_otherwise),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
