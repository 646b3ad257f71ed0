/*
 * psort.h — a merge sort on every OpenMP thread: each thread sorts one
 * contiguous run (items over 256 bytes: qsort), then the runs are merged
 * pairwise (in parallel where there are several pairs).
 *
 * cmp must be a total order (no two distinct items compare equal, e.g. end
 * with an index): then there is exactly one sorted result, whatever the
 * split, and the output is the same at any thread count.
 */
#ifndef FR_PSORT_H
#define FR_PSORT_H

#include <stddef.h>

#include "status.h"

/* Sorts base[0..n) of size-byte items.  Fails only when out of memory, with
 * base unchanged. */
fr_status fr_sort_parallel(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *),
                              fr_error *err);

#endif
