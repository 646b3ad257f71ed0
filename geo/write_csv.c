/*
 * write_csv.c — the target list (the ranked table without geometry) and the
 * rejects list, as CSV for spreadsheets.
 *
 * Why stdio and not GDAL's CSV driver: spreadsheet users see every byte, so
 * this file controls them exactly — RFC 4180 quoting (a field is quoted when
 * it holds a comma, a double quote, CR or LF; quotes inside are doubled),
 * UTF-8 as given, '\n' line ends, reals with at most 6 decimals and no
 * trailing zeros ("0.25", "12", never "nan" or "1e+02"), integers without
 * decimals, dates as YYYY-MM-DD, and an empty cell for every null.  The
 * output depends only on the values, so it is byte-identical run to run.
 * No byte-order mark: QGIS, pandas and R read UTF-8 without one.
 */
#include "write.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "write_common.h"

#define CSV_REAL_DECIMALS 6

/* Writes s as one CSV field, quoted only when it must be. */
static void put_field(FILE *fp, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, fp);
        return;
    }
    putc('"', fp);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            putc('"', fp);
        putc(*p, fp);
    }
    putc('"', fp);
}

/* A real with at most 6 decimals, trailing zeros and a trailing point
 * removed, "-0" written as "0".  Magnitudes of 1e15 and more (beyond what
 * fixed notation shows usefully) use 15 significant digits. */
static void format_real(double v, char *buf, size_t n)
{
    if (fabs(v) >= 1e15) {
        snprintf(buf, n, "%.15g", v);
        return;
    }
    snprintf(buf, n, "%.*f", CSV_REAL_DECIMALS, v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *end = buf + strlen(buf) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *end = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
}

/* Writes the value of field f for parcel idx (nothing for null). */
static fr_status put_value(FILE *fp, const geo_out_table *t, const geo_out_field *f, size_t idx,
                           size_t row, const char *path, fr_error *err)
{
    char buf[64];
    switch (f->type) {
    case GEO_COL_STRING:
        put_field(fp, f->str[idx]);
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
            snprintf(buf, sizeof buf, "%lld", (long long)iv);
        } else {
            format_real(v, buf, sizeof buf);
        }
        fputs(buf, fp);
        break;
    }
    case GEO_COL_DATE: {
        int32_t d = f->date[idx];
        if (d == GEO_DATE_MISSING)
            break;
        int y, m, dd;
        geo_write_common_civil_from_days(d, &y, &m, &dd);
        if (y < 1 || y > 9999)
            return fr_error_set(err, FR_E_OUTPUT,
                                "%s: row %zu (parcel fid %lld), field '%s': year %d is outside "
                                "1..9999",
                                path, row, (long long)t->parcels->fid[idx], f->name, y);
        snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, dd);
        fputs(buf, fp);
        break;
    }
    }
    return FR_OK;
}

static FILE *open_out(const char *path, fr_error *err)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        fr_error_set(err, FR_E_OUTPUT, "%s: cannot create the CSV file: %s", path,
                     strerror(errno));
        return NULL;
    }
    setvbuf(fp, NULL, _IOFBF, 1 << 20);
    return fp;
}

/* Closes fp and turns any write error (disk full, I/O error) into
 * FR_E_OUTPUT, unless st already reports a failure. */
static fr_status close_out(FILE *fp, const char *path, fr_status st, fr_error *err)
{
    int failed = ferror(fp);
    int saved = errno;
    if (fclose(fp) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    if (st == FR_OK && failed)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: writing the CSV file failed: %s", path,
                          strerror(saved ? saved : EIO));
    return st;
}

fr_status geo_write_csv(const geo_out_table *t, const char *path, fr_error *err)
{
    fr_status st = geo_write_common_check_table(t, GEO_WRITE_NAME_LONG, err);
    if (st != FR_OK)
        return st;
    if (!path || !path[0])
        return fr_error_set(err, FR_E_INTERNAL, "no output path given for the CSV");
    FILE *fp = open_out(path, err);
    if (!fp)
        return FR_E_OUTPUT;
    errno = 0;
    for (size_t j = 0; j < t->nfields; j++) {
        if (j)
            putc(',', fp);
        put_field(fp, t->fields[j].name);
    }
    putc('\n', fp);
    for (size_t k = 0; k < t->nrows && st == FR_OK; k++) {
        size_t idx = t->order[k];
        for (size_t j = 0; j < t->nfields && st == FR_OK; j++) {
            if (j)
                putc(',', fp);
            st = put_value(fp, t, &t->fields[j], idx, k, path, err);
        }
        putc('\n', fp);
        if (ferror(fp))
            break;
    }
    return close_out(fp, path, st, err);
}

fr_status geo_write_rejects_csv(const geo_rejects *r, const char *path, fr_error *err)
{
    if (!path || !path[0])
        return fr_error_set(err, FR_E_INTERNAL, "no output path given for the rejects CSV");
    FILE *fp = open_out(path, err);
    if (!fp)
        return FR_E_OUTPUT;
    errno = 0;
    fputs("layer,fid,field,reason,detail\n", fp);
    size_t n = r ? r->count : 0;
    for (size_t i = 0; i < n && !ferror(fp); i++) {
        const geo_reject *it = &r->items[i];
        put_field(fp, it->layer);
        putc(',', fp);
        if (it->fid >= 0)
            fprintf(fp, "%lld", (long long)it->fid);
        putc(',', fp);
        put_field(fp, it->field);
        putc(',', fp);
        put_field(fp, it->reason);
        putc(',', fp);
        put_field(fp, it->detail);
        putc('\n', fp);
    }
    return close_out(fp, path, FR_OK, err);
}
