/*
 * labels.h — what a model learns to predict: whether a parcel had a
 * qualifying fire in the horizon after a cutoff date, [T, T + H).
 *
 * The features of a cutoff T are computed as of T (nothing dated on or after
 * T), and the label only from records dated in [T, T + H): the two never
 * overlap, so a model trained this way cannot see its own answer.  The
 * horizon is a calendar span ("1y", "6m", "90d"); adding months clamps the
 * day to the end of the month (31 January + 1m = 28/29 February).
 */
#ifndef MODEL_LABELS_H
#define MODEL_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    int years, months, days;
} model_horizon;

/* Parses "1y", "18m", "90d" (a whole number from 1 followed by y, m or d).
 * Returns 0, or -1 when the text is not a horizon. */
int model_horizon_parse(const char *text, model_horizon *h);

/* "1y", "18m", "90d" (at least 8 bytes). */
void model_horizon_format(const model_horizon *h, char *buf, size_t size);

/* date + h (days since 1970-01-01), and date - h. */
int32_t model_horizon_add(int32_t date, const model_horizon *h);
int32_t model_horizon_sub(int32_t date, const model_horizon *h);

/* y[i] = 1 when at least one incident k with inc_is_fire[k], matched to
 * parcel i (inc_parcel[k] = i >= 0), is dated in [from, to); else 0.
 * *positives = number of parcels with y = 1.  Unmatched incidents and
 * incidents with a missing date never count. */
void model_labels_build(const int32_t *inc_parcel, const int32_t *inc_date, const uint8_t *inc_is_fire,
                        size_t ninc, size_t nparcels, int32_t from, int32_t to, uint8_t *y, size_t *positives);

/* The latest date of a qualifying matched fire, or FR_DATE_MISSING when
 * there is none (for the message "the incidents end on ..."). */
int32_t model_labels_last_fire(const int32_t *inc_parcel, const int32_t *inc_date, const uint8_t *inc_is_fire,
                               size_t ninc);

#endif
