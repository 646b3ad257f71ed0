/*
 * run_match_only.c — fr_match (run.h): `firerisk match`, the read and join
 * stages of a run and nothing else, so that an analyst tuning a new city's
 * address and id columns sees in seconds how its records match: matches.csv
 * (the join audit), rejects.csv and match_summary.txt, written straight
 * into the directory asked for (no staging: nothing of a run's outputs is
 * replaced).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "dates.h"
#include "run_internal.h"
#include "write.h"

static fr_status match_join(run_ctx *ctx, fr_error *err)
{
    size_t n = ctx->parcels->count;
    ctx->rx = malloc((n ? n : 1) * sizeof *ctx->rx);
    ctx->ry = malloc((n ? n : 1) * sizeof *ctx->ry);
    if (!ctx->rx || !ctx->ry)
        return fr_error_oom(err);
    run_ids_for_join(ctx);
    fr_status st = geo_parcel_prepare(ctx->parcels, geo_layer_find_column(ctx->parcels, "parcel_id"), &ctx->pix,
                                      &ctx->ids, ctx->rx, ctx->ry, err);
    if (st == FR_OK && ctx->insp)
        st = run_match_layer(ctx, ctx->insp, LAYER_INSPECTIONS, &ctx->insp_match, err);
    if (st == FR_OK && ctx->inc)
        st = run_match_layer(ctx, ctx->inc, LAYER_INCIDENTS, &ctx->inc_match, err);
    return st;
}

static fr_status write_summary(const run_ctx *ctx, const char *path, fr_error *err)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    fr_summary_print_matching(ctx->sum, fp);
    if (fclose(fp) != 0)
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    return FR_OK;
}

fr_status fr_match(const fr_run_options *opt, fr_run_summary *summary, fr_error *err)
{
    run_ctx ctx;
    fr_status st = run_ctx_open(&ctx, opt, summary, err);
    const char *out = opt->out_dir ? opt->out_dir : "match";
    snprintf(summary->out_dir, sizeof summary->out_dir, "%s", out);
    if (st == FR_OK && !ctx.cfg.layers.inspections.present && !ctx.cfg.layers.incidents.present)
        st = fr_error_set(err, FR_E_CONFIG, "%s: match needs layers.inspections or layers.incidents to match",
                          opt->config_path);
    if (st == FR_OK && mkdir(out, 0777) != 0 && errno != EEXIST)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot create the directory: %s", out, strerror(errno));
    if (st == FR_OK) {
        ctx.as_of = ctx.cfg.as_of_set ? ctx.cfg.as_of : fr_today_utc();
        double t0 = fr_clock_seconds();
        st = run_read_inputs(&ctx, err);
        double t1 = fr_clock_seconds();
        summary->seconds[FR_STAGE_READ] = t1 - t0;
        if (st == FR_OK)
            st = match_join(&ctx, err);
        summary->seconds[FR_STAGE_JOIN] = fr_clock_seconds() - t1;
    }
    char path[1200];
    if (st == FR_OK) {
        snprintf(path, sizeof path, "%s/matches.csv", out);
        st = run_write_matches(&ctx, NULL, path, NULL, 0, err);
    }
    if (st == FR_OK) {
        snprintf(path, sizeof path, "%s/rejects.csv", out);
        st = geo_write_rejects_csv(&ctx.rejects, path, err);
    }
    if (st == FR_OK) {
        snprintf(path, sizeof path, "%s/match_summary.txt", out);
        st = write_summary(&ctx, path, err);
    }
    run_ctx_free(&ctx);
    return st;
}
