/*
 * train_data.c — the stacked training matrix (see train_data.h).
 */
#include "train_data.h"

#include <stdlib.h>
#include <string.h>

fr_status model_dataset_init(model_dataset *d, const char *const *names, size_t nfeatures, size_t nrows,
                             fr_error *err)
{
    memset(d, 0, sizeof *d);
    if (nrows > UINT32_MAX)
        return fr_error_set(err, FR_E_INPUT, "%zu training rows: more than this version handles (4294967295)", nrows);
    d->nrows = nrows;
    d->nfeatures = nfeatures;
    d->negative_row_weight = 1;
    d->names = calloc(nfeatures ? nfeatures : 1, sizeof *d->names);
    d->x = malloc((nfeatures * nrows > 0 ? nfeatures * nrows : 1) * sizeof *d->x);
    d->y = malloc(nrows ? nrows : 1);
    d->slice = malloc((nrows ? nrows : 1) * sizeof *d->slice);
    int ok = d->names && d->x && d->y && d->slice;
    for (size_t f = 0; ok && f < nfeatures; f++)
        ok = (d->names[f] = strdup(names[f])) != NULL;
    if (!ok) {
        model_dataset_free(d);
        return fr_error_oom_while(err, "for %zu training rows of %zu features", nrows, nfeatures);
    }
    return FR_OK;
}

int model_dataset_keep_row(size_t i, size_t s, double share)
{
    if (share >= 1)
        return 1;
    /* splitmix64 of (slice, parcel): uniform enough, and no state */
    uint64_t z = ((uint64_t)s << 40) ^ (uint64_t)i;
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53 < share;
}

fr_status model_dataset_append(model_dataset *d, const model_features *f, const uint8_t *y, const uint8_t *keep,
                               int32_t from, int32_t to, fr_error *err)
{
    size_t n = f->nparcels, nkeep = n;
    if (keep) {
        nkeep = 0;
        for (size_t i = 0; i < n; i++)
            nkeep += keep[i] != 0;
    }
    if (f->nfeatures != d->nfeatures || d->filled + nkeep > d->nrows || d->nslices >= MODEL_DATASET_MAX_SLICES)
        return fr_error_set(err, FR_E_INTERNAL, "training slice does not fit the dataset (%zu features, %zu rows)",
                            f->nfeatures, nkeep);
    for (size_t c = 0; c < d->nfeatures; c++)
        if (strcmp(f->names[c], d->names[c]) != 0)
            return fr_error_set(err, FR_E_INTERNAL, "feature %zu is '%s' in one cutoff and '%s' in another", c,
                                d->names[c], f->names[c]);
    size_t off = d->filled;
#pragma omp parallel for schedule(static)
    for (size_t c = 0; c < d->nfeatures; c++) {
        const double *src = f->values + c * n;
        float *dst = d->x + c * d->nrows + off;
        for (size_t i = 0, k = 0; i < n; i++)
            if (!keep || keep[i])
                dst[k++] = (float)src[i];
    }
    for (size_t i = 0, k = 0; i < n; i++)
        if (!keep || keep[i]) {
            d->y[off + k] = y[i];
            d->slice[off + k++] = (uint16_t)d->nslices;
        }
    d->window_from[d->nslices] = from;
    d->window_to[d->nslices] = to;
    d->filled += nkeep;
    d->nslices++;
    return FR_OK;
}

void model_dataset_free(model_dataset *d)
{
    for (size_t f = 0; d->names && f < d->nfeatures; f++)
        free(d->names[f]);
    free(d->names);
    free(d->x);
    free(d->y);
    free(d->slice);
    memset(d, 0, sizeof *d);
}

fr_status model_dataset_rows(const model_dataset *d, size_t first, size_t last, uint32_t **rows, size_t *count,
                             fr_error *err)
{
    size_t n = 0;
    for (size_t r = 0; r < d->filled; r++)
        n += d->slice[r] >= first && d->slice[r] <= last;
    *rows = malloc((n ? n : 1) * sizeof **rows);
    if (!*rows)
        return fr_error_oom(err);
    size_t k = 0;
    for (size_t r = 0; r < d->filled; r++)
        if (d->slice[r] >= first && d->slice[r] <= last)
            (*rows)[k++] = (uint32_t)r;
    *count = n;
    return FR_OK;
}
