/*
 * train_model.c — the fit procedure and scoring shared by the trained models
 * (see train_model.h).
 */
#include "train_model.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        *wp = (double)n / (2.0 * (double)pos);
        *wn = (double)n / (2.0 * (double)(n - pos));
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
    fr_status st;
    if (p->kind == MODEL_LOGISTIC) {
        model_logit_params lp = p->logit;
        lp.pos_weight = wp;
        lp.neg_weight = wn;
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
        gp.neg_weight = wn;
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
    if (p->kind == MODEL_GBDT && d->nslices < 2)
        return fr_error_set(err, FR_E_CONFIG,
                            "gbdt needs at least 2 training cutoffs (the latest one stops the boosting early); "
                            "set score.training_cutoffs to 2 or more");
    uint32_t *all = NULL, *fit = NULL, *val = NULL;
    size_t nall = 0, nfit = 0, nval = 0;
    fr_status st = model_dataset_rows(d, 0, d->nslices - 1, &all, &nall, err);
    int trees = 0;
    if (st == FR_OK && d->nslices >= 2) {
        st = model_dataset_rows(d, 0, d->nslices - 2, &fit, &nfit, err);
        if (st == FR_OK)
            st = model_dataset_rows(d, d->nslices - 1, d->nslices - 1, &val, &nval, err);
        size_t vpos = 0;
        for (size_t k = 0; st == FR_OK && k < nval; k++)
            vpos += d->y[val[k]];
        const char *vcut = m->info.ncutoffs ? m->info.cutoffs[m->info.ncutoffs - 1] : "the latest cutoff";
        if (st == FR_OK && (vpos == 0 || vpos == nval))
            st = fr_error_set(err, FR_E_INPUT,
                              "the validation cutoff %s has %s parcel with a fire in its horizon: it cannot measure "
                              "the model (are the incidents complete up to the training date?)",
                              vcut, vpos ? "every" : "no");
        model_trained first = {0};
        if (st == FR_OK)
            st = fit_once(d, fit, nfit, val, nval, p, 0, &first, err);
        if (st == FR_OK)
            st = validate(&first, d, val, nval, &m->info.validation_auc, &m->info.validation_logloss, err);
        trees = (int)first.info.iterations;
        m->info.validation_rows = nval;
        m->info.validation_positives = vpos;
        model_trained_free(&first);
        if (st == FR_OK && p->kind == MODEL_GBDT && trees < 1)
            st = fr_error_set(err, FR_E_INPUT, "gbdt found no useful tree on the training cutoffs");
    }
    if (st == FR_OK) {
        double vauc = m->info.validation_auc, vll = m->info.validation_logloss;
        size_t vr = m->info.validation_rows, vp = m->info.validation_positives;
        st = fit_once(d, all, nall, NULL, 0, p, p->kind == MODEL_GBDT ? trees : 0, m, err);
        m->info.validation_auc = vauc;
        m->info.validation_logloss = vll;
        m->info.validation_rows = vr;
        m->info.validation_positives = vp;
    }
    free(all);
    free(fit);
    free(val);
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
    for (size_t j = 0; j < nf; j++) {
        cols[j] = model_features_find(f, model_trained_feature(m, j));
        if (cols[j] < 0) {
            size_t used = strlen(missing);
            if (used + 2 < sizeof missing)
                snprintf(missing + used, sizeof missing - used, "%s%s", nmissing ? ", " : "",
                         model_trained_feature(m, j));
            nmissing++;
        }
    }
    if (nmissing) {
        free(cols);
        return fr_error_set(err, FR_E_INPUT,
                            "the model needs %zu feature%s that the data does not have: %s (map the fields and "
                            "layers it was trained with, or train a new model on this data)",
                            nmissing, nmissing == 1 ? "" : "s", missing);
    }
    out->nparcels = n;
    out->score = malloc((n ? n : 1) * sizeof *out->score);
    out->reason_feature = malloc((n ? n : 1) * MODEL_REASONS * sizeof *out->reason_feature);
    out->reason_points = malloc((n ? n : 1) * MODEL_REASONS * sizeof *out->reason_points);
    out->skipped = malloc(sizeof *out->skipped);
    if (!out->score || !out->reason_feature || !out->reason_points || !out->skipped) {
        free(cols);
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
                x[j] = f->values[(size_t)cols[j] * n + i];
            double raw = model_trained_raw(m, x, c);
            out->score[i] = 1.0 / (1.0 + exp(-raw));
            failed |= isnan(out->score[i]);
            int32_t *rf = &out->reason_feature[i * MODEL_REASONS];
            double *rp = &out->reason_points[i * MODEL_REASONS];
            for (int k = 0; k < MODEL_REASONS; k++) {
                rf[k] = -1;
                rp[k] = 0;
            }
            /* Largest positive contributions first; equal ones keep feature order. */
            for (size_t j = 0; j < nf; j++) {
                if (!(c[j] > 1e-12))
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
    if (failed) {
        model_points_result_free(out);
        return fr_error_set(err, FR_E_INTERNAL, "scoring with the model gave a value that is not a number "
                                                "(or ran out of memory)");
    }
    return FR_OK;
}
