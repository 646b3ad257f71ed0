/*
 * write.h — the ranked outputs analysts open: GeoJSON (RFC 7946), ESRI
 * Shapefile (.shp/.shx/.dbf/.prj/.cpg) and the CSV target list, written with
 * GDAL/OGR; plus the rejects CSV.
 *
 * The caller (pipeline/) decides the fields, their order and the row order
 * and passes plain arrays indexed by parcel (or, with vals_in_row_order,
 * already in row order); the writers only write.  Each
 * writer opens its own GDAL dataset, so the GeoJSON and the Shapefile may be
 * written from two threads at once.  Paths are final file paths: writing
 * into a temporary directory and renaming into place is the caller's job.
 */
#ifndef GEO_WRITE_H
#define GEO_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "join.h"
#include "layer.h"
#include "rejects.h"
#include "status.h"

typedef struct {
    const char *name;       /* field name in GeoJSON, GeoPackage and CSV */
    const char *short_name; /* name in the Shapefile .dbf (<= 10 characters) */
    geo_column_type type;   /* GEO_COL_STRING, GEO_COL_NUMBER or GEO_COL_DATE */
    int is_integer;         /* GEO_COL_NUMBER written as a 64-bit integer field */
    int width, precision;   /* optional .dbf width/precision for reals (0 = driver default) */
    const char *const *str; /* values indexed by parcel index (not by rank),
                               or by output row: geo_out_table.vals_in_row_order */
    const double *num;      /* NAN = null */
    const int32_t *date;    /* days since 1970-01-01, GEO_DATE_MISSING = null */
} geo_out_field;

typedef struct {
    const geo_layer *parcels;   /* geometry (working CRS; srs_wkt set) */
    const size_t *order;        /* parcel indexes in the order to write */
    size_t nrows;               /* rows to write: order[0 .. nrows-1] */
    const geo_out_field *fields;
    size_t nfields;
    /* 0: every field's values are indexed by parcel (row k reads
     * value[order[k]], at random in rank order); 1: they are already in row
     * order (row k reads value[k], sequentially; see
     * geo_out_table_values_to_rows, out_rows.h).  The geometry is always
     * indexed by parcel (order[k]).  Writers read values only through
     * geo_out_table_value_index (out_table.h). */
    int vals_in_row_order;
    const char *layer_name;     /* e.g. "ranked_parcels" */
    const char *dbf_date;       /* "YYYY-MM-DD" written into the .dbf header
                                   (DBF_DATE_LAST_UPDATE) so that outputs are
                                   byte-identical from run to run */
    int coordinate_precision;   /* GeoJSON decimals, e.g. 7 */
    /* optional, for the progress line: told, from the writer's thread, of the
     * rows written since its last call, every GEO_OUT_PROGRESS_ROWS rows and
     * after the last row (geo_out_table_row_done); NULL: nobody is told */
    void (*rows_written)(void *ud, size_t rows);
    void *rows_written_ud;
    /* optional, for the run manifest: shown every byte of the files the
     * GeoJSON writer and the Shapefile in parts (geo_write_geojson,
     * geo_shapefile_parts_*: .shp, .shx and .dbf) write, as they write them, which then
     * stay out of the page cache (direct I/O, or let out behind the writer:
     * geo_out_buf_open_tapped, out_buf.h); NULL: none */
    const struct geo_out_tap *tap;
    /* 1: those files, and a GeoPackage of this table (geo_write_gpkg), go
     * through the page cache; 0: with direct I/O where the file system
     * takes it (out_direct.h, gpkg_vfs.h) */
    int buffered_io;
} geo_out_table;

/* Backs the arrays the writers read in row order (every field's values,
 * unless vals_in_row_order, and the geometry's) with 2 MB pages
 * (fr_hugepages, out_table.c): fewer TLB misses on the random reads of
 * rank order.  Once before the writers start (not from several threads at
 * once); changes no value. */
void geo_out_table_hugepages(const geo_out_table *t);

/* GeoJSON per RFC 7946: WGS84 lon/lat, right-hand rule, coordinates rounded
 * to coordinate_precision decimals. */
fr_status geo_write_geojson(const geo_out_table *t, const char *path, fr_error *err);

/* ESRI Shapefile in the working CRS with .prj and .cpg (UTF-8).  path ends
 * in .shp. */
fr_status geo_write_shapefile(const geo_out_table *t, const char *path, fr_error *err);

/* Largest .shp or .dbf the Shapefile writer produces (2 GB - 1: the limit
 * of ArcGIS and of GDAL's own 2GB_LIMIT; the format's 32-bit offsets). */
#define GEO_WRITE_SHAPEFILE_MAX_BYTES 2147483647ULL

/* Exact sizes in bytes of the .shp and .dbf that geo_write_shapefile would
 * write for t (0 for the .shp of a layer without geometry), so that a run
 * can choose its outputs before it starts.  geo_write_shapefile refuses with
 * FR_E_OUTPUT when either exceeds GEO_WRITE_SHAPEFILE_MAX_BYTES. */
fr_status geo_write_shapefile_estimate(const geo_out_table *t, uint64_t *shp_bytes,
                                       uint64_t *dbf_bytes, fr_error *err);

/* The Shapefile of geo_write_shapefile in parts that several threads write
 * at once, byte for byte the same files: the .shp and .shx (the geometry)
 * in one pass, the .dbf (the formatted fields, most of the CPU) in ranges
 * of rows formatted at once.
 * Order of calls:
 *   geo_shapefile_parts_plan       on one thread: every check of
 *                                  geo_write_shapefile but the 2 GB limit,
 *                                  and the .dbf layout (the fields scanned
 *                                  on the caller's OpenMP team); writes
 *                                  nothing; *out freed by
 *                                  geo_shapefile_parts_free (NULL on failure);
 *   geo_shapefile_parts_sizes      what geo_write_shapefile_estimate says;
 *   geo_shapefile_parts_begin      on one thread: the 2 GB refusal, then the
 *                                  .prj and .cpg, the stale index sidecars
 *                                  removed, the .dbf created with its header
 *                                  (direct I/O and the tap as the .shp's);
 *   geo_shapefile_parts_shapes and geo_shapefile_parts_dbf_rows(k0, k1)
 *                                  after a successful begin, on any threads
 *                                  at once, the row ranges together covering
 *                                  0 .. nrows once; each tells
 *                                  t->rows_written of the .dbf rows it
 *                                  formatted (the shapes tell nobody), so
 *                                  ranges that start at multiples of
 *                                  GEO_OUT_PROGRESS_ROWS count every row
 *                                  once.  The .dbf is written in file order:
 *                                  a range formatted before the rows ahead
 *                                  of it keeps its bytes in memory until
 *                                  they are written (at most the ranges
 *                                  being formatted at once, and those done
 *                                  ahead), so that the tap sees the file
 *                                  start to end;
 *   geo_shapefile_parts_dbf_close  after every range: the end-of-file mark,
 *                                  and closes the .dbf (FR_E_OUTPUT when a
 *                                  range failed, FR_E_INTERNAL when rows
 *                                  were never given);
 *   geo_shapefile_parts_free       after all of them (closes a .dbf still open).
 * t (and its arrays) must outlive the parts; path is copied.  Errors name the file, as
 * geo_write_shapefile's do; a failed part leaves the others writable. */
typedef struct geo_shapefile_parts geo_shapefile_parts;
fr_status geo_shapefile_parts_plan(const geo_out_table *t, const char *path, geo_shapefile_parts **out,
                                   fr_error *err);
void geo_shapefile_parts_sizes(const geo_shapefile_parts *p, uint64_t *shp_bytes, uint64_t *dbf_bytes);
fr_status geo_shapefile_parts_begin(geo_shapefile_parts *p, fr_error *err);
fr_status geo_shapefile_parts_shapes(const geo_shapefile_parts *p, fr_error *err);
fr_status geo_shapefile_parts_dbf_rows(geo_shapefile_parts *p, size_t k0, size_t k1, fr_error *err);
fr_status geo_shapefile_parts_dbf_close(geo_shapefile_parts *p, fr_error *err);
void geo_shapefile_parts_free(geo_shapefile_parts *p);

/* The same two outputs through GDAL's own drivers: GeoJSON with
 * RFC7946=YES, COORDINATE_PRECISION and SIGNIFICANT_FIGURES=15; ESRI
 * Shapefile with ENCODING=UTF-8, DBF_DATE_LAST_UPDATE, SPATIAL_INDEX=NO and
 * the same .dbf layout.  geo_write_geojson and geo_write_shapefile format
 * the bytes themselves because these cost 10-20x more per feature (about
 * 70 us and 13 us a parcel here); these are the references the tests
 * compare them with, and geo_write_geojson falls back on the GDAL one when
 * a parcel crosses the antimeridian (which the driver cuts, RFC 7946 3.1.9). */
fr_status geo_write_geojson_gdal(const geo_out_table *t, const char *path, fr_error *err);
fr_status geo_write_shapefile_gdal(const geo_out_table *t, const char *path, fr_error *err);

/* CSV without geometry: a header of field names, then one row per
 * order[0 .. nrows-1].  Reals are written with up to 6 decimals, RFC 4180
 * quoting. */
fr_status geo_write_csv(const geo_out_table *t, const char *path, fr_error *err);

/* Writes s as one CSV field (RFC 4180: quoted only when it holds a comma,
 * a double quote, CR or LF; quotes inside doubled; nothing for NULL), with
 * a leading ' when geo_csv_formula_risk(s).  The one quoting rule of every
 * CSV firerisk writes. */
void geo_csv_field(FILE *fp, const char *s);

/* 1 when geo_csv_field quotes s. */
int geo_csv_needs_quotes(const char *s);

/* 1 when a spreadsheet would run text s as a formula (OWASP CSV injection:
 * it begins with '=', '+', '-', '@', a tab or a CR and is not a plain
 * number), so geo_csv_field writes it with a leading '. */
int geo_csv_formula_risk(const char *s);

/* CSV of rejected records: layer, fid, field, reason, detail, record_id,
 * address (as read). */
fr_status geo_write_rejects_csv(const geo_rejects *r, const char *path, fr_error *err);

/* One point layer's join results, for geo_write_matches_csv. */
typedef struct {
    const char *layer;              /* role ("incidents") */
    const geo_layer *records;       /* the records matched (their fid) */
    const geo_match *match;         /* records->count results of geo_match_records */
    const char *const *address;     /* the records' address texts, or NULL when unmapped */
    const geo_address_index *addresses; /* the parcels' address index (street names), or NULL */
    const char *const *record_id;   /* the records' own ids (fields.record_id), or NULL when unmapped */
} geo_match_audit;

/* matches.csv: one row per record: layer, fid, method (geo_match_method_name),
 * parcel_id (parcel_id[match.parcel]), confidence (3 decimals), distance_m
 * (contains and nearest), house_number_diff (address matches), reason
 * (unmatched), address (the record's address as normalised for matching),
 * street (the parcels' street the address step found, matched or not),
 * candidates (parcels with the record's exact address: 2 and more for a
 * building or an ambiguity), address_as_read (the text of the source) and
 * record_id (fields.record_id).  tap (may be NULL) and direct as for
 * geo_out_buf_open_tapped (out_buf.h): at 5M parcels the file is 180 MB,
 * which through the page cache was as many new pages. */
fr_status geo_write_matches_csv(const geo_match_audit *layers, size_t nlayers,
                                const char *const *parcel_id, const char *path, const struct geo_out_tap *tap,
                                int direct, fr_error *err);

#endif
