/*
 * summary.c — the one-screen run summary (stderr and run_summary.txt):
 * where every input record went, how points matched, what was rejected
 * and why, and the time of each stage.
 */
#include <stdio.h>

#include "run.h"

static const char *const stage_names[FR_STAGE_COUNT] = {"read", "join", "features", "score", "write"};

void fr_summary_print(const fr_run_summary *s, FILE *fp)
{
    fprintf(fp, "firerisk run  as_of %s  working CRS %s\n", s->as_of, s->working_crs);
    fprintf(fp, "%-14s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n", "layer", "read", "rejected", "kept", "by_id",
            "address", "contains", "nearest", "unmatched", "used");
    for (size_t k = 0; k < s->nlayers; k++) {
        const fr_layer_counts *c = &s->layers[k];
        if (!c->present)
            continue;
        size_t by_address = c->by_address + c->by_address_near;
        int is_points = c->by_id + by_address + c->by_contains + c->by_nearest + c->unmatched > 0 || c->joined;
        if (is_points)
            fprintf(fp, "%-14s %9zu %9zu %9zu %9zu %9zu %9zu %9zu %9zu %9zu\n", c->name, c->read, c->rejected,
                    c->kept, c->by_id, by_address, c->by_contains, c->by_nearest, c->unmatched, c->used);
        else
            fprintf(fp, "%-14s %9zu %9zu %9zu %9s %9s %9s %9s %9s %9zu\n", c->name, c->read, c->rejected, c->kept,
                    "-", "-", "-", "-", "-", c->used);
        if (c->read != c->kept + c->rejected - c->unmatched)
            fprintf(fp, "  ! %s: read %zu != kept %zu + rejected before matching %zu\n", c->name, c->read, c->kept,
                    c->rejected - c->unmatched);
        if (c->duplicates || c->repaired || c->warnings)
            fprintf(fp, "  %s: %zu duplicate ids rejected, %zu invalid polygons repaired, %zu values unreadable (kept as missing)\n",
                    c->name, c->duplicates, c->repaired, c->warnings);
        if (c->recoded)
            fprintf(fp, "  %s: %zu text values were not UTF-8 (recoded from Windows-1252)\n", c->name, c->recoded);
    }
    /* The proof that nothing was dropped silently: every record read is
     * either used or in rejects.csv. */
    size_t all_read = 0, all_used = 0, all_rejected = 0, unbalanced = 0;
    for (size_t k = 0; k < s->nlayers; k++) {
        const fr_layer_counts *c = &s->layers[k];
        if (!c->present)
            continue;
        all_read += c->read;
        all_used += c->used;
        all_rejected += c->rejected;
        if (c->read != c->used + c->rejected) {
            unbalanced++;
            fprintf(fp, "  ! %s: read %zu != used %zu + rejected %zu\n", c->name, c->read, c->used, c->rejected);
        }
    }
    if (!unbalanced)
        fprintf(fp, "accounting: read = used + rejected on every layer (%zu = %zu + %zu)\n", all_read, all_used,
                all_rejected);
    if (s->reject_reasons[0])
        fprintf(fp, "rejected records by reason (all listed in rejects.csv):\n%s", s->reject_reasons);
    fr_summary_print_matching(s, fp); /* match rate per method, unmatched streets (summary_match.c) */
    if (s->model[0])
        fprintf(fp, "model: %s\n", s->model);
    if (s->backtest[0])
        fprintf(fp, "%s", s->backtest);
    if (s->implausible[0])
        fprintf(fp, "warning: implausible values for their kind (a wrong column or unit in a source? kept as read):\n%s",
                s->implausible);
    if (s->skipped_terms[0])
        fprintf(fp, "points-index terms without data (left out of the score): %s\n", s->skipped_terms);
    fprintf(fp, "written: %zu ranked parcels, %zu targets -> %s\n", s->parcels_written, s->targets_written,
            s->out_dir);
    if (s->visit_rule)
        fprintf(fp,
                "revisit rule: %zu homes held back as visited within %d days (%zu of them after a failed visit, "
                "within %d days); %zu ranked above the last target, which the list passed over\n",
                s->held_back, s->revisit_after_days, s->held_back_failed, s->failed_revisit_days,
                s->held_back_skipped);
    fprintf(fp, "time:");
    double total = 0;
    for (int k = 0; k < FR_STAGE_COUNT; k++) {
        fprintf(fp, " %s %.2fs", stage_names[k], s->seconds[k]);
        total += s->seconds[k];
    }
    fprintf(fp, "  total %.2fs\n", total);
}
