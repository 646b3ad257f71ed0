/*
 * config_root.c — the key tables of the top level, join: and features:
 * (docs/CONFIG.md), with their keys that are not plain values: as_of (a
 * date) and features.fire_codes (NFIRS codes and ranges).
 */
#include "config_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "neighbourhood.h"

/* ---- features ----------------------------------------------------------- */

static fr_status parse_code_range(cfg_walk *w, const yaml_node_t *n, const char *path, cfg_code_range *r)
{
    const char *s = cfg_scalar(n);
    int lo, hi, used = 0;
    if (s && sscanf(s, "%d-%d%n", &lo, &hi, &used) == 2 && s[used] == '\0' && lo <= hi) {
        r->lo = lo;
        r->hi = hi;
        return FR_OK;
    }
    if (s && sscanf(s, "%d%n", &lo, &used) == 1 && s[used] == '\0') {
        r->lo = r->hi = lo;
        return FR_OK;
    }
    return cfg_fail(w, n, "%s entries are NFIRS codes (111) or ranges (110-129)", path);
}

static fr_status parse_fire_codes(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    cfg_features *f = base;
    size_t m = 0;
    fr_status st = cfg_expect_list(w, n, path, "e.g. [\"110-129\"]", &m);
    if (st != FR_OK)
        return st;
    if (!(f->fire_codes = calloc(m ? m : 1, sizeof *f->fire_codes)))
        return fr_error_oom(w->err);
    for (size_t i = 0; i < m && st == FR_OK; i++) {
        st = parse_code_range(w, cfg_node(w, n->data.sequence.items.start[i]), path, &f->fire_codes[i]);
        f->nfire_codes++;
    }
    return st;
}

static void release_fire_codes(void *base)
{
    cfg_features *f = base;
    free(f->fire_codes);
    f->fire_codes = NULL;
    f->nfire_codes = 0;
}

static int valid_scale(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return end != s && *end == '\0' && v >= 1 && v <= 20000;
}

static fr_status features_finish(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    (void)path;
    const cfg_features *f = base;
    if (f->nhistory_radii_m > MODEL_MAX_SCALES || f->nkernel_bandwidths_m > MODEL_MAX_SCALES)
        return cfg_fail(w, n, "features.history_radii_m and features.kernel_bandwidths_m take at most %d "
                              "distances each", MODEL_MAX_SCALES);
    if (f->nparcel_numeric + f->nparcel_categorical > FR_MAX_ATTRIBUTES)
        return cfg_fail(w, n, "features.parcel_numeric and parcel_categorical name at most %d fields together",
                        FR_MAX_ATTRIBUTES);
    if (f->nblock_group_numeric + f->nblock_group_categorical > FR_MAX_ATTRIBUTES)
        return cfg_fail(w, n, "features.block_group_numeric and block_group_categorical name at most %d fields "
                              "together", FR_MAX_ATTRIBUTES);
    char *const *lists[] = {f->parcel_numeric, f->parcel_categorical, f->block_group_numeric,
                            f->block_group_categorical};
    const size_t counts[] = {f->nparcel_numeric, f->nparcel_categorical, f->nblock_group_numeric,
                             f->nblock_group_categorical};
    for (size_t l = 0; l < 4; l++)
        for (size_t i = 0; i < counts[l]; i++) {
            const char *a = lists[l][i];
            if (strlen(a) > 60 || strchr(a, '='))
                return cfg_fail(w, n, "features: attribute field '%s' must be at most 60 characters, without '='", a);
        }
    return FR_OK;
}

static const cfg_key features_keys[] = {
    {"fire_codes", CFG_CUSTOM, 0, .parse = parse_fire_codes, .release = release_fire_codes, .def = "[\"110-129\"]",
     .doc_type = "list of codes or ranges",
     .help = "NFIRS incident types that count as fires (the default: structure fires). An incident's type is the "
             "leading number of `incident_type` (\"111\", \"111 - Building fire\"); when `incident_type` is not "
             "mapped, every incident counts as a fire"},
    {"fail_values", CFG_TEXT_LIST, offsetof(cfg_features, fail_values), offsetof(cfg_features, nfail_values),
     .def = "[FAIL, FAILED, F, VIOLATION, VIOLATIONS, NON-COMPLIANT, NONCOMPLIANT]",
     .help = "inspection results (case-insensitive) that mean failed; without a `result`, an inspection with "
             "violations > 0 counts as failed"},
    {"history_radii_m", CFG_TEXT_LIST, offsetof(cfg_features, history_radii_m),
     offsetof(cfg_features, nhistory_radii_m), .valid = valid_scale, .must = "distances in metres from 1 to 20000",
     .def = "[100, 250, 500, 1000]", .doc_type = "list of up to 8 distances (m)",
     .help = "radii of the fires_<r>m_5y and calls_<r>m_3y features (an empty list: none) "
             "([FEATURES.md](FEATURES.md))"},
    {"kernel_bandwidths_m", CFG_TEXT_LIST, offsetof(cfg_features, kernel_bandwidths_m),
     offsetof(cfg_features, nkernel_bandwidths_m), .valid = valid_scale, .must = "distances in metres from 1 to 20000",
     .def = "[100, 250, 500]", .doc_type = "list of up to 8 distances (m)",
     .help = "bandwidths of the fire_kernel_<b>m features: a Gaussian kernel of the fires of the past 5 years, "
             "decayed with age (an empty list: none)"},
    {"kernel_half_life_days", CFG_NUMBER, offsetof(cfg_features, kernel_half_life_days), .min = 1, .max = 100000,
     .def = "730", .help = "a fire's weight in fire_kernel_* halves every this many days"},
    {"parcel_numeric", CFG_TEXT_LIST, offsetof(cfg_features, parcel_numeric),
     offsetof(cfg_features, nparcel_numeric), .def = "[]", .doc_type = "list of source fields",
     .help = "fields of the parcels layer that become numeric features of that name (stories, rooms, "
             "bedrooms...; [FEATURES.md](FEATURES.md))"},
    {"parcel_categorical", CFG_TEXT_LIST, offsetof(cfg_features, parcel_categorical),
     offsetof(cfg_features, nparcel_categorical), .def = "[]", .doc_type = "list of source fields",
     .help = "fields of the parcels layer that become categorical features: one column `<field>=<level>` per "
             "level held by `min_level_homes` homes or more, the rarer ones pooled in `<field>=other`"},
    {"block_group_numeric", CFG_TEXT_LIST, offsetof(cfg_features, block_group_numeric),
     offsetof(cfg_features, nblock_group_numeric), .def = "[]", .doc_type = "list of source fields",
     .help = "fields of the block_groups layer that become numeric features `bg_<field>` (beside the numeric "
             "fields mapped in `layers.block_groups.fields`; [FEATURES.md](FEATURES.md))"},
    {"block_group_categorical", CFG_TEXT_LIST, offsetof(cfg_features, block_group_categorical),
     offsetof(cfg_features, nblock_group_categorical), .def = "[]", .doc_type = "list of source fields",
     .help = "fields of the block_groups layer that become categorical features: one column "
             "`bg_<field>=<level>` per level held by `min_level_homes` homes or more (counted over the homes of "
             "the block groups), the rarer ones pooled in `bg_<field>=other`"},
    {"min_level_homes", CFG_WHOLE, offsetof(cfg_features, min_level_homes), .min = 1, .max = 100000000,
     .def = "30", .help = "a categorical level held by fewer homes is pooled into `other`"},
};
static const cfg_section features_section = {CFG_SECTION_OF(features_keys), .finish = features_finish};

/* ---- join --------------------------------------------------------------- */

static const cfg_key join_keys[] = {
    {"tolerance_m", CFG_NUMBER, offsetof(cfg_join, tolerance_m), .min = 0, .max = 10000, .def = "15",
     .help = "nearest-parcel tolerance for geocoding offsets"},
    {"radius_m", CFG_NUMBER, offsetof(cfg_join, radius_m), .min = 1, .max = 100000, .def = "250",
     .help = "neighbourhood radius of the fires_near_* features"},
    {"study_area_km", CFG_NUMBER, offsetof(cfg_join, study_area_km), .min = 1, .max = 20000, .def = "500",
     .help = "half-side of the study area, a square around the median centre of the parcels (the median, so that "
             "one parcel typed with wrong coordinates cannot move it). Parcels and point records not inside it "
             "are rejected as `outside_study_area` (points whose x and y swapped would fall among the parcels as "
             "`lonlat_swapped`) before they can pick the working CRS or break the lon/lat outputs. Raise it for a "
             "state-wide run"},
};
static const cfg_section join_section = {CFG_SECTION_OF(join_keys)};

/* ---- checks (the quality gates) ----------------------------------------- */

static const cfg_key checks_keys[] = {
    {"enabled", CFG_BOOL, offsetof(cfg_checks, enabled), .def = "true",
     .help = "judge the run before publishing it (docs/OPERATIONS.md); a failing check holds the run: exit 6, the "
             "outputs stay in the staging directory, `--accept` publishes anyway"},
    {"max_parcel_change_pct", CFG_NUMBER, offsetof(cfg_checks, max_parcel_change_pct), .min = 0, .max = 1e9,
     .def = "5", .help = "the parcels used may differ from the last published run's by at most this percentage"},
    {"max_reject_share_pct", CFG_NUMBER, offsetof(cfg_checks, max_reject_share_pct), .min = 0, .max = 100,
     .def = "20", .help = "a layer may have at most this percentage of its records rejected"},
    {"max_reject_share_rise_pts", CFG_NUMBER, offsetof(cfg_checks, max_reject_share_rise_pts), .min = 0,
     .max = 100, .def = "10",
     .help = "a layer's rejected share may rise by at most this many percentage points over the last published run"},
    {"max_match_rate_drop_pts", CFG_NUMBER, offsetof(cfg_checks, max_match_rate_drop_pts), .min = 0, .max = 100,
     .def = "10",
     .help = "a join method's share of a layer's kept records may fall by at most this many percentage points "
             "from the last published run"},
    {"max_data_age_days", CFG_WHOLE, offsetof(cfg_checks, max_data_age_days), .min = 0, .max = 1000000,
     .def = "45", .help = "the newest record of a dated layer (inspections, incidents) may be at most this many days "
                          "older than as_of: an export that stopped is caught (when the layer's pace over the year "
                          "before makes the silence improbable: 5 or more records expected; else a warning)"},
    {"ids_must_match", CFG_BOOL, offsetof(cfg_checks, ids_must_match), .def = "true",
     .help = "a layer whose records carry parcel ids must match some of them by id (0% means the ids are written "
             "differently from the parcels', or the wrong field is mapped)"},
    {"zones_must_hold_parcels", CFG_BOOL, offsetof(cfg_checks, zones_must_hold_parcels), .def = "true",
     .help = "every zone layer (and the block groups) must have some parcel inside one of its polygons"},
    {"as_of_not_after_today", CFG_BOOL, offsetof(cfg_checks, as_of_not_after_today), .def = "true",
     .help = "as_of (or `--as-of`) may not be after today (UTC)"},
};
static const cfg_section checks_section = {CFG_SECTION_OF(checks_keys)};

/* ---- the top level ------------------------------------------------------ */

static fr_status parse_as_of(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    fr_config *cfg = base;
    const char *s = cfg_scalar(n);
    cfg->as_of_set = 1;
    if (!s || fr_parse_date(s, "%Y-%m-%d", &cfg->as_of) != 0)
        return cfg_fail(w, n, "%s must be a date YYYY-MM-DD", path);
    return FR_OK;
}

static const cfg_key root_keys[] = {
    {"as_of", CFG_CUSTOM, 0, .parse = parse_as_of, .doc_type = "date YYYY-MM-DD", .doc_def = "today (UTC)",
     .help = "reference date: features use only records dated before it; `--as-of` overrides"},
    {"working_crs", CFG_TEXT, offsetof(fr_config, working_crs), .doc_type = "CRS text",
     .doc_def = "the WGS84 UTM zone of the parcels' centre",
     .help = "metric CRS of the joins: must be projected in metres"},
    {"layers", CFG_SECTION, offsetof(fr_config, layers), .section = &cfg_layers_section},
    {"join", CFG_SECTION, offsetof(fr_config, join), .section = &join_section},
    {"features", CFG_SECTION, offsetof(fr_config, features), .section = &features_section},
    {"score", CFG_SECTION, offsetof(fr_config, score), .section = &cfg_score_section},
    {"output", CFG_SECTION, offsetof(fr_config, output), .section = &cfg_output_section},
    {"checks", CFG_SECTION, offsetof(fr_config, checks), .section = &checks_section},
    {"targets", CFG_SECTION, offsetof(fr_config, targets), .section = &cfg_targets_section},
};
const cfg_section cfg_root_section = {CFG_SECTION_OF(root_keys)};
