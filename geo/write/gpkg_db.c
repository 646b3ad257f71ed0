/*
 * gpkg_db.c — the SQLite connection and the GeoPackage core tables of the
 * GeoPackage writer (see gpkg_db.h).
 *
 * The core tables' SQL is GDAL 3.6's (ogr/ogrsf_frmts/gpkg), text for
 * text, tile tables and their triggers included: a validator or a reader
 * that compares schemas finds what it finds in a GDAL-written file.
 */
#include "gpkg_db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <ogr_srs_api.h>

#include "gdal_gate.h"
#include "gdal_srs.h"
#include "gpkg_vfs.h"
#include "out_buf.h"

/* 'GPKG' and GeoPackage 1.2, what GDAL 3.6 writes by default. */
#define GPKG_APPLICATION_ID "1196444487"
#define GPKG_USER_VERSION "10200"

/* Pages of 16 KiB rather than SQLite's 4 KiB: a million rows appended in
 * one transaction fill a quarter as many pages (fewer page splits and
 * cache lookups: the GeoPackage writer's CPU down by about 8% at 1M
 * parcels) and the file is 3% smaller (less free space at the pages'
 * ends).  Not larger: QGIS reads the rows of a map view at random, a page
 * each, and a 64 KiB page gained no more here.  Any page size is a valid
 * GeoPackage (SQLite's own choice). */
#define GPKG_PAGE_SIZE "16384"

/* Page cache of the connection (KiB, negative per SQLite): the R-tree's
 * nodes are revisited while it is loaded. */
#define GPKG_CACHE_KIB "-65536"

static const char core_sql[] =
    "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,srs_id INTEGER NOT NULL PRIMARY KEY,"
    "organization TEXT NOT NULL,organization_coordsys_id INTEGER NOT NULL,definition  TEXT NOT NULL,"
    "description TEXT);"
    "INSERT INTO gpkg_spatial_ref_sys (srs_name,srs_id,organization,organization_coordsys_id,definition,"
    "description) VALUES ('Undefined Cartesian SRS',-1,'NONE',-1,'undefined',"
    "'undefined Cartesian coordinate reference system');"
    "INSERT INTO gpkg_spatial_ref_sys (srs_name,srs_id,organization,organization_coordsys_id,definition,"
    "description) VALUES ('Undefined geographic SRS',0,'NONE',0,'undefined',"
    "'undefined geographic coordinate reference system');"
    "INSERT INTO gpkg_spatial_ref_sys (srs_name,srs_id,organization,organization_coordsys_id,definition,"
    "description) VALUES ('WGS 84 geodetic',4326,'EPSG',4326,'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\","
    "SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],"
    "PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,"
    "AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],"
    "AUTHORITY[\"EPSG\",\"4326\"]]','longitude/latitude coordinates in decimal degrees on the WGS 84 "
    "spheroid');"
    "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,data_type TEXT NOT NULL,identifier TEXT "
    "UNIQUE,description TEXT DEFAULT '',last_change DATETIME NOT NULL DEFAULT "
    "(strftime('%Y-%m-%dT%H:%M:%fZ','now')),min_x DOUBLE, min_y DOUBLE,max_x DOUBLE, max_y DOUBLE,srs_id "
    "INTEGER,CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));"
    "CREATE TABLE gpkg_ogr_contents(table_name TEXT NOT NULL PRIMARY KEY,feature_count INTEGER DEFAULT NULL);"
    "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL,column_name TEXT NOT NULL,"
    "geometry_type_name TEXT NOT NULL,srs_id INTEGER NOT NULL,z TINYINT NOT NULL,m TINYINT NOT NULL,"
    "CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),CONSTRAINT uk_gc_table_name UNIQUE "
    "(table_name),CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),"
    "CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));"
    "CREATE TABLE gpkg_tile_matrix_set (table_name TEXT NOT NULL PRIMARY KEY,srs_id INTEGER NOT NULL,min_x "
    "DOUBLE NOT NULL,min_y DOUBLE NOT NULL,max_x DOUBLE NOT NULL,max_y DOUBLE NOT NULL,CONSTRAINT "
    "fk_gtms_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),CONSTRAINT fk_gtms_srs "
    "FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));"
    "CREATE TABLE gpkg_tile_matrix (table_name TEXT NOT NULL,zoom_level INTEGER NOT NULL,matrix_width INTEGER "
    "NOT NULL,matrix_height INTEGER NOT NULL,tile_width INTEGER NOT NULL,tile_height INTEGER NOT NULL,"
    "pixel_x_size DOUBLE NOT NULL,pixel_y_size DOUBLE NOT NULL,CONSTRAINT pk_ttm PRIMARY KEY (table_name, "
    "zoom_level),CONSTRAINT fk_tmm_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name));"
    "CREATE TRIGGER 'gpkg_tile_matrix_zoom_level_insert' BEFORE INSERT ON 'gpkg_tile_matrix' FOR EACH ROW BEGIN "
    "SELECT RAISE(ABORT, 'insert on table ''gpkg_tile_matrix'' violates constraint: zoom_level cannot be less "
    "than 0') WHERE (NEW.zoom_level < 0); END;"
    "CREATE TRIGGER 'gpkg_tile_matrix_zoom_level_update' BEFORE UPDATE of zoom_level ON 'gpkg_tile_matrix' FOR "
    "EACH ROW BEGIN SELECT RAISE(ABORT, 'update on table ''gpkg_tile_matrix'' violates constraint: zoom_level "
    "cannot be less than 0') WHERE (NEW.zoom_level < 0); END;"
    "CREATE TRIGGER 'gpkg_tile_matrix_matrix_width_insert' BEFORE INSERT ON 'gpkg_tile_matrix' FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'insert on table ''gpkg_tile_matrix'' violates constraint: matrix_width cannot "
    "be less than 1') WHERE (NEW.matrix_width < 1); END;"
    "CREATE TRIGGER 'gpkg_tile_matrix_matrix_width_update' BEFORE UPDATE OF matrix_width ON 'gpkg_tile_matrix' "
    "FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'update on table ''gpkg_tile_matrix'' violates constraint: "
    "matrix_width cannot be less than 1') WHERE (NEW.matrix_width < 1); END;"
    "CREATE TRIGGER 'gpkg_tile_matrix_matrix_height_insert' BEFORE INSERT ON 'gpkg_tile_matrix' FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'insert on table ''gpkg_tile_matrix'' violates constraint: matrix_height "
    "cannot be less than 1') WHERE (NEW.matrix_height < 1); END;"
    "CREATE TRIGGER 'gpkg_tile_matrix_matrix_height_update' BEFORE UPDATE OF matrix_height ON "
    "'gpkg_tile_matrix' FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'update on table ''gpkg_tile_matrix'' violates "
    "constraint: matrix_height cannot be less than 1') WHERE (NEW.matrix_height < 1); END;"
    "CREATE TRIGGER 'gpkg_tile_matrix_pixel_x_size_insert' BEFORE INSERT ON 'gpkg_tile_matrix' FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'insert on table ''gpkg_tile_matrix'' violates constraint: pixel_x_size must "
    "be greater than 0') WHERE NOT (NEW.pixel_x_size > 0); END;"
    "CREATE TRIGGER 'gpkg_tile_matrix_pixel_x_size_update' BEFORE UPDATE OF pixel_x_size ON 'gpkg_tile_matrix' "
    "FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'update on table ''gpkg_tile_matrix'' violates constraint: "
    "pixel_x_size must be greater than 0') WHERE NOT (NEW.pixel_x_size > 0); END;"
    "CREATE TRIGGER 'gpkg_tile_matrix_pixel_y_size_insert' BEFORE INSERT ON 'gpkg_tile_matrix' FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'insert on table ''gpkg_tile_matrix'' violates constraint: pixel_y_size must "
    "be greater than 0') WHERE NOT (NEW.pixel_y_size > 0); END;"
    "CREATE TRIGGER 'gpkg_tile_matrix_pixel_y_size_update' BEFORE UPDATE OF pixel_y_size ON 'gpkg_tile_matrix' "
    "FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'update on table ''gpkg_tile_matrix'' violates constraint: "
    "pixel_y_size must be greater than 0') WHERE NOT (NEW.pixel_y_size > 0); END;";

static fr_status db_error(geo_gpkg_db *d, const char *what, fr_error *err)
{
    const char *msg = d->db ? sqlite3_errmsg(d->db) : "out of memory";
    int code = d->db ? sqlite3_errcode(d->db) : SQLITE_NOMEM;
    return fr_error_set(err, code == SQLITE_NOMEM ? FR_E_MEMORY : FR_E_OUTPUT, "%s: %s: %s", d->path, what, msg);
}

fr_status geo_gpkg_db_exec(geo_gpkg_db *d, const char *sql, const char *what, fr_error *err)
{
    if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(d, what, err);
    return FR_OK;
}

fr_status geo_gpkg_db_exec_sb(geo_gpkg_db *d, fr_strbuf *sql, const char *what, fr_error *err)
{
    fr_status st = sql->oom ? fr_error_oom_while(err, "writing %s: %s", d->path, what)
                            : geo_gpkg_db_exec(d, sql->s ? sql->s : "", what, err);
    fr_sb_free(sql);
    return st;
}

fr_status geo_gpkg_db_prepare(geo_gpkg_db *d, const char *sql, sqlite3_stmt **out, fr_error *err)
{
    *out = NULL;
    if (sqlite3_prepare_v2(d->db, sql, -1, out, NULL) != SQLITE_OK)
        return db_error(d, "preparing a statement", err);
    return FR_OK;
}

fr_status geo_gpkg_db_insert(geo_gpkg_db *d, sqlite3_stmt *s, const char *table, size_t row, fr_error *err)
{
    return geo_gpkg_db_insert_rows(d, s, table, row, 1, err);
}

int geo_gpkg_db_batch_rows(geo_gpkg_db *d, int params)
{
    int limit = sqlite3_limit(d->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
    int rows = params > 0 ? limit / params : GEO_GPKG_BATCH_ROWS;
    return rows < 1 ? 1 : rows > GEO_GPKG_BATCH_ROWS ? GEO_GPKG_BATCH_ROWS : rows;
}

fr_status geo_gpkg_db_prepare_insert(geo_gpkg_db *d, const char *into, int params, int rows, sqlite3_stmt **out,
                                     fr_error *err)
{
    fr_strbuf b = {0};
    fr_sb_printf(&b, "INSERT INTO %s VALUES ", into);
    for (int r = 0; r < rows; r++) {
        fr_sb_puts(&b, r ? ",(?" : "(?");
        for (int k = 1; k < params; k++)
            fr_sb_puts(&b, ",?");
        fr_sb_puts(&b, ")");
    }
    fr_status st = b.oom ? fr_error_oom_while(err, "writing %s", d->path) : geo_gpkg_db_prepare(d, b.s, out, err);
    fr_sb_free(&b);
    return st;
}

fr_status geo_gpkg_db_insert_rows(geo_gpkg_db *d, sqlite3_stmt *s, const char *table, size_t first, size_t n,
                                  fr_error *err)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        char what[320];
        if (n == 1)
            snprintf(what, sizeof what, "table '%s': cannot write row %zu", table, first + 1);
        else
            snprintf(what, sizeof what, "table '%s': cannot write rows %zu to %zu", table, first + 1, first + n);
        return db_error(d, what, err);
    }
    return FR_OK;
}

/* s with every q doubled (SQL's escape inside q ... q). */
static void put_escaped(fr_strbuf *b, const char *s, char q)
{
    const char *run = s;
    for (const char *p = s; *p; p++)
        if (*p == q) {
            fr_sb_put(b, run, (size_t)(p - run) + 1);
            run = p; /* the quote again */
        }
    fr_sb_puts(b, run);
}

void geo_gpkg_sb_ident(fr_strbuf *b, const char *name)
{
    fr_sb_put(b, "\"", 1);
    put_escaped(b, name, '"');
    fr_sb_put(b, "\"", 1);
}

void geo_gpkg_sb_literal(fr_strbuf *b, const char *s)
{
    fr_sb_put(b, "'", 1);
    put_escaped(b, s, '\'');
    fr_sb_put(b, "'", 1);
}

fr_status geo_gpkg_db_create(geo_gpkg_db *d, const char *path, int direct, fr_error *err)
{
    d->db = NULL;
    d->path = path;
    d->wb_fd = -1;
    if (unlink(path) != 0 && errno != ENOENT)
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot replace the existing file: %s", path, strerror(errno));
    int rc = sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             direct ? geo_gpkg_vfs_direct() : NULL);
    if (rc != SQLITE_OK)
        return db_error(d, "cannot create the GeoPackage", err);
    d->wb_fd = open(path, O_RDONLY | O_CLOEXEC); /* -1: no early writeback, nothing else lost */
    sqlite3_extended_result_codes(d->db, 0);
    fr_status st = geo_gpkg_db_exec(d,
                                    "PRAGMA page_size = " GPKG_PAGE_SIZE ";" /* first: it is fixed once the file has a page */
                                    "PRAGMA application_id = " GPKG_APPLICATION_ID ";"
                                    "PRAGMA user_version = " GPKG_USER_VERSION ";"
                                    "PRAGMA journal_mode = OFF;"
                                    "PRAGMA synchronous = OFF;"
                                    "PRAGMA locking_mode = EXCLUSIVE;"
                                    "PRAGMA temp_store = MEMORY;"
                                    "PRAGMA cache_size = " GPKG_CACHE_KIB ";",
                                    "cannot create the GeoPackage", err);
    if (st == FR_OK)
        st = geo_gpkg_db_exec(d, "BEGIN", "cannot start a transaction", err);
    if (st == FR_OK)
        st = geo_gpkg_db_exec(d, core_sql, "cannot create the GeoPackage tables", err);
    return st;
}

void geo_gpkg_db_writeback(geo_gpkg_db *d)
{
    geo_out_writeback(d->wb_fd, 0, 0);
}

fr_status geo_gpkg_db_close(geo_gpkg_db *d, fr_status st, fr_error *err)
{
    if (!d->db)
        return st;
    if (st == FR_OK)
        st = geo_gpkg_db_exec(d, "COMMIT", "cannot commit", err);
    int e = geo_gpkg_vfs_finish(d->db); /* the direct writes still in flight (gpkg_vfs.h) */
    if (e && st == FR_OK)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: writing failed: %s", d->path, strerror(e));
    if (sqlite3_close(d->db) != SQLITE_OK && st == FR_OK)
        st = db_error(d, "cannot close", err);
    d->db = NULL;
    if (d->wb_fd >= 0) {
        if (st == FR_OK)
            geo_gpkg_db_writeback(d);
        close(d->wb_fd);
        d->wb_fd = -1;
    }
    return st;
}

/* ---- the CRS ------------------------------------------------------------- */

/* GDAL's choice of srs_id, name and definition for srs (see gpkg_db.h).
 * *wkt: CPLFree. */
static fr_status describe_srs(OGRSpatialReferenceH srs, int32_t *srs_id, const char **org, char **name,
                              char **wkt, fr_error *err)
{
    const char *auth = OSRGetAuthorityName(srs, NULL);
    if (!auth || !auth[0]) {
        OSRAutoIdentifyEPSG(srs); /* fails quietly when nothing matches */
        auth = OSRGetAuthorityName(srs, NULL);
        const char *code = auth && !strcmp(auth, "EPSG") ? OSRGetAuthorityCode(srs, NULL) : NULL;
        if (code && code[0]) /* a clean definition, as GDAL's driver takes */
            OSRImportFromEPSG(srs, atoi(code));
        auth = OSRGetAuthorityName(srs, NULL);
    }
    const char *code = auth ? OSRGetAuthorityCode(srs, NULL) : NULL;
    *srs_id = 100000;
    *org = "NONE";
    if (auth && code && atoi(code) > 0) {
        *srs_id = atoi(code);
        *org = !strcmp(auth, "EPSG") ? "EPSG" : auth;
    }
    const char *nm = OSRGetName(srs);
    *name = strdup(nm ? nm : "Undefined SRS");
    const char *opts[] = {"FORMAT=WKT1_GDAL", NULL};
    *wkt = NULL;
    if (!*name)
        return fr_error_oom(err);
    if (OSRExportToWktEx(srs, wkt, opts) != OGRERR_NONE || !*wkt)
        return fr_error_set(err, FR_E_OUTPUT, "the CRS has no WKT1 form for gpkg_spatial_ref_sys");
    return FR_OK;
}

fr_status geo_gpkg_db_srs(geo_gpkg_db *d, const char *srs_wkt, int32_t *srs_id, fr_error *err)
{
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    OGRSpatialReferenceH srs = srs_wkt && srs_wkt[0] ? geo_gdal_srs(srs_wkt) : NULL;
    if (!srs) {
        fr_status st = geo_gdal_gate_error(&gate, err, FR_E_INTERNAL, "no CRS", "%s: the layer's CRS is not valid",
                                           d->path);
        geo_gdal_gate_end_quiet(&gate);
        return st;
    }
    const char *org = NULL;
    char *name = NULL, *wkt = NULL;
    fr_status st = describe_srs(srs, srs_id, &org, &name, &wkt, err);
    OSRRelease(srs);
    geo_gdal_gate_end_quiet(&gate);
    if (st != FR_OK)
        fr_error_prefix(err, "%s", d->path);
    sqlite3_stmt *s = NULL;
    if (st == FR_OK && *srs_id != 4326)
        st = geo_gpkg_db_prepare(d,
                                 "INSERT INTO gpkg_spatial_ref_sys (srs_name,srs_id,organization,"
                                 "organization_coordsys_id,definition) VALUES (?,?,?,?,?)",
                                 &s, err);
    if (s) {
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, *srs_id);
        sqlite3_bind_text(s, 3, org, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 4, *srs_id);
        sqlite3_bind_text(s, 5, wkt, -1, SQLITE_STATIC);
        st = geo_gpkg_db_insert(d, s, "gpkg_spatial_ref_sys", 0, err);
        sqlite3_finalize(s);
    }
    free(name);
    CPLFree(wkt);
    return st;
}

/* ---- gpkg_contents ------------------------------------------------------- */

static fr_status count_triggers(geo_gpkg_db *d, const char *table, fr_error *err)
{
    fr_strbuf b = {0};
    static const char *const ops[2][3] = {{"insert", "INSERT", "+"}, {"delete", "DELETE", "-"}};
    for (int k = 0; k < 2; k++) {
        fr_sb_printf(&b, "CREATE TRIGGER \"trigger_%s_feature_count_", ops[k][0]);
        put_escaped(&b, table, '"');
        fr_sb_printf(&b, "\" AFTER %s ON ", ops[k][1]);
        geo_gpkg_sb_ident(&b, table);
        fr_sb_printf(&b, " BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count %s 1 WHERE "
                         "lower(table_name) = lower(",
                     ops[k][2]);
        geo_gpkg_sb_literal(&b, table);
        fr_sb_puts(&b, "); END;");
    }
    return geo_gpkg_db_exec_sb(d, &b, "cannot create the feature count triggers", err);
}

fr_status geo_gpkg_db_contents(geo_gpkg_db *d, const geo_gpkg_contents *c, fr_error *err)
{
    sqlite3_stmt *s = NULL;
    fr_status st = geo_gpkg_db_prepare(d,
                                       "INSERT INTO gpkg_contents (table_name,data_type,identifier,description,"
                                       "last_change,min_x,min_y,max_x,max_y,srs_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
                                       &s, err);
    if (st != FR_OK)
        return st;
    sqlite3_bind_text(s, 1, c->table, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, c->data_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, c->table, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, c->description ? c->description : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, c->last_change, -1, SQLITE_STATIC);
    for (int k = 0; k < 4 && c->extent; k++)
        sqlite3_bind_double(s, 6 + k, c->extent[k]);
    sqlite3_bind_int(s, 10, c->srs_id);
    st = geo_gpkg_db_insert(d, s, "gpkg_contents", 0, err);
    sqlite3_finalize(s);
    if (st == FR_OK)
        st = geo_gpkg_db_prepare(d, "INSERT INTO gpkg_ogr_contents (table_name,feature_count) VALUES (?,?)", &s,
                                 err);
    if (st != FR_OK)
        return st;
    sqlite3_bind_text(s, 1, c->table, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)c->count);
    st = geo_gpkg_db_insert(d, s, "gpkg_ogr_contents", 0, err);
    sqlite3_finalize(s);
    if (st == FR_OK)
        st = count_triggers(d, c->table, err);
    return st;
}
