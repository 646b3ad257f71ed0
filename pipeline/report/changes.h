/*
 * changes.h — what changed in the target list since the last run: the
 * parcels that entered it and those that left it, compared by parcel id
 * with the targets.csv the previous run left in the output directory
 * (read before the new outputs replace it).  Written as changes.csv and
 * shown in the HTML report, so that a supervisor sees at a glance which
 * homes are new on tonight's list.
 */
#ifndef FR_CHANGES_H
#define FR_CHANGES_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    char *parcel_id;
    char *address;          /* current, else the previous list's; NULL if neither */
    long rank;              /* current rank, 0 = the parcel is no longer in the run */
    long previous_rank;     /* rank on the previous list, 0 = was not on it */
    double score;           /* current score, NAN when gone */
    double previous_score;  /* NAN when not on the previous list */
    const char *tier;       /* current tier (static text), NULL when gone */
    int entered;            /* 1: entered the list, 0: left it */
    long parcel;            /* index among the current parcels, -1 when gone */
    char *why;              /* the reason in plain words (fr_changes_explain), or NULL */
} fr_change;

typedef struct {
    int had_previous;       /* a previous target list was read */
    char note[512];         /* why there is none ("first run", unreadable file...) */
    size_t previous_rows, current_rows;
    fr_change *items;       /* entered (by rank), then left (by previous rank) */
    size_t count, entered, left;
} fr_changes;

/* The current run, as the comparison needs it. */
typedef struct {
    size_t nrows;
    const size_t *rows;                 /* the target list: parcel indexes in list order */
    const char *const *id;              /* per parcel */
    const char *const *address;         /* per parcel, or NULL */
    const char *const *tier;            /* per parcel */
    const int32_t *rank;                /* per parcel */
    const double *score;                /* per parcel */
    /* out[k] = parcel index of ids[k] among all parcels, -1 when absent;
     * FR_E_MEMORY only.  Called once, with the ids of the rows that left. */
    fr_status (*find_all)(void *find_ctx, const char *const *ids, size_t n, long *out, fr_error *err);
    void *find_ctx;
} fr_changes_current;

/* Compares the current list with the CSV at previous_csv (RFC 4180 with a
 * header naming at least parcel_id; rank, score and address are used when
 * present).  A missing file is the first run: every row entered.  An
 * unreadable or malformed file is not an error either: it is treated as
 * missing and the reason is put in out->note.  FR_E_MEMORY only. */
fr_status fr_changes_compute(const char *previous_csv, const fr_changes_current *cur, fr_changes *out,
                             fr_error *err);

/* What explains the changes (changes_why.c): per parcel of the current run
 * (nparcels), the features now and as of the previous run's date, the
 * revisit rule and the capacity per zone. */
typedef struct {
    size_t nparcels, nfeatures;
    const char *const *names;     /* feature names */
    const double *now;            /* column-major: now[f * nparcels + i] */
    const double *before;         /* the same as of previous_as_of; NULL when unknown */
    const double *term_weight;    /* per feature: the points index's weight, 0 when not a term */
    const double *term_cap;       /* per feature: its cap (when a term) */
    char previous_as_of[11];      /* "" when unknown */
    const int32_t *last_visit;    /* GEO_DATE_MISSING (INT32_MIN) when none */
    const uint8_t *last_failed, *held_back;
    int revisit_after_days, failed_revisit_days;
    int32_t as_of;                /* days since 1970 */
    const char *const *zone_label;/* the capacity zone's label per parcel; NULL: no capacity */
    const char *zone_name;        /* output.capacity_per_zone.zone */
    const int32_t *rank;          /* per parcel */
    long last_listed_rank;        /* rank of the list's last row (0: empty list) */
    int list_full;                /* the list has output.target_list_size rows */
} fr_changes_context;

/* Fills items[].why: "visited on DATE" (held back by the revisit rule),
 * "zone X at capacity" (passed over by capacity_per_zone), "visit window
 * passed (visited on DATE)", "no longer among the parcels", else the
 * features that moved most since the previous run ("fires_parcel_5y 2 ->
 * 1; ..."), ordered by how much they moved the points index, then how much
 * they changed; "rank N: others moved past it" when nothing of its own
 * moved.  FR_E_MEMORY only. */
fr_status fr_changes_explain(fr_changes *c, const fr_changes_context *x, fr_error *err);

/* changes.csv: change (entered/left), parcel_id, address, rank,
 * previous_rank, score, previous_score, tier, why.  FR_E_OUTPUT naming path. */
fr_status fr_changes_write_csv(const fr_changes *c, const char *path, fr_error *err);

void fr_changes_free(fr_changes *c);

#endif
