/*
 * gbdt.h — gradient-boosted decision trees for the log-loss, with
 * histogram splits, learned directions for missing values and early
 * stopping on a validation slice; deterministic at any thread count.
 *
 * Training (XGBoost's "hist" method in plain C):
 *   - each feature's values are cut into at most `bins` bins at quantiles of
 *     the training rows (every distinct value its own bin when there are
 *     few); bin 0 holds the missing values;
 *   - a tree grows level by level to max_depth; a node's histogram of
 *     gradient and hessian sums per bin is built for the smaller child and
 *     the larger child's is the parent's minus it;
 *   - a split maximises G_L^2/(H_L+l2) + G_R^2/(H_R+l2) - G^2/(H+l2), with
 *     both children holding at least min_child_weight of hessian; missing
 *     values go to whichever side gains more (to the larger child when the
 *     node has none); leaf value -G/(H+l2) times the learning rate;
 *   - with a validation set, training stops when its weighted log-loss has
 *     not improved for early_stopping trees and keeps the best count.
 * Every sum runs in an order fixed by the data alone (a node's rows are
 * cut into blocks fixed by its row count, each block's histogram summed on
 * one thread, the blocks added in order), so the trees are the same bits at
 * any thread count.
 *
 * Scoring compares values as float (the training matrix is float):
 * x goes left when (float)x <= threshold, or when missing and missing_left.
 */
#ifndef MODEL_GBDT_H
#define MODEL_GBDT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "train_data.h"

typedef struct {
    int32_t feature;          /* index into model_gbdt.names; -1 for a leaf */
    int32_t left, right;      /* node indexes within the tree */
    uint8_t missing_left;
    double threshold;
    double value;             /* leaf: its output; inner node: the output it would have (for contributions) */
} model_gbdt_node;

typedef struct {
    size_t nfeatures;
    char **names;             /* owned */
    double base;              /* log-odds before any tree */
    size_t ntrees;
    size_t *tree_start;       /* owned; ntrees + 1 offsets into nodes */
    model_gbdt_node *nodes;   /* owned */
    double *gain;             /* owned; per feature, the gain of its splits in the trees kept (NULL when
                                 read from a file that has none) */
} model_gbdt;

typedef struct {
    int max_trees, max_depth, bins, early_stopping;
    double learning_rate, min_child_weight, l2, min_split_gain;
    double pos_weight, neg_weight; /* class weights */
    /* Per dataset feature (NULL: none): +1 the score never falls as the
     * value grows, -1 never rises, 0 free.  As XGBoost's
     * monotone_constraints: a split on such a feature must order its
     * children's weights so, and bounds every node below it at their
     * midpoint; missing values go to either side. */
    const int8_t *monotone;
    const uint8_t *use;       /* per dataset feature (NULL: all): 0 leaves it out of the model */
} model_gbdt_params;

typedef struct {
    size_t trees;             /* trees kept */
    double best_validation_loss; /* NAN without validation rows */
    char dropped[1024];       /* features without a split point: "name (constant)" */
} model_gbdt_report;

/* Trains on dataset rows `train` and, when nval > 0, stops early on rows
 * `val`.  *m is the caller's afterwards (model_gbdt_free). */
fr_status model_gbdt_train(const model_dataset *d, const uint32_t *train, size_t ntrain, const uint32_t *val,
                           size_t nval, const model_gbdt_params *p, model_gbdt *m, model_gbdt_report *report,
                           fr_error *err);

/* Log-odds of one parcel (x in the model's feature order, NAN missing);
 * contrib (nfeatures, or NULL) receives each feature's path contributions
 * (the change of node value along the splits on it), *bias (or NULL) the
 * rest: base + the roots' values.  bias + sum(contrib) = the log-odds. */
double model_gbdt_raw(const model_gbdt *m, const double *x, double *contrib, double *bias);

void model_gbdt_free(model_gbdt *m);

#endif
