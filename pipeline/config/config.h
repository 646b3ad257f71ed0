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

/* Steps of layers.<role>.join (docs/CONFIG.md). */
typedef enum { CFG_JOIN_PARCEL_ID = 1, CFG_JOIN_ADDRESS, CFG_JOIN_CONTAINS, CFG_JOIN_NEAREST } cfg_join_step;
#define CFG_JOIN_MAX 4
#define CFG_ADDRESS_RANGE_DEFAULT 10

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
    /* inspections, incidents: layers.<role>.join and .address_range (config_join.inc) */
    int join_steps[CFG_JOIN_MAX]; /* cfg_join_step values in order; njoin_steps 0 = the default order */
    int njoin_steps;
    int join_line;
    double address_range; /* largest house-number difference of a near address match */
    int address_range_set;
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

/* score: keys of the trained models (docs/CONFIG.md, docs/MODELS.md). */
typedef struct {
    char *model_file;        /* score.model_file, resolved against the config's directory; NULL = none */
    char *horizon;           /* score.horizon ("1y", "6m", "90d"; default "1y") */
    int training_cutoffs;    /* score.training_cutoffs: yearly cutoffs stacked for training (default 3) */
    int class_balanced;      /* score.class_weight: balanced (1) or a number (0, default) */
    double positive_weight;  /* the number: weight of a fire row (default 1) */
    char **precision_at;     /* score.precision_at: "100", "1%", ... (default 100, 500, 1%, 10%) */
    size_t nprecision_at;
    double logit_l2;         /* score.logistic.l2 (default 1) */
    int logit_max_iterations;/* score.logistic.max_iterations (default 50) */
    int gbdt_max_trees, gbdt_max_depth, gbdt_bins, gbdt_early_stopping;
    double gbdt_learning_rate, gbdt_min_child_weight, gbdt_l2, gbdt_min_split_gain;
} cfg_models;

/* output: the analyst outputs (docs/CONFIG.md, config_outputs.inc). */
typedef struct {
    char *label;         /* a zone label */
    long limit;          /* most targets with that label */
} cfg_capacity_limit;

typedef struct {
    int write_geopackage;    /* output.geopackage (default 1): ranked_parcels.gpkg */
    int gpkg_spatial_index;  /* output.geopackage_spatial_index (default 1) */
    int write_style;         /* output.style (default 1): ranked_parcels.qml + GeoPackage layer_styles */
    int write_report;        /* output.report (default 1): report.html */
    char *capacity_zone;     /* output.capacity_per_zone.zone (a layers.zones[] name); NULL = no capacity */
    long capacity_default;   /* .default; -1 = no limit */
    cfg_capacity_limit *capacity_limits; /* .limits */
    size_t ncapacity_limits;
    int capacity_line;       /* line in the config, for messages */
} cfg_outputs;

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
    double study_area_km;/* records farther from the parcels' median centre are rejected (default 500) */
    cfg_code_range *fire_codes; /* NFIRS codes that count as fires (default 110-129) */
    size_t nfire_codes;
    char **fail_values;  /* inspection results that mean failed (case-insensitive) */
    size_t nfail_values;

    char *model;         /* "points" (NULL = points), "logistic" or "gbdt" */
    cfg_models models;   /* trained models: model file, horizon, hyperparameters */
    cfg_weight *weights;
    size_t nweights;
    double tier_high;    /* share of parcels in the high tier (default 0.05) */
    double tier_medium;  /* share in high + medium (default 0.20) */

    char *out_dir;       /* NULL = "out" beside the working directory */
    long target_list_size; /* rows in targets.csv (default 500) */
    int write_geojson, write_shapefile;
    int coordinate_precision; /* GeoJSON decimals (default 7) */
    int writer_gdal;     /* 1: write GeoJSON/Shapefile with GDAL's drivers instead of firerisk's own */
    cfg_outputs outputs; /* GeoPackage, style, report, capacity per zone (config_outputs.inc) */
} fr_config;

/* Loads and validates the file.  On failure *cfg is left empty and err names
 * file, line and key. */
fr_status fr_config_load(const char *path, fr_config *cfg, fr_error *err);
void fr_config_free(fr_config *cfg);

/* Built-in defaults of the points index (used when score.weights is absent). */
extern const cfg_weight fr_default_weights[];
extern const size_t fr_default_weight_count;

#endif
