/*
 * hugepage.c — MADV_COLLAPSE and MADV_HUGEPAGE over the whole huge pages
 * of a range, and a new array's pages touched on every thread (see
 * hugepage.h).
 */
#include "hugepage.h"

#include <omp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* Linux 6.1; older C libraries lack the name */
#endif

#define HUGE_PAGE ((uintptr_t)2 << 20)

void fr_hugepages(const void *p, size_t bytes)
{
    uintptr_t a = (uintptr_t)p, end = a + bytes;
    uintptr_t lo = (a + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1), hi = end & ~(HUGE_PAGE - 1);
    if (!p || end < a || hi <= lo)
        return; /* smaller than one huge page: nothing to gain */
    (void)madvise((void *)lo, hi - lo, MADV_COLLAPSE);
}

void fr_hugepages_on_touch(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    uintptr_t a = (uintptr_t)p, end = a + bytes;
    uintptr_t lo = (a + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1), hi = end & ~(HUGE_PAGE - 1);
    if (!p || end < a || hi <= lo)
        return;
    (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}

void fr_fill_on_every_thread(void *p, int c, size_t bytes)
{
    const long long pieces = (long long)((bytes + HUGE_PAGE - 1) / HUGE_PAGE);
    /* dynamic: a first touch costs what the host makes it cost (this VM's
     * vCPUs cleared the same memory at unequal speeds), so a thread done
     * early takes the next piece rather than waiting at the barrier */
#pragma omp parallel for schedule(dynamic, 1) if (pieces > 1)
    for (long long k = 0; k < pieces; k++) {
        size_t at = (size_t)k * HUGE_PAGE, n = bytes - at < HUGE_PAGE ? bytes - at : HUGE_PAGE;
        memset((char *)p + at, c, n);
    }
}

void fr_copy_on_every_thread(void *dst, const void *src, size_t bytes)
{
    const long long pieces = (long long)((bytes + HUGE_PAGE - 1) / HUGE_PAGE);
#pragma omp parallel for schedule(dynamic, 1) if (pieces > 1)
    for (long long k = 0; k < pieces; k++) {
        size_t at = (size_t)k * HUGE_PAGE, n = bytes - at < HUGE_PAGE ? bytes - at : HUGE_PAGE;
        memcpy((char *)dst + at, (const char *)src + at, n);
    }
}
