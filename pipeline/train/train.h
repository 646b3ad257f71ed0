/*
 * train.h — `firerisk train` and `firerisk backtest` (docs/MODELS.md).
 *
 * Both read and join the layers once, exactly as `firerisk run` does
 * (run_inputs.c, run.c), then compute the feature table as of each cutoff
 * date and the labels of the horizon after it (models/score/labels.h).  Neither
 * prints: the text they return is for the CLI to show.
 */
#ifndef FR_TRAIN_H
#define FR_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    const char *config_path;
    const char *as_of;       /* YYYY-MM-DD; NULL = the config's as_of, else today (UTC) */
    const char *model;       /* logistic | gbdt; NULL = score.model */
    const char *model_out;   /* the model file to write */
    const char *export_csv;  /* NULL, or a CSV of the training rows (cutoff, parcel_id, label, features) */
    int threads;             /* 0 = OpenMP default */
} fr_train_options;

typedef struct {
    const char *config_path;
    const char *cutoffs;     /* "2023-01-01,2024-01-01" */
    const char *models;      /* "logistic,gbdt" (default) */
    const char *out_dir;     /* backtest.json goes here; NULL = output.dir of the config, else "out" */
    const char *reference;   /* NULL, or FILE.csv:COLUMN scored as one more baseline (joined on parcel_id) */
    const char *export_dir;  /* NULL, or a directory for train_<cutoff>.csv and test_<cutoff>.csv */
    int threads;
} fr_backtest_options;

/* On success, report holds the summary to show (at most size bytes). */
fr_status fr_train(const fr_train_options *opt, char *report, size_t size, fr_error *err);
fr_status fr_backtest(const fr_backtest_options *opt, char *report, size_t size, fr_error *err);

#endif
