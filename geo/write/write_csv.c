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
 *
 * Spreadsheet-safe (OWASP "CSV injection"): a text cell that begins with
 * '=', '+', '-', '@', a tab or a carriage return is one a spreadsheet would
 * run as a formula (an address read "=HYPERLINK(...)" becomes a link that
 * sends the sheet away), so it is written with a leading apostrophe, which
 * spreadsheets show as text.  Text that is a plain number ("-12.5") is
 * left as it is: a number is no formula.  Only the CSVs do this; GeoJSON
 * and GeoPackage keep the text as read.
 */
#include "write.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_buf.h"
#include "out_fmt.h"
#include "out_table.h"

#define CSV_REAL_DECIMALS 6

int geo_csv_needs_quotes(const char *s)
{
    return strpbrk(s, ",\"\r\n") != NULL;
}

/* A plain decimal number ("-12", "+3.5", "-1e-3"): digits, at most one
 * point and an exponent, nothing else (no "0x21", "inf" or "-1+2"). */
static int is_plain_number(const char *s)
{
    const char *p = s + (*s == '-' || *s == '+');
    int digits = 0;
    while (isdigit((unsigned char)*p) && ++digits)
        p++;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++)
            digits++;
    if (!digits)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p += 1 + (p[1] == '-' || p[1] == '+');
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == '\0';
}

int geo_csv_formula_risk(const char *s)
{
    return s && strchr("=+-@\t\r", s[0]) && s[0] != '\0' && !is_plain_number(s);
}

void geo_csv_field(FILE *fp, const char *s)
{
    if (!s)
        return;
    int guard = geo_csv_formula_risk(s);
    if (!geo_csv_needs_quotes(s)) {
        if (guard)
            fputc('\'', fp);
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    if (guard)
        fputc('\'', fp);
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
        return (size_t)snprintf(buf, GEO_OUT_FMT_BUF, "%.15g", v);
    return geo_out_fmt_fixed(buf, v, CSV_REAL_DECIMALS);
}

/* Writes the value of field f at value index idx (geo_out_table_value_index
 * of row `row`; nothing for null). */
static fr_status put_value(geo_out_buf *o, const geo_out_table *t, const geo_out_field *f,
                           size_t idx, size_t row, const char *path, fr_error *err)
{
    char buf[GEO_OUT_FMT_BUF];
    switch (f->type) {
    case GEO_COL_STRING:
        geo_out_buf_csv_field(o, f->str[idx]);
        break;
    case GEO_COL_NUMBER: {
        double v = f->num[idx];
        if (!geo_out_table_num_present(v))
            break;
        if (f->is_integer) {
            int64_t iv;
            fr_status st = geo_out_table_int(t, f, idx, row, path, &iv, err);
            if (st != FR_OK)
                return st;
            geo_out_buf_put(o, buf, geo_out_fmt_int(buf, iv));
        } else {
            geo_out_buf_put(o, buf, format_real(v, buf));
        }
        break;
    }
    case GEO_COL_DATE: {
        int32_t d = f->date[idx];
        if (d == GEO_DATE_MISSING)
            break;
        int y, m, dd;
        fr_status st = geo_out_table_date(t, f, idx, row, path, &y, &m, &dd, err);
        if (st != FR_OK)
            return st;
        geo_out_buf_put(o, buf, geo_out_fmt_date(buf, y, m, dd, 1));
        break;
    }
    }
    return FR_OK;
}

fr_status geo_write_csv(const geo_out_table *t, const char *path, fr_error *err)
{
    fr_status st = geo_out_table_check(t, GEO_OUT_NAME_LONG, err);
    if (st != FR_OK)
        return st;
    if (!path || !path[0])
        return fr_error_set(err, FR_E_INTERNAL, "no output path given for the CSV");
    geo_out_buf o;
    st = geo_out_buf_open(&o, path, err);
    if (st != FR_OK)
        return st;
    for (size_t j = 0; j < t->nfields; j++) {
        if (j)
            geo_out_buf_putc(&o, ',');
        geo_out_buf_csv_field(&o, t->fields[j].name);
    }
    geo_out_buf_putc(&o, '\n');
    for (size_t k = 0; k < t->nrows && st == FR_OK && !o.err_no; k++) {
        geo_out_table_prefetch(t, k);
        size_t idx = geo_out_table_value_index(t, k);
        for (size_t j = 0; j < t->nfields && st == FR_OK; j++) {
            if (j)
                geo_out_buf_putc(&o, ',');
            st = put_value(&o, t, &t->fields[j], idx, k, path, err);
        }
        geo_out_buf_putc(&o, '\n');
    }
    return geo_out_buf_close(&o, path, st, err);
}

fr_status geo_write_rejects_csv(const geo_rejects *r, const char *path, fr_error *err)
{
    if (!path || !path[0])
        return fr_error_set(err, FR_E_INTERNAL, "no output path given for the rejects CSV");
    geo_out_buf o;
    fr_status st = geo_out_buf_open(&o, path, err);
    if (st != FR_OK)
        return st;
    geo_out_buf_puts(&o, "layer,fid,field,reason,detail,record_id,address\n");
    size_t n = r ? r->count : 0;
    char buf[GEO_OUT_FMT_BUF];
    for (size_t i = 0; i < n && !o.err_no; i++) {
        const geo_reject *it = &r->items[i];
        geo_out_buf_csv_field(&o, it->layer);
        geo_out_buf_putc(&o, ',');
        if (it->fid >= 0)
            geo_out_buf_put(&o, buf, geo_out_fmt_int(buf, it->fid));
        geo_out_buf_putc(&o, ',');
        geo_out_buf_csv_field(&o, it->field);
        geo_out_buf_putc(&o, ',');
        geo_out_buf_csv_field(&o, it->reason);
        geo_out_buf_putc(&o, ',');
        geo_out_buf_csv_field(&o, it->detail);
        geo_out_buf_putc(&o, ',');
        geo_out_buf_csv_field(&o, it->record_id);
        geo_out_buf_putc(&o, ',');
        geo_out_buf_csv_field(&o, it->address);
        geo_out_buf_putc(&o, '\n');
    }
    return geo_out_buf_close(&o, path, FR_OK, err);
}
