/*
 * filehash.h — SHA-256 of a file, for the run manifest (inputs and
 * outputs).  nettle (Debian nettle-dev) does the hashing: a small,
 * single-purpose library that uses the CPU's SHA instructions (about
 * 1.3 GB/s here), where GDAL's own CPL_SHA256 is not an installed header.
 */
#ifndef FR_FILEHASH_H
#define FR_FILEHASH_H

/* Lower-case hex digest of the file's bytes into hex[65].  Returns 0, or
 * -1 with errno set. */
int fr_sha256_file(const char *path, char hex[65]);

/* Same for a buffer. */
void fr_sha256_buffer(const void *data, unsigned long size, char hex[65]);

#endif
