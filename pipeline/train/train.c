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

/* The share of the non-fire rows kept so that about max_rows rows are
 * stacked (1: all), every fire row kept. */
static double negative_share(size_t rows, size_t positives, double max_rows)
{
    if ((double)rows <= max_rows || rows <= positives)
        return 1;
    double share = (max_rows - (double)positives) / (double)(rows - positives);
    return share < 0.01 ? 0.01 : share; /* with more fires than the budget, still a sample of the rest */
}

fr_status train_dataset(run_ctx *ctx, const int32_t *cutoffs, size_t ncutoffs, const model_horizon *h,
                        model_dataset *d, double *share, const char *csv_path, fr_error *err)
{
    memset(d, 0, sizeof *d);
    *share = 1;
    size_t n = ctx->parcels->count, positives = 0;
    /* the labels of every cutoff first: how many rows to keep decides the allocation */
    uint8_t *y = malloc(n * ncutoffs > 0 ? n * ncutoffs : 1), *keep = malloc(n ? n : 1);
    if (!y || !keep) {
        free(y);
        free(keep);
        return fr_error_oom(err);
    }
    fr_status st = FR_OK;
    for (size_t c = 0; c < ncutoffs && st == FR_OK; c++) {
        size_t pos;
        st = train_labels(ctx, cutoffs[c], model_horizon_add(cutoffs[c], h), "training cutoff", y + c * n, &pos,
                          err);
        positives += pos;
    }
    *share = negative_share(n * ncutoffs, positives, ctx->cfg.score.max_training_rows);
    size_t rows = 0;
    for (size_t c = 0; c < ncutoffs && st == FR_OK; c++)
        for (size_t i = 0; i < n; i++)
            rows += y[c * n + i] || model_dataset_keep_row(i, c, *share);
    FILE *csv = NULL;
    if (st == FR_OK && csv_path && !(csv = fopen(csv_path, "w")))
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot write the training rows", csv_path);
    for (size_t c = 0; c < ncutoffs && st == FR_OK; c++) {
        const uint8_t *yc = y + c * n;
        for (size_t i = 0; i < n; i++)
            keep[i] = yc[i] || model_dataset_keep_row(i, c, *share);
        /* the rows left out need no neighbourhood kernels (most of the
         * features' time); the CSV export writes every row, so it needs all */
        ctx->feature_rows = *share < 1 && !csv ? keep : NULL;
        st = run_features_as_of(ctx, cutoffs[c], err);
        ctx->feature_rows = NULL;
        if (st == FR_OK && c == 0) {
            st = model_dataset_init(d, (const char *const *)ctx->feats.names, ctx->feats.nfeatures, rows, err);
            d->negative_row_weight = 1 / *share;
        }
        if (st == FR_OK)
            st = model_dataset_append(d, &ctx->feats, yc, *share < 1 ? keep : NULL, cutoffs[c],
                                      model_horizon_add(cutoffs[c], h), err);
        if (st == FR_OK && csv) {
            char day[11];
            fr_format_date(cutoffs[c], day);
            if (write_csv_slice(csv, ctx, &ctx->feats, yc, day, c == 0) != FR_OK)
                st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot write the training rows", csv_path);
        }
    }
    if (csv && fclose(csv) != 0 && st == FR_OK)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot write the training rows", csv_path);
    free(y);
    free(keep);
    if (st != FR_OK)
        model_dataset_free(d);
    return st;
}

/* History features: the more fires and calls near a home, the higher its
 * risk; a fitted model that says otherwise has learnt noise (a logistic
 * coefficient of -1.0 for "a fire at this home" with short windows). */
static int is_history_feature(const char *name)
{
    return !strncmp(name, "fires_", 6) || !strncmp(name, "calls_", 6) || !strncmp(name, "fire_kernel_", 12);
}

void train_monotone(const fr_config *cfg, const char *const *names, size_t n, int8_t *mono, char *text,
                    size_t size)
{
    const cfg_score *s = &cfg->score;
    size_t used = 0;
    text[0] = '\0';
    for (size_t f = 0; f < n; f++) {
        mono[f] = s->monotone_history && is_history_feature(names[f]) ? 1 : 0;
        for (size_t k = 0; k < s->nmonotone; k++)
            if (!strcmp(s->monotone[k].feature, names[f]))
                mono[f] = !strcmp(s->monotone[k].direction, "increasing")   ? 1
                          : !strcmp(s->monotone[k].direction, "decreasing") ? -1
                                                                            : 0;
        if (mono[f] && used + 1 < size)
            used += (size_t)snprintf(text + used, size - used, "%s%s %c", used ? ", " : "", names[f],
                                     mono[f] > 0 ? '+' : '-');
        if (used >= size)
            used = size - 1;
    }
}

/* Is name one of list[0..n)? */
static int listed(char *const *list, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(list[k], name))
            return 1;
    return 0;
}

fr_status train_feature_choice(const fr_config *cfg, const char *const *names, size_t n, uint8_t *use,
                               fr_error *err)
{
    const cfg_score *s = &cfg->score;
    for (size_t f = 0; f < n; f++)
        use[f] = (s->nfeatures_include == 0 || listed(s->features_include, s->nfeatures_include, names[f])) &&
                 !listed(s->features_exclude, s->nfeatures_exclude, names[f]);
    /* a name the data lacks is a typo or a layer not mapped: say so rather than fit without it */
    for (int which = 0; which < 2; which++) {
        char *const *list = which ? s->features_exclude : s->features_include;
        size_t m = which ? s->nfeatures_exclude : s->nfeatures_include;
        for (size_t k = 0; k < m; k++)
            if (!listed((char *const *)names, n, list[k])) {
                char all[1500] = "";
                for (size_t f = 0, used = 0; f < n && used + 1 < sizeof all; f++)
                    used += (size_t)snprintf(all + used, sizeof all - used, "%s%s", f ? ", " : "", names[f]);
                return fr_error_set(err, FR_E_CONFIG, "score.features_%s names '%s', not a feature of this data "
                                    "(it has: %s)", which ? "exclude" : "include", list[k], all);
            }
    }
    size_t kept = 0;
    for (size_t f = 0; f < n; f++)
        kept += use[f];
    if (kept == 0)
        return fr_error_set(err, FR_E_CONFIG, "score.features_include and features_exclude leave no feature to "
                                              "train on");
    return FR_OK;
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
    p->min_validation_fires = (size_t)s->min_validation_fires;
    p->fallback_trees = s->gbdt.fallback_trees;
}

fr_status train_model_as_of(run_ctx *ctx, model_kind kind, int32_t as_of, model_trained *m, const char *csv_path,
                            fr_error *err)
{
    const fr_config *cfg = &ctx->cfg;
    model_horizon h;
    model_horizon_parse(cfg->score.horizon, &h); /* checked by the config loader */
    int k = 0;
    int32_t cutoffs[MODEL_MAX_CUTOFFS];
    memset(m, 0, sizeof *m);
    model_info *in = &m->info;
    char note[400];
    fr_status st = train_choose_cutoffs(ctx, as_of, &h, cutoffs, &k, note, sizeof note, err);
    if (st != FR_OK)
        return st;
    snprintf(in->cutoff_note, sizeof in->cutoff_note, "%s", note);
    fr_format_date(as_of, in->as_of);
    model_horizon_format(&h, in->horizon, sizeof in->horizon);
    in->ncutoffs = (size_t)k;
    for (int i = 0; i < k; i++)
        fr_format_date(cutoffs[i], in->cutoffs[i]);
    in->radius_m = cfg->join.radius_m;
    train_fire_codes_text(cfg, in->fire_codes, sizeof in->fire_codes);
    snprintf(in->firerisk_version, sizeof in->firerisk_version, "%s", FIRERISK_VERSION);
    model_dataset d;
    st = train_dataset(ctx, cutoffs, (size_t)k, &h, &d, &in->negative_share, csv_path, err);
    if (st != FR_OK)
        return st;
    model_train_params p;
    train_params(cfg, kind, &p);
    int8_t *mono = malloc(d.nfeatures ? d.nfeatures : 1);
    uint8_t *use = malloc(d.nfeatures ? d.nfeatures : 1);
    if (!mono || !use)
        st = fr_error_oom(err);
    else
        train_monotone(cfg, (const char *const *)d.names, d.nfeatures, mono, in->monotone, sizeof in->monotone);
    if (st == FR_OK)
        st = train_feature_choice(cfg, (const char *const *)d.names, d.nfeatures, use, err);
    p.logit.monotone = p.gbdt.monotone = mono;
    p.logit.use = p.gbdt.use = use;
    if (st == FR_OK)
        st = model_train(&d, &p, m, err);
    m->params.logit.monotone = m->params.gbdt.monotone = NULL; /* freed here */
    m->params.logit.use = m->params.gbdt.use = NULL;
    free(mono);
    free(use);
    model_dataset_free(&d);
    if (st != FR_OK)
        fr_error_prefix(err, "training %s as of %s", model_kind_name(kind), in->as_of);
    return st;
}

void train_report_notes(const model_info *in, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    if (in->cutoff_note[0])
        used += (size_t)snprintf(buf, size, "  %s\n", in->cutoff_note);
    if (used < size && in->monotone[0])
        used += (size_t)snprintf(buf + used, size - used, "  monotone: %s\n", in->monotone);
    if (used < size && in->negative_share < 1)
        used += (size_t)snprintf(buf + used, size - used,
                                 "  non-fire rows sampled: %.4g of them kept, each weighing %.4g (score.max_training_rows)\n",
                                 in->negative_share, 1 / in->negative_share);
    for (const char *line = in->warnings; *line && used < size;) {
        const char *nl = strchr(line, '\n');
        int len = nl ? (int)(nl - line) : (int)strlen(line);
        used += (size_t)snprintf(buf + used, size - used, "  warning: %.*s\n", len, line);
        line += len + (nl != NULL);
    }
}

/* The features by importance (largest first, ties in model order), the
 * first 12. */
void train_report_importance(const model_trained *m, char *buf, size_t size)
{
    size_t nf = model_trained_nfeatures(m);
    double *imp = malloc((nf ? nf : 1) * sizeof *imp);
    uint8_t *done = calloc(nf ? nf : 1, 1);
    buf[0] = '\0';
    if (imp && done) {
        model_trained_importance(m, imp);
        size_t used = (size_t)snprintf(buf, size, "  importance (%s):",
                                       m->kind == MODEL_GBDT ? "share of the split gain"
                                                             : "share of the standardised |coefficients|");
        for (size_t k = 0; k < nf && k < 12 && used < size; k++) {
            size_t best = nf;
            for (size_t j = 0; j < nf; j++)
                if (!done[j] && (best == nf || imp[j] > imp[best]))
                    best = j;
            done[best] = 1;
            used += (size_t)snprintf(buf + used, size - used, "%s %s %.3f", k ? "," : "",
                                     model_trained_feature(m, best), imp[best]);
        }
        if (used < size)
            snprintf(buf + used, size - used, "\n");
    }
    free(imp);
    free(done);
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
        int w = snprintf(report, size,
                 "firerisk train  %s as of %s  (%zu parcels, horizon %s)\n"
                 "  cutoffs %s .. %s (%zu), validation on %s: AUC %.4f, log-loss %.4f (%zu fires among %zu parcels; "
                 "fitted on %zu rows)\n"
                 "  final fit: %zu rows, %zu with a fire, class weights %.3g / %.3g (%s), %zu %s\n"
                 "%s%s%s",
                 model_kind_name(kind), in->as_of, ctx.parcels->count, in->horizon, in->cutoffs[0],
                 in->cutoffs[in->ncutoffs - 1], in->ncutoffs, in->cutoffs[in->ncutoffs - 1], in->validation_auc,
                 in->validation_logloss, in->validation_positives, in->validation_rows, in->validation_fit_rows,
                 in->rows, in->positives, in->pos_weight, in->neg_weight, in->balanced ? "balanced" : "fixed",
                 in->iterations, kind == MODEL_GBDT ? "trees" : "Newton steps",
                 in->dropped[0] ? "  features left out: " : "", in->dropped, in->dropped[0] ? "\n" : "");
        if (w > 0 && (size_t)w < size)
            train_report_notes(in, report + w, size - (size_t)w);
        size_t used = strlen(report);
        if (used < size)
            train_report_importance(&m, report + used, size - used);
        used = strlen(report);
        snprintf(report + used, size - used, "  written %s  (features and training %.1fs, fitting %.1fs, %d threads)\n",
                 opt->model_out, seconds, in->seconds, omp_get_max_threads());
    }
    model_trained_free(&m);
    run_ctx_free(&ctx);
    return st;
}
