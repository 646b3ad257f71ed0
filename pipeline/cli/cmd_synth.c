/*
 * cmd_synth.c — the command line of `firerisk synth` (the work is in
 * pipeline/synth/).
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "read.h"
#include "synth.h"
#include "synth_city.h"

static int cmd_synth(int argc, char **argv);

static const char *const synth_option_rows[] = {
    "--parcels N\tnumber of parcels, 1 to 50000000 (required)",
    "--seed S\trandom seed (default 1); the same parcels and seed give the same city",
    "--visit-effect E\tthe planted effect of a home visit, 0 to 1: a visited home's fire probability times "
    "(1 - E) for 12 months (default 0.3; docs/SYNTH.md)",
    "--profile P\tdefault, or rich: adds a categorical heating field (wood raises risk, solar is rare), "
    "condominium stacks (several parcels on one footprint, the building's count raises risk) and fire history that "
    "raises later risk in the building, within 100 m and, more weakly, within 1000 m (docs/SYNTH.md section 7b)",
    "--threads N\tOpenMP threads (the output does not depend on it)",
    "--out DIR\toutput directory, created if missing (required)",
    NULL};

const fr_cli_command fr_cli_synth = {
    .name = "synth",
    .main = cmd_synth,
    .synopsis = "--parcels N [--seed S] [--visit-effect E] [--profile P] [--threads N] --out DIR",
    .summary = "write a synthetic city (GeoPackage + firerisk.yaml + truth.csv) into DIR",
    .description = "The city's layers (parcels, inspections, incidents, visits, stations, block groups) follow a documented "
                   "generative model with planted risk (docs/SYNTH.md), so models can be checked against truth.",
    .options = synth_option_rows,
};

static int cmd_synth(int argc, char **argv)
{
    static const struct option opts[] = {{"parcels", required_argument, 0, 'n'}, {"seed", required_argument, 0, 's'},
                                         {"out", required_argument, 0, 'o'},     {"threads", required_argument, 0, 't'},
                                         {"help", no_argument, 0, 'h'},          {"visit-effect", required_argument, 0, 'e'},
                                         {"profile", required_argument, 0, 'p'},  {0, 0, 0, 0}};
    long parcels = -1, seed = 1, threads = 0;
    double visit_effect = SYNTH_VISIT_EFFECT;
    const char *out = NULL;
    int c, rich = 0;
    char *end;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":n:s:o:t:he:p:", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (fr_cli_parse_long(optarg, 1, 50000000, &parcels) != 0)
                return fr_cli_usage_error(&fr_cli_synth, "--parcels must be a whole number from 1 to 50000000");
            break;
        case 's':
            if (fr_cli_parse_long(optarg, 0, 2147483647L, &seed) != 0)
                return fr_cli_usage_error(&fr_cli_synth, "--seed must be a whole number >= 0");
            break;
        case 't':
            if (fr_cli_parse_long(optarg, 1, 1024, &threads) != 0)
                return fr_cli_usage_error(&fr_cli_synth, "--threads must be a whole number from 1 to 1024");
            break;
        case 'e':
            visit_effect = strtod(optarg, &end);
            if (end == optarg || *end || !(visit_effect >= 0 && visit_effect <= 1))
                return fr_cli_usage_error(&fr_cli_synth, "--visit-effect must be a number from 0 to 1");
            break;
        case 'p':
            if (strcmp(optarg, "default") && strcmp(optarg, "rich"))
                return fr_cli_usage_error(&fr_cli_synth, "--profile must be default or rich");
            rich = !strcmp(optarg, "rich");
            break;
        case 'o': out = optarg; break;
        case 'h': fr_cli_help(&fr_cli_synth, stdout); return 0;
        default: return fr_cli_bad_option(&fr_cli_synth, opts, c, argc, argv);
        }
    }
    if (parcels < 0 || !out || optind < argc)
        return fr_cli_usage_error(&fr_cli_synth, "%s",
                                  optind < argc ? "unexpected argument" : "synth needs --parcels N and --out DIR");
    if (threads > 0)
        omp_set_num_threads((int)threads);
    geo_init();
    synth_options so = {.parcels = parcels, .seed = (uint64_t)seed, .out_dir = out, .visit_effect = visit_effect, .rich = rich};
    fr_error err = {0};
    synth_summary sum;
    fr_status st = synth_city_run_summary(&so, &sum, &err);
    if (st != FR_OK) {
        fr_cli_error("%s", err.message[0] ? err.message : fr_status_text(st));
        return fr_status_exit_code(st);
    }
    fprintf(stderr,
            "firerisk synth: seed %ld, %.1f km2: %zu parcels, %zu inspections, %zu incidents (%zu structure fires), "
            "%zu stations, %zu block groups, %zu visits (effect %g: %zu fires prevented)\n"
            "  written to %s/city.gpkg (+ firerisk.yaml, truth.csv); run it with:\n"
            "  firerisk run --config %s/firerisk.yaml\n",
            seed, sum.area_km2, sum.parcels, sum.inspections, sum.incidents, sum.structure_fires, sum.stations,
            sum.block_groups, sum.visits, sum.visit_effect, sum.fires_prevented, out, out);
    return 0;
}
