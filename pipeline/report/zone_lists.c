/*
 * zone_lists.c — the target list per zone (see zone_lists.h).
 *
 * Counting goes through the zone features (few: battalions, districts, at
 * most a few thousand block groups): one pass over the parcels per array
 * indexed by feature, then features with the same label merged.
 */
#include "zone_lists.h"

#include <stdlib.h>
#include <string.h>

const char *fr_zone_label(const fr_zone_layer *z, size_t i)
{
    int32_t f = z->zone_of[i];
    return f >= 0 && (size_t)f < z->nfeatures ? z->feature_label[f] : NULL;
}

static int cmp_label(const char *a, const char *b)
{
    if (!a || !b)
        return a ? -1 : b ? 1 : 0; /* no zone last */
    return strcmp(a, b);
}

static int cmp_count(const void *pa, const void *pb)
{
    return cmp_label(((const fr_zone_count *)pa)->label, ((const fr_zone_count *)pb)->label);
}

fr_status fr_zone_counts(const fr_zone_layer *z, size_t n, const uint8_t *tier, const int32_t *list_rank,
                         const uint8_t *held_back, fr_zone_count **out, size_t *nout, fr_error *err)
{
    size_t nf = z->nfeatures;
    *out = NULL;
    *nout = 0;
    fr_zone_count *per = calloc(nf + 1, sizeof *per); /* per feature; [nf] = no zone */
    fr_zone_count *merged = calloc(nf + 1, sizeof *merged);
    if (!per || !merged) {
        free(per);
        free(merged);
        return fr_error_oom_while(err, "counting targets per zone");
    }
    for (size_t i = 0; i < n; i++) {
        int32_t f = z->zone_of[i];
        size_t k = f >= 0 && (size_t)f < nf && z->feature_label[f] ? (size_t)f : nf;
        per[k].parcels++;
        per[k].high += tier[i] == 0;
        per[k].targets += list_rank[i] > 0;
        per[k].held_back += held_back && held_back[i];
    }
    size_t m = 0;
    for (size_t k = 0; k <= nf; k++) {
        const char *label = k < nf ? z->feature_label[k] : NULL;
        if (k < nf && !label)
            continue; /* counted with no zone */
        if (k == nf && !per[k].parcels)
            continue;
        size_t j = 0;
        while (j < m && (k == nf || !merged[j].label || strcmp(merged[j].label, label)))
            j++;
        if (j == m)
            merged[m++] = (fr_zone_count){.label = label};
        merged[j].parcels += per[k].parcels;
        merged[j].high += per[k].high;
        merged[j].targets += per[k].targets;
        merged[j].held_back += per[k].held_back;
    }
    free(per);
    qsort(merged, m, sizeof *merged, cmp_count);
    *out = merged;
    *nout = m;
    return FR_OK;
}

typedef struct {
    const char *label;
    size_t row; /* position on the list */
} keyed_row;

static int cmp_keyed(const void *pa, const void *pb)
{
    const keyed_row *a = pa, *b = pb;
    int c = cmp_label(a->label, b->label);
    return c ? c : a->row < b->row ? -1 : a->row > b->row;
}

fr_status fr_zone_sort_rows(const fr_zone_layer *z, const size_t *rows, size_t nrows, size_t *sorted,
                            double *zone_row, fr_error *err)
{
    keyed_row *k = malloc((nrows ? nrows : 1) * sizeof *k);
    if (!k)
        return fr_error_oom_while(err, "sorting the target list by zone");
    for (size_t r = 0; r < nrows; r++)
        k[r] = (keyed_row){fr_zone_label(z, rows[r]), r};
    qsort(k, nrows, sizeof *k, cmp_keyed);
    size_t within = 0;
    for (size_t r = 0; r < nrows; r++) {
        within = r && !cmp_label(k[r].label, k[r - 1].label) ? within + 1 : 1;
        sorted[r] = rows[k[r].row];
        zone_row[sorted[r]] = (double)within;
    }
    free(k);
    return FR_OK;
}
