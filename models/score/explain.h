/*
 * explain.h — a feature value in plain words, with its unit, for the
 * inspector's list ("3 fires within 250 m in the past 3 years", "built
 * 1921", "block group: poverty rate 22.7%"), and the sane range of each
 * kind of feature.
 */
#ifndef MODEL_EXPLAIN_H
#define MODEL_EXPLAIN_H

#include <stddef.h>

/* Writes the phrase for `feature` with `value` into buf.  as_of_year turns
 * building_age back into a year; radius_m names the neighbourhood radius. */
void model_explain(const char *feature, double value, int as_of_year, double radius_m, int inverted, char *buf,
                   size_t size);

/* The sane range [lo, hi] of a feature's values for its kind, and the
 * unit ("fires", "m", "dollars"...): 1, or 0 when the kind is unknown.  A
 * value outside it is not refused (the data may be right) but warned about
 * in the summary and the report: most often a wrong column or unit.
 * Block-group attributes are judged by their name's kind (rate, money,
 * age, count). */
int model_feature_range(const char *feature, double *lo, double *hi, const char **unit);

#endif
