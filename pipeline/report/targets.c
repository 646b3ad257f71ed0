/*
 * targets.c — the target list's rows (see targets.h).
 *
 * Zone labels are grouped once per zone feature (few: battalions,
 * districts, at most a few thousand block groups), so the walk over the
 * ranking costs one array lookup per parcel.
 */
#include "targets.h"

#include <stdlib.h>
#include <string.h>

fr_status fr_targets_select(const size_t *order, size_t n, size_t max_rows, const uint8_t *held_back,
                            const fr_capacity *cap, size_t *out, size_t *nout, fr_error *err)
{
    *nout = 0;
    if (!cap) {
        for (size_t r = 0; r < n && *nout < max_rows; r++)
            if (!held_back || !held_back[order[r]])
                out[(*nout)++] = order[r];
        return FR_OK;
    }
    size_t nz = cap->nzone_features;
    /* group[z]: the first zone feature with z's label; nz = "no zone". */
    size_t *group = malloc((nz + 1) * sizeof *group);
    long *limit = malloc((nz + 1) * sizeof *limit), *taken = calloc(nz + 1, sizeof *taken);
    if (!group || !limit || !taken) {
        free(group);
        free(limit);
        free(taken);
        return fr_error_oom_while(err, "selecting the target list");
    }
    for (size_t z = 0; z <= nz; z++) {
        const char *label = z < nz ? cap->zone_label[z] : NULL;
        group[z] = nz;
        if (label)
            for (size_t g = 0; g <= z && group[z] == nz; g++)
                if (cap->zone_label[g] && !strcmp(cap->zone_label[g], label))
                    group[z] = g;
        limit[z] = cap->default_limit;
        for (size_t k = 0; label && k < cap->nlimits; k++)
            if (!strcmp(cap->limit_label[k], label))
                limit[z] = cap->limit[k];
    }
    for (size_t r = 0; r < n && *nout < max_rows; r++) {
        if (held_back && held_back[order[r]])
            continue;
        int32_t z = cap->zone_of[order[r]];
        size_t g = z >= 0 && (size_t)z < nz ? group[z] : nz;
        if (limit[g] != FR_NO_LIMIT && taken[g] >= limit[g])
            continue;
        taken[g]++;
        out[(*nout)++] = order[r];
    }
    free(group);
    free(limit);
    free(taken);
    return FR_OK;
}
