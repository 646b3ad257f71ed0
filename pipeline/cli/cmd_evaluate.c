/*
 * cmd_evaluate.c — the command line of `firerisk evaluate` (the work is
 * fr_evaluate, evaluate.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "evaluate.h"
#include "read.h"

static int cmd_evaluate(int argc, char **argv);

static const char *const evaluate_options[] = {
    "--config FILE.yaml\tthe run configuration (required); - reads it from stdin",
    "--from YYYY-MM-DD\tfirst day of the visits judged",
    "--to YYYY-MM-DD\tlast day of the visits judged",
    "--out DIR\twhere evaluation.json and evaluation.html go",
    "--visits visits|inspections|both\twhich records count as visits",
    "--threads N\tOpenMP threads; the figures are the same at any thread count",
    "--quiet\tno summary on stderr",
    NULL};

const fr_cli_command fr_cli_evaluate = {
    .name = "evaluate",
    .main = cmd_evaluate,
    .synopsis = "--config FILE.yaml [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out DIR] "
                "[--visits visits|inspections|both] [--threads N] [--quiet]",
    .summary = "do the visits prevent fires? visited homes against comparable unvisited homes (docs/EVALUATE.md)",
    .description = "Visited homes in the period against comparable unvisited homes (same risk decile at the visit "
                   "date, same zone), compared on fires in the 12 months after, with bootstrap confidence "
                   "intervals; writes evaluation.json and evaluation.html. No visits in the period, or no fires "
                   "after it, exits 2 saying so.",
    .options = evaluate_options,
};

static int cmd_evaluate(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"from", required_argument, 0, 'f'},
                                         {"to", required_argument, 0, 'T'},     {"out", required_argument, 0, 'o'},
                                         {"threads", required_argument, 0, 't'}, {"quiet", no_argument, 0, 'q'},
                                         {"visits", required_argument, 0, 'v'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    fr_evaluate_options o = {0};
    int quiet = 0, c;
    long threads = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":c:f:T:o:t:qv:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'f': o.from = optarg; break;
        case 'T': o.to = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'q': quiet = 1; break;
        case 'v': o.visits = optarg; break;
        case 't':
            if (fr_cli_parse_long(optarg, 1, 1024, &threads) != 0)
                return fr_cli_usage_error(&fr_cli_evaluate, "--threads must be a whole number from 1 to 1024");
            break;
        case 'h': fr_cli_help(&fr_cli_evaluate, stdout); return 0;
        default: return fr_cli_bad_option(&fr_cli_evaluate, opts, c, argc, argv);
        }
    }
    if (!o.config_path || optind < argc)
        return fr_cli_usage_error(&fr_cli_evaluate, "%s",
                                  o.config_path ? "unexpected argument" : "evaluate needs --config FILE.yaml");
    o.threads = (int)threads;
    geo_init();
    fr_error err = {0};
    char *text = NULL;
    fr_status st = fr_evaluate(&o, &text, &err);
    if (st != FR_OK) {
        fr_cli_error("%s", err.message[0] ? err.message : fr_status_text(st));
        return fr_status_exit_code(st);
    }
    if (!quiet)
        fputs(text, stderr);
    free(text);
    return 0;
}
