/*
 * cmd_match.c — the command line of `firerisk match`: read and join only
 * (fr_match in pipeline/run/run_match_only.c), to tune a new city's address
 * and id columns in seconds.  Prints the matching block of the summary on
 * stderr (not with --quiet).
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "read.h"
#include "run.h"

static int cmd_match(int argc, char **argv);

static const char *const match_options[] = {
    "--config FILE.yaml\tthe run configuration (required); - reads it from stdin",
    "--out DIR\twhere matches.csv, rejects.csv and match_summary.txt go (default match); created if missing, "
    "files in it overwritten",
    "--threads N\tOpenMP threads; the files are the same at any thread count",
    "--quiet\tno summary on stderr",
    NULL};

const fr_cli_command fr_cli_match = {
    .name = "match",
    .main = cmd_match,
    .synopsis = "--config FILE.yaml [--out DIR] [--threads N] [--quiet]",
    .summary = "read and join only: matches.csv, rejects.csv and match_summary.txt (docs/ADDRESSES.md)",
    .description = "Reads the layers and joins inspections, incidents and visits to the parcels exactly as run "
                   "does, and stops there: nothing of a run's outputs is written or replaced. Exit codes as run.",
    .options = match_options,
};

static int cmd_match(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"out", required_argument, 0, 'o'},
                                         {"threads", required_argument, 0, 't'}, {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    fr_run_options o = {0};
    int quiet = 0, c;
    long threads = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":c:o:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'q': quiet = 1; break;
        case 't':
            if (fr_cli_parse_long(optarg, 1, 1024, &threads) != 0)
                return fr_cli_usage_error(&fr_cli_match, "--threads must be a whole number from 1 to 1024");
            break;
        case 'h': fr_cli_help(&fr_cli_match, stdout); return 0;
        default: return fr_cli_bad_option(&fr_cli_match, opts, c, argc, argv);
        }
    }
    if (!o.config_path || optind < argc)
        return fr_cli_usage_error(&fr_cli_match, "%s",
                                  o.config_path ? "unexpected argument" : "match needs --config FILE.yaml");
    o.threads = (int)threads;
    geo_init();
    fr_run_summary summary;
    fr_error err = {0};
    fr_status st = fr_match(&o, &summary, &err);
    if (st != FR_OK) {
        fr_cli_error("%s", err.message[0] ? err.message : fr_status_text(st));
        return fr_status_exit_code(st);
    }
    if (!quiet) {
        fr_summary_print_matching(&summary, stderr);
        fprintf(stderr, "written: %s/matches.csv, rejects.csv, match_summary.txt (read %.1f s, join %.1f s)\n",
                summary.out_dir, summary.seconds[FR_STAGE_READ], summary.seconds[FR_STAGE_JOIN]);
    }
    return 0;
}
