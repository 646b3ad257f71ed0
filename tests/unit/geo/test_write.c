/*
 * test_write.c — the writers of geo/write/write.h: GeoJSON (RFC 7946), Shapefile,
 * CSV target list and rejects CSV.
 *
 * A small parcels layer in UTM 16N (EPSG:32616) is built by hand: a
 * clockwise polygon with a known vertex, a multipolygon with a hole, a
 * feature without geometry and a polygon with a hole; fields of every type
 * with nulls, a UTF-8 string and a value needing CSV quotes; a row order
 * that is not the identity.  Every output is written into a mkdtemp
 * directory and read back with GDAL (or byte for byte for the CSVs).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <pthread.h>
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
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "dates.h"
#include "layer.h"
#include "rejects.h"
#include "status.h"
#include "out_table.h"
#include "write.h"
#include "write_gpkg.h"
#include "out_fmt.h"
#include "out_buf.h"
#include "out_direct.h"

/* ---- fixture --------------------------------------------------------- */

#define NPARCELS 4
#define NFIELDS 7

static char g_dir[256];
static geo_layer *g_parcels;

/* Values indexed by parcel (not by row). */
static const char *pid_vals[NPARCELS] = {"P-100", "P-101", NULL, "P-103"};
static const char *addr_vals[NPARCELS] = {"Pe\xc3\xb1" "a Ave", "1, \"Main\" St", "x", NULL};
static const double score_vals[NPARCELS] = {0.25, NAN, 1234.5, -0.0000001};
static const double rank_vals[NPARCELS] = {2, 4, NAN, 1};
static const double big_vals[NPARCELS] = {4102444800123.0, -7, 0, NAN};
static const int32_t date_vals[NPARCELS] = {19000, GEO_DATE_MISSING, 11016, -1};
static const double frac_vals[NPARCELS] = {1.0 / 3.0, 100, NAN, 2.5e-7};

static const size_t g_order[NPARCELS] = {3, 0, 2, 1};

static geo_out_field g_fields[NFIELDS];

static geo_out_table base_table(void)
{
    geo_out_table t = {
        .parcels = g_parcels,
        .order = g_order,
        .nrows = NPARCELS,
        .fields = g_fields,
        .nfields = NFIELDS,
        .layer_name = "ranked_parcels",
        .dbf_date = "2024-03-05",
        .coordinate_precision = 7,
    };
    return t;
}

static void add_ring(geo_layer *l, int shell, double x0, double y0, double x1, double y1, int cw)
{
    /* An axis-aligned rectangle, clockwise or counter-clockwise, closed by
     * geo_layer_add_ring. */
    double ccw_x[4] = {x0, x1, x1, x0}, ccw_y[4] = {y0, y0, y1, y1};
    double cw_x[4] = {x0, x0, x1, x1}, cw_y[4] = {y0, y1, y1, y0};
    fr_error err;
    assert_int_equal(geo_layer_add_ring(l, cw ? cw_x : ccw_x, cw ? cw_y : ccw_y, 4, shell, &err),
                     FR_OK);
}

static char *epsg_wkt(int code)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(srs, code), OGRERR_NONE);
    char *wkt = NULL;
    assert_int_equal(OSRExportToWkt(srs, &wkt), OGRERR_NONE);
    char *copy = strdup(wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    return copy;
}

/* An empty polygon layer "parcels" in EPSG:code. */
static geo_layer *polygons_in_epsg(int code)
{
    fr_error err;
    geo_layer *l = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POLYGON);
    char *wkt = epsg_wkt(code);
    assert_int_equal(geo_layer_set_srs(l, wkt, &err), FR_OK);
    free(wkt);
    return l;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static int group_setup(void **state)
{
    (void)state;
    GDALAllRegister();
    snprintf(g_dir, sizeof g_dir, "%s/test_write_XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_dir))
        return -1;

    fr_error err;
    geo_layer *l = polygons_in_epsg(32616);
    size_t i;
    /* 0: one clockwise square with the known vertex (741000, 3735000) */
    geo_layer_add_feature(l, 100, &i, &err);
    add_ring(l, 1, 741000, 3735000, 741020, 3735020, 1);
    /* 1: two parts, the first with a hole */
    geo_layer_add_feature(l, 101, &i, &err);
    add_ring(l, 1, 741100, 3735100, 741140, 3735140, 0);
    add_ring(l, 0, 741110, 3735110, 741120, 3735120, 1);
    add_ring(l, 1, 741200, 3735100, 741210, 3735110, 0);
    /* 2: no geometry */
    geo_layer_add_feature(l, 102, &i, &err);
    /* 3: one part with a hole */
    geo_layer_add_feature(l, 103, &i, &err);
    add_ring(l, 1, 741300, 3735300, 741330, 3735330, 0);
    add_ring(l, 0, 741310, 3735310, 741320, 3735320, 1);
    g_parcels = l;

    geo_out_field f[NFIELDS] = {
        {.name = "parcel_id", .short_name = "parcel_id", .type = GEO_COL_STRING, .str = pid_vals},
        {.name = "address", .short_name = "ADDRESS", .type = GEO_COL_STRING, .str = addr_vals},
        {.name = "risk_score", .short_name = "risk_scr", .type = GEO_COL_NUMBER,
         .width = 12, .precision = 6, .num = score_vals},
        {.name = "risk_rank", .short_name = "rank", .type = GEO_COL_NUMBER, .is_integer = 1,
         .num = rank_vals},
        {.name = "big_count", .short_name = "big_cnt", .type = GEO_COL_NUMBER, .is_integer = 1,
         .num = big_vals},
        {.name = "last_inspection", .short_name = "last_insp", .type = GEO_COL_DATE,
         .date = date_vals},
        {.name = "fraction", .short_name = "fraction", .type = GEO_COL_NUMBER, .num = frac_vals},
    };
    memcpy(g_fields, f, sizeof f);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    geo_layer_free(g_parcels);
    if (!getenv("KEEP_TEST_DIR")) /* set it to look at the written files */
        nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* ---- helpers --------------------------------------------------------- */

static const char *path_in(char *buf, size_t n, const char *fmt, ...)
{
    char name[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    snprintf(buf, n, "%s/%s", g_dir, name);
    return buf;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, fp);
    fclose(fp);
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
}

static void assert_same_bytes(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    assert_non_null(x);
    assert_non_null(y);
    if (na != nb || memcmp(x, y, na) != 0)
        fail_msg("%s and %s differ (%zu vs %zu bytes)", a, b, na, nb);
    free(x);
    free(y);
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static long long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

static GDALDatasetH open_vector(const char *path, const char *driver)
{
    const char *drivers[] = {driver, NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    if (!ds)
        fail_msg("cannot open %s: %s", path, CPLGetLastErrorMsg());
    return ds;
}

/* Twice the signed area of a ring (> 0 counter-clockwise). */
static double ring_area2(OGRGeometryH ring)
{
    int n = OGR_G_GetPointCount(ring);
    double a = 0;
    for (int k = 0; k + 1 < n; k++)
        a += OGR_G_GetX(ring, k) * OGR_G_GetY(ring, k + 1) -
             OGR_G_GetX(ring, k + 1) * OGR_G_GetY(ring, k);
    return a;
}

/* Checks orientation of every ring of a (multi)polygon: exteriors
 * counter-clockwise when ccw_exterior, else clockwise; holes opposite. */
static void assert_orientation(OGRGeometryH g, int ccw_exterior)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbMultiPolygon) {
        for (int p = 0; p < OGR_G_GetGeometryCount(g); p++)
            assert_orientation(OGR_G_GetGeometryRef(g, p), ccw_exterior);
        return;
    }
    assert_int_equal(t, wkbPolygon);
    for (int r = 0; r < OGR_G_GetGeometryCount(g); r++) {
        double a = ring_area2(OGR_G_GetGeometryRef(g, r));
        int want_ccw = r == 0 ? ccw_exterior : !ccw_exterior;
        if (want_ccw)
            assert_true(a > 0);
        else
            assert_true(a < 0);
    }
}

/* Structure of parcel idx's geometry: type, and rings per part. */
static void assert_shape(OGRGeometryH g, size_t idx)
{
    switch (idx) {
    case 0:
    case 3:
        assert_non_null(g);
        assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(g)), wkbPolygon);
        assert_int_equal(OGR_G_GetGeometryCount(g), idx == 0 ? 1 : 2);
        break;
    case 1:
        assert_non_null(g);
        assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(g)), wkbMultiPolygon);
        assert_int_equal(OGR_G_GetGeometryCount(g), 2);
        assert_int_equal(OGR_G_GetGeometryCount(OGR_G_GetGeometryRef(g, 0)), 2);
        assert_int_equal(OGR_G_GetGeometryCount(OGR_G_GetGeometryRef(g, 1)), 1);
        break;
    case 2:
        assert_null(g);
        break;
    }
}

static int field_index(OGRFeatureDefnH defn, const char *name)
{
    int k = OGR_FD_GetFieldIndex(defn, name);
    if (k < 0)
        fail_msg("field '%s' missing", name);
    return k;
}

/* Checks the attribute values of feature f against parcel idx; names are
 * long or short. */
static void assert_values(OGRFeatureH f, size_t idx, int shortnames)
{
    OGRFeatureDefnH defn = OGR_F_GetDefnRef(f);
    for (size_t j = 0; j < NFIELDS; j++) {
        const geo_out_field *fd = &g_fields[j];
        int k = field_index(defn, shortnames ? fd->short_name : fd->name);
        int set = OGR_F_IsFieldSetAndNotNull(f, k);
        switch (fd->type) {
        case GEO_COL_STRING:
            if (!fd->str[idx]) {
                assert_false(set);
            } else {
                assert_true(set);
                assert_string_equal(OGR_F_GetFieldAsString(f, k), fd->str[idx]);
            }
            break;
        case GEO_COL_NUMBER:
            if (isnan(fd->num[idx])) {
                assert_false(set);
            } else if (fd->is_integer) {
                assert_true(set);
                assert_true(OGR_F_GetFieldAsInteger64(f, k) == (GIntBig)fd->num[idx]);
            } else {
                assert_true(set);
                double want = fd->num[idx], got = OGR_F_GetFieldAsDouble(f, k);
                /* .dbf reals keep the declared decimals (6 or 15); GeoJSON
                 * reals 15 significant digits */
                double tol = shortnames ? (fd->precision ? 5e-7 : 5e-15 * fmax(1, fabs(want)))
                                        : 1e-14 * fabs(want);
                if (fabs(got - want) > tol)
                    fail_msg("field %s of parcel %zu: %.17g, expected %.17g", fd->name, idx, got,
                             want);
            }
            break;
        case GEO_COL_DATE:
            if (fd->date[idx] == GEO_DATE_MISSING) {
                assert_false(set);
            } else {
                assert_true(set);
                int y, m, d, h, mi, tz;
                float s;
                assert_true(OGR_F_GetFieldAsDateTimeEx(f, k, &y, &m, &d, &h, &mi, &s, &tz));
                int ey, em, ed;
                fr_civil_from_days(fd->date[idx], &ey, &em, &ed);
                assert_int_equal(y, ey);
                assert_int_equal(m, em);
                assert_int_equal(d, ed);
            }
            break;
        }
    }
}

/* ---- unit helpers ---------------------------------------------------- */

static void test_civil_from_days(void **state)
{
    (void)state;
    struct {
        int32_t days;
        int y, m, d;
    } cases[] = {{0, 1970, 1, 1},     {-1, 1969, 12, 31}, {11016, 2000, 2, 29},
                 {19000, 2022, 1, 8}, {19358, 2023, 1, 1}, {-719162, 1, 1, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int y, m, d;
        fr_civil_from_days(cases[i].days, &y, &m, &d);
        assert_int_equal(y, cases[i].y);
        assert_int_equal(m, cases[i].m);
        assert_int_equal(d, cases[i].d);
    }
}

/* ---- GeoJSON --------------------------------------------------------- */

static void test_geojson_content(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "out.geojson");
    geo_out_table t = base_table();
    fr_error err = {0};
    fr_status st = geo_write_geojson(&t, p, &err);
    if (st != FR_OK)
        fail_msg("%s", err.message);

    GDALDatasetH ds = open_vector(p, "GeoJSON");
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    assert_string_equal(OGR_L_GetName(lyr), "ranked_parcels");
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), NPARCELS);

    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    assert_int_equal(OGR_FD_GetFieldCount(defn), NFIELDS);
    for (int j = 0; j < NFIELDS; j++)
        assert_string_equal(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, j)), g_fields[j].name);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 0)), OFTString);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 2)), OFTReal);
    /* JSON has no schema: small integers read back as Integer, large as Integer64. */
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 3)), OFTInteger);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 4)), OFTInteger64);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 5)), OFTDate);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 6)), OFTReal);

    /* Expected lon/lat of the known vertex, from PROJ ... */
    OGRSpatialReferenceH utm = OSRNewSpatialReference(NULL), wgs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(utm, 32616);
    OSRImportFromEPSG(wgs, 4326);
    OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(utm, wgs);
    double lon = 741000, lat = 3735000;
    assert_true(OCTTransform(ct, 1, &lon, &lat, NULL));
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(utm);
    OSRDestroySpatialReference(wgs);
    /* ... and as `gdaltransform -s_srs EPSG:32616 -t_srs EPSG:4326 -output_xy` prints it. */
    assert_true(fabs(lon - -84.3989189595421) < 1e-9);
    assert_true(fabs(lat - 33.7276708600918) < 1e-9);

    OGR_L_ResetReading(lyr);
    for (size_t k = 0; k < NPARCELS; k++) {
        OGRFeatureH f = OGR_L_GetNextFeature(lyr);
        assert_non_null(f);
        size_t idx = g_order[k];
        assert_values(f, idx, 0);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        assert_shape(g, idx);
        if (g)
            assert_orientation(g, 1); /* RFC 7946 right-hand rule */
        if (idx == 0) {
            OGRGeometryH ring = OGR_G_GetGeometryRef(g, 0);
            int found = 0;
            for (int v = 0; v < OGR_G_GetPointCount(ring); v++)
                if (fabs(OGR_G_GetX(ring, v) - lon) < 1e-7 &&
                    fabs(OGR_G_GetY(ring, v) - lat) < 1e-7)
                    found = 1;
            assert_true(found);
            OGREnvelope env;
            OGR_G_GetEnvelope(g, &env);
            assert_true(env.MinX > -85 && env.MaxX < -84 && env.MinY > 33 && env.MaxY < 34);
        }
        OGR_F_Destroy(f);
    }
    assert_null(OGR_L_GetNextFeature(lyr));
    GDALClose(ds);

    /* Raw text: no "crs" member (RFC 7946), at most 7 decimals anywhere in
     * the coordinates, nulls written as JSON null, UTF-8 as is. */
    char *txt = slurp(p, NULL);
    assert_null(strstr(txt, "\"crs\""));
    assert_non_null(strstr(txt, "\"address\": \"Pe\xc3\xb1" "a Ave\""));
    assert_non_null(strstr(txt, "\"risk_score\": null"));
    assert_non_null(strstr(txt, "\"last_inspection\": \"2022-01-08\""));
    /* 15 significant digits, not 17 ("0.33333333333333331") */
    assert_non_null(strstr(txt, "\"fraction\": 0.333333333333333 "));
    assert_non_null(strstr(txt, "\"risk_score\": -1e-07,"));
    for (char *c = strstr(txt, "\"coordinates\""); c; c = strstr(c + 1, "\"coordinates\"")) {
        char *end = strchr(c, '}');
        for (char *q = c; q < end; q++)
            if (*q == '.') {
                int digits = 0;
                while (q[1 + digits] >= '0' && q[1 + digits] <= '9')
                    digits++;
                assert_in_range(digits, 1, 7);
            }
    }
    free(txt);
}

/* ---- Shapefile ------------------------------------------------------- */

static void test_shapefile_content(void **state)
{
    (void)state;
    char p[512], side[512];
    path_in(p, sizeof p, "out.shp");
    geo_out_table t = base_table();
    fr_error err = {0};
    fr_status st = geo_write_shapefile(&t, p, &err);
    if (st != FR_OK)
        fail_msg("%s", err.message);

    assert_true(file_exists(path_in(side, sizeof side, "out.shx")));
    assert_true(file_exists(path_in(side, sizeof side, "out.prj")));
    assert_false(file_exists(path_in(side, sizeof side, "out.qix")));
    char *cpg = slurp(path_in(side, sizeof side, "out.cpg"), NULL);
    assert_non_null(cpg);
    assert_string_equal(cpg, "UTF-8");
    free(cpg);

    /* the size estimate is exact */
    uint64_t shp_est = 0, dbf_est = 0;
    assert_int_equal(geo_write_shapefile_estimate(&t, &shp_est, &dbf_est, &err), FR_OK);
    assert_int_equal((long long)shp_est, file_size(p));
    assert_int_equal((long long)dbf_est, file_size(path_in(side, sizeof side, "out.dbf")));

    /* .dbf header date = dbf_date: bytes 1..3 are YY-1900, MM, DD */
    char *dbf = slurp(path_in(side, sizeof side, "out.dbf"), NULL);
    assert_int_equal((unsigned char)dbf[1], 124);
    assert_int_equal((unsigned char)dbf[2], 3);
    assert_int_equal((unsigned char)dbf[3], 5);
    free(dbf);

    GDALDatasetH ds = open_vector(p, "ESRI Shapefile");
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), NPARCELS);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    assert_non_null(srs);
    OGRSpatialReferenceH utm = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(utm, 32616);
    assert_true(OSRIsSame(srs, utm));
    OSRDestroySpatialReference(utm);

    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    assert_int_equal(OGR_FD_GetFieldCount(defn), NFIELDS);
    for (int j = 0; j < NFIELDS; j++)
        assert_string_equal(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, j)),
                            g_fields[j].short_name);
    OGRFieldDefnH fd;
    fd = OGR_FD_GetFieldDefn(defn, 0);
    assert_int_equal(OGR_Fld_GetType(fd), OFTString);
    assert_int_equal(OGR_Fld_GetWidth(fd), 5); /* longest value, not 80 */
    fd = OGR_FD_GetFieldDefn(defn, 1);
    assert_int_equal(OGR_Fld_GetWidth(fd), (int)strlen(addr_vals[1]));
    fd = OGR_FD_GetFieldDefn(defn, 2);
    assert_int_equal(OGR_Fld_GetType(fd), OFTReal);
    assert_int_equal(OGR_Fld_GetWidth(fd), 12);
    assert_int_equal(OGR_Fld_GetPrecision(fd), 6);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 3)), OFTInteger64);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 4)), OFTInteger64);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 5)), OFTDate);
    fd = OGR_FD_GetFieldDefn(defn, 6);
    assert_int_equal(OGR_Fld_GetType(fd), OFTReal);
    assert_int_equal(OGR_Fld_GetPrecision(fd), 15);

    OGR_L_ResetReading(lyr);
    for (size_t k = 0; k < NPARCELS; k++) {
        OGRFeatureH f = OGR_L_GetNextFeature(lyr);
        assert_non_null(f);
        size_t idx = g_order[k];
        assert_values(f, idx, 1);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        assert_shape(g, idx);
        if (g)
            assert_orientation(g, 0); /* ESRI: exterior clockwise */
        if (idx == 0) {
            /* working CRS, coordinates as given */
            OGREnvelope env;
            OGR_G_GetEnvelope(g, &env);
            assert_true(env.MinX == 741000 && env.MaxX == 741020 && env.MinY == 3735000 &&
                        env.MaxY == 3735020);
        }
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
}

/* ---- CSV ------------------------------------------------------------- */

static void test_csv_exact_bytes(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "out.csv");
    geo_out_table t = base_table();
    fr_error err = {0};
    assert_int_equal(geo_write_csv(&t, p, &err), FR_OK);
    char *txt = slurp(p, NULL);
    const char *want =
        "parcel_id,address,risk_score,risk_rank,big_count,last_inspection,fraction\n"
        "P-103,,0,1,,1969-12-31,0\n"
        "P-100,Pe\xc3\xb1" "a Ave,0.25,2,4102444800123,2022-01-08,0.333333\n"
        ",x,1234.5,,0,2000-02-29,\n"
        "P-101,\"1, \"\"Main\"\" St\",,4,-7,,100\n";
    assert_string_equal(txt, want);
    free(txt);
}

static void test_rejects_csv(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "rejects.csv");
    geo_rejects r = {0};
    assert_int_equal(geo_rejects_add(&r, "incidents", 7, "alarm_date", "unparsable_date",
                                     "incidents.csv, feature 7: \"31/02\"\nnot a date"),
                     FR_OK);
    assert_int_equal(geo_rejects_add(&r, "parcels", -1, NULL, "invalid_geometry", "plain"), FR_OK);
    /* the record's own id and its address as read, for a join back to the source */
    assert_int_equal(geo_rejects_tag(&r, 0, "INC-2024-0007", "12 Main St, Apt 3"), FR_OK);
    assert_int_equal(geo_rejects_tag(&r, 1, NULL, NULL), FR_OK);
    fr_error err = {0};
    assert_int_equal(geo_write_rejects_csv(&r, p, &err), FR_OK);
    geo_rejects_clear(&r);
    char *txt = slurp(p, NULL);
    assert_string_equal(txt, "layer,fid,field,reason,detail,record_id,address\n"
                             "incidents,7,alarm_date,unparsable_date,"
                             "\"incidents.csv, feature 7: \"\"31/02\"\"\nnot a date\",INC-2024-0007,"
                             "\"12 Main St, Apt 3\"\n"
                             "parcels,,,invalid_geometry,plain,,\n");
    free(txt);

    /* an empty list still has its header */
    geo_rejects none = {0};
    assert_int_equal(geo_write_rejects_csv(&none, p, &err), FR_OK);
    txt = slurp(p, NULL);
    assert_string_equal(txt, "layer,fid,field,reason,detail,record_id,address\n");
    free(txt);
}

/* OWASP CSV injection: text a spreadsheet would run as a formula gets a
 * leading apostrophe (inside the quotes when quoted); plain numbers and
 * harmless text are written as they are. */
static void test_csv_formula_cells_neutralised(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "formula.csv");
    geo_rejects r = {0};
    const char *details[] = {"=HYPERLINK(\"http://x.example/?\"&A1,\"click\")", "+1 555", "-2+3", "@SUM(A1)",
                             "\tx", "\rx", "-12.5", "+3e2", "plain", "a=b"};
    for (size_t i = 0; i < sizeof details / sizeof *details; i++)
        assert_int_equal(geo_rejects_add(&r, "parcels", (int64_t)i, NULL, "r", "%s", details[i]), FR_OK);
    fr_error err = {0};
    assert_int_equal(geo_write_rejects_csv(&r, p, &err), FR_OK);
    geo_rejects_clear(&r);
    char *txt = slurp(p, NULL);
    assert_string_equal(txt, "layer,fid,field,reason,detail,record_id,address\n"
                             "parcels,0,,r,\"'=HYPERLINK(\"\"http://x.example/?\"\"&A1,\"\"click\"\")\",,\n"
                             "parcels,1,,r,'+1 555,,\n"
                             "parcels,2,,r,'-2+3,,\n"
                             "parcels,3,,r,'@SUM(A1),,\n"
                             "parcels,4,,r,'\tx,,\n"
                             "parcels,5,,r,\"'\rx\",,\n"
                             "parcels,6,,r,-12.5,,\n"
                             "parcels,7,,r,+3e2,,\n"
                             "parcels,8,,r,plain,,\n"
                             "parcels,9,,r,a=b,,\n");
    free(txt);
    assert_true(geo_csv_formula_risk("=1"));
    assert_false(geo_csv_formula_risk("-1"));
    assert_false(geo_csv_formula_risk(""));
    assert_false(geo_csv_formula_risk(NULL));
}

/* ---- determinism ----------------------------------------------------- */

static const char *const shp_exts[] = {"shp", "shx", "dbf", "prj", "cpg"};

static void write_all(const char *tag)
{
    char p[512];
    geo_out_table t = base_table();
    fr_error err = {0};
    if (geo_write_geojson(&t, path_in(p, sizeof p, "%s.geojson", tag), &err) != FR_OK ||
        geo_write_shapefile(&t, path_in(p, sizeof p, "%s.shp", tag), &err) != FR_OK ||
        geo_write_csv(&t, path_in(p, sizeof p, "%s.csv", tag), &err) != FR_OK)
        fail_msg("%s", err.message);
}

static void assert_shapefiles_equal(const char *a, const char *b)
{
    char pa[512], pb[512];
    for (size_t e = 0; e < sizeof shp_exts / sizeof shp_exts[0]; e++)
        assert_same_bytes(path_in(pa, sizeof pa, "%s.%s", a, shp_exts[e]),
                          path_in(pb, sizeof pb, "%s.%s", b, shp_exts[e]));
}

static void assert_outputs_equal(const char *a, const char *b)
{
    char pa[512], pb[512];
    assert_same_bytes(path_in(pa, sizeof pa, "%s.geojson", a),
                      path_in(pb, sizeof pb, "%s.geojson", b));
    assert_same_bytes(path_in(pa, sizeof pa, "%s.csv", a), path_in(pb, sizeof pb, "%s.csv", b));
    for (size_t e = 0; e < sizeof shp_exts / sizeof shp_exts[0]; e++)
        assert_same_bytes(path_in(pa, sizeof pa, "%s.%s", a, shp_exts[e]),
                          path_in(pb, sizeof pb, "%s.%s", b, shp_exts[e]));
}

/* ---- progress ----------------------------------------------------------- */

typedef struct {
    size_t rows, calls;
} rows_told;

static void count_rows(void *ud, size_t rows)
{
    rows_told *c = ud;
    c->rows += rows;
    c->calls++;
}

/* Every writer tells the progress line of every row it wrote, in steps of
 * GEO_OUT_PROGRESS_ROWS and once after the last row. */
static void test_writers_tell_rows_written(void **state)
{
    (void)state;
    geo_out_table big = {.nrows = 10000, .rows_written = count_rows};
    rows_told c = {0};
    big.rows_written_ud = &c;
    for (size_t k = 0; k < big.nrows; k++)
        geo_out_table_row_done(&big, k);
    assert_int_equal(c.rows, 10000);
    assert_int_equal(c.calls, 3); /* 4096, 4096, 1808 */

    char p[512];
    fr_error err = {0};
    fr_status (*const writers[])(const geo_out_table *, const char *, fr_error *) = {
        geo_write_geojson, geo_write_shapefile, geo_write_geojson_gdal, geo_write_shapefile_gdal};
    const char *const names[] = {"told.geojson", "told.shp", "told_gdal.geojson", "told_gdal.shp"};
    for (size_t w = 0; w < sizeof writers / sizeof *writers; w++) {
        geo_out_table t = base_table();
        rows_told n = {0};
        t.rows_written = count_rows;
        t.rows_written_ud = &n;
        assert_int_equal(writers[w](&t, path_in(p, sizeof p, "%s", names[w]), &err), FR_OK);
        assert_true(t.nrows > 0);
        assert_int_equal(n.rows, t.nrows);
        assert_int_equal(n.calls, 1);
    }
    /* without a listener nothing is called, and the bytes are the same */
    geo_out_table t = base_table();
    assert_int_equal(geo_write_geojson(&t, path_in(p, sizeof p, "untold.geojson"), &err), FR_OK);
    char q[512];
    assert_same_bytes(path_in(p, sizeof p, "told.geojson"), path_in(q, sizeof q, "untold.geojson"));
}

static void test_byte_identical_reruns(void **state)
{
    (void)state;
    write_all("run1");
    write_all("run2");
    assert_outputs_equal("run1", "run2");
    /* writing over an earlier output replaces it with the same bytes */
    write_all("run2");
    assert_outputs_equal("run1", "run2");
}

typedef struct {
    int which; /* 0 GeoJSON, 1 Shapefile, 2 GeoJSON (GDAL), 3 Shapefile (GDAL) */
    const char *tag;
    fr_status st;
    fr_error err;
} thread_job;

static void *write_in_thread(void *arg)
{
    thread_job *job = arg;
    char p[512];
    geo_out_table t = base_table();
    int json = job->which % 2 == 0;
    path_in(p, sizeof p, json ? "%s.geojson" : "%s.shp", job->tag);
    switch (job->which) {
    case 0: job->st = geo_write_geojson(&t, p, &job->err); break;
    case 1: job->st = geo_write_shapefile(&t, p, &job->err); break;
    case 2: job->st = geo_write_geojson_gdal(&t, p, &job->err); break;
    default: job->st = geo_write_shapefile_gdal(&t, p, &job->err); break;
    }
    return NULL;
}

static void test_two_threads_at_once(void **state)
{
    (void)state;
    /* the pipeline writes the GeoJSON and the Shapefile on two threads; the
     * GDAL-driver writers must be as safe (each thread its own dataset and
     * error handler) */
    thread_job seq[4] = {{0, "seq0", FR_OK, {0}}, {1, "seq1", FR_OK, {0}},
                         {2, "seq2", FR_OK, {0}}, {3, "seq3", FR_OK, {0}}};
    thread_job par[4] = {{0, "par0", FR_OK, {0}}, {1, "par1", FR_OK, {0}},
                         {2, "par2", FR_OK, {0}}, {3, "par3", FR_OK, {0}}};
    for (int i = 0; i < 4; i++)
        write_in_thread(&seq[i]);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, write_in_thread, &par[i]), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++)
        if (seq[i].st != FR_OK || par[i].st != FR_OK)
            fail_msg("%s%s", seq[i].err.message, par[i].err.message);
    char a[512], b[512];
    assert_same_bytes(path_in(a, sizeof a, "seq0.geojson"), path_in(b, sizeof b, "par0.geojson"));
    assert_same_bytes(path_in(a, sizeof a, "seq2.geojson"), path_in(b, sizeof b, "par2.geojson"));
    assert_shapefiles_equal("seq1", "par1");
    assert_shapefiles_equal("seq3", "par3");
}

/* ---- the streaming writers against GDAL's drivers ------------------- */

/* The homes of g_parcels as address points (feature 2 without one). */
static geo_layer *point_homes(void)
{
    fr_error e;
    geo_layer *pts = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POINT);
    char *wkt = epsg_wkt(32616);
    geo_layer_set_srs(pts, wkt, &e);
    free(wkt);
    size_t i;
    for (int k = 0; k < NPARCELS; k++) {
        geo_layer_add_feature(pts, 100 + k, &i, &e);
        if (k != 2)
            geo_layer_set_point(pts, 741000.25 + 100 * k, 3735000.5 + 100 * k);
    }
    return pts;
}

static void test_shapefile_matches_gdal_driver(void **state)
{
    (void)state;
    char p[512];
    geo_out_table t = base_table();
    fr_error err = {0};
    if (geo_write_shapefile(&t, path_in(p, sizeof p, "own.shp"), &err) != FR_OK ||
        geo_write_shapefile_gdal(&t, path_in(p, sizeof p, "drv.shp"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_shapefiles_equal("own", "drv");

    /* a point layer (homes as address points) and an empty table too */
    geo_layer *pts = point_homes();
    t.parcels = pts;
    if (geo_write_shapefile(&t, path_in(p, sizeof p, "ownpt.shp"), &err) != FR_OK ||
        geo_write_shapefile_gdal(&t, path_in(p, sizeof p, "drvpt.shp"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_shapefiles_equal("ownpt", "drvpt");
    t.nrows = 0;
    if (geo_write_shapefile(&t, path_in(p, sizeof p, "own0.shp"), &err) != FR_OK ||
        geo_write_shapefile_gdal(&t, path_in(p, sizeof p, "drv0.shp"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_shapefiles_equal("own0", "drv0");
    geo_layer_free(pts);
}

/* ---- homes given as points ---------------------------------------------- */

/* Every feature of the only (or the named) layer of path: a point at the
 * home's coordinates (lon/lat when lonlat, else the working CRS; within
 * eps) with the home's attributes, in the table's order; none for the
 * home without a point. */
static void assert_point_layer(const char *path, const char *driver, const char *layer, int lonlat, double eps,
                               int shortnames, const geo_layer *pts)
{
    GDALDatasetH ds = open_vector(path, driver);
    OGRLayerH lyr = layer ? GDALDatasetGetLayerByName(ds, layer) : GDALDatasetGetLayer(ds, 0);
    assert_non_null(lyr);
    assert_int_equal(wkbFlatten(OGR_L_GetGeomType(lyr)), wkbPoint);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), NPARCELS);
    OGRCoordinateTransformationH ct = NULL;
    if (lonlat) {
        OGRSpatialReferenceH utm = OSRNewSpatialReference(NULL), wgs = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(utm, 32616);
        OSRImportFromEPSG(wgs, 4326);
        OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
        ct = OCTNewCoordinateTransformation(utm, wgs);
        OSRDestroySpatialReference(utm);
        OSRDestroySpatialReference(wgs);
        assert_non_null(ct);
    }
    OGR_L_ResetReading(lyr);
    for (size_t k = 0; k < NPARCELS; k++) {
        OGRFeatureH f = OGR_L_GetNextFeature(lyr);
        assert_non_null(f);
        size_t idx = g_order[k];
        assert_values(f, idx, shortnames);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (idx == 2) {
            assert_true(!g || OGR_G_IsEmpty(g));
        } else {
            assert_non_null(g);
            assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(g)), wkbPoint);
            double x = pts->x[idx], y = pts->y[idx];
            if (ct)
                assert_true(OCTTransform(ct, 1, &x, &y, NULL));
            if (fabs(OGR_G_GetX(g, 0) - x) > eps || fabs(OGR_G_GetY(g, 0) - y) > eps)
                fail_msg("%s: home %zu at (%.9f, %.9f), written (%.9f, %.9f)", path, idx, x, y, OGR_G_GetX(g, 0),
                         OGR_G_GetY(g, 0));
        }
        OGR_F_Destroy(f);
    }
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    GDALClose(ds);
}

/* Homes given as points (layers.parcels of address points): every writer
 * keeps them as a point layer with the same coordinates and attributes:
 * GeoJSON (ours and GDAL's), Shapefile (ours, byte-identical to GDAL's:
 * shape type Point, .shx, bbox) and the GeoPackage. */
static void test_point_homes_every_writer(void **state)
{
    (void)state;
    char p[512];
    geo_layer *pts = point_homes();
    geo_out_table t = base_table();
    t.parcels = pts;
    fr_error err = {0};
    if (geo_write_geojson(&t, path_in(p, sizeof p, "homes.geojson"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_point_layer(p, "GeoJSON", NULL, 1, 1e-7, 0, pts);
    if (geo_write_geojson_gdal(&t, path_in(p, sizeof p, "homes_drv.geojson"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_point_layer(p, "GeoJSON", NULL, 1, 1e-7, 0, pts);
    if (geo_write_shapefile(&t, path_in(p, sizeof p, "homes.shp"), &err) != FR_OK ||
        geo_write_shapefile_gdal(&t, path_in(p, sizeof p, "homes_drv.shp"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_point_layer(path_in(p, sizeof p, "homes.shp"), "ESRI Shapefile", NULL, 0, 0, 1, pts);
    assert_shapefiles_equal("homes", "homes_drv");
    /* the .shp header: shape type 1 (Point) and the bbox of the points */
    char *shp = slurp(path_in(p, sizeof p, "homes.shp"), NULL);
    assert_non_null(shp);
    int32_t type;
    double box[4];
    memcpy(&type, shp + 32, 4);
    memcpy(box, shp + 36, sizeof box);
    free(shp);
    assert_int_equal(type, 1);
    assert_true(box[0] == 741000.25 && box[1] == 3735000.5 && box[2] == 741300.25 && box[3] == 3735300.5);
    geo_gpkg_spec gs = {.ranked = &t, .timestamp = "2026-01-01T00:00:00.000Z"};
    if (geo_write_gpkg(&gs, path_in(p, sizeof p, "homes.gpkg"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_point_layer(p, "GPKG", "ranked_parcels", 0, 0, 0, pts);
    geo_layer_free(pts);
}

/* Same features, values and coordinates (within the rounding) in two
 * GeoJSON files. */
static void assert_geojson_same_content(const char *a, const char *b)
{
    GDALDatasetH da = open_vector(a, "GeoJSON"), db = open_vector(b, "GeoJSON");
    OGRLayerH la = GDALDatasetGetLayer(da, 0), lb = GDALDatasetGetLayer(db, 0);
    assert_string_equal(OGR_L_GetName(la), OGR_L_GetName(lb));
    assert_int_equal(OGR_L_GetFeatureCount(la, TRUE), OGR_L_GetFeatureCount(lb, TRUE));
    OGRFeatureDefnH fa = OGR_L_GetLayerDefn(la), fb = OGR_L_GetLayerDefn(lb);
    assert_int_equal(OGR_FD_GetFieldCount(fa), OGR_FD_GetFieldCount(fb));
    for (int j = 0; j < OGR_FD_GetFieldCount(fa); j++) {
        OGRFieldDefnH x = OGR_FD_GetFieldDefn(fa, j), y = OGR_FD_GetFieldDefn(fb, j);
        assert_string_equal(OGR_Fld_GetNameRef(x), OGR_Fld_GetNameRef(y));
        assert_int_equal(OGR_Fld_GetType(x), OGR_Fld_GetType(y));
    }
    OGRFeatureH f, g;
    while ((f = OGR_L_GetNextFeature(la)) != NULL) {
        g = OGR_L_GetNextFeature(lb);
        assert_non_null(g);
        for (int j = 0; j < OGR_FD_GetFieldCount(fa); j++) {
            assert_int_equal(OGR_F_IsFieldSetAndNotNull(f, j), OGR_F_IsFieldSetAndNotNull(g, j));
            assert_string_equal(OGR_F_GetFieldAsString(f, j), OGR_F_GetFieldAsString(g, j));
        }
        OGRGeometryH ga = OGR_F_GetGeometryRef(f), gb = OGR_F_GetGeometryRef(g);
        assert_int_equal(ga == NULL, gb == NULL);
        if (ga) {
            assert_int_equal(OGR_G_GetGeometryType(ga), OGR_G_GetGeometryType(gb));
            assert_int_equal(OGR_G_GetGeometryCount(ga), OGR_G_GetGeometryCount(gb));
            /* vertex by vertex, in the same order */
            OGRGeometryH parts_a = ga, parts_b = gb;
            int multi = wkbFlatten(OGR_G_GetGeometryType(ga)) == wkbMultiPolygon;
            for (int q = 0; q < (multi ? OGR_G_GetGeometryCount(ga) : 1); q++) {
                OGRGeometryH pa = multi ? OGR_G_GetGeometryRef(parts_a, q) : parts_a;
                OGRGeometryH pb = multi ? OGR_G_GetGeometryRef(parts_b, q) : parts_b;
                for (int r = 0; r < OGR_G_GetGeometryCount(pa); r++) {
                    OGRGeometryH xa = OGR_G_GetGeometryRef(pa, r), xb = OGR_G_GetGeometryRef(pb, r);
                    assert_int_equal(OGR_G_GetPointCount(xa), OGR_G_GetPointCount(xb));
                    /* one unit of the 7th decimal for rounding, two more
                     * for GDAL's formatter, which shortens runs of 9s
                     * (-84.5999998 is written -84.6) */
                    for (int v = 0; v < OGR_G_GetPointCount(xa); v++) {
                        assert_true(fabs(OGR_G_GetX(xa, v) - OGR_G_GetX(xb, v)) <= 3.01e-7);
                        assert_true(fabs(OGR_G_GetY(xa, v) - OGR_G_GetY(xb, v)) <= 3.01e-7);
                    }
                }
            }
        }
        OGR_F_Destroy(f);
        OGR_F_Destroy(g);
    }
    assert_null(OGR_L_GetNextFeature(lb));
    GDALClose(da);
    GDALClose(db);
}

static void test_geojson_matches_gdal_driver(void **state)
{
    (void)state;
    char a[512], b[512];
    geo_out_table t = base_table();
    fr_error err = {0};
    if (geo_write_geojson(&t, path_in(a, sizeof a, "own.geojson"), &err) != FR_OK ||
        geo_write_geojson_gdal(&t, path_in(b, sizeof b, "drv.geojson"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_geojson_same_content(a, b);
    /* and the empty table */
    t.nrows = 0;
    if (geo_write_geojson(&t, path_in(a, sizeof a, "own0.geojson"), &err) != FR_OK ||
        geo_write_geojson_gdal(&t, path_in(b, sizeof b, "drv0.geojson"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_same_bytes(a, b);
}

/* ---- the GeoJSON formatted on several threads ----------------------------- */

/* A city of n parcels (a few with holes, several parts or no geometry, in a
 * scrambled order) whose GeoJSON spans several chunks of rows. */
typedef struct {
    geo_layer *l;
    size_t *order;
    double *num, *ints;
    int32_t *dates;
    const char **ids;
    char (*names)[16];
    geo_out_field f[4];
} big_city;

static void big_city_make(big_city *c, size_t n)
{
    fr_error e;
    c->l = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POLYGON);
    char *wkt = epsg_wkt(32616);
    geo_layer_set_srs(c->l, wkt, &e);
    free(wkt);
    c->order = malloc(n * sizeof *c->order);
    c->num = malloc(n * sizeof *c->num);
    c->ints = malloc(n * sizeof *c->ints);
    c->dates = malloc(n * sizeof *c->dates);
    c->ids = malloc(n * sizeof *c->ids);
    c->names = malloc(n * sizeof *c->names);
    for (size_t k = 0; k < n; k++) {
        size_t i;
        geo_layer_add_feature(c->l, (int64_t)k, &i, &e);
        double x = 740000 + 40.0 * (double)(k % 100), y = 3730000 + 40.0 * (double)(k / 100);
        if (k % 211 != 3) {
            add_ring(c->l, 1, x, y, x + 30 + (double)(k % 9) / 7, y + 30, (int)(k % 2));
            if (k % 13 == 0)
                add_ring(c->l, 0, x + 10, y + 10, x + 20, y + 20, 0);
            if (k % 17 == 0)
                add_ring(c->l, 1, x + 32, y, x + 35, y + 3, 1);
        }
        snprintf(c->names[k], sizeof c->names[k], "P-%zu", k);
        c->ids[k] = k % 29 ? c->names[k] : NULL;
        c->num[k] = k % 31 ? (double)(k * 7919 % 100003) / 977.0 : NAN;
        c->ints[k] = (double)(k % 1000) - 500;
        c->dates[k] = k % 23 ? (int32_t)(10000 + k % 9000) : GEO_DATE_MISSING;
        c->order[k] = k * 7 % n; /* n not a multiple of 7: a permutation */
    }
    geo_out_field f[4] = {
        {.name = "parcel_id", .short_name = "parcel_id", .type = GEO_COL_STRING, .str = c->ids},
        {.name = "score", .short_name = "score", .type = GEO_COL_NUMBER, .num = c->num},
        {.name = "count", .short_name = "count", .type = GEO_COL_NUMBER, .is_integer = 1, .num = c->ints},
        {.name = "last", .short_name = "last", .type = GEO_COL_DATE, .date = c->dates},
    };
    memcpy(c->f, f, sizeof f);
}

static void big_city_free(big_city *c)
{
    geo_layer_free(c->l);
    free(c->order);
    free(c->num);
    free(c->ints);
    free(c->dates);
    free(c->ids);
    free(c->names);
}

static geo_out_table big_table(big_city *c, size_t n)
{
    geo_out_table t = {.parcels = c->l, .order = c->order, .nrows = n, .fields = c->f, .nfields = 4,
                       .layer_name = "ranked_parcels", .coordinate_precision = 7};
    return t;
}

/* The same bytes at 1, 2 and 3 threads over several chunks (rows in
 * chunks of 2048; 9001 rows), the progress told of every row once, and the
 * same content as GDAL's driver; a bad value in a late chunk fails the
 * same way at every thread count. */
static void test_geojson_same_bytes_at_any_thread_count(void **state)
{
    (void)state;
    enum { N = 9001 };
    big_city c;
    big_city_make(&c, N);
    geo_out_table t = big_table(&c, N);
    int threads = omp_get_max_threads();
    char p1[512], p[512];
    fr_error err = {0};
    for (int nt = 1; nt <= 3; nt++) {
        omp_set_num_threads(nt);
        rows_told told = {0};
        t.rows_written = count_rows;
        t.rows_written_ud = &told;
        char *dst = nt == 1 ? p1 : p;
        if (geo_write_geojson(&t, path_in(dst, 512, "chunks_t%d.geojson", nt), &err) != FR_OK)
            fail_msg("%s", err.message);
        assert_int_equal(told.rows, N);
        if (nt > 1)
            assert_same_bytes(p1, p);
    }
    t.rows_written = NULL;
    if (geo_write_geojson_gdal(&t, path_in(p, sizeof p, "chunks_drv.geojson"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_geojson_same_content(p1, p);
    /* year 10000 in row 7000 (chunk 4): refused, naming that row */
    size_t bad = c.order[7000];
    c.dates[bad] = 3000000;
    char first[sizeof err.message] = "";
    for (int nt = 1; nt <= 3; nt++) {
        omp_set_num_threads(nt);
        fr_error e = {0};
        assert_int_equal(geo_write_geojson(&t, path_in(p, sizeof p, "chunks_bad.geojson"), &e), FR_E_OUTPUT);
        assert_non_null(strstr(e.message, "row 7000 "));
        if (nt == 1)
            snprintf(first, sizeof first, "%s", e.message);
        else
            assert_string_equal(first, e.message);
    }
    omp_set_num_threads(threads);
    big_city_free(&c);
}

/* Two parcels in UTM 60N (x 640000..642000 at y ~7.21e6 spans lon
 * 179.97 .. 180.02), the second across the antimeridian, and their table
 * (field "id": "west", "across").  *l to free. */
static geo_out_table antimeridian_table(geo_layer **l)
{
    static const char *ids[2] = {"west", "across"};
    static const geo_out_field f = {.name = "id", .short_name = "id", .type = GEO_COL_STRING, .str = ids};
    static const size_t order[2] = {0, 1};
    fr_error e;
    *l = polygons_in_epsg(32660);
    size_t i;
    geo_layer_add_feature(*l, 1, &i, &e);
    add_ring(*l, 1, 630000, 7211800, 630100, 7211900, 0); /* west of 180: untouched */
    geo_layer_add_feature(*l, 2, &i, &e);
    add_ring(*l, 1, 640000, 7211800, 642000, 7212000, 0); /* crosses 180 */
    geo_out_table t = base_table();
    t.parcels = *l;
    t.order = order;
    t.nrows = 2;
    t.fields = &f;
    t.nfields = 1;
    return t;
}

static void test_geojson_antimeridian_falls_back(void **state)
{
    (void)state;
    geo_layer *l;
    geo_out_table t = antimeridian_table(&l);
    char p[512];
    fr_error err = {0};
    if (geo_write_geojson(&t, path_in(p, sizeof p, "am.geojson"), &err) != FR_OK)
        fail_msg("%s", err.message);
    GDALDatasetH ds = open_vector(p, "GeoJSON");
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), 2);
    OGRFeatureH a = OGR_L_GetNextFeature(lyr), b = OGR_L_GetNextFeature(lyr);
    assert_string_equal(OGR_F_GetFieldAsString(b, 0), "across");
    assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(OGR_F_GetGeometryRef(a))), wkbPolygon);
    /* cut in two at the antimeridian, every longitude within [-180, 180] */
    OGRGeometryH g = OGR_F_GetGeometryRef(b);
    assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(g)), wkbMultiPolygon);
    assert_int_equal(OGR_G_GetGeometryCount(g), 2);
    OGREnvelope env;
    OGR_G_GetEnvelope(g, &env);
    assert_true(env.MinX >= -180 && env.MaxX <= 180 && env.MaxX - env.MinX > 359);
    OGR_F_Destroy(a);
    OGR_F_Destroy(b);
    GDALClose(ds);
    geo_layer_free(l);
}

static void test_number_formatting(void **state)
{
    (void)state;
    char a[GEO_OUT_FMT_BUF], b[GEO_OUT_FMT_BUF];
    struct {
        double v;
        int d;
        const char *want;
    } fixed[] = {{0, 7, "0"},           {-0.0, 7, "0"},         {-1e-9, 7, "0"},
                 {1.5, 7, "1.5"},       {-84.39891896, 7, "-84.398919"},
                 {33.72767086, 7, "33.7276709"}, {100, 6, "100"},
                 {1e20, 6, "100000000000000000000"},
                 {0.1, 6, "0.1"},       {2.5e-7, 6, "0"},       {123456.0000004, 6, "123456"}};
    for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
        geo_out_fmt_fixed(a, fixed[k].v, fixed[k].d);
        assert_string_equal(a, fixed[k].want);
    }
    geo_out_fmt_decimals(a, -1e-9, 6);
    assert_string_equal(a, "-0.000000"); /* printf keeps the sign */
    geo_out_fmt_decimals(a, 2.5, 0);
    assert_string_equal(a, "2"); /* ties to even */
    /* agrees with printf("%.*f") + trimming over many values */
    srand(12345);
    for (int k = 0; k < 200000; k++) {
        double v = ((double)rand() / RAND_MAX - 0.5) * 360.0 * pow(10, k % 7 - 3);
        int d = k % 16;
        geo_out_fmt_fixed(a, v, d);
        int n = snprintf(b, sizeof b, "%.*f", d, v);
        while (strchr(b, '.') && b[n - 1] == '0')
            b[--n] = '\0';
        if (b[n - 1] == '.')
            b[--n] = '\0';
        if (strcmp(b, "-0") == 0)
            strcpy(b, "0");
        if (strcmp(a, b) != 0)
            fail_msg("%.17g with %d decimals: '%s' vs printf '%s'", v, d, a, b);
        /* untrimmed, as the .dbf writes it */
        geo_out_fmt_decimals(a, v, d);
        snprintf(b, sizeof b, "%.*f", d, v);
        if (strcmp(a, b) != 0)
            fail_msg("%.17g with %d decimals: '%s' vs printf '%s'", v, d, a, b);
    }
    struct {
        double v;
        const char *want;
    } real[] = {{0, "0.0"},          {-0.0, "-0.0"}, {100, "100.0"},
                {-7, "-7.0"},        {0.25, "0.25"}, {1.0 / 3.0, "0.333333333333333"},
                {-1e-7, "-1e-07"}, {1e20, "1e+20"}};
    for (size_t k = 0; k < sizeof real / sizeof real[0]; k++) {
        geo_out_fmt_real(a, real[k].v);
        assert_string_equal(a, real[k].want);
    }
    /* agrees with printf("%.15g") (+ ".0") over many magnitudes */
    for (int k = 0; k < 200000; k++) {
        double v = ((double)rand() / RAND_MAX - 0.5) * pow(10, k % 24 - 8);
        if (k % 5 == 0)
            v = nearbyint(v * 1000) / 1000; /* short decimals too */
        geo_out_fmt_real(a, v);
        int n = snprintf(b, sizeof b, "%.15g", v);
        if (!strpbrk(b, ".eEni"))
            strcpy(b + n, ".0");
        if (strcmp(a, b) != 0)
            fail_msg("%.17g: '%s' vs printf '%s'", v, a, b);
    }
    geo_out_fmt_int(a, INT64_MIN);
    assert_string_equal(a, "-9223372036854775808");
}

static void test_dbf_layout_from_data(void **state)
{
    (void)state;
    /* values too large for a given width are refused before any file exists */
    static const double wide[NPARCELS] = {1, 2, 123456789.5, 3};
    geo_out_field f[NFIELDS];
    memcpy(f, g_fields, sizeof f);
    f[2].num = wide; /* risk_score is N(12,6): 123456789.500000 needs 16 */
    geo_out_table t = base_table();
    t.fields = f;
    char p[512];
    fr_error err = {0};
    assert_int_equal(geo_write_shapefile(&t, path_in(p, sizeof p, "wide.shp"), &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, "risk_score"));
    assert_non_null(strstr(err.message, "N(12,6)"));
    assert_false(file_exists(p));
    assert_int_equal(geo_write_shapefile_gdal(&t, p, &err), FR_E_OUTPUT);
    assert_false(file_exists(p));

    /* a default real field keeps fewer decimals instead: N(24,14) here */
    f[2] = g_fields[6];
    f[6].num = wide;
    f[6].short_name = "wide";
    f[2].short_name = "fraction";
    if (geo_write_shapefile(&t, path_in(p, sizeof p, "wide.shp"), &err) != FR_OK)
        fail_msg("%s", err.message);
    GDALDatasetH ds = open_vector(p, "ESRI Shapefile");
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    OGRFieldDefnH fd = OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(lyr), 6);
    assert_int_equal(OGR_Fld_GetWidth(fd), 24);
    assert_int_equal(OGR_Fld_GetPrecision(fd), 14);
    for (size_t k = 0; k < NPARCELS; k++) {
        OGRFeatureH ft = OGR_L_GetNextFeature(lyr);
        assert_true(OGR_F_GetFieldAsDouble(ft, 6) == wide[g_order[k]]);
        OGR_F_Destroy(ft);
    }
    GDALClose(ds);
    char q[512];
    if (geo_write_shapefile_gdal(&t, path_in(q, sizeof q, "wide_drv.shp"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_shapefiles_equal("wide", "wide_drv");

    /* text longer than 254 bytes is cut on a UTF-8 character boundary */
    char longtxt[400] = "a";
    for (int k = 0; k < 150; k++)
        strcat(longtxt, "\xc3\xb1");
    const char *txt[NPARCELS] = {longtxt, "b", NULL, "c"};
    memcpy(f, g_fields, sizeof f);
    f[1].str = txt;
    t.fields = f;
    if (geo_write_shapefile(&t, path_in(p, sizeof p, "longtxt.shp"), &err) != FR_OK)
        fail_msg("%s", err.message);
    ds = open_vector(p, "ESRI Shapefile");
    lyr = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_Fld_GetWidth(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(lyr), 1)), 254);
    OGRFeatureH ft = OGR_L_GetFeature(lyr, 1); /* row 1 is parcel 0 */
    const char *got = OGR_F_GetFieldAsString(ft, 1);
    assert_int_equal(strlen(got), 253);
    assert_memory_equal(got, longtxt, 253);
    OGR_F_Destroy(ft);
    GDALClose(ds);
}

static void test_stale_index_removed(void **state)
{
    (void)state;
    char p[512], q[512];
    FILE *fp = fopen(path_in(q, sizeof q, "stale.qix"), "wb");
    assert_non_null(fp);
    fputs("old index", fp);
    fclose(fp);
    geo_out_table t = base_table();
    fr_error err = {0};
    assert_int_equal(geo_write_shapefile(&t, path_in(p, sizeof p, "stale.shp"), &err), FR_OK);
    assert_false(file_exists(q));
}

/* ---- refusals and failures ------------------------------------------- */

static void test_short_name_too_long(void **state)
{
    (void)state;
    geo_out_field f[NFIELDS];
    memcpy(f, g_fields, sizeof f);
    f[2].short_name = "risk_score_x"; /* 12 characters */
    geo_out_table t = base_table();
    t.fields = f;
    char p[512];
    fr_error err = {0};
    assert_int_equal(geo_write_shapefile(&t, path_in(p, sizeof p, "long.shp"), &err),
                     FR_E_INTERNAL);
    assert_non_null(strstr(err.message, "risk_score_x"));
    assert_non_null(strstr(err.message, "10"));
    assert_false(file_exists(p));

    /* duplicates are refused too, ignoring case as the .dbf does */
    f[2].short_name = "RANK";
    assert_int_equal(geo_write_shapefile(&t, p, &err), FR_E_INTERNAL);
    assert_non_null(strstr(err.message, "RANK"));
    assert_false(file_exists(p));

    /* GeoJSON uses the long names, so the same table is fine there */
    assert_int_equal(geo_write_geojson(&t, path_in(p, sizeof p, "long.geojson"), &err), FR_OK);
}

static void test_missing_directory(void **state)
{
    (void)state;
    geo_out_table t = base_table();
    char p[512];
    fr_error err = {0};
    path_in(p, sizeof p, "no_such_dir/out.geojson");
    assert_int_equal(geo_write_geojson(&t, p, &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, p));
    assert_non_null(strstr(err.message, "No such file or directory"));
    path_in(p, sizeof p, "no_such_dir/out.shp");
    assert_int_equal(geo_write_shapefile(&t, p, &err), FR_E_OUTPUT);
    p[strlen(p) - 3] = '\0'; /* the first file that fails may be the .prj */
    assert_non_null(strstr(err.message, p));
    assert_non_null(strstr(err.message, "No such file or directory"));
    path_in(p, sizeof p, "no_such_dir/out.shp");
    assert_int_equal(geo_write_shapefile_gdal(&t, p, &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, p));
    path_in(p, sizeof p, "no_such_dir/out.geojson");
    assert_int_equal(geo_write_geojson_gdal(&t, p, &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, p));
    path_in(p, sizeof p, "no_such_dir/out.csv");
    assert_int_equal(geo_write_csv(&t, p, &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, p));
    assert_non_null(strstr(err.message, "No such file or directory"));
    geo_rejects r = {0};
    assert_int_equal(geo_write_rejects_csv(&r, p, &err), FR_E_OUTPUT);
}

static void test_disk_full(void **state)
{
    (void)state;
    if (!file_exists("/dev/full"))
        skip();
    geo_out_table t = base_table();
    fr_error err = {0};
    assert_int_equal(geo_write_csv(&t, "/dev/full", &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, "/dev/full"));
    assert_non_null(strstr(err.message, "No space left on device"));
    err.message[0] = '\0';
    assert_int_equal(geo_write_geojson(&t, "/dev/full", &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, "No space left on device"));
    geo_rejects r = {0};
    assert_int_equal(geo_write_rejects_csv(&r, "/dev/full", &err), FR_E_OUTPUT);
    /* a .shp on a full disk: the .shp itself is the symlink to /dev/full */
    char p[512];
    path_in(p, sizeof p, "full.shp");
    assert_int_equal(symlink("/dev/full", p), 0);
    err.message[0] = '\0';
    assert_int_equal(geo_write_shapefile(&t, p, &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, p));
    assert_non_null(strstr(err.message, "No space left on device"));
}

enum { PIECE_MAX = 3 << 20 };

/* Puts at least min_total bytes into o in pieces of pseudo-random sizes
 * (seed), smaller and larger than the 1 MB buffer (piece: PIECE_MAX of
 * scratch); byte i of the file is i * 31 % 251.  Returns the bytes put. */
static long long put_pieces(geo_out_buf *o, unsigned char *piece, long long min_total, uint32_t seed)
{
    long long total = 0;
    while (total < min_total) {
        seed = seed * 1103515245u + 12345u;
        size_t n = seed % 7 == 0 ? (size_t)(seed % PIECE_MAX) : (size_t)(seed % 5000);
        for (size_t k = 0; k < n; k++)
            piece[k] = (unsigned char)((total + (long long)k) * 31 % 251);
        geo_out_buf_put(o, piece, n);
        total += (long long)n;
    }
    return total;
}

/* A file of many writeback steps (GEO_OUT_WRITEBACK_BYTES), written in
 * pieces smaller and larger than the 1 MB buffer: every byte arrives, in
 * order, and the sizes add up. */
static void test_out_buf_streams_past_writeback_steps(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "stream.bin");
    geo_out_buf o;
    fr_error err = {0};
    assert_int_equal(geo_out_buf_open(&o, p, &err), FR_OK);
    unsigned char *piece = malloc(PIECE_MAX);
    assert_non_null(piece);
    long long total = put_pieces(&o, piece, 3 * GEO_OUT_WRITEBACK_BYTES + 12345, 1);
    /* handed to writeback as it went: at most one step and the buffer behind */
    assert_true(o.kicked > 0 && o.kicked <= o.written);
    assert_true(o.kicked > total - (long long)o.cap - GEO_OUT_WRITEBACK_BYTES);
    assert_int_equal(geo_out_buf_close(&o, p, FR_OK, &err), FR_OK);
    FILE *fp = fopen(p, "rb");
    assert_non_null(fp);
    long long at = 0;
    size_t r;
    while ((r = fread(piece, 1, PIECE_MAX, fp)) > 0) {
        for (size_t k = 0; k < r; k++)
            if (piece[k] != (unsigned char)((at + (long long)k) * 31 % 251))
                fail_msg("byte %lld differs", at + (long long)k);
        at += (long long)r;
    }
    fclose(fp);
    assert_true(at == total);
    free(piece);
    unlink(p);
}

static void test_shapefile_over_2gb_refused(void **state)
{
    (void)state;
    /* 8 reals of width 254: 2033-byte records; 1.1M rows (all parcel 0)
     * make a 2.2 GB .dbf.  Nothing may be written. */
    enum { NF = 8 };
    size_t nrows = 1100000;
    size_t *order = calloc(nrows, sizeof *order);
    geo_out_field f[NF];
    char names[NF][8];
    for (int j = 0; j < NF; j++) {
        snprintf(names[j], sizeof names[j], "r%d", j);
        f[j] = (geo_out_field){.name = names[j], .short_name = names[j], .type = GEO_COL_NUMBER,
                               .width = 254, .precision = 6, .num = score_vals};
    }
    geo_out_table t = base_table();
    t.order = order;
    t.nrows = nrows;
    t.fields = f;
    t.nfields = NF;
    uint64_t shp = 0, dbf = 0;
    fr_error err = {0};
    assert_int_equal(geo_write_shapefile_estimate(&t, &shp, &dbf, &err), FR_OK);
    assert_true(dbf == 32 + 32 * NF + 1 + (uint64_t)nrows * (1 + NF * 254) + 1);
    assert_true(dbf > GEO_WRITE_SHAPEFILE_MAX_BYTES);
    assert_true(shp == 100 + (uint64_t)nrows * (8 + 4 + 32 + 4 + 4 + 4 + 16 * 5));
    char p[512];
    assert_int_equal(geo_write_shapefile(&t, path_in(p, sizeof p, "huge.shp"), &err),
                     FR_E_OUTPUT);
    assert_non_null(strstr(err.message, p));
    assert_non_null(strstr(err.message, "2 GB"));
    assert_non_null(strstr(err.message, "GeoJSON"));
    assert_false(file_exists(p));
    free(order);
}

/* ---- the Shapefile in parts (geo_shapefile_parts) --------------------- */

/* t's Shapefile through geo_shapefile_parts: the .dbf in ranges of `range`
 * rows and the geometry as one more part, all taken last range first on
 * nt threads, as the run's write stage takes them in any order; the first
 * failure in part order is reported. */
static fr_status write_in_parts(const geo_out_table *t, const char *path, size_t range, int nt, fr_error *err)
{
    geo_shapefile_parts *parts = NULL;
    fr_status st = geo_shapefile_parts_plan(t, path, &parts, err);
    if (st == FR_OK)
        st = geo_shapefile_parts_begin(parts, err);
    if (st == FR_OK) {
        size_t nranges = (t->nrows + range - 1) / range;
        nranges = nranges ? nranges : 1;
        fr_status *sts = calloc(nranges + 1, sizeof *sts);
        fr_error *errs = calloc(nranges + 1, sizeof *errs);
        assert_non_null(sts);
        assert_non_null(errs);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
        for (size_t q = 0; q <= nranges; q++) {
            size_t j = nranges - q; /* j == nranges: the geometry */
            if (j == nranges)
                sts[j] = geo_shapefile_parts_shapes(parts, &errs[j]);
            else
                sts[j] = geo_shapefile_parts_dbf_rows(parts, j * range,
                                                      (j + 1) * range < t->nrows ? (j + 1) * range : t->nrows,
                                                      &errs[j]);
        }
        for (size_t j = 0; j <= nranges && st == FR_OK; j++)
            if ((st = sts[j]) != FR_OK)
                *err = errs[j];
        fr_status closed = geo_shapefile_parts_dbf_close(parts, st == FR_OK ? err : &errs[0]);
        st = st != FR_OK ? st : closed;
        free(sts);
        free(errs);
    }
    geo_shapefile_parts_free(parts);
    return st;
}

/* The parts write the bytes of the one-pass writer: every field type with
 * nulls, UTF-8 text, a multipolygon with a hole, a feature without
 * geometry and a scrambled row order; 0, 1 and all rows; ranges of 1, 3
 * and more rows than the table; points; 9001 rows in ranges of 4096 (the
 * progress told of every row once) at 1, 2 and 4 threads; the sizes are
 * the estimate's. */
static void test_shapefile_parts_same_bytes(void **state)
{
    (void)state;
    char p[512];
    fr_error err = {0};
    static const size_t nrows[] = {0, 1, NPARCELS};
    static const size_t ranges[] = {1, 3, 100};
    for (size_t a = 0; a < sizeof nrows / sizeof *nrows; a++) {
        geo_out_table t = base_table();
        t.nrows = nrows[a];
        char one[32];
        snprintf(one, sizeof one, "onepass%zu", nrows[a]);
        if (geo_write_shapefile(&t, path_in(p, sizeof p, "%s.shp", one), &err) != FR_OK)
            fail_msg("%s", err.message);
        for (size_t b = 0; b < sizeof ranges / sizeof *ranges; b++)
            for (int nt = 1; nt <= 4; nt *= 2) {
                char tag[48];
                snprintf(tag, sizeof tag, "parts%zu_r%zu_t%d", nrows[a], ranges[b], nt);
                if (write_in_parts(&t, path_in(p, sizeof p, "%s.shp", tag), ranges[b], nt, &err) != FR_OK)
                    fail_msg("%s", err.message);
                assert_shapefiles_equal(one, tag);
            }
    }
    /* points */
    geo_layer *pts = point_homes();
    geo_out_table t = base_table();
    t.parcels = pts;
    if (geo_write_shapefile(&t, path_in(p, sizeof p, "onepass_pts.shp"), &err) != FR_OK ||
        write_in_parts(&t, path_in(p, sizeof p, "parts_pts.shp"), 2, 2, &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_shapefiles_equal("onepass_pts", "parts_pts");
    geo_layer_free(pts);

    enum { N = 9001 };
    big_city c;
    big_city_make(&c, N);
    geo_out_table big = big_table(&c, N);
    big.dbf_date = "2024-03-05";
    if (geo_write_shapefile(&big, path_in(p, sizeof p, "onepass_big.shp"), &err) != FR_OK)
        fail_msg("%s", err.message);
    for (int nt = 1; nt <= 4; nt *= 2) {
        rows_told told = {0};
        big.rows_written = count_rows;
        big.rows_written_ud = &told;
        char tag[32];
        snprintf(tag, sizeof tag, "parts_big_t%d", nt);
        if (write_in_parts(&big, path_in(p, sizeof p, "%s.shp", tag), GEO_OUT_PROGRESS_ROWS, nt, &err) != FR_OK)
            fail_msg("%s", err.message);
        assert_int_equal(told.rows, N);
        assert_shapefiles_equal("onepass_big", tag);
    }
    big.rows_written = NULL;
    geo_shapefile_parts *parts = NULL;
    assert_int_equal(geo_shapefile_parts_plan(&big, path_in(p, sizeof p, "sizes.shp"), &parts, &err), FR_OK);
    uint64_t shp = 0, dbf = 0, shp_est = 0, dbf_est = 0;
    geo_shapefile_parts_sizes(parts, &shp, &dbf);
    geo_shapefile_parts_free(parts);
    assert_int_equal(geo_write_shapefile_estimate(&big, &shp_est, &dbf_est, &err), FR_OK);
    assert_true(shp == shp_est && dbf == dbf_est);
    assert_false(file_exists(p)); /* planning writes nothing */
    big_city_free(&c);
}

/* ---- the bytes as written (geo_out_tap) --------------------------------- */

/* A tap that keeps every byte it is shown, per file, and how each ended. */
typedef struct {
    char path[512];
    unsigned char *bytes;
    size_t n, cap;
    int closed, whole;
} tapped_file;

typedef struct {
    tapped_file f[4];
    int nfiles;
    const char *only; /* a file name to want, NULL: every file */
} test_tap;

static void *tap_open(void *ud, const char *path)
{
    test_tap *t = ud;
    const char *slash = strrchr(path, '/');
    if (t->only && strcmp(slash ? slash + 1 : path, t->only))
        return NULL;
    tapped_file *f = NULL;
#pragma omp critical(test_tap)
    {
        assert_true(t->nfiles < 4);
        f = &t->f[t->nfiles++];
    }
    snprintf(f->path, sizeof f->path, "%s", path);
    return f;
}

static void tap_bytes(void *state, const void *p, size_t n)
{
    tapped_file *f = state;
    if (f->n + n > f->cap) {
        f->cap = (f->n + n) * 2;
        f->bytes = realloc(f->bytes, f->cap);
        assert_non_null(f->bytes);
    }
    memcpy(f->bytes + f->n, p, n);
    f->n += n;
}

static void tap_close(void *ud, void *state, const char *path, int whole)
{
    (void)ud;
    tapped_file *f = state;
    assert_string_equal(path, f->path);
    f->closed++;
    f->whole = whole;
}

static void test_tap_free(test_tap *t)
{
    for (int k = 0; k < t->nfiles; k++)
        free(t->f[k].bytes);
    memset(t, 0, sizeof *t);
}

/* The file's bytes, all of them, are those the tap saw. */
static void assert_tapped_is_file(const tapped_file *f)
{
    FILE *fp = fopen(f->path, "rb");
    assert_non_null(fp);
    unsigned char *buf = malloc(f->n + 1);
    assert_non_null(buf);
    assert_true(fread(buf, 1, f->n + 1, fp) == f->n); /* not one byte more */
    fclose(fp);
    assert_true(f->n == 0 || memcmp(buf, f->bytes, f->n) == 0);
    free(buf);
    assert_int_equal(f->closed, 1);
    assert_int_equal(f->whole, 1);
}

/* A tapped file of many writeback steps, written through the page cache
 * (direct = 0) and with direct I/O (direct = 1): the tap saw every byte in
 * order and is told the file is whole; through the cache, the cache behind
 * the writer was let go as it went (dropped trails the writeback by the
 * lag); direct, nothing waited in the cache at all (the test directory's
 * file system takes O_DIRECT: ext4, tmpfs since Linux 6.6) and the tail,
 * not whole blocks, arrived too.  A file the tap does not want is written
 * as before.  On a full disk the tap is told the bytes are not the
 * file's. */
static void test_out_buf_tap_sees_every_byte(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "tapped.bin");
    unsigned char *piece = malloc(PIECE_MAX);
    assert_non_null(piece);
    for (int direct = 0; direct <= 1; direct++) {
        test_tap t = {0};
        const geo_out_tap tap = {tap_open, tap_bytes, tap_close, &t};
        geo_out_buf o;
        fr_error err = {0};
        assert_int_equal(geo_out_buf_open_tapped(&o, p, &tap, direct, &err), FR_OK);
        long long total = put_pieces(&o, piece, 6 * GEO_OUT_WRITEBACK_BYTES + 4321, 7);
        if (!direct) {
            assert_int_equal(o.direct, 0);
            assert_true(o.dropped > 0 && o.dropped <= o.kicked - GEO_OUT_DROP_LAG_BYTES);
            assert_true(o.dropped > o.kicked - GEO_OUT_DROP_LAG_BYTES - GEO_OUT_WRITEBACK_BYTES);
        } else if (o.direct) {
            assert_true(o.written > total - (long long)o.cap); /* handed over as it went */
            assert_true(o.written % GEO_OUT_DIRECT_ALIGN == 0); /* whole blocks only */
            assert_true(o.kicked == o.written && o.dropped == o.written); /* none of it in the cache */
        }
        assert_int_equal(geo_out_buf_close(&o, p, FR_OK, &err), FR_OK);
        assert_int_equal(t.nfiles, 1);
        assert_true((long long)t.f[0].n == total);
        assert_true(total % GEO_OUT_DIRECT_ALIGN != 0); /* so the tail was written too */
        assert_tapped_is_file(&t.f[0]);
        unlink(p);
        test_tap_free(&t);

        t.only = "other.bin"; /* not wanted: no state, nothing dropped */
        assert_int_equal(geo_out_buf_open_tapped(&o, p, &tap, direct, &err), FR_OK);
        assert_null(o.tap);
        geo_out_buf_puts(&o, "plain");
        assert_int_equal(geo_out_buf_close(&o, p, FR_OK, &err), FR_OK);
        assert_int_equal(t.nfiles, 0);
        FILE *fp = fopen(p, "rb");
        char got[16] = {0};
        assert_non_null(fp);
        assert_int_equal(fread(got, 1, sizeof got, fp), 5);
        fclose(fp);
        assert_string_equal(got, "plain");
        unlink(p);
        test_tap_free(&t);

        if (!file_exists("/dev/full"))
            continue;
        t.only = NULL;
        assert_int_equal(geo_out_buf_open_tapped(&o, "/dev/full", &tap, direct, &err), FR_OK);
        for (int k = 0; k < 30000; k++) /* past a few blocks in flight */
            geo_out_buf_puts(&o, "bytes that will not fit on a full disk ");
        assert_int_equal(geo_out_buf_close(&o, "/dev/full", FR_OK, &err), FR_E_OUTPUT);
        assert_non_null(strstr(err.message, "No space left on device"));
        assert_int_equal(t.nfiles, 1);
        assert_int_equal(t.f[0].closed, 1);
        assert_int_equal(t.f[0].whole, 0);
        test_tap_free(&t);
    }
    free(piece);
}

/* With a tap, the GeoJSON writer and the Shapefile in parts show it every
 * byte of their files (the .dbf too: its ranges, taken last first on two
 * threads, are written in file order), and write the bytes they write
 * without one.  A GeoJSON
 * that falls back on GDAL's writer (the antimeridian) tells the tap its
 * bytes are not the file's. */
static void test_writers_show_the_tap_their_files(void **state)
{
    (void)state;
    char p[512], q[512];
    fr_error err = {0};
    enum { N = 9001 };
    big_city c;
    big_city_make(&c, N);
    geo_out_table t = big_table(&c, N);
    t.dbf_date = "2024-03-05";
    test_tap seen = {0};
    const geo_out_tap tap = {tap_open, tap_bytes, tap_close, &seen};
    t.tap = &tap;
    if (geo_write_geojson(&t, path_in(p, sizeof p, "tapped.geojson"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_int_equal(seen.nfiles, 1);
    assert_string_equal(seen.f[0].path, p);
    assert_tapped_is_file(&seen.f[0]);
    geo_out_table plain = t;
    plain.tap = NULL;
    if (geo_write_geojson(&plain, path_in(q, sizeof q, "untapped.geojson"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_same_bytes(p, q);
    test_tap_free(&seen);

    if (write_in_parts(&t, path_in(p, sizeof p, "tapped.shp"), GEO_OUT_PROGRESS_ROWS, 2, &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_int_equal(seen.nfiles, 3); /* the .dbf (opened first), the .shp and .shx */
    for (int k = 0; k < 3; k++)
        assert_tapped_is_file(&seen.f[k]);
    assert_non_null(strstr(seen.f[0].path, "tapped.dbf"));
    assert_true(strstr(seen.f[1].path, "tapped.sh") && strstr(seen.f[2].path, "tapped.sh") &&
                strcmp(seen.f[1].path, seen.f[2].path));
    if (write_in_parts(&plain, path_in(q, sizeof q, "untapped.shp"), GEO_OUT_PROGRESS_ROWS, 2, &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_shapefiles_equal("tapped", "untapped");
    test_tap_free(&seen);
    big_city_free(&c);

    /* the antimeridian: GDAL's writer replaces the first attempt */
    geo_layer *l;
    geo_out_table am = antimeridian_table(&l);
    am.tap = &tap;
    if (geo_write_geojson(&am, path_in(p, sizeof p, "am_tapped.geojson"), &err) != FR_OK)
        fail_msg("%s", err.message);
    assert_int_equal(seen.nfiles, 1);
    assert_int_equal(seen.f[0].closed, 1);
    assert_int_equal(seen.f[0].whole, 0);
    test_tap_free(&seen);
    geo_layer_free(l);
}

/* The parts fail as the one-pass writer does: a missing directory with its
 * message, the 2 GB limit at begin with nothing written; a layout that
 * cannot hold a value already at plan; a value no row can hold in the
 * range of its row (the other ranges written meanwhile); a range outside
 * the table. */
static void test_shapefile_parts_failures(void **state)
{
    (void)state;
    geo_out_table t = base_table();
    char p[512];
    fr_error e1 = {0}, e2 = {0};
    path_in(p, sizeof p, "no_such_dir/out.shp");
    assert_int_equal(geo_write_shapefile(&t, p, &e1), FR_E_OUTPUT);
    assert_int_equal(write_in_parts(&t, p, 2, 2, &e2), FR_E_OUTPUT);
    assert_string_equal(e1.message, e2.message);

    size_t nrows = 1100000; /* the .dbf of test_shapefile_over_2gb_refused */
    size_t *order = calloc(nrows, sizeof *order);
    geo_out_field f[8];
    for (int j = 0; j < 8; j++)
        f[j] = (geo_out_field){.name = g_fields[0].name, .short_name = "r", .type = GEO_COL_NUMBER,
                               .width = 254, .precision = 6, .num = score_vals};
    static char names[8][4];
    for (int j = 0; j < 8; j++) {
        snprintf(names[j], sizeof names[j], "r%d", j);
        f[j].name = f[j].short_name = names[j];
    }
    geo_out_table huge = base_table();
    huge.order = order;
    huge.nrows = nrows;
    huge.fields = f;
    huge.nfields = 8;
    geo_shapefile_parts *parts = NULL;
    assert_int_equal(geo_write_shapefile(&huge, path_in(p, sizeof p, "huge1.shp"), &e1), FR_E_OUTPUT);
    assert_int_equal(geo_shapefile_parts_plan(&huge, path_in(p, sizeof p, "huge1.shp"), &parts, &e2), FR_OK);
    uint64_t shp = 0, dbf = 0;
    geo_shapefile_parts_sizes(parts, &shp, &dbf);
    assert_true(dbf > GEO_WRITE_SHAPEFILE_MAX_BYTES);
    assert_int_equal(geo_shapefile_parts_begin(parts, &e2), FR_E_OUTPUT);
    assert_string_equal(e1.message, e2.message);
    assert_false(file_exists(p));
    char q[512];
    assert_false(file_exists(path_in(q, sizeof q, "huge1.dbf")));
    assert_false(file_exists(path_in(q, sizeof q, "huge1.prj")));
    geo_shapefile_parts_free(parts);
    free(order);

    static const double too_big[NPARCELS] = {1, 2, 1e30, 3};
    geo_out_field g[NFIELDS];
    memcpy(g, g_fields, sizeof g);
    g[2].num = too_big; /* a real of a given width: refused by the layout */
    t.fields = g;
    assert_int_equal(geo_write_shapefile(&t, path_in(p, sizeof p, "toobig.shp"), &e1), FR_E_OUTPUT);
    assert_int_equal(geo_shapefile_parts_plan(&t, p, &parts, &e2), FR_E_OUTPUT);
    assert_null(parts);
    assert_string_equal(e1.message, e2.message);
    memcpy(g, g_fields, sizeof g);
    g[3].num = too_big; /* an integer past 64 bits: refused by the row's range, the others written */
    e1 = e2 = (fr_error){0};
    assert_int_equal(geo_write_shapefile(&t, path_in(p, sizeof p, "toobig_row.shp"), &e1), FR_E_OUTPUT);
    assert_int_equal(write_in_parts(&t, p, 1, 2, &e2), FR_E_OUTPUT);
    assert_non_null(strstr(e1.message, "row 2 "));
    assert_string_equal(e1.message, e2.message);

    t = base_table();
    assert_int_equal(geo_shapefile_parts_plan(&t, path_in(p, sizeof p, "range.shp"), &parts, &e2), FR_OK);
    assert_int_equal(geo_shapefile_parts_dbf_rows(parts, 0, 1, &e2), FR_E_INTERNAL); /* not begun */
    assert_int_equal(geo_shapefile_parts_begin(parts, &e2), FR_OK);
    assert_int_equal(geo_shapefile_parts_dbf_rows(parts, 2, NPARCELS + 1, &e2), FR_E_INTERNAL);
    assert_int_equal(geo_shapefile_parts_dbf_rows(parts, 0, NPARCELS, &e2), FR_OK);
    geo_shapefile_parts_free(parts); /* closes the .dbf left open */
    /* rows never given: the ranges after them wait for their turn, and the
     * close says which rows are missing rather than write a shorter file */
    assert_int_equal(geo_shapefile_parts_plan(&t, path_in(p, sizeof p, "gap.shp"), &parts, &e2), FR_OK);
    assert_int_equal(geo_shapefile_parts_begin(parts, &e2), FR_OK);
    assert_int_equal(geo_shapefile_parts_dbf_rows(parts, 2, NPARCELS, &e2), FR_OK);
    assert_int_equal(geo_shapefile_parts_dbf_rows(parts, 0, 1, &e2), FR_OK);
    assert_int_equal(geo_shapefile_parts_dbf_close(parts, &e2), FR_E_INTERNAL);
    assert_non_null(strstr(e2.message, "rows 1-4 of 4 were never written"));
    geo_shapefile_parts_free(parts);
}

static void test_bad_values_refused(void **state)
{
    (void)state;
    static const double huge[NPARCELS] = {1, 2, 1e30, 3};
    geo_out_field f[NFIELDS];
    memcpy(f, g_fields, sizeof f);
    f[3].num = huge;
    geo_out_table t = base_table();
    t.fields = f;
    char p[512];
    fr_error err = {0};
    assert_int_equal(geo_write_geojson(&t, path_in(p, sizeof p, "bad.geojson"), &err),
                     FR_E_OUTPUT);
    assert_non_null(strstr(err.message, "risk_rank"));
    assert_non_null(strstr(err.message, "fid 102"));
    assert_int_equal(geo_write_csv(&t, path_in(p, sizeof p, "bad.csv"), &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, "risk_rank"));

    /* an order pointing past the layer is a caller bug */
    size_t order[2] = {0, NPARCELS};
    t = base_table();
    t.order = order;
    t.nrows = 2;
    assert_int_equal(geo_write_geojson(&t, path_in(p, sizeof p, "bad2.geojson"), &err),
                     FR_E_INTERNAL);

    /* no dbf_date: reruns could not be byte-identical */
    t = base_table();
    t.dbf_date = NULL;
    assert_int_equal(geo_write_shapefile(&t, path_in(p, sizeof p, "nodate.shp"), &err),
                     FR_E_INTERNAL);
    assert_false(file_exists(p));
}

static void test_empty_table(void **state)
{
    (void)state;
    geo_out_table t = base_table();
    t.nrows = 0;
    char p[512];
    fr_error err = {0};
    assert_int_equal(geo_write_geojson(&t, path_in(p, sizeof p, "empty.geojson"), &err), FR_OK);
    GDALDatasetH ds = open_vector(p, "GeoJSON");
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, 0), TRUE), 0);
    GDALClose(ds);
    assert_int_equal(geo_write_shapefile(&t, path_in(p, sizeof p, "empty.shp"), &err), FR_OK);
    ds = open_vector(p, "ESRI Shapefile");
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, 0), TRUE), 0);
    assert_int_equal(OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(GDALDatasetGetLayer(ds, 0))),
                     NFIELDS);
    GDALClose(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_from_days),
        cmocka_unit_test(test_geojson_content),
        cmocka_unit_test(test_shapefile_content),
        cmocka_unit_test(test_csv_exact_bytes),
        cmocka_unit_test(test_rejects_csv),
        cmocka_unit_test(test_csv_formula_cells_neutralised),
        cmocka_unit_test(test_writers_tell_rows_written),
        cmocka_unit_test(test_byte_identical_reruns),
        cmocka_unit_test(test_two_threads_at_once),
        cmocka_unit_test(test_shapefile_matches_gdal_driver),
        cmocka_unit_test(test_point_homes_every_writer),
        cmocka_unit_test(test_geojson_matches_gdal_driver),
        cmocka_unit_test(test_geojson_antimeridian_falls_back),
        cmocka_unit_test(test_geojson_same_bytes_at_any_thread_count),
        cmocka_unit_test(test_number_formatting),
        cmocka_unit_test(test_dbf_layout_from_data),
        cmocka_unit_test(test_stale_index_removed),
        cmocka_unit_test(test_short_name_too_long),
        cmocka_unit_test(test_missing_directory),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_out_buf_streams_past_writeback_steps),
        cmocka_unit_test(test_out_buf_tap_sees_every_byte),
        cmocka_unit_test(test_writers_show_the_tap_their_files),
        cmocka_unit_test(test_shapefile_over_2gb_refused),
        cmocka_unit_test(test_shapefile_parts_same_bytes),
        cmocka_unit_test(test_shapefile_parts_failures),
        cmocka_unit_test(test_bad_values_refused),
        cmocka_unit_test(test_empty_table),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
