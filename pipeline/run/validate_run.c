/*
 * validate_run.c — `firerisk validate` (see validate_run.h): the read and
 * join stages of the run, then a report in place of the outputs.
 */
#include "validate_run.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "run_internal.h"
#include "source_info.h"

/* The source of every configured layer, as GDAL describes it. */
static fr_status describe_sources(const fr_config *cfg, FILE *fp, fr_error *err)
{
    fprintf(fp, "sources:\n");
    size_t n = CFG_ROLE_LAYERS + cfg->layers.nzones;
    for (size_t k = 0; k < n; k++) {
        const cfg_layer *l = k < CFG_ROLE_LAYERS ? cfg_role_layer(&cfg->layers, k)
                                                 : &cfg->layers.zones[k - CFG_ROLE_LAYERS];
        if (!l->present)
            continue;
        geo_source_info info;
        fr_status st = geo_source_describe(l->source, l->source_label, l->layer,
                                           (const char *const *)l->open_options, &info, err);
        if (st != FR_OK)
            return st;
        fprintf(fp, "  %-13s %s (%s), layer %s: %lld features, %s, CRS %s%s%s\n", l->role,
                l->source_label ? l->source_label : l->source, info.driver, info.layer, info.features,
                info.geometry, l->crs ? l->crs : info.crs, l->crs ? " (layers." : "",
                l->crs ? "crs of the config)" : "");
        fprintf(fp, "  %-13s fields:", "");
        for (size_t f = 0; f < l->nfields; f++)
            fprintf(fp, "%s %s <- %s", f ? "," : "", l->fields[f].logical, l->fields[f].source);
        fprintf(fp, "%s\n", l->nfields ? "" : " (none mapped)");
    }
    return FR_OK;
}

/* First and last date of a dated layer's kept records. */
static void date_range(const geo_layer *l, FILE *fp)
{
    int c = l ? geo_layer_find_column(l, "date") : -1;
    if (c < 0)
        return;
    int32_t lo = 0, hi = 0;
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++) {
        int32_t d = l->cols[c].date[i];
        if (d == GEO_DATE_MISSING)
            continue;
        if (!n || d < lo)
            lo = d;
        if (!n || d > hi)
            hi = d;
        n++;
    }
    char a[11] = "-", b[11] = "-";
    if (n) {
        fr_format_date(lo, a);
        fr_format_date(hi, b);
    }
    fprintf(fp, "  %-13s dates %s .. %s (%zu records with a date)\n", l->name, a, b, n);
}

static void report_counts(const fr_run_summary *s, FILE *fp)
{
    fprintf(fp, "records (as the run would read them):\n");
    fprintf(fp, "  %-13s %9s %9s %9s\n", "layer", "read", "rejected", "kept");
    for (size_t k = 0; k < s->nlayers; k++) {
        const fr_layer_counts *c = &s->layers[k];
        if (c->present)
            fprintf(fp, "  %-13s %9zu %9zu %9zu\n", c->name, c->read, c->rejected_read, c->kept);
    }
}

fr_status fr_validate(const fr_validate_options *opt, char **report, fr_error *err)
{
    *report = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(report, &size);
    if (!fp)
        return fr_error_oom_while(err, "validating");
    fr_run_summary *sum = calloc(1, sizeof *sum);
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.sum = sum;
    if (opt->threads > 0)
        omp_set_num_threads(opt->threads);
    fr_status st = sum ? fr_config_load(opt->config_path, &ctx.cfg, err) : fr_error_oom(err);
    if (st == FR_OK) {
        fprintf(fp, "config: %s loads (every key known, every value in range)\n",
                strcmp(opt->config_path, "-") ? opt->config_path : "<stdin>");
        ctx.as_of = ctx.cfg.as_of_set ? ctx.cfg.as_of : fr_today_utc();
        if (opt->as_of && fr_parse_date(opt->as_of, "%Y-%m-%d", &ctx.as_of) != 0)
            st = fr_error_set(err, FR_E_USAGE, "--as-of '%s' is not a date YYYY-MM-DD", opt->as_of);
        fr_format_date(ctx.as_of, sum->as_of);
    }
    /* the run's own reader first, so that a source it refuses fails here
     * with the status (exit code) the run would have */
    if (st == FR_OK)
        st = run_read_inputs(&ctx, err);
    if (st == FR_OK)
        st = describe_sources(&ctx.cfg, fp, err);
    if (st == FR_OK) {
        fprintf(fp, "working CRS: %s\n", sum->working_crs[0] ? sum->working_crs : ctx.cfg.working_crs);
        if (ctx.insp || ctx.inc)
            fprintf(fp, "dated layers:\n");
        date_range(ctx.insp, fp);
        date_range(ctx.inc, fp);
        report_counts(sum, fp);
        st = run_join(&ctx, err);
    }
    if (st == FR_OK) {
        run_account(&ctx);
        fprintf(fp, "joins (every record, as the run would match it; as_of %s):\n", sum->as_of);
        fr_summary_print_matching(sum, fp);
        if (sum->reject_reasons[0])
            fprintf(fp, "records the run would reject, by reason:\n%s", sum->reject_reasons);
        else
            fprintf(fp, "records the run would reject: none\n");
        size_t read = 0, used = 0, rejected = 0;
        for (size_t k = 0; k < sum->nlayers; k++)
            if (sum->layers[k].present) {
                read += sum->layers[k].read;
                used += sum->layers[k].used;
                rejected += sum->layers[k].rejected;
            }
        fprintf(fp, "accounting: %zu read = %zu used + %zu rejected%s\n", read, used, rejected,
                read == used + rejected ? "" : "  (does not balance: a bug)");
        fprintf(fp, "validate: ok, nothing written\n");
    }
    run_ctx_free(&ctx);
    free(sum);
    fclose(fp);
    return st;
}
