/*
 * main.c — the firerisk command line.  Parses arguments and calls the
 * pipeline; nothing else lives here.
 *
 *   firerisk run --config FILE.yaml [--out DIR] [--threads N] [--as-of YYYY-MM-DD] [--quiet] [--accept]
 *   firerisk synth --parcels N --seed S --out DIR
 *   firerisk version | help
 *
 * Exit codes: 0 ok, 1 usage or configuration, 2 input data, 3 output/IO,
 * 4 internal, 5 output directory locked, 6 run held by a quality check
 * (base/status.h).
 */
#include <getopt.h>
#include <omp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "progress.h"
#include "cmd_match.h"
#include "cmd_evaluate.h"
#include "cmd_explain.h"
#include "cmd_models.h"
#include "read.h"
#include "run.h"
#include "synth.h"
#include "synth_city.h"

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage:\n"
            "  firerisk run --config FILE.yaml [--out DIR] [--threads N] [--as-of YYYY-MM-DD] [--quiet]\n"
            "               [--log-format text|json] [--accept]\n"
            "      ingest, join, score and write the ranked outputs (see README.md); a failing quality\n"
            "      check holds the run (exit 6) unless --accept (docs/OPERATIONS.md)\n"
            "  firerisk synth --parcels N [--seed S] [--visit-effect E] --out DIR\n"
            "      write a synthetic city (GeoPackage + firerisk.yaml + truth.csv) into DIR\n"
            "  firerisk version\n"
            "  firerisk help\n");
    fr_cmd_models_usage(fp);
    fr_cmd_match_usage(fp);
    fr_cmd_explain_usage(fp);
    fr_cmd_evaluate_usage(fp);
    fprintf(fp,
            "exit codes: 0 ok, 1 usage/configuration, 2 input data, 3 output/IO, 4 internal,\n"
            "            5 output directory locked by another run, 6 run held by a quality check\n");
}

static int fail(fr_status st, const fr_error *err)
{
    fprintf(stderr, "firerisk: error: %s\n", err->message[0] ? err->message : fr_status_text(st));
    return fr_status_exit_code(st);
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
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

/* Reports a usage error of `run` (exit code 1): a run_failed JSON event, or
 * the message (and, with show_usage, the usage text) on stderr. */
static int run_usage_error(const fr_log *log, int show_usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int run_usage_error(const fr_log *log, int show_usage, const char *fmt, ...)
{
    fr_error e = {0};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    e.status = FR_E_USAGE;
    if (log->format == FR_LOG_JSON) {
        fr_log_failed(log, "run", FR_E_USAGE, &e);
    } else {
        fprintf(stderr, "firerisk: error: %s\n", e.message);
        if (show_usage)
            usage(stderr);
    }
    return 1;
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
    opterr = log.format == FR_LOG_TEXT; /* JSON: getopt's own messages would be plain text */
    while ((c = getopt_long(argc, argv, "c:o:t:a:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'a': o.as_of = optarg; break;
        case 'q': quiet = 1; break;
        case 'A': o.accept = 1; break;
        case 'l':
            if (fr_log_parse_format(optarg, &log.format) != 0)
                return run_usage_error(&log, 0, "--log-format must be text or json");
            break;
        case 't':
            if (parse_long(optarg, 1, 1024, &threads) != 0)
                return run_usage_error(&log, 0, "--threads must be a whole number from 1 to 1024");
            break;
        case 'h': usage(stdout); return 0;
        default:
            if (log.format == FR_LOG_TEXT) { /* getopt said what was wrong */
                usage(stderr);
                return 1;
            }
            return run_usage_error(&log, 0, "unknown option or option without its value: '%s' (see firerisk help)",
                                   argv[optind - 1]);
        }
    }
    if (!o.config_path || optind < argc)
        return run_usage_error(&log, 1, "%s", o.config_path ? "unexpected argument" : "run needs --config FILE.yaml");
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

static int cmd_synth(int argc, char **argv)
{
    static const struct option opts[] = {{"parcels", required_argument, 0, 'n'}, {"seed", required_argument, 0, 's'},
                                         {"out", required_argument, 0, 'o'},     {"threads", required_argument, 0, 't'},
                                         {"help", no_argument, 0, 'h'},          {"visit-effect", required_argument, 0, 'e'},
                                         {0, 0, 0, 0}};
    long parcels = -1, seed = 1, threads = 0;
    double visit_effect = SYNTH_VISIT_EFFECT;
    const char *out = NULL;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "n:s:o:t:he:", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            visit_effect = strtod(optarg, &end);
            if (end == optarg || *end || !(visit_effect >= 0 && visit_effect <= 1)) {
                fprintf(stderr, "firerisk: error: --visit-effect must be a number from 0 to 1\n");
                return 1;
            }
            break;
        case 'n':
            if (parse_long(optarg, 1, 50000000, &parcels) != 0) {
                fprintf(stderr, "firerisk: error: --parcels must be a whole number from 1 to 50000000\n");
                return 1;
            }
            break;
        case 's':
            if (parse_long(optarg, 0, 2147483647L, &seed) != 0) {
                fprintf(stderr, "firerisk: error: --seed must be a whole number >= 0\n");
                return 1;
            }
            break;
        case 't':
            if (parse_long(optarg, 1, 1024, &threads) != 0) {
                fprintf(stderr, "firerisk: error: --threads must be a whole number from 1 to 1024\n");
                return 1;
            }
            break;
        case 'o': out = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (parcels < 0 || !out || optind < argc) {
        fprintf(stderr, "firerisk: error: synth needs --parcels N and --out DIR\n");
        usage(stderr);
        return 1;
    }
    if (threads > 0)
        omp_set_num_threads((int)threads);
    geo_init();
    synth_options so = {.parcels = parcels, .seed = (uint64_t)seed, .out_dir = out, .visit_effect = visit_effect};
    fr_error err = {0};
    synth_summary sum;
    fr_status st = synth_city_run_summary(&so, &sum, &err);
    if (st != FR_OK)
        return fail(st, &err);
    fprintf(stderr,
            "firerisk synth: seed %ld, %.1f km2: %zu parcels, %zu inspections, %zu incidents (%zu structure fires), "
            "%zu stations, %zu block groups, %zu visits (effect %g: %zu fires prevented)\n"
            "  written to %s/city.gpkg (+ firerisk.yaml, truth.csv); run it with:\n"
            "  firerisk run --config %s/firerisk.yaml\n",
            seed, sum.area_km2, sum.parcels, sum.inspections, sum.incidents, sum.structure_fires, sum.stations,
            sum.block_groups, sum.visits, sum.visit_effect, sum.fires_prevented, out, out);
    return 0;
}

int main(int argc, char **argv)
{
    /* A file-size limit (ulimit -f) must fail the write with EFBIG, which
     * the writers report (exit 3), instead of killing the process. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "synth"))
        return cmd_synth(argc - 1, argv + 1);
    if (!strcmp(cmd, "match"))
        return fr_cmd_match(argc - 1, argv + 1);
    if (!strcmp(cmd, "train"))
        return fr_cmd_train(argc - 1, argv + 1);
    if (!strcmp(cmd, "backtest"))
        return fr_cmd_backtest(argc - 1, argv + 1);
    if (!strcmp(cmd, "explain"))
        return fr_cmd_explain(argc - 1, argv + 1);
    if (!strcmp(cmd, "evaluate"))
        return fr_cmd_evaluate(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("firerisk %s\n", FIRERISK_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "firerisk: error: unknown command '%s'\n", cmd);
    usage(stderr);
    return 1;
}
