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

#define MODEL_DATASET_MAX_SLICES 64

typedef struct {
    size_t nrows, nfeatures;
    size_t filled;      /* rows appended so far */
    char **names;       /* owned */
    float *x;           /* owned; x[f * nrows + r] */
    uint8_t *y;         /* owned; 0/1 */
    uint16_t *slice;    /* owned; the cutoff index of each row (0 = first appended) */
    size_t nslices;
    /* The label window [from, to) of each slice (days since 1970; both 0
     * when not known): the validation slice is judged only against slices
     * whose window ends by its start (train_model.h). */
    int32_t window_from[MODEL_DATASET_MAX_SLICES], window_to[MODEL_DATASET_MAX_SLICES];
    /* Weight of a non-fire row: 1, or 1 / share when only a share of the
     * non-fire rows was kept (model_dataset_keep_share); the fits multiply
     * their class weight by it, which undoes the sampling. */
    double negative_row_weight;
} model_dataset;

/* Allocates room for nrows rows of the features named (copied). */
fr_status model_dataset_init(model_dataset *d, const char *const *names, size_t nfeatures, size_t nrows,
                             fr_error *err);

/* Appends the parcels of f (its columns must be the dataset's, in order)
 * with labels y as the next slice, of label window [from, to) (0, 0 when
 * not known).  keep: NULL = every parcel, else only those with keep[i]. */
fr_status model_dataset_append(model_dataset *d, const model_features *f, const uint8_t *y, const uint8_t *keep,
                               int32_t from, int32_t to, fr_error *err);

/* Sampling of the non-fire rows: whether row (parcel i of slice s) is kept
 * when a share `share` of them is, deterministically (a hash of i and s:
 * the same rows at any thread count and on every run).  Fire rows are
 * always kept by the caller. */
int model_dataset_keep_row(size_t i, size_t s, double share);

void model_dataset_free(model_dataset *d);

/* Rows of slices [first, last] (inclusive) as a new index list (caller
 * frees); *count set. */
fr_status model_dataset_rows(const model_dataset *d, size_t first, size_t last, uint32_t **rows, size_t *count,
                             fr_error *err);

#endif
