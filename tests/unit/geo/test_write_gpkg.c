/*
 * test_write_gpkg.c — the GeoPackage output (geo/write/write_gpkg.h): read back
 * with GDAL, every table is there with the documented fields, types,
 * order and values; the stored style is the row QGIS looks for; the file
 * is byte-identical when written twice; bad specs are refused.
 */
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
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "layer.h"
#include "rejects.h"
#include "status.h"
#include "write.h"
#include "write_gpkg.h"

#define N 3
static char g_dir[256];
static geo_layer *g_parcels;
static geo_rejects g_rejects;
static const char *ids[N] = {"P-1", "P-2", "P-3"};
static const char *addr[N] = {"1 Pe\xc3\xb1" "a St", NULL, "3 \"Main\" St"};
static const double score[N] = {0.5, 0.25, NAN};
static const double rank[N] = {2, 3, 1};
static const double big[N] = {4102444800123.0, 0, -7};
static const int32_t last[N] = {19000, GEO_DATE_MISSING, 11016};
static const size_t order[N] = {2, 0, 1};
static geo_out_field g_fields[6];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void ring(geo_layer *l, int shell, double x0, double y0, double x1, double y1)
{
    double xs[4] = {x0, x1, x1, x0}, ys[4] = {y0, y0, y1, y1};
    fr_error err;
    assert_int_equal(geo_layer_add_ring(l, xs, ys, 4, shell, &err), FR_OK);
}

static int setup(void **state)
{
    (void)state;
    GDALAllRegister();
    snprintf(g_dir, sizeof g_dir, "/tmp/test_write_gpkg_XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    fr_error err;
    geo_layer *l = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POLYGON);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 32616);
    char *wkt = NULL;
    OSRExportToWkt(srs, &wkt);
    geo_layer_set_srs(l, wkt, &err);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    size_t i;
    geo_layer_add_feature(l, 10, &i, &err); /* a square */
    ring(l, 1, 741000, 3735000, 741020, 3735020);
    geo_layer_add_feature(l, 11, &i, &err); /* two parts, one with a hole */
    ring(l, 1, 741100, 3735100, 741140, 3735140);
    ring(l, 0, 741110, 3735110, 741120, 3735120);
    ring(l, 1, 741200, 3735100, 741210, 3735110);
    geo_layer_add_feature(l, 12, &i, &err); /* no geometry */
    g_parcels = l;
    geo_out_field f[6] = {
        {.name = "parcel_id", .short_name = "parcel_id", .type = GEO_COL_STRING, .str = ids},
        {.name = "address", .short_name = "address", .type = GEO_COL_STRING, .str = addr},
        {.name = "score", .short_name = "score", .type = GEO_COL_NUMBER, .num = score},
        {.name = "rank", .short_name = "rank", .type = GEO_COL_NUMBER, .is_integer = 1, .num = rank},
        {.name = "big_count", .short_name = "big_count", .type = GEO_COL_NUMBER, .is_integer = 1, .num = big},
        {.name = "last_inspection", .short_name = "last_insp", .type = GEO_COL_DATE, .date = last},
    };
    memcpy(g_fields, f, sizeof f);
    geo_rejects_add(&g_rejects, "incidents", 7, "ALARM_DATE", "unparsable_date", "x.csv, feature 7: 'soon'");
    geo_rejects_add(&g_rejects, "parcels", -1, NULL, "no_geometry", "no geometry");
    geo_rejects_tag(&g_rejects, 0, "INC-7", "12 Main St");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    geo_layer_free(g_parcels);
    geo_rejects_clear(&g_rejects);
    nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static const geo_gpkg_meta g_meta[] = {{"producer", "firerisk test"}, {"as_of", "2026-01-01"}, {"empty", NULL}};
static const char *const g_qml = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'><qgis/>";

static geo_out_table table(void)
{
    geo_out_table t = {.parcels = g_parcels, .order = order, .nrows = N, .fields = g_fields, .nfields = 6,
                       .layer_name = "ranked_parcels", .dbf_date = "2026-01-01", .coordinate_precision = 7};
    return t;
}

static geo_gpkg_spec spec_for(const geo_out_table *t)
{
    geo_gpkg_spec s = {.ranked = t, .ranked_description = "test layer", .spatial_index = 1,
                       .rejects = &g_rejects, .meta = g_meta, .nmeta = 3, .style_qml = g_qml,
                       .style_name = "firerisk tiers", .style_description = "by tier",
                       .timestamp = "2026-01-01T00:00:00.000Z"};
    return s;
}

static void write_ok(const geo_gpkg_spec *s, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", g_dir, name);
    fr_error err = {0};
    fr_status st = geo_write_gpkg(s, path, &err);
    if (st != FR_OK)
        fail_msg("geo_write_gpkg: %s", err.message);
}

static char *sql_text(GDALDatasetH ds, const char *sql)
{
    OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    assert_non_null(r);
    OGRFeatureH f = OGR_L_GetNextFeature(r);
    char *out = f && OGR_F_IsFieldSetAndNotNull(f, 0) ? strdup(OGR_F_GetFieldAsString(f, 0)) : NULL;
    if (f)
        OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(ds, r);
    return out;
}

static void test_ranked_layer(void **state)
{
    (void)state;
    geo_out_table t = table();
    geo_gpkg_spec s = spec_for(&t);
    char path[512];
    write_ok(&s, "a.gpkg", path, sizeof path);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "ranked_parcels");
    assert_non_null(l);
    assert_int_equal(OGR_L_GetFeatureCount(l, TRUE), N);
    assert_int_equal(wkbFlatten(OGR_L_GetGeomType(l)), wkbMultiPolygon);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(l);
    assert_non_null(srs);
    assert_string_equal(OSRGetAuthorityCode(srs, NULL), "32616");
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    assert_int_equal(OGR_FD_GetFieldCount(d), 6);
    /* rank fits 32 bits: narrowed; big_count does not */
    static const OGRFieldType types[6] = {OFTString, OFTString, OFTReal, OFTInteger, OFTInteger64, OFTDate};
    for (int k = 0; k < 6; k++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(d, k);
        assert_string_equal(OGR_Fld_GetNameRef(fd), g_fields[k].name);
        assert_int_equal(OGR_Fld_GetType(fd), types[k]);
    }
    /* Rows in table order: parcels 2, 0, 1. */
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    assert_string_equal(OGR_F_GetFieldAsString(f, 0), "P-3");
    assert_string_equal(OGR_F_GetFieldAsString(f, 1), "3 \"Main\" St");
    assert_false(OGR_F_IsFieldSetAndNotNull(f, 2)); /* NAN score = null */
    assert_int_equal(OGR_F_GetFieldAsInteger64(f, 4), -7);
    int y, m, dd, h, mi, tz;
    float sec;
    assert_true(OGR_F_GetFieldAsDateTimeEx(f, 5, &y, &m, &dd, &h, &mi, &sec, &tz));
    assert_int_equal(y, 2000); /* day 11016 = 2000-02-29 */
    assert_int_equal(m, 2);
    assert_int_equal(dd, 29);
    assert_null(OGR_F_GetGeometryRef(f));
    OGR_F_Destroy(f);
    f = OGR_L_GetNextFeature(l);
    assert_string_equal(OGR_F_GetFieldAsString(f, 1), "1 Pe\xc3\xb1" "a St");
    assert_int_equal(OGR_F_GetFieldAsInteger64(f, 4), 4102444800123LL);
    assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(OGR_F_GetGeometryRef(f))), wkbMultiPolygon);
    assert_true(fabs(OGR_G_Area(OGR_F_GetGeometryRef(f)) - 400) < 1e-6);
    OGR_F_Destroy(f);
    f = OGR_L_GetNextFeature(l);
    assert_false(OGR_F_IsFieldSetAndNotNull(f, 5)); /* missing date = null */
    assert_int_equal(OGR_G_GetGeometryCount(OGR_F_GetGeometryRef(f)), 2);
    assert_true(fabs(OGR_G_Area(OGR_F_GetGeometryRef(f)) - (1600 - 100 + 100)) < 1e-6);
    OGR_F_Destroy(f);
    /* Deterministic timestamp and the R-tree QGIS uses. */
    char *lc = sql_text(ds, "SELECT last_change FROM gpkg_contents WHERE table_name = 'ranked_parcels'");
    assert_non_null(lc);
    assert_true(!strncmp(lc, "2026/01/01 00:00:00", 19)); /* OGR formats the stored ISO text */
    free(lc);
    char *desc = sql_text(ds, "SELECT description FROM gpkg_contents WHERE table_name = 'ranked_parcels'");
    assert_string_equal(desc, "test layer");
    free(desc);
    char *rt = sql_text(ds, "SELECT count(*) FROM sqlite_master WHERE name = 'rtree_ranked_parcels_geom'");
    assert_string_equal(rt, "1");
    free(rt);
    GDALClose(ds);
}

static void test_attribute_tables(void **state)
{
    (void)state;
    geo_out_table t = table();
    geo_gpkg_spec s = spec_for(&t);
    char path[512];
    write_ok(&s, "b.gpkg", path, sizeof path);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH r = GDALDatasetGetLayerByName(ds, "rejects");
    assert_non_null(r);
    assert_int_equal(OGR_L_GetGeomType(r), wkbNone);
    assert_int_equal(OGR_L_GetFeatureCount(r, TRUE), 2);
    OGRFeatureH f = OGR_L_GetNextFeature(r);
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "layer")), "incidents");
    assert_int_equal(OGR_F_GetFieldAsInteger64(f, OGR_F_GetFieldIndex(f, "source_fid")), 7);
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "field")), "ALARM_DATE");
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "reason")), "unparsable_date");
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "record_id")), "INC-7");
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "address")), "12 Main St");
    OGR_F_Destroy(f);
    f = OGR_L_GetNextFeature(r);
    assert_false(OGR_F_IsFieldSetAndNotNull(f, OGR_F_GetFieldIndex(f, "source_fid")));
    OGR_F_Destroy(f);

    OGRLayerH m = GDALDatasetGetLayerByName(ds, "run_metadata");
    assert_non_null(m);
    assert_int_equal(OGR_L_GetFeatureCount(m, TRUE), 3);
    f = OGR_L_GetNextFeature(m);
    assert_string_equal(OGR_F_GetFieldAsString(f, 0), "producer");
    assert_string_equal(OGR_F_GetFieldAsString(f, 1), "firerisk test");
    OGR_F_Destroy(f);

    /* The row QGIS reads: f_table_name, f_geometry_column, useAsDefault. */
    OGRLayerH st = GDALDatasetGetLayerByName(ds, "layer_styles");
    assert_non_null(st);
    assert_int_equal(OGR_L_GetFeatureCount(st, TRUE), 1);
    f = OGR_L_GetNextFeature(st);
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "f_table_name")), "ranked_parcels");
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "f_geometry_column")), "geom");
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "styleQML")), g_qml);
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "styleName")), "firerisk tiers");
    assert_int_equal(OGR_F_GetFieldAsInteger(f, OGR_F_GetFieldIndex(f, "useAsDefault")), 1);
    OGRFieldDefnH ud = OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(st), OGR_F_GetFieldIndex(f, "useAsDefault"));
    assert_int_equal(OGR_Fld_GetSubType(ud), OFSTBoolean);
    assert_true(!strncmp(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "update_time")), "2026/01/01 00:00:00", 19));
    OGR_F_Destroy(f);
    assert_string_equal(OGR_L_GetFIDColumn(st), "id");
    GDALClose(ds);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, fp);
    fclose(fp);
    return buf;
}

static void test_byte_identical(void **state)
{
    (void)state;
    geo_out_table t = table();
    geo_gpkg_spec s = spec_for(&t);
    char p1[512], p2[512];
    write_ok(&s, "c1.gpkg", p1, sizeof p1);
    sleep(1); /* a clock that leaked into the file would now differ */
    write_ok(&s, "c2.gpkg", p2, sizeof p2);
    write_ok(&s, "c2.gpkg", p2, sizeof p2); /* over an existing file */
    size_t n1, n2;
    char *a = slurp(p1, &n1), *b = slurp(p2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
}

static void test_without_style_and_index(void **state)
{
    (void)state;
    geo_out_table t = table();
    t.nrows = 0;
    geo_gpkg_spec s = spec_for(&t);
    s.style_qml = NULL;
    s.spatial_index = 0;
    s.rejects = NULL;
    char path[512];
    write_ok(&s, "d.gpkg", path, sizeof path);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_null(GDALDatasetGetLayerByName(ds, "layer_styles"));
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds, "ranked_parcels"), TRUE), 0);
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds, "rejects"), TRUE), 0);
    char *rt = sql_text(ds, "SELECT count(*) FROM sqlite_master WHERE name = 'rtree_ranked_parcels_geom'");
    assert_string_equal(rt, "0");
    free(rt);
    GDALClose(ds);
}

static void test_refusals(void **state)
{
    (void)state;
    geo_out_table t = table();
    geo_gpkg_spec s = spec_for(&t);
    fr_error err = {0};
    char path[512];
    snprintf(path, sizeof path, "%s/no/such/dir/x.gpkg", g_dir);
    assert_int_equal(geo_write_gpkg(&s, path, &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, "x.gpkg"));
    snprintf(path, sizeof path, "%s/e.gpkg", g_dir);
    s.timestamp = "yesterday";
    assert_int_equal(geo_write_gpkg(&s, path, &err), FR_E_INTERNAL);
    s = spec_for(&t);
    s.style_name = "a style name far longer than thirty characters";
    assert_int_equal(geo_write_gpkg(&s, path, &err), FR_E_INTERNAL);
    s = spec_for(&t);
    size_t bad_order[N] = {0, 1, 9};
    t.order = bad_order;
    assert_int_equal(geo_write_gpkg(&s, path, &err), FR_E_INTERNAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranked_layer),
        cmocka_unit_test(test_attribute_tables),
        cmocka_unit_test(test_byte_identical),
        cmocka_unit_test(test_without_style_and_index),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
