/*
 * select.h — the k-th smallest of an array of doubles in linear time
 * (selection), for medians, where a full sort does n log n work to place
 * one element.
 */
#ifndef FR_SELECT_H
#define FR_SELECT_H

#include <stddef.h>

/* The value v would hold at index k (k < n) once sorted ascending; v is
 * reordered.  v must hold no NAN.  Expected O(n); a range that does not
 * shrink fast enough is sorted instead, so no input takes O(n^2). */
double fr_select_double(double *v, size_t n, size_t k);

#endif
