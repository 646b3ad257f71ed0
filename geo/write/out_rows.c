/*
 * out_rows.c — a table's field values into row order and back (see
 * out_rows.h).
 */
#include "out_rows.h"

#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hugepage.h"
#include "out_table.h"

typedef struct {
    unsigned char *p; /* the caller's array (declared const in geo_out_field) */
    size_t size;      /* bytes per value */
} values_array;

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const values_array *)a)->p, y = (uintptr_t)((const values_array *)b)->p;
    return x < y ? -1 : x > y;
}

/* The distinct value arrays of t's fields, by address: two fields may
 * share one (the same column under two names), which must move once. */
static size_t distinct_arrays(const geo_out_table *t, values_array *a)
{
    size_t n = 0;
    for (size_t j = 0; j < t->nfields; j++) {
        size_t size;
        const void *p = geo_out_field_values(&t->fields[j], &size);
        if (p) /* else no values (geo_out_table_check refuses it before any row is written) */
            a[n++] = (values_array){(unsigned char *)p, size};
    }
    qsort(a, n, sizeof *a, by_address);
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (!m || a[k].p != a[m - 1].p)
            a[m++] = a[k];
    return m;
}

/* dst[k] = src[order[k]] (to_rows) or dst[order[k]] = src[k]; the constant
 * sizes let the compiler make each memcpy one move. */
#define MOVE_VALUES(SIZE)                                                                         \
    do {                                                                                          \
        if (to_rows)                                                                              \
            for (size_t k = 0; k < n; k++) {                                                      \
                if (k + AHEAD < n)                                                                \
                    __builtin_prefetch(src + order[k + AHEAD] * (SIZE));                          \
                memcpy(dst + k * (SIZE), src + order[k] * (SIZE), (SIZE));                        \
            }                                                                                     \
        else                                                                                      \
            for (size_t k = 0; k < n; k++) {                                                      \
                if (k + AHEAD < n)                                                                \
                    __builtin_prefetch(dst + order[k + AHEAD] * (SIZE), 1);                       \
                memcpy(dst + order[k] * (SIZE), src + k * (SIZE), (SIZE));                        \
            }                                                                                     \
    } while (0)

static void move_values(unsigned char *dst, const unsigned char *src, size_t size, const size_t *order, size_t n,
                        int to_rows)
{
    enum { AHEAD = 16 }; /* random reads (or writes) ahead of the one waited for */
    if (size == 8)
        MOVE_VALUES(8);
    else if (size == 4)
        MOVE_VALUES(4);
    else
        MOVE_VALUES(size);
}

static fr_status permute(geo_out_table *t, int to_rows, fr_error *err)
{
    const size_t n = t->nrows;
    if (!t->parcels || n != t->parcels->count || (n && !t->order) || t->vals_in_row_order != !to_rows)
        return fr_error_set(err, FR_E_INTERNAL,
                            "output table: values can move between parcel and row order only for every parcel "
                            "(%zu rows) and only once each way",
                            n);
    if (to_rows) {
        int perm = geo_out_table_every_parcel_once(t);
        if (perm < 0)
            return fr_error_oom_while(err, "putting the output values in row order");
        if (!perm)
            return fr_error_set(err, FR_E_INTERNAL, "output table: the row order is not a permutation of the %zu parcels", n);
    }
    values_array *a = malloc((t->nfields ? t->nfields : 1) * sizeof *a);
    if (!a)
        return fr_error_oom_while(err, "putting the output values in row order");
    size_t na = distinct_arrays(t, a), largest = 1;
    for (size_t k = 0; k < na; k++)
        largest = a[k].size > largest ? a[k].size : largest;
    /* every thread's scratch first, so that a failure changes nothing */
    int nth = omp_get_max_threads();
    if ((size_t)nth > na)
        nth = na ? (int)na : 1;
    unsigned char **scratch = calloc((size_t)nth, sizeof *scratch);
    int oom = !scratch;
    for (int th = 0; th < nth && !oom; th++)
        if (!(oom = !(scratch[th] = malloc((n ? n : 1) * largest))))
            fr_hugepages_on_touch(scratch[th], n * largest);
    if (!oom) {
#pragma omp parallel for num_threads(nth) schedule(dynamic, 1)
        for (size_t k = 0; k < na; k++) {
            unsigned char *s = scratch[omp_get_thread_num()];
            move_values(s, a[k].p, a[k].size, t->order, n, to_rows);
            memcpy(a[k].p, s, n * a[k].size);
        }
        t->vals_in_row_order = to_rows;
    }
    for (int th = 0; scratch && th < nth; th++)
        free(scratch[th]);
    free(scratch);
    free(a);
    return oom ? fr_error_oom_while(err, "putting the output values in %s order", to_rows ? "row" : "parcel")
               : FR_OK;
}

fr_status geo_out_table_values_to_rows(geo_out_table *t, fr_error *err)
{
    return permute(t, 1, err);
}

fr_status geo_out_table_values_to_parcels(geo_out_table *t, fr_error *err)
{
    return permute(t, 0, err);
}
