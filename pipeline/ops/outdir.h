/*
 * outdir.h — the output directory of a nightly run: one writer at a time,
 * and all-or-nothing replacement of the previous outputs.
 *
 * A run's files are a set (the ranked layers, the target list, the rejects,
 * the manifest that lists their hashes): renaming them one by one is not
 * atomic as a set, so a run killed between two renames would leave today's
 * GeoJSON beside yesterday's target list.  Instead the whole new directory
 * is built beside the target and swapped in with one
 * renameat2(RENAME_EXCHANGE) (fallback on file systems without it: two
 * renames, and the next run repairs an interruption between them).  Files,
 * the new directory and the parent are fsync'ed before and after the swap,
 * so a power cut cannot publish an empty file either.
 *
 * Names beside the target OUT (in its parent directory):
 *   .OUT.firerisk.lock   the lock: flock(2) held for the whole run, and the
 *                        holder's pid, host and start time as text (emptied
 *                        on a clean exit).  The kernel drops a dead
 *                        process's flock, so a stale lock is never obeyed;
 *                        its leftover text says which run died, and is
 *                        reported.
 *   .OUT.firerisk-new    the directory being written (removed if the run
 *                        fails; a killed run's is removed by the next run)
 *   .OUT.firerisk-old    the previous outputs just after the swap, being
 *                        removed
 *   .OUT.firerisk-held   the outputs of a run held by a quality check, kept
 *                        for inspection (replaced by the next held run,
 *                        removed by the next published one)
 *
 * The target belongs to firerisk: each run replaces it as a whole.  Files
 * in it that firerisk did not write (not listed in its run_manifest.json,
 * not a known output name) are kept: hard-linked into the new directory.
 * A subdirectory that is not firerisk's stops the run before any work, so
 * that a wrong --out (a home directory, ".") can never be swapped away.
 *
 * Library code: returns fr_status + fr_error, never prints; what it noticed
 * (a stale lock, leftovers of a killed run) is returned as notes for the
 * caller's log.
 */
#ifndef FR_OUTDIR_H
#define FR_OUTDIR_H

#include <stddef.h>

#include "status.h"

typedef struct fr_outdir fr_outdir;

#define FR_OUTDIR_MAX_NOTES 8

/* Things worth a line in the log, found while opening or committing; each
 * with a stable event name: stale_lock, recovered, outputs_kept,
 * cleanup_failed, held_outputs_removed. */
typedef struct {
    size_t count;
    const char *event[FR_OUTDIR_MAX_NOTES];
    char text[FR_OUTDIR_MAX_NOTES][640];
} fr_outdir_notes;

/* Resolves PATH (a symlink is followed: the directory it points to is the
 * one replaced), creates its parent directories if missing, takes the lock,
 * cleans up after a killed run, and checks that the target can be replaced:
 * parent and target writable, on one file system, no foreign subdirectory.
 * Fails with FR_E_BUSY when another live run holds the lock (the message
 * names its pid, host and start time), FR_E_OUTPUT for anything else.
 * On success *out owns the lock until fr_outdir_close(). */
fr_status fr_outdir_open(const char *path, fr_outdir **out, fr_outdir_notes *notes, fr_error *err);

/* The directory to write the new outputs into (created empty on the first
 * call; an absolute path owned by d). */
fr_status fr_outdir_staging(fr_outdir *d, const char **staging, fr_error *err);

/* The target as resolved (absolute, symlinks followed). */
const char *fr_outdir_path(const fr_outdir *d);

/* Publishes the staging directory as the target: keeps foreign files,
 * fsyncs every file and both directories, swaps, and starts removing the
 * previous outputs on a thread of its own (fr_outdir_finish waits for it
 * and tells cleanup_failed).  On failure the previous outputs are
 * untouched. */
fr_status fr_outdir_commit(fr_outdir *d, fr_outdir_notes *notes, fr_error *err);

/* Waits for the removal of the previous outputs that fr_outdir_commit
 * started, if any; a failure is noted (cleanup_failed).  fr_outdir_close
 * waits too, without the note. */
void fr_outdir_finish(fr_outdir *d, fr_outdir_notes *notes);

/* fsyncs every file written into the staging directory so far, on every
 * thread, before the commit (whose own fsyncs then find them clean): the
 * write stage does it, so that its time is counted in the stage. */
fr_status fr_outdir_flush_staged(fr_outdir *d, fr_error *err);

/* Keeps the staging directory for inspection instead of publishing it:
 * renamed to .OUT.firerisk-held (replacing an earlier one), its path in
 * *held (owned by d).  The target is untouched. */
fr_status fr_outdir_hold(fr_outdir *d, const char **held, fr_error *err);

/* Removes an uncommitted staging directory, releases the lock, frees d.
 * NULL is allowed. */
void fr_outdir_close(fr_outdir *d);

/* fsyncs a file or directory by path (used for files written elsewhere). */
int fr_outdir_fsync_path(const char *path);

#endif
