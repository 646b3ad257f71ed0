/*
 * gpkg_db.h — the SQLite side of the GeoPackage writer (write_gpkg.c),
 * room-internal: the connection with the settings of a file written once
 * into a temporary directory, statements that fail as fr_error naming the
 * file and table, and the GeoPackage's own tables (gpkg_spatial_ref_sys,
 * gpkg_contents, gpkg_geometry_columns, gpkg_extensions, GDAL's
 * gpkg_ogr_contents) in the schema and with the rows GDAL 3.6's driver
 * writes, so that GDAL and QGIS read the file as they read one of GDAL's.
 *
 * One geo_gpkg_db is for one thread (its own connection).
 */
#ifndef GEO_GPKG_DB_H
#define GEO_GPKG_DB_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "status.h"
#include "strbuf.h"

typedef struct {
    sqlite3 *db;
    const char *path;
    int wb_fd; /* the file again, read-only, for geo_gpkg_db_writeback; -1 none */
} geo_gpkg_db;

/* Creates the file at path (replacing one there) as an empty GeoPackage
 * 1.2 (application_id 'GPKG', user_version 10200) with its core tables and
 * the three SRS rows every GeoPackage has, inside one open transaction.
 * Journal and syncs are off: the file is written once into a staging
 * directory and synced by whoever publishes it; a failed write is
 * discarded whole.  direct: its pages written with direct I/O, past the
 * page cache (gpkg_vfs.h).  FR_E_OUTPUT naming path.  *d is closeable
 * after a failure too (geo_gpkg_db_close). */
fr_status geo_gpkg_db_create(geo_gpkg_db *d, const char *path, int direct, fr_error *err);

/* Starts the kernel's writeback of what SQLite has written to the file so
 * far, without waiting (geo_out_writeback): the rows of a large table
 * reach the disk while the rest are inserted, not all at the fsync. */
void geo_gpkg_db_writeback(geo_gpkg_db *d);

/* Commits (when st is FR_OK) and closes.  Returns st or the commit's
 * failure. */
fr_status geo_gpkg_db_close(geo_gpkg_db *d, fr_status st, fr_error *err);

/* Runs sql (one or several statements); what names the step for the
 * error message. */
fr_status geo_gpkg_db_exec(geo_gpkg_db *d, const char *sql, const char *what, fr_error *err);

/* As geo_gpkg_db_exec for SQL built in a strbuf (FR_E_MEMORY when it ran
 * out); frees the text. */
fr_status geo_gpkg_db_exec_sb(geo_gpkg_db *d, fr_strbuf *sql, const char *what, fr_error *err);

fr_status geo_gpkg_db_prepare(geo_gpkg_db *d, const char *sql, sqlite3_stmt **out, fr_error *err);

/* Steps an INSERT (row: 0-based, for the message) and resets it for the
 * next row. */
fr_status geo_gpkg_db_insert(geo_gpkg_db *d, sqlite3_stmt *s, const char *table, size_t row, fr_error *err);

/* Rows per multi-row INSERT of `params` values a row (geo_gpkg_db_prepare_insert):
 * GEO_GPKG_BATCH_ROWS, fewer where SQLite's limit on a statement's
 * parameters says so; at least 1.
 *
 * Why batches: a statement's fixed cost (its start and end, and for a
 * table with AUTOINCREMENT, as every GeoPackage feature table has, the
 * read and write of its sqlite_sequence row) is paid once per statement;
 * one row per statement paid it a million times, ~1-2 us a row.  The rows
 * go into the table in the same order with the same values, so the file
 * is the same. */
#define GEO_GPKG_BATCH_ROWS 32
int geo_gpkg_db_batch_rows(geo_gpkg_db *d, int params);

/* "INSERT INTO into VALUES (?,...),(?,...)...", rows groups of params
 * markers, prepared; into is the quoted table, with its column list when
 * the statement names the columns. */
fr_status geo_gpkg_db_prepare_insert(geo_gpkg_db *d, const char *into, int params, int rows, sqlite3_stmt **out,
                                     fr_error *err);

/* As geo_gpkg_db_insert for a statement of rows [first, first + n). */
fr_status geo_gpkg_db_insert_rows(geo_gpkg_db *d, sqlite3_stmt *s, const char *table, size_t first, size_t n,
                                  fr_error *err);

/* Appends name as a double-quoted SQL identifier / s as a single-quoted
 * SQL literal. */
void geo_gpkg_sb_ident(fr_strbuf *b, const char *name);
void geo_gpkg_sb_literal(fr_strbuf *b, const char *s);

/* The srs_id of the CRS srs_wkt, adding its gpkg_spatial_ref_sys row as
 * GDAL does: the EPSG code when the CRS has one (or GDAL identifies one),
 * else 100000 under organization NONE; definition in WKT1.  FR_E_INTERNAL
 * when srs_wkt is not a CRS. */
fr_status geo_gpkg_db_srs(geo_gpkg_db *d, const char *srs_wkt, int32_t *srs_id, fr_error *err);

/* The gpkg_contents row of a table ("features" or "attributes"; extent
 * minx, miny, maxx, maxy or NULL; srs_id 0 for attributes), its
 * gpkg_ogr_contents row with count, and GDAL's triggers that keep that
 * count when others edit the file. */
typedef struct {
    const char *table, *data_type, *description, *last_change;
    const double *extent;
    int32_t srs_id;
    size_t count;
} geo_gpkg_contents;

fr_status geo_gpkg_db_contents(geo_gpkg_db *d, const geo_gpkg_contents *c, fr_error *err);

#endif
