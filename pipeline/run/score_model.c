/*
 * score_model.c — `firerisk run` with score.model logistic or gbdt: reads
 * score.model_file, refuses a model that does not fit the data or the
 * config, and scores every parcel into ctx->points with its reasons, so the
 * outputs are written exactly as for the points index.  Also the model and
 * backtest lines of the run summary.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eval_report.h"
#include "model_file.h"
#include "train_internal.h"

int run_uses_model_file(const run_ctx *ctx)
{
    return model_kind_parse(ctx->cfg.score.model) != 0;
}

/* The model must describe the same features as this config computes. */
static fr_status check_context(const run_ctx *ctx, const model_trained *m, const char *path, fr_error *err)
{
    const fr_config *cfg = &ctx->cfg;
    model_kind want = model_kind_parse(cfg->score.model);
    if (m->kind != want)
        return fr_error_set(err, FR_E_CONFIG, "%s holds a %s model but score.model is %s", path,
                            model_kind_name(m->kind), cfg->score.model);
    if (isfinite(m->info.radius_m) && fabs(m->info.radius_m - cfg->join.radius_m) > 1e-9)
        return fr_error_set(err, FR_E_INPUT,
                            "%s was trained with join.radius_m %g, this configuration has %g: its fires_near_* "
                            "features would not mean the same (train a model with this configuration)",
                            path, m->info.radius_m, cfg->join.radius_m);
    char codes[256];
    train_fire_codes_text(cfg, codes, sizeof codes);
    if (m->info.fire_codes[0] && strcmp(m->info.fire_codes, codes) != 0)
        return fr_error_set(err, FR_E_INPUT,
                            "%s was trained with features.fire_codes %s, this configuration has %s: its fire "
                            "counts would not mean the same (train a model with this configuration)",
                            path, m->info.fire_codes, codes);
    return FR_OK;
}

fr_status run_score_model_file(run_ctx *ctx, fr_error *err)
{
    const char *path = ctx->cfg.score.model_file;
    if (!path)
        return fr_error_set(err, FR_E_CONFIG,
                            "%s: score.model %s scores with a trained model: set score.model_file (written by "
                            "firerisk train --model-out)", ctx->cfg.path, ctx->cfg.score.model);
    model_trained m;
    fr_status st = model_file_read(path, &m, err);
    if (st != FR_OK)
        return st;
    st = check_context(ctx, &m, path, err);
    if (st == FR_OK) {
        st = model_trained_score(&m, &ctx->feats, &ctx->points, err);
        if (st != FR_OK)
            fr_error_prefix(err, "%s", path);
    }
    if (st == FR_OK) {
        const model_info *in = &m.info;
        char val[96] = "";
        if (isfinite(in->validation_auc))
            snprintf(val, sizeof val, "; validation AUC %.4f on %s", in->validation_auc,
                     in->ncutoffs ? in->cutoffs[in->ncutoffs - 1] : "?");
        snprintf(ctx->sum->model, sizeof ctx->sum->model,
                 "%s from %s (trained as of %s on %zu cutoffs, horizon %s, %zu %s%s); scores are probabilities of "
                 "a fire within the horizon",
                 model_kind_name(m.kind), path, in->as_of, in->ncutoffs, in->horizon, in->iterations,
                 m.kind == MODEL_GBDT ? "trees" : "Newton steps", val);
    }
    model_trained_free(&m);
    return st;
}

void run_describe_model(run_ctx *ctx)
{
    if (!ctx->sum->model[0])
        snprintf(ctx->sum->model, sizeof ctx->sum->model, "points index (%zu terms)",
                 ctx->nterms - ctx->points.nskipped);
    char path[1200];
    snprintf(path, sizeof path, "%s/backtest.json", ctx->out_dir ? ctx->out_dir : "out");
    model_backtest_headline(path, ctx->sum->backtest, sizeof ctx->sum->backtest);
}
