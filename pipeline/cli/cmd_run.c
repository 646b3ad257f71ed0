/*
 * cmd_run.c — the command line of `firerisk run` (the work is fr_run,
 * pipeline/run/run.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "progress.h"
#include "read.h"
#include "run.h"

static int cmd_run(int argc, char **argv);

static const char *const run_options[] = {
    "--config FILE.yaml\tthe run configuration (required); - reads it from stdin (relative paths then from the "
    "working directory)",
    "--out DIR\toutput directory (default: output.dir of the config, else out); a directory that firerisk owns and "
    "replaces as a whole",
    "--threads N\tOpenMP threads (default: all cores); outputs are byte-identical at any thread count",
    "--as-of YYYY-MM-DD\treference date of the features (default: as_of of the config, else today, UTC)",
    "--log-format text|json\ttext lines, or one JSON event per line on stderr for schedulers",
    "--accept\tpublish even when a quality check fails (a held night, exit 6); the manifest records it "
    "(docs/OPERATIONS.md)",
    "--quiet\tno summary and no progress on stderr (errors are still printed)",
    NULL};

const fr_cli_command fr_cli_run = {
    .name = "run",
    .main = cmd_run,
    .synopsis = "--config FILE.yaml [--out DIR] [--threads N] [--as-of YYYY-MM-DD] [--log-format text|json] [--accept] "
                "[--quiet]",
    .summary = "ingest, join, score and write the ranked outputs (the nightly job)",
    .description = "Reads the layers of the config, joins them, computes the features as of a date, scores and "
                   "ranks every parcel and writes the outputs into a new directory swapped in as a whole. A "
                   "progress line per stage (percent and time left where the total is known) is drawn on "
                   "stderr only when it is a terminal and --quiet is not given. A failing quality check holds the "
                   "run (exit 6: the outputs stay in staging, the published ones untouched) unless --accept.",
    .options = run_options,
};

/* Reports a usage error of `run` (exit code 1): a run_failed JSON event, or
 * the message on stderr. */
static int run_usage_error(const fr_log *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run_usage_error(const fr_log *log, const char *fmt, ...)
{
    fr_error e = {0};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    e.status = FR_E_USAGE;
    if (log->format == FR_LOG_JSON) {
        fr_log_failed(log, "run", FR_E_USAGE, &e);
        return 1;
    }
    return fr_cli_usage_error(&fr_cli_run, "%s", e.message);
}

/* The --log-format asked for anywhere on the command line (text when absent
 * or invalid), known before the options are parsed so that a usage error
 * of a run that asked for JSON is a JSON event too: the scheduler reading
 * the log never gets plain text. */
static fr_log_format requested_log_format(int argc, char **argv)
{
    fr_log_format f = FR_LOG_TEXT;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (!strcmp(argv[i], "--log-format") && i + 1 < argc)
            v = argv[i + 1];
        else if (!strncmp(argv[i], "--log-format=", 13))
            v = argv[i] + 13;
        if (v)
            fr_log_parse_format(v, &f); /* an invalid value leaves f as it was */
    }
    return f;
}

/* --out names a directory that firerisk replaces as a whole: a GeoPackage
 * file or a database would silently become a directory of that name. */
static const char *out_not_a_directory(const char *out)
{
    size_t n = strlen(out);
    if (!strncasecmp(out, "PG:", 3) || !strncasecmp(out, "postgresql://", 13))
        return "a database connection: write to PostGIS with output.postgis of the config";
    if ((n > 5 && !strcasecmp(out + n - 5, ".gpkg")) || (n > 7 && !strcasecmp(out + n - 7, ".sqlite")))
        return "a GeoPackage file: write the layers into a GeoPackage of your choosing with output.named_geopackage "
               "of the config (docs/CONFIG.md)";
    return NULL;
}

static int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"out", required_argument, 0, 'o'},
        {"threads", required_argument, 0, 't'}, {"as-of", required_argument, 0, 'a'},
        {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'},
        {"log-format", required_argument, 0, 'l'}, {"accept", no_argument, 0, 'A'}, {0, 0, 0, 0}};
    fr_run_options o = {0};
    fr_log log = {.format = requested_log_format(argc, argv), .fp = stderr};
    int quiet = 0, c;
    long threads = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":c:o:t:a:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'a': o.as_of = optarg; break;
        case 'q': quiet = 1; break;
        case 'A': o.accept = 1; break;
        case 'l':
            if (fr_log_parse_format(optarg, &log.format) != 0)
                return run_usage_error(&log, "--log-format must be text or json");
            break;
        case 't':
            if (fr_cli_parse_long(optarg, 1, 1024, &threads) != 0)
                return run_usage_error(&log, "--threads must be a whole number from 1 to 1024");
            break;
        case 'h': fr_cli_help(&fr_cli_run, stdout); return 0;
        default: {
            char msg[256];
            fr_cli_option_message(msg, sizeof msg, opts, c, argc, argv);
            return run_usage_error(&log, "run: %s", msg);
        }
        }
    }
    if (!o.config_path || optind < argc)
        return run_usage_error(&log, "%s", o.config_path ? "unexpected argument" : "run needs --config FILE.yaml");
    const char *why = o.out_dir ? out_not_a_directory(o.out_dir) : NULL;
    if (why)
        return run_usage_error(&log, "--out '%s' names an output directory, and this looks like %s", o.out_dir, why);
    o.threads = (int)threads;
    log.quiet = quiet;
    o.log = &log;
    geo_init();
    /* A progress bar only for a person watching: stderr a terminal, text
     * log, not --quiet.  Erased (freed) before anything else is printed. */
    fr_progress *progress = !quiet && log.format == FR_LOG_TEXT && isatty(STDERR_FILENO) ? fr_progress_new(stderr) : NULL;
    o.progress = progress;
    fr_run_summary summary;
    fr_error err = {0};
    fr_status st = fr_run(&o, &summary, &err);
    fr_progress_free(progress);
    if (st == FR_E_HELD && log.format == FR_LOG_TEXT && !quiet)
        fr_summary_print(&summary, stderr); /* what was found, then why it is held */
    if (st != FR_OK) {
        fr_log_failed(&log, "run", st, &err);
        return fr_status_exit_code(st);
    }
    fr_log_run_finished(&log, &summary, NULL);
    return 0;
}
