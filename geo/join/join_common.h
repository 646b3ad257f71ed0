/*
 * join_common.h — small pieces shared by the parallel joins (join_*.c):
 * the candidate list filled by spatial index queries, and the per-thread
 * error that keeps the failure of the lowest record so that the reported
 * error does not depend on the thread count or the schedule.
 */
#ifndef GEO_JOIN_COMMON_H
#define GEO_JOIN_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    int32_t *v;
    size_t n, cap;
    int oom; /* set when a push failed; the list is then incomplete */
} geo_join_common_cands;

/* geo_box_tree_visit: appends record index item to the
 * geo_join_common_cands passed as userdata; 1 (stop) when out of memory. */
int geo_join_common_collect_item(int32_t item, void *userdata);
/* Sorts the candidates ascending (lowest index first = tie-break order). */
void geo_join_common_cands_sort(geo_join_common_cands *c);
void geo_join_common_cands_free(geo_join_common_cands *c);

typedef struct {
    size_t rec; /* record of the kept error, SIZE_MAX when none */
    fr_error err;
} geo_join_common_err;

void geo_join_common_err_init(geo_join_common_err *e);
/* Keeps err if rec is lower than the record kept so far. */
void geo_join_common_err_keep(geo_join_common_err *e, size_t rec, const fr_error *err);
/* Copies the error of the lowest record among n per-thread errors into err
 * and returns its status (FR_OK when none). */
fr_status geo_join_common_err_merge(const geo_join_common_err *e, int n, fr_error *err);

#endif
