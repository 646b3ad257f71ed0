/*
 * cmd_match.c — `firerisk match --config FILE.yaml [--out DIR] [--threads N]
 * [--quiet]`: read and join only (fr_match in run_match_only.c), to tune a
 * new city's address and id columns in seconds.  Prints the matching block
 * of the summary on stderr (not with --quiet).
 */
#include "cmd_match.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read.h"
#include "run.h"

void fr_cmd_match_usage(FILE *fp)
{
    fprintf(fp, "  firerisk match --config FILE.yaml [--out DIR] [--threads N] [--quiet]\n"
                "      read and join only: DIR/matches.csv, rejects.csv, match_summary.txt (default DIR: match)\n");
}

int fr_cmd_match(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"out", required_argument, 0, 'o'},
                                         {"threads", required_argument, 0, 't'}, {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    fr_run_options o = {0};
    int quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:o:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'q': quiet = 1; break;
        case 't': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 1 || v > 1024) {
                fprintf(stderr, "firerisk: error: --threads must be a whole number from 1 to 1024\n");
                return 1;
            }
            o.threads = (int)v;
            break;
        }
        case 'h': fr_cmd_match_usage(stdout); return 0;
        default: fr_cmd_match_usage(stderr); return 1;
        }
    }
    if (!o.config_path || optind < argc) {
        fprintf(stderr, "firerisk: error: %s\n", o.config_path ? "unexpected argument" : "match needs --config FILE.yaml");
        fr_cmd_match_usage(stderr);
        return 1;
    }
    geo_init();
    fr_run_summary summary;
    fr_error err = {0};
    fr_status st = fr_match(&o, &summary, &err);
    if (st != FR_OK) {
        fprintf(stderr, "firerisk: error: %s\n", err.message[0] ? err.message : fr_status_text(st));
        return fr_status_exit_code(st);
    }
    if (!quiet) {
        fr_summary_print_matching(&summary, stderr);
        fprintf(stderr, "written: %s/matches.csv, rejects.csv, match_summary.txt (read %.1f s, join %.1f s)\n",
                summary.out_dir, summary.seconds[FR_STAGE_READ], summary.seconds[FR_STAGE_JOIN]);
    }
    return 0;
}
