/*
 * train_data.h — the training matrix: feature tables of several cutoffs
 * stacked row by row, with the label of each row and the cutoff (slice) it
 * comes from.
 *
 * Values are stored as float, column-major (x[f * nrows + r]), NAN missing:
 * a million parcels times three cutoffs times ~20 features is 240 MB as
 * float and twice that as double, and no feature needs more than float's
 * 7 significant digits.  The models read it, never change it.
 */
#ifndef MODEL_TRAIN_DATA_H
#define MODEL_TRAIN_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "feature_table.h"
#include "status.h"

typedef struct {
    size_t nrows, nfeatures;
    size_t filled;      /* rows appended so far */
    char **names;       /* owned */
    float *x;           /* owned; x[f * nrows + r] */
    uint8_t *y;         /* owned; 0/1 */
    uint16_t *slice;    /* owned; the cutoff index of each row (0 = first appended) */
    size_t nslices;
} model_dataset;

/* Allocates room for nrows rows of the features named (copied). */
fr_status model_dataset_init(model_dataset *d, const char *const *names, size_t nfeatures, size_t nrows,
                             fr_error *err);

/* Appends every parcel of f (its columns must be the dataset's, in order)
 * with labels y as the next slice. */
fr_status model_dataset_append(model_dataset *d, const model_features *f, const uint8_t *y, fr_error *err);

void model_dataset_free(model_dataset *d);

/* Rows of slices [first, last] (inclusive) as a new index list (caller
 * frees); *count set. */
fr_status model_dataset_rows(const model_dataset *d, size_t first, size_t last, uint32_t **rows, size_t *count,
                             fr_error *err);

#endif
