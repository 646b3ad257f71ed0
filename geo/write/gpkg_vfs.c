/*
 * gpkg_vfs.c — SQLite's default VFS with the main database file's whole
 * blocks written directly (see gpkg_vfs.h).
 *
 * A shim in SQLite's usual pattern (its test_vfstrace.c, multiplex): our
 * sqlite3_file holds the default VFS's file after itself and passes every
 * call on to it, except the writes of whole aligned blocks, which gather
 * in segments (one buffer per segment, SLOTS of them taking turns) and go
 * to a descriptor of the same file opened with O_DIRECT.
 */
#include "gpkg_vfs.h"

#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out_buf.h"
#include "out_direct.h"

#define VFS_NAME "firerisk-direct"

/* A segment: 1 MiB of the file at a multiple of 1 MiB, gathered in one
 * buffer; a whole run of its blocks is one write.  SQLite appends a large
 * table's pages mostly in file order as its cache lets them go, so a
 * segment fills before the next begins. */
#define SEG_BYTES ((size_t)1 << 20)
#define BLOCK GEO_OUT_DIRECT_ALIGN
#define BLOCKS (SEG_BYTES / BLOCK)
#define RUNS (BLOCKS / 2 + 1) /* runs of present blocks in a segment, at most */

/* Segments in flight while SQLite fills the next (out_direct.c's
 * FLIGHT_BLOCKS: with one, the writer waits for the disk). */
#define SLOTS 4

/* The op of sqlite3_file_control behind geo_gpkg_vfs_finish: SQLite's own
 * are below 100 and pass unknown ones to the VFS. */
#define FCNTL_FINISH 0x46520001

typedef struct {
    char *buf;                    /* SEG_BYTES, aligned to BLOCK */
    long long seg;                /* the segment's number (offset / SEG_BYTES), -1: none */
    unsigned char present[BLOCKS]; /* 1: block k of buf holds bytes to write */
    struct aiocb cb[RUNS];        /* the writes in flight: cb[0..ncb) */
    int ncb;
} seg_slot;

typedef struct {
    sqlite3_file base;  /* pMethods = &direct_methods */
    sqlite3_file *real; /* the default VFS's file, stored after this struct */
    int fd;             /* the file with O_DIRECT, -1: none (every write through real) */
    int direct;         /* 1 while writes go to fd */
    int err_no;         /* the first failed direct write's errno, sticky */
    seg_slot slot[SLOTS];
    int cur; /* slot[cur]: the segment being filled */
} direct_file;

static sqlite3_vfs *real_vfs;

static int rc_of(int e)
{
    return e == ENOSPC || e == EDQUOT ? SQLITE_FULL : SQLITE_IOERR_WRITE;
}

/* The rest of the file through the page cache: a direct write was
 * refused (EINVAL). */
static void leave_direct(direct_file *f)
{
    int fl = fcntl(f->fd, F_GETFL);
    if (fl != -1)
        (void)fcntl(f->fd, F_SETFL, fl & ~O_DIRECT);
    f->direct = 0;
}

/* n bytes at p to offset at, now; a refused direct write is done again
 * through the page cache. */
static void write_now(direct_file *f, const char *p, size_t n, off_t at)
{
    int e = geo_out_pwrite_all(f->fd, p, n, (uint64_t)at);
    if (e == EINVAL && f->direct) {
        leave_direct(f);
        e = geo_out_pwrite_all(f->fd, p, n, (uint64_t)at);
    }
    if (e && !f->err_no)
        f->err_no = e;
}

/* Waits for the writes of slot k; a short one is finished, a refused one
 * done again (write_now), a failed one becomes f's error. */
static void wait_slot(direct_file *f, int k)
{
    seg_slot *s = &f->slot[k];
    for (int i = 0; i < s->ncb; i++) {
        struct aiocb *cb = &s->cb[i];
        size_t n = cb->aio_nbytes, done = 0;
        int e = geo_out_aio_wait(cb, &done);
        if (e == 0 && done == n)
            continue;
        if (e == 0 || e == EINVAL)
            write_now(f, (const char *)cb->aio_buf + done, n - done, cb->aio_offset + (off_t)done);
        else if (!f->err_no)
            f->err_no = e;
    }
    s->ncb = 0;
}

static void wait_all(direct_file *f)
{
    for (int d = 1; d <= SLOTS; d++)
        wait_slot(f, (f->cur + d) % SLOTS);
}

/* Hands the segment being filled to the disk, a write per run of present
 * blocks, once any earlier copy of the same segment in flight is done;
 * the next slot, once its writes are done, takes the next segment. */
static void submit(direct_file *f)
{
    seg_slot *s = &f->slot[f->cur];
    if (s->seg < 0)
        return;
    for (int k = 0; k < SLOTS; k++)
        if (k != f->cur && f->slot[k].ncb && f->slot[k].seg == s->seg)
            wait_slot(f, k);
    for (size_t b = 0; b < BLOCKS;) {
        if (!s->present[b]) {
            b++;
            continue;
        }
        size_t e = b;
        while (e < BLOCKS && s->present[e])
            e++;
        const char *p = s->buf + b * BLOCK;
        size_t n = (e - b) * BLOCK;
        off_t at = (off_t)(s->seg * (long long)SEG_BYTES + (long long)(b * BLOCK));
        struct aiocb *cb = &s->cb[s->ncb];
        memset(cb, 0, sizeof *cb);
        cb->aio_fildes = f->fd;
        cb->aio_buf = (void *)p;
        cb->aio_nbytes = n;
        cb->aio_offset = at;
        cb->aio_sigevent.sigev_notify = SIGEV_NONE;
        if (f->direct && !f->err_no && aio_write(cb) == 0)
            s->ncb++;
        else if (!f->err_no) /* no AIO to be had (EAGAIN), or direct I/O ended: this run here */
            write_now(f, p, n, at);
        b = e;
    }
    f->cur = (f->cur + 1) % SLOTS;
    seg_slot *next = &f->slot[f->cur];
    wait_slot(f, f->cur);
    next->seg = -1;
    memset(next->present, 0, sizeof next->present);
}

/* Every pending write done: the file on disk is what SQLite wrote. */
static void settle(direct_file *f)
{
    if (f->fd < 0)
        return;
    submit(f);
    wait_all(f);
}

/* 1 if bytes [at, at + n) touch a segment being filled or in flight. */
static int pending(const direct_file *f, long long at, long long n)
{
    for (int k = 0; k < SLOTS; k++) {
        const seg_slot *s = &f->slot[k];
        if (s->seg < 0 || (k != f->cur && !s->ncb))
            continue;
        long long lo = s->seg * (long long)SEG_BYTES;
        if (at < lo + (long long)SEG_BYTES && at + n > lo)
            return 1;
    }
    return 0;
}

/* ---- the file's methods ------------------------------------------------ */

static int direct_close(sqlite3_file *file)
{
    direct_file *f = (direct_file *)file;
    settle(f);
    if (f->fd >= 0)
        close(f->fd);
    for (int k = 0; k < SLOTS; k++)
        free(f->slot[k].buf);
    int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
    return rc == SQLITE_OK && f->err_no ? rc_of(f->err_no) : rc;
}

static int direct_read(sqlite3_file *file, void *p, int n, sqlite3_int64 at)
{
    direct_file *f = (direct_file *)file;
    if (f->fd >= 0 && pending(f, at, n))
        settle(f);
    return f->real->pMethods->xRead(f->real, p, n, at);
}

static int direct_write(sqlite3_file *file, const void *p, int n, sqlite3_int64 at)
{
    direct_file *f = (direct_file *)file;
    if (f->err_no)
        return rc_of(f->err_no);
    if (f->fd < 0)
        return f->real->pMethods->xWrite(f->real, p, n, at);
    if (!f->direct || at % BLOCK || n % BLOCK) {
        settle(f); /* every earlier write first: these bytes may overlap them */
        return f->err_no ? rc_of(f->err_no) : f->real->pMethods->xWrite(f->real, p, n, at);
    }
    const char *src = p;
    while (n > 0) {
        seg_slot *s = &f->slot[f->cur];
        long long seg = at / (long long)SEG_BYTES;
        if (s->seg != seg) {
            submit(f);
            s = &f->slot[f->cur];
            s->seg = seg;
        }
        size_t in = (size_t)(at - seg * (long long)SEG_BYTES), take = SEG_BYTES - in;
        if ((size_t)n < take)
            take = (size_t)n;
        memcpy(s->buf + in, src, take);
        memset(s->present + in / BLOCK, 1, take / BLOCK);
        src += take;
        at += (sqlite3_int64)take;
        n -= (int)take;
    }
    return f->err_no ? rc_of(f->err_no) : SQLITE_OK;
}

static int direct_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    direct_file *f = (direct_file *)file;
    settle(f);
    return f->err_no ? rc_of(f->err_no) : f->real->pMethods->xTruncate(f->real, size);
}

static int direct_sync(sqlite3_file *file, int flags)
{
    direct_file *f = (direct_file *)file;
    settle(f);
    return f->err_no ? rc_of(f->err_no) : f->real->pMethods->xSync(f->real, flags);
}

/* The file's size as SQLite wrote it: the disk's, or the end of the last
 * block pending, if further. */
static int direct_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    direct_file *f = (direct_file *)file;
    int rc = f->real->pMethods->xFileSize(f->real, size);
    for (int k = 0; rc == SQLITE_OK && f->fd >= 0 && k < SLOTS; k++) {
        const seg_slot *s = &f->slot[k];
        if (s->seg < 0 || (k != f->cur && !s->ncb))
            continue;
        for (size_t b = BLOCKS; b-- > 0;)
            if (s->present[b]) {
                sqlite3_int64 end = s->seg * (sqlite3_int64)SEG_BYTES + (sqlite3_int64)((b + 1) * BLOCK);
                if (end > *size)
                    *size = end;
                break;
            }
    }
    return rc;
}

static int direct_lock(sqlite3_file *file, int level)
{
    direct_file *f = (direct_file *)file;
    return f->real->pMethods->xLock(f->real, level);
}

static int direct_unlock(sqlite3_file *file, int level)
{
    direct_file *f = (direct_file *)file;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int direct_check_reserved_lock(sqlite3_file *file, int *out)
{
    direct_file *f = (direct_file *)file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int direct_file_control(sqlite3_file *file, int op, void *arg)
{
    direct_file *f = (direct_file *)file;
    if (op == FCNTL_FINISH) {
        settle(f);
        *(int *)arg = f->err_no;
        return SQLITE_OK;
    }
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int direct_sector_size(sqlite3_file *file)
{
    direct_file *f = (direct_file *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int direct_device_characteristics(sqlite3_file *file)
{
    direct_file *f = (direct_file *)file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* Version 1: no shared memory (no WAL: the writer's journal is off) and no
 * memory-mapped I/O, whose pages would bypass the segments. */
static const sqlite3_io_methods direct_methods = {
    .iVersion = 1,
    .xClose = direct_close,
    .xRead = direct_read,
    .xWrite = direct_write,
    .xTruncate = direct_truncate,
    .xSync = direct_sync,
    .xFileSize = direct_file_size,
    .xLock = direct_lock,
    .xUnlock = direct_unlock,
    .xCheckReservedLock = direct_check_reserved_lock,
    .xFileControl = direct_file_control,
    .xSectorSize = direct_sector_size,
    .xDeviceCharacteristics = direct_device_characteristics,
};

/* ---- the VFS ------------------------------------------------------------- */

#define REAL_OFFSET ((sizeof(direct_file) + 7) & ~(size_t)7)

/* The segments' buffers and the O_DIRECT descriptor of the main database
 * file; on any failure the file is written through real alone. */
static void start_direct(direct_file *f, const char *path)
{
    f->fd = -1;
    f->direct = 0;
    for (int k = 0; k < SLOTS; k++) {
        void *b = NULL;
        if (posix_memalign(&b, BLOCK, SEG_BYTES) != 0)
            return; /* the buffers allocated are freed at close */
        f->slot[k].buf = b;
        f->slot[k].seg = -1;
    }
    f->fd = open(path, O_WRONLY | O_CLOEXEC | O_DIRECT);
    f->direct = f->fd >= 0;
}

static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
    (void)vfs;
    direct_file *f = (direct_file *)file;
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->real = (sqlite3_file *)((char *)file + REAL_OFFSET);
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    if (rc == SQLITE_OK && (flags & SQLITE_OPEN_MAIN_DB) && name)
        start_direct(f, name);
    /* SQLite closes a file whose pMethods is set even when its open failed */
    f->base.pMethods = f->real->pMethods ? &direct_methods : NULL;
    return rc;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *vfs_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return real_vfs->xDlOpen(real_vfs, name);
}

static void vfs_dl_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    real_vfs->xDlError(real_vfs, n, out);
}

static void (*vfs_dl_sym(sqlite3_vfs *vfs, void *lib, const char *sym))(void)
{
    (void)vfs;
    return real_vfs->xDlSym(real_vfs, lib, sym);
}

static void vfs_dl_close(sqlite3_vfs *vfs, void *lib)
{
    (void)vfs;
    real_vfs->xDlClose(real_vfs, lib);
}

static int vfs_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int vfs_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs->xSleep(real_vfs, us);
}

static int vfs_current_time(sqlite3_vfs *vfs, double *now)
{
    (void)vfs;
    return real_vfs->xCurrentTime(real_vfs, now);
}

static int vfs_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}

static int vfs_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *now)
{
    (void)vfs;
    if (real_vfs->iVersion >= 2 && real_vfs->xCurrentTimeInt64)
        return real_vfs->xCurrentTimeInt64(real_vfs, now);
    double d = 0;
    int rc = real_vfs->xCurrentTime(real_vfs, &d);
    *now = (sqlite3_int64)(d * 86400000.0);
    return rc;
}

static sqlite3_vfs direct_vfs;
static const char *registered;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void register_vfs(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs)
        return;
    direct_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)(REAL_OFFSET + (size_t)real_vfs->szOsFile),
        .mxPathname = real_vfs->mxPathname,
        .zName = VFS_NAME,
        .xOpen = vfs_open,
        .xDelete = vfs_delete,
        .xAccess = vfs_access,
        .xFullPathname = vfs_full_pathname,
        .xDlOpen = vfs_dl_open,
        .xDlError = vfs_dl_error,
        .xDlSym = vfs_dl_sym,
        .xDlClose = vfs_dl_close,
        .xRandomness = vfs_randomness,
        .xSleep = vfs_sleep,
        .xCurrentTime = vfs_current_time,
        .xGetLastError = vfs_get_last_error,
        .xCurrentTimeInt64 = vfs_current_time_int64,
    };
    if (sqlite3_vfs_register(&direct_vfs, 0) == SQLITE_OK)
        registered = VFS_NAME;
}

const char *geo_gpkg_vfs_direct(void)
{
    pthread_once(&once, register_vfs);
    return registered;
}

int geo_gpkg_vfs_finish(sqlite3 *db)
{
    int e = 0;
    if (sqlite3_file_control(db, "main", FCNTL_FINISH, &e) != SQLITE_OK)
        return 0; /* not this VFS's file: SQLite's own writes report their failures */
    return e;
}
