/*
 * cmd_evaluate.c — `firerisk evaluate --config F [--from DATE] [--to DATE]
 * [--out DIR] [--threads N] [--quiet]` (see cmd_evaluate.h, evaluate.h).
 */
#include "cmd_evaluate.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "read.h"

void fr_cmd_evaluate_usage(FILE *fp)
{
    fprintf(fp, "  firerisk evaluate --config FILE.yaml [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out DIR]\n"
                "                    [--visits visits|inspections|both] [--threads N] [--quiet]\n"
                "      do the visits prevent fires? visited homes against comparable unvisited homes (same risk\n"
                "      decile, same zone), fires in the 12 months after; writes evaluation.json and\n"
                "      evaluation.html (see docs/EVALUATE.md)\n");
}

int fr_cmd_evaluate(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"from", required_argument, 0, 'f'},
                                         {"to", required_argument, 0, 'T'},     {"out", required_argument, 0, 'o'},
                                         {"threads", required_argument, 0, 't'}, {"quiet", no_argument, 0, 'q'},
                                         {"visits", required_argument, 0, 'v'},
                                         {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    fr_evaluate_options o = {0};
    int quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'f': o.from = optarg; break;
        case 'T': o.to = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'q': quiet = 1; break;
        case 'v': o.visits = optarg; break;
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
        case 'h': fr_cmd_evaluate_usage(stdout); return 0;
        default: fr_cmd_evaluate_usage(stderr); return 1;
        }
    }
    if (!o.config_path || optind < argc) {
        fprintf(stderr, "firerisk: error: evaluate needs --config FILE.yaml (and no other argument)\n");
        fr_cmd_evaluate_usage(stderr);
        return 1;
    }
    geo_init();
    fr_error err = {0};
    char *text = NULL;
    fr_status st = fr_evaluate(&o, &text, &err);
    if (st != FR_OK) {
        fprintf(stderr, "firerisk: error: %s\n", err.message[0] ? err.message : fr_status_text(st));
        return fr_status_exit_code(st);
    }
    if (!quiet)
        fputs(text, stderr);
    free(text);
    return 0;
}
