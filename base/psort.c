/*
 * psort.c — parallel sort (see psort.h).  Why not only qsort: one qsort of a
 * million items was ~0.1-0.25 s of single-threaded time in each of the
 * ranking and the record ordering of the joins (issue 7's profile), the
 * largest serial pieces left between the parallel loops.
 */
#include "psort.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Below this many items one qsort is as fast as splitting. */
enum { PSORT_MIN_PARALLEL = 65536 };

/* Merges sorted runs a[0..na) and b[0..nb) into out (stable: a first). */
static void psort_merge(const char *a, size_t na, const char *b, size_t nb, char *out, size_t size,
                        int (*cmp)(const void *, const void *))
{
    const char *ae = a + na * size, *be = b + nb * size;
    while (a < ae && b < be) {
        if (cmp(b, a) < 0) {
            memcpy(out, b, size);
            b += size;
        } else {
            memcpy(out, a, size);
            a += size;
        }
        out += size;
    }
    memcpy(out, a, (size_t)(ae - a));
    out += ae - a;
    memcpy(out, b, (size_t)(be - b));
}

/* Items of at most this many bytes are sorted by run_sort below; larger
 * ones by qsort. */
enum { PSORT_ITEM_MAX = 256, PSORT_INSERTION = 16 };

/* Insertion sort of a[0..n) (stable), for the short runs of run_sort. */
static void insertion_sort(char *a, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    char item[PSORT_ITEM_MAX];
    for (size_t i = 1; i < n; i++) {
        size_t j = i;
        if (cmp(a + (j - 1) * size, a + i * size) <= 0)
            continue;
        memcpy(item, a + i * size, size);
        while (j > 0 && cmp(a + (j - 1) * size, item) > 0) {
            memcpy(a + j * size, a + (j - 1) * size, size);
            j--;
        }
        memcpy(a + j * size, item, size);
    }
}

/* Sorts a[0..n) (a stable merge sort): the result in a (to_b 0) or in b
 * (to_b 1), the other array the scratch; the halves go to the other
 * array, and their merge back. */
static void run_sort(char *a, char *b, size_t n, size_t size, int to_b, int (*cmp)(const void *, const void *))
{
    if (n <= PSORT_INSERTION) {
        if (to_b)
            memcpy(b, a, n * size);
        insertion_sort(to_b ? b : a, n, size, cmp);
        return;
    }
    size_t m = n / 2;
    run_sort(a, b, m, size, !to_b, cmp);
    run_sort(a + m * size, b + m * size, n - m, size, !to_b, cmp);
    const char *from = to_b ? a : b;
    psort_merge(from, m, from + m * size, n - m, to_b ? b : a, size, cmp);
}

/* Co-rank: how many of the first k items of merge(a, b) come from a.  The
 * merge takes b[j] before a[i] only when b[j] < a[i]; binary search for the
 * split where every item before it precedes every item after it. */
static size_t psort_corank(size_t k, const char *a, size_t na, const char *b, size_t nb, size_t size,
                           int (*cmp)(const void *, const void *))
{
    size_t lo = k > nb ? k - nb : 0, hi = k < na ? k : na;
    while (lo < hi) {
        size_t i = lo + (hi - lo) / 2, j = k - i;
        if (j > 0 && cmp(b + (j - 1) * size, a + i * size) >= 0)
            lo = i + 1; /* b[j-1] does not precede a[i]: take more of a */
        else
            hi = i;
    }
    return lo;
}

fr_status fr_sort_parallel(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *),
                              fr_error *err)
{
    int nruns = omp_get_max_threads();
    if (nruns < 2 || n < PSORT_MIN_PARALLEL) {
        qsort(base, n, size, cmp);
        return FR_OK;
    }
    size_t *start = malloc(((size_t)nruns + 1) * sizeof *start);
    char *tmp = malloc(n * size);
    if (!start || !tmp) {
        free(start);
        free(tmp);
        return fr_error_oom_while(err, "sorting %zu items", n);
    }
    for (int r = 0; r <= nruns; r++)
        start[r] = n * (size_t)r / (size_t)nruns;
    char *src = base, *dst = tmp;
    /* Each run sorted with its own part of tmp as the scratch.  Why not
     * qsort: glibc's allocates a scratch of its own for every call, new
     * memory each time (n items' worth per sort; at 5M parcels ~275 MB of
     * fresh pages over a run, a page fault each that costs 1.5-10 us on a
     * VM that gives free memory back to its host), where tmp is touched
     * here once and then holds the merges. */
#pragma omp parallel for schedule(static, 1) num_threads(nruns)
    for (int r = 0; r < nruns; r++) {
        if (size <= PSORT_ITEM_MAX)
            run_sort(src + start[r] * size, tmp + start[r] * size, start[r + 1] - start[r], size, 0, cmp);
        else
            qsort(src + start[r] * size, start[r + 1] - start[r], size, cmp);
    }
    /* Rounds of pairwise merges: runs r and r + width become one run.  Each
     * merge is cut into nruns pieces of its output (by co-rank), so even
     * the last round, a single merge, keeps every thread busy. */
    for (int width = 1; width < nruns; width *= 2) {
        int npairs = (nruns + 2 * width - 1) / (2 * width);
#pragma omp parallel for schedule(static, 1) num_threads(nruns)
        for (int q = 0; q < npairs * nruns; q++) {
            int r = q / nruns * 2 * width, piece = q % nruns;
            int m = r + width < nruns ? r + width : nruns, e = r + 2 * width < nruns ? r + 2 * width : nruns;
            const char *a = src + start[r] * size, *b = src + start[m] * size;
            size_t na = start[m] - start[r], nb = start[e] - start[m], total = na + nb;
            size_t k0 = total * (size_t)piece / (size_t)nruns, k1 = total * (size_t)(piece + 1) / (size_t)nruns;
            size_t i0 = psort_corank(k0, a, na, b, nb, size, cmp), i1 = psort_corank(k1, a, na, b, nb, size, cmp);
            psort_merge(a + i0 * size, i1 - i0, b + (k0 - i0) * size, (k1 - i1) - (k0 - i0),
                        dst + (start[r] + k0) * size, size, cmp);
        }
        char *t = src;
        src = dst;
        dst = t;
    }
    if (src != base)
        memcpy(base, src, n * size);
    free(start);
    free(tmp);
    return FR_OK;
}
