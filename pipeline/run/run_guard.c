/*
 * run_guard.c — what makes `firerisk run` safe to leave to a scheduler,
 * wired around the stages of run.c:
 *
 *   begin      the output directory is locked and checked before any work
 *              (a second run, a read-only or wrong --out fail in
 *              milliseconds, not after an hour of reading); the files of
 *              every input are listed and hashed on a background thread
 *   after_read inputs rewritten while they were read are reported
 *   publish    the accounting must balance; the manifest is written into
 *              the staging directory last, then the directory is swapped
 *              into place (outdir.c)
 *
 * Everything noticed on the way (stale lock, leftovers of a killed run,
 * inputs that changed) is logged as a warning and kept in the manifest.
 */
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "input_files.h"
#include "log.h"
#include "manifest.h"
#include "outdir.h"
#include "run_internal.h"

#define MAX_NOTES 24

struct run_guard {
    fr_outdir *outdir;
    fr_inputs inputs;
    struct timespec started;
    char *notes[MAX_NOTES];
    size_t nnotes;
    fr_output_hashes hashed; /* the staged outputs, hashed by run_guard_flush */
};

static void warn(run_ctx *ctx, const char *event, const char *text)
{
    struct run_guard *g = ctx->guard;
    fr_log_event(ctx->log, FR_LOG_WARNING, event, "%s", text);
    if (g->nnotes < MAX_NOTES && (g->notes[g->nnotes] = strdup(text)) != NULL)
        g->nnotes++;
}

static void warn_notes(run_ctx *ctx, const fr_outdir_notes *n)
{
    for (size_t i = 0; i < n->count; i++)
        warn(ctx, n->event[i], n->text[i]);
}

fr_status run_guard_begin(run_ctx *ctx, fr_error *err)
{
    struct run_guard *g = calloc(1, sizeof *g);
    if (!g)
        return fr_error_oom(err);
    ctx->guard = g;
    clock_gettime(CLOCK_REALTIME, &g->started);
    fr_outdir_notes notes = {0};
    fr_status st = fr_outdir_open(ctx->out_dir, &g->outdir, &notes, err);
    warn_notes(ctx, &notes);
    if (st != FR_OK)
        return st;
    st = fr_inputs_collect(&ctx->cfg, &g->inputs, err);
    char previous[PATH_MAX + 32];
    snprintf(previous, sizeof previous, "%s/%s", run_guard_out_path(ctx), FR_MANIFEST_NAME);
    if (st == FR_OK)
        st = fr_inputs_hash_start(&g->inputs, previous, err);
    return st;
}

void run_guard_after_read(run_ctx *ctx)
{
    struct run_guard *g = ctx->guard;
    if (!g || fr_inputs_recheck(&g->inputs) == 0)
        return;
    for (size_t i = 0; i < g->inputs.nfiles; i++) {
        const fr_input_file *f = &g->inputs.files[i];
        if (!f->changed)
            continue;
        char text[4608];
        snprintf(text, sizeof text,
                 "%s (%s) changed while the run was reading it; the outputs may mix two versions of it: "
                 "run again once the export is complete",
                 f->path, f->layers);
        warn(ctx, "inputs_changed", text);
    }
}

fr_status run_guard_staging(run_ctx *ctx, const char **dir, fr_error *err)
{
    if (!ctx->guard || !ctx->guard->outdir)
        return fr_error_set(err, FR_E_INTERNAL, "outputs written without run_guard_begin");
    return fr_outdir_staging(ctx->guard->outdir, dir, err);
}

fr_status run_guard_flush(run_ctx *ctx, fr_error *err)
{
    struct run_guard *g = ctx->guard;
    const char *dir = NULL;
    fr_status st = run_guard_staging(ctx, &dir, err);
    if (st == FR_OK) {
        fr_output_hashes_free(&g->hashed);
        st = fr_outputs_hash(dir, ctx->digests, ctx->ndigests, &g->hashed, err);
    }
    return st == FR_OK ? fr_outdir_flush_staged(g->outdir, err) : st;
}

fr_status run_guard_publish(run_ctx *ctx, fr_error *err)
{
    struct run_guard *g = ctx->guard;
    if (!g || !g->outdir)
        return fr_error_set(err, FR_E_INTERNAL, "outputs published without run_guard_begin");
    fr_status st = fr_accounting_check(ctx->sum, err);
    const char *dir = NULL;
    if (st == FR_OK)
        st = fr_outdir_staging(g->outdir, &dir, err);
    if (st != FR_OK)
        return st;
    fr_inputs_hash_wait(&g->inputs);
    const fr_run_options *opt = ctx->opt;
    fr_manifest_info info = {
        .summary = ctx->sum, .cfg = &ctx->cfg, .inputs = &g->inputs, .rejects = &ctx->rejects,
        .warnings = &ctx->warnings, .out_dir = fr_outdir_path(g->outdir),
        .as_of_from = opt && opt->as_of ? "--as-of" : ctx->cfg.as_of_set ? "config" : "today",
        .threads = opt && opt->threads > 0 ? opt->threads : omp_get_max_threads(),
        .started = g->started, .notes = (const char *const *)g->notes, .nnotes = g->nnotes,
        .hashed = &g->hashed,
    };
    st = fr_manifest_write(dir, &info, err);
    fr_outdir_notes notes = {0};
    if (st == FR_OK)
        st = fr_outdir_commit(g->outdir, &notes, err);
    warn_notes(ctx, &notes);
    return st;
}

fr_status run_guard_hold(run_ctx *ctx, const char **kept, fr_error *err)
{
    struct run_guard *g = ctx->guard;
    if (!g || !g->outdir)
        return fr_error_set(err, FR_E_INTERNAL, "outputs held without run_guard_begin");
    return fr_outdir_hold(g->outdir, kept, err);
}

const char *run_guard_out_path(const run_ctx *ctx)
{
    return ctx->guard && ctx->guard->outdir ? fr_outdir_path(ctx->guard->outdir) : ctx->out_dir;
}

void run_guard_free(run_ctx *ctx)
{
    struct run_guard *g = ctx->guard;
    if (!g)
        return;
    fr_inputs_free(&g->inputs);
    fr_output_hashes_free(&g->hashed);
    fr_outdir_notes notes = {0};
    fr_outdir_finish(g->outdir, &notes); /* the previous outputs' removal, begun at the commit */
    warn_notes(ctx, &notes);
    fr_outdir_close(g->outdir);
    for (size_t i = 0; i < g->nnotes; i++)
        free(g->notes[i]);
    free(g);
    ctx->guard = NULL;
}
