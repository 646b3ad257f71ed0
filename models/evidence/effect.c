/*
 * effect.c — visited against comparable unvisited homes (see effect.h).
 */
#include "effect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "psort.h"

/* ---- deciles ------------------------------------------------------------- */

typedef struct {
    double score;
    size_t index;
} scored;

/* Highest first, NaN last, then by index: a total order. */
static int cmp_scored(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    int xn = isnan(x->score), yn = isnan(y->score);
    if (xn != yn)
        return xn - yn;
    if (!xn && x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

fr_status model_deciles(const double *score, size_t n, uint8_t *decile, fr_error *err)
{
    scored *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return fr_error_oom_while(err, "ranking the homes into deciles");
    for (size_t i = 0; i < n; i++)
        s[i] = (scored){score[i], i};
    fr_status st = fr_sort_parallel(s, n, sizeof *s, cmp_scored, err);
    if (st == FR_OK)
        for (size_t r = 0; r < n; r++)
            decile[s[r].index] = (uint8_t)(9 - (r * 10) / n);
    free(s);
    return st;
}

/* ---- random numbers: counter-based, so replicates run on any thread -------- */

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

typedef struct {
    uint64_t s;
} rng;

static double unif(rng *r)
{
    r->s += 0x9E3779B97F4A7C15ull;
    return (double)(mix(r->s) >> 11) * 0x1.0p-53;
}

/* Poisson(lambda): multiplication for small lambda, else the transformed
 * rejection method PTRS (W. Hörmann, 1993). */
static double poisson(rng *r, double lam)
{
    if (lam <= 0)
        return 0;
    if (lam < 10) {
        double limit = exp(-lam), p = unif(r);
        double k = 0;
        while (p > limit) {
            p *= unif(r);
            k++;
        }
        return k;
    }
    double slam = sqrt(lam), loglam = log(lam);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double U = unif(r) - 0.5, V = unif(r), us = 0.5 - fabs(U);
        double k = floor((2 * a / us + b) * U + lam + 0.43);
        if (us >= 0.07 && V <= vr)
            return k;
        if (k < 0 || (us < 0.013 && V > us))
            continue;
        if (log(V) + log(invalpha) - log(a / (us * us) + b) <= -lam + k * loglam - lgamma(k + 1))
            return k;
    }
}

/* ---- the estimate --------------------------------------------------------- */

typedef struct {
    size_t first, end;   /* units [first, end) of the sorted array */
    double t, ft, c, fc, fb; /* homes and fires, visited (t, ft, fb before) and not (c, fc) */
} stratum;

static int cmp_unit(const void *a, const void *b)
{
    const model_effect_unit *x = a, *y = b;
    if (x->stratum != y->stratum)
        return x->stratum < y->stratum ? -1 : 1;
    if (x->treated != y->treated)
        return x->treated < y->treated ? -1 : 1;
    if (x->homes != y->homes)
        return x->homes < y->homes ? -1 : 1;
    if (x->fires != y->fires)
        return x->fires < y->fires ? -1 : 1;
    return x->fires_before < y->fires_before ? -1 : x->fires_before > y->fires_before;
}

void model_percentile_interval(double *v, size_t n, double *lo, double *hi)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (!isnan(v[k]))
            v[m++] = v[k];
    *lo = *hi = NAN;
    if (!m)
        return;
    for (size_t k = 1; k < m; k++) { /* insertion sort: a few thousand replicates */
        double x = v[k];
        size_t j = k;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    double q[2] = {0.025, 0.975}, *out[2] = {lo, hi};
    for (int k = 0; k < 2; k++) {
        double h = (double)(m - 1) * q[k];
        size_t f = (size_t)floor(h);
        double frac = h - (double)f;
        *out[k] = f + 1 < m ? v[f] + frac * (v[f + 1] - v[f]) : v[f];
    }
}

/* The figures of one sample (the data, or a bootstrap replicate) from the
 * matched strata's homes and fires. */
static void figures(double T, double Ft, double E, double fig[6])
{
    fig[0] = T > 0 ? 1000 * Ft / T : NAN;       /* rate_treated */
    fig[1] = T > 0 ? 1000 * E / T : NAN;        /* rate_control */
    fig[2] = fig[0] - fig[1];                    /* difference */
    fig[3] = E > 0 ? Ft / E : NAN;               /* ratio */
    fig[4] = 1 - fig[3];                         /* reduction */
    fig[5] = E - Ft;                             /* prevented */
}

fr_status model_effect_estimate(const model_effect_unit *units, size_t n, int replicates, uint64_t seed,
                                model_effect *out, fr_error *err)
{
    memset(out, 0, sizeof *out);
    out->replicates = replicates;
    model_effect_unit *u = malloc((n ? n : 1) * sizeof *u);
    if (!u)
        return fr_error_oom_while(err, "estimating the effect of the visits");
    memcpy(u, units, n * sizeof *u);
    qsort(u, n, sizeof *u, cmp_unit);
    /* the strata, and the naive comparison over every unit */
    size_t ns = 0;
    for (size_t k = 0; k < n; k++)
        ns += k == 0 || u[k].stratum != u[k - 1].stratum;
    stratum *s = calloc(ns ? ns : 1, sizeof *s);
    double *rep = malloc((size_t)(replicates > 0 ? replicates : 1) * 6 * sizeof *rep);
    if (!s || !rep) {
        free(u);
        free(s);
        free(rep);
        return fr_error_oom_while(err, "estimating the effect of the visits");
    }
    double nt = 0, nft = 0, nc = 0, nfc = 0;
    size_t j = 0;
    for (size_t k = 0; k < n; k++) {
        if (k > 0 && u[k].stratum != u[k - 1].stratum)
            j++;
        if (k == 0 || u[k].stratum != u[k - 1].stratum)
            s[j].first = k;
        s[j].end = k + 1;
        double h = u[k].homes;
        if (u[k].treated) {
            s[j].t += h;
            s[j].ft += h * u[k].fires;
            s[j].fb += h * u[k].fires_before;
            out->treated += u[k].homes;
        } else {
            s[j].c += h;
            s[j].fc += h * u[k].fires;
            out->controls += u[k].homes;
        }
    }
    for (size_t k = 0; k < ns; k++) {
        nt += s[k].t;
        nft += s[k].ft;
        nc += s[k].c;
        nfc += s[k].fc;
    }
    out->naive_rate_treated = nt > 0 ? 1000 * nft / nt : NAN;
    out->naive_rate_control = nc > 0 ? 1000 * nfc / nc : NAN;
    out->naive_ratio = nfc > 0 && nt > 0 ? (nft / nt) / (nfc / nc) : NAN;
    /* the matched strata: visited and unvisited homes both */
    double T = 0, Ft = 0, E = 0, Fb = 0;
    size_t m = 0;
    for (size_t k = 0; k < ns; k++) {
        if (!(s[k].t > 0 && s[k].c > 0))
            continue;
        s[m++] = s[k];
        T += s[k].t;
        Ft += s[k].ft;
        Fb += s[k].fb;
        E += s[k].t * s[k].fc / s[k].c;
        out->controls_matched += (size_t)s[k].c;
    }
    out->strata_matched = m;
    out->treated_matched = (size_t)T;
    out->fires_treated = Ft;
    out->fires_expected = E;
    out->rate_before = T > 0 ? 1000 * Fb / T : NAN;
    out->rate_after = T > 0 ? 1000 * Ft / T : NAN;
    if (!m) {
        free(u);
        free(s);
        free(rep);
        return fr_error_set(err, FR_E_INPUT,
                            "no visited home has a comparable unvisited home (same cohort, risk decile and zone)");
    }
    double fig[6];
    figures(T, Ft, E, fig);
    /* the bootstrap: each home weighted by Poisson(1), within each stratum */
#pragma omp parallel for schedule(dynamic, 8)
    for (int b = 0; b < replicates; b++) {
        double bT = 0, bFt = 0, bE = 0;
        for (size_t k = 0; k < m; k++) {
            double t = 0, ft = 0, c = 0, fc = 0;
            size_t zero_t = 0, zero_c = 0;
            rng r = {mix(mix(seed ^ 0x5851F42D4C957F2Dull) + (uint64_t)b * 0x9E3779B97F4A7C15ull) ^
                     mix((uint64_t)s[k].first + 1)};
            /* homes without fires only add to the count: their weights sum to Poisson(their number) */
            for (size_t q = s[k].first; q < s[k].end; q++) {
                if (u[q].fires) {
                    double w = poisson(&r, (double)u[q].homes);
                    if (u[q].treated) {
                        t += w;
                        ft += w * u[q].fires;
                    } else {
                        c += w;
                        fc += w * u[q].fires;
                    }
                } else if (u[q].treated)
                    zero_t += u[q].homes;
                else
                    zero_c += u[q].homes;
            }
            t += poisson(&r, (double)zero_t);
            c += poisson(&r, (double)zero_c);
            if (t > 0 && c > 0) {
                bT += t;
                bFt += ft;
                bE += t * fc / c;
            }
        }
        figures(bT, bFt, bE, rep + (size_t)b * 6);
    }
    model_interval *iv[6] = {&out->rate_treated, &out->rate_control, &out->difference, &out->ratio,
                             &out->reduction, &out->prevented};
    double *col = malloc((size_t)(replicates > 0 ? replicates : 1) * sizeof *col);
    for (int f = 0; f < 6; f++) {
        iv[f]->estimate = fig[f];
        iv[f]->lo = iv[f]->hi = NAN;
        if (!col)
            continue;
        for (int b = 0; b < replicates; b++)
            col[b] = rep[(size_t)b * 6 + (size_t)f];
        model_percentile_interval(col, (size_t)replicates, &iv[f]->lo, &iv[f]->hi);
    }
    fr_status st = col ? FR_OK : fr_error_oom_while(err, "estimating the effect of the visits");
    free(col);
    free(u);
    free(s);
    free(rep);
    return st;
}
