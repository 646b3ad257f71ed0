/*
 * rejects.h — the list of records a run did not use, each with its reason.
 *
 * Nothing is dropped silently: a reader or a join that leaves a record out
 * appends it here, the run summary counts the list by layer and reason, and
 * the writers put it in a rejects CSV next to the ranked outputs.
 *
 * `reason` is a short stable code ("invalid_geometry", "unparsable_date",
 * "beyond_tolerance", ...) that the summary groups by; `detail` is the human
 * message that names file, layer, feature id and field.
 */
#ifndef GEO_REJECTS_H
#define GEO_REJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    char *layer;   /* role of the layer ("incidents") */
    int64_t fid;   /* source feature id (-1 if unknown) */
    char *field;   /* offending field, or NULL */
    char *reason;  /* stable reason code */
    char *detail;  /* full message */
    char *record_id; /* the record's own id (fields.record_id), or NULL */
    char *address; /* the record's address as read, or NULL */
} geo_reject;

typedef struct {
    size_t count, cap;
    geo_reject *items;
} geo_rejects;

/* Appends a reject (all strings copied).  Returns FR_E_MEMORY on failure. */
fr_status geo_rejects_add(geo_rejects *r, const char *layer, int64_t fid, const char *field,
                          const char *reason, const char *detail_fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Sets the record id and the address as read of reject i (copied; NULL
 * leaves a value unset), so that an analyst can join the reject back to
 * the source system.  FR_E_MEMORY on failure. */
fr_status geo_rejects_tag(geo_rejects *r, size_t i, const char *record_id, const char *address);

/* Moves every item of src to the end of dst, in order (src is left
 * empty); FR_E_MEMORY on failure, src unchanged. */
fr_status geo_rejects_move(geo_rejects *dst, geo_rejects *src);

/* Number of rejects of a layer (and reason, unless reason is NULL). */
size_t geo_rejects_count(const geo_rejects *r, const char *layer, const char *reason);

/* Frees every item (the struct itself may be on the stack). */
void geo_rejects_clear(geo_rejects *r);

#endif
