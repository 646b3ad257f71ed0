/*
 * test_join_address.c — matching records to parcels by address
 * (geo_match_address, geo_address_index_build, geo_match_records in
 * geo/join/join.h): exact matches across spellings, the nearest house number on
 * the same side within the range, the ambiguity rule (two parcels share an
 * address: refused, unless ZIP or city tells them apart; a number between
 * two equally near parcels: refused), the relaxed street keys (suffix
 * misspelt or missing, directionals missing, a name one typo away) with
 * their confidences, the no-match reasons, the join order with the spatial
 * steps, a layer without geometry, and identical results with 1 and 2
 * threads.
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

#include "join.h"
#include "layer.h"

/* ---- a small street grid of parcels ------------------------------------- */

/* Parcel k is the 10 m square at (10k, 0), with this address. */
static const char *const parcel_addresses[] = {
    /*  0 */ "100 E OAK ST",
    /*  1 */ "102 E OAK ST",
    /*  2 */ "104 E OAK ST",
    /*  3 */ "101 E OAK ST",
    /*  4 */ "110 E OAK ST",  /* 106, 108 missing: a merged lot */
    /*  5 */ "100 W OAK ST",
    /*  6 */ "100 E OAK AVE", /* namesake street with another suffix */
    /*  7 */ "500 MAGNOLIA DR",
    /*  8 */ "20 ELM ST, DECATUR, GA 30030",
    /*  9 */ "20 ELM ST, ATLANTA, GA 30303", /* the same street address in another town */
    /* 10 */ "7 PINE LN",
    /* 11 */ "7 PINE LN",     /* condominium parcels sharing an address */
    /* 12 */ "200-210 CEDAR RD", /* a range on one side */
    /* 13 */ "12 BIRCH CT",
    /* 14 */ "16 BIRCH CT",
    /* 15 */ "300 N MAPLE AVE",
    /* 16 */ "5 HOLLY WAY",
    /* 17 */ "",              /* no address */
    /* 18 */ "MAIN ST",       /* no house number: not indexed */
    /* 19 */ "4275 NORTHEAST EXPY, ATLANTA, GA 30340", /* a street named after a direction */
    /* 20 */ "455 HEMLOCK DR, PINE LAKE, GA 30072",    /* a town whose name is two suffixes */
};
#define NPARCELS (sizeof parcel_addresses / sizeof parcel_addresses[0])

static geo_layer *make_parcels(void)
{
    geo_layer *p = geo_layer_new("parcels", "parcels.gpkg", "parcels", GEO_GEOM_POLYGON);
    assert_non_null(p);
    size_t idc, adc;
    assert_int_equal(geo_layer_add_column(p, "parcel_id", "PIN", GEO_COL_STRING, &idc, NULL), FR_OK);
    assert_int_equal(geo_layer_add_column(p, "address", "SITE_ADDR", GEO_COL_STRING, &adc, NULL), FR_OK);
    for (size_t k = 0; k < NPARCELS; k++) {
        size_t i;
        assert_int_equal(geo_layer_add_feature(p, (int64_t)k + 1, &i, NULL), FR_OK);
        double x0 = 10.0 * (double)k, xs[4] = {x0, x0 + 10, x0 + 10, x0}, ys[4] = {0, 0, 10, 10};
        assert_int_equal(geo_layer_add_ring(p, xs, ys, 4, 1, NULL), FR_OK);
        char id[16];
        snprintf(id, sizeof id, "P%02zu", k);
        assert_int_equal(geo_layer_set_string(p, idc, i, id, NULL), FR_OK);
        assert_int_equal(geo_layer_set_string(p, adc, i, parcel_addresses[k], NULL), FR_OK);
    }
    return p;
}

typedef struct {
    geo_layer *parcels;
    geo_address_index *ix;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->parcels = make_parcels();
    fr_error err;
    assert_int_equal(geo_address_index_build(f->parcels, 1, &f->ix, &err), FR_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    geo_address_index_free(f->ix);
    geo_layer_free(f->parcels);
    free(f);
    return 0;
}

static geo_match match(void **state, const char *text, int32_t range)
{
    fixture *f = *state;
    geo_match m;
    geo_match_address(f->ix, text, range, &m);
    return m;
}

#define assert_conf(m, c) assert_true(fabsf((m).confidence - (float)(c)) < 1e-4f)

/* ---- exact --------------------------------------------------------------- */

static void index_counts_parcels_with_a_usable_address(void **state)
{
    fixture *f = *state;
    size_t unusable = 0;
    assert_int_equal(geo_address_index_parcels(f->ix, &unusable), NPARCELS - 2);
    assert_int_equal(unusable, 1); /* "MAIN ST"; the empty one is no address at all */
}

static void exact_across_spellings(void **state)
{
    const char *spellings[] = {"102 E OAK ST", "102 e. oak street", "102 East Oak St.", "102  E OAK ST APT 4",
                               "102 E Oak St, Unit B", "102 E OAK ST, ATLANTA, GA 30303", "#3 102 E OAK ST"};
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        geo_match m = match(state, spellings[i], 10);
        if (m.parcel != 1)
            fail_msg("'%s' matched %d", spellings[i], m.parcel);
        assert_int_equal(m.method, GEO_MATCH_ADDRESS);
        assert_int_equal(m.why, GEO_UNMATCHED_NONE);
        assert_int_equal(m.number_diff, 0);
        assert_conf(m, 1.0);
        assert_true(isnan(m.distance_m));
    }
}

static void range_parcel_holds_its_side_of_the_numbers(void **state)
{
    geo_match m = match(state, "204 CEDAR RD", 0);
    assert_int_equal(m.parcel, 12);
    assert_int_equal(m.method, GEO_MATCH_ADDRESS);
    m = match(state, "210 Cedar Road", 0);
    assert_int_equal(m.parcel, 12);
    m = match(state, "205 CEDAR RD", 0); /* the other side of the street */
    assert_int_equal(m.parcel, -1);
    assert_int_equal(m.why, GEO_UNMATCHED_NO_HOUSE_NUMBER);
}

/* ---- near house numbers ------------------------------------------------- */

static void nearest_number_on_the_same_side(void **state)
{
    geo_match m = match(state, "106 E OAK ST", 10); /* 104 is 2 below, 110 4 above */
    assert_int_equal(m.parcel, 2);
    assert_int_equal(m.method, GEO_MATCH_ADDRESS_NEAR);
    assert_int_equal(m.number_diff, 2);
    assert_conf(m, 0.9 - 0.4 * 2 / 10);
    m = match(state, "109 E OAK ST", 10); /* odd: only 101 is on that side, 8 away */
    assert_int_equal(m.parcel, 3);
    assert_int_equal(m.number_diff, 8);
    m = match(state, "109 E OAK ST", 6); /* beyond the range */
    assert_int_equal(m.parcel, -1);
    assert_int_equal(m.why, GEO_UNMATCHED_NO_HOUSE_NUMBER);
    m = match(state, "106 E OAK ST", 0); /* range 0: exact only */
    assert_int_equal(m.parcel, -1);
    assert_int_equal(m.why, GEO_UNMATCHED_NO_HOUSE_NUMBER);
}

static void number_between_two_parcels_is_refused(void **state)
{
    geo_match m = match(state, "14 BIRCH CT", 10); /* 12 and 16 both 2 away */
    assert_int_equal(m.parcel, -1);
    assert_int_equal(m.method, GEO_MATCH_NONE);
    assert_int_equal(m.why, GEO_UNMATCHED_AMBIGUOUS_ADDRESS);
}

static void fraction_and_letter_are_near_not_exact(void **state)
{
    geo_match m = match(state, "102 1/2 E OAK ST", 10);
    assert_int_equal(m.parcel, 1);
    assert_int_equal(m.method, GEO_MATCH_ADDRESS_NEAR);
    assert_int_equal(m.number_diff, 0);
    assert_conf(m, 0.9);
    m = match(state, "102B E OAK ST", 10);
    assert_int_equal(m.parcel, 1);
    assert_int_equal(m.method, GEO_MATCH_ADDRESS_NEAR);
}

/* ---- ambiguity ------------------------------------------------------------ */

static void shared_address_is_refused(void **state)
{
    geo_match m = match(state, "7 PINE LN", 10);
    assert_int_equal(m.parcel, -1);
    assert_int_equal(m.why, GEO_UNMATCHED_AMBIGUOUS_ADDRESS);
}

static void namesakes_told_apart_by_zip_or_city(void **state)
{
    geo_match m = match(state, "20 ELM ST", 10);
    assert_int_equal(m.parcel, -1);
    assert_int_equal(m.why, GEO_UNMATCHED_AMBIGUOUS_ADDRESS);
    m = match(state, "20 Elm Street, Atlanta, GA 30303", 10);
    assert_int_equal(m.parcel, 9);
    assert_int_equal(m.method, GEO_MATCH_ADDRESS);
    assert_conf(m, 0.95);
    m = match(state, "20 ELM ST 30030", 10); /* no state: "30030" is not read as a ZIP */
    assert_int_equal(m.parcel, -1);
    m = match(state, "20 ELM ST, DECATUR", 10);
    assert_int_equal(m.parcel, 8);
    assert_conf(m, 0.95);
}

/* ---- relaxed streets ------------------------------------------------------ */

static void misspelt_suffix(void **state)
{
    /* WYA is one edit from WY (WAY), and HOLLY WAY exists */
    geo_match m = match(state, "5 HOLLY WYA", 10);
    assert_int_equal(m.parcel, 16);
    assert_conf(m, 0.9);
    /* DRIVEE is one edit from DRIVE (DR) and DRIVES (DRS): only MAGNOLIA DR exists */
    m = match(state, "500 MAGNOLIA DRIVEE", 10);
    assert_int_equal(m.parcel, 7);
    assert_conf(m, 0.9);
    /* RADL is a suffix itself (RADIAL) and no suffix one edit from it is
     * MAGNOLIA's: without its suffix, the street MAGNOLIA is unique */
    m = match(state, "500 MAGNOLIA RADL", 10);
    assert_int_equal(m.parcel, 7);
    assert_conf(m, 0.9);
    /* a last word near no suffix: dropped as garbled, HOLLY is unique */
    m = match(state, "5 HOLLY XQZW", 10);
    assert_int_equal(m.parcel, 16);
    assert_conf(m, 0.85);
    m = match(state, "500 MAGNOLIA DIRVE", 10);
    assert_int_equal(m.parcel, 7);
    assert_int_equal(m.method, GEO_MATCH_ADDRESS);
    assert_conf(m, 0.9);
    m = match(state, "101 E OAK STREEET", 10);
    assert_int_equal(m.parcel, 3);
    assert_conf(m, 0.9);
}

static void missing_suffix_needs_a_unique_street(void **state)
{
    geo_match m = match(state, "500 MAGNOLIA", 10);
    assert_int_equal(m.parcel, 7);
    assert_conf(m, 0.9);
    m = match(state, "100 E OAK", 10); /* E OAK ST and E OAK AVE both have a 100 */
    assert_int_equal(m.parcel, -1);
    assert_int_equal(m.why, GEO_UNMATCHED_AMBIGUOUS_ADDRESS);
    m = match(state, "102 E OAK", 10); /* only E OAK ST has a 102 */
    assert_int_equal(m.parcel, 1);
    assert_conf(m, 0.9);
}

static void missing_directional(void **state)
{
    geo_match m = match(state, "300 MAPLE AVE", 10);
    assert_int_equal(m.parcel, 15);
    assert_conf(m, 0.85);
    m = match(state, "100 OAK ST", 10); /* E OAK ST and W OAK ST */
    assert_int_equal(m.parcel, -1);
    assert_int_equal(m.why, GEO_UNMATCHED_AMBIGUOUS_ADDRESS);
    m = match(state, "300 S MAPLE AVE", 10); /* a wrong directional is not a missing one: */
    assert_int_equal(m.parcel, -1);        /* N MAPLE AVE contradicts it (issue 17) */
    assert_int_equal(m.why, GEO_UNMATCHED_UNKNOWN_STREET);
}

static void street_name_one_typo_away(void **state)
{
    geo_match m = match(state, "500 MAGNOLA DR", 10);
    assert_int_equal(m.parcel, 7);
    assert_int_equal(m.method, GEO_MATCH_ADDRESS);
    assert_conf(m, 0.75);
    m = match(state, "7 PIN LN", 10); /* 3 letters: no typo guess */
    assert_int_equal(m.parcel, -1);
    assert_int_equal(m.why, GEO_UNMATCHED_UNKNOWN_STREET);
}

static void direction_named_street_with_a_typo(void **state)
{
    /* NORTHEAST EXPY: a directional alone is the name; NORTHEAST EXXPRESSWAY
     * reads as NE + EXXPRESSWAY */
    geo_match m = match(state, "4275 Northeast Expressway", 10);
    assert_int_equal(m.parcel, 19);
    assert_conf(m, 1.0);
    m = match(state, "4275 Northeast Exxpressway", 10);
    assert_int_equal(m.parcel, 19);
    assert_conf(m, 0.85);
}

static void city_without_commas(void **state)
{
    /* the first suffix not followed by another is LAKE: the street would be
     * HEMLOCK DR PINE LK; the matcher tries the street cut earlier */
    geo_match m = match(state, "455 HEMLOCK DR PINE LAKE GA 30072", 10);
    assert_int_equal(m.parcel, 20);
    assert_int_equal(m.method, GEO_MATCH_ADDRESS);
    assert_conf(m, 0.9);
    m = match(state, "455 Hemlock Drive, Pine Lake, GA 30072", 10);
    assert_int_equal(m.parcel, 20);
    assert_conf(m, 1.0);
}

static void full_street_without_the_number_stops(void **state)
{
    /* E OAK AVE exists and has no 102 near within 1: the E OAK ST 102 must not be taken */
    geo_match m = match(state, "102 E OAK AVE", 1);
    assert_int_equal(m.parcel, -1);
    assert_int_equal(m.why, GEO_UNMATCHED_NO_HOUSE_NUMBER);
}

/* ---- no match --------------------------------------------------------------- */

static void no_match_reasons(void **state)
{
    geo_match m = match(state, "12 UNKNOWN BLVD", 10);
    assert_int_equal(m.parcel, -1);
    assert_int_equal(m.why, GEO_UNMATCHED_UNKNOWN_STREET);
    assert_conf(m, 0.0);
    m = match(state, "E OAK ST", 10);
    assert_int_equal(m.why, GEO_UNMATCHED_ADDRESS_INCOMPLETE);
    m = match(state, "123", 10);
    assert_int_equal(m.why, GEO_UNMATCHED_ADDRESS_INCOMPLETE);
    m = match(state, "  ", 10);
    assert_int_equal(m.why, GEO_UNMATCHED_NO_ID_NO_POINT);
    m = match(state, NULL, 10);
    assert_int_equal(m.why, GEO_UNMATCHED_NO_ID_NO_POINT);
    m = match(state, "9999 E OAK ST", 10);
    assert_int_equal(m.why, GEO_UNMATCHED_NO_HOUSE_NUMBER);
    geo_match_address(NULL, "100 E OAK ST", 10, &m); /* parcels without addresses */
    assert_int_equal(m.why, GEO_UNMATCHED_UNKNOWN_STREET);
}

static void names_are_stable(void **state)
{
    (void)state;
    assert_string_equal(geo_match_method_name(GEO_MATCH_ADDRESS), "address");
    assert_string_equal(geo_match_method_name(GEO_MATCH_ADDRESS_NEAR), "address_near");
    assert_string_equal(geo_match_method_name(GEO_MATCH_NONE), "unmatched");
    assert_string_equal(geo_unmatched_reason_name(GEO_UNMATCHED_AMBIGUOUS_ADDRESS), "ambiguous_address");
    assert_string_equal(geo_unmatched_reason_name(GEO_UNMATCHED_UNKNOWN_STREET), "unknown_street");
    assert_string_equal(geo_unmatched_reason_name(GEO_UNMATCHED_NO_HOUSE_NUMBER), "no_house_number");
    assert_string_equal(geo_unmatched_reason_name(GEO_UNMATCHED_ADDRESS_INCOMPLETE), "address_incomplete");
}

/* ---- the join order ------------------------------------------------------- */

typedef struct {
    const char *id, *address;
    double x, y;
} rec;

static geo_layer *make_records(const rec *r, size_t n, geo_geom_kind kind)
{
    geo_layer *l = geo_layer_new("incidents", "incidents.csv", "incidents", kind);
    assert_non_null(l);
    size_t idc, adc;
    assert_int_equal(geo_layer_add_column(l, "parcel_id", "PIN", GEO_COL_STRING, &idc, NULL), FR_OK);
    assert_int_equal(geo_layer_add_column(l, "address", "ADDR", GEO_COL_STRING, &adc, NULL), FR_OK);
    for (size_t k = 0; k < n; k++) {
        size_t i;
        assert_int_equal(geo_layer_add_feature(l, (int64_t)k + 1, &i, NULL), FR_OK);
        if (kind == GEO_GEOM_POINT)
            geo_layer_set_point(l, r[k].x, r[k].y);
        assert_int_equal(geo_layer_set_string(l, idc, i, r[k].id, NULL), FR_OK);
        assert_int_equal(geo_layer_set_string(l, adc, i, r[k].address, NULL), FR_OK);
    }
    return l;
}

static void run_steps(void **state, const geo_layer *recs, const uint8_t *steps, int nsteps, geo_match *out)
{
    fixture *f = *state;
    geo_parcel_index *pix = NULL;
    geo_id_index *ids = NULL;
    size_t *dups = NULL, ndups = 0;
    fr_error err;
    assert_int_equal(geo_parcel_index_new(f->parcels, &pix, &err), FR_OK);
    assert_int_equal(geo_id_index_build(f->parcels, 0, &ids, &dups, &ndups, &err), FR_OK);
    geo_match_spec spec = {.nsteps = nsteps, .ids = ids, .id_col = 0, .addresses = f->ix, .address_col = 1,
                           .address_range = 10, .tolerance_m = 3};
    memcpy(spec.steps, steps, (size_t)nsteps);
    assert_int_equal(geo_match_records(pix, recs, &spec, out, &err), FR_OK);
    free(dups);
    geo_id_index_free(ids);
    geo_parcel_index_free(pix);
}

static const rec order_recs[] = {
    {"P05", "102 E OAK ST", 15, 5},  /* 0: id wins over the address and the point */
    {NULL, "102 E OAK ST", 45, 5},   /* 1: address (parcel 1) wins over the point (parcel 4) */
    {NULL, "12 NOWHERE RD", 45, 5},  /* 2: unknown street, then the point: contains parcel 4 */
    {NULL, "12 NOWHERE RD", NAN, NAN}, /* 3: unknown street, no point: unknown_street */
    {"ZZ", NULL, NAN, NAN},          /* 4: unknown id only */
    {NULL, "7 PINE LN", 500, 500},   /* 5: ambiguous address, point far away: beyond_tolerance */
    {NULL, "7 PINE LN", 105, 5},     /* 6: ambiguous address, point in parcel 10: contains */
    {NULL, NULL, 211.5, 5},          /* 7: point 1.5 m beyond the last parcel: nearest */
    {NULL, NULL, NAN, NAN},          /* 8: nothing at all */
    {NULL, "7 PINE LN", NAN, NAN},   /* 9: ambiguous, nothing else: ambiguous_address */
};
#define NORDER (sizeof order_recs / sizeof order_recs[0])

static void default_order_id_address_contains_nearest(void **state)
{
    geo_layer *l = make_records(order_recs, NORDER, GEO_GEOM_POINT);
    const uint8_t steps[] = {GEO_MATCH_ID, GEO_MATCH_ADDRESS, GEO_MATCH_CONTAINS, GEO_MATCH_NEAREST};
    geo_match m[NORDER];
    run_steps(state, l, steps, 4, m);
    const struct {
        int32_t parcel;
        int method, why;
    } want[NORDER] = {
        {5, GEO_MATCH_ID, 0},
        {1, GEO_MATCH_ADDRESS, 0},
        {4, GEO_MATCH_CONTAINS, 0},
        {-1, GEO_MATCH_NONE, GEO_UNMATCHED_UNKNOWN_STREET},
        {-1, GEO_MATCH_NONE, GEO_UNMATCHED_UNKNOWN_ID},
        {-1, GEO_MATCH_NONE, GEO_UNMATCHED_BEYOND_TOLERANCE},
        {10, GEO_MATCH_CONTAINS, 0},
        {20, GEO_MATCH_NEAREST, 0},
        {-1, GEO_MATCH_NONE, GEO_UNMATCHED_NO_ID_NO_POINT},
        {-1, GEO_MATCH_NONE, GEO_UNMATCHED_AMBIGUOUS_ADDRESS},
    };
    for (size_t k = 0; k < NORDER; k++) {
        print_message("record %zu\n", k);
        assert_int_equal(m[k].parcel, want[k].parcel);
        assert_int_equal(m[k].method, want[k].method);
        assert_int_equal(m[k].why, want[k].why);
    }
    assert_conf(m[0], 1.0);
    assert_conf(m[2], 0.9);
    assert_true(m[7].confidence < 0.8f && m[7].confidence > 0.5f);
    assert_true(fabs(m[7].distance_m - 1.5) < 1e-9);
    geo_layer_free(l);
}

static void configured_order_is_followed(void **state)
{
    geo_layer *l = make_records(order_recs, NORDER, GEO_GEOM_POINT);
    /* the point first: record 1 goes to the parcel containing it */
    const uint8_t spatial_first[] = {GEO_MATCH_CONTAINS, GEO_MATCH_ADDRESS};
    geo_match m[NORDER];
    run_steps(state, l, spatial_first, 2, m);
    assert_int_equal(m[1].parcel, 4);
    assert_int_equal(m[1].method, GEO_MATCH_CONTAINS);
    assert_int_equal(m[0].parcel, 1); /* no id step: its point is in parcel 1 */
    assert_int_equal(m[3].why, GEO_UNMATCHED_UNKNOWN_STREET);
    assert_int_equal(m[7].why, GEO_UNMATCHED_BEYOND_TOLERANCE); /* no nearest step */
    /* address only */
    const uint8_t address_only[] = {GEO_MATCH_ADDRESS};
    run_steps(state, l, address_only, 1, m);
    assert_int_equal(m[2].parcel, -1);
    assert_int_equal(m[2].why, GEO_UNMATCHED_UNKNOWN_STREET);
    assert_int_equal(m[6].why, GEO_UNMATCHED_AMBIGUOUS_ADDRESS);
    assert_int_equal(m[4].why, GEO_UNMATCHED_NO_ID_NO_POINT); /* the id is not looked at */
    geo_layer_free(l);
}

/* A CSV export with addresses and no geometry column at all. */
static void layer_without_geometry(void **state)
{
    geo_layer *l = make_records(order_recs, NORDER, GEO_GEOM_NONE);
    const uint8_t steps[] = {GEO_MATCH_ID, GEO_MATCH_ADDRESS, GEO_MATCH_CONTAINS, GEO_MATCH_NEAREST};
    geo_match m[NORDER];
    run_steps(state, l, steps, 4, m);
    assert_int_equal(m[1].parcel, 1);
    assert_int_equal(m[2].why, GEO_UNMATCHED_UNKNOWN_STREET); /* no point to fall back on */
    assert_int_equal(m[6].why, GEO_UNMATCHED_AMBIGUOUS_ADDRESS);
    assert_int_equal(m[7].why, GEO_UNMATCHED_NO_ID_NO_POINT);
    geo_layer_free(l);
}

/* Many records, each result the same with 1 and 2 threads. */
static void same_result_at_any_thread_count(void **state)
{
    enum { N = 3000 };
    rec *r = calloc(N, sizeof *r);
    char (*text)[40] = calloc(N, sizeof *text);
    static const char *const streets[] = {"E OAK ST", "e oak", "W. Oak Street", "BIRCH CT", "Magnola Dr",
                                          "CEDAR RD", "PINE LN", "Nowhere Ave", "E OAK AVENEU"};
    for (int k = 0; k < N; k++) {
        snprintf(text[k], sizeof text[k], "%d %s", 90 + k % 130, streets[k % 9]);
        r[k] = (rec){NULL, text[k], k % 3 ? 5.0 + (k % 200) : NAN, 5};
    }
    geo_layer *l = make_records(r, N, GEO_GEOM_POINT);
    const uint8_t steps[] = {GEO_MATCH_ADDRESS, GEO_MATCH_CONTAINS, GEO_MATCH_NEAREST};
    geo_match *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    run_steps(state, l, steps, 3, a);
    omp_set_num_threads(2);
    run_steps(state, l, steps, 3, b);
    omp_set_num_threads(saved);
    size_t by_address = 0;
    for (int k = 0; k < N; k++) {
        assert_int_equal(a[k].parcel, b[k].parcel);
        assert_int_equal(a[k].method, b[k].method);
        assert_int_equal(a[k].why, b[k].why);
        assert_true(a[k].confidence == b[k].confidence);
        by_address += a[k].method == GEO_MATCH_ADDRESS || a[k].method == GEO_MATCH_ADDRESS_NEAR;
    }
    print_message("%zu of %d by address\n", by_address, N);
    assert_true(by_address > N / 20);
    geo_layer_free(l);
    free(a);
    free(b);
    free(r);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_counts_parcels_with_a_usable_address),
        cmocka_unit_test(exact_across_spellings),
        cmocka_unit_test(range_parcel_holds_its_side_of_the_numbers),
        cmocka_unit_test(nearest_number_on_the_same_side),
        cmocka_unit_test(number_between_two_parcels_is_refused),
        cmocka_unit_test(fraction_and_letter_are_near_not_exact),
        cmocka_unit_test(shared_address_is_refused),
        cmocka_unit_test(namesakes_told_apart_by_zip_or_city),
        cmocka_unit_test(misspelt_suffix),
        cmocka_unit_test(missing_suffix_needs_a_unique_street),
        cmocka_unit_test(missing_directional),
        cmocka_unit_test(street_name_one_typo_away),
        cmocka_unit_test(direction_named_street_with_a_typo),
        cmocka_unit_test(city_without_commas),
        cmocka_unit_test(full_street_without_the_number_stops),
        cmocka_unit_test(no_match_reasons),
        cmocka_unit_test(names_are_stable),
        cmocka_unit_test(default_order_id_address_contains_nearest),
        cmocka_unit_test(configured_order_is_followed),
        cmocka_unit_test(layer_without_geometry),
        cmocka_unit_test(same_result_at_any_thread_count),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
