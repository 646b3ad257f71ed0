/*
 * train.c — `firerisk train`: the training cutoffs before a date, their
 * features and labels stacked, one model fitted and written as JSON
 * (see train.h, docs/MODELS.md).
 */
#include "train_internal.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "model_file.h"
#include "write.h"

fr_status train_open(run_ctx *ctx, const char *config_path, const char *as_of_text, int threads, int32_t *as_of,
                     fr_error *err)
{
    if (threads > 0)
        omp_set_num_threads(threads);
    fr_status st = fr_config_load(config_path, &ctx->cfg, err);
    if (st != FR_OK)
        return st;
    *as_of = ctx->cfg.as_of_set ? ctx->cfg.as_of : fr_today_utc();
    if (as_of_text && fr_parse_date(as_of_text, "%Y-%m-%d", as_of) != 0)
        return fr_error_set(err, FR_E_USAGE, "--as-of '%s' is not a date YYYY-MM-DD", as_of_text);
    if (!ctx->cfg.layers.incidents.present)
        return fr_error_set(err, FR_E_CONFIG, "%s: training needs layers.incidents (the labels are its fires)",
                            config_path);
    ctx->as_of = *as_of;
    fr_format_date(*as_of, ctx->sum->as_of);
    st = run_read_inputs(ctx, err);
    if (st == FR_OK)
        st = run_join(ctx, err);
    return st;
}

void train_cutoffs(int32_t as_of, const model_horizon *h, int k, int32_t *cutoffs)
{
    int32_t latest = model_horizon_sub(as_of, h);
    for (int i = 0; i < k; i++)
        cutoffs[i] = fr_days_minus_years(latest, k - 1 - i);
}

void train_fire_codes_text(const fr_config *cfg, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t r = 0; r < cfg->features.nfire_codes && used + 1 < size; r++) {
        const cfg_code_range *c = &cfg->features.fire_codes[r];
        int w = c->lo == c->hi ? snprintf(buf + used, size - used, "%s%d", r ? "," : "", c->lo)
                               : snprintf(buf + used, size - used, "%s%d-%d", r ? "," : "", c->lo, c->hi);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

const char *const *train_parcel_ids(const run_ctx *ctx)
{
    int c = geo_layer_find_column(ctx->parcels, "parcel_id");
    return (const char *const *)ctx->parcels->cols[c].str;
}

fr_status train_labels(run_ctx *ctx, int32_t from, int32_t to, const char *what, uint8_t *y, size_t *positives,
                       fr_error *err)
{
    geo_layer *l = ctx->inc;
    size_t n = l->count;
    int32_t *parcel = malloc((n ? n : 1) * sizeof *parcel);
    if (!parcel)
        return fr_error_oom(err);
    for (size_t k = 0; k < n; k++)
        parcel[k] = ctx->inc_match[k].parcel;
    const int32_t *date = l->cols[geo_layer_find_column(l, "date")].date;
    model_labels_build(parcel, date, ctx->inc_is_fire, n, ctx->parcels->count, from, to, y, positives);
    fr_status st = FR_OK;
    if (*positives == 0) {
        char a[11], b[11], last[11] = "never";
        fr_format_date(from, a);
        fr_format_date(to, b);
        int32_t lf = model_labels_last_fire(parcel, date, ctx->inc_is_fire, n);
        if (lf != FR_DATE_MISSING)
            fr_format_date(lf, last);
        st = fr_error_set(err, FR_E_INPUT,
                          "%s %s: no parcel had a qualifying fire in [%s, %s) (%s, layer incidents: the latest "
                          "matched fire is on %s); choose an earlier date or check features.fire_codes",
                          what, a, a, b, ctx->cfg.layers.incidents.source_label, last);
    }
    free(parcel);
    return st;
}

void train_csv_features(FILE *fp, const model_features *f, size_t i)
{
    for (size_t c = 0; c < f->nfeatures; c++) {
        /* as float, like the training matrix, so both sides see the same numbers */
        float v = (float)f->values[c * f->nparcels + i];
        if (isnan(v))
            fputc(',', fp);
        else
            fprintf(fp, ",%.9g", (double)v);
    }
}

static fr_status write_csv_slice(FILE *fp, const run_ctx *ctx, const model_features *f, const uint8_t *y,
                                 const char *cutoff, int header)
{
    if (header) {
        fputs("cutoff,parcel_id,label", fp);
        for (size_t c = 0; c < f->nfeatures; c++)
            fprintf(fp, ",%s", f->names[c]);
        fputc('\n', fp);
    }
    const char *const *ids = train_parcel_ids(ctx);
    for (size_t i = 0; i < f->nparcels; i++) {
        fprintf(fp, "%s,", cutoff);
        geo_csv_field(fp, ids[i]);
        fprintf(fp, ",%d", y[i]);
        train_csv_features(fp, f, i);
        fputc('\n', fp);
    }
    return ferror(fp) ? FR_E_OUTPUT : FR_OK;
}

fr_status train_dataset(run_ctx *ctx, const int32_t *cutoffs, size_t ncutoffs, const model_horizon *h,
                        model_dataset *d, const char *csv_path, fr_error *err)
{
    memset(d, 0, sizeof *d);
    size_t n = ctx->parcels->count;
    uint8_t *y = malloc(n ? n : 1);
    if (!y)
        return fr_error_oom(err);
    FILE *csv = NULL;
    fr_status st = FR_OK;
    if (csv_path && !(csv = fopen(csv_path, "w")))
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot write the training rows", csv_path);
    for (size_t c = 0; c < ncutoffs && st == FR_OK; c++) {
        size_t pos;
        st = train_labels(ctx, cutoffs[c], model_horizon_add(cutoffs[c], h), "training cutoff", y, &pos, err);
        if (st == FR_OK)
            st = run_features_as_of(ctx, cutoffs[c], err);
        if (st == FR_OK && c == 0)
            st = model_dataset_init(d, (const char *const *)ctx->feats.names, ctx->feats.nfeatures, n * ncutoffs, err);
        if (st == FR_OK)
            st = model_dataset_append(d, &ctx->feats, y, err);
        if (st == FR_OK && csv) {
            char day[11];
            fr_format_date(cutoffs[c], day);
            if (write_csv_slice(csv, ctx, &ctx->feats, y, day, c == 0) != FR_OK)
                st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot write the training rows", csv_path);
        }
    }
    if (csv && fclose(csv) != 0 && st == FR_OK)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot write the training rows", csv_path);
    free(y);
    if (st != FR_OK)
        model_dataset_free(d);
    return st;
}

void train_params(const fr_config *cfg, model_kind kind, model_train_params *p)
{
    const cfg_score *s = &cfg->score;
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->balanced = s->class_weight.balanced;
    p->positive_weight = s->class_weight.fire_row;
    p->logit = (model_logit_params){.l2 = s->logistic.l2, .max_iterations = s->logistic.max_iterations};
    p->gbdt = (model_gbdt_params){.max_trees = s->gbdt.max_trees,
                                  .max_depth = s->gbdt.max_depth,
                                  .bins = s->gbdt.bins,
                                  .early_stopping = s->gbdt.early_stopping,
                                  .learning_rate = s->gbdt.learning_rate,
                                  .min_child_weight = s->gbdt.min_child_weight,
                                  .l2 = s->gbdt.l2,
                                  .min_split_gain = s->gbdt.min_split_gain};
}

fr_status train_model_as_of(run_ctx *ctx, model_kind kind, int32_t as_of, model_trained *m, const char *csv_path,
                            fr_error *err)
{
    const fr_config *cfg = &ctx->cfg;
    model_horizon h;
    model_horizon_parse(cfg->score.horizon, &h); /* checked by the config loader */
    int k = cfg->score.training_cutoffs;
    int32_t cutoffs[MODEL_MAX_CUTOFFS];
    train_cutoffs(as_of, &h, k, cutoffs);
    memset(m, 0, sizeof *m);
    model_info *in = &m->info;
    fr_format_date(as_of, in->as_of);
    model_horizon_format(&h, in->horizon, sizeof in->horizon);
    in->ncutoffs = (size_t)k;
    for (int i = 0; i < k; i++)
        fr_format_date(cutoffs[i], in->cutoffs[i]);
    in->radius_m = cfg->join.radius_m;
    train_fire_codes_text(cfg, in->fire_codes, sizeof in->fire_codes);
    snprintf(in->firerisk_version, sizeof in->firerisk_version, "%s", FIRERISK_VERSION);
    model_dataset d;
    fr_status st = train_dataset(ctx, cutoffs, (size_t)k, &h, &d, csv_path, err);
    if (st != FR_OK)
        return st;
    model_train_params p;
    train_params(cfg, kind, &p);
    st = model_train(&d, &p, m, err);
    model_dataset_free(&d);
    if (st != FR_OK)
        fr_error_prefix(err, "training %s as of %s", model_kind_name(kind), in->as_of);
    return st;
}

fr_status fr_train(const fr_train_options *opt, char *report, size_t size, fr_error *err)
{
    report[0] = '\0';
    fr_run_summary sum;
    memset(&sum, 0, sizeof sum);
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.sum = &sum;
    int32_t as_of;
    fr_status st = train_open(&ctx, opt->config_path, opt->as_of, opt->threads, &as_of, err);
    model_kind kind = 0;
    if (st == FR_OK) {
        const char *name = opt->model ? opt->model : ctx.cfg.score.model;
        kind = model_kind_parse(name);
        if (!kind)
            st = fr_error_set(err, FR_E_USAGE, "train needs a model to fit: --model logistic|gbdt, or score.model "
                                               "logistic|gbdt in the config (got %s)", name ? name : "none");
    }
    model_trained m = {0};
    double t0 = omp_get_wtime();
    if (st == FR_OK)
        st = train_model_as_of(&ctx, kind, as_of, &m, opt->export_csv, err);
    double seconds = omp_get_wtime() - t0;
    if (st == FR_OK)
        st = model_file_write(opt->model_out, &m, err);
    if (st == FR_OK) {
        const model_info *in = &m.info;
        snprintf(report, size,
                 "firerisk train  %s as of %s  (%zu parcels, horizon %s)\n"
                 "  cutoffs %s .. %s (%zu), validation on %s: AUC %.4f, log-loss %.4f (%zu fires among %zu parcels)\n"
                 "  final fit: %zu rows, %zu with a fire, class weights %.3g / %.3g (%s), %zu %s\n"
                 "%s%s%s"
                 "  written %s  (features and training %.1fs, fitting %.1fs, %d threads)\n",
                 model_kind_name(kind), in->as_of, ctx.parcels->count, in->horizon, in->cutoffs[0],
                 in->cutoffs[in->ncutoffs - 1], in->ncutoffs, in->cutoffs[in->ncutoffs - 1], in->validation_auc,
                 in->validation_logloss, in->validation_positives, in->validation_rows, in->rows, in->positives,
                 in->pos_weight, in->neg_weight, in->balanced ? "balanced" : "fixed", in->iterations,
                 kind == MODEL_GBDT ? "trees" : "Newton steps", in->dropped[0] ? "  features left out: " : "",
                 in->dropped, in->dropped[0] ? "\n" : "", opt->model_out, seconds, in->seconds,
                 omp_get_max_threads());
    }
    model_trained_free(&m);
    run_ctx_free(&ctx);
    return st;
}
