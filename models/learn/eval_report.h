/*
 * eval_report.h — the backtest report: per cutoff, every model's and
 * baseline's figures (eval.h), as a versioned JSON file (backtest.json),
 * and the few lines of it that the run summary shows.
 */
#ifndef MODEL_EVAL_REPORT_H
#define MODEL_EVAL_REPORT_H

#include <stddef.h>

#include "eval.h"
#include "status.h"

#define MODEL_BACKTEST_FORMAT "firerisk-backtest"
#define MODEL_BACKTEST_VERSION 1

typedef struct {
    char name[32];            /* gbdt, logistic, points, random, building_age, past_fires, reference */
    int baseline;             /* 1: a baseline, not a model */
    int probabilities;        /* the scores are probabilities: calibration is meaningful */
    model_eval_result eval;
    double location_auc;      /* per location when homes share points (NAN otherwise) */
    /* trained models only (else 0 / NAN) */
    double train_seconds, validation_auc;
    size_t iterations, train_rows;
    char note[256];           /* e.g. "p_2025 of truth.csv; 0 parcels without a value" */
    /* the share of the horizon's fires at the homes a target list of list_size would visit, ranked by this
       score and allocated across block groups in proportion to it (NaN: no block groups); list_size 0 = none */
    size_t list_size;
    double list_rank_share, list_proportional_share;
} model_bt_entry;

typedef struct {
    char cutoff[11], label_end[11];
    size_t parcels, fires;
    size_t locations;         /* locations judged per location (0: every home has its own) */
    model_bt_entry *entries;  /* owned */
    size_t nentries;
} model_bt_cutoff;

typedef struct {
    char config[1024];
    char horizon[16];
    int training_cutoffs;
    model_bt_cutoff *cutoffs; /* owned */
    size_t ncutoffs;
} model_backtest;

void model_backtest_free(model_backtest *b);

/* Writes the report through a temporary file renamed into place. */
fr_status model_backtest_write(const char *path, const model_backtest *b, fr_error *err);

/* Text table of the report (one block per cutoff) into buf. */
void model_backtest_format(const model_backtest *b, char *buf, size_t size);

/* The headline of a report file: its latest cutoff, AUC and the first two
 * precision@k of every entry.  Returns 0, or -1 when the file is absent or
 * not a backtest report (buf is then ""). */
int model_backtest_headline(const char *path, char *buf, size_t size);

#endif
