/*
 * csv_rows.h — the records of a CSV source whose cell count differs from
 * its header's.
 *
 * GDAL's CSV driver cuts a row with an extra unquoted comma to the header's
 * width and pads a short row with nulls, silently: "FAIL, smoke alarm
 * missing" written without quotes shifts every later cell, and the record
 * would be used with the wrong values.  The reader rejects such records
 * (reason ragged_row, with their line number) instead; this scan, with
 * GDAL's own CSV tokenizer (the same quoting rules, separator detection and
 * skipping of blank lines as the driver), finds them.
 */
#ifndef GEO_CSV_ROWS_H
#define GEO_CSV_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    int64_t fid;     /* the driver's feature id of the record (1-based, blank lines skipped) */
    long line;       /* 1-based line of the file where the record starts */
    int cells;       /* cells of the record */
} geo_csv_ragged;

typedef struct {
    geo_csv_ragged *items; /* ascending fid */
    size_t count;
    int header_cells;
} geo_csv_ragged_list;

/* Scans the CSV file at path (read with separator sep: ',', ';', '\t' or
 * '|'; 0 = detect from the header line as the driver does).  Fills *out
 * (free with geo_csv_ragged_clear).  FR_E_INPUT when the file cannot be
 * read, FR_E_MEMORY. */
fr_status geo_csv_ragged_scan(const char *path, char sep, geo_csv_ragged_list *out, fr_error *err);

/* The entry of fid, or NULL. */
const geo_csv_ragged *geo_csv_ragged_find(const geo_csv_ragged_list *l, int64_t fid);

void geo_csv_ragged_clear(geo_csv_ragged_list *l);

#endif
