/*
 * train_cutoffs.c — which yearly cutoffs a training stacks (see
 * train_internal.h, docs/MODELS.md).
 *
 * Three cutoffs were too few for a city with ~60 structure fires a year: the
 * models saw ~60 fires and early-stopped on ~30.  `training_cutoffs: auto`
 * goes back a year at a time from the latest cutoff as long as there is a
 * year of incidents before the cutoff (its history features mean
 * something) and its label window holds at least score.min_slice_fires
 * homes with a fire.
 */
#include "train_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"

void train_cutoffs(int32_t as_of, const model_horizon *h, int k, int32_t *cutoffs)
{
    int32_t latest = model_horizon_sub(as_of, h);
    for (int i = 0; i < k; i++)
        cutoffs[i] = fr_days_minus_years(latest, k - 1 - i);
}

/* Homes with a qualifying matched fire in [from, to). */
static size_t window_positives(const run_ctx *ctx, const int32_t *parcel, uint8_t *y, int32_t from, int32_t to)
{
    const geo_layer *l = ctx->inc;
    size_t pos = 0;
    const int32_t *date = l->cols[geo_layer_find_column(l, "date")].date;
    model_labels_build(parcel, date, ctx->inc_is_fire, l->count, ctx->parcels->count, from, to, y, &pos);
    return pos;
}

fr_status train_choose_cutoffs(const run_ctx *ctx, int32_t as_of, const model_horizon *h, int32_t *cutoffs,
                               int *k, char *note, size_t note_size, fr_error *err)
{
    note[0] = '\0';
    const cfg_score *s = &ctx->cfg.score;
    if (s->training_cutoffs > 0) {
        *k = s->training_cutoffs;
        train_cutoffs(as_of, h, *k, cutoffs);
        return FR_OK;
    }
    const geo_layer *l = ctx->inc;
    size_t n = l->count;
    int32_t *parcel = malloc((n ? n : 1) * sizeof *parcel);
    uint8_t *y = malloc(ctx->parcels->count ? ctx->parcels->count : 1);
    if (!parcel || !y) {
        free(parcel);
        free(y);
        return fr_error_oom(err);
    }
    const int32_t *date = l->cols[geo_layer_find_column(l, "date")].date;
    int32_t first = INT32_MAX;
    for (size_t r = 0; r < n; r++) {
        parcel[r] = ctx->inc_match[r].parcel;
        if (date[r] != FR_DATE_MISSING && date[r] < first)
            first = date[r];
    }
    int32_t latest = model_horizon_sub(as_of, h), back[MODEL_MAX_CUTOFFS];
    int found = 0;
    char why[200] = "the limit of 64 cutoffs";
    for (; found < MODEL_MAX_CUTOFFS; found++) {
        int32_t c = fr_days_minus_years(latest, found);
        char day[11];
        fr_format_date(c, day);
        if (first == INT32_MAX || fr_days_minus_years(c, 1) < first) {
            snprintf(why, sizeof why, "%s has less than a year of incidents before it", day);
            break;
        }
        size_t pos = window_positives(ctx, parcel, y, c, model_horizon_add(c, h));
        if (pos < (size_t)s->min_slice_fires) {
            snprintf(why, sizeof why, "the label window of %s holds %zu homes with a fire (score.min_slice_fires %d)",
                     day, pos, s->min_slice_fires);
            break;
        }
        back[found] = c;
    }
    if (found == 0) /* the latest alone: its labels say what is wrong, if anything */
        back[found++] = latest;
    *k = found;
    for (int i = 0; i < found; i++)
        cutoffs[i] = back[found - 1 - i];
    char a[11], b[11];
    fr_format_date(cutoffs[0], a);
    fr_format_date(cutoffs[found - 1], b);
    snprintf(note, note_size, "training_cutoffs auto: %d yearly cutoff%s %s .. %s (not earlier: %s)", found,
             found == 1 ? "" : "s", a, b, why);
    free(parcel);
    free(y);
    return FR_OK;
}
