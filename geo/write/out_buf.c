/*
 * out_buf.c — the buffered output file of the streaming writers (see
 * out_buf.h).
 */
#include "out_buf.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "out_direct.h"
#include "write.h"

int geo_out_pwrite_all(int fd, const void *buf, size_t n, uint64_t offset)
{
    const char *p = buf;
    while (n) {
        ssize_t k = pwrite(fd, p, n, (off_t)offset);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? errno : EIO;
        p += k;
        n -= (size_t)k;
        offset += (uint64_t)k;
    }
    return 0;
}

fr_status geo_out_buf_open(geo_out_buf *o, const char *path, fr_error *err)
{
    memset(o, 0, sizeof *o);
    o->cap = (size_t)1 << 20;
    o->buf = malloc(o->cap);
    if (!o->buf)
        return fr_error_oom_while(err, "writing %s: for the output buffer", path);
    o->fp = fopen(path, "wb");
    if (!o->fp) {
        int e = errno;
        free(o->buf);
        o->buf = NULL;
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot create the file: %s", path,
                            strerror(e));
    }
    return FR_OK;
}

fr_status geo_out_buf_open_tapped(geo_out_buf *o, const char *path, const geo_out_tap *tap, int direct,
                                  fr_error *err)
{
    fr_status st = direct ? geo_out_direct_open(o, path, err) : geo_out_buf_open(o, path, err);
    if (st == FR_OK && tap && (o->tap_state = tap->open(tap->ud, path)))
        o->tap = tap;
    return st;
}

void geo_out_buf_untap(geo_out_buf *o, const char *path)
{
    if (o->tap)
        o->tap->close(o->tap->ud, o->tap_state, path, 0);
    o->tap = NULL;
    o->tap_state = NULL;
}

fr_status geo_out_buf_open_mem(geo_out_buf *o, fr_error *err)
{
    memset(o, 0, sizeof *o);
    o->cap = (size_t)1 << 20;
    o->buf = malloc(o->cap);
    if (!o->buf)
        return fr_error_oom_while(err, "for an output buffer");
    return FR_OK;
}

void geo_out_buf_free(geo_out_buf *o)
{
    free(o->buf);
    memset(o, 0, sizeof *o);
}

/* A memory buffer with room for `more` bytes after its content; on
 * failure ENOMEM and the content dropped (len 0). */
static void grow(geo_out_buf *o, size_t more)
{
    size_t cap = o->cap ? o->cap : 4096;
    while (cap - o->len < more)
        cap *= 2;
    char *b = o->err_no ? NULL : realloc(o->buf, cap);
    if (!b) {
        o->err_no = o->err_no ? o->err_no : ENOMEM;
        o->len = 0;
        return;
    }
    o->buf = b;
    o->cap = cap;
}

void geo_out_writeback(int fd, long long from, long long len)
{
#ifdef SYNC_FILE_RANGE_WRITE
    if (fd >= 0 && from >= 0 && len >= 0)
        (void)sync_file_range(fd, (off_t)from, (off_t)len, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd, (void)from, (void)len;
#endif
}

void geo_out_drop_written(int fd, long long from, long long len)
{
#ifdef SYNC_FILE_RANGE_WAIT_BEFORE
    if (fd >= 0 && from >= 0 && len >= 0)
        (void)sync_file_range(fd, (off_t)from, (off_t)len, SYNC_FILE_RANGE_WAIT_BEFORE);
#endif
    geo_out_drop_cache(fd, from, len);
}

void geo_out_drop_cache(int fd, long long from, long long len)
{
#ifdef POSIX_FADV_DONTNEED
    if (fd >= 0 && from >= 0 && len >= 0)
        (void)posix_fadvise(fd, (off_t)from, (off_t)len, POSIX_FADV_DONTNEED);
#else
    (void)fd, (void)from, (void)len;
#endif
}

/* n more bytes went to the file: every GEO_OUT_WRITEBACK_BYTES, what stdio
 * holds goes to the kernel and the kernel's writeback starts on it; for a
 * tapped file, what went to writeback GEO_OUT_DROP_LAG_BYTES ago leaves the
 * cache once written (geo_out_drop_written). */
static void wrote(geo_out_buf *o, size_t n)
{
    o->written += (long long)n;
    if (o->written - o->kicked < GEO_OUT_WRITEBACK_BYTES || fflush(o->fp) != 0)
        return;
    geo_out_writeback(fileno(o->fp), o->kicked, o->written - o->kicked); /* > 0 here */
    o->kicked = o->written;
    long long behind = o->kicked - GEO_OUT_DROP_LAG_BYTES;
    if (o->tap && behind > o->dropped) {
        geo_out_drop_written(fileno(o->fp), o->dropped, behind - o->dropped);
        o->dropped = behind;
    }
}

/* Writes n bytes at s to the file (sticky errors). */
static void write_out(geo_out_buf *o, const void *s, size_t n)
{
    if (!n || o->err_no)
        return;
    if (fwrite(s, 1, n, o->fp) != n) {
        o->err_no = errno ? errno : EIO;
        return;
    }
    if (o->tap)
        o->tap->bytes(o->tap_state, s, n);
    wrote(o, n);
}

void geo_out_buf_drain(geo_out_buf *o)
{
    if (!o->fp) {
        grow(o, 1);
        return;
    }
    if (o->direct) {
        geo_out_direct_drain(o);
        return;
    }
    write_out(o, o->buf, o->len);
    o->len = 0;
}

void geo_out_buf_spill(geo_out_buf *o, const void *s, size_t n)
{
    if (!o->fp) {
        grow(o, n);
        if (o->cap - o->len < n) /* could not grow: dropped (err_no set) */
            return;
    } else if (o->direct) {
        /* through the aligned buffers, a block at a time */
        const char *p = s;
        while (n && !o->err_no && o->direct) {
            if (o->len == o->cap)
                geo_out_direct_drain(o);
            size_t m = o->cap - o->len < n ? o->cap - o->len : n;
            memcpy(o->buf + o->len, p, m);
            o->len += m;
            p += m;
            n -= m;
        }
        if (n && !o->err_no) /* direct I/O ended on the way: the rest as any file's */
            geo_out_buf_spill(o, p, n);
        return;
    } else {
        geo_out_buf_drain(o);
        if (n > o->cap) {
            write_out(o, s, n);
            return;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

fr_status geo_out_buf_close(geo_out_buf *o, const char *path, fr_status st, fr_error *err)
{
    if (!o->fp)
        return st;
    if (o->direct)
        geo_out_direct_drain(o);
    if (o->flight)
        geo_out_direct_end(o); /* the tail, less than a block, goes through the page cache */
    geo_out_buf_drain(o);
    if (!o->err_no && fflush(o->fp) != 0)
        o->err_no = errno ? errno : EIO;
    if (!o->err_no && o->written > o->kicked) /* the tail too: the fsync before publishing finds it under way */
        geo_out_writeback(fileno(o->fp), o->kicked, o->written - o->kicked);
    if (!o->err_no && o->tap)
        geo_out_drop_cache(fileno(o->fp), o->dropped, 0); /* what of the tail is written back already */
    if (fclose(o->fp) != 0 && !o->err_no)
        o->err_no = errno ? errno : EIO;
    o->fp = NULL;
    geo_out_direct_free(o);
    free(o->buf);
    o->buf = NULL;
    if (st == FR_OK && o->err_no)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: writing failed: %s", path, strerror(o->err_no));
    if (o->tap)
        o->tap->close(o->tap->ud, o->tap_state, path, st == FR_OK);
    o->tap = NULL;
    o->tap_state = NULL;
    return st;
}

void geo_out_buf_csv_field(geo_out_buf *o, const char *s)
{
    if (!s)
        return;
    int guard = geo_csv_formula_risk(s);
    if (!geo_csv_needs_quotes(s)) {
        if (guard)
            geo_out_buf_putc(o, '\'');
        geo_out_buf_puts(o, s);
        return;
    }
    geo_out_buf_putc(o, '"');
    if (guard)
        geo_out_buf_putc(o, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            geo_out_buf_putc(o, '"');
        geo_out_buf_putc(o, *p);
    }
    geo_out_buf_putc(o, '"');
}
