/*
 * out_buf.h — a file written through a 1 MB buffer, for the writers that
 * format their bytes themselves (GeoJSON, Shapefile, the CSVs) because
 * GDAL's drivers cost 10-20x more per feature.
 *
 * Errors are sticky: the first failed write keeps its errno and later
 * writes do nothing, so a writer formats without checking each call and
 * learns of a full disk once, from geo_out_buf_close.  One geo_out_buf is
 * for one thread; no global state.
 *
 * A file's bytes are handed to the kernel's writeback every
 * GEO_OUT_WRITEBACK_BYTES as they are written (sync_file_range), so that
 * the disk works while the rest is formatted and the fsync before
 * publishing finds little left to write: left to the kernel, the dirty
 * pages of a run's 2 GB of outputs wait under the dirty-page thresholds
 * until that fsync, and the whole disk time comes after the formatting.
 *
 * A buffer opened with geo_out_buf_open_mem has no file: it grows instead
 * of draining, so that a thread can format a block of rows by itself and
 * another write the blocks to the file in order (the GeoJSON writer).
 */
#ifndef GEO_OUT_BUF_H
#define GEO_OUT_BUF_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "status.h"

#define GEO_OUT_WRITEBACK_BYTES ((long long)8 << 20)

/* The bytes behind the writeback's front that stay cached for a tapped
 * file (geo_out_buf_open_tapped): writeback of the last blocks is still
 * under way, and a page under writeback is not dropped anyway. */
#define GEO_OUT_DROP_LAG_BYTES ((long long)32 << 20)

/* Whoever wants a file's bytes as they are written (the run hashes its
 * outputs so for the manifest, instead of reading them back): open gives
 * the state of one file (NULL: this file is not wanted), bytes shows it
 * every byte in file order, close ends it, whole = 1 when the file was
 * written and closed without error and is complete (else the bytes seen
 * are not the file's).  Called from the writer's thread.  geo/ sees bytes
 * only; what they are used for is the caller's. */
typedef struct geo_out_tap {
    void *(*open)(void *ud, const char *path);
    void (*bytes)(void *state, const void *p, size_t n);
    void (*close)(void *ud, void *state, const char *path, int whole);
    void *ud;
} geo_out_tap;

typedef struct {
    FILE *fp;       /* NULL: a memory buffer (geo_out_buf_open_mem) */
    char *buf;
    size_t len, cap;
    int err_no; /* first errno of a failed write, 0 while all is well */
    long long written, kicked; /* bytes written to fp; of them, handed to writeback */
    const geo_out_tap *tap;    /* geo_out_buf_open_tapped, with its state: */
    void *tap_state;
    long long dropped;         /* bytes let out of the page cache behind the writer */
    int direct;                /* 1: written with direct I/O (out_direct.h) */
    struct geo_out_flight *flight; /* out_direct.c's: its buffers and blocks in flight; NULL for other files */
} geo_out_buf;

/* Starts the writeback of bytes [from, from + len) of the file open as fd
 * (any mode; len 0: to the end of the file) without waiting for it: a hint, its failure is ignored (the
 * fsync before publishing reports a failed write).  For the files written
 * by other code (SQLite's GeoPackage) as well as by geo_out_buf. */
void geo_out_writeback(int fd, long long from, long long len);

/* Lets bytes [from, from + len) of the file open as fd (len 0: to the end)
 * out of the page cache, without waiting: the pages still dirty or under
 * writeback stay (the fsync before publishing writes them).  A hint; its
 * failure is ignored.  For a file nobody reads again in this run (the run's
 * outputs once hashed): the pages freed are the next files' page cache, so
 * that a run's 2 GB of outputs claim fewer fresh pages (on a VM that gives
 * free memory back to its host, as the benchmark machine does, each fresh
 * page is a fault in the host) and evict less of other programs' cache. */
void geo_out_drop_cache(int fd, long long from, long long len);

/* geo_out_drop_cache for bytes whose writeback was started earlier (by
 * geo_out_writeback): waits for the writeback under way on them first, so
 * that every page of the range leaves the cache.  Without the wait, the
 * pages still under writeback stayed, and were never dropped later: at 5M
 * parcels the GeoJSON's 5 GB kept claiming fresh pages, a write into the
 * page cache cost 0.55-0.70 s of system time a GB against 0.27-0.33 with
 * it (a 5 GB file written in 1 MB blocks on the benchmark machine), and
 * wall time fell too.  The wait is for writeback started
 * GEO_OUT_DROP_LAG_BYTES earlier: none on a disk that keeps up; on a slower
 * disk the writer waits for it instead of the fsync before publishing. */
void geo_out_drop_written(int fd, long long from, long long len);

/* All n bytes at buf to fd at offset (pwrite, again after a short write or
 * EINTR); 0 or the errno. */
int geo_out_pwrite_all(int fd, const void *buf, size_t n, uint64_t offset);

/* Creates (truncates) path for writing.  FR_E_OUTPUT naming path. */
fr_status geo_out_buf_open(geo_out_buf *o, const char *path, fr_error *err);

/* The same for a file written from start to end, never sought back and not
 * read again by this run (the large outputs): when tap (may be NULL) wants
 * the file, it is shown every byte as written.  With direct = 1 the file is
 * written with direct I/O, blocks in flight while the next is formatted
 * (out_direct.h), where the file system takes it; else (and with direct =
 * 0) through the page cache, let out of it GEO_OUT_DROP_LAG_BYTES behind the
 * writeback (geo_out_drop_cache). */
fr_status geo_out_buf_open_tapped(geo_out_buf *o, const char *path, const geo_out_tap *tap, int direct,
                                  fr_error *err);

/* Tells the tap, if any, that the bytes it saw will not be the file's (the
 * GeoJSON writer's first attempt, replaced by GDAL's at the antimeridian):
 * close(whole = 0) now, and nothing more shown. */
void geo_out_buf_untap(geo_out_buf *o, const char *path);

/* An empty memory buffer of 1 MB that grows as needed (ENOMEM in err_no,
 * and its content dropped, when it cannot).  FR_E_MEMORY.  Release it
 * with geo_out_buf_free. */
fr_status geo_out_buf_open_mem(geo_out_buf *o, fr_error *err);
void geo_out_buf_free(geo_out_buf *o);

/* Writes the buffer out (called when it fills); a memory buffer grows
 * instead. */
void geo_out_buf_drain(geo_out_buf *o);

/* The slow path of geo_out_buf_put: s does not fit what is left. */
void geo_out_buf_spill(geo_out_buf *o, const void *s, size_t n);

static inline void geo_out_buf_put(geo_out_buf *o, const void *s, size_t n)
{
    if (o->len + n > o->cap) {
        geo_out_buf_spill(o, s, n);
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static inline void geo_out_buf_puts(geo_out_buf *o, const char *s)
{
    geo_out_buf_put(o, s, strlen(s));
}

static inline void geo_out_buf_putc(geo_out_buf *o, char c)
{
    if (o->len == o->cap)
        geo_out_buf_drain(o);
    o->buf[o->len++] = c;
}

/* s as one CSV field, by the rule of geo_csv_field (write.h). */
void geo_out_buf_csv_field(geo_out_buf *o, const char *s);

/* Flushes and closes; FR_E_OUTPUT naming path if any write failed (disk
 * full, I/O error) unless st already reports a failure.  Returns st or the
 * new failure.  Always releases o; does nothing for an o that is not open.
 * A tap is told whole = 1 when this returns FR_OK. */
fr_status geo_out_buf_close(geo_out_buf *o, const char *path, fr_status st, fr_error *err);

#endif
