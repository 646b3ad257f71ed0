/*
 * cmd_models.c — command lines of `firerisk train` and `firerisk backtest`
 * (see cmd_models.h, README.md, docs/MODELS.md).
 */
#include "cmd_models.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read.h"
#include "train.h"

void fr_cmd_models_usage(FILE *fp)
{
    fprintf(fp,
            "  firerisk train --config FILE.yaml --model-out MODEL.json [--model logistic|gbdt] [--as-of YYYY-MM-DD]\n"
            "                 [--threads N] [--export-csv FILE.csv] [--quiet]\n"
            "      fit a model on the history before the date and write it (see docs/MODELS.md)\n"
            "  firerisk backtest --config FILE.yaml --cutoffs YYYY-MM-DD[,...] [--models logistic,gbdt] [--out DIR]\n"
            "                 [--reference FILE.csv:COLUMN] [--export DIR] [--threads N] [--quiet]\n"
            "      train before each cutoff, score the year after it, compare with baselines; writes DIR/backtest.json\n");
}

static int threads_arg(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > 1024) {
        fprintf(stderr, "firerisk: error: --threads must be a whole number from 1 to 1024\n");
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int finish(fr_status st, const fr_error *err, const char *report, int quiet)
{
    if (st != FR_OK) {
        fprintf(stderr, "firerisk: error: %s\n", err->message[0] ? err->message : fr_status_text(st));
        return fr_status_exit_code(st);
    }
    if (!quiet)
        fputs(report, stderr);
    return 0;
}

int fr_cmd_train(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'},  {"model-out", required_argument, 0, 'o'},
        {"model", required_argument, 0, 'm'},   {"as-of", required_argument, 0, 'a'},
        {"threads", required_argument, 0, 't'}, {"export-csv", required_argument, 0, 'e'},
        {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    fr_train_options o = {0};
    int quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:o:m:a:t:e:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'o': o.model_out = optarg; break;
        case 'm': o.model = optarg; break;
        case 'a': o.as_of = optarg; break;
        case 'e': o.export_csv = optarg; break;
        case 'q': quiet = 1; break;
        case 't':
            if (threads_arg(optarg, &o.threads) != 0)
                return 1;
            break;
        case 'h': fr_cmd_models_usage(stdout); return 0;
        default: fr_cmd_models_usage(stderr); return 1;
        }
    }
    if (!o.config_path || !o.model_out || optind < argc) {
        fprintf(stderr, "firerisk: error: %s\n",
                optind < argc ? "unexpected argument" : "train needs --config FILE.yaml and --model-out MODEL.json");
        fr_cmd_models_usage(stderr);
        return 1;
    }
    geo_init();
    static char report[8192];
    fr_error err = {0};
    return finish(fr_train(&o, report, sizeof report, &err), &err, report, quiet);
}

int fr_cmd_backtest(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'},    {"cutoffs", required_argument, 0, 'k'},
        {"models", required_argument, 0, 'm'},    {"out", required_argument, 0, 'o'},
        {"reference", required_argument, 0, 'r'}, {"export", required_argument, 0, 'e'},
        {"threads", required_argument, 0, 't'},   {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},            {0, 0, 0, 0}};
    fr_backtest_options o = {0};
    int quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:k:m:o:r:e:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'k': o.cutoffs = optarg; break;
        case 'm': o.models = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'r': o.reference = optarg; break;
        case 'e': o.export_dir = optarg; break;
        case 'q': quiet = 1; break;
        case 't':
            if (threads_arg(optarg, &o.threads) != 0)
                return 1;
            break;
        case 'h': fr_cmd_models_usage(stdout); return 0;
        default: fr_cmd_models_usage(stderr); return 1;
        }
    }
    if (!o.config_path || !o.cutoffs || optind < argc) {
        fprintf(stderr, "firerisk: error: %s\n",
                optind < argc ? "unexpected argument" : "backtest needs --config FILE.yaml and --cutoffs DATES");
        fr_cmd_models_usage(stderr);
        return 1;
    }
    geo_init();
    static char report[32768];
    fr_error err = {0};
    return finish(fr_backtest(&o, report, sizeof report, &err), &err, report, quiet);
}
