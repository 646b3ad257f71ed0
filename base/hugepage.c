/*
 * hugepage.c — MADV_COLLAPSE over the whole huge pages of a range (see
 * hugepage.h).
 */
#include "hugepage.h"

#include <stdint.h>
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
