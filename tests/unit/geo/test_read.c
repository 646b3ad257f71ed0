/*
 * test_read.c — the reader on small files written at test time: WKT and
 * lon/lat CSV, field mapping (case-insensitive, listing what exists when a
 * field is missing), missing layer, missing file, no CRS, unparsable dates
 * and numbers, wrong geometry types rejected (validity: test_validate.c);
 * homes given as points (points_allowed): points and multipoints taken, a
 * mixed layer's kind decided by its first geometry, the other kind rejected.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dates.h"
#include "read.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    geo_init();
    snprintf(dir, sizeof dir, "/tmp/fr_read_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

static const char *parcels_csv =
    "id,ADDR,yr,vacant,wkt\n"
    "P1,1 OAK ST,1921,Y,\"POLYGON((0 0,10 0,10 10,0 10,0 0))\"\n"
    "P2,2 OAK ST,unknown,N,\"POLYGON((20 0,30 0,30 10,20 10,20 0))\"\n"
    "P3,3 OAK ST,1950,N,\"POLYGON((0 0,10 10,10 0,0 10,0 0))\"\n" /* bow-tie: kept (repaired later) */
    "P4,4 OAK ST,1960,N,\"LINESTRING(0 0,1 1)\"\n"                 /* wrong type: rejected */
    "P5,5 OAK ST,1970,N,\"POLYGON((0 0,1 0\"\n"                     /* broken WKT: rejected */
    "P6,6 OAK ST,1980,N,\n";                                        /* no geometry: rejected */

static void wkt_csv_with_mapping(void **state)
{
    (void)state;
    const char *path = write_file("parcels.csv", parcels_csv);
    geo_field_spec fields[] = {{"parcel_id", "ID", GEO_COL_STRING, 1, 0},
                               {"address", "addr", GEO_COL_STRING, 0, 0},
                               {"year_built", "YR", GEO_COL_NUMBER, 0, 0},
                               {"vacant", "vacant", GEO_COL_NUMBER, 0, 1}};
    geo_read_spec spec = {.role = "parcels", .source = path, .crs = "EPSG:32616", .wkt_field = "wkt",
                          .kind = GEO_GEOM_POLYGON, .geometry_required = 1, .fields = fields, .nfields = 4};
    geo_layer *l = NULL;
    geo_read_stats st;
    geo_rejects rej = {0}, warn = {0};
    fr_error err = {0};
    assert_int_equal(geo_read_layer(&spec, &l, &st, &rej, &warn, &err), FR_OK);
    assert_int_equal(st.read, 6);
    assert_int_equal(st.kept, 3);
    assert_int_equal(st.rejected, 3);
    assert_int_equal(l->count, 3);
    assert_string_equal(l->cols[0].str[0], "P1");
    assert_string_equal(l->cols[1].str[1], "2 OAK ST");
    assert_true(l->cols[2].num[0] == 1921);
    assert_true(isnan(l->cols[2].num[1])); /* "unknown" -> missing, with a warning */
    assert_true(l->cols[3].num[0] == 1 && l->cols[3].num[1] == 0);
    assert_string_equal(l->cols[0].str[2], "P3");
    assert_true(geo_layer_has_geometry(l, 2));
    assert_true(l->bbox[0] == 0 && l->bbox[2] == 10);
    assert_int_equal(rej.count, 3);
    assert_string_equal(rej.items[0].reason, "wrong_geometry_type");
    assert_non_null(strstr(rej.items[0].detail, "Line String"));
    assert_string_equal(rej.items[1].reason, "invalid_geometry");
    assert_string_equal(rej.items[2].reason, "no_geometry");
    assert_non_null(strstr(rej.items[2].detail, "parcels.csv"));
    int unparsable = 0;
    for (size_t i = 0; i < warn.count; i++)
        unparsable += !strcmp(warn.items[i].reason, "unparsable_number");
    assert_int_equal(unparsable, 1);
    geo_layer_free(l);
    geo_rejects_clear(&rej);
    geo_rejects_clear(&warn);
}

static void lonlat_csv_dates(void **state)
{
    (void)state;
    const char *path = write_file("incidents.csv",
                                  "when,lon,lat,type\n"
                                  "1/16/09,-84.39,33.75,111\n"
                                  "2021-02-30,-84.39,33.75,111\n" /* no such day: rejected */
                                  "2020-05-01,,,113\n"            /* no location: kept, no geometry */
                                  "2020-05-01,abc,33.7,113\n");   /* bad coordinate: rejected */
    geo_field_spec fields[] = {{"date", "when", GEO_COL_DATE, 1, 0}, {"incident_type", "type", GEO_COL_STRING, 0, 0}};
    geo_read_spec spec = {.role = "incidents", .source = path, .crs = "EPSG:4326", .x_field = "lon",
                          .y_field = "lat", .kind = GEO_GEOM_POINT, .fields = fields, .nfields = 2};
    geo_layer *l = NULL;
    geo_read_stats st;
    geo_rejects rej = {0}, warn = {0};
    fr_error err = {0};
    assert_int_equal(geo_read_layer(&spec, &l, &st, &rej, &warn, &err), FR_OK);
    assert_int_equal(st.read, 4);
    assert_int_equal(l->count, 2);
    assert_int_equal(st.no_geometry, 1);
    assert_int_equal(l->cols[0].date[0], fr_days_from_civil(2009, 1, 16));
    assert_true(fabs(l->x[0] - -84.39) < 1e-12 && fabs(l->y[0] - 33.75) < 1e-12);
    assert_true(isnan(l->x[1]));
    assert_int_equal(rej.count, 2);
    assert_string_equal(rej.items[0].reason, "unparsable_date");
    assert_non_null(strstr(rej.items[0].detail, "2021-02-30"));
    assert_non_null(strstr(rej.items[0].detail, "field when"));
    assert_string_equal(rej.items[1].reason, "unparsable_coordinates");
    geo_layer_free(l);
    geo_rejects_clear(&rej);
    geo_rejects_clear(&warn);
}

static fr_status read_expecting_failure(geo_read_spec *spec, fr_error *err)
{
    geo_layer *l = NULL;
    geo_read_stats st;
    geo_rejects rej = {0}, warn = {0};
    fr_status s = geo_read_layer(spec, &l, &st, &rej, &warn, err);
    assert_null(l);
    geo_rejects_clear(&rej);
    geo_rejects_clear(&warn);
    return s;
}

static void whole_source_problems(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s", write_file("p2.csv", parcels_csv));
    geo_field_spec missing[] = {{"parcel_id", "PIN", GEO_COL_STRING, 1, 0}};
    geo_read_spec spec = {.role = "parcels", .source = path, .crs = "EPSG:32616", .wkt_field = "wkt",
                          .kind = GEO_GEOM_POLYGON, .geometry_required = 1, .fields = missing, .nfields = 1};
    fr_error err = {0};
    /* a missing field: the message lists the fields that exist */
    assert_int_equal(read_expecting_failure(&spec, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "'PIN'"));
    assert_non_null(strstr(err.message, "'ADDR'"));
    /* no CRS in the source and none configured */
    geo_field_spec ok[] = {{"parcel_id", "id", GEO_COL_STRING, 1, 0}};
    spec.fields = ok;
    spec.crs = NULL;
    assert_int_equal(read_expecting_failure(&spec, &err), FR_E_INPUT);
    assert_non_null(strstr(err.message, "no CRS"));
    /* a layer that is not there: the message lists the layers */
    spec.crs = "EPSG:32616";
    spec.layer = "parcels_2024";
    assert_int_equal(read_expecting_failure(&spec, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "'p2'"));
    /* a missing file */
    spec.layer = NULL;
    char nofile[300];
    snprintf(nofile, sizeof nofile, "%s/nope.gpkg", dir);
    spec.source = nofile;
    assert_int_equal(read_expecting_failure(&spec, &err), FR_E_INPUT);
    assert_non_null(strstr(err.message, "nope.gpkg"));
    /* a file GDAL cannot read */
    spec.source = write_file("garbage.shp", "this is not a shapefile");
    assert_int_equal(read_expecting_failure(&spec, &err), FR_E_INPUT);
    assert_non_null(strstr(err.message, "garbage.shp"));
    /* an invalid where filter */
    spec.source = path;
    spec.where = "yr >>> 3";
    assert_int_equal(read_expecting_failure(&spec, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "where"));
}

/* ---- homes given as points ---------------------------------------------- */

/* Reads the homes CSV (WKT column) as the run reads layers.parcels. */
static geo_layer *read_homes(const char *name, const char *csv, geo_read_stats *st, geo_rejects *rej)
{
    const char *path = write_file(name, csv);
    geo_field_spec fields[] = {{"parcel_id", "id", GEO_COL_STRING, 1, 0}};
    geo_read_spec spec = {.role = "parcels", .source = path, .crs = "EPSG:32616", .wkt_field = "wkt",
                          .kind = GEO_GEOM_POLYGON, .points_allowed = 1, .geometry_required = 1,
                          .fields = fields, .nfields = 1};
    geo_layer *l = NULL;
    geo_rejects warn = {0};
    fr_error err = {0};
    if (geo_read_layer(&spec, &l, st, rej, &warn, &err) != FR_OK)
        fail_msg("%s", err.message);
    geo_rejects_clear(&warn);
    return l;
}

static void reader_takes_points_and_multipoints(void **state)
{
    (void)state;
    geo_read_stats st;
    geo_rejects rej = {0};
    geo_layer *l = read_homes("points.csv",
                              "id,wkt\n"
                              "H1,POINT (10 20)\n"
                              "H2,\"MULTIPOINT ((30 40),(50 60))\"\n"       /* its first point */
                              "H3,\"POLYGON((0 0,1 0,1 1,0 1,0 0))\"\n"    /* the other kind */
                              "H4,\"LINESTRING(0 0,1 1)\"\n"               /* neither */
                              "H5,POINT (10 20)\n",                        /* stacked on H1 */
                              &st, &rej);
    assert_int_equal(l->kind, GEO_GEOM_POINT);
    assert_int_equal(st.read, 5);
    assert_int_equal(st.kept, 3);
    assert_int_equal(st.rejected, 2);
    assert_true(l->x[0] == 10 && l->y[0] == 20);
    assert_true(l->x[1] == 30 && l->y[1] == 40);
    assert_true(l->x[2] == 10 && l->y[2] == 20);
    assert_true(l->bbox[4] == 30 && l->bbox[6] == 30 && l->bbox[5] == 40 && l->bbox[7] == 40);
    assert_int_equal(rej.count, 2);
    assert_string_equal(rej.items[0].reason, "wrong_geometry_type");
    assert_non_null(strstr(rej.items[0].detail, "Polygon where the layer's homes are points"));
    assert_string_equal(rej.items[1].reason, "wrong_geometry_type");
    assert_non_null(strstr(rej.items[1].detail, "homes are points"));
    geo_layer_free(l);
    geo_rejects_clear(&rej);
}

/* The first geometry decides: polygons first, the points are the rejects;
 * a record of neither kind before it does not decide. */
static void mixed_layer_first_geometry_decides(void **state)
{
    (void)state;
    geo_read_stats st;
    geo_rejects rej = {0};
    geo_layer *l = read_homes("mixed.csv",
                              "id,wkt\n"
                              "H0,\"LINESTRING(0 0,1 1)\"\n"
                              "H1,\"POLYGON((0 0,10 0,10 10,0 10,0 0))\"\n"
                              "H2,POINT (5 5)\n"
                              "H3,\"POLYGON((20 0,30 0,30 10,20 10,20 0))\"\n"
                              "H4,\"MULTIPOINT ((1 1))\"\n",
                              &st, &rej);
    assert_int_equal(l->kind, GEO_GEOM_POLYGON);
    assert_int_equal(st.kept, 2);
    assert_int_equal(st.rejected, 3);
    assert_int_equal(rej.count, 3);
    assert_non_null(strstr(rej.items[0].detail, "where a polygon or a point was expected"));
    assert_non_null(strstr(rej.items[1].detail, "geometry type Point where the layer's homes are polygons"));
    assert_non_null(strstr(rej.items[2].detail, "Multi Point where the layer's homes are polygons"));
    assert_string_equal(rej.items[2].reason, "wrong_geometry_type");
    geo_layer_free(l);
    geo_rejects_clear(&rej);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wkt_csv_with_mapping),
        cmocka_unit_test(lonlat_csv_dates),
        cmocka_unit_test(whole_source_problems),
        cmocka_unit_test(reader_takes_points_and_multipoints),
        cmocka_unit_test(mixed_layer_first_geometry_decides),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
