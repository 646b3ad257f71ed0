/*
 * filehash.c — SHA-256 of files and buffers with nettle (see filehash.h).
 */
#include "filehash.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

static void to_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
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
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    to_hex(digest, hex);
    return 0;
}

void fr_sha256_buffer(const void *data, unsigned long size, char hex[65])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, size, data);
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    to_hex(digest, hex);
}

struct fr_sha256_pieces {
    struct sha256_ctx ctx;
    uint8_t *buf; /* 1 MB for pread, at the first piece read back (a tap never reads) */
};

fr_sha256_pieces *fr_sha256_pieces_new(void)
{
    fr_sha256_pieces *s = malloc(sizeof *s);
    if (s) {
        s->buf = NULL;
        sha256_init(&s->ctx);
    }
    return s;
}

int fr_sha256_pieces_add(fr_sha256_pieces *s, int fd, long long from, long long to)
{
    if (from < to && !s->buf && !(s->buf = malloc((size_t)1 << 20))) {
        errno = ENOMEM;
        return -1;
    }
    while (from < to) {
        size_t want = to - from < (1 << 20) ? (size_t)(to - from) : (size_t)1 << 20;
        ssize_t r = pread(fd, s->buf, want, (off_t)from);
        if (r <= 0) {
            if (r == 0)
                errno = EIO; /* shorter than the rows written */
            return -1;
        }
        sha256_update(&s->ctx, (size_t)r, s->buf);
        from += r;
    }
    return 0;
}

void fr_sha256_pieces_add_bytes(fr_sha256_pieces *s, const void *bytes, size_t n)
{
    sha256_update(&s->ctx, n, bytes);
}

void fr_sha256_pieces_end(fr_sha256_pieces *s, char hex[65])
{
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&s->ctx, SHA256_DIGEST_SIZE, digest);
    to_hex(digest, hex);
    fr_sha256_pieces_free(s);
}

void fr_sha256_pieces_free(fr_sha256_pieces *s)
{
    if (s)
        free(s->buf);
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
static int digest_of(const char *dir, const char *name, const char *hex, fr_file_digest *d)
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
    if (stat_of(path, &d->size, &d->mtime_ns) != 0 || (!hex && fr_sha256_file(path, d->hex) != 0))
        return -1;
    if (hex)
        memcpy(d->hex, hex, 65);
    strcpy(d->name, name);
    d->taken = 1;
    return 0;
}

int fr_file_digest_take(const char *dir, const char *name, fr_file_digest *d)
{
    return digest_of(dir, name, NULL, d);
}

int fr_file_digest_known(const char *dir, const char *name, const char hex[65], fr_file_digest *d)
{
    return digest_of(dir, name, hex, d);
}

int fr_file_digest_valid(const fr_file_digest *d, const char *name, const char *path)
{
    long long size, mtime_ns;
    return d->taken && !strcmp(d->name, name) && stat_of(path, &size, &mtime_ns) == 0 && size == d->size &&
           mtime_ns == d->mtime_ns;
}
