/*
 * logit.c — logistic regression by Newton's method (see logit.h).
 *
 * The Newton system is (q+1) x (q+1) with q a few dozen columns: solved
 * here by a hand-written Cholesky factorisation rather than LAPACK, because
 * it is twenty lines for a matrix of at most a few thousand entries, and a
 * threaded BLAS (OpenBLAS) does not promise the same bits at every thread
 * count, which the nightly outputs must have.
 */
#include "logit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 4096

double model_logit_z(const model_logit_column *c, double x)
{
    double t;
    switch (c->kind) {
    case MODEL_COL_MISSING: t = isnan(x) ? 1.0 : 0.0; break;
    case MODEL_COL_LOG1P:
        if (isnan(x))
            return 0.0;
        t = log1p(x > 0 ? x : 0);
        break;
    default:
        if (isnan(x))
            return 0.0;
        t = x;
    }
    return (t - c->center) / c->scale;
}

double model_logit_raw(const model_logit *m, const double *x, double *contrib)
{
    double eta = m->intercept;
    if (contrib)
        memset(contrib, 0, m->nfeatures * sizeof *contrib);
    for (size_t c = 0; c < m->ncolumns; c++) {
        const model_logit_column *col = &m->columns[c];
        double v = col->coef * model_logit_z(col, x[col->feature]);
        eta += v;
        if (contrib)
            contrib[col->feature] += v;
    }
    return eta;
}

void model_logit_free(model_logit *m)
{
    for (size_t f = 0; m->names && f < m->nfeatures; f++)
        free(m->names[f]);
    free(m->names);
    free(m->columns);
    memset(m, 0, sizeof *m);
}

typedef struct {
    size_t n;                 /* non-missing values */
    double min, max, mean, sd, lmean, lsd;
} col_stats;

/* Statistics of one feature over the rows, in row order (one thread per
 * feature keeps every sum in a fixed order). */
static void feature_stats(const float *x, const uint32_t *rows, size_t nrows, col_stats *s)
{
    memset(s, 0, sizeof *s);
    double sum = 0;
    s->min = INFINITY;
    s->max = -INFINITY;
    for (size_t k = 0; k < nrows; k++) {
        double v = x[rows[k]];
        if (isnan(v))
            continue;
        s->n++;
        sum += v;
        if (v < s->min) s->min = v;
        if (v > s->max) s->max = v;
    }
    if (!s->n)
        return;
    s->mean = sum / (double)s->n;
    int logc = s->min >= 0 && s->max > 1;
    double ss = 0, lsum = 0;
    for (size_t k = 0; k < nrows; k++) {
        double v = x[rows[k]];
        if (isnan(v))
            continue;
        ss += (v - s->mean) * (v - s->mean);
        if (logc)
            lsum += log1p(v);
    }
    s->sd = sqrt(ss / (double)s->n);
    if (!logc)
        return;
    s->lmean = lsum / (double)s->n;
    double lss = 0;
    for (size_t k = 0; k < nrows; k++) {
        double v = x[rows[k]];
        if (!isnan(v))
            lss += (log1p(v) - s->lmean) * (log1p(v) - s->lmean);
    }
    s->lsd = sqrt(lss / (double)s->n);
}

static void append_note(char *buf, size_t size, const char *name, const char *why)
{
    size_t used = strlen(buf);
    if (used + 1 < size)
        snprintf(buf + used, size - used, "%s%s (%s)", used ? ", " : "", name, why);
}

/* Builds the design columns (feature index = dataset column for now). */
static fr_status plan_columns(const model_dataset *d, const uint32_t *rows, size_t nrows, const uint8_t *use,
                              model_logit *m, int32_t *used_feature, model_logit_report *rep, fr_error *err)
{
    col_stats *st = calloc(d->nfeatures ? d->nfeatures : 1, sizeof *st);
    m->columns = calloc(3 * d->nfeatures + 1, sizeof *m->columns);
    if (!st || !m->columns) {
        free(st);
        return fr_error_oom(err);
    }
#pragma omp parallel for schedule(dynamic)
    for (size_t f = 0; f < d->nfeatures; f++)
        feature_stats(d->x + f * d->nrows, rows, nrows, &st[f]);
    /* Relative tolerance: a column whose spread is rounding noise is constant. */
    for (size_t f = 0; f < d->nfeatures; f++) {
        const col_stats *s = &st[f];
        size_t before = m->ncolumns;
        if (use && !use[f]) { /* left out by the user: not "dropped" */
            used_feature[f] = 0;
            continue;
        }
        int varies = s->n > 0 && s->sd > 1e-12 * (fabs(s->mean) + 1);
        if (varies)
            m->columns[m->ncolumns++] = (model_logit_column){(int32_t)f, MODEL_COL_LINEAR, s->mean, s->sd, 0};
        if (varies && s->min >= 0 && s->max > 1 && s->lsd > 1e-12)
            m->columns[m->ncolumns++] = (model_logit_column){(int32_t)f, MODEL_COL_LOG1P, s->lmean, s->lsd, 0};
        if (s->n > 0 && s->n < nrows) {
            double share = (double)(nrows - s->n) / (double)nrows;
            m->columns[m->ncolumns++] =
                (model_logit_column){(int32_t)f, MODEL_COL_MISSING, share, sqrt(share * (1 - share)), 0};
        }
        used_feature[f] = m->ncolumns > before;
        if (m->ncolumns == before)
            append_note(rep->dropped, sizeof rep->dropped, d->names[f], s->n == 0 ? "all missing" : "constant");
    }
    free(st);
    if (!m->ncolumns)
        return fr_error_set(err, FR_E_INPUT,
                            "no usable feature for the logistic model: every feature is constant or missing in "
                            "the %zu training rows (%s)", nrows, rep->dropped);
    return FR_OK;
}

/* Cholesky solve of the packed-upper symmetric system A x = b (A is
 * overwritten).  Returns -1 when A is not positive definite. */
static int cholesky_solve(double *a, size_t n, double *b)
{
    /* a is full n x n row-major here (small); lower factor L in place. */
    for (size_t j = 0; j < n; j++) {
        double s = a[j * n + j];
        for (size_t k = 0; k < j; k++)
            s -= a[j * n + k] * a[j * n + k];
        if (!(s > 0))
            return -1;
        double l = sqrt(s);
        a[j * n + j] = l;
        for (size_t i = j + 1; i < n; i++) {
            double t = a[i * n + j];
            for (size_t k = 0; k < j; k++)
                t -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = t / l;
        }
    }
    for (size_t i = 0; i < n; i++) {
        double t = b[i];
        for (size_t k = 0; k < i; k++)
            t -= a[i * n + k] * b[k];
        b[i] = t / a[i * n + i];
    }
    for (size_t i = n; i-- > 0;) {
        double t = b[i];
        for (size_t k = i + 1; k < n; k++)
            t -= a[k * n + i] * b[k];
        b[i] = t / a[i * n + i];
    }
    return 0;
}

typedef struct {
    const model_dataset *d;
    const uint32_t *rows;
    size_t nrows;
    const model_logit *m;     /* columns (feature = dataset column) */
    const model_logit_params *p;
    size_t q1;                /* columns + intercept */
    size_t plen;              /* partial length: loss, grad, packed upper hessian */
    double *partials;         /* nchunks * plen */
    size_t nchunks;
    uint8_t *held;            /* q1: coefficients held at 0 (a sign constraint they broke) */
} newton;

/* Loss, gradient and Hessian of the weighted log-likelihood at beta, summed
 * per chunk and then in chunk order. */
static void evaluate(newton *nw, const double *beta, double *loss, double *grad, double *hess)
{
    size_t q1 = nw->q1;
#pragma omp parallel
    {
        double *z = malloc(CHUNK * q1 * sizeof *z), *dz = malloc(CHUNK * sizeof *dz);
        double *wr = malloc(CHUNK * sizeof *wr), *rr = malloc(CHUNK * sizeof *rr);
#pragma omp for schedule(dynamic)
        for (size_t c = 0; c < nw->nchunks; c++) {
            double *part = nw->partials + c * nw->plen;
            memset(part, 0, nw->plen * sizeof *part);
            if (!z || !dz || !wr || !rr) {
                part[0] = NAN;
                continue;
            }
            size_t a = c * CHUNK, b = a + CHUNK < nw->nrows ? a + CHUNK : nw->nrows, B = b - a;
            /* z column-major within the chunk: z[col * CHUNK + r] */
            for (size_t r = 0; r < B; r++)
                z[r] = 1.0;
            for (size_t col = 0; col + 1 < q1; col++) {
                const model_logit_column *mc = &nw->m->columns[col];
                const float *x = nw->d->x + (size_t)mc->feature * nw->d->nrows;
                double *zc = z + (col + 1) * CHUNK;
                for (size_t r = 0; r < B; r++)
                    zc[r] = model_logit_z(mc, x[nw->rows[a + r]]);
            }
            double lsum = 0;
            for (size_t r = 0; r < B; r++) {
                double eta = 0;
                for (size_t col = 0; col < q1; col++)
                    eta += beta[col] * z[col * CHUNK + r];
                int y = nw->d->y[nw->rows[a + r]];
                double w = y ? nw->p->pos_weight : nw->p->neg_weight;
                double pr = 1.0 / (1.0 + exp(-eta));
                lsum += w * ((eta > 0 ? eta : 0) + log1p(exp(-fabs(eta))) - (y ? eta : 0));
                rr[r] = w * (pr - y);
                wr[r] = w * pr * (1 - pr);
            }
            part[0] = lsum;
            double *g = part + 1, *h = part + 1 + q1;
            size_t hk = 0;
            /* omp simd reductions: vectorised in an order fixed at compile
             * time (it depends on the chunk, never on the thread count). */
            for (size_t i = 0; i < q1; i++) {
                const double *zi = z + i * CHUNK;
                double gs = 0;
#pragma omp simd reduction(+ : gs)
                for (size_t r = 0; r < B; r++) {
                    gs += rr[r] * zi[r];
                    dz[r] = wr[r] * zi[r];
                }
                g[i] = gs;
                for (size_t j = i; j < q1; j++) {
                    const double *zj = z + j * CHUNK;
                    double hs = 0;
#pragma omp simd reduction(+ : hs)
                    for (size_t r = 0; r < B; r++)
                        hs += dz[r] * zj[r];
                    h[hk++] = hs;
                }
            }
        }
        free(z);
        free(dz);
        free(wr);
        free(rr);
    }
    *loss = 0;
    memset(grad, 0, q1 * sizeof *grad);
    memset(hess, 0, q1 * q1 * sizeof *hess);
    for (size_t c = 0; c < nw->nchunks; c++) {
        const double *part = nw->partials + c * nw->plen;
        *loss += part[0];
        for (size_t i = 0; i < q1; i++)
            grad[i] += part[1 + i];
        size_t hk = 0;
        for (size_t i = 0; i < q1; i++)
            for (size_t j = i; j < q1; j++)
                hess[i * q1 + j] += part[1 + q1 + hk++];
    }
    for (size_t i = 0; i < q1; i++)
        for (size_t j = 0; j < i; j++)
            hess[i * q1 + j] = hess[j * q1 + i];
}

/* The Newton iteration's vectors over the q1 = columns + 1 coefficients
 * (beta[0] the intercept). */
typedef struct {
    double *beta, *prev, *grad, *hess, *step;
} newton_vectors;

static void newton_vectors_free(newton_vectors *v)
{
    free(v->beta);
    free(v->prev);
    free(v->grad);
    free(v->hess);
    free(v->step);
}

/* Damped Newton on the L2-penalised weighted log-loss, from the weighted
 * prior log-odds (then few steps are needed): a step that raises the
 * objective is halved (at most 30 times in a row). */
static fr_status newton_fit(newton *nw, newton_vectors *v, size_t npos, model_logit_report *rep, fr_error *err)
{
    const model_logit_params *p = nw->p;
    size_t q1 = nw->q1, nrows = nw->nrows;
    double *beta = v->beta, *prev = v->prev, *grad = v->grad, *hess = v->hess, *step = v->step;
    beta[0] = log(p->pos_weight * (double)npos / (p->neg_weight * (double)(nrows - npos)));
    double prev_obj = INFINITY;
    int halvings = 0;
    for (int it = 0; it < p->max_iterations; it++) {
        double loss;
        evaluate(nw, beta, &loss, grad, hess);
        if (isnan(loss))
            return fr_error_oom_while(err, "fitting the logistic model");
        double pen = 0;
        for (size_t i = 1; i < q1; i++)
            pen += beta[i] * beta[i];
        double obj = loss + 0.5 * p->l2 * pen;
        rep->iterations = it + 1;
        if (obj > prev_obj * (1 + 1e-12) && halvings < 30) {
            /* The full step overshot: go back halfway and evaluate again. */
            for (size_t i = 0; i < q1; i++)
                beta[i] = 0.5 * (beta[i] + prev[i]);
            halvings++;
            continue;
        }
        halvings = 0;
        rep->objective = obj;
        double change = prev_obj - obj;
        prev_obj = obj;
        for (size_t i = 1; i < q1; i++) {
            grad[i] += p->l2 * beta[i];
            hess[i * q1 + i] += p->l2;
        }
        for (size_t i = 1; nw->held && i < q1; i++) {
            if (!nw->held[i])
                continue;
            /* a held coefficient stays 0: its row and column leave the system */
            for (size_t j = 0; j < q1; j++)
                hess[i * q1 + j] = hess[j * q1 + i] = 0;
            hess[i * q1 + i] = 1;
            grad[i] = 0;
        }
        memcpy(step, grad, q1 * sizeof *step);
        if (cholesky_solve(hess, q1, step) != 0)
            return fr_error_set(err, FR_E_INPUT, "the logistic model's Newton system is singular (increase score.logistic.l2)");
        double maxstep = 0;
        memcpy(prev, beta, q1 * sizeof *prev);
        for (size_t i = 0; i < q1; i++) {
            beta[i] -= step[i];
            if (fabs(step[i]) > maxstep)
                maxstep = fabs(step[i]);
        }
        if (maxstep < 1e-8 || (change >= 0 && change < 1e-12 * (fabs(obj) + 1))) {
            rep->converged = 1;
            break;
        }
    }
    return FR_OK;
}

/* The model keeps the features that have a column (renumbered) and the
 * fitted coefficients. */
static fr_status keep_fitted(const model_dataset *d, const int32_t *used, const double *beta, model_logit *m,
                             fr_error *err)
{
    int32_t *newix = malloc((d->nfeatures ? d->nfeatures : 1) * sizeof *newix);
    m->names = calloc(d->nfeatures ? d->nfeatures : 1, sizeof *m->names);
    fr_status st = newix && m->names ? FR_OK : fr_error_oom(err);
    for (size_t f = 0; st == FR_OK && f < d->nfeatures; f++) {
        newix[f] = -1;
        if (!used[f])
            continue;
        newix[f] = (int32_t)m->nfeatures;
        if (!(m->names[m->nfeatures++] = strdup(d->names[f])))
            st = fr_error_oom(err);
    }
    for (size_t c = 0; st == FR_OK && c < m->ncolumns; c++) {
        m->columns[c].feature = newix[m->columns[c].feature];
        m->columns[c].coef = beta[c + 1];
    }
    m->intercept = beta[0];
    free(newix);
    return st;
}

fr_status model_logit_train(const model_dataset *d, const uint32_t *rows, size_t nrows, const model_logit_params *p,
                            model_logit *m, model_logit_report *rep, fr_error *err)
{
    memset(m, 0, sizeof *m);
    memset(rep, 0, sizeof *rep);
    size_t npos = 0;
    for (size_t k = 0; k < nrows; k++)
        npos += d->y[rows[k]];
    if (npos == 0 || npos == nrows)
        return fr_error_set(err, FR_E_INPUT, "the %zu training rows are all %s: a model needs both fires and homes without",
                            nrows, npos ? "fires" : "without a fire");
    int32_t *used = calloc(d->nfeatures ? d->nfeatures : 1, sizeof *used);
    if (!used)
        return fr_error_oom(err);
    fr_status st = plan_columns(d, rows, nrows, p->use, m, used, rep, err);
    newton nw = {.d = d, .rows = rows, .nrows = nrows, .m = m, .p = p};
    nw.q1 = m->ncolumns + 1;
    nw.plen = 1 + nw.q1 + nw.q1 * (nw.q1 + 1) / 2;
    nw.nchunks = (nrows + CHUNK - 1) / CHUNK;
    size_t q1 = nw.q1;
    newton_vectors v = {0};
    if (st == FR_OK) {
        nw.partials = malloc(nw.nchunks * nw.plen * sizeof *nw.partials);
        v.beta = calloc(q1, sizeof *v.beta);
        v.prev = calloc(q1, sizeof *v.prev);
        v.grad = malloc(q1 * sizeof *v.grad);
        v.hess = malloc(q1 * q1 * sizeof *v.hess);
        v.step = malloc(q1 * sizeof *v.step);
        if (!nw.partials || !v.beta || !v.prev || !v.grad || !v.hess || !v.step)
            st = fr_error_oom_while(err, "fitting the logistic model");
    }
    if (st == FR_OK && p->monotone && !(nw.held = calloc(q1, 1)))
        st = fr_error_oom(err);
    /* Sign constraints by an active set: fit, hold at 0 the worse half of
     * the constrained columns whose coefficient broke its sign (the worst
     * first: holding every breaker at once also zeroes those that only
     * broke through their correlation with another; one at a time costs a
     * fit per column), refit from there, until none breaks. */
    double *by = st == FR_OK && nw.held ? malloc(q1 * sizeof *by) : NULL;
    if (st == FR_OK && nw.held && !by)
        st = fr_error_oom(err);
    for (size_t round = 0; st == FR_OK && round < q1; round++) {
        st = newton_fit(&nw, &v, npos, rep, err);
        size_t nbroke = 0;
        for (size_t c = 0; st == FR_OK && nw.held && c < m->ncolumns; c++) {
            const model_logit_column *col = &m->columns[c];
            int sign = col->kind == MODEL_COL_MISSING ? 0 : p->monotone[col->feature];
            by[c + 1] = nw.held[c + 1] ? 0 : -(double)sign * v.beta[c + 1];
            nbroke += by[c + 1] > 0;
        }
        if (nbroke == 0)
            break;
        for (size_t h = 0; h < (nbroke + 1) / 2; h++) {
            size_t worst = 0;
            for (size_t i = 1; i < q1; i++)
                if (by[i] > 0 && (worst == 0 || by[i] > by[worst]))
                    worst = i;
            nw.held[worst] = 1;
            v.beta[worst] = 0;
            by[worst] = 0;
        }
    }
    free(by);
    for (size_t c = 0; st == FR_OK && nw.held && c < m->ncolumns; c++)
        if (nw.held[c + 1])
            v.beta[c + 1] = 0; /* exactly, not a Newton step's rounding of it */
    if (st == FR_OK)
        st = keep_fitted(d, used, v.beta, m, err);
    free(nw.held);
    free(nw.partials);
    newton_vectors_free(&v);
    free(used);
    if (st != FR_OK)
        model_logit_free(m);
    return st;
}
