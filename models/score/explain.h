/*
 * explain.h — a feature value in plain words for the inspector's list
 * ("3 fires within 250 m in the past 3 years", "built 1921").
 */
#ifndef MODEL_EXPLAIN_H
#define MODEL_EXPLAIN_H

#include <stddef.h>

/* Writes the phrase for `feature` with `value` into buf.  as_of_year turns
 * building_age back into a year; radius_m names the neighbourhood radius. */
void model_explain(const char *feature, double value, int as_of_year, double radius_m, int inverted, char *buf,
                   size_t size);

#endif
