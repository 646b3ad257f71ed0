/*
 * categories.c — levels of a categorical attribute and their codes (see
 * categories.h).
 */
#include "categories.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *value;
    size_t count;
} level_count;

static int by_value(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int by_count(const void *a, const void *b)
{
    const level_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
}

static const char *value_of(const char *const *values, size_t i)
{
    return values[i] && values[i][0] ? values[i] : MODEL_LEVEL_MISSING;
}

fr_status model_categories_encode(const char *const *values, size_t n, size_t min_count, model_categories *out,
                                  fr_error *err)
{
    memset(out, 0, sizeof *out);
    const char **sorted = malloc((n ? n : 1) * sizeof *sorted);
    level_count *lc = malloc((n ? n : 1) * sizeof *lc);
    out->code = malloc((n ? n : 1) * sizeof *out->code);
    fr_status st = sorted && lc && out->code ? FR_OK : fr_error_oom(err);
    size_t nl = 0, nkeep = 0;
    if (st == FR_OK) {
        for (size_t i = 0; i < n; i++)
            sorted[i] = value_of(values, i);
        qsort(sorted, n, sizeof *sorted, by_value);
        for (size_t i = 0; i < n; i++) {
            if (nl && !strcmp(lc[nl - 1].value, sorted[i]))
                lc[nl - 1].count++;
            else
                lc[nl++] = (level_count){sorted[i], 1};
        }
        qsort(lc, nl, sizeof *lc, by_count);
        while (nkeep < nl && lc[nkeep].count >= min_count && strcmp(lc[nkeep].value, MODEL_LEVEL_OTHER) != 0)
            nkeep++;
        out->levels = calloc(nkeep + 1, sizeof *out->levels);
        if (!out->levels)
            st = fr_error_oom(err);
        for (size_t k = 0; st == FR_OK && k <= nkeep; k++) {
            out->levels[k] = strdup(k < nkeep ? lc[k].value : MODEL_LEVEL_OTHER);
            if (!out->levels[k])
                st = fr_error_oom(err);
            out->nlevels = k + 1;
        }
    }
    /* each home's level: a binary search of the kept levels sorted by name
     * (count holds the level's index here) */
    level_count *keys = st == FR_OK ? malloc((nkeep ? nkeep : 1) * sizeof *keys) : NULL;
    if (st == FR_OK && !keys)
        st = fr_error_oom(err);
    if (st == FR_OK) {
        for (size_t k = 0; k < nkeep; k++)
            keys[k] = (level_count){out->levels[k], k};
        qsort(keys, nkeep, sizeof *keys, by_value);
        for (size_t i = 0; i < n; i++) {
            level_count v = {value_of(values, i), 0};
            const level_count *hit = nkeep ? bsearch(&v, keys, nkeep, sizeof *keys, by_value) : NULL;
            out->code[i] = (int32_t)(hit ? hit->count : nkeep); /* not kept: other */
        }
    }
    free(keys);
    free(sorted);
    free(lc);
    if (st != FR_OK)
        model_categories_free(out);
    return st;
}

void model_categories_free(model_categories *c)
{
    for (size_t k = 0; c->levels && k < c->nlevels; k++)
        free(c->levels[k]);
    free(c->levels);
    free(c->code);
    memset(c, 0, sizeof *c);
}

size_t model_category_attr_len(const char *column, int *is_other)
{
    const char *eq = strchr(column, '=');
    *is_other = eq && !strcmp(eq + 1, MODEL_LEVEL_OTHER);
    return eq ? (size_t)(eq - column) : 0;
}
