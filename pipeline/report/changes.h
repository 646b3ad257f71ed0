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
    /* parcel index of an id among all parcels, -1 when absent */
    long (*find)(void *find_ctx, const char *id);
    void *find_ctx;
} fr_changes_current;

/* Compares the current list with the CSV at previous_csv (RFC 4180 with a
 * header naming at least parcel_id; rank, score and address are used when
 * present).  A missing file is the first run: every row entered.  An
 * unreadable or malformed file is not an error either: it is treated as
 * missing and the reason is put in out->note.  FR_E_MEMORY only. */
fr_status fr_changes_compute(const char *previous_csv, const fr_changes_current *cur, fr_changes *out,
                             fr_error *err);

/* changes.csv: change (entered/left), parcel_id, address, rank,
 * previous_rank, score, previous_score, tier.  FR_E_OUTPUT naming path. */
fr_status fr_changes_write_csv(const fr_changes *c, const char *path, fr_error *err);

void fr_changes_free(fr_changes *c);

#endif
