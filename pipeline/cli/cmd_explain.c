/*
 * cmd_explain.c — the command line of `firerisk explain` (the work is
 * fr_explain, pipeline/run/run_explain.c and parcel_explain.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "parcel_explain.h"
#include "read.h"

static int cmd_explain(int argc, char **argv);

static const char *const explain_options[] = {
    "--config FILE.yaml\tthe run configuration (required); - reads it from stdin",
    "--as-of YYYY-MM-DD\tas for run",
    "--json\tone JSON document instead of text (fields in README.md)",
    "--threads N\tOpenMP threads",
    NULL};

const fr_cli_command fr_cli_explain = {
    .name = "explain",
    .main = cmd_explain,
    .synopsis = "--config FILE.yaml [--as-of YYYY-MM-DD] [--json] [--threads N] PARCEL_ID...",
    .summary = "why a parcel has its score and its place on the target list",
    .description = "Runs the stages of run up to the ranking (nothing is written, no lock is taken) and prints for "
                   "each parcel: rank, score, tier and list row; every feature in plain words; each term's "
                   "contribution, the terms summing to the score; the records behind the counts; the revisit "
                   "rule's decision. A parcel id that is not among the parcels exits 1 naming it.",
    .options = explain_options,
};

static int cmd_explain(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"as-of", required_argument, 0, 'a'},
                                         {"json", no_argument, 0, 'j'},         {"threads", required_argument, 0, 't'},
                                         {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    fr_explain_options o = {0};
    int c;
    long threads = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":c:a:jt:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'a': o.as_of = optarg; break;
        case 'j': o.json = 1; break;
        case 't':
            if (fr_cli_parse_long(optarg, 1, 1024, &threads) != 0)
                return fr_cli_usage_error(&fr_cli_explain, "--threads must be a whole number from 1 to 1024");
            break;
        case 'h': fr_cli_help(&fr_cli_explain, stdout); return 0;
        default: return fr_cli_bad_option(&fr_cli_explain, opts, c, argc, argv);
        }
    }
    if (!o.config_path || optind >= argc)
        return fr_cli_usage_error(&fr_cli_explain, "explain needs --config FILE.yaml and at least one parcel id");
    o.threads = (int)threads;
    o.ids = (const char *const *)argv + optind;
    o.nids = (size_t)(argc - optind);
    geo_init();
    fr_error err = {0};
    char *text = NULL;
    fr_status st = fr_explain(&o, &text, &err);
    if (st != FR_OK) {
        fr_cli_error("%s", err.message[0] ? err.message : fr_status_text(st));
        return fr_status_exit_code(st);
    }
    fputs(text, stdout);
    free(text);
    return 0;
}
