/*
 * cmd_explain.c — `firerisk explain --config F [--as-of D] [--json]
 * [--threads N] PARCEL_ID...` (see cmd_explain.h, parcel_explain.h).
 */
#include "cmd_explain.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "parcel_explain.h"
#include "read.h"

void fr_cmd_explain_usage(FILE *fp)
{
    fprintf(fp, "  firerisk explain --config FILE.yaml [--as-of YYYY-MM-DD] [--json] [--threads N] PARCEL_ID...\n"
                "      every feature, each term's contribution to the score, the records behind the counts and\n"
                "      the revisit rule's decision for each parcel (see README.md)\n");
}

int fr_cmd_explain(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"as-of", required_argument, 0, 'a'},
                                         {"json", no_argument, 0, 'j'},         {"threads", required_argument, 0, 't'},
                                         {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    fr_explain_options o = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'a': o.as_of = optarg; break;
        case 'j': o.json = 1; break;
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
        case 'h': fr_cmd_explain_usage(stdout); return 0;
        default: fr_cmd_explain_usage(stderr); return 1;
        }
    }
    if (!o.config_path || optind >= argc) {
        fprintf(stderr, "firerisk: error: explain needs --config FILE.yaml and at least one parcel id\n");
        fr_cmd_explain_usage(stderr);
        return 1;
    }
    o.ids = (const char *const *)argv + optind;
    o.nids = (size_t)(argc - optind);
    geo_init();
    fr_error err = {0};
    char *text = NULL;
    fr_status st = fr_explain(&o, &text, &err);
    if (st != FR_OK) {
        fprintf(stderr, "firerisk: error: %s\n", err.message[0] ? err.message : fr_status_text(st));
        return fr_status_exit_code(st);
    }
    fputs(text, stdout);
    free(text);
    return 0;
}
