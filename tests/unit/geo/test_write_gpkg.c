/*
 * test_write_gpkg.c — the GeoPackage output (geo/write/write_gpkg.h): read back
 * with GDAL, every table is there with the documented fields, types,
 * order and values; the stored style is the row QGIS looks for; the file
 * is byte-identical when written twice, at any thread count, and with
 * direct I/O or through the page cache (output.direct_io); bad specs
 * are refused.  The SQLite writer (geo_write_gpkg) and GDAL's driver
 * (geo_write_gpkg_gdal) give files that OGR reads the same, table for
 * table, field for field, geometry for geometry, for a polygon and a point
 * layer; the SQLite writer's file passes SQLite's integrity check and its
 * R-tree holds every geometry's envelope.
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
#include <omp.h>

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
static geo_layer *g_points; /* the same parcels as points (homes given as points) */
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
    geo_layer *pt = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POINT);
    geo_layer_set_srs(pt, l->srs_wkt, &err);
    geo_layer_add_feature(pt, 10, &i, &err);
    geo_layer_set_point(pt, 741010.25, 3735010.5);
    geo_layer_add_feature(pt, 11, &i, &err);
    geo_layer_set_point(pt, 741120.125, 3735105.75);
    geo_layer_add_feature(pt, 12, &i, &err);
    geo_layer_set_point(pt, NAN, NAN); /* no geometry */
    g_points = pt;
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
    geo_layer_free(g_points);
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
    free(b);
    t.buffered_io = 1; /* through SQLite's own VFS and the page cache, not direct (gpkg_vfs.h) */
    write_ok(&s, "c3.gpkg", p2, sizeof p2);
    b = slurp(p2, &n2);
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

/* ---- the SQLite writer against GDAL's driver ---------------------------- */

static char *sql_rows(GDALDatasetH ds, const char *sql)
{
    OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    assert_non_null(r);
    size_t cap = 4096, len = 0;
    char *out = calloc(cap, 1);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(r))) {
        for (int k = 0; k < OGR_F_GetFieldCount(f); k++) {
            const char *v = OGR_F_IsFieldSetAndNotNull(f, k) ? OGR_F_GetFieldAsString(f, k) : "<null>";
            size_t n = strlen(v);
            while (len + n + 2 >= cap)
                out = realloc(out, cap *= 2);
            memcpy(out + len, v, n);
            len += n;
            out[len++] = k + 1 < OGR_F_GetFieldCount(f) ? '|' : '\n';
            out[len] = '\0';
        }
        OGR_F_Destroy(f);
    }
    GDALDatasetReleaseResultSet(ds, r);
    return out;
}

static void assert_same_geometry(OGRGeometryH a, OGRGeometryH b)
{
    assert_int_equal(a == NULL, b == NULL);
    if (!a)
        return;
    int na = OGR_G_WkbSize(a), nb = OGR_G_WkbSize(b);
    assert_int_equal(na, nb);
    unsigned char *wa = malloc((size_t)na), *wb = malloc((size_t)nb);
    assert_int_equal(OGR_G_ExportToIsoWkb(a, wkbNDR, wa), OGRERR_NONE);
    assert_int_equal(OGR_G_ExportToIsoWkb(b, wkbNDR, wb), OGRERR_NONE);
    assert_memory_equal(wa, wb, (size_t)na);
    free(wa);
    free(wb);
    OGREnvelope ea, eb;
    OGR_G_GetEnvelope(a, &ea);
    OGR_G_GetEnvelope(b, &eb);
    assert_memory_equal(&ea, &eb, sizeof ea);
}

/* Layer a of one file and layer b of the other as OGR reads them: name,
 * type, CRS, extent, fid and geometry columns, fields, and every row. */
static void assert_same_layer(OGRLayerH a, OGRLayerH b)
{
    assert_string_equal(OGR_L_GetName(a), OGR_L_GetName(b));
    assert_int_equal(OGR_L_GetGeomType(a), OGR_L_GetGeomType(b));
    assert_string_equal(OGR_L_GetFIDColumn(a), OGR_L_GetFIDColumn(b));
    assert_string_equal(OGR_L_GetGeometryColumn(a), OGR_L_GetGeometryColumn(b));
    OGRSpatialReferenceH sa = OGR_L_GetSpatialRef(a), sb = OGR_L_GetSpatialRef(b);
    assert_int_equal(sa == NULL, sb == NULL);
    if (sa)
        assert_true(OSRIsSame(sa, sb));
    assert_int_equal(OGR_L_GetFeatureCount(a, TRUE), OGR_L_GetFeatureCount(b, TRUE));
    assert_int_equal(OGR_L_GetFeatureCount(a, FALSE), OGR_L_GetFeatureCount(b, FALSE));
    if (OGR_L_GetGeomType(a) != wkbNone) {
        OGREnvelope ea = {0}, eb = {0};
        assert_int_equal(OGR_L_GetExtent(a, &ea, FALSE), OGR_L_GetExtent(b, &eb, FALSE));
        assert_memory_equal(&ea, &eb, sizeof ea);
    }
    OGRFeatureDefnH da = OGR_L_GetLayerDefn(a), db = OGR_L_GetLayerDefn(b);
    assert_int_equal(OGR_FD_GetFieldCount(da), OGR_FD_GetFieldCount(db));
    for (int k = 0; k < OGR_FD_GetFieldCount(da); k++) {
        OGRFieldDefnH fa = OGR_FD_GetFieldDefn(da, k), fb = OGR_FD_GetFieldDefn(db, k);
        assert_string_equal(OGR_Fld_GetNameRef(fa), OGR_Fld_GetNameRef(fb));
        assert_int_equal(OGR_Fld_GetType(fa), OGR_Fld_GetType(fb));
        assert_int_equal(OGR_Fld_GetSubType(fa), OGR_Fld_GetSubType(fb));
        assert_int_equal(OGR_Fld_GetWidth(fa), OGR_Fld_GetWidth(fb));
        assert_int_equal(OGR_Fld_IsNullable(fa), OGR_Fld_IsNullable(fb));
    }
    OGR_L_ResetReading(a);
    OGR_L_ResetReading(b);
    OGRFeatureH xa, xb;
    size_t rows = 0;
    while ((xa = OGR_L_GetNextFeature(a))) {
        xb = OGR_L_GetNextFeature(b);
        assert_non_null(xb);
        assert_int_equal(OGR_F_GetFID(xa), OGR_F_GetFID(xb));
        for (int k = 0; k < OGR_FD_GetFieldCount(da); k++) {
            assert_int_equal(OGR_F_IsFieldSetAndNotNull(xa, k), OGR_F_IsFieldSetAndNotNull(xb, k));
            assert_string_equal(OGR_F_GetFieldAsString(xa, k), OGR_F_GetFieldAsString(xb, k));
        }
        assert_same_geometry(OGR_F_GetGeometryRef(xa), OGR_F_GetGeometryRef(xb));
        OGR_F_Destroy(xa);
        OGR_F_Destroy(xb);
        rows++;
    }
    assert_null(OGR_L_GetNextFeature(b));
    assert_int_equal(rows, OGR_L_GetFeatureCount(a, TRUE));
}

/* The SQLite writer's file at a and GDAL's at b hold the same tables. */
static void assert_same_gpkg(const char *a, const char *b)
{
    GDALDatasetH da = GDALOpenEx(a, GDAL_OF_VECTOR, NULL, NULL, NULL);
    GDALDatasetH db = GDALOpenEx(b, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(da);
    assert_non_null(db);
    assert_int_equal(GDALDatasetGetLayerCount(da), GDALDatasetGetLayerCount(db));
    for (int k = 0; k < GDALDatasetGetLayerCount(da); k++)
        assert_same_layer(GDALDatasetGetLayer(da, k), GDALDatasetGetLayer(db, k));
    static const char *const sqls[] = {
        "SELECT table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id "
        "FROM gpkg_contents ORDER BY table_name",
        "SELECT * FROM gpkg_geometry_columns",
        "SELECT * FROM gpkg_spatial_ref_sys ORDER BY srs_id",
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') ORDER BY name",
    };
    for (size_t k = 0; k < sizeof sqls / sizeof *sqls; k++) {
        char *ra = sql_rows(da, sqls[k]), *rb = sql_rows(db, sqls[k]);
        assert_string_equal(ra, rb);
        free(ra);
        free(rb);
    }
    char *ext = sql_text(db, "SELECT count(*) FROM sqlite_master WHERE name = 'gpkg_extensions'");
    if (!strcmp(ext, "1")) { /* GDAL creates it with the first extension */
        char *ra = sql_rows(da, "SELECT * FROM gpkg_extensions"), *rb = sql_rows(db, "SELECT * FROM gpkg_extensions");
        assert_string_equal(ra, rb);
        free(ra);
        free(rb);
    }
    free(ext);
    char *app = sql_rows(da, "PRAGMA application_id"), *ver = sql_rows(da, "PRAGMA user_version");
    assert_string_equal(app, "1196444487\n");
    assert_string_equal(ver, "10200\n");
    free(app);
    free(ver);
    GDALClose(da);
    GDALClose(db);
}

static void write_both(const geo_gpkg_spec *s, const char *name, char *a, char *b, size_t size)
{
    char nm[128];
    write_ok(s, name, a, size);
    snprintf(nm, sizeof nm, "gdal_%s", name);
    snprintf(b, size, "%s/%s", g_dir, nm);
    fr_error err = {0};
    if (geo_write_gpkg_gdal(s, b, &err) != FR_OK)
        fail_msg("geo_write_gpkg_gdal: %s", err.message);
}

static void test_same_as_gdal_polygons(void **state)
{
    (void)state;
    geo_out_table t = table();
    geo_gpkg_spec s = spec_for(&t);
    char a[512], b[512];
    write_both(&s, "same_poly.gpkg", a, b, sizeof a);
    assert_same_gpkg(a, b);
    s.spatial_index = 0;
    s.style_qml = NULL;
    s.rejects = NULL;
    write_both(&s, "same_poly_bare.gpkg", a, b, sizeof a);
    assert_same_gpkg(a, b);
}

static void test_same_as_gdal_points(void **state)
{
    (void)state;
    geo_out_table t = table();
    t.parcels = g_points;
    geo_gpkg_spec s = spec_for(&t);
    char a[512], b[512];
    write_both(&s, "same_points.gpkg", a, b, sizeof a);
    assert_same_gpkg(a, b);
    GDALDatasetH ds = GDALOpenEx(a, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "ranked_parcels");
    assert_int_equal(wkbFlatten(OGR_L_GetGeomType(l)), wkbPoint);
    char *gt = sql_text(ds, "SELECT geometry_type_name FROM gpkg_geometry_columns");
    assert_string_equal(gt, "POINT");
    free(gt);
    OGRFeatureH f = OGR_L_GetNextFeature(l); /* parcel 2: no point */
    assert_null(OGR_F_GetGeometryRef(f));
    OGR_F_Destroy(f);
    f = OGR_L_GetNextFeature(l); /* parcel 0 */
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(g)), wkbPoint);
    assert_true(OGR_G_GetX(g, 0) == 741010.25 && OGR_G_GetY(g, 0) == 3735010.5);
    OGR_F_Destroy(f);
    GDALClose(ds);
}

/* SQLite's own check, and the R-tree: one entry per row with a geometry,
 * each holding its geometry's envelope (SQLite stores 32-bit floats
 * rounded outwards). */
static void assert_rtree_consistent(const char *path, double x, double y)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    char *ok = sql_rows(ds, "PRAGMA integrity_check");
    assert_string_equal(ok, "ok\n");
    free(ok);
    ok = sql_rows(ds, "SELECT rtreecheck('rtree_ranked_parcels_geom')"); /* SQLite's own check of the tree */
    assert_string_equal(ok, "ok\n");
    free(ok);
    char *n = sql_rows(ds, "SELECT (SELECT count(*) FROM rtree_ranked_parcels_geom), "
                           "(SELECT count(*) FROM ranked_parcels WHERE geom IS NOT NULL)");
    char *bad = sql_rows(ds, "SELECT count(*) FROM ranked_parcels t JOIN rtree_ranked_parcels_geom r ON r.id = t.fid "
                             "WHERE r.minx > ST_MinX(t.geom) OR r.maxx < ST_MaxX(t.geom) OR r.miny > ST_MinY(t.geom) "
                             "OR r.maxy < ST_MaxY(t.geom) OR ST_MinX(t.geom) - r.minx > 0.1 "
                             "OR r.maxx - ST_MaxX(t.geom) > 0.1 OR ST_MinY(t.geom) - r.miny > 0.1 "
                             "OR r.maxy - ST_MaxY(t.geom) > 0.1");
    char *orphans = sql_rows(ds, "SELECT count(*) FROM rtree_ranked_parcels_geom r LEFT JOIN ranked_parcels t "
                                 "ON r.id = t.fid WHERE t.geom IS NULL");
    assert_string_equal(bad, "0\n");
    assert_string_equal(orphans, "0\n");
    unsigned a = 0, b = 0;
    assert_int_equal(sscanf(n, "%u|%u", &a, &b), 2);
    assert_int_equal(a, b);
    assert_true(a > 0);
    /* GDAL's spatial filter goes through the R-tree: the one geometry
     * within 5 m of (x, y) */
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "ranked_parcels");
    OGR_L_SetSpatialFilterRect(l, x - 5, y - 5, x + 5, y + 5);
    assert_int_equal(OGR_L_GetFeatureCount(l, TRUE), 1);
    free(n);
    free(bad);
    free(orphans);
    GDALClose(ds);
}

static void test_rtree_and_integrity(void **state)
{
    (void)state;
    geo_out_table t = table();
    geo_gpkg_spec s = spec_for(&t);
    char path[512];
    write_ok(&s, "rtree.gpkg", path, sizeof path);
    assert_rtree_consistent(path, 741000, 3735000);
    t.parcels = g_points;
    write_ok(&s, "rtree_points.gpkg", path, sizeof path);
    assert_rtree_consistent(path, 741010, 3735010);
}

/* A larger layer (a grid of squares in a scrambled row order, some without
 * geometry, every field type with missing values): the same bytes at 1 and
 * 3 threads (the R-tree's order is sorted on every thread), the same
 * content as GDAL's, a consistent R-tree.  3,600 rows: 112 batches of the
 * multi-row INSERT and 16 rows one by one (gpkg_db.h). */
static void test_many_rows_any_thread_count(void **state)
{
    (void)state;
    enum { SIDE = 60, NROWS = SIDE * SIDE };
    fr_error err;
    geo_layer *l = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POLYGON);
    geo_layer_set_srs(l, g_parcels->srs_wkt, &err);
    static double num[NROWS], ranks[NROWS];
    static int32_t lasts[NROWS];
    static const char *strs[NROWS];
    static char names[NROWS][16];
    static size_t ord[NROWS];
    for (size_t k = 0; k < NROWS; k++) {
        size_t i;
        geo_layer_add_feature(l, (int64_t)k, &i, &err);
        if (k % 97 != 5) {
            double x = 740000 + 30.0 * (double)(k % SIDE), y = 3730000 + 30.0 * (double)(k / SIDE);
            ring(l, 1, x, y, x + 20 + (double)(k % 7), y + 20);
        }
        snprintf(names[k], sizeof names[k], "P-%zu", k);
        strs[k] = names[k];
        num[k] = k % 11 ? (double)(k * 37 % 1000) / 7 : NAN;
        ord[k] = k * 1237 % NROWS; /* 1237 is prime to 3600: a permutation */
        ranks[k] = k % 13 ? (double)(k + 1) : NAN;
        lasts[k] = k % 17 ? (int32_t)(19000 + k % 900) : GEO_DATE_MISSING;
    }
    geo_out_field f[4] = {
        {.name = "parcel_id", .short_name = "parcel_id", .type = GEO_COL_STRING, .str = strs},
        {.name = "score", .short_name = "score", .type = GEO_COL_NUMBER, .num = num},
        {.name = "rank", .short_name = "rank", .type = GEO_COL_NUMBER, .is_integer = 1, .num = ranks},
        {.name = "last_inspection", .short_name = "last_insp", .type = GEO_COL_DATE, .date = lasts},
    };
    geo_out_table t = {.parcels = l, .order = ord, .nrows = NROWS, .fields = f, .nfields = 4,
                       .layer_name = "ranked_parcels"};
    geo_gpkg_spec s = spec_for(&t);
    char a[512], b[512], c[512];
    int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    write_ok(&s, "many_t1.gpkg", a, sizeof a);
    omp_set_num_threads(3);
    write_ok(&s, "many_t3.gpkg", c, sizeof c);
    omp_set_num_threads(threads);
    size_t n1, n3;
    char *x = slurp(a, &n1), *y = slurp(c, &n3);
    assert_int_equal(n1, n3);
    assert_memory_equal(x, y, n1);
    free(x);
    free(y);
    write_both(&s, "many.gpkg", a, b, sizeof a);
    assert_same_gpkg(a, b);
    assert_rtree_consistent(a, 740000, 3730000);
    geo_layer_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranked_layer),
        cmocka_unit_test(test_attribute_tables),
        cmocka_unit_test(test_byte_identical),
        cmocka_unit_test(test_without_style_and_index),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_same_as_gdal_polygons),
        cmocka_unit_test(test_same_as_gdal_points),
        cmocka_unit_test(test_rtree_and_integrity),
        cmocka_unit_test(test_many_rows_any_thread_count),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
