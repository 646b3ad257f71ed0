/*
 * filehash.c — SHA-256 of files and buffers with nettle (see filehash.h).
 */
#include "filehash.h"

#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "out_direct.h"

static void to_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

/* The digest of everything ctx was given, as hex. */
static void end_hex(struct sha256_ctx *ctx, char hex[65])
{
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(ctx, SHA256_DIGEST_SIZE, digest);
    to_hex(digest, hex);
}

int fr_sha256_file(const char *path, char hex[65])
{
    hex[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    /* heap, not stack: 1 MiB reads keep the syscall count low on GB inputs */
    size_t cap = 1 << 20;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    ssize_t r;
    while ((r = read(fd, buf, cap)) > 0)
        sha256_update(&ctx, (size_t)r, buf);
    int e = errno;
    free(buf);
    close(fd);
    if (r < 0) {
        errno = e;
        return -1;
    }
    end_hex(&ctx, hex);
    return 0;
}

/* Reads of the uncached hash (fr_sha256_file_uncached): aligned for
 * O_DIRECT, two taking turns, one being read while the other is hashed. */
#define UNCACHED_READ ((size_t)4 << 20)
#define UNCACHED_ALIGN 4096

/* Waits for the read of cb (geo_out_aio_wait, the direct writers' wait);
 * its byte count, or -1 with errno set. */
static ssize_t read_done(struct aiocb *cb)
{
    size_t done = 0;
    int e = geo_out_aio_wait(cb, &done);
    if (e)
        errno = e;
    return e ? -1 : (ssize_t)done;
}

/* Hashes fd (O_DIRECT) into ctx; returns 0, or -1 with errno set.  A read
 * shorter than asked ends the direct reads: the rest, if the file goes on
 * (a read cut short), is read through the page cache from where it ended. */
static int hash_direct(int fd, const char *path, struct sha256_ctx *ctx)
{
    uint8_t *buf[2] = {NULL, NULL};
    if (posix_memalign((void **)&buf[0], UNCACHED_ALIGN, UNCACHED_READ) != 0 ||
        posix_memalign((void **)&buf[1], UNCACHED_ALIGN, UNCACHED_READ) != 0) {
        free(buf[0]);
        errno = ENOMEM;
        return -1;
    }
    struct aiocb cb[2];
    memset(cb, 0, sizeof cb);
    long long at = 0;
    int k = 0, rc = 0, busy = 0;
    for (int i = 0; i < 2; i++) {
        cb[i].aio_fildes = fd;
        cb[i].aio_buf = buf[i];
        cb[i].aio_nbytes = UNCACHED_READ;
        cb[i].aio_sigevent.sigev_notify = SIGEV_NONE;
    }
    cb[0].aio_offset = 0;
    busy = aio_read(&cb[0]) == 0;
    for (;;) {
        ssize_t r = busy ? read_done(&cb[k]) : pread(fd, buf[k], UNCACHED_READ, (off_t)at);
        busy = 0;
        if (r < 0) {
            rc = -1;
            break;
        }
        if ((size_t)r == UNCACHED_READ) { /* the next read while this one is hashed */
            cb[1 - k].aio_offset = (off_t)(at + r);
            busy = aio_read(&cb[1 - k]) == 0;
        }
        sha256_update(ctx, (size_t)r, buf[k]);
        at += r;
        if ((size_t)r < UNCACHED_READ) {
            /* the end, unless the read was cut short: then the rest at an
             * offset O_DIRECT may not take, through the page cache */
            int plain = r ? open(path, O_RDONLY | O_CLOEXEC) : -1;
            if (r && plain < 0) {
                rc = -1;
                break;
            }
            while (plain >= 0 && (r = pread(plain, buf[k], UNCACHED_READ, (off_t)at)) > 0) {
                sha256_update(ctx, (size_t)r, buf[k]);
                at += r;
            }
            if (plain >= 0) {
                int e = errno;
                close(plain);
                errno = e;
                rc = r < 0 ? -1 : 0;
            }
            break;
        }
        k = 1 - k;
    }
    if (busy) { /* never free a buffer a read still fills */
        int e = errno;
        (void)read_done(&cb[1 - k]);
        errno = e;
    }
    free(buf[0]);
    free(buf[1]);
    return rc;
}

int fr_sha256_file_uncached(const char *path, char hex[65])
{
    hex[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECT);
    if (fd < 0)
        return errno == EINVAL ? fr_sha256_file(path, hex) : -1; /* no direct I/O on this file system */
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    int rc = hash_direct(fd, path, &ctx);
    int e = errno;
    close(fd);
    if (rc != 0) {
        if (e == EINVAL) /* refused at the first read */
            return fr_sha256_file(path, hex);
        errno = e;
        return -1;
    }
    end_hex(&ctx, hex);
    return 0;
}

void fr_sha256_buffer(const void *data, unsigned long size, char hex[65])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, size, data);
    end_hex(&ctx, hex);
}

struct fr_sha256_pieces {
    struct sha256_ctx ctx;
};

fr_sha256_pieces *fr_sha256_pieces_new(void)
{
    fr_sha256_pieces *s = malloc(sizeof *s);
    if (s)
        sha256_init(&s->ctx);
    return s;
}

void fr_sha256_pieces_add_bytes(fr_sha256_pieces *s, const void *bytes, size_t n)
{
    sha256_update(&s->ctx, n, bytes);
}

void fr_sha256_pieces_end(fr_sha256_pieces *s, char hex[65])
{
    end_hex(&s->ctx, hex);
    fr_sha256_pieces_free(s);
}

void fr_sha256_pieces_free(fr_sha256_pieces *s)
{
    free(s);
}

static int stat_of(const char *path, long long *size, long long *mtime_ns)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return -1;
    *size = (long long)sb.st_size;
    *mtime_ns = (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
    return 0;
}

/* d for dir/name: the size and modification time now, and the digest
 * given (hex) or read from the file (NULL). */
static int digest_of(const char *dir, const char *name, const char *hex, int uncached, fr_file_digest *d)
{
    memset(d, 0, sizeof *d);
    if (hex && strlen(hex) != 64) {
        errno = EINVAL;
        return -1;
    }
    char path[PATH_MAX + NAME_MAX + 2];
    if (strlen(name) >= sizeof d->name || snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (stat_of(path, &d->size, &d->mtime_ns) != 0 ||
        (!hex && (uncached ? fr_sha256_file_uncached : fr_sha256_file)(path, d->hex) != 0))
        return -1;
    if (hex)
        memcpy(d->hex, hex, 65);
    strcpy(d->name, name);
    d->taken = 1;
    return 0;
}

int fr_file_digest_take(const char *dir, const char *name, fr_file_digest *d)
{
    return digest_of(dir, name, NULL, 0, d);
}

int fr_file_digest_take_uncached(const char *dir, const char *name, fr_file_digest *d)
{
    return digest_of(dir, name, NULL, 1, d);
}

int fr_file_digest_known(const char *dir, const char *name, const char hex[65], fr_file_digest *d)
{
    return digest_of(dir, name, hex, 0, d);
}

int fr_file_digest_valid(const fr_file_digest *d, const char *name, const char *path)
{
    long long size, mtime_ns;
    return d->taken && !strcmp(d->name, name) && stat_of(path, &size, &mtime_ns) == 0 && size == d->size &&
           mtime_ns == d->mtime_ns;
}
