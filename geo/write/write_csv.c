/*
 * write_csv.c — the target list (the ranked table without geometry) and the
 * rejects list, as CSV for spreadsheets.
 *
 * Why our own bytes and not GDAL's CSV driver: spreadsheet users see every byte, so
 * this file controls them exactly — RFC 4180 quoting (a field is quoted when
 * it holds a comma, a double quote, CR or LF; quotes inside are doubled),
 * UTF-8 as given, '\n' line ends, reals with at most 6 decimals and no
 * trailing zeros ("0.25", "12", never "nan" or "1e+02"), integers without
 * decimals, dates as YYYY-MM-DD, and an empty cell for every null.  The
 * output depends only on the values, so it is byte-identical run to run.
 * No byte-order mark: QGIS, pandas and R read UTF-8 without one.
 */
#include "write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "write_common.h"
#include "dates.h"

#define CSV_REAL_DECIMALS 6

static int csv_needs_quotes(const char *s)
{
    return strpbrk(s, ",\"\r\n") != NULL;
}

void geo_write_out_csv_field(geo_write_out *o, const char *s)
{
    if (!s)
        return;
    if (!csv_needs_quotes(s)) {
        geo_write_out_puts(o, s);
        return;
    }
    geo_write_out_putc(o, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            geo_write_out_putc(o, '"');
        geo_write_out_putc(o, *p);
    }
    geo_write_out_putc(o, '"');
}

void geo_csv_field(FILE *fp, const char *s)
{
    if (!s)
        return;
    if (!csv_needs_quotes(s)) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

/* A real with at most 6 decimals, trailing zeros and a trailing point
 * removed, "-0" written as "0".  Magnitudes of 1e15 and more (beyond what
 * fixed notation shows usefully) use 15 significant digits. */
static size_t format_real(double v, char *buf)
{
    if (fabs(v) >= 1e15)
        return (size_t)snprintf(buf, GEO_WRITE_NUM_BUF, "%.15g", v);
    return geo_write_common_fmt_fixed(buf, v, CSV_REAL_DECIMALS);
}

/* Writes the value of field f for parcel idx (nothing for null). */
static fr_status put_value(geo_write_out *o, const geo_out_table *t, const geo_out_field *f,
                           size_t idx, size_t row, const char *path, fr_error *err)
{
    char buf[GEO_WRITE_NUM_BUF];
    switch (f->type) {
    case GEO_COL_STRING:
        geo_write_out_csv_field(o, f->str[idx]);
        break;
    case GEO_COL_NUMBER: {
        double v = f->num[idx];
        if (!geo_write_common_num_present(v))
            break;
        if (f->is_integer) {
            int64_t iv;
            if (!geo_write_common_to_int64(v, &iv))
                return fr_error_set(err, FR_E_OUTPUT,
                                    "%s: row %zu (parcel fid %lld), field '%s': %g does not fit "
                                    "a 64-bit integer",
                                    path, row, (long long)t->parcels->fid[idx], f->name, v);
            geo_write_out_put(o, buf, geo_write_common_fmt_int(buf, iv));
        } else {
            geo_write_out_put(o, buf, format_real(v, buf));
        }
        break;
    }
    case GEO_COL_DATE: {
        int32_t d = f->date[idx];
        if (d == GEO_DATE_MISSING)
            break;
        int y, m, dd;
        fr_civil_from_days(d, &y, &m, &dd);
        if (y < 1 || y > 9999)
            return fr_error_set(err, FR_E_OUTPUT,
                                "%s: row %zu (parcel fid %lld), field '%s': year %d is outside "
                                "1..9999",
                                path, row, (long long)t->parcels->fid[idx], f->name, y);
        geo_write_out_put(o, buf, geo_write_common_fmt_date(buf, y, m, dd, 1));
        break;
    }
    }
    return FR_OK;
}

fr_status geo_write_csv(const geo_out_table *t, const char *path, fr_error *err)
{
    fr_status st = geo_write_common_check_table(t, GEO_WRITE_NAME_LONG, err);
    if (st != FR_OK)
        return st;
    if (!path || !path[0])
        return fr_error_set(err, FR_E_INTERNAL, "no output path given for the CSV");
    geo_write_out o;
    st = geo_write_out_open(&o, path, err);
    if (st != FR_OK)
        return st;
    for (size_t j = 0; j < t->nfields; j++) {
        if (j)
            geo_write_out_putc(&o, ',');
        geo_write_out_csv_field(&o, t->fields[j].name);
    }
    geo_write_out_putc(&o, '\n');
    for (size_t k = 0; k < t->nrows && st == FR_OK && !o.err_no; k++) {
        geo_write_common_prefetch(t, k);
        size_t idx = t->order[k];
        for (size_t j = 0; j < t->nfields && st == FR_OK; j++) {
            if (j)
                geo_write_out_putc(&o, ',');
            st = put_value(&o, t, &t->fields[j], idx, k, path, err);
        }
        geo_write_out_putc(&o, '\n');
    }
    return geo_write_out_close(&o, path, st, err);
}

fr_status geo_write_rejects_csv(const geo_rejects *r, const char *path, fr_error *err)
{
    if (!path || !path[0])
        return fr_error_set(err, FR_E_INTERNAL, "no output path given for the rejects CSV");
    geo_write_out o;
    fr_status st = geo_write_out_open(&o, path, err);
    if (st != FR_OK)
        return st;
    geo_write_out_puts(&o, "layer,fid,field,reason,detail\n");
    size_t n = r ? r->count : 0;
    char buf[GEO_WRITE_NUM_BUF];
    for (size_t i = 0; i < n && !o.err_no; i++) {
        const geo_reject *it = &r->items[i];
        geo_write_out_csv_field(&o, it->layer);
        geo_write_out_putc(&o, ',');
        if (it->fid >= 0)
            geo_write_out_put(&o, buf, geo_write_common_fmt_int(buf, it->fid));
        geo_write_out_putc(&o, ',');
        geo_write_out_csv_field(&o, it->field);
        geo_write_out_putc(&o, ',');
        geo_write_out_csv_field(&o, it->reason);
        geo_write_out_putc(&o, ',');
        geo_write_out_csv_field(&o, it->detail);
        geo_write_out_putc(&o, '\n');
    }
    return geo_write_out_close(&o, path, FR_OK, err);
}
