/*
 * filehash.h — SHA-256 of a file, for the run manifest (inputs and
 * outputs).  nettle (Debian nettle-dev) does the hashing: a small,
 * single-purpose library that uses the CPU's SHA instructions (about
 * 1.3 GB/s here), where GDAL's own CPL_SHA256 is not an installed header.
 */
#ifndef FR_FILEHASH_H
#define FR_FILEHASH_H

#include <stddef.h>

/* Lower-case hex digest of the file's bytes into hex[65].  Returns 0, or
 * -1 with errno set. */
int fr_sha256_file(const char *path, char hex[65]);

/* The same, read with direct I/O (O_DIRECT, where the file system takes
 * it) rather than through the page cache: for a large file written past
 * the cache (the GeoPackage, geo/write/gpkg_vfs.h), which would otherwise
 * come back into it whole, a fresh page for every 4 KiB on a VM that gives
 * free memory back to its host.  Two 4 MB reads take turns, one read while
 * the other is hashed. */
int fr_sha256_file_uncached(const char *path, char hex[65]);

/* Same for a buffer. */
void fr_sha256_buffer(const void *data, unsigned long size, char hex[65]);

/* The SHA-256 of a file taken in pieces, in file order, from its bytes as
 * its writer writes them (geo_out_tap, out_buf.h: the GeoJSON and the
 * Shapefile's files, run_layer_jobs.c), nothing read back.
 * fr_sha256_pieces_new: NULL out of memory.  fr_sha256_pieces_add_bytes:
 * the next n bytes.  fr_sha256_pieces_end: the hex digest of everything
 * added, and frees s; fr_sha256_pieces_free frees it without (NULL: does
 * nothing). */
typedef struct fr_sha256_pieces fr_sha256_pieces;
fr_sha256_pieces *fr_sha256_pieces_new(void);
void fr_sha256_pieces_add_bytes(fr_sha256_pieces *s, const void *bytes, size_t n);
void fr_sha256_pieces_end(fr_sha256_pieces *s, char hex[65]);
void fr_sha256_pieces_free(fr_sha256_pieces *s);

/* A file's digest taken as soon as it was complete (the run hashes each
 * map layer on its writer's thread, overlapped with the other writers),
 * with the size and modification time it had then: the manifest takes it
 * instead of reading the file again while both still match
 * (fr_file_digest_valid).  Zero-initialised = none. */
typedef struct {
    char name[64];      /* file name within its directory */
    long long size;
    long long mtime_ns;
    char hex[65];
    int taken;
} fr_file_digest;

/* Hashes dir/name into *d.  Returns 0, or -1 with errno set (*d then not
 * taken). */
int fr_file_digest_take(const char *dir, const char *name, fr_file_digest *d);

/* The same, hashed with fr_sha256_file_uncached. */
int fr_file_digest_take_uncached(const char *dir, const char *name, fr_file_digest *d);

/* The same for a file whose digest its writer took as it wrote it
 * (geo_out_buf_open_hashed): hex kept, the size and modification time read
 * now, after the writer closed it.  Returns 0, or -1 with errno set. */
int fr_file_digest_known(const char *dir, const char *name, const char hex[65], fr_file_digest *d);

/* 1 when d was taken of a file named name and path still has its size
 * and modification time. */
int fr_file_digest_valid(const fr_file_digest *d, const char *name, const char *path);

#endif
