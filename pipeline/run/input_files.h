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

/* Starts hashing on a background thread (call once, after collect). */
fr_status fr_inputs_hash_start(fr_inputs *in, fr_error *err);

/* Waits for the hashes. */
void fr_inputs_hash_wait(fr_inputs *in);

/* Stats every file again; returns how many changed since collect, and
 * marks them. */
size_t fr_inputs_recheck(fr_inputs *in);

/* Waits for the thread if needed and frees everything (the struct itself
 * may be on the stack). */
void fr_inputs_free(fr_inputs *in);

#endif
