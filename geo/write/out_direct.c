/*
 * out_direct.c — direct I/O with blocks in flight (see out_direct.h).
 *
 * The file's buffers take turns: a full one is handed to aio_write
 * (glibc's POSIX AIO: a helper thread does the pwrite) and the writer goes
 * on in the next, once that one's earlier write is done.  The tap sees
 * each block in file order as it is handed over, in the writer's thread.
 * Every direct write is positional (aio_write, pwrite), so the
 * descriptor's offset is set to the bytes written when direct I/O ends and
 * the FILE takes over.
 */
#include "out_direct.h"

#include <aio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "write.h"

/* Blocks a file may have in flight: the writers that format faster than
 * the disk takes (the .shp) run ahead of it by this many, rather than
 * waiting at each block for the one before (0.3 s at 1M parcels with one). */
#define FLIGHT_BLOCKS 4

struct geo_out_flight {
    struct aiocb cb[FLIGHT_BLOCKS]; /* cb[k]: the write of blk[k], when busy[k] */
    char *blk[FLIGHT_BLOCKS];       /* aligned buffers; blk[cur] is o->buf, being filled */
    int busy[FLIGHT_BLOCKS];
    int cur;
};

/* The rest of the file through the page cache: O_DIRECT off, the offset
 * after the bytes written so far. */
static void leave_direct(geo_out_buf *o)
{
    int fd = fileno(o->fp), fl = fcntl(fd, F_GETFL);
    if (fl != -1)
        (void)fcntl(fd, F_SETFL, fl & ~O_DIRECT);
    if (lseek(fd, (off_t)o->written, SEEK_SET) < 0 && !o->err_no)
        o->err_no = errno ? errno : EIO;
    o->direct = 0;
}

/* n bytes at s to offset at, directly; a refused direct write is done
 * again through the page cache. */
static int write_block(geo_out_buf *o, const char *s, size_t n, off_t at)
{
    int e = geo_out_pwrite_all(fileno(o->fp), s, n, (uint64_t)at);
    if (e == EINVAL && o->direct) {
        leave_direct(o);
        e = geo_out_pwrite_all(fileno(o->fp), s, n, (uint64_t)at);
    }
    return e;
}

int geo_out_aio_wait(struct aiocb *cb, size_t *done)
{
    const struct aiocb *list[1] = {cb};
    while (aio_error(cb) == EINPROGRESS)
        (void)aio_suspend(list, 1, NULL); /* EINTR: ask again */
    int e = aio_error(cb);
    ssize_t r = aio_return(cb);
    *done = e == 0 && r > 0 ? (size_t)r : 0;
    return e;
}

/* Waits for the write of block k, if any; its failure becomes o's error,
 * a short write is finished, a refused one done again (write_block). */
static void wait_block(geo_out_buf *o, int k)
{
    struct geo_out_flight *f = o->flight;
    if (!f || !f->busy[k])
        return;
    struct aiocb *cb = &f->cb[k];
    size_t n = cb->aio_nbytes, done = 0;
    int e = geo_out_aio_wait(cb, &done);
    f->busy[k] = 0;
    if (e == 0 && done == n)
        return;
    if (e == 0 || e == EINVAL) /* short (the rest may not be whole blocks), or refused */
        e = write_block(o, f->blk[k] + done, n - done, cb->aio_offset + (off_t)done);
    if (e && !o->err_no)
        o->err_no = e;
}

/* Waits for every block in flight, the oldest first. */
static void wait_all(geo_out_buf *o)
{
    for (int d = 1; o->flight && d <= FLIGHT_BLOCKS; d++)
        wait_block(o, (o->flight->cur + d) % FLIGHT_BLOCKS);
}

fr_status geo_out_direct_open(geo_out_buf *o, const char *path, fr_error *err)
{
    memset(o, 0, sizeof *o);
    o->cap = (size_t)1 << 20; /* a multiple of GEO_OUT_DIRECT_ALIGN */
    struct geo_out_flight *f = calloc(1, sizeof *f);
    int oom = !f;
    for (int k = 0; k < FLIGHT_BLOCKS && !oom; k++) {
        void *b = NULL;
        oom = posix_memalign(&b, GEO_OUT_DIRECT_ALIGN, o->cap) != 0;
        if (!oom)
            f->blk[k] = b;
    }
    o->flight = f;
    if (oom) {
        geo_out_direct_free(o);
        return fr_error_oom_while(err, "writing %s: for the output buffers", path);
    }
    o->buf = f->blk[0];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_DIRECT, 0666);
    o->direct = fd >= 0;
    if (fd < 0 && errno == EINVAL) /* no direct I/O on this file system */
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    o->fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!o->fp) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        geo_out_direct_free(o);
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot create the file: %s", path, strerror(e));
    }
    return FR_OK;
}

void geo_out_direct_drain(geo_out_buf *o)
{
    struct geo_out_flight *f = o->flight;
    size_t whole = o->len & ~(size_t)(GEO_OUT_DIRECT_ALIGN - 1);
    if (o->err_no) {
        o->len = 0;
        return;
    }
    if (!whole)
        return;
    if (o->tap)
        o->tap->bytes(o->tap_state, o->buf, whole);
    off_t at = (off_t)o->written;
    o->written += (long long)whole;
    o->kicked = o->dropped = o->written; /* nothing of it waits in the page cache */
    struct aiocb *cb = &f->cb[f->cur];
    memset(cb, 0, sizeof *cb);
    cb->aio_fildes = fileno(o->fp);
    cb->aio_buf = o->buf;
    cb->aio_nbytes = whole;
    cb->aio_offset = at;
    cb->aio_sigevent.sigev_notify = SIGEV_NONE;
    int e = 0;
    if (o->direct && aio_write(cb) == 0)
        f->busy[f->cur] = 1;
    else /* no AIO to be had (EAGAIN), or direct I/O ended: this block here */
        e = write_block(o, o->buf, whole, at);
    if (e) {
        o->err_no = e;
        o->len = 0;
        return;
    }
    /* the next buffer, once its write is done, takes the bytes after the
     * blocks (less than a block) */
    int next = (f->cur + 1) % FLIGHT_BLOCKS;
    wait_block(o, next);
    memcpy(f->blk[next], o->buf + whole, o->len - whole);
    o->buf = f->blk[next];
    o->len -= whole;
    f->cur = next;
    if (!o->direct) /* a refused write ended direct I/O (leave_direct put the offset after these bytes) */
        wait_all(o);
    if (o->err_no)
        o->len = 0;
}

void geo_out_direct_end(geo_out_buf *o)
{
    wait_all(o);
    if (o->direct)
        leave_direct(o);
}

void geo_out_direct_free(geo_out_buf *o)
{
    struct geo_out_flight *f = o->flight;
    if (!f)
        return;
    wait_all(o); /* never free a buffer the kernel still reads */
    for (int k = 0; k < FLIGHT_BLOCKS; k++)
        free(f->blk[k]);
    free(f);
    o->flight = NULL;
    o->buf = NULL; /* it was one of the blocks */
}
