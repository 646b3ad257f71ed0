/*
 * synth.h — `firerisk synth`: the built-in synthetic city.
 *
 * synth_city_run() generates a city of opt->parcels parcels from opt->seed
 * (pipeline/synth/synth_city.c, the documented model of docs/SYNTH.md) and writes
 * into opt->out_dir (created if needed):
 *   city.gpkg      layers parcels, inspections, incidents, stations,
 *                  block_groups, visits, all in EPSG:32616 (UTM 16N, metres);
 *   truth.csv      parcel_id, p_annual (planted structure-fire probability
 *                  for calendar 2026, the year after as_of), p_2025 (the
 *                  probability that generated the 2025 fires);
 *   firerisk.yaml  the run configuration for this city.
 * Each file is written under a temporary name in out_dir and renamed into
 * place only when every file is complete, so a failed run leaves no partial
 * file.  With opt->rich the parcels layer also holds `heating` and the city
 * plants the rich profile's effects (synth_city.h, docs/SYNTH.md section 7b).
 * The output is a function of (parcels, seed, visit effect, profile) only: same bytes on
 * every run, at any OpenMP thread count, on any day (nothing reads the
 * clock).  GDAL drivers must be registered (GDALAllRegister) by the caller.
 */
#ifndef SYNTH_H
#define SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    long parcels;        /* >= 1 */
    uint64_t seed;
    const char *out_dir;
    double visit_effect; /* planted e of the home visits, 0..1 (SYNTH_VISIT_EFFECT by default) */
    int rich;            /* 1: the rich profile (SYNTH_PROFILE_RICH, docs/SYNTH.md section 7b) */
} synth_options;

/* Counts per layer, for the CLI to print. */
typedef struct {
    size_t parcels, inspections, incidents, structure_fires, stations, block_groups;
    double area_km2;     /* city extent (outer street edges) */
    double b0;           /* calibrated intercept of the planted hazard */
    size_t visits;       /* home visits (layer visits) */
    double visit_effect; /* the planted e */
    size_t fires_prevented; /* structure fires the visits removed */
} synth_summary;

/* Generates and writes the city; see above.  FR_E_USAGE for bad options,
 * FR_E_OUTPUT when a file cannot be written, FR_E_MEMORY. */
fr_status synth_city_run(const synth_options *opt, fr_error *err);

/* The same, and fills *summary (may be NULL) on success. */
fr_status synth_city_run_summary(const synth_options *opt, synth_summary *summary,
                                 fr_error *err);

/* The text of firerisk.yaml for a synthetic city (a static string). */
const char *synth_config_text(void);

#endif
