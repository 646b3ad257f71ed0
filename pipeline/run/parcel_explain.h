/*
 * parcel_explain.h — `firerisk explain`: why a parcel has its score and its
 * place (or none) on the target list.  Runs the stages of `firerisk run` up
 * to the ranking (read, join, features, score; nothing is written, no lock
 * is taken), then for each parcel asked for: every feature value in plain
 * words, each term's contribution to the score (points index: weight x
 * scaled value / the sum of the weights, summing to the score; logistic:
 * coefficient x standardised value; gbdt: path contributions, Saabas-style;
 * both in log-odds, summing with the bias to the log-odds whose logistic is
 * the score), the records behind each count (record ids, dates, match
 * methods), and the revisit rule's decision.
 */
#ifndef FR_PARCEL_EXPLAIN_H
#define FR_PARCEL_EXPLAIN_H

#include <stddef.h>

#include "status.h"

typedef struct {
    const char *config_path;
    const char *as_of;          /* YYYY-MM-DD overriding the config's; NULL = config or today */
    int threads;                /* 0 = OpenMP default */
    const char *const *ids;     /* the parcel ids asked for */
    size_t nids;
    int json;                   /* 1: JSON, else text */
} fr_explain_options;

/* On success *out is the explanation (text or JSON; the caller frees).  An
 * id that is not among the parcels fails with FR_E_USAGE naming it (exit
 * code 1), before anything is explained. */
fr_status fr_explain(const fr_explain_options *opt, char **out, fr_error *err);

#endif
