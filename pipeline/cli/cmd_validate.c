/*
 * cmd_validate.c — the command line of `firerisk validate` (the work is
 * fr_validate, pipeline/run/validate_run.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "read.h"
#include "validate_run.h"

static int cmd_validate(int argc, char **argv);

static const char *const validate_options[] = {
    "--config FILE.yaml\tthe configuration to check (required); - reads it from stdin",
    "--as-of YYYY-MM-DD\tthe date the joins are judged at (default: as_of of the config, else today)",
    "--threads N\tOpenMP threads for the read and the joins",
    "--quiet\tno report; the exit code alone says whether run would start",
    NULL};

const fr_cli_command fr_cli_validate = {
    .name = "validate",
    .main = cmd_validate,
    .synopsis = "--config FILE.yaml [--as-of YYYY-MM-DD] [--threads N] [--quiet]",
    .summary = "check a configuration and its sources as run would, and show what the joins would do; writes nothing",
    .description = "Loads the config, opens every source (driver, layer, feature count, CRS, the fields mapped), "
                   "reads every record as run does (records it would reject, by reason; the date range of each "
                   "dated layer) and matches the inspections and incidents to the parcels. Prints the report on "
                   "stdout. Exits with the code run would exit with on the same config (1 configuration, 2 input "
                   "data...), 0 when run would get past reading and joining.",
    .options = validate_options,
};

static int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"as-of", required_argument, 0, 'a'},
                                         {"threads", required_argument, 0, 't'}, {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    fr_validate_options o = {0};
    long threads = 0;
    int quiet = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":c:a:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'a': o.as_of = optarg; break;
        case 'q': quiet = 1; break;
        case 't':
            if (fr_cli_parse_long(optarg, 1, 1024, &threads) != 0)
                return fr_cli_usage_error(&fr_cli_validate, "--threads must be a whole number from 1 to 1024");
            break;
        case 'h': fr_cli_help(&fr_cli_validate, stdout); return 0;
        default: return fr_cli_bad_option(&fr_cli_validate, opts, c, argc, argv);
        }
    }
    if (!o.config_path || optind < argc)
        return fr_cli_usage_error(&fr_cli_validate, "%s",
                                  optind < argc ? "unexpected argument" : "validate needs --config FILE.yaml");
    o.threads = (int)threads;
    geo_init();
    char *report = NULL;
    fr_error err = {0};
    fr_status st = fr_validate(&o, &report, &err);
    if (report && !quiet)
        fputs(report, stdout);
    free(report);
    if (st != FR_OK) {
        fflush(stdout);
        fr_cli_error("%s", err.message[0] ? err.message : fr_status_text(st));
        return fr_status_exit_code(st);
    }
    return 0;
}
