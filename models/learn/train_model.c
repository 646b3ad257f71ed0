/*
 * train_model.c — the fit procedure and scoring shared by the trained models
 * (see train_model.h).
 */
#include "train_model.h"

#include <math.h>
#include <stdarg.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "categories.h"
#include "eval.h"

const char *model_kind_name(model_kind k)
{
    return k == MODEL_LOGISTIC ? "logistic" : k == MODEL_GBDT ? "gbdt" : NULL;
}

model_kind model_kind_parse(const char *name)
{
    if (name && !strcmp(name, "logistic"))
        return MODEL_LOGISTIC;
    if (name && !strcmp(name, "gbdt"))
        return MODEL_GBDT;
    return 0;
}

size_t model_trained_nfeatures(const model_trained *m)
{
    return m->kind == MODEL_LOGISTIC ? m->logit.nfeatures : m->gbdt.nfeatures;
}

const char *model_trained_feature(const model_trained *m, size_t j)
{
    return m->kind == MODEL_LOGISTIC ? m->logit.names[j] : m->gbdt.names[j];
}

void model_trained_importance(const model_trained *m, double *out)
{
    size_t nf = model_trained_nfeatures(m);
    double total = 0;
    for (size_t j = 0; j < nf; j++)
        out[j] = m->kind == MODEL_GBDT && m->gbdt.gain ? m->gbdt.gain[j] : 0;
    for (size_t c = 0; m->kind == MODEL_LOGISTIC && c < m->logit.ncolumns; c++)
        out[m->logit.columns[c].feature] += fabs(m->logit.columns[c].coef);
    for (size_t j = 0; j < nf; j++)
        total += out[j];
    for (size_t j = 0; total > 0 && j < nf; j++)
        out[j] /= total;
}

double model_trained_raw(const model_trained *m, const double *x, double *contrib)
{
    return m->kind == MODEL_LOGISTIC ? model_logit_raw(&m->logit, x, contrib)
                                     : model_gbdt_raw(&m->gbdt, x, contrib, NULL);
}

double model_trained_raw_terms(const model_trained *m, const double *x, double *contrib, double *bias)
{
    if (m->kind == MODEL_LOGISTIC) {
        *bias = m->logit.intercept;
        return model_logit_raw(&m->logit, x, contrib);
    }
    return model_gbdt_raw(&m->gbdt, x, contrib, bias);
}

void model_trained_free(model_trained *m)
{
    model_logit_free(&m->logit);
    model_gbdt_free(&m->gbdt);
    m->kind = 0;
}

static void class_weights(const model_dataset *d, const uint32_t *rows, size_t n, const model_train_params *p,
                          double *wp, double *wn, size_t *npos)
{
    size_t pos = 0;
    for (size_t k = 0; k < n; k++)
        pos += d->y[rows[k]];
    *npos = pos;
    if (p->balanced && pos > 0 && pos < n) {
        /* the non-fire rows as many as they stand for (sampling undone) */
        double wrow = d->negative_row_weight > 0 ? d->negative_row_weight : 1;
        double neg = (double)(n - pos) * wrow, all = (double)pos + neg;
        *wp = all / (2.0 * (double)pos);
        *wn = all / (2.0 * neg);
    } else {
        *wp = p->balanced ? 1.0 : p->positive_weight;
        *wn = 1.0;
    }
}

/* Fits one model on `fit` rows (validating on `val` when nval > 0). */
static fr_status fit_once(const model_dataset *d, const uint32_t *fit, size_t nfit, const uint32_t *val, size_t nval,
                          const model_train_params *p, int max_trees, model_trained *m, fr_error *err)
{
    double wp, wn;
    size_t npos;
    class_weights(d, fit, nfit, p, &wp, &wn, &npos);
    m->kind = p->kind;
    m->info.pos_weight = wp;
    m->info.neg_weight = wn;
    /* sampled non-fire rows stand for 1 / share rows each: the sampling is
     * undone in the weights, not in the intercept */
    double wrow = d->negative_row_weight > 0 ? d->negative_row_weight : 1;
    fr_status st;
    if (p->kind == MODEL_LOGISTIC) {
        model_logit_params lp = p->logit;
        lp.pos_weight = wp;
        lp.neg_weight = wn * wrow;
        model_logit_report rep;
        st = model_logit_train(d, fit, nfit, &lp, &m->logit, &rep, err);
        if (st == FR_OK) {
            m->logit.intercept -= log(wp / wn);
            m->info.iterations = (size_t)rep.iterations;
            snprintf(m->info.dropped, sizeof m->info.dropped, "%s", rep.dropped);
        }
    } else {
        model_gbdt_params gp = p->gbdt;
        gp.pos_weight = wp;
        gp.neg_weight = wn * wrow;
        if (max_trees > 0)
            gp.max_trees = max_trees;
        model_gbdt_report rep;
        st = model_gbdt_train(d, fit, nfit, val, nval, &gp, &m->gbdt, &rep, err);
        if (st == FR_OK) {
            m->gbdt.base -= log(wp / wn);
            m->info.iterations = rep.trees;
            snprintf(m->info.dropped, sizeof m->info.dropped, "%s", rep.dropped);
        }
    }
    m->info.rows = nfit;
    m->info.positives = npos;
    return st;
}

/* Column of the dataset for each model feature (-1 when absent). */
static fr_status dataset_columns(const model_trained *m, const model_dataset *d, int32_t **cols, fr_error *err)
{
    size_t nf = model_trained_nfeatures(m);
    *cols = malloc((nf ? nf : 1) * sizeof **cols);
    if (!*cols)
        return fr_error_oom(err);
    for (size_t j = 0; j < nf; j++) {
        (*cols)[j] = -1;
        for (size_t c = 0; c < d->nfeatures; c++)
            if (!strcmp(d->names[c], model_trained_feature(m, j)))
                (*cols)[j] = (int32_t)c;
        if ((*cols)[j] < 0)
            return fr_error_set(err, FR_E_INTERNAL, "feature '%s' of the model is not in the dataset",
                                model_trained_feature(m, j));
    }
    return FR_OK;
}

/* AUC and mean log-loss of m on dataset rows. */
static fr_status validate(const model_trained *m, const model_dataset *d, const uint32_t *rows, size_t n,
                          double *auc, double *logloss, fr_error *err)
{
    int32_t *cols = NULL;
    fr_status st = dataset_columns(m, d, &cols, err);
    size_t nf = model_trained_nfeatures(m);
    double *prob = malloc((n ? n : 1) * sizeof *prob);
    uint8_t *y = malloc(n ? n : 1);
    if (st == FR_OK && (!prob || !y))
        st = fr_error_oom(err);
    if (st == FR_OK) {
#pragma omp parallel
        {
            double *x = malloc((nf ? nf : 1) * sizeof *x);
#pragma omp for schedule(static)
            for (size_t k = 0; k < n; k++) {
                if (!x) {
                    prob[k] = NAN;
                    continue;
                }
                for (size_t j = 0; j < nf; j++)
                    x[j] = d->x[(size_t)cols[j] * d->nrows + rows[k]];
                prob[k] = 1.0 / (1.0 + exp(-model_trained_raw(m, x, NULL)));
                y[k] = d->y[rows[k]];
            }
            free(x);
        }
        double ll = 0;
        for (size_t k = 0; k < n && st == FR_OK; k++) {
            if (isnan(prob[k]))
                st = fr_error_oom(err);
            double pr = prob[k] < 1e-15 ? 1e-15 : prob[k] > 1 - 1e-15 ? 1 - 1e-15 : prob[k];
            ll -= y[k] ? log(pr) : log(1 - pr);
        }
        *logloss = n ? ll / (double)n : NAN;
        if (st == FR_OK)
            st = model_eval_auc(prob, y, n, auc, err);
    }
    free(cols);
    free(prob);
    free(y);
    return st;
}

/* Appends one sentence (and a newline) to the model's warnings. */
static void warn(model_info *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(model_info *in, const char *fmt, ...)
{
    size_t used = strlen(in->warnings);
    if (used + 2 >= sizeof in->warnings)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(in->warnings + used, sizeof in->warnings - used - 1, fmt, ap);
    va_end(ap);
    used = strlen(in->warnings);
    in->warnings[used] = '\n';
    in->warnings[used + 1] = '\0';
}

/* Is slice s's label window over by the start of slice v's?  Unknown
 * windows (0, 0) count as separate, as before windows were recorded. */
static int window_before(const model_dataset *d, size_t s, size_t v)
{
    if (d->window_from[s] == 0 && d->window_to[s] == 0)
        return 1;
    return d->window_to[s] <= d->window_from[v];
}

/* The rows fitted before validation (slices whose window ends by the last
 * slice's start) and the validation rows (the last slice). */
static fr_status validation_split(const model_dataset *d, uint32_t **fit, size_t *nfit, size_t *nfit_slices,
                                  uint32_t **val, size_t *nval, fr_error *err)
{
    size_t v = d->nslices - 1, nf = 0, nv = 0;
    *nfit_slices = 0;
    for (size_t s = 0; s < v; s++)
        *nfit_slices += window_before(d, s, v);
    for (size_t r = 0; r < d->filled; r++) {
        nv += d->slice[r] == v;
        nf += d->slice[r] < v && window_before(d, d->slice[r], v);
    }
    *fit = malloc((nf ? nf : 1) * sizeof **fit);
    *val = malloc((nv ? nv : 1) * sizeof **val);
    if (!*fit || !*val)
        return fr_error_oom(err);
    size_t a = 0, b = 0;
    for (size_t r = 0; r < d->filled; r++) {
        if (d->slice[r] == v)
            (*val)[b++] = (uint32_t)r;
        else if (window_before(d, d->slice[r], v))
            (*fit)[a++] = (uint32_t)r;
    }
    *nfit = nf;
    *nval = nv;
    return FR_OK;
}

static size_t positives_of(const model_dataset *d, const uint32_t *rows, size_t n)
{
    size_t pos = 0;
    for (size_t k = 0; k < n; k++)
        pos += d->y[rows[k]];
    return pos;
}

/* The fit without the validation slice, measured on it; *trees = the
 * number of trees the final gbdt grows (0 for logistic). */
static fr_status validate_first(const model_dataset *d, const model_train_params *p, model_trained *m, int *trees,
                                fr_error *err)
{
    uint32_t *fit = NULL, *val = NULL;
    size_t nfit = 0, nval = 0, nslices = 0;
    model_info *in = &m->info;
    const char *vcut = in->ncutoffs ? in->cutoffs[in->ncutoffs - 1] : "the latest cutoff";
    *trees = p->kind == MODEL_GBDT ? p->fallback_trees : 0;
    fr_status st = d->nslices >= 2 ? validation_split(d, &fit, &nfit, &nslices, &val, &nval, err) : FR_OK;
    size_t fpos = positives_of(d, fit, nfit), vpos = positives_of(d, val, nval);
    in->validation_rows = nval;
    in->validation_positives = vpos;
    if (st == FR_OK && d->nslices >= 2 && (vpos == 0 || vpos == nval))
        st = fr_error_set(err, FR_E_INPUT,
                          "the validation cutoff %s has %s parcel with a fire in its horizon: it cannot measure "
                          "the model (are the incidents complete up to the training date?)",
                          vcut, vpos ? "every" : "no");
    int early = st == FR_OK && nslices > 0 && fpos > 0 && vpos >= p->min_validation_fires;
    if (st == FR_OK && (d->nslices < 2 || nslices == 0 || fpos == 0)) {
        warn(in, "no validation: %s", d->nslices < 2 ? "a single training cutoff (score.training_cutoffs)"
                 : "no training cutoff's label window ends before the validation cutoff's starts (add cutoffs, "
                   "or shorten score.horizon)");
        if (p->kind == MODEL_GBDT)
            warn(in, "gbdt grew score.gbdt.fallback_trees = %d trees without early stopping", p->fallback_trees);
    } else if (st == FR_OK) {
        if (nslices < d->nslices - 1)
            warn(in, "validation on %s is fitted on the %zu earlier cutoff%s whose label window ends before it "
                     "starts (%zu left out: their windows overlap it)",
                 vcut, nslices, nslices == 1 ? "" : "s", d->nslices - 1 - nslices);
        if (!early)
            warn(in, "the validation slice %s holds %zu homes with a fire (score.min_validation_fires %zu): its "
                     "AUC is uncertain%s",
                 vcut, vpos, p->min_validation_fires,
                 p->kind == MODEL_GBDT ? ", and too few to stop the boosting early on: gbdt grew "
                                         "score.gbdt.fallback_trees trees instead" : "");
        model_trained first = {0};
        first.info.warnings[0] = '\0';
        model_train_params fp = *p;
        st = fit_once(d, fit, nfit, early ? val : NULL, early ? nval : 0, &fp,
                      p->kind == MODEL_GBDT && !early ? p->fallback_trees : 0, &first, err);
        if (st == FR_OK)
            st = validate(&first, d, val, nval, &in->validation_auc, &in->validation_logloss, err);
        in->validation_fit_rows = nfit;
        if (st == FR_OK && p->kind == MODEL_GBDT && early) {
            *trees = (int)first.info.iterations;
            if (*trees < 1)
                st = fr_error_set(err, FR_E_INPUT, "gbdt found no useful tree on the training cutoffs");
            else if (*trees < 10)
                warn(in, "gbdt stopped early at %d trees (validation on %zu homes with a fire, fitted on %zu): "
                         "barely more than the base rate",
                     *trees, vpos, fpos);
        }
        model_trained_free(&first);
    }
    free(fit);
    free(val);
    return st;
}

fr_status model_train(const model_dataset *d, const model_train_params *p, model_trained *m, fr_error *err)
{
    double t0 = omp_get_wtime();
    model_info keep = m->info;
    memset(m, 0, sizeof *m);
    m->info = keep;
    m->params = *p;
    m->info.balanced = p->balanced;
    m->info.validation_auc = NAN;
    m->info.validation_logloss = NAN;
    if (p->kind != MODEL_LOGISTIC && p->kind != MODEL_GBDT)
        return fr_error_set(err, FR_E_INTERNAL, "unknown model kind %d", (int)p->kind);
    if (d->nslices == 0)
        return fr_error_set(err, FR_E_INTERNAL, "no training slice");
    uint32_t *all = NULL;
    size_t nall = 0;
    int trees = 0;
    fr_status st = model_dataset_rows(d, 0, d->nslices - 1, &all, &nall, err);
    if (st == FR_OK)
        st = validate_first(d, p, m, &trees, err);
    if (st == FR_OK) {
        model_info v = m->info;
        st = fit_once(d, all, nall, NULL, 0, p, p->kind == MODEL_GBDT ? trees : 0, m, err);
        m->info.validation_auc = v.validation_auc;
        m->info.validation_logloss = v.validation_logloss;
        m->info.validation_rows = v.validation_rows;
        m->info.validation_positives = v.validation_positives;
        m->info.validation_fit_rows = v.validation_fit_rows;
        if (st == FR_OK && m->info.positives < p->min_validation_fires)
            warn(&m->info, "the training cutoffs hold %zu rows with a fire in all (%zu features): too few for a "
                           "model to learn much; check it against the baselines (firerisk backtest)",
                 m->info.positives, model_trained_nfeatures(m));
    }
    free(all);
    m->info.seconds = omp_get_wtime() - t0;
    if (st != FR_OK)
        model_trained_free(m);
    return st;
}

fr_status model_trained_score(const model_trained *m, const model_features *f, model_points_result *out,
                              fr_error *err)
{
    memset(out, 0, sizeof *out);
    size_t nf = model_trained_nfeatures(m), n = f->nparcels;
    int32_t *cols = malloc((nf ? nf : 1) * sizeof *cols);
    if (!cols)
        return fr_error_oom(err);
    char missing[700] = "";
    size_t nmissing = 0;
    /* One-hot columns of a categorical attribute: a level the data lacks is
     * 0 for every home, and "other" is every home of none of the model's
     * levels (so a level the model never saw counts as other). */
    int32_t *other_of = malloc((nf ? nf : 1) * sizeof *other_of);
    if (!other_of) {
        free(cols);
        return fr_error_oom(err);
    }
    for (size_t j = 0; j < nf; j++) {
        const char *name = model_trained_feature(m, j);
        int is_other;
        size_t alen = model_category_attr_len(name, &is_other);
        other_of[j] = -1;
        for (size_t k = 0; alen && !is_other && k < nf; k++) {
            int ko;
            const char *kn = model_trained_feature(m, k);
            if (model_category_attr_len(kn, &ko) == alen && ko && !strncmp(kn, name, alen))
                other_of[j] = (int32_t)k;
        }
        cols[j] = model_features_find(f, name);
        int attr_present = 0;
        for (size_t c = 0; alen && c < f->nfeatures && !attr_present; c++)
            attr_present = !strncmp(f->names[c], name, alen) && f->names[c][alen] == '=';
        if (alen && attr_present && is_other)
            cols[j] = -2; /* computed, even when f has the column: f's "other" may hold levels the model has */
        else if (cols[j] < 0 && alen && attr_present)
            cols[j] = -3; /* a level the data lacks: 0 */
        if (cols[j] == -1) {
            size_t used = strlen(missing);
            if (used + 2 < sizeof missing)
                snprintf(missing + used, sizeof missing - used, "%s%s", nmissing ? ", " : "",
                         model_trained_feature(m, j));
            nmissing++;
        }
    }
    if (nmissing) {
        free(cols);
        free(other_of);
        return fr_error_set(err, FR_E_INPUT,
                            "the model needs %zu feature%s that the data does not have: %s (map the fields and "
                            "layers it was trained with, or train a new model on this data)",
                            nmissing, nmissing == 1 ? "" : "s", missing);
    }
    out->nparcels = n;
    out->score = malloc((n ? n : 1) * sizeof *out->score);
    out->reason_feature = malloc((n ? n : 1) * MODEL_REASONS * sizeof *out->reason_feature);
    out->skipped = malloc(sizeof *out->skipped);
    if (!out->score || !out->reason_feature || !out->skipped) {
        free(cols);
        free(other_of);
        model_points_result_free(out);
        return fr_error_oom_while(err, "scoring %zu parcels", n);
    }
    int failed = 0;
#pragma omp parallel reduction(| : failed)
    {
        double *x = malloc((nf ? nf : 1) * sizeof *x), *c = malloc((nf ? nf : 1) * sizeof *c);
        failed |= !x || !c;
#pragma omp for schedule(static)
        for (size_t i = 0; i < n; i++) {
            if (!x || !c)
                continue;
            for (size_t j = 0; j < nf; j++)
                x[j] = cols[j] >= 0 ? f->values[(size_t)cols[j] * n + i] : cols[j] == -2 ? 1 : 0;
            for (size_t j = 0; j < nf; j++)
                if (other_of[j] >= 0)
                    x[other_of[j]] -= x[j];
            double raw = model_trained_raw(m, x, c);
            out->score[i] = 1.0 / (1.0 + exp(-raw));
            failed |= isnan(out->score[i]);
            int32_t *rf = &out->reason_feature[i * MODEL_REASONS];
            double rp[MODEL_REASONS]; /* the contributions of rf's features */
            for (int k = 0; k < MODEL_REASONS; k++) {
                rf[k] = -1;
                rp[k] = 0;
            }
            /* Largest positive contributions first; equal ones keep feature order. */
            for (size_t j = 0; j < nf; j++) {
                if (!(c[j] > 1e-12) || cols[j] < 0) /* a computed one-hot column is no column of f */
                    continue;
                for (int k = 0; k < MODEL_REASONS; k++) {
                    if (c[j] > rp[k]) {
                        for (int q = MODEL_REASONS - 1; q > k; q--) {
                            rp[q] = rp[q - 1];
                            rf[q] = rf[q - 1];
                        }
                        rp[k] = c[j];
                        rf[k] = cols[j];
                        break;
                    }
                }
            }
        }
        free(x);
        free(c);
    }
    free(cols);
    free(other_of);
    if (failed) {
        model_points_result_free(out);
        return fr_error_set(err, FR_E_INTERNAL, "scoring with the model gave a value that is not a number "
                                                "(or ran out of memory)");
    }
    return FR_OK;
}
