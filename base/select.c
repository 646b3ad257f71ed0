/*
 * select.c — Hoare's selection with a median-of-three pivot (see select.h).
 *
 * Why by hand: the C library has qsort but no selection.  Each round
 * partitions the range around a pivot taken from it and keeps the side
 * that holds index k; values equal to the pivot are spread over both sides
 * (the scans stop at them), so thousands of homes geocoded to one point do
 * not slow it down.  After 2 log2(n) + 16 rounds the remaining range is
 * sorted (an introselect): the answer is the same, only the time is
 * bounded.
 */
#include "select.h"

#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of_three(double a, double b, double c)
{
    if (a < b)
        return b < c ? b : a < c ? c : a;
    return a < c ? a : b < c ? c : b;
}

double fr_select_double(double *v, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, want = (ptrdiff_t)k;
    int rounds = 16;
    for (size_t m = n; m > 1; m /= 2)
        rounds += 2;
    while (hi > lo) {
        if (rounds-- == 0) {
            qsort(v + lo, (size_t)(hi - lo + 1), sizeof *v, cmp_double);
            break;
        }
        double p = median_of_three(v[lo], v[lo + (hi - lo) / 2], v[hi]);
        ptrdiff_t i = lo, j = hi;
        /* p is in the range, so both scans stop inside it */
        while (i <= j) {
            while (v[i] < p)
                i++;
            while (v[j] > p)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        /* now v[lo..j] <= p, v[i..hi] >= p, and anything between equals p */
        if (want <= j)
            hi = j;
        else if (want >= i)
            lo = i;
        else
            return v[want];
    }
    return v[want];
}
