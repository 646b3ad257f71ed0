/*
 * out_table.c — checks, names and cell rules of the output table shared by
 * every writer (see out_table.h).
 */
#include "out_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dates.h"
#include "hugepage.h"

const char *geo_out_table_field_name(const geo_out_field *f, geo_out_name_kind names)
{
    return names == GEO_OUT_NAME_SHORT ? f->short_name : f->name;
}

fr_status geo_out_table_check(const geo_out_table *t, geo_out_name_kind names, fr_error *err)
{
    if (!t || !t->parcels)
        return fr_error_set(err, FR_E_INTERNAL, "output table has no parcels layer");
    if (t->nrows > 0 && !t->order)
        return fr_error_set(err, FR_E_INTERNAL, "output table has %zu rows but no order", t->nrows);
    if (t->nfields > 0 && !t->fields)
        return fr_error_set(err, FR_E_INTERNAL, "output table has %zu fields but no field list",
                            t->nfields);
    for (size_t k = 0; k < t->nrows; k++)
        if (t->order[k] >= t->parcels->count)
            return fr_error_set(err, FR_E_INTERNAL,
                                "output row %zu refers to parcel %zu of %zu", k, t->order[k],
                                t->parcels->count);
    for (size_t j = 0; j < t->nfields; j++) {
        const geo_out_field *f = &t->fields[j];
        if (!f->name || !f->name[0])
            return fr_error_set(err, FR_E_INTERNAL, "output field %zu has no name", j);
        const char *nm = geo_out_table_field_name(f, names);
        if (names == GEO_OUT_NAME_SHORT) {
            if (!nm || !nm[0])
                return fr_error_set(err, FR_E_INTERNAL,
                                    "output field '%s' has no short name for the .dbf", f->name);
            if (strlen(nm) > 10)
                return fr_error_set(err, FR_E_INTERNAL,
                                    "short name '%s' of output field '%s' is longer than the "
                                    "10 characters a .dbf field name allows",
                                    nm, f->name);
        }
        for (size_t i = 0; i < j; i++) {
            const char *other = geo_out_table_field_name(&t->fields[i], names);
            /* .dbf field names are case-insensitive; JSON keys are not. */
            int same = names == GEO_OUT_NAME_SHORT ? strcasecmp(other, nm) == 0
                                                     : strcmp(other, nm) == 0;
            if (same)
                return fr_error_set(err, FR_E_INTERNAL,
                                    "output fields '%s' and '%s' have the same %sname ('%s' and "
                                    "'%s')%s",
                                    t->fields[i].name, f->name,
                                    names == GEO_OUT_NAME_SHORT ? "short " : "", other, nm,
                                    names == GEO_OUT_NAME_SHORT
                                        ? ": .dbf field names ignore case"
                                        : "");
        }
        int ok = 0;
        switch (f->type) {
        case GEO_COL_STRING: ok = f->str != NULL; break;
        case GEO_COL_NUMBER: ok = f->num != NULL; break;
        case GEO_COL_DATE: ok = f->date != NULL; break;
        }
        if (t->nrows > 0 && !ok)
            return fr_error_set(err, FR_E_INTERNAL, "output field '%s' has no values of its type",
                                f->name);
    }
    return FR_OK;
}

/* ---- values ---------------------------------------------------------- */

int geo_out_table_num_present(double v)
{
    return isfinite(v);
}

const void *geo_out_field_values(const geo_out_field *f, size_t *size)
{
    switch (f->type) {
    case GEO_COL_STRING: *size = sizeof *f->str; return f->str;
    case GEO_COL_NUMBER: *size = sizeof *f->num; return f->num;
    case GEO_COL_DATE: *size = sizeof *f->date; return f->date;
    }
    *size = 0;
    return NULL;
}

long long geo_out_table_row_fid(const geo_out_table *t, size_t k)
{
    return (long long)t->parcels->fid[t->order[k]];
}

fr_status geo_out_table_int(const geo_out_table *t, const geo_out_field *f, size_t vi, size_t row, const char *path,
                            int64_t *out, fr_error *err)
{
    double v = f->num[vi];
    double r = nearbyint(v);
    /* -2^63 is exact in a double; 2^63 is the first value out of range. */
    if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
        return fr_error_set(err, FR_E_OUTPUT,
                            "%s: row %zu (parcel fid %lld), field '%s': %g does not fit a 64-bit integer", path, row,
                            geo_out_table_row_fid(t, row), f->name, v);
    *out = (int64_t)r;
    return FR_OK;
}

int geo_out_table_fits_int32(const geo_out_table *t, const geo_out_field *f)
{
    if (f->type != GEO_COL_NUMBER || !f->is_integer)
        return 0;
    /* every parcel written (the ranked layers): the same values in parcel
     * order, read sequentially rather than at random in rank order */
    const int all = t->nrows >= t->parcels->count || t->vals_in_row_order;
    const size_t n = t->nrows >= t->parcels->count ? t->parcels->count : t->nrows;
    for (size_t k = 0; k < n; k++) {
        double v = f->num[all ? k : t->order[k]];
        if (geo_out_table_num_present(v) && !(v >= -2147483648.0 && v <= 2147483647.0))
            return 0;
    }
    return 1;
}

fr_status geo_out_table_date(const geo_out_table *t, const geo_out_field *f, size_t v, size_t row, const char *path,
                             int *year, int *month, int *day, fr_error *err)
{
    fr_civil_from_days(f->date[v], year, month, day);
    if (*year < 1 || *year > 9999)
        return fr_error_set(err, FR_E_OUTPUT, "%s: row %zu (parcel fid %lld), field '%s': year %d is outside 1..9999",
                            path, row, geo_out_table_row_fid(t, row), f->name, *year);
    return FR_OK;
}

const char *geo_out_table_layer_name(const geo_out_table *t)
{
    return t->layer_name && t->layer_name[0] ? t->layer_name : t->parcels->name;
}

int geo_out_table_every_parcel_once(const geo_out_table *t)
{
    const size_t n = t->nrows;
    if (n != t->parcels->count || (n && !t->order))
        return 0;
    unsigned char *seen = calloc(n / 8 + 1, 1);
    if (!seen)
        return -1;
    int ok = 1;
    for (size_t k = 0; k < n && ok; k++) {
        size_t i = t->order[k];
        ok = i < n && !(seen[i / 8] & (1u << (i % 8)));
        if (ok)
            seen[i / 8] |= (unsigned char)(1u << (i % 8));
    }
    free(seen);
    return ok;
}

void geo_out_table_prefetch_geometry(const geo_out_table *t, size_t k)
{
    enum { FAR = 16, NEAR = 8 };
    const geo_layer *l = t->parcels;
    if (l->kind == GEO_GEOM_POLYGON) {
        if (k + FAR < t->nrows)
            __builtin_prefetch(&l->ring_start[t->order[k + FAR]]);
        if (k + NEAR < t->nrows) {
            size_t r = l->ring_start[t->order[k + NEAR]];
            __builtin_prefetch(&l->pt_start[r]);
            __builtin_prefetch(&l->ring_shell[r]);
        }
        if (k + 4 < t->nrows) { /* the first coordinates of row k + 4 (their offsets were prefetched) */
            size_t p0 = l->pt_start[l->ring_start[t->order[k + 4]]];
            __builtin_prefetch(&l->px[p0]);
            __builtin_prefetch(&l->py[p0]);
        }
    } else if (l->kind == GEO_GEOM_POINT && k + FAR < t->nrows) {
        __builtin_prefetch(&l->x[t->order[k + FAR]]);
        __builtin_prefetch(&l->y[t->order[k + FAR]]);
    }
}

void geo_out_table_prefetch(const geo_out_table *t, size_t k)
{
    geo_out_table_prefetch_fields(t, k);
    geo_out_table_prefetch_geometry(t, k);
}

void geo_out_table_prefetch_fields(const geo_out_table *t, size_t k)
{
    enum { FAR = 16, NEAR = 8 };
    if (k + FAR < t->nrows && !t->vals_in_row_order) { /* row order: read sequentially */
        size_t i = t->order[k + FAR];
        for (size_t j = 0; j < t->nfields; j++) {
            const geo_out_field *f = &t->fields[j];
            switch (f->type) {
            case GEO_COL_STRING: __builtin_prefetch(&f->str[i]); break;
            case GEO_COL_NUMBER: __builtin_prefetch(&f->num[i]); break;
            case GEO_COL_DATE: __builtin_prefetch(&f->date[i]); break;
            }
        }
    }
    if (k + NEAR < t->nrows) { /* the texts themselves, at random in either order */
        size_t i = geo_out_table_value_index(t, k + NEAR);
        for (size_t j = 0; j < t->nfields; j++)
            if (t->fields[j].type == GEO_COL_STRING && t->fields[j].str[i])
                __builtin_prefetch(t->fields[j].str[i]);
    }
}

void geo_out_table_row_done(const geo_out_table *t, size_t k)
{
    size_t done = k + 1;
    if (t->rows_written && (done % GEO_OUT_PROGRESS_ROWS == 0 || done == t->nrows))
        t->rows_written(t->rows_written_ud, (done - 1) % GEO_OUT_PROGRESS_ROWS + 1);
}

void geo_out_table_hugepages(const geo_out_table *t)
{
    const geo_layer *l = t->parcels;
    size_t n = l->count, nr = 0;
    /* each field's values, then the geometry's arrays */
    struct {
        const void *p;
        size_t bytes;
    } *r = malloc((t->nfields + 8) * sizeof *r);
    if (!r)
        return; /* a hint: nothing lost */
    for (size_t j = 0; j < t->nfields && !t->vals_in_row_order; j++) { /* row order: read sequentially */
        size_t size;
        r[nr].p = geo_out_field_values(&t->fields[j], &size);
        r[nr++].bytes = n * size;
    }
    r[nr].p = l->fid, r[nr++].bytes = n * sizeof *l->fid;
    if (l->kind == GEO_GEOM_POLYGON) {
        r[nr].p = l->ring_start, r[nr++].bytes = (n + 1) * sizeof *l->ring_start;
        r[nr].p = l->pt_start, r[nr++].bytes = (l->nrings + 1) * sizeof *l->pt_start;
        r[nr].p = l->ring_shell, r[nr++].bytes = l->nrings;
        r[nr].p = l->px, r[nr++].bytes = l->npts * sizeof *l->px;
        r[nr].p = l->py, r[nr++].bytes = l->npts * sizeof *l->py;
        if (l->bbox) /* else released (geo_layer_drop_envelopes) */
            r[nr].p = l->bbox, r[nr++].bytes = 4 * n * sizeof *l->bbox;
    } else if (l->kind == GEO_GEOM_POINT) {
        r[nr].p = l->x, r[nr++].bytes = n * sizeof *l->x;
        r[nr].p = l->y, r[nr++].bytes = n * sizeof *l->y;
    }
    /* ~20 ms of copying per array at 1M parcels: on every thread */
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t k = 0; k < nr; k++)
        fr_hugepages(r[k].p, r[k].bytes);
    free(r);
}
