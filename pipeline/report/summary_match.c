/*
 * summary_match.c — the matching block of the run summary: for each point
 * layer (inspections, incidents), the share of its kept records matched by
 * each join method, and the streets that the unmatched records name most
 * often, which is where an analyst fixing a source should start.
 *
 *   matched (share of kept records):  parcel_id  address  addr_near  contains  nearest  unmatched
 *     incidents                           0.0%    97.9%       0.3%      1.2%     0.3%       0.3%
 *   parcels sharing their address: 5400, 5380 of them in 1200 buildings
 *   unmatched records' most frequent streets:
 *     incidents      streets the parcels lack: E OAK STRET (12), MAIN (4)
 *     incidents      on parcel streets (number, unit or ambiguity): ELM ST (3)
 */
#include <math.h>
#include <stdio.h>

#include "run.h"

static void pct(FILE *fp, size_t n, size_t of, int width)
{
    if (of == 0)
        fprintf(fp, " %*s", width, "-");
    else
        fprintf(fp, " %*.1f%%", width - 1, 100.0 * (double)n / (double)of);
}

void fr_summary_print_matching(const fr_run_summary *s, FILE *fp)
{
    int header = 0;
    for (size_t k = 0; k < s->nlayers; k++) { /* the layers matched to parcels */
        const fr_layer_counts *c = &s->layers[k];
        if (!c->present || !c->joined)
            continue;
        if (!header) {
            fprintf(fp, "matched (share of kept records): %9s %9s %9s %9s %9s %9s\n", "parcel_id", "address",
                    "addr_near", "contains", "nearest", "unmatched");
            header = 1;
        }
        fprintf(fp, "  %-31s", c->name);
        pct(fp, c->by_id, c->kept, 9);
        pct(fp, c->by_address, c->kept, 9);
        pct(fp, c->by_address_near, c->kept, 9);
        pct(fp, c->by_contains, c->kept, 9);
        pct(fp, c->by_nearest, c->kept, 9);
        pct(fp, c->unmatched, c->kept, 9);
        fputc('\n', fp);
    }
    if (s->homes_points_tolerance_m != 0) /* there is no inside to a point: nearest instead of contains */
        fprintf(fp, "the homes are points: a point record matches the nearest home within %g m (join.tolerance_m)\n",
                fmax(s->homes_points_tolerance_m, 0));
    for (size_t k = 1; k <= 2 && k < s->nlayers; k++)
        if (s->layers[k].present && s->layers[k].by_id_normalised)
            fprintf(fp, "%s matched by a normalised parcel id (leading zeros, case, 13 = 13.0): %zu\n",
                    s->layers[k].name, s->layers[k].by_id_normalised);
    if (s->address_index_built) {
        fprintf(fp, "parcel addresses indexed for matching: %zu (%zu more without a house number or a street)\n",
                s->addresses_indexed, s->addresses_unusable);
        fprintf(fp, "parcels sharing their address: %zu, %zu of them in %zu buildings (matched as one: "
                    "address_building)\n",
                s->addresses_sharing, s->addresses_in_buildings, s->buildings);
        for (size_t k = 1; k <= 2 && k < s->nlayers; k++)
            if (s->layers[k].present && s->layers[k].by_address_building)
                fprintf(fp, "  %-31s %zu records at a building's address (counted under address)\n",
                        s->layers[k].name, s->layers[k].by_address_building);
    }
    if (s->unmatched_streets[0])
        fprintf(fp, "unmatched records' most frequent streets (fix the source, or the parcels' addresses):\n%s",
                s->unmatched_streets);
}
