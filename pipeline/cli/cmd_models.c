/*
 * cmd_models.c — command lines of `firerisk train` and `firerisk backtest`
 * (README.md, docs/MODELS.md; the work is in pipeline/train/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "read.h"
#include "train.h"

static int cmd_train(int argc, char **argv);
static int cmd_backtest(int argc, char **argv);

static const char *const train_options[] = {
    "--config FILE.yaml\tthe run configuration (required)",
    "--model-out MODEL.json\tthe model file to write (required; written whole or not at all)",
    "--model logistic|gbdt\tthe model to fit (default: score.model of the config)",
    "--as-of YYYY-MM-DD\tthe training date: every label window ends by it (default: as_of of the config, else today)",
    "--threads N\tOpenMP threads; the model file is byte-identical at any thread count",
    "--export-csv FILE.csv\talso write the training rows (cutoff, parcel_id, label, features)",
    "--quiet\tno summary on stderr",
    NULL};

const fr_cli_command fr_cli_train = {
    .name = "train",
    .main = cmd_train,
    .synopsis = "--config FILE.yaml --model-out MODEL.json [--model logistic|gbdt] [--as-of YYYY-MM-DD] [--threads N] "
                "[--export-csv FILE.csv] [--quiet]",
    .summary = "fit a model on the history before the date and write it (docs/MODELS.md)",
    .description = NULL,
    .options = train_options,
};

static const char *const backtest_options[] = {
    "--config FILE.yaml\tthe run configuration (required)",
    "--cutoffs D1,D2,...\tthe cutoff dates YYYY-MM-DD (required; up to 32)",
    "--models LIST\ttrained models to backtest (default logistic,gbdt)",
    "--out DIR\twhere backtest.json goes (default: output.dir, else out); created if missing",
    "--reference FILE:COLUMN\tone more baseline: the numbers of COLUMN of any table GDAL reads, joined on parcel_id",
    "--export DIR\talso write train_<cutoff>.csv and test_<cutoff>.csv (features, labels, scores)",
    "--threads N\tOpenMP threads; results are the same at any thread count",
    "--quiet\tno table on stderr",
    NULL};

const fr_cli_command fr_cli_backtest = {
    .name = "backtest",
    .main = cmd_backtest,
    .synopsis = "--config FILE.yaml --cutoffs YYYY-MM-DD[,...] [--models logistic,gbdt] [--out DIR] "
                "[--reference FILE.csv:COLUMN] [--export DIR] [--threads N] [--quiet]",
    .summary = "train before each cutoff, score the year after it, compare with baselines; writes DIR/backtest.json",
    .description = NULL,
    .options = backtest_options,
};

static int threads_arg(const fr_cli_command *cmd, const char *s, int *out)
{
    long v;
    if (fr_cli_parse_long(s, 1, 1024, &v) != 0)
        return fr_cli_usage_error(cmd, "--threads must be a whole number from 1 to 1024");
    *out = (int)v;
    return 0;
}

static int finish(fr_status st, const fr_error *err, const char *report, int quiet)
{
    if (st != FR_OK) {
        fr_cli_error("%s", err->message[0] ? err->message : fr_status_text(st));
        return fr_status_exit_code(st);
    }
    if (!quiet)
        fputs(report, stderr);
    return 0;
}

static int cmd_train(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'},  {"model-out", required_argument, 0, 'o'},
        {"model", required_argument, 0, 'm'},   {"as-of", required_argument, 0, 'a'},
        {"threads", required_argument, 0, 't'}, {"export-csv", required_argument, 0, 'e'},
        {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    fr_train_options o = {0};
    int quiet = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":c:o:m:a:t:e:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'o': o.model_out = optarg; break;
        case 'm': o.model = optarg; break;
        case 'a': o.as_of = optarg; break;
        case 'e': o.export_csv = optarg; break;
        case 'q': quiet = 1; break;
        case 't':
            if (threads_arg(&fr_cli_train, optarg, &o.threads) != 0)
                return 1;
            break;
        case 'h': fr_cli_help(&fr_cli_train, stdout); return 0;
        default: return fr_cli_bad_option(&fr_cli_train, opts, c, argc, argv);
        }
    }
    if (!o.config_path || !o.model_out || optind < argc)
        return fr_cli_usage_error(&fr_cli_train, "%s",
                                  optind < argc ? "unexpected argument"
                                                : "train needs --config FILE.yaml and --model-out MODEL.json");
    geo_init();
    static char report[8192];
    fr_error err = {0};
    return finish(fr_train(&o, report, sizeof report, &err), &err, report, quiet);
}

static int cmd_backtest(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'},    {"cutoffs", required_argument, 0, 'k'},
        {"models", required_argument, 0, 'm'},    {"out", required_argument, 0, 'o'},
        {"reference", required_argument, 0, 'r'}, {"export", required_argument, 0, 'e'},
        {"threads", required_argument, 0, 't'},   {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},            {0, 0, 0, 0}};
    fr_backtest_options o = {0};
    int quiet = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":c:k:m:o:r:e:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'k': o.cutoffs = optarg; break;
        case 'm': o.models = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'r': o.reference = optarg; break;
        case 'e': o.export_dir = optarg; break;
        case 'q': quiet = 1; break;
        case 't':
            if (threads_arg(&fr_cli_backtest, optarg, &o.threads) != 0)
                return 1;
            break;
        case 'h': fr_cli_help(&fr_cli_backtest, stdout); return 0;
        default: return fr_cli_bad_option(&fr_cli_backtest, opts, c, argc, argv);
        }
    }
    if (!o.config_path || !o.cutoffs || optind < argc)
        return fr_cli_usage_error(&fr_cli_backtest, "%s",
                                  optind < argc ? "unexpected argument"
                                                : "backtest needs --config FILE.yaml and --cutoffs DATES");
    geo_init();
    static char report[32768];
    fr_error err = {0};
    return finish(fr_backtest(&o, report, sizeof report, &err), &err, report, quiet);
}
