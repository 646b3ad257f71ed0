/*
 * config_score.c — the key tables of score: (docs/CONFIG.md, MODELS.md):
 * the model, the trained models' keys, the points index's weights and the
 * tiers, with the keys that are not plain values (class_weight: balanced
 * or a number) and the checks of a horizon and a precision_at k.
 */
#include "config_keys.h"

#include <math.h>
#include <string.h>

#include "eval.h"
#include "labels.h"
#include "train_model.h"

/* ---- weights ------------------------------------------------------------ */

/* The points index when score.weights is absent; docs/CONFIG.md's table
 * "Default terms" is generated from it. */
#define DEFAULT_WEIGHTS                                          \
    "[{feature: fires_parcel_5y, weight: 3, cap: 2},"            \
    " {feature: fires_near_3y, weight: 2, cap: 10},"             \
    " {feature: insp_failed_3y, weight: 2, cap: 3},"             \
    " {feature: insp_violations_3y, weight: 1, cap: 10},"        \
    " {feature: building_age, weight: 2, cap: 100},"             \
    " {feature: vacant, weight: 1.5, cap: 1},"                   \
    " {feature: owner_occupied, weight: 1, cap: 1, invert: true}," \
    " {feature: units, weight: 0.5, cap: 50},"                   \
    " {feature: station_dist_m, weight: 0.5, cap: 5000},"        \
    " {feature: bg_poverty_rate, weight: 1, cap: 0.5}]"

/* weight and cap are required: NAN until given. */
static fr_status weight_begin(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    (void)w, (void)n, (void)path;
    cfg_weight *wt = base;
    wt->weight = NAN;
    wt->cap = NAN;
    return FR_OK;
}

static fr_status weight_finish(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    const cfg_weight *wt = base;
    if (!wt->feature || isnan(wt->weight) || isnan(wt->cap))
        return cfg_fail(w, n, "%s needs feature, weight and cap", path);
    return FR_OK;
}

static const cfg_key weight_keys[] = {
    {"feature", CFG_TEXT, offsetof(cfg_weight, feature), .doc_def = "required",
     .help = "a feature name ([FEATURES.md](FEATURES.md))"},
    {"weight", CFG_NUMBER, offsetof(cfg_weight, weight), .min = 0, .max = 1e6, .doc_def = "required",
     .help = "the term's largest contribution"},
    {"cap", CFG_NUMBER, offsetof(cfg_weight, cap), .min = 1e-12, .max = 1e12, .doc_def = "required",
     .help = "the value at which the term is full"},
    {"invert", CFG_BOOL, offsetof(cfg_weight, invert), .def = "false",
     .help = "score `cap - value` instead of the value (e.g. owner_occupied)"},
};
static const cfg_section weight_section = {CFG_SECTION_OF(weight_keys), .size = sizeof(cfg_weight),
                                           .begin = weight_begin, .finish = weight_finish};

/* ---- the trained models ------------------------------------------------- */

static fr_status parse_class_weight(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    cfg_class_weight *c = &((cfg_score *)base)->class_weight;
    const char *s = cfg_scalar(n);
    if (s && !strcmp(s, "balanced")) {
        c->balanced = 1;
        return FR_OK;
    }
    if (cfg_get_number(w, n, path, 1e-6, 1e6, &c->fire_row) != FR_OK)
        return cfg_fail(w, n, "%s must be balanced or a number (the weight of a fire row)", path);
    c->balanced = 0;
    return FR_OK;
}

/* "auto" (0: as many yearly cutoffs as the incidents span) or a count. */
static fr_status parse_training_cutoffs(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    int *k = &((cfg_score *)base)->training_cutoffs;
    const char *s = cfg_scalar(n);
    if (s && !strcmp(s, "auto")) {
        *k = 0;
        return FR_OK;
    }
    double v;
    if (cfg_get_number(w, n, path, 1, MODEL_MAX_CUTOFFS, &v) != FR_OK || v != floor(v))
        return cfg_fail(w, n, "%s must be auto or a whole number from 1 to %d", path, MODEL_MAX_CUTOFFS);
    *k = (int)v;
    return FR_OK;
}

static int valid_horizon(const char *s)
{
    model_horizon h;
    return model_horizon_parse(s, &h) == 0;
}

static int valid_k(const char *s)
{
    model_eval_k k;
    return model_eval_k_parse(s, &k) == 0;
}

static const cfg_key logistic_keys[] = {
    {"l2", CFG_NUMBER, offsetof(cfg_logistic, l2), .min = 1e-6, .max = 1e9, .def = "1",
     .help = "L2 penalty on the standardised coefficients"},
    {"max_iterations", CFG_WHOLE, offsetof(cfg_logistic, max_iterations), .min = 1, .max = 1000, .def = "50",
     .help = "Newton steps at most"},
};
static const cfg_section logistic_section = {CFG_SECTION_OF(logistic_keys)};

static const cfg_key gbdt_keys[] = {
    {"max_trees", CFG_WHOLE, offsetof(cfg_gbdt, max_trees), .min = 1, .max = 100000, .def = "1000",
     .help = "trees at most (early stopping usually stops sooner)"},
    {"max_depth", CFG_WHOLE, offsetof(cfg_gbdt, max_depth), .min = 1, .max = 12, .def = "4",
     .help = "depth of a tree"},
    {"learning_rate", CFG_NUMBER, offsetof(cfg_gbdt, learning_rate), .min = 1e-4, .max = 1, .def = "0.05",
     .help = "shrinkage of each tree's values"},
    {"min_child_weight", CFG_NUMBER, offsetof(cfg_gbdt, min_child_weight), .min = 0, .max = 1e12, .def = "1",
     .help = "least hessian sum in a child (about 1 / (p (1 − p)) rows at fire rate p)"},
    {"l2", CFG_NUMBER, offsetof(cfg_gbdt, l2), .min = 0, .max = 1e9, .def = "1", .help = "L2 penalty on leaf values"},
    {"min_split_gain", CFG_NUMBER, offsetof(cfg_gbdt, min_split_gain), .min = 0, .max = 1e12, .def = "0",
     .help = "least gain of a split"},
    {"bins", CFG_WHOLE, offsetof(cfg_gbdt, bins), .min = 2, .max = 255, .def = "255",
     .help = "histogram bins per feature (missing values have their own)"},
    {"early_stopping", CFG_WHOLE, offsetof(cfg_gbdt, early_stopping), .min = 1, .max = 100000, .def = "30",
     .help = "stop when the validation log-loss has not improved for this many trees"},
    {"fallback_trees", CFG_WHOLE, offsetof(cfg_gbdt, fallback_trees), .min = 1, .max = 100000, .def = "100",
     .help = "trees grown when the validation slice holds fewer than `score.min_validation_fires` fires (or "
             "there is none): too few to stop early on (a warning says so)"},
};
static const cfg_section gbdt_section = {CFG_SECTION_OF(gbdt_keys)};

/* ---- monotone constraints ----------------------------------------------- */

static const char *const directions[] = {"increasing", "decreasing", "none", NULL};

static const cfg_key monotone_keys[] = {
    {"feature", CFG_TEXT, offsetof(cfg_monotone, feature), .doc_def = "required",
     .help = "a feature name ([FEATURES.md](FEATURES.md))"},
    {"direction", CFG_CHOICE, offsetof(cfg_monotone, direction), .choices = directions, .def = "increasing",
     .help = "the trained model's score may only rise (increasing) or fall (decreasing) as the value grows; "
             "none lifts the default of `monotone_history`"},
};

static fr_status monotone_finish(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    if (!((const cfg_monotone *)base)->feature)
        return cfg_fail(w, n, "%s needs a feature", path);
    return FR_OK;
}

static const cfg_section monotone_section = {CFG_SECTION_OF(monotone_keys), .size = sizeof(cfg_monotone),
                                             .finish = monotone_finish};

/* ---- tiers -------------------------------------------------------------- */

static const cfg_key tiers_keys[] = {
    {"high", CFG_NUMBER, offsetof(cfg_tiers, high), .min = 0, .max = 1, .def = "0.05",
     .help = "share of parcels in the high tier"},
    {"medium", CFG_NUMBER, offsetof(cfg_tiers, medium), .min = 0, .max = 1, .def = "0.20",
     .help = "share of parcels in high + medium (at least `high`)"},
};
static const cfg_section tiers_section = {CFG_SECTION_OF(tiers_keys)};

static fr_status score_finish(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    const cfg_score *s = base;
    if (s->tiers.medium < s->tiers.high)
        return cfg_fail(w, n, "score.tiers.medium (share of parcels in high + medium) must be >= tiers.high");
    /* `weights: []` has always meant the default terms */
    if (!s->nweights)
        return cfg_apply_default_of(w, &cfg_score_section, "weights", path, base);
    return FR_OK;
}

static const char *const models[] = {"points", "logistic", "gbdt", NULL};

static const cfg_key score_keys[] = {
    {"model", CFG_CHOICE, offsetof(cfg_score, model), .choices = models, .def = "points",
     .help = "which model `firerisk run` scores with; `logistic` and `gbdt` read `score.model_file`. Also the "
             "model `firerisk train` fits when `--model` is not given ([MODELS.md](MODELS.md))"},
    {"weights", CFG_LIST, offsetof(cfg_score, weights), offsetof(cfg_score, nweights), .section = &weight_section,
     .def = DEFAULT_WEIGHTS, .doc_def = "the table in [Points index](#points-index)",
     .help = "the terms of the points index; a list replaces the default one (an empty list keeps it)"},
    {"tiers", CFG_SECTION, offsetof(cfg_score, tiers), .section = &tiers_section},
    {"model_file", CFG_PATH, offsetof(cfg_score, model_file),
     .help = "a model written by `firerisk train --model-out` (relative to the config's directory); required "
             "when `score.model` is `logistic` or `gbdt`. Refused when its kind is not `score.model`, or it was "
             "trained with another `join.radius_m` or `features.fire_codes`, or needs features the data lacks "
             "([MODELS.md](MODELS.md))"},
    {"horizon", CFG_TEXT, offsetof(cfg_score, horizon), .valid = valid_horizon,
     .must = "a span such as 1y, 6m or 90d", .def = "1y", .doc_type = "`Ny`, `Nm` or `Nd` (N ≥ 1)",
     .help = "train and backtest: the label of a cutoff T is a qualifying fire in [T, T + horizon)"},
    {"training_cutoffs", CFG_CUSTOM, 0, .parse = parse_training_cutoffs, .def = "auto",
     .doc_type = "`auto` or 1 to 64",
     .help = "train: how many yearly cutoffs are stacked, the latest one horizon before the training date; the "
             "latest is the validation slice. `auto`: every yearly cutoff with a year of incidents before it "
             "and at least `min_slice_fires` homes burned in its label window ([MODELS.md](MODELS.md))"},
    {"min_slice_fires", CFG_WHOLE, offsetof(cfg_score, min_slice_fires), .min = 1, .max = 1000000, .def = "10",
     .help = "`training_cutoffs: auto` stops going back at a cutoff whose label window holds fewer homes with a "
             "fire"},
    {"min_validation_fires", CFG_WHOLE, offsetof(cfg_score, min_validation_fires), .min = 1, .max = 1000000,
     .def = "50",
     .help = "a validation slice with fewer homes with a fire is too small to stop gbdt early on: it grows "
             "`gbdt.fallback_trees` and train and backtest warn"},
    {"max_training_rows", CFG_NUMBER, offsetof(cfg_score, max_training_rows), .min = 1000, .max = 4e9,
     /* measured on the 1M city: 3M rows cost 3.6x the CPU of 1M for +0.0015 validation AUC (docs/MODELS.md) */
     .def = "1000000",
     .help = "above this many rows (homes × cutoffs) the non-fire rows are sampled (every fire row kept) and "
             "weigh 1 / share, so the scores stay probabilities"},
    /* measured: balanced weights cost AUC (docs/MODELS.md), so 1 */
    {"class_weight", CFG_CUSTOM, 0, .parse = parse_class_weight, .def = "1",
     .doc_type = "number 1e-6 to 1e6, or `balanced`",
     .help = "weight of a fire row in the fit (`balanced`: each class weighs half); undone in the intercept, so "
             "scores stay probabilities"},
    {"precision_at", CFG_TEXT_LIST, offsetof(cfg_score, precision_at), offsetof(cfg_score, nprecision_at),
     .valid = valid_k, .must = "counts (500) or shares of the parcels (1%)", .def = "[100, 500, 1%, 10%]",
     .doc_type = "list of counts or percentages",
     .help = "backtest: the k of precision and recall at k (the department's inspection capacities)"},
    {"monotone_history", CFG_BOOL, offsetof(cfg_score, monotone_history), .def = "true",
     .help = "train: the fire and call history features (fires_*, calls_*, fire_kernel_*) may only raise a "
             "home's score as they grow (gbdt monotone constraints, logistic sign constraints; "
             "[MODELS.md](MODELS.md))"},
    {"monotone", CFG_LIST, offsetof(cfg_score, monotone), offsetof(cfg_score, nmonotone),
     .section = &monotone_section, .def = "[]", .doc_type = "list of {feature, direction}",
     .help = "train: a direction per feature (`increasing`, `decreasing` or `none`), over `monotone_history`"},
    {"features_include", CFG_TEXT_LIST, offsetof(cfg_score, features_include),
     offsetof(cfg_score, nfeatures_include), .def = "[]", .doc_type = "list of feature names",
     .help = "train: fit on these features only (an empty list: every feature the data has); a name the data "
             "does not have stops the training"},
    {"features_exclude", CFG_TEXT_LIST, offsetof(cfg_score, features_exclude),
     offsetof(cfg_score, nfeatures_exclude), .def = "[]", .doc_type = "list of feature names",
     .help = "train: leave these features out of the model"},
    {"logistic", CFG_SECTION, offsetof(cfg_score, logistic), .section = &logistic_section},
    {"gbdt", CFG_SECTION, offsetof(cfg_score, gbdt), .section = &gbdt_section},
};
const cfg_section cfg_score_section = {CFG_SECTION_OF(score_keys), .finish = score_finish};
