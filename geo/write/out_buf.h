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
#include <stdio.h>
#include <string.h>

#include "status.h"

#define GEO_OUT_WRITEBACK_BYTES ((long long)8 << 20)

typedef struct {
    FILE *fp;       /* NULL: a memory buffer (geo_out_buf_open_mem) */
    char *buf;
    size_t len, cap;
    int err_no; /* first errno of a failed write, 0 while all is well */
    long long written, kicked; /* bytes written to fp; of them, handed to writeback */
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

/* Creates (truncates) path for writing.  FR_E_OUTPUT naming path. */
fr_status geo_out_buf_open(geo_out_buf *o, const char *path, fr_error *err);

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
 * new failure.  Always releases o; does nothing for an o that is not open. */
fr_status geo_out_buf_close(geo_out_buf *o, const char *path, fr_status st, fr_error *err);

#endif
