/*
 * input_files.h — what a run read, for the run manifest: every file behind
 * every configured layer (and the config itself) with size, modification
 * time and SHA-256, and the connection strings (passwords masked) of
 * sources that are not files.
 *
 * Hashing a GB of inputs costs about a second, so it runs on a background
 * thread started before the read stage (which is bound by GDAL on one
 * core) and joined before the manifest is written.  Files are stat'ed when
 * the run starts and again after the read stage: an export that another
 * department rewrote while firerisk was reading it is reported.
 */
#ifndef FR_INPUT_FILES_H
#define FR_INPUT_FILES_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "status.h"

typedef struct {
    char *path;            /* absolute when it could be resolved */
    char *layers;          /* "parcels, inspections" (roles read from it; "config" for the config) */
    long long size;        /* -1 when stat failed */
    struct timespec mtime;
    char sha256[65];       /* "" when not hashed (see error) */
    char identity[128];    /* "" or, for a file settled when stat'ed, its device, inode, size, mtime and ctime */
    int reused;            /* sha256 taken from the previous manifest for the same identity, not read */
    char error[160];       /* why it could not be hashed */
    int changed;           /* size or mtime differed after the read stage */
} fr_input_file;

typedef struct {
    char *role;
    char *source; /* masked connection string */
} fr_input_connection;

typedef struct {
    fr_input_file *files;
    size_t nfiles;
    fr_input_connection *conns;
    size_t nconns;
    pthread_t thread;
    int hashing;
} fr_inputs;

/* Lists the files of the config and of every configured layer and stats
 * them.  Sources GDAL cannot open contribute nothing (the reader reports
 * them). */
fr_status fr_inputs_collect(const fr_config *cfg, fr_inputs *in, fr_error *err);

/* Starts hashing on a background thread (call once, after collect).  A
 * file whose identity (device, inode, size, modification and change times)
 * the run_manifest.json at previous_manifest (may be NULL or missing) lists
 * for the same path with a sha256 keeps that sha256 and is not read again.
 *
 * Why: a department's parcels and inspections exports change far less
 * often than the nightly run; hashing a 1.7 GB GeoPackage again took 1.4 s
 * of CPU beside the read stage every night (0.5 s of the 1M city's 9 s
 * run).  Why it is safe: the change time (ctime) moves with every write
 * and no program can set it back; an identity is only written for a file
 * whose ctime was FR_INPUT_SETTLED_S or more before the stat, so that a
 * file system with coarse times cannot hide a write made in the same tick
 * as the hash (git's "racy" index entries, the same care). */
fr_status fr_inputs_hash_start(fr_inputs *in, const char *previous_manifest, fr_error *err);

/* Seconds a file's last change must lie behind the run's stat of it for
 * its identity to be recorded (fr_inputs_hash_start). */
#define FR_INPUT_SETTLED_S 10

/* Waits for the hashes. */
void fr_inputs_hash_wait(fr_inputs *in);

/* Stats every file again; returns how many changed since collect, and
 * marks them. */
size_t fr_inputs_recheck(fr_inputs *in);

/* Waits for the thread if needed and frees everything (the struct itself
 * may be on the stack). */
void fr_inputs_free(fr_inputs *in);

#endif
