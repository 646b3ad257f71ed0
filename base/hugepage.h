/*
 * hugepage.h — backing a large array that is read in random order with
 * 2 MB pages.
 *
 * Why: the writers read the geometry of the ranked table in rank order,
 * which is random in parcel order (its field values are moved into rank
 * order first: geo/write/out_rows.h).  With 4 KB pages each of those reads
 * is also a TLB miss and a page-table walk (when the writers still read 40
 * columns of 8 MB at random, 80,000 pages at 1 M parcels against a TLB of
 * a few thousand, the profile of the write stage had a third of its CPU
 * time stalled there).  2 MB pages cover the same arrays with a few
 * hundred entries.
 */
#ifndef FR_HUGEPAGE_H
#define FR_HUGEPAGE_H

#include <stddef.h>

/* Asks the kernel to move the whole 2 MB pages inside [p, p + bytes) onto
 * huge pages now (MADV_COLLAPSE, Linux 6.1+), whatever the system's
 * transparent-huge-page default.  A hint: where the kernel cannot or will
 * not, nothing changes (and the values never do). */
void fr_hugepages(const void *p, size_t bytes);

/* Asks the kernel to back the whole 2 MB pages inside [p, p + bytes) with
 * huge pages as they are first touched (MADV_HUGEPAGE).  For an array
 * about to be filled: the huge page is made once, where fr_hugepages on a
 * filled array copies it onto one (the copy cost 3 CPU-s of the 5M city's
 * run, its destination pages new to the VM).  A hint, as fr_hugepages. */
void fr_hugepages_on_touch(void *p, size_t bytes);

/* memset(p, c, bytes) on every OpenMP thread, in 2 MB pieces.  For a new
 * array that one thread then fills: the first touch of its pages is the
 * kernel clearing them, which on a VM that hands free memory back to its
 * host costs 2-20 us a 4 KB page (docs/PROFILE.md); spread over the
 * threads, its wall time is divided by their number.  Inside a parallel
 * region it runs on the calling thread. */
void fr_fill_on_every_thread(void *p, int c, size_t bytes);

/* memcpy(dst, src, bytes) on every OpenMP thread, in 2 MB pieces, for a new
 * dst: its first touch is shared as fr_fill_on_every_thread's is. */
void fr_copy_on_every_thread(void *dst, const void *src, size_t bytes);

#endif
