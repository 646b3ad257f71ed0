/*
 * backtest.c — `firerisk backtest`: for each cutoff C, every model is
 * trained as of C (only history before C, see train.c), scores the parcels
 * with their features as of C, and is judged on the fires of [C, C + H);
 * the points index and the baselines (random, building age, past fires,
 * and an optional reference score) are judged on the same fires.
 * Writes backtest.json (models/learn/eval_report.h) and returns the table.
 */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dates.h"
#include "allocate.h"
#include "eval_report.h"
#include "fnv.h"
#include "read.h"
#include "train_internal.h"
#include "write.h"

#define MAX_BT_CUTOFFS 32

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

static fr_status parse_cutoffs(const char *text, int32_t *out, size_t *n, fr_error *err)
{
    *n = 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", text ? text : "");
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        if (*n == MAX_BT_CUTOFFS)
            return fr_error_set(err, FR_E_USAGE, "--cutoffs: at most %d dates", MAX_BT_CUTOFFS);
        if (fr_parse_date(tok, "%Y-%m-%d", &out[*n]) != 0)
            return fr_error_set(err, FR_E_USAGE, "--cutoffs: '%s' is not a date YYYY-MM-DD", tok);
        for (size_t k = 0; k < *n; k++)
            if (out[k] == out[*n])
                return fr_error_set(err, FR_E_USAGE, "--cutoffs: %s is given twice", tok);
        (*n)++;
    }
    if (!*n)
        return fr_error_set(err, FR_E_USAGE, "backtest needs --cutoffs YYYY-MM-DD[,YYYY-MM-DD...]");
    qsort(out, *n, sizeof *out, cmp_i32);
    return FR_OK;
}

static fr_status parse_models(const char *text, model_kind *kinds, size_t *n, fr_error *err)
{
    *n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text ? text : "logistic,gbdt");
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        model_kind k = model_kind_parse(tok);
        if (!k)
            return fr_error_set(err, FR_E_USAGE, "--models: '%s' is not a trained model (logistic, gbdt)", tok);
        if (*n < 2)
            kinds[(*n)++] = k;
    }
    return FR_OK;
}

/* splitmix64 of the id's FNV-1a hash: a random score that depends only on
 * the parcel id. */
static double id_random(const char *id)
{
    const char *s = id ? id : "";
    uint64_t h = fr_fnv1a(s, strlen(s)) + 0x9e3779b97f4a7c15ULL;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return (double)(h >> 11) / 9007199254740992.0;
}

typedef struct {
    double *score;            /* per parcel of ctx, -inf where the reference has none */
    size_t without;
    char label[256];
} reference;

/* FILE.csv:COLUMN read with GDAL (any source it opens), joined on parcel_id. */
static fr_status read_reference(run_ctx *ctx, const char *spec, reference *ref, fr_error *err)
{
    memset(ref, 0, sizeof *ref);
    char path[1024];
    snprintf(path, sizeof path, "%s", spec);
    char *colon = strrchr(path, ':');
    if (!colon || colon == path || !colon[1])
        return fr_error_set(err, FR_E_USAGE, "--reference '%s': expected FILE:COLUMN (e.g. truth.csv:p_2025)", spec);
    *colon = '\0';
    const char *column = colon + 1;
    geo_field_spec fields[2] = {{.name = "parcel_id", .source_name = "parcel_id", .type = GEO_COL_STRING, .required_value = 1},
                                {.name = "score", .source_name = column, .type = GEO_COL_NUMBER}};
    geo_read_spec rs = {.role = "reference", .source = path, .kind = GEO_GEOM_POINT, .geometry_required = 0,
                        .fields = fields, .nfields = 2};
    geo_layer *l = NULL;
    geo_read_stats stats;
    geo_rejects rej = {0}, warn = {0};
    fr_status st = geo_read_layer(&rs, &l, &stats, &rej, &warn, err);
    size_t n = ctx->parcels->count;
    if (st == FR_OK && !(ref->score = malloc((n ? n : 1) * sizeof *ref->score)))
        st = fr_error_oom(err);
    if (st == FR_OK) {
        for (size_t i = 0; i < n; i++)
            ref->score[i] = -INFINITY;
        int ic = geo_layer_find_column(l, "parcel_id"), sc = geo_layer_find_column(l, "score");
        long *at = malloc((l->count ? l->count : 1) * sizeof *at); /* each reference row's parcel */
        st = at ? geo_id_find_many(ctx->parcels, geo_layer_find_column(ctx->parcels, "parcel_id"),
                                   (const char *const *)l->cols[ic].str, l->count, at, err)
                : fr_error_oom(err);
        for (size_t k = 0; st == FR_OK && k < l->count; k++) {
            double v = l->cols[sc].num[k];
            if (at[k] >= 0 && !isnan(v))
                ref->score[at[k]] = v;
        }
        free(at);
    }
    if (st == FR_OK) {
        for (size_t i = 0; i < n; i++)
            ref->without += isinf(ref->score[i]);
        snprintf(ref->label, sizeof ref->label, "%.60s of %.160s", column, path);
    }
    geo_layer_free(l);
    geo_rejects_clear(&rej);
    geo_rejects_clear(&warn);
    return st;
}

static fr_status add_entry(model_bt_cutoff *bc, const char *name, int baseline, int probabilities,
                           const double *score, const uint8_t *y, const char *const *ids, size_t n,
                           const model_eval_k *ks, size_t nks, fr_error *err)
{
    model_bt_entry *e = &bc->entries[bc->nentries];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->baseline = baseline;
    e->probabilities = probabilities;
    e->validation_auc = NAN;
    fr_status st = model_eval(score, y, ids, n, ks, nks, &e->eval, err);
    if (st == FR_OK)
        bc->nentries++;
    return st;
}

static fr_status export_test(const char *dir, const char *day, run_ctx *ctx, const uint8_t *y,
                             double *const *scores, const char *const *names, size_t nscores, fr_error *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/test_%s.csv", dir, day);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot write", path);
    const model_features *f = &ctx->feats;
    fputs("parcel_id,label", fp);
    for (size_t c = 0; c < f->nfeatures; c++)
        fprintf(fp, ",%s", f->names[c]);
    for (size_t s = 0; s < nscores; s++)
        fprintf(fp, ",score_%s", names[s]);
    fputc('\n', fp);
    const char *const *ids = train_parcel_ids(ctx);
    for (size_t i = 0; i < f->nparcels; i++) {
        geo_csv_field(fp, ids[i]);
        fprintf(fp, ",%d", y[i]);
        train_csv_features(fp, f, i);
        for (size_t s = 0; s < nscores; s++)
            fprintf(fp, ",%.17g", scores[s][i]);
        fputc('\n', fp);
    }
    if (fclose(fp) != 0)
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot write", path);
    return FR_OK;
}

/* One cutoff: train, score, evaluate everything on the same labels. */
/* What every ranking of one cutoff is judged on: its labels, the parcel
 * ids (tie order), the k of precision/recall, and where the entries go. */
typedef struct {
    model_bt_cutoff *bc;
    const uint8_t *y;
    const char *const *ids;
    size_t n;
    const model_eval_k *ks;
    size_t nks;
    size_t list_size;         /* output.target_list_size */
    const int32_t *bg_of;     /* block group of each parcel (proportional allocation), or NULL */
    size_t nbg;
    const int32_t *location; /* when homes share points (else NULL): also judged per location */
} cutoff_judge;

static fr_status judge(const cutoff_judge *j, const char *name, int baseline, int probabilities,
                       const double *score, fr_error *err)
{
    fr_status st = add_entry(j->bc, name, baseline, probabilities, score, j->y, j->ids, j->n, j->ks, j->nks, err);
    if (st != FR_OK)
        return st;
    /* the fires a target list would reach, by rank and allocated across block groups (allocate.h) */
    model_bt_entry *e = &j->bc->entries[j->bc->nentries - 1];
    e->list_size = j->list_size;
    st = model_allocate_list_shares(score, j->ids, j->y, j->n, j->list_size, j->bg_of, j->nbg, &e->list_rank_share,
                                    &e->list_proportional_share, err);
    e->location_auc = NAN;
    if (st == FR_OK && j->location)
        st = model_eval_location_auc(score, j->y, j->location, j->n, &e->location_auc, &j->bc->locations, err);
    return st;
}

/* ctx->location when some location holds several homes, else NULL. */
static const int32_t *shared_locations(const run_ctx *ctx)
{
    size_t n = ctx->parcels->count, distinct = 0;
    int32_t top = -1;
    for (size_t i = 0; ctx->location && i < n; i++)
        if (ctx->location[i] > top)
            top = ctx->location[i];
    distinct = (size_t)(top + 1);
    size_t located = 0;
    for (size_t i = 0; ctx->location && i < n; i++)
        located += ctx->location[i] >= 0;
    return ctx->location && distinct < located ? ctx->location : NULL;
}

/* Each trained model fitted on the history before the cutoff and scored as
 * of it (the features are then those of the cutoff).  scores[k] and
 * names[k] keep each model's scores for the export (the caller frees). */
static fr_status judge_trained_models(run_ctx *ctx, const cutoff_judge *j, int32_t cutoff, const model_kind *kinds,
                                      size_t nkinds, const char *export_dir, double **scores, const char **names,
                                      fr_error *err)
{
    fr_status st = FR_OK;
    /* Trained models first: training recomputes the features of earlier cutoffs. */
    for (size_t k = 0; k < nkinds && st == FR_OK; k++) {
        model_trained m;
        char csv[1200], *csv_path = NULL;
        if (export_dir && k == 0) {
            snprintf(csv, sizeof csv, "%s/train_%s.csv", export_dir, j->bc->cutoff);
            csv_path = csv;
        }
        st = train_model_as_of(ctx, kinds[k], cutoff, &m, csv_path, err);
        if (st == FR_OK)
            st = run_features_as_of(ctx, cutoff, err);
        model_points_result pr = {0};
        if (st == FR_OK)
            st = model_trained_score(&m, &ctx->feats, &pr, err);
        if (st == FR_OK) {
            scores[k] = pr.score; /* taken over */
            pr.score = NULL;
            names[k] = model_kind_name(kinds[k]);
            st = judge(j, model_kind_name(kinds[k]), 0, 1, scores[k], err);
        }
        if (st == FR_OK) {
            model_bt_entry *e = &j->bc->entries[j->bc->nentries - 1];
            e->train_seconds = m.info.seconds;
            e->validation_auc = m.info.validation_auc;
            e->iterations = m.info.iterations;
            e->train_rows = m.info.rows;
            /* the cutoffs used and the first warning, in plain words */
            const model_info *in = &m.info;
            int nl = (int)strcspn(in->warnings, "\n");
            snprintf(e->note, sizeof e->note, "%zu training cutoffs %s .. %s%s%.*s", in->ncutoffs, in->cutoffs[0],
                     in->cutoffs[in->ncutoffs - 1], nl ? "; warning: " : "", nl, in->warnings);
        }
        model_points_result_free(&pr);
        model_trained_free(&m);
    }
    if (st == FR_OK && nkinds == 0)
        st = run_features_as_of(ctx, cutoff, err);
    return st;
}

/* The points index of the config, as of the cutoff. */
static fr_status judge_points_index(run_ctx *ctx, const cutoff_judge *j, fr_error *err)
{
    const cfg_weight *w = ctx->cfg.score.weights;
    size_t nt = ctx->cfg.score.nweights;
    model_points_term *terms = calloc(nt ? nt : 1, sizeof *terms);
    model_points_result pr = {0};
    fr_status st = terms ? FR_OK : fr_error_oom(err);
    for (size_t t = 0; st == FR_OK && t < nt; t++)
        terms[t] = (model_points_term){w[t].feature, w[t].weight, w[t].cap, w[t].invert};
    if (st == FR_OK)
        st = model_points_score(&ctx->feats, terms, nt, &pr, err);
    if (st == FR_OK)
        st = judge(j, "points", 1, 0, pr.score, err);
    model_points_result_free(&pr);
    free(terms);
    return st;
}

/* The baselines: random (by id), building age, past fires, and the
 * reference scores of --reference; tmp is n doubles of scratch. */
static fr_status judge_baselines(run_ctx *ctx, const cutoff_judge *j, const reference *ref, double *tmp,
                                 fr_error *err)
{
    size_t n = j->n;
    for (size_t i = 0; i < n; i++)
        tmp[i] = id_random(j->ids[i]);
    fr_status st = judge(j, "random", 1, 0, tmp, err);
    const char *base_feats[2][2] = {{"building_age", "building_age"}, {"past_fires", "fires_parcel_5y"}};
    for (int b = 0; b < 2 && st == FR_OK; b++) {
        int col = model_features_find(&ctx->feats, base_feats[b][1]);
        if (col < 0)
            continue;
        const double *v = ctx->feats.values + (size_t)col * n;
        for (size_t i = 0; i < n; i++)
            tmp[i] = isnan(v[i]) ? -INFINITY : v[i]; /* unknown ranks last */
        st = judge(j, base_feats[b][0], 1, 0, tmp, err);
    }
    /* the neighbourhood history at each scale, one feature at a time: what a
     * trained model has to beat on real data */
    for (size_t c = 0; st == FR_OK && c < ctx->feats.nfeatures; c++) {
        const char *name = ctx->feats.names[c];
        if (strncmp(name, "fire_kernel_", 12) != 0 && !(strncmp(name, "fires_", 6) == 0 && strstr(name, "m_5y")))
            continue;
        const double *v = ctx->feats.values + c * n;
        for (size_t i = 0; i < n; i++)
            tmp[i] = isnan(v[i]) ? -INFINITY : v[i];
        st = judge(j, name, 1, 0, tmp, err);
    }
    if (st == FR_OK && ref) {
        st = judge(j, "reference", 1, 1, ref->score, err);
        if (st == FR_OK)
            snprintf(j->bc->entries[j->bc->nentries - 1].note, sizeof j->bc->entries[0].note,
                     "%.200s; %zu parcels without a value (ranked last)", ref->label, ref->without);
    }
    return st;
}

static fr_status backtest_cutoff(run_ctx *ctx, int32_t cutoff, const model_kind *kinds, size_t nkinds,
                                 const reference *ref, const model_eval_k *ks, size_t nks, const char *export_dir,
                                 model_bt_cutoff *bc, fr_error *err)
{
    model_horizon h;
    model_horizon_parse(ctx->cfg.score.horizon, &h);
    size_t n = ctx->parcels->count;
    fr_format_date(cutoff, bc->cutoff);
    int32_t end = model_horizon_add(cutoff, &h);
    fr_format_date(end, bc->label_end);
    bc->parcels = n;
    bc->entries = calloc(nkinds + 6 + 3 * MODEL_MAX_SCALES, sizeof *bc->entries);
    uint8_t *y = malloc(n ? n : 1);
    double *scores[3] = {NULL, NULL, NULL}, *tmp = malloc((n ? n : 1) * sizeof *tmp);
    const char *score_names[3];
    fr_status st = bc->entries && y && tmp ? FR_OK : fr_error_oom(err);
    if (st == FR_OK)
        st = train_labels(ctx, cutoff, end, "backtest cutoff", y, &bc->fires, err);
    cutoff_judge j = {.bc = bc, .y = y, .ids = st == FR_OK ? train_parcel_ids(ctx) : NULL, .n = n, .ks = ks,
                      .nks = nks, .list_size = (size_t)ctx->cfg.output.target_list_size, .bg_of = ctx->bg_of,
                      .nbg = ctx->bgs ? ctx->bgs->count : 0, .location = shared_locations(ctx)};
    if (st == FR_OK)
        st = judge_trained_models(ctx, &j, cutoff, kinds, nkinds, export_dir, scores, score_names, err);
    if (st == FR_OK)
        st = judge_points_index(ctx, &j, err);
    if (st == FR_OK)
        st = judge_baselines(ctx, &j, ref, tmp, err);
    if (st == FR_OK && export_dir)
        st = export_test(export_dir, bc->cutoff, ctx, y, scores, score_names, nkinds, err);
    for (int k = 0; k < 3; k++)
        free(scores[k]);
    free(y);
    free(tmp);
    if (st != FR_OK && strncmp(err->message, "backtest cutoff", 15) != 0)
        fr_error_prefix(err, "backtest cutoff %s", bc->cutoff);
    return st;
}

fr_status fr_backtest(const fr_backtest_options *opt, char *report, size_t size, fr_error *err)
{
    report[0] = '\0';
    int32_t cutoffs[MAX_BT_CUTOFFS];
    size_t ncut = 0, nkinds = 0;
    model_kind kinds[2];
    fr_status st = parse_cutoffs(opt->cutoffs, cutoffs, &ncut, err);
    if (st == FR_OK)
        st = parse_models(opt->models, kinds, &nkinds, err);
    if (st != FR_OK)
        return st;
    fr_run_summary sum;
    memset(&sum, 0, sizeof sum);
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.sum = &sum;
    int32_t as_of;
    model_backtest bt = {0};
    reference ref = {0};
    model_eval_k *ks = NULL;
    st = train_open(&ctx, opt->config_path, NULL, opt->threads, &as_of, err);
    const cfg_score *cm = &ctx.cfg.score;
    if (st == FR_OK) {
        ks = calloc(cm->nprecision_at ? cm->nprecision_at : 1, sizeof *ks);
        bt.cutoffs = calloc(ncut, sizeof *bt.cutoffs);
        if (!ks || !bt.cutoffs)
            st = fr_error_oom(err);
        for (size_t j = 0; st == FR_OK && j < cm->nprecision_at; j++)
            model_eval_k_parse(cm->precision_at[j], &ks[j]);
        snprintf(bt.config, sizeof bt.config, "%s", opt->config_path);
        snprintf(bt.horizon, sizeof bt.horizon, "%s", cm->horizon);
        bt.training_cutoffs = cm->training_cutoffs;
    }
    if (st == FR_OK && opt->reference)
        st = read_reference(&ctx, opt->reference, &ref, err);
    if (st == FR_OK && opt->export_dir && mkdir(opt->export_dir, 0777) != 0 && errno != EEXIST)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot create the export directory", opt->export_dir);
    for (size_t c = 0; c < ncut && st == FR_OK; c++) {
        st = backtest_cutoff(&ctx, cutoffs[c], kinds, nkinds, opt->reference ? &ref : NULL, ks, cm->nprecision_at,
                             opt->export_dir, &bt.cutoffs[c], err);
        bt.ncutoffs = c + 1;
    }
    const char *dir = opt->out_dir ? opt->out_dir : ctx.cfg.output.dir ? ctx.cfg.output.dir : "out";
    char path[1200];
    snprintf(path, sizeof path, "%s/backtest.json", dir);
    if (st == FR_OK && mkdir(dir, 0777) != 0 && errno != EEXIST)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot create the output directory", dir);
    if (st == FR_OK)
        st = model_backtest_write(path, &bt, err);
    if (st == FR_OK) {
        char k[32] = "auto";
        if (bt.training_cutoffs > 0)
            snprintf(k, sizeof k, "%d", bt.training_cutoffs);
        int w = snprintf(report, size, "firerisk backtest  horizon %s, %s training cutoffs per backtest cutoff, %d threads\n",
                         bt.horizon, k, omp_get_max_threads());
        if (w > 0 && (size_t)w < size)
            model_backtest_format(&bt, report + w, size - (size_t)w);
        size_t used = strlen(report);
        for (size_t c = 0; c < bt.ncutoffs; c++)
            for (size_t e = 0; e < bt.cutoffs[c].nentries && used < size; e++) {
                const model_bt_entry *en = &bt.cutoffs[c].entries[e];
                if (!en->baseline && en->note[0])
                    used += (size_t)snprintf(report + used, size - used, "  %s %s: %s\n", bt.cutoffs[c].cutoff,
                                             en->name, en->note);
            }
        snprintf(report + used, size - used, "written %s\n", path);
    }
    model_backtest_free(&bt);
    free(ks);
    free(ref.score);
    run_ctx_free(&ctx);
    return st;
}
