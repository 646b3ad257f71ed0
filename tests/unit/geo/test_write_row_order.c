/*
 * test_write_row_order.c — a table whose field values are already in row
 * order (geo_out_table.vals_in_row_order, out_rows.h) writes the same
 * bytes as the same table with values indexed by parcel, in every format:
 * GeoJSON, Shapefile, GeoPackage and CSV, through firerisk's writers and
 * GDAL's; the values move back into parcel order unchanged; a table that
 * cannot move is refused untouched.
 *
 * The layer: N polygons in UTM 16N (some without geometry, some with a
 * hole), a row order that is a permutation far from the identity, fields
 * of every type with nulls, and one array shared by two fields (which must
 * move once, not twice).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include "layer.h"
#include "out_rows.h"
#include "out_table.h"
#include "status.h"
#include "write.h"
#include "write_gpkg.h"

enum { N = 3001, NFIELDS = 6 }; /* N not a multiple of 7: k * 7 % N is a permutation */

static char g_dir[256];
static geo_layer *g_parcels;
static size_t g_order[N];
static char g_names[N][16];
static const char *g_ids[N];
static double g_score[N], g_count[N];
static int32_t g_dates[N];
/* the originals, to check the values come back unchanged */
static const char *g_ids0[N];
static double g_score0[N], g_count0[N];
static int32_t g_dates0[N];
static geo_out_field g_fields[NFIELDS];

static void add_square(geo_layer *l, int shell, double x0, double y0, double side)
{
    double x[4] = {x0, x0 + side, x0 + side, x0}, y[4] = {y0, y0, y0 + side, y0 + side};
    fr_error err;
    assert_int_equal(geo_layer_add_ring(l, x, y, 4, shell, &err), FR_OK);
}

static int group_setup(void **state)
{
    (void)state;
    GDALAllRegister();
    snprintf(g_dir, sizeof g_dir, "%s/test_write_row_order_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_dir))
        return -1;
    fr_error err;
    g_parcels = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POLYGON);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    char *wkt = NULL;
    if (OSRImportFromEPSG(srs, 32616) != OGRERR_NONE || OSRExportToWkt(srs, &wkt) != OGRERR_NONE ||
        geo_layer_set_srs(g_parcels, wkt, &err) != FR_OK)
        return -1;
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    for (size_t k = 0; k < N; k++) {
        size_t i;
        if (geo_layer_add_feature(g_parcels, (int64_t)(1000 + k), &i, &err) != FR_OK)
            return -1;
        double x = 740000 + 40.0 * (double)(k % 50), y = 3730000 + 40.0 * (double)(k / 50);
        if (k % 97 != 5) { /* a few parcels without geometry */
            add_square(g_parcels, 1, x, y, 30);
            if (k % 11 == 0)
                add_square(g_parcels, 0, x + 10, y + 10, 5);
        }
        snprintf(g_names[k], sizeof g_names[k], "P-%zu", k);
        g_ids[k] = k % 29 ? g_names[k] : NULL;
        g_score[k] = k % 31 ? (double)(k * 7919 % 100003) / 977.0 : NAN;
        g_count[k] = (double)(k % 1000) - 500;
        g_dates[k] = k % 23 ? (int32_t)(10000 + k % 9000) : GEO_DATE_MISSING;
        g_order[k] = k * 7 % N;
    }
    memcpy(g_ids0, g_ids, sizeof g_ids);
    memcpy(g_score0, g_score, sizeof g_score);
    memcpy(g_count0, g_count, sizeof g_count);
    memcpy(g_dates0, g_dates, sizeof g_dates);
    geo_out_field f[NFIELDS] = {
        {.name = "parcel_id", .short_name = "parcel_id", .type = GEO_COL_STRING, .str = g_ids},
        {.name = "score", .short_name = "score", .type = GEO_COL_NUMBER, .width = 18, .precision = 6,
         .num = g_score},
        {.name = "count", .short_name = "count", .type = GEO_COL_NUMBER, .is_integer = 1, .width = 6,
         .num = g_count},
        {.name = "last", .short_name = "last", .type = GEO_COL_DATE, .date = g_dates},
        /* the same array as "score" under another name: moved once */
        {.name = "score_again", .short_name = "score_agn", .type = GEO_COL_NUMBER, .num = g_score},
        {.name = "id_again", .short_name = "id_again", .type = GEO_COL_STRING, .str = g_ids},
    };
    memcpy(g_fields, f, sizeof f);
    return 0;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static int group_teardown(void **state)
{
    (void)state;
    geo_layer_free(g_parcels);
    if (!getenv("KEEP_TEST_DIR"))
        nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static geo_out_table table(void)
{
    geo_out_table t = {.parcels = g_parcels, .order = g_order, .nrows = N, .fields = g_fields,
                       .nfields = NFIELDS, .layer_name = "ranked_parcels", .dbf_date = "2026-01-01",
                       .coordinate_precision = 7};
    return t;
}

static const char *path_in(char *buf, size_t n, const char *tag, const char *ext)
{
    snprintf(buf, n, "%s/%s.%s", g_dir, tag, ext);
    return buf;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    *len = fread(buf, 1, (size_t)n, fp);
    fclose(fp);
    return buf;
}

static void assert_same_bytes(const char *a_tag, const char *b_tag, const char *ext)
{
    char pa[512], pb[512];
    size_t na, nb;
    char *a = slurp(path_in(pa, sizeof pa, a_tag, ext), &na), *b = slurp(path_in(pb, sizeof pb, b_tag, ext), &nb);
    if (na != nb || memcmp(a, b, na) != 0)
        fail_msg("%s and %s differ (%zu vs %zu bytes)", pa, pb, na, nb);
    assert_true(na > 0); /* something was written */
    free(a);
    free(b);
}

static void write_every_format(const geo_out_table *t, const char *tag)
{
    char p[512];
    fr_error err = {0};
    geo_gpkg_spec spec = {.ranked = t, .ranked_description = "test", .spatial_index = 1,
                          .timestamp = "2026-01-01T00:00:00.000Z"};
    char tag_gdal[64];
    snprintf(tag_gdal, sizeof tag_gdal, "%s_gdal", tag);
    if (geo_write_geojson(t, path_in(p, sizeof p, tag, "geojson"), &err) != FR_OK ||
        geo_write_shapefile(t, path_in(p, sizeof p, tag, "shp"), &err) != FR_OK ||
        geo_write_gpkg(&spec, path_in(p, sizeof p, tag, "gpkg"), &err) != FR_OK ||
        geo_write_csv(t, path_in(p, sizeof p, tag, "csv"), &err) != FR_OK ||
        geo_write_geojson_gdal(t, path_in(p, sizeof p, tag_gdal, "geojson"), &err) != FR_OK ||
        geo_write_shapefile_gdal(t, path_in(p, sizeof p, tag_gdal, "shp"), &err) != FR_OK)
        fail_msg("%s: %s", tag, err.message);
}

static void assert_values_in_parcel_order(void)
{
    assert_memory_equal(g_ids, g_ids0, sizeof g_ids);
    assert_memory_equal(g_count, g_count0, sizeof g_count);
    assert_memory_equal(g_dates, g_dates0, sizeof g_dates);
    for (size_t i = 0; i < N; i++) /* NAN != NAN: compared as present or not, then by value */
        assert_true(isnan(g_score[i]) ? isnan(g_score0[i]) : g_score[i] == g_score0[i]);
}

static void test_row_order_writes_the_same_bytes(void **state)
{
    (void)state;
    geo_out_table t = table();
    write_every_format(&t, "by_parcel");

    fr_error err = {0};
    assert_int_equal(geo_out_table_values_to_rows(&t, &err), FR_OK);
    assert_true(t.vals_in_row_order);
    for (size_t k = 0; k < N; k++) { /* row k holds parcel order[k]'s values; the shared array moved once */
        assert_ptr_equal(g_ids[k], g_ids0[g_order[k]]);
        assert_true(g_count[k] == g_count0[g_order[k]]);
        assert_int_equal(g_dates[k], g_dates0[g_order[k]]);
        assert_int_equal(isnan(g_score[k]), isnan(g_score0[g_order[k]]));
    }
    write_every_format(&t, "by_row");

    static const char *const exts[] = {"geojson", "shp", "shx", "dbf", "prj", "cpg", "gpkg", "csv"};
    for (size_t e = 0; e < sizeof exts / sizeof *exts; e++)
        assert_same_bytes("by_parcel", "by_row", exts[e]);
    static const char *const gdal_exts[] = {"geojson", "shp", "shx", "dbf"};
    for (size_t e = 0; e < sizeof gdal_exts / sizeof *gdal_exts; e++)
        assert_same_bytes("by_parcel_gdal", "by_row_gdal", gdal_exts[e]);

    assert_int_equal(geo_out_table_values_to_parcels(&t, &err), FR_OK);
    assert_false(t.vals_in_row_order);
    assert_values_in_parcel_order();
}

/* A CSV of some rows (the target list's shape) with values built in row
 * order by hand: the same bytes as the same rows read by parcel. */
static void test_row_order_subset_csv(void **state)
{
    (void)state;
    enum { ROWS = 40 };
    const char *ids[ROWS];
    double score[ROWS], count[ROWS];
    int32_t dates[ROWS];
    for (size_t k = 0; k < ROWS; k++) {
        size_t i = g_order[k];
        ids[k] = g_ids[i], score[k] = g_score[i], count[k] = g_count[i], dates[k] = g_dates[i];
    }
    geo_out_field f[NFIELDS];
    memcpy(f, g_fields, sizeof f);
    f[0].str = f[5].str = ids;
    f[1].num = f[4].num = score;
    f[2].num = count;
    f[3].date = dates;
    geo_out_table by_parcel = table(), by_row = table();
    by_parcel.nrows = by_row.nrows = ROWS;
    by_row.fields = f;
    by_row.vals_in_row_order = 1;
    char p[512];
    fr_error err = {0};
    assert_int_equal(geo_write_csv(&by_parcel, path_in(p, sizeof p, "sub_parcel", "csv"), &err), FR_OK);
    assert_int_equal(geo_write_csv(&by_row, path_in(p, sizeof p, "sub_row", "csv"), &err), FR_OK);
    assert_same_bytes("sub_parcel", "sub_row", "csv");
    assert_int_equal(geo_write_shapefile(&by_parcel, path_in(p, sizeof p, "sub_parcel", "shp"), &err), FR_OK);
    assert_int_equal(geo_write_shapefile(&by_row, path_in(p, sizeof p, "sub_row", "shp"), &err), FR_OK);
    assert_same_bytes("sub_parcel", "sub_row", "dbf");
}

/* A value that no format can hold names the same row and parcel fid either
 * way (the fid is the geometry's, at order[row], not the value index). */
static void test_row_order_errors_name_the_parcel(void **state)
{
    (void)state;
    size_t bad_row = 1234, bad_parcel = g_order[bad_row];
    double saved = g_count[bad_parcel];
    g_count[bad_parcel] = 1e300;
    geo_out_table t = table();
    char p[512], first[1024];
    fr_error err = {0};
    assert_int_equal(geo_write_csv(&t, path_in(p, sizeof p, "bad", "csv"), &err), FR_E_OUTPUT);
    snprintf(first, sizeof first, "%s", err.message);
    char want[64];
    snprintf(want, sizeof want, "row %zu (parcel fid %zu)", bad_row, 1000 + bad_parcel);
    assert_non_null(strstr(first, want));
    assert_int_equal(geo_out_table_values_to_rows(&t, &err), FR_OK);
    assert_int_equal(geo_write_csv(&t, path_in(p, sizeof p, "bad", "csv"), &err), FR_E_OUTPUT);
    assert_string_equal(err.message, first);
    assert_int_equal(geo_write_geojson(&t, path_in(p, sizeof p, "bad", "geojson"), &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, want));
    assert_int_equal(geo_out_table_values_to_parcels(&t, &err), FR_OK);
    g_count[bad_parcel] = saved;
    assert_values_in_parcel_order();
}

/* Only a table of every parcel in a permutation moves, once each way;
 * a refusal changes nothing. */
static void test_refused_tables_untouched(void **state)
{
    (void)state;
    fr_error err = {0};
    geo_out_table t = table();
    t.nrows = N - 1; /* not every parcel */
    assert_int_equal(geo_out_table_values_to_rows(&t, &err), FR_E_INTERNAL);
    assert_false(t.vals_in_row_order);
    static size_t twice[N];
    memcpy(twice, g_order, sizeof twice);
    twice[7] = twice[8]; /* one parcel twice, one never */
    t = table();
    t.order = twice;
    assert_int_equal(geo_out_table_values_to_rows(&t, &err), FR_E_INTERNAL);
    assert_non_null(strstr(err.message, "permutation"));
    assert_false(t.vals_in_row_order);
    t = table();
    assert_int_equal(geo_out_table_values_to_parcels(&t, &err), FR_E_INTERNAL); /* not in row order */
    assert_values_in_parcel_order();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_order_writes_the_same_bytes),
        cmocka_unit_test(test_row_order_subset_csv),
        cmocka_unit_test(test_row_order_errors_name_the_parcel),
        cmocka_unit_test(test_refused_tables_untouched),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
