/*
 * config.h — the run configuration (YAML), as documented in docs/CONFIG.md.
 *
 * Parsed with libyaml into this struct once; unknown keys, wrong types and
 * missing required keys are refused with the file and line, so that a typo
 * in a nightly config fails loudly instead of silently using a default.
 * Paths in the config are relative to the config file's directory.
 */
#ifndef FR_CONFIG_H
#define FR_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    char *logical; /* e.g. "year_built" */
    char *source;  /* field in the source */
} cfg_field;

typedef struct {
    int present;
    char *role;        /* parcels, inspections, incidents, stations, block_groups, or a zone's name */
    char *source;      /* resolved path or connection string */
    char *source_label;/* as shown in messages (password masked) */
    char *layer;
    char *where;
    char *crs;
    char *wkt_field;
    char *x_field, *y_field;
    char **open_options; /* NULL-terminated */
    char *date_format;
    cfg_field *fields;
    size_t nfields;
    char *zone_field;  /* zones: the field naming each zone */
    int line;          /* line in the config, for messages */
} cfg_layer;

typedef struct {
    char *feature;
    double weight;
    double cap;
    int invert; /* score (cap - x) instead of x: e.g. owner_occupied */
} cfg_weight;

typedef struct {
    int lo, hi; /* inclusive NFIRS code range */
} cfg_code_range;

typedef struct {
    char *path;          /* the config file */
    char *dir;           /* its directory, for relative paths */
    int32_t as_of;       /* days since 1970-01-01 */
    int as_of_set;
    char *working_crs;   /* NULL = UTM zone of the parcels */

    cfg_layer parcels, inspections, incidents, stations, block_groups;
    cfg_layer *zones;
    size_t nzones;

    double tolerance_m;  /* nearest-parcel tolerance (default 15) */
    double radius_m;     /* neighbourhood radius (default 250) */
    cfg_code_range *fire_codes; /* NFIRS codes that count as fires (default 110-129) */
    size_t nfire_codes;
    char **fail_values;  /* inspection results that mean failed (case-insensitive) */
    size_t nfail_values;

    char *model;         /* "points" */
    cfg_weight *weights;
    size_t nweights;
    double tier_high;    /* share of parcels in the high tier (default 0.05) */
    double tier_medium;  /* share in high + medium (default 0.20) */

    char *out_dir;       /* NULL = "out" beside the working directory */
    long target_list_size; /* rows in targets.csv (default 500) */
    int write_geojson, write_shapefile;
    int coordinate_precision; /* GeoJSON decimals (default 7) */
    int writer_gdal;     /* 1: write GeoJSON/Shapefile with GDAL's drivers instead of firerisk's own */
} fr_config;

/* Loads and validates the file.  On failure *cfg is left empty and err names
 * file, line and key. */
fr_status fr_config_load(const char *path, fr_config *cfg, fr_error *err);
void fr_config_free(fr_config *cfg);

/* Built-in defaults of the points index (used when score.weights is absent). */
extern const cfg_weight fr_default_weights[];
extern const size_t fr_default_weight_count;

#endif
