/*
 * equity.h — is the target list fair across neighbourhoods?  Per area (a
 * block group, a battalion...), side by side: homes, the share of the
 * predicted risk, the share of the targets, the share of past fires and the
 * visits of the past year; an area whose share of targets departs from its
 * share of risk by more than a ratio is flagged.  Pure arrays.
 */
#ifndef MODEL_EQUITY_H
#define MODEL_EQUITY_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef enum { MODEL_EQUITY_FAIR = 0, MODEL_EQUITY_OVER = 1, MODEL_EQUITY_UNDER = -1 } model_equity_flag;

/* Per area: nareas + 1 entries, the last for the homes in no area. */
typedef struct {
    size_t nareas;
    double *homes, *risk, *targets, *fires, *visits;  /* sums (fires, visits: NaN when not given) */
    double *risk_share, *targets_share, *fires_share; /* of the city's totals; NaN when the total is 0 */
    double *targets_to_risk;                          /* targets_share / risk_share; NaN without risk */
    int8_t *flag;                                     /* model_equity_flag */
} model_equity;

/* area_of[i]: parcel i's area in [0, nareas) or -1; score[i] its predicted
 * risk (NaN counts 0); on_list[i] != 0 a target; fires[i], visits[i] (each
 * may be NULL) its past fires and last year's visits.  ratio >= 1: an area
 * is OVER when targets_to_risk > ratio (or it has targets and no risk),
 * UNDER when below 1 / ratio.  Sums run in parcel order (deterministic).
 * *out is the caller's to free with model_equity_free. */
fr_status model_equity_compute(const int32_t *area_of, size_t n, size_t nareas, const double *score,
                               const int32_t *on_list, const double *fires, const double *visits, double ratio,
                               model_equity *out, fr_error *err);
void model_equity_free(model_equity *e);

const char *model_equity_flag_name(int flag); /* "over", "under" or "" */

#endif
