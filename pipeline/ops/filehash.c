/*
 * filehash.c — SHA-256 of files and buffers with nettle (see filehash.h).
 */
#include "filehash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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
