/*
 * test_read_parallel.c — a GeoPackage table, and a Shapefile, read on
 * several threads over FID ranges (read.c, fid_ranges.c) give the layer,
 * the rejects and the warnings of the one-thread read: same features in the
 * same order, same values, same coordinates, same rejects in the same
 * order.  The table has rejects (no parcel id, a line, no geometry),
 * warnings (a year that is not a number, an unclosed ring) and
 * multipolygons spread over every range; the Shapefile (the same rows but
 * the line) has deleted records, one of them the first of a range.
 */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gdal.h>
#include <ogr_api.h>

#include "fid_ranges.h"
#include "read.h"

#define NROWS 3000

static char dir[64], gpkg[128], shp[128];

static int setup(void **state)
{
    (void)state;
    geo_init();
    snprintf(dir, sizeof dir, "/tmp/fr_readpar_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char csv[128], cmd[512];
    snprintf(csv, sizeof csv, "%s/parcels.csv", dir);
    snprintf(gpkg, sizeof gpkg, "%s/city.gpkg", dir);
    FILE *fp = fopen(csv, "w");
    if (!fp)
        return -1;
    fprintf(fp, "id,addr,yr,wkt\n");
    for (int i = 0; i < NROWS; i++) {
        double x = (i % 60) * 20.0, y = (i / 60) * 20.0;
        if (i % 397 == 5)
            fprintf(fp, ","); /* required id missing: rejected */
        else
            fprintf(fp, "P%d,", i);
        if (i % 211 == 3)
            fprintf(fp, "%d OAK ST,unknown,", i); /* not a number: a warning */
        else
            fprintf(fp, "%d OAK ST,%d,", i, 1900 + i % 120);
        if (i % 503 == 7)
            fprintf(fp, "\"LINESTRING(%g %g,%g %g)\"\n", x, y, x + 1, y + 1); /* wrong type: rejected */
        else if (i % 499 == 11)
            fprintf(fp, "\n"); /* no geometry: rejected */
        else if (i % 307 == 17) /* closed by the reader, with a warning */
            fprintf(fp, "\"POLYGON((%g %g,%g %g,%g %g,%g %g))\"\n", x, y, x + 10, y, x + 10, y + 10, x, y + 10);
        else if (i % 101 == 13)
            fprintf(fp, "\"MULTIPOLYGON(((%g %g,%g %g,%g %g,%g %g)),((%g %g,%g %g,%g %g,%g %g)))\"\n", x, y, x + 5, y,
                    x + 5, y + 5, x, y, x + 10, y, x + 15, y, x + 15, y + 5, x + 10, y);
        else
            fprintf(fp, "\"POLYGON((%g %g,%g %g,%g %g,%g %g,%g %g))\"\n", x, y, x + 10, y, x + 10, y + 10, x, y + 10,
                    x, y);
    }
    fclose(fp);
    snprintf(cmd, sizeof cmd,
             "ogr2ogr -q -f GPKG %s %s -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:32616 "
             "-nln parcels",
             gpkg, csv);
    if (system(cmd) != 0)
        return -1;
    snprintf(shp, sizeof shp, "%s/parcels.shp", dir);
    snprintf(cmd, sizeof cmd,
             "ogr2ogr -q -skipfailures -f 'ESRI Shapefile' %s %s -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO "
             "-a_srs EPSG:32616 -nln parcels 2>/dev/null",
             shp, csv);
    if (system(cmd) != 0)
        return -1;
    /* deleted records (marked in the .dbf, the Shapefile not repacked): a
     * sequential read skips them, so must every range */
    const char *keep[] = {"AUTO_REPACK=NO", NULL};
    GDALDatasetH ds = GDALOpenEx(shp, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, keep, NULL);
    if (!ds)
        return -1;
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    static const GIntBig deleted[] = {0, 187, 188, 1000, 2990};
    for (size_t k = 0; k < sizeof deleted / sizeof *deleted; k++)
        if (OGR_L_DeleteFeature(lyr, deleted[k]) != OGRERR_NONE)
            return -1;
    GDALClose(ds);
    snprintf(cmd, sizeof cmd, "ogr2ogr -q -f 'ESRI Shapefile' %s/zipped.shp.zip %s 2>/dev/null", dir, shp);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

typedef struct {
    geo_layer *layer;
    geo_read_stats stats;
    geo_rejects rejects, warnings;
} read_result;

static void read_from(const char *source, int threads, read_result *out)
{
    geo_field_spec fields[] = {{"parcel_id", "id", GEO_COL_STRING, 1, 0},
                               {"address", "addr", GEO_COL_STRING, 0, 0},
                               {"year_built", "yr", GEO_COL_NUMBER, 0, 0}};
    geo_read_spec spec = {.role = "parcels", .source = source, .layer = "parcels", .kind = GEO_GEOM_POLYGON,
                          .geometry_required = 1, .fields = fields, .nfields = 3, .parallel_min_features = 1};
    memset(out, 0, sizeof *out);
    fr_error err = {0};
    omp_set_num_threads(threads);
    assert_int_equal(geo_read_layer(&spec, &out->layer, &out->stats, &out->rejects, &out->warnings, &err), FR_OK);
}

static void read_with(int threads, read_result *out)
{
    read_from(gpkg, threads, out);
}

static void free_result(read_result *r)
{
    geo_layer_free(r->layer);
    geo_rejects_clear(&r->rejects);
    geo_rejects_clear(&r->warnings);
}

static void same_list(const geo_rejects *a, const geo_rejects *b)
{
    assert_int_equal(a->count, b->count);
    for (size_t i = 0; i < a->count; i++) {
        assert_int_equal(a->items[i].fid, b->items[i].fid);
        assert_string_equal(a->items[i].reason, b->items[i].reason);
        assert_string_equal(a->items[i].detail, b->items[i].detail);
    }
}

static void same_layer(const geo_layer *a, const geo_layer *b)
{
    assert_int_equal(a->count, b->count);
    assert_int_equal(a->nrings, b->nrings);
    assert_int_equal(a->npts, b->npts);
    assert_memory_equal(a->fid, b->fid, a->count * sizeof *a->fid);
    assert_memory_equal(a->ring_start, b->ring_start, (a->count + 1) * sizeof *a->ring_start);
    assert_memory_equal(a->pt_start, b->pt_start, (a->nrings + 1) * sizeof *a->pt_start);
    assert_memory_equal(a->ring_shell, b->ring_shell, a->nrings);
    assert_memory_equal(a->px, b->px, a->npts * sizeof *a->px);
    assert_memory_equal(a->py, b->py, a->npts * sizeof *a->py);
    assert_memory_equal(a->bbox, b->bbox, 4 * a->count * sizeof *a->bbox);
    for (size_t i = 0; i < a->count; i++) {
        assert_string_equal(a->cols[0].str[i], b->cols[0].str[i]);
        assert_string_equal(a->cols[1].str[i], b->cols[1].str[i]);
        double x = a->cols[2].num[i], y = b->cols[2].num[i];
        assert_true((isnan(x) && isnan(y)) || x == y);
    }
}

/* source read on 2 and 3 threads gives *one (its one-thread read, freed
 * here). */
static void same_at_2_and_3_threads(const char *source, read_result *one)
{
    for (int threads = 2; threads <= 3; threads++) {
        read_result many;
        read_from(source, threads, &many);
        assert_int_equal(many.stats.read, one->stats.read);
        assert_int_equal(many.stats.kept, one->stats.kept);
        assert_int_equal(many.stats.rejected, one->stats.rejected);
        same_layer(one->layer, many.layer);
        same_list(&one->rejects, &many.rejects);
        same_list(&one->warnings, &many.warnings);
        free_result(&many);
    }
    free_result(one);
}

/* The ranges cover the table's FIDs once, in order, and exist only for a
 * GeoPackage table read on more than one thread. */
static void ranges_cover_the_table(void **state)
{
    (void)state;
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetGetLayerByName(ds, "parcels");
    geo_fid_range *rg = NULL;
    geo_fid_select how;
    size_t n = geo_fid_ranges(ds, lyr, 3, 1, &rg, &how);
    assert_int_equal(n, 24);
    assert_int_equal(how, GEO_FID_BY_FILTER);
    assert_int_equal(rg[0].lo, 1);
    for (size_t k = 1; k < n; k++)
        assert_int_equal(rg[k].lo, rg[k - 1].hi + 1);
    assert_int_equal(rg[n - 1].hi, NROWS);
    free(rg);
    assert_int_equal(geo_fid_ranges(ds, lyr, 1, 1, &rg, &how), 0);         /* one thread */
    assert_int_equal(geo_fid_ranges(ds, lyr, 2, NROWS + 1, &rg, &how), 0); /* too few features */
    GDALClose(ds);
    /* a view of the table, registered as a GeoPackage layer: read in its
     * own order, on one thread */
    ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    assert_non_null(ds);
    static const char *const sql[] = {
        "CREATE VIEW parcels_view AS SELECT * FROM parcels",
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) SELECT 'parcels_view', data_type, "
        "'parcels_view', srs_id FROM gpkg_contents WHERE table_name = 'parcels'",
        "INSERT INTO gpkg_geometry_columns SELECT 'parcels_view', column_name, geometry_type_name, srs_id, z, m "
        "FROM gpkg_geometry_columns WHERE table_name = 'parcels'",
    };
    for (size_t k = 0; k < sizeof sql / sizeof *sql; k++)
        GDALDatasetReleaseResultSet(ds, GDALDatasetExecuteSQL(ds, sql[k], NULL, NULL));
    GDALClose(ds);
    ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    lyr = GDALDatasetGetLayerByName(ds, "parcels_view");
    assert_non_null(lyr);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), NROWS);
    assert_int_equal(geo_fid_ranges(ds, lyr, 3, 1, &rg, &how), 0);
    GDALClose(ds);
    /* a Shapefile: its record numbers from 0, the last range to the end */
    ds = GDALOpenEx(shp, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    lyr = GDALDatasetGetLayer(ds, 0);
    n = geo_fid_ranges(ds, lyr, 2, 1, &rg, &how);
    assert_int_equal(n, 16);
    assert_int_equal(how, GEO_FID_BY_INDEX);
    assert_int_equal(rg[0].lo, 0);
    for (size_t k = 1; k < n; k++)
        assert_int_equal(rg[k].lo, rg[k - 1].hi + 1);
    assert_int_equal(rg[1].lo, 188); /* a deleted record starts a range (2,994 records: the 6 lines were not written) */
    assert_true(rg[n - 1].hi == INT64_MAX);
    free(rg);
    GDALClose(ds);
    /* zipped: one thread (a range would inflate the archive from its start) */
    char zipped[160];
    snprintf(zipped, sizeof zipped, "%s/zipped.shp.zip", dir);
    ds = GDALOpenEx(zipped, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_string_equal(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "ESRI Shapefile");
    assert_int_equal(geo_fid_ranges(ds, GDALDatasetGetLayer(ds, 0), 2, 1, &rg, &how), 0);
    GDALClose(ds);
}

/* The Shapefile read on 2 and 3 threads (by record index, deleted records
 * skipped) gives the one-thread read. */
static void shapefile_any_thread_count_reads_the_same(void **state)
{
    (void)state;
    read_result one;
    read_from(shp, 1, &one);
    assert_true(one.stats.read > NROWS - 20); /* the lines were not written, 5 records deleted */
    assert_true(one.rejects.count >= 10);
    assert_true(one.layer->nrings > one.layer->count);
    assert_int_equal(one.layer->fid[0], 1); /* record 0 is deleted */
    same_at_2_and_3_threads(shp, &one);
}

static void any_thread_count_reads_the_same(void **state)
{
    (void)state;
    read_result one;
    read_with(1, &one);
    assert_int_equal(one.stats.read, NROWS);
    assert_true(one.rejects.count >= 15); /* every kind of reject, spread over the table */
    assert_true(one.warnings.count >= 10);
    assert_true(one.layer->nrings > one.layer->count); /* multipolygons */
    same_at_2_and_3_threads(gpkg, &one);
}

/* A layer filled within its reservation is never moved, and one filled
 * past it grows as before: both hold what a layer without one holds. */
static void reserved_room_is_used_in_place(void **state)
{
    (void)state;
    geo_layer *plain = geo_layer_new("parcels", "t", "t", GEO_GEOM_POLYGON);
    geo_layer *held = geo_layer_new("parcels", "t", "t", GEO_GEOM_POLYGON);
    assert_non_null(plain);
    assert_non_null(held);
    fr_error err = {0};
    for (int which = 0; which < 2; which++) { /* the columns same_layer compares */
        geo_layer *l = which ? held : plain;
        assert_int_equal(geo_layer_add_column(l, "parcel_id", "id", GEO_COL_STRING, NULL, &err), FR_OK);
        assert_int_equal(geo_layer_add_column(l, "address", "addr", GEO_COL_STRING, NULL, &err), FR_OK);
        assert_int_equal(geo_layer_add_column(l, "year_built", "yr", GEO_COL_NUMBER, NULL, &err), FR_OK);
    }
    enum { N = 5000, RESERVED = 3000 }; /* 4 rings of 5 points a feature, the ring closed by the layer */
    assert_int_equal(geo_layer_reserve(held, RESERVED, 4 * RESERVED, 20 * RESERVED, &err), FR_OK);
    assert_int_equal(held->cap, RESERVED);
    const double *px0 = held->px, *bbox0 = held->bbox;
    const size_t *pt0 = held->pt_start;
    for (int i = 0; i < N; i++) {
        for (int which = 0; which < 2; which++) {
            geo_layer *l = which ? held : plain;
            size_t at;
            assert_int_equal(geo_layer_add_feature(l, i + 1, &at, &err), FR_OK);
            char id[16];
            snprintf(id, sizeof id, "P%d", i);
            assert_int_equal(geo_layer_set_string(l, 0, at, id, &err), FR_OK);
            assert_int_equal(geo_layer_set_string(l, 1, at, "1 OAK ST", &err), FR_OK);
            geo_layer_set_number(l, 2, at, 1900 + i % 120);
            for (int r = 0; r < 4; r++) {
                double x = i * 10.0 + r, y = r * 3.0;
                double xs[4] = {x, x + 1, x + 1, x}, ys[4] = {y, y, y + 1, y + 1};
                assert_int_equal(geo_layer_add_ring(l, xs, ys, 4, r == 0, &err), FR_OK);
            }
        }
        if (i + 1 == RESERVED) { /* full to the reservation, and not moved */
            assert_ptr_equal(held->px, px0);
            assert_ptr_equal(held->bbox, bbox0);
            assert_ptr_equal(held->pt_start, pt0);
            assert_int_equal(held->cap, RESERVED);
        }
    }
    assert_true(held->cap >= N); /* grown past it */
    same_layer(plain, held);
    /* a reservation below what the layer holds changes nothing */
    size_t cap = held->cap, pt_cap = held->pt_cap;
    assert_int_equal(geo_layer_reserve(held, 10, 10, 10, &err), FR_OK);
    assert_int_equal(held->cap, cap);
    assert_int_equal(held->pt_cap, pt_cap);
    geo_layer_free(plain);
    geo_layer_free(held);
}

/* Read on several threads, the whole is made once at the count GDAL keeps
 * for the table (not grown by doublings to the next power of two), and the
 * ranges' points land in room foreseen from the ranges before them. */
static void the_whole_is_made_once(void **state)
{
    (void)state;
    read_result many;
    read_with(3, &many);
    assert_int_equal(many.layer->cap, NROWS);
    assert_true(many.layer->count < NROWS); /* the rejects are not kept */
    assert_true(many.layer->pt_cap >= many.layer->npts);
    assert_true(many.layer->pt_cap < 2 * many.layer->npts);
    free_result(&many);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ranges_cover_the_table),
        cmocka_unit_test(reserved_room_is_used_in_place),
        cmocka_unit_test(the_whole_is_made_once),
        cmocka_unit_test(any_thread_count_reads_the_same),
        cmocka_unit_test(shapefile_any_thread_count_reads_the_same),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
