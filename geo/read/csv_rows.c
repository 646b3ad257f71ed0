/*
 * csv_rows.c — rows of a CSV whose cell count is not the header's (see
 * csv_rows.h), found with GDAL's CSV tokenizer (cpl_csv.h).
 */
#include "csv_rows.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_csv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>

#include "gdal_gate.h"

/* Lines a record spans: one, plus the line breaks inside its quoted cells. */
static long record_lines(char **cells)
{
    long n = 1;
    for (char **c = cells; c && *c; c++)
        for (const char *p = *c; *p; p++)
            n += *p == '\n';
    return n;
}

fr_status geo_csv_ragged_scan(const char *path, char sep, geo_csv_ragged_list *out, fr_error *err)
{
    memset(out, 0, sizeof *out);
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp) {
        geo_gdal_gate_end_quiet(&gate);
        return fr_error_set(err, FR_E_INPUT, "%s: cannot read it to check its rows: %s", path, strerror(errno));
    }
    if (!sep) {
        const char *first = CPLReadLine2L(fp, 1 << 20, NULL);
        sep = first ? CSVDetectSeperator(first) : ',';
        VSIRewindL(fp);
    }
    const char delim[2] = {sep, '\0'};
    fr_status st = FR_OK;
    long line = 1;
    int64_t fid = 0;
    size_t cap = 0;
    char **cells = CSVReadParseLine3L(fp, 0, delim, true, false, false, true);
    out->header_cells = CSLCount(cells);
    line += record_lines(cells);
    CSLDestroy(cells);
    while (st == FR_OK && (cells = CSVReadParseLine3L(fp, 0, delim, true, false, false, false)) != NULL) {
        int n = CSLCount(cells);
        long start = line;
        line += record_lines(cells);
        /* the driver skips a blank line without giving it a feature id */
        int blank = n == 0 || (n == 1 && cells[0][0] == '\0');
        CSLDestroy(cells);
        if (blank)
            continue;
        fid++;
        if (n == out->header_cells)
            continue;
        if (out->count == cap) {
            size_t c = cap ? 2 * cap : 16;
            geo_csv_ragged *grown = realloc(out->items, c * sizeof *grown);
            if (!grown) {
                st = fr_error_oom_while(err, "checking the rows of %s", path);
                break;
            }
            out->items = grown;
            cap = c;
        }
        out->items[out->count++] = (geo_csv_ragged){fid, start, n};
    }
    VSIFCloseL(fp);
    geo_gdal_gate_end_quiet(&gate);
    if (st != FR_OK)
        geo_csv_ragged_clear(out);
    return st;
}

const geo_csv_ragged *geo_csv_ragged_find(const geo_csv_ragged_list *l, int64_t fid)
{
    size_t lo = 0, hi = l->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->items[mid].fid < fid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->count && l->items[lo].fid == fid ? &l->items[lo] : NULL;
}

void geo_csv_ragged_clear(geo_csv_ragged_list *l)
{
    free(l->items);
    memset(l, 0, sizeof *l);
}
