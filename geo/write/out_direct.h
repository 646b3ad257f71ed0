/*
 * out_direct.h — the direct I/O of a geo_out_buf (out_buf.h): whole blocks
 * from aligned buffers to the disk, past the page cache, a few blocks being
 * written (POSIX AIO) while the writer fills the next.
 *
 * Why: on the benchmark machine, a VM that gives free memory back to its
 * host, every page of the page cache is a fresh page.  Writing 4 GB
 * through the cache with fsync took 13.0 s there (11.6 s of system time),
 * with O_DIRECT 2.5 s; at 5M parcels the page cache was a fifth of the
 * run's CPU.  Written one block after another, the direct writes made the
 * writer wait for the disk (the 5M write stage 1.5-2.7 s longer): the
 * blocks in flight are what let the formatting and the disk work at once.
 *
 * Where O_DIRECT is refused (EINVAL: tmpfs before Linux 6.6, some FUSE
 * file systems, a device with blocks larger than GEO_OUT_DIRECT_ALIGN), at
 * open or at any write, the file goes on through the page cache as any
 * geo_out_buf's; nothing is lost or written twice.
 */
#ifndef GEO_OUT_DIRECT_H
#define GEO_OUT_DIRECT_H

#include "out_buf.h"

/* Direct writes are whole blocks of this many bytes at offsets that are
 * multiples of it, from buffers aligned to it: the logical block of every
 * common disk (512 or 4096 bytes) divides it. */
#define GEO_OUT_DIRECT_ALIGN 4096

/* Creates (truncates) path for o, in O_DIRECT when the file system takes
 * it (o->direct = 1), else as geo_out_buf_open does.  FR_E_OUTPUT naming
 * path, FR_E_MEMORY. */
fr_status geo_out_direct_open(geo_out_buf *o, const char *path, fr_error *err);

/* The whole blocks at the front of o's buffer are handed to the disk, and
 * o goes on in its next buffer once that buffer's earlier write is done;
 * the bytes after the blocks, less than a block, move with it.  Sticky errors as geo_out_buf's.  May end o->direct
 * (a refused write): the caller then writes on as for any file. */
void geo_out_direct_drain(geo_out_buf *o);

/* Waits for the blocks in flight and leaves direct I/O: the tail (less than
 * a block) is then written through the page cache by the usual close. */
void geo_out_direct_end(geo_out_buf *o);

/* Waits for the POSIX AIO request cb (EINTR: asks again); its error (0:
 * none) and, with none, *done its byte count.  Shared with the
 * GeoPackage's direct writes (gpkg_vfs.c). */
struct aiocb;
int geo_out_aio_wait(struct aiocb *cb, size_t *done);

/* Releases what geo_out_direct_open added to o (after geo_out_direct_end). */
void geo_out_direct_free(geo_out_buf *o);

#endif
