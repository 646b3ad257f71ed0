/*
 * train_internal.h — what train.c shares with backtest.c and
 * score_model.c.  Not a public interface.
 */
#ifndef FR_TRAIN_INTERNAL_H
#define FR_TRAIN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "labels.h"
#include "run_internal.h"
#include "train.h"
#include "train_data.h"
#include "train_model.h"

/* Loads the config and reads and joins the layers (ctx->sum must point at
 * a summary).  *as_of = --as-of, else the config's as_of, else today. */
fr_status train_open(run_ctx *ctx, const char *config_path, const char *as_of_text, int threads, int32_t *as_of,
                     fr_error *err);

/* The training cutoffs for a training date T: T - H - (K - k) years for
 * k = 1..K (oldest first), so that every label window ends by T. */
void train_cutoffs(int32_t as_of, const model_horizon *h, int k, int32_t *cutoffs);

/* The cutoffs a training as of T stacks (train_cutoffs.c): score.training_
 * cutoffs of them, or with `auto` every yearly cutoff back from T - H that
 * has a year of incidents before it and score.min_slice_fires homes with a
 * fire in its window (at least the latest).  note: what auto chose and why
 * it stopped ("" for a fixed count). */
fr_status train_choose_cutoffs(const run_ctx *ctx, int32_t as_of, const model_horizon *h, int32_t *cutoffs,
                               int *k, char *note, size_t note_size, fr_error *err);

/* Features as of each cutoff stacked with their labels [cutoff, cutoff + H).
 * Fails (FR_E_INPUT) when a cutoff's window holds no fire.  Above
 * score.max_training_rows rows a share of the non-fire rows is kept
 * (*share; their weight is 1 / share).  csv_path: also write the rows as
 * CSV, every row (NULL = not). */
fr_status train_dataset(run_ctx *ctx, const int32_t *cutoffs, size_t ncutoffs, const model_horizon *h,
                        model_dataset *d, double *share, const char *csv_path, fr_error *err);

/* Labels of ctx's parcels for [from, to); fails naming the window when no
 * parcel had a fire in it (what = "training cutoff", "backtest cutoff"). */
fr_status train_labels(run_ctx *ctx, int32_t from, int32_t to, const char *what, uint8_t *y, size_t *positives,
                       fr_error *err);

/* The direction constraint of each feature names[0..n) (score.monotone_
 * history, score.monotone): +1, -1 or 0 into mono; text lists the
 * constrained ones ("fires_parcel_5y +, ...") for the model file. */
void train_monotone(const fr_config *cfg, const char *const *names, size_t n, int8_t *mono, char *text,
                    size_t size);

/* Which features a training uses (score.features_include / _exclude) into
 * use[0..n); FR_E_CONFIG when a listed name is not among names, or none is
 * left. */
fr_status train_feature_choice(const fr_config *cfg, const char *const *names, size_t n, uint8_t *use,
                               fr_error *err);

/* "  importance (...): name share, ..." for a summary (the first 12). */
void train_report_importance(const model_trained *m, char *buf, size_t size);

/* Training parameters from the config for a model kind. */
void train_params(const fr_config *cfg, model_kind kind, model_train_params *p);

/* Trains one model as of T (fills the info the model file carries). */
fr_status train_model_as_of(run_ctx *ctx, model_kind kind, int32_t as_of, model_trained *m, const char *csv_path,
                            fr_error *err);

/* The lines a summary shows about a trained model's cutoffs, sampling and
 * warnings ("  warning: ..."), into buf (empty when there is nothing). */
void train_report_notes(const model_info *in, char *buf, size_t size);

/* features.fire_codes as text: "110-129" or "111,113-118". */
void train_fire_codes_text(const fr_config *cfg, char *buf, size_t size);

/* Parcel ids of ctx (for ties in rankings). */
const char *const *train_parcel_ids(const run_ctx *ctx);

/* The features of parcel i as CSV cells, each after a comma: values as the
 * float the models train on, empty when missing (train and backtest
 * exports). */
void train_csv_features(FILE *fp, const model_features *f, size_t i);

#endif
