/*
 * write_gpkg.c — the GeoPackage output written through SQLite from the
 * layer's arrays (geo_write_gpkg, see write_gpkg.h).
 *
 * Why not GDAL's driver (write_gpkg_gdal.c, kept as the reference): it
 * builds an OGR feature and geometry per row, converts them to WKB, binds
 * them one field at a time through its generic layer, and builds the
 * R-tree after the rows: about 16 us a parcel for the rows and as much
 * again for the R-tree.  Here prepared INSERTs of 32 rows (gpkg_db.h says
 * why) take the rows (values bound straight from the columns, the
 * geometry encoded from the ring arrays, gpkg_geom.c) inside one
 * transaction with the journal and syncs
 * off (the file is written into the staging directory and published by
 * rename after an fsync; a failed run discards it), and the R-tree is
 * written packed from a Hilbert order of the envelopes (gpkg_rtree.c).
 *
 * What it writes is what GDAL's driver writes (gpkg_db.c has the core
 * tables): table `ranked` with fid 1..n in row order, a `geom` column
 * (MULTIPOLYGON or POINT) and the fields with GDAL's declared types (TEXT,
 * REAL, MEDIUMINT for integers that fit 32 bits else INTEGER, DATE as
 * YYYY-MM-DD); the attribute tables rejects, run_metadata and layer_styles
 * (QGIS finds the style through gpkg_contents, as an 'attributes' table
 * whose fid column is `id`: the schema QGIS 3.22 creates itself, see
 * write_gpkg_gdal.c); gpkg_contents.last_change and the style's
 * update_time are spec->timestamp, never the clock.  The tests read both
 * writers' files back through OGR and compare every field of every row and
 * every geometry, run GDAL's validate_gpkg.py and check the R-tree.
 */
#include "write_gpkg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpkg_db.h"
#include "gpkg_geom.h"
#include "gpkg_rtree.h"
#include "out_fmt.h"
#include "out_table.h"

/* Rows between two starts of the file's writeback (geo_gpkg_db_writeback):
 * about 20 MB of a parcels table. */
#define GPKG_WRITEBACK_ROWS 50000

fr_status geo_gpkg_spec_check(const geo_gpkg_spec *spec, const char *path, fr_error *err)
{
    if (!path || !path[0])
        return fr_error_set(err, FR_E_INTERNAL, "no GeoPackage path given");
    if (!spec || !spec->ranked || !spec->timestamp)
        return fr_error_set(err, FR_E_INTERNAL, "%s: GeoPackage spec without ranked table or timestamp", path);
    int y, mo, d, h, mi, s;
    if (sscanf(spec->timestamp, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &s) != 6)
        return fr_error_set(err, FR_E_INTERNAL, "%s: timestamp '%s' is not YYYY-MM-DDTHH:MM:SS.sssZ", path,
                            spec->timestamp);
    if (spec->style_name && strlen(spec->style_name) > 30)
        return fr_error_set(err, FR_E_INTERNAL, "%s: style name '%s' is longer than 30 characters", path,
                            spec->style_name);
    for (size_t i = 0; i < spec->nmeta; i++)
        if (!spec->meta[i].key)
            return fr_error_set(err, FR_E_INTERNAL, "%s: run_metadata row %zu has no key", path, i + 1);
    return geo_out_table_check(spec->ranked, GEO_OUT_NAME_LONG, err);
}

/* ---- the ranked table ---------------------------------------------------- */

/* What a feature table's rows leave for its gpkg_contents row and R-tree. */
typedef struct {
    int32_t srs_id;
    double extent[4]; /* minx, miny, maxx, maxy over every geometry */
    size_t ngeom;     /* rows with a geometry */
    int rtree;        /* gathering them for the R-tree: */
    geo_gpkg_rtree_rows rows;
} ranked_geoms;

static const char *geometry_type(const geo_layer *l)
{
    return l->kind == GEO_GEOM_POINT ? "POINT" : l->kind == GEO_GEOM_POLYGON ? "MULTIPOLYGON" : NULL;
}

static const char *column_type(const geo_out_table *t, const geo_out_field *f)
{
    switch (f->type) {
    case GEO_COL_STRING: return "TEXT";
    case GEO_COL_DATE: return "DATE";
    case GEO_COL_NUMBER: break;
    }
    if (!f->is_integer)
        return "REAL";
    return geo_out_table_fits_int32(t, f) ? "MEDIUMINT" : "INTEGER";
}

/* CREATE TABLE as GDAL writes it; *params: the values of one row. */
static fr_status create_ranked(geo_gpkg_db *d, const geo_out_table *t, const char *name, const char *gtype,
                               int *params, fr_error *err)
{
    fr_strbuf b = {0};
    fr_sb_puts(&b, "CREATE TABLE IF NOT EXISTS ");
    geo_gpkg_sb_ident(&b, name);
    fr_sb_puts(&b, " ( \"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL");
    if (gtype)
        fr_sb_printf(&b, ", \"geom\" %s", gtype);
    for (size_t j = 0; j < t->nfields; j++) {
        fr_sb_puts(&b, ", ");
        geo_gpkg_sb_ident(&b, t->fields[j].name);
        fr_sb_printf(&b, " %s", column_type(t, &t->fields[j]));
    }
    fr_sb_puts(&b, ");");
    *params = 1 + (gtype ? 1 : 0) + (int)t->nfields;
    return geo_gpkg_db_exec_sb(d, &b, "cannot create the ranked table", err);
}

/* The INSERT of `rows` rows of `params` values into table name. */
static fr_status prepare_insert(geo_gpkg_db *d, const char *name, int params, int rows, sqlite3_stmt **ins,
                                fr_error *err)
{
    fr_strbuf q = {0};
    geo_gpkg_sb_ident(&q, name);
    fr_status st = q.oom ? fr_error_oom_while(err, "writing %s", d->path)
                         : geo_gpkg_db_prepare_insert(d, q.s, params, rows, ins, err);
    fr_sb_free(&q);
    return st;
}

/* Binds the fields at value index i (geo_out_table_value_index of row
 * `row`) from parameter `first` on. */
static fr_status bind_fields(sqlite3_stmt *s, int first, const geo_out_table *t, size_t i, size_t row,
                             const char *path, fr_error *err)
{
    char buf[GEO_OUT_FMT_BUF];
    for (size_t j = 0; j < t->nfields; j++) {
        const geo_out_field *f = &t->fields[j];
        int p = first + (int)j;
        switch (f->type) {
        case GEO_COL_STRING:
            if (f->str[i])
                sqlite3_bind_text(s, p, f->str[i], -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(s, p);
            break;
        case GEO_COL_NUMBER: {
            double v = f->num[i];
            if (!geo_out_table_num_present(v)) {
                sqlite3_bind_null(s, p);
            } else if (f->is_integer) {
                int64_t iv;
                fr_status st = geo_out_table_int(t, f, i, row, path, &iv, err);
                if (st != FR_OK)
                    return st;
                sqlite3_bind_int64(s, p, (sqlite3_int64)iv);
            } else {
                sqlite3_bind_double(s, p, v);
            }
            break;
        }
        case GEO_COL_DATE: {
            if (f->date[i] == GEO_DATE_MISSING) {
                sqlite3_bind_null(s, p);
                break;
            }
            int y, m, dd;
            fr_status st = geo_out_table_date(t, f, i, row, path, &y, &m, &dd, err);
            if (st != FR_OK)
                return st;
            size_t n = geo_out_fmt_date(buf, y, m, dd, 1);
            sqlite3_bind_text(s, p, buf, (int)n, SQLITE_TRANSIENT);
            break;
        }
        }
    }
    return FR_OK;
}

static void add_extent(ranked_geoms *g, const double env[4])
{
    if (!g->ngeom) {
        g->extent[0] = env[0];
        g->extent[1] = env[2];
        g->extent[2] = env[1];
        g->extent[3] = env[3];
        return;
    }
    g->extent[0] = fmin(g->extent[0], env[0]);
    g->extent[1] = fmin(g->extent[1], env[2]);
    g->extent[2] = fmax(g->extent[2], env[1]);
    g->extent[3] = fmax(g->extent[3], env[3]);
}

/* Binds row k of t (its fid, geometry and fields) from parameter first + 1
 * on; the geometry into blob, which must live until the statement ran. */
static fr_status bind_row(geo_gpkg_db *d, sqlite3_stmt *s, int first, const geo_out_table *t, size_t k,
                          geo_gpkg_blob *blob, ranked_geoms *g, fr_error *err)
{
    const geo_layer *l = t->parcels;
    const int has_geom = l->kind != GEO_GEOM_NONE;
    geo_out_table_prefetch(t, k);
    size_t i = t->order[k];
    sqlite3_bind_int64(s, first + 1, (sqlite3_int64)(k + 1));
    if (has_geom) {
        double env[4];
        int has = 0;
        fr_status st = geo_gpkg_geom_encode(l, i, g->srs_id, blob, env, &has, err);
        if (st != FR_OK)
            return st;
        if (has) {
            sqlite3_bind_blob(s, first + 2, blob->buf, (int)blob->len, SQLITE_STATIC);
            if (g->rtree)
                geo_gpkg_rtree_rows_add(&g->rows, (int64_t)(k + 1), env);
            add_extent(g, env);
            g->ngeom++;
        } else {
            sqlite3_bind_null(s, first + 2);
        }
    }
    return bind_fields(s, first + (has_geom ? 3 : 2), t, geo_out_table_value_index(t, k), k, d->path, err);
}

/* The rows of t: in batches of `per` through batch (GEO_GPKG_BATCH_ROWS,
 * gpkg_db.h), the last few through one, each row's geometry in its own
 * blob of blobs[per]. */
static fr_status write_ranked_rows(geo_gpkg_db *d, sqlite3_stmt *one, sqlite3_stmt *batch, int per, int params,
                                   const geo_out_table *t, const char *name, ranked_geoms *g, fr_error *err)
{
    geo_gpkg_blob *blobs = calloc((size_t)per, sizeof *blobs);
    fr_status st = blobs ? FR_OK : fr_error_oom_while(err, "writing %s", d->path);
    for (size_t k = 0; k < t->nrows && st == FR_OK;) {
        size_t n = t->nrows - k >= (size_t)per ? (size_t)per : 1;
        sqlite3_stmt *s = n > 1 ? batch : one;
        for (size_t r = 0; r < n && st == FR_OK; r++)
            st = bind_row(d, s, (int)r * params, t, k + r, &blobs[r], g, err);
        if (st == FR_OK)
            st = geo_gpkg_db_insert_rows(d, s, name, k, n, err);
        for (size_t r = 0; r < n && st == FR_OK; r++)
            geo_out_table_row_done(t, k + r);
        if ((k + n) / GPKG_WRITEBACK_ROWS != k / GPKG_WRITEBACK_ROWS)
            geo_gpkg_db_writeback(d);
        k += n;
    }
    for (int r = 0; blobs && r < per; r++)
        geo_gpkg_blob_free(&blobs[r]);
    free(blobs);
    return st;
}

static fr_status write_ranked(geo_gpkg_db *d, const geo_gpkg_spec *spec, fr_error *err)
{
    const geo_out_table *t = spec->ranked;
    const geo_layer *l = t->parcels;
    const char *name = geo_out_table_layer_name(t);
    const char *gtype = geometry_type(l);
    ranked_geoms g = {0};
    fr_status st = FR_OK;
    if (gtype)
        st = geo_gpkg_db_srs(d, l->srs_wkt, &g.srs_id, err);
    if (st == FR_OK && gtype && spec->spatial_index && t->nrows) {
        st = geo_gpkg_rtree_rows_begin(&g.rows, l, t->nrows, d->path, err);
        g.rtree = st == FR_OK;
    }
    sqlite3_stmt *one = NULL, *batch = NULL;
    int params = 0, per = 1;
    if (st == FR_OK)
        st = create_ranked(d, t, name, gtype, &params, err);
    if (st == FR_OK)
        st = prepare_insert(d, name, params, 1, &one, err);
    if (st == FR_OK && t->nrows >= GEO_GPKG_BATCH_ROWS && (per = geo_gpkg_db_batch_rows(d, params)) > 1)
        st = prepare_insert(d, name, params, per, &batch, err);
    if (st == FR_OK)
        st = write_ranked_rows(d, one, batch, batch ? per : 1, params, t, name, &g, err);
    sqlite3_finalize(one);
    sqlite3_finalize(batch);
    geo_gpkg_contents c = {.table = name,
                           .data_type = gtype ? "features" : "attributes",
                           .description = spec->ranked_description,
                           .last_change = spec->timestamp,
                           .extent = g.ngeom ? g.extent : NULL,
                           .srs_id = g.srs_id,
                           .count = t->nrows};
    if (st == FR_OK)
        st = geo_gpkg_db_contents(d, &c, err);
    sqlite3_stmt *s = NULL;
    if (st == FR_OK && gtype)
        st = geo_gpkg_db_prepare(d,
                                 "INSERT INTO gpkg_geometry_columns (table_name,column_name,geometry_type_name,"
                                 "srs_id,z,m) VALUES (?,'geom',?,?,0,0)",
                                 &s, err);
    if (s) {
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, gtype, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 3, g.srs_id);
        st = geo_gpkg_db_insert(d, s, "gpkg_geometry_columns", 0, err);
        sqlite3_finalize(s);
    }
    if (st == FR_OK && gtype && spec->spatial_index)
        st = geo_gpkg_rtree_create(d, name, "geom", &g.rows, err);
    geo_gpkg_rtree_rows_free(&g.rows);
    return st;
}

/* ---- the attribute tables ------------------------------------------------ */

static void bind_text_or_null(sqlite3_stmt *s, int p, const char *v)
{
    if (v)
        sqlite3_bind_text(s, p, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, p);
}

/* Binds row `row` of table `name` to s (parameters from 1). */
typedef void (*bind_row_fn)(sqlite3_stmt *s, const geo_gpkg_spec *spec, size_t row);

static void bind_reject(sqlite3_stmt *s, const geo_gpkg_spec *spec, size_t row)
{
    const geo_reject *it = &spec->rejects->items[row];
    bind_text_or_null(s, 1, it->layer);
    if (it->fid >= 0)
        sqlite3_bind_int64(s, 2, (sqlite3_int64)it->fid);
    else
        sqlite3_bind_null(s, 2);
    bind_text_or_null(s, 3, it->field);
    bind_text_or_null(s, 4, it->reason);
    bind_text_or_null(s, 5, it->detail);
    bind_text_or_null(s, 6, it->record_id);
    bind_text_or_null(s, 7, it->address);
}

static void bind_meta(sqlite3_stmt *s, const geo_gpkg_spec *spec, size_t row)
{
    bind_text_or_null(s, 1, spec->meta[row].key);
    bind_text_or_null(s, 2, spec->meta[row].value);
}

static void bind_style(sqlite3_stmt *s, const geo_gpkg_spec *spec, size_t row)
{
    (void)row;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    sscanf(spec->timestamp, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec);
    char stamp[64];
    snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", y, mo, d, h, mi, sec);
    sqlite3_bind_text(s, 1, "", 0, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, "", 0, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, geo_out_table_layer_name(spec->ranked), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, "geom", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, spec->style_name ? spec->style_name : "default", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, spec->style_qml, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, "", 0, SQLITE_STATIC);
    sqlite3_bind_int(s, 8, 1);
    bind_text_or_null(s, 9, spec->style_description);
    sqlite3_bind_text(s, 10, "", 0, SQLITE_STATIC);
    sqlite3_bind_null(s, 11);
    sqlite3_bind_text(s, 12, stamp, -1, SQLITE_TRANSIENT);
}

/* An attribute table: GDAL's CREATE TABLE, its rows, its gpkg_contents
 * row. */
typedef struct {
    const char *name;
    const char *create_sql;
    const char *insert_sql;
    bind_row_fn bind;
} attr_table;

static const attr_table rejects_table = {
    "rejects",
    "CREATE TABLE IF NOT EXISTS \"rejects\" ( \"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \"layer\" TEXT, "
    "\"source_fid\" INTEGER, \"field\" TEXT, \"reason\" TEXT, \"detail\" TEXT, \"record_id\" TEXT, \"address\" TEXT);",
    "INSERT INTO \"rejects\" (\"layer\",\"source_fid\",\"field\",\"reason\",\"detail\",\"record_id\",\"address\") "
    "VALUES (?,?,?,?,?,?,?)",
    bind_reject,
};

static const attr_table meta_table = {
    "run_metadata",
    "CREATE TABLE IF NOT EXISTS \"run_metadata\" ( \"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \"key\" TEXT, "
    "\"value\" TEXT);",
    "INSERT INTO \"run_metadata\" (\"key\",\"value\") VALUES (?,?)",
    bind_meta,
};

static const attr_table style_table = {
    "layer_styles",
    "CREATE TABLE IF NOT EXISTS \"layer_styles\" ( \"id\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
    "\"f_table_catalog\" TEXT(256), \"f_table_schema\" TEXT(256), \"f_table_name\" TEXT(256), "
    "\"f_geometry_column\" TEXT(256), \"styleName\" TEXT(30), \"styleQML\" TEXT, \"styleSLD\" TEXT, "
    "\"useAsDefault\" BOOLEAN, \"description\" TEXT, \"owner\" TEXT(30), \"ui\" TEXT(30), \"update_time\" "
    "DATETIME);",
    "INSERT INTO \"layer_styles\" (\"f_table_catalog\",\"f_table_schema\",\"f_table_name\",\"f_geometry_column\","
    "\"styleName\",\"styleQML\",\"styleSLD\",\"useAsDefault\",\"description\",\"owner\",\"ui\",\"update_time\") "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
    bind_style,
};

static fr_status write_attributes(geo_gpkg_db *d, const attr_table *a, const geo_gpkg_spec *spec, size_t nrows,
                                  fr_error *err)
{
    fr_status st = geo_gpkg_db_exec(d, a->create_sql, "cannot create an attribute table", err);
    sqlite3_stmt *s = NULL;
    if (st == FR_OK)
        st = geo_gpkg_db_prepare(d, a->insert_sql, &s, err);
    for (size_t r = 0; r < nrows && st == FR_OK; r++) {
        a->bind(s, spec, r);
        st = geo_gpkg_db_insert(d, s, a->name, r, err);
    }
    sqlite3_finalize(s);
    geo_gpkg_contents c = {.table = a->name, .data_type = "attributes", .last_change = spec->timestamp, .count = nrows};
    if (st == FR_OK)
        st = geo_gpkg_db_contents(d, &c, err);
    return st;
}

fr_status geo_write_gpkg(const geo_gpkg_spec *spec, const char *path, fr_error *err)
{
    fr_status st = geo_gpkg_spec_check(spec, path, err);
    if (st != FR_OK)
        return st;
    geo_gpkg_db d;
    st = geo_gpkg_db_create(&d, path, spec->ranked && !spec->ranked->buffered_io, err);
    if (st == FR_OK)
        st = write_ranked(&d, spec, err);
    if (st == FR_OK)
        st = write_attributes(&d, &rejects_table, spec, spec->rejects ? spec->rejects->count : 0, err);
    if (st == FR_OK)
        st = write_attributes(&d, &meta_table, spec, spec->nmeta, err);
    if (st == FR_OK && spec->style_qml)
        st = write_attributes(&d, &style_table, spec, 1, err);
    return geo_gpkg_db_close(&d, st, err);
}
