/*
 * categories.h — a categorical attribute (heating type, roof, use code) as
 * one-hot columns a model can use.
 *
 * Levels held by at least min_count homes get a column "<name>=<level>";
 * the rarer ones are pooled into "<name>=other" (a level seen by a handful
 * of homes teaches a model nothing but noise); a missing value is the level
 * "(missing)", pooled like any other when rare.  So every home has exactly
 * one 1 among its attribute's columns.  A trained model keeps the columns
 * it was trained with; at scoring, a level it never saw counts as "other"
 * (model_trained_score).
 */
#ifndef MODEL_CATEGORIES_H
#define MODEL_CATEGORIES_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define MODEL_LEVEL_OTHER "other"
#define MODEL_LEVEL_MISSING "(missing)"

typedef struct {
    size_t nlevels;  /* the frequent levels, then "other" (always last) */
    char **levels;   /* owned */
    int32_t *code;   /* owned; per home: its level's index */
} model_categories;

/* Encodes values[0..n) (NULL = missing); levels in order of count
 * (largest first), ties by name, so the columns are the same on every run. */
fr_status model_categories_encode(const char *const *values, size_t n, size_t min_count, model_categories *out,
                                  fr_error *err);
void model_categories_free(model_categories *c);

/* For a one-hot column name "<attr>=<level>": the length of <attr> (0 when
 * the name has no '='), and whether the level is "other". */
size_t model_category_attr_len(const char *column, int *is_other);

#endif
