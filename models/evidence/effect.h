/*
 * effect.h — do visits prevent fires?  An observational comparison of
 * visited homes with comparable homes not visited (`firerisk evaluate`,
 * docs/EVALUATE.md), on plain arrays.
 *
 * The caller makes the units: a visited home (treated) counted from its
 * visit, a home not visited counted from its cohort's start, each with the
 * stratum it is compared in (cohort x risk decile x zone) and its fires in
 * the 12 months that follow.  The estimate is exact stratification weighted
 * by the visited homes (the effect on the visited): in each stratum holding
 * both, the visited homes' fires are set against what the stratum's
 * unvisited homes' rate predicts for them.  Confidence intervals are
 * percentile intervals of a stratified Poisson bootstrap (each home weighted
 * by a Poisson(1) draw, which at these sizes is the ordinary bootstrap),
 * with a counter-based generator keyed by (seed, replicate, stratum, home):
 * the same numbers at any thread count.
 */
#ifndef MODEL_EFFECT_H
#define MODEL_EFFECT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Decile of each of n scores by rank: 9 for the highest tenth ... 0 for
 * the lowest (NaN scores rank lowest; equal scores by index, so the deciles
 * hold n/10 homes each). */
fr_status model_deciles(const double *score, size_t n, uint8_t *decile, fr_error *err);

typedef struct {
    uint64_t stratum;   /* any id; units compare only within one */
    uint8_t treated;    /* 1: visited */
    uint32_t homes;     /* identical homes the unit stands for (the unvisited homes of a stratum without
                           fires come as one unit); 0 = none */
    uint32_t fires;     /* fires in the 12 months from the unit's start */
    uint32_t fires_before; /* treated: fires in the 12 months before the visit */
} model_effect_unit;

typedef struct {
    double estimate, lo, hi; /* lo, hi: the 95% percentile interval; NaN when undefined */
} model_interval;

typedef struct {
    size_t treated, treated_matched, controls, controls_matched, strata_matched;
    double fires_treated;           /* fires of the matched visited homes after their visits */
    double fires_expected;          /* what the matched unvisited homes' rates predict for them */
    model_interval rate_treated;    /* fires per 1,000 visited homes, 12 months after */
    model_interval rate_control;    /* ... per 1,000 comparable homes not visited (matched, weighted) */
    model_interval difference;      /* rate_treated - rate_control */
    model_interval ratio;           /* rate_treated / rate_control */
    model_interval reduction;       /* 1 - ratio: the share of fires the visits prevented */
    model_interval prevented;       /* fires_expected - fires_treated */
    /* The naive comparison (no matching): every visited home against every unvisited one. */
    double naive_rate_treated, naive_rate_control, naive_ratio;
    /* Before/after of the matched visited homes: fires per 1,000 in the 12 months before and after. */
    double rate_before, rate_after;
    int replicates;
} model_effect;

/* Estimates from n units; replicates >= 1 bootstrap draws with seed.
 * FR_E_INPUT when no stratum holds both a visited and an unvisited home. */
fr_status model_effect_estimate(const model_effect_unit *units, size_t n, int replicates, uint64_t seed,
                                model_effect *out, fr_error *err);

/* The 2.5% and 97.5% percentiles of v[0..n-1] (NaN values left out; sorts v
 * in place), linear interpolation between order statistics. */
void model_percentile_interval(double *v, size_t n, double *lo, double *hi);

#endif
