/*
 * manifest.h — run_manifest.json, written next to the outputs by every
 * successful run: what ran (version, config with passwords masked,
 * effective settings), on what (every input file with size, modification
 * time and SHA-256), what came of it (counts per layer and stage, reject
 * and warning reasons, accounting, outputs with size and SHA-256) and how
 * long each stage took.  Fields: docs/OUTPUTS.md.
 *
 * The manifest is written into the staging directory last, so it lists
 * exactly the files published with it; a later run reads its "outputs" to
 * know which files in the output directory are firerisk's (outdir.c).
 */
#ifndef FR_MANIFEST_H
#define FR_MANIFEST_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "filehash.h"
#include "input_files.h"
#include "rejects.h"
#include "run.h"
#include "status.h"

#define FR_MANIFEST_NAME "run_manifest.json"

/* The output files hashed ahead of the manifest (fr_outputs_hash): sorted
 * by name, with their sizes. */
typedef struct {
    size_t count;
    char **names;
    long long *size;
    char (*sha256)[65];
} fr_output_hashes;

/* Hashes every file in dir but the manifest, on every thread, but those of
 * digests (ndigests, may be NULL: the map layers, hashed on their writers'
 * threads) that are still valid (fr_file_digest_valid).  The write stage
 * does it (run_outputs.c) while the files are still in the page cache, so
 * that its time is counted in the stage; the manifest reuses a hash whose
 * file has the same name and size (nothing rewrites a staged file). */
fr_status fr_outputs_hash(const char *dir, const fr_file_digest *digests, size_t ndigests, fr_output_hashes *out,
                          fr_error *err);
void fr_output_hashes_free(fr_output_hashes *h);

typedef struct {
    const fr_run_summary *summary;
    const fr_config *cfg;
    const fr_inputs *inputs;
    const geo_rejects *rejects, *warnings;
    const char *out_dir;      /* the published directory (absolute) */
    const char *as_of_from;   /* "config", "--as-of" or "today" */
    int threads;
    struct timespec started;  /* wall clock */
    const char *const *notes; /* warnings logged during the run */
    size_t nnotes;
    const fr_output_hashes *hashed; /* outputs hashed already, or NULL */
} fr_manifest_info;

/* Writes DIR/run_manifest.json (hashing every other file in DIR). */
fr_status fr_manifest_write(const char *dir, const fr_manifest_info *info, fr_error *err);

/* Every layer balances: read = used + rejected.  On failure names the
 * first layer that does not, with its counts. */
fr_status fr_accounting_check(const fr_run_summary *s, fr_error *err);

#endif
