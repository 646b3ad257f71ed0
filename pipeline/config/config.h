/*
 * config.h — the run configuration (YAML), as documented in docs/CONFIG.md.
 *
 * Parsed with libyaml into this struct once; unknown keys, wrong types and
 * missing required keys are refused with the file, line and key path, so
 * that a typo in a nightly config fails loudly instead of silently using a
 * default.  Paths in the config are relative to the config file's directory.
 *
 * fr_config has the shape of the YAML: one member per top-level section
 * (cfg->layers.parcels, cfg->join.radius_m, cfg->score.gbdt.max_depth,
 * cfg->output.capacity_per_zone.zone).  Which keys exist, their types,
 * ranges and defaults are in the key tables (config_root.c, config_layers.c,
 * config_score.c, config_output.c); the loader fills in every default, so a
 * user reads a member and never supplies a fallback of their own.
 */
#ifndef FR_CONFIG_H
#define FR_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* ---- layers: ------------------------------------------------------------ */

typedef struct {
    char *logical; /* e.g. "year_built" */
    char *source;  /* field in the source */
} cfg_field;

/* Steps of layers.<role>.join (docs/CONFIG.md). */
typedef enum { CFG_JOIN_PARCEL_ID = 1, CFG_JOIN_ADDRESS, CFG_JOIN_CONTAINS, CFG_JOIN_NEAREST } cfg_join_step;
#define CFG_JOIN_MAX 4

typedef struct {
    char *wkt;           /* geometry from a WKT text field */
    char *x, *y;         /* or from two number fields */
} cfg_geometry;

/* One layer: layers.parcels ... layers.block_groups, or a layers.zones entry. */
typedef struct {
    int present;         /* the key is in the config */
    char *role;          /* parcels, inspections, incidents, stations, block_groups, or a zone's name */
    int line;            /* line in the config, for messages */
    char *source;        /* resolved path or connection string */
    char *source_label;  /* as shown in messages (password masked) */
    char *layer;
    char *where;
    char *crs;
    cfg_geometry geometry;
    char **open_options; /* NULL-terminated */
    size_t nopen_options;
    char *date_format;
    cfg_field *fields;
    size_t nfields;
    char *zone_field;    /* zones: `field`, the field naming each zone */
    /* inspections, incidents: */
    int join_steps[CFG_JOIN_MAX]; /* cfg_join_step values in order; njoin_steps 0 = the default order */
    int njoin_steps;
    int join_line;
    int address_range;   /* largest house-number difference of a near address match */
} cfg_layer;

typedef struct {
    cfg_layer parcels, inspections, incidents, stations, block_groups;
    cfg_layer addresses; /* the city's master address list (all addresses, homes or not) */
    cfg_layer visits;    /* home visits (smoke-alarm installs, safety visits): the revisit rule */
    cfg_layer *zones;
    size_t nzones;
} cfg_layers;

/* The role layers, k < CFG_ROLE_LAYERS, in their one order (parcels,
 * inspections, incidents, stations, block_groups, addresses, visits); the
 * zones follow them wherever layers are listed. */
#define CFG_ROLE_LAYERS 7
static inline const cfg_layer *cfg_role_layer(const cfg_layers *L, size_t k)
{
    const cfg_layer *roles[CFG_ROLE_LAYERS] = {&L->parcels, &L->inspections, &L->incidents, &L->stations,
                                               &L->block_groups, &L->addresses, &L->visits};
    return roles[k];
}

/* ---- join:, features: --------------------------------------------------- */

typedef struct {
    double tolerance_m;  /* nearest-parcel tolerance */
    double radius_m;     /* neighbourhood radius */
    double study_area_km;/* records farther from the parcels' median centre are rejected */
} cfg_join;

/* checks: the quality gates of a run before it publishes (pipeline/run/run_checks.c). */
typedef struct {
    int enabled;                      /* off: nothing is judged (a test's or a one-off run's choice) */
    double max_parcel_change_pct;     /* parcels used vs the last published run */
    double max_reject_share_pct;      /* a layer's rejected / read */
    double max_reject_share_rise_pts; /* vs the last published run, in percentage points */
    double max_match_rate_drop_pts;   /* a match method's share of kept records, vs the last published run */
    int max_data_age_days;            /* newest record of a dated layer, at as_of */
    int ids_must_match;               /* a layer that maps parcel ids must match some by id */
    int zones_must_hold_parcels;      /* every zone / block-group layer holds a parcel */
    int as_of_not_after_today;        /* as_of after today (UTC) holds the run */
} cfg_checks;

typedef struct {
    int lo, hi; /* inclusive NFIRS code range */
} cfg_code_range;

typedef struct {
    cfg_code_range *fire_codes; /* NFIRS codes that count as fires */
    size_t nfire_codes;
    char **fail_values;  /* inspection results that mean failed (case-insensitive) */
    size_t nfail_values;
    char **history_radii_m;     /* radii of fires_<r>m_5y and calls_<r>m_3y (metres, as text) */
    size_t nhistory_radii_m;
    char **kernel_bandwidths_m; /* bandwidths of fire_kernel_<b>m */
    size_t nkernel_bandwidths_m;
    double kernel_half_life_days;
    char **parcel_numeric;      /* parcels' source fields that are numeric features (any number) */
    size_t nparcel_numeric;
    char **parcel_categorical;  /* parcels' source fields that are categorical features */
    size_t nparcel_categorical;
    char **block_group_numeric;     /* block groups' source fields: numeric features bg_<field> */
    size_t nblock_group_numeric;
    char **block_group_categorical; /* block groups' source fields: categorical features bg_<field>=<level> */
    size_t nblock_group_categorical;
    int min_level_homes;        /* a categorical level held by fewer homes is pooled into "other" */
} cfg_features;

#define FR_MAX_ATTRIBUTES 128   /* parcel_numeric + parcel_categorical, at most (and the same for block groups) */

/* ---- score: ------------------------------------------------------------- */

typedef struct {
    char *feature;
    double weight;
    double cap;
    int invert; /* score (cap - x) instead of x: e.g. owner_occupied */
} cfg_weight;

typedef struct {
    char *feature;
    const char *direction; /* "increasing", "decreasing" or "none" (static text) */
} cfg_monotone;

typedef struct {
    int balanced;        /* `balanced`: each class weighs half */
    double fire_row;     /* else the number: weight of a fire row */
} cfg_class_weight;

typedef struct {
    double l2;
    int max_iterations;
} cfg_logistic;

typedef struct {
    int max_trees, max_depth, bins, early_stopping;
    int fallback_trees;  /* trees grown when the validation slice is too small to stop early on */
    double learning_rate, min_child_weight, l2, min_split_gain;
} cfg_gbdt;

typedef struct {
    double high;         /* share of parcels in the high tier */
    double medium;       /* share in high + medium */
} cfg_tiers;

typedef struct {
    const char *model;   /* "points", "logistic" or "gbdt" (static text, not owned) */
    char *model_file;    /* resolved against the config's directory; NULL = none */
    char *horizon;       /* "1y", "6m", "90d" */
    int training_cutoffs;/* yearly cutoffs stacked for training; 0 = auto (as many as the incidents span) */
    int min_slice_fires; /* auto cutoffs: least homes with a fire in a slice's label window */
    int min_validation_fires; /* fewer in the validation slice: no early stopping, a warning */
    double max_training_rows; /* above it the non-fire rows are sampled (their weight undone) */
    int monotone_history;     /* fire and call history features non-decreasing */
    cfg_monotone *monotone;   /* per-feature directions (override monotone_history) */
    size_t nmonotone;
    char **features_include;  /* train: only these features (none listed: all) */
    size_t nfeatures_include;
    char **features_exclude;  /* train: never these */
    size_t nfeatures_exclude;
    cfg_class_weight class_weight;
    char **precision_at; /* "100", "1%", ... */
    size_t nprecision_at;
    cfg_logistic logistic;
    cfg_gbdt gbdt;
    cfg_weight *weights; /* the points index's terms (the built-in table when the key is absent) */
    size_t nweights;
    cfg_tiers tiers;
} cfg_score;

/* ---- output: ------------------------------------------------------------ */

typedef struct {
    char *label;         /* a zone label */
    long limit;          /* most targets with that label */
} cfg_capacity_limit;

typedef struct {
    char *zone;          /* a layers.zones[] name; NULL = no capacity */
    long default_limit;  /* `default`; CFG_NO_LIMIT = none */
    cfg_capacity_limit *limits;
    size_t nlimits;
    int line;            /* line in the config, for messages */
} cfg_capacity;
#define CFG_NO_LIMIT (-1L)

/* The layer names of a named output (output.named_geopackage,
 * output.postgis), as `ogr2ogr -nln` names them. */
typedef struct {
    char *ranked_parcels, *targets, *rejects, *matches;
} cfg_layer_names;

typedef struct {
    char *file;          /* the GeoPackage; NULL = none */
    cfg_layer_names layers;
} cfg_named_geopackage;

typedef struct {
    char *connection;    /* "PG:..."; NULL = none */
    char *schema;
    char *table_prefix;
} cfg_postgis;

typedef struct {
    char *dir;           /* NULL = "out" in the working directory */
    long target_list_size; /* rows in targets.csv */
    int geojson, shapefile;
    int coordinate_precision; /* GeoJSON decimals */
    int direct_io;       /* the tapped outputs and the GeoPackages with O_DIRECT where the file system takes it */
    const char *writer;  /* "native" or "gdal" (static text, not owned) */
    int geopackage;      /* ranked_parcels.gpkg */
    int geopackage_spatial_index;
    int style;           /* ranked_parcels.qml + GeoPackage layer_styles */
    int report;          /* report.html */
    const char *neighbourhood_fields; /* "auto" or "always" (static text, not owned): run_scales.c */
    cfg_capacity capacity_per_zone;
    cfg_named_geopackage named_geopackage;
    cfg_postgis postgis;
} cfg_output;

/* ---- targets: (the revisit rule) --------------------------------------- */

typedef struct {
    int revisit_after_days;  /* a home visited within so many days is left off the list; 0 = never */
    int failed_revisit_days; /* ... or within so many after a failed visit */
    char **done_outcomes;    /* visit outcomes (case-insensitive) that complete a visit */
    size_t ndone_outcomes;
    char **failed_outcomes;  /* visit outcomes that mean the visit must be made again */
    size_t nfailed_outcomes;
    const char *allocation;  /* "rank" or "proportional" (static text, not owned) */
    double equity_ratio;     /* equity.csv flags an area whose targets share / risk share passes it (or 1/it) */
} cfg_targets;

/* ---- the file ----------------------------------------------------------- */

typedef struct {
    char *path;          /* the config file (for `-`, a private copy of stdin) */
    char *dir;           /* its directory, for relative paths (`-`: the working directory) */
    int path_is_copy;    /* path is that copy: removed by fr_config_free */
    int32_t as_of;       /* days since 1970-01-01 */
    int as_of_set;
    char *working_crs;   /* NULL = UTM zone of the parcels */
    cfg_layers layers;
    cfg_join join;
    cfg_features features;
    cfg_score score;
    cfg_output output;
    cfg_checks checks;
    cfg_targets targets;
} fr_config;

/* Loads and validates the file.  On failure *cfg is left empty and err names
 * file, line and key. */
fr_status fr_config_load(const char *path, fr_config *cfg, fr_error *err);
void fr_config_free(fr_config *cfg);

#endif
