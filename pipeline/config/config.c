/*
 * config.c — YAML configuration loader (see config.h, docs/CONFIG.md).
 *
 * libyaml's document API gives a node tree with line numbers; we walk it
 * with a small set of typed getters that refuse unknown keys and wrong types
 * with "file:line: ..." messages.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "dates.h"
#include "mask.h"

const cfg_weight fr_default_weights[] = {
    {"fires_parcel_5y", 3.0, 2.0, 0},
    {"fires_near_3y", 2.0, 10.0, 0},
    {"insp_failed_3y", 2.0, 3.0, 0},
    {"insp_violations_3y", 1.0, 10.0, 0},
    {"building_age", 2.0, 100.0, 0},
    {"vacant", 1.5, 1.0, 0},
    {"owner_occupied", 1.0, 1.0, 1},
    {"units", 0.5, 50.0, 0},
    {"station_dist_m", 0.5, 5000.0, 0},
    {"bg_poverty_rate", 1.0, 0.5, 0},
};
const size_t fr_default_weight_count = sizeof fr_default_weights / sizeof fr_default_weights[0];

/* Largest config accepted: a nightly config is a page; anything near this
 * is a wrong file. */
#define CONFIG_MAX_BYTES (1024 * 1024)

typedef struct {
    yaml_document_t *doc;
    const char *path;
    fr_error *err;
} walker;

static fr_status fail(walker *w, const yaml_node_t *n, fr_status s, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static fr_status fail(walker *w, const yaml_node_t *n, fr_status s, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fr_error_set(w->err, s, "%s:%lu: %s", w->path, n ? (unsigned long)n->start_mark.line + 1 : 0UL, msg);
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static fr_status get_string(walker *w, const yaml_node_t *n, const char *key, char **out)
{
    const char *s = scalar(n);
    if (!s)
        return fail(w, n, FR_E_CONFIG, "'%s' must be a text value", key);
    free(*out);
    *out = strdup(s);
    return *out ? FR_OK : fr_error_oom(w->err);
}

static fr_status get_number(walker *w, const yaml_node_t *n, const char *key, double min, double max,
                            double *out)
{
    const char *s = scalar(n);
    char *end = NULL;
    errno = 0;
    double v = s ? strtod(s, &end) : NAN;
    if (!s || end == s || *end != '\0' || errno || !isfinite(v))
        return fail(w, n, FR_E_CONFIG, "'%s' must be a number", key);
    if (v < min || v > max)
        return fail(w, n, FR_E_CONFIG, "'%s' must be between %g and %g (got %g)", key, min, max, v);
    *out = v;
    return FR_OK;
}

static fr_status get_bool(walker *w, const yaml_node_t *n, const char *key, int *out)
{
    const char *s = scalar(n);
    if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1"))) {
        *out = 1;
        return FR_OK;
    }
    if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0"))) {
        *out = 0;
        return FR_OK;
    }
    return fail(w, n, FR_E_CONFIG, "'%s' must be true or false", key);
}

static fr_status expect_mapping(walker *w, const yaml_node_t *n, const char *key)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return fail(w, n, FR_E_CONFIG, "'%s' must be a mapping (key: value lines)", key);
    return FR_OK;
}

static fr_status unknown_key(walker *w, const yaml_node_t *k, const char *where, const char *allowed)
{
    return fail(w, k, FR_E_CONFIG, "unknown key '%s' in %s (allowed: %s)", scalar(k) ? scalar(k) : "?", where,
                allowed);
}

/* Resolves a source path relative to the config's directory; connection
 * strings ("PG:...", "/vsi...", "xx:") pass through. */
static char *resolve_source(const char *dir, const char *src)
{
    int is_conn = strchr(src, ':') != NULL || strncmp(src, "/vsi", 4) == 0;
    if (src[0] == '/' || is_conn)
        return strdup(src);
    size_t n = strlen(dir) + strlen(src) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, src);
    return p;
}

/* Copy of a connection string with its password masked, for messages and
 * reports (pwd=, quoted values and URI credentials too: mask.c). */
static char *mask_password(const char *src)
{
    return fr_mask_secrets(src);
}

static const char *const parcel_fields[] = {"parcel_id", "address", "year_built", "land_use",
                                            "building_sqft", "units", "assessed_value", "vacant",
                                            "owner_occupied", NULL};
static const char *const inspection_fields[] = {"parcel_id", "date", "result", "violations", "address", NULL};
static const char *const incident_fields[] = {"parcel_id", "date", "incident_type", "address", NULL};
static const char *const station_fields[] = {"name", NULL};

static const char *const *allowed_fields(const char *role)
{
    if (!strcmp(role, "parcels")) return parcel_fields;
    if (!strcmp(role, "inspections")) return inspection_fields;
    if (!strcmp(role, "incidents")) return incident_fields;
    if (!strcmp(role, "stations")) return station_fields;
    return NULL; /* block groups: any attribute; zones: none */
}

static int in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (!strcmp(*list, s))
            return 1;
    return 0;
}

static void join_list(const char *const *list, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t used = 0; *list; list++) {
        int w = snprintf(out + used, size - used, "%s%s", used ? ", " : "", *list);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

static fr_status parse_fields(walker *w, const yaml_node_t *n, cfg_layer *l)
{
    fr_status st = expect_mapping(w, n, "fields");
    if (st != FR_OK)
        return st;
    const char *const *allowed = allowed_fields(l->role);
    size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    l->fields = calloc(count ? count : 1, sizeof *l->fields);
    if (!l->fields)
        return fr_error_oom(w->err);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key), *v = yaml_document_get_node(w->doc, p->value);
        const char *name = scalar(k);
        if (!name)
            return fail(w, k, FR_E_CONFIG, "field names must be text");
        if (allowed && !in_list(allowed, name)) {
            char list[400];
            join_list(allowed, list, sizeof list);
            return fail(w, k, FR_E_CONFIG, "unknown field '%s' for layers.%s (known: %s)", name, l->role, list);
        }
        for (size_t i = 0; i < l->nfields; i++)
            if (!strcmp(l->fields[i].logical, name))
                return fail(w, k, FR_E_CONFIG, "field '%s' mapped twice in layers.%s", name, l->role);
        cfg_field *f = &l->fields[l->nfields];
        f->logical = strdup(name);
        l->nfields++;
        if (!f->logical)
            return fr_error_oom(w->err);
        if ((st = get_string(w, v, name, &f->source)) != FR_OK)
            return st;
    }
    return FR_OK;
}

static fr_status parse_string_list(walker *w, const yaml_node_t *n, const char *key, char ***out,
                                   size_t *count, int null_terminate)
{
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return fail(w, n, FR_E_CONFIG, "'%s' must be a list ([a, b] or '- a' lines)", key);
    size_t m = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    char **list = calloc(m + 1, sizeof *list);
    if (!list)
        return fr_error_oom(w->err);
    *out = list;
    if (count)
        *count = 0;
    for (size_t i = 0; i < m; i++) {
        yaml_node_t *it = yaml_document_get_node(w->doc, n->data.sequence.items.start[i]);
        fr_status st = get_string(w, it, key, &list[i]);
        if (st != FR_OK)
            return st;
        if (count)
            (*count)++;
    }
    (void)null_terminate;
    return FR_OK;
}

#include "config_join.inc"

static fr_status parse_layer(walker *w, const yaml_node_t *n, const char *role, const char *dir,
                             int is_zone, cfg_layer *l)
{
    char where[64];
    snprintf(where, sizeof where, is_zone ? "a zones entry" : "layers.%s", role);
    fr_status st = expect_mapping(w, n, where);
    if (st != FR_OK)
        return st;
    l->present = 1;
    l->line = (int)n->start_mark.line + 1;
    if (!is_zone && !(l->role = strdup(role)))
        return fr_error_oom(w->err);
    const char *allowed = is_zone ? "name, source, layer, where, crs, field, open_options"
                          : join_keys_allowed(role) ? "source, layer, where, crs, geometry, open_options, date_format, fields, join, address_range"
                                                    : "source, layer, where, crs, geometry, open_options, date_format, fields";
    char *source = NULL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && st == FR_OK; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key), *v = yaml_document_get_node(w->doc, p->value);
        const char *key = scalar(k);
        if (!key) { /* not a return: `source` may already be allocated (found by fuzz_config) */
            st = fail(w, k, FR_E_CONFIG, "keys must be text");
            break;
        }
        if (!strcmp(key, "source"))
            st = get_string(w, v, key, &source);
        else if (!strcmp(key, "layer"))
            st = get_string(w, v, key, &l->layer);
        else if (!strcmp(key, "where"))
            st = get_string(w, v, key, &l->where);
        else if (!strcmp(key, "crs"))
            st = get_string(w, v, key, &l->crs);
        else if (!strcmp(key, "open_options"))
            st = parse_string_list(w, v, key, &l->open_options, NULL, 1);
        else if (is_zone && !strcmp(key, "name"))
            st = get_string(w, v, key, &l->role);
        else if (is_zone && !strcmp(key, "field"))
            st = get_string(w, v, key, &l->zone_field);
        else if (!is_zone && !strcmp(key, "date_format"))
            st = get_string(w, v, key, &l->date_format);
        else if (!is_zone && !strcmp(key, "fields"))
            st = parse_fields(w, v, l);
        else if (!is_zone && !strcmp(key, "geometry")) {
            if ((st = expect_mapping(w, v, "geometry")) != FR_OK)
                break;
            for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top && st == FR_OK; q++) {
                yaml_node_t *gk = yaml_document_get_node(w->doc, q->key), *gv = yaml_document_get_node(w->doc, q->value);
                const char *gkey = scalar(gk);
                if (gkey && !strcmp(gkey, "wkt"))
                    st = get_string(w, gv, gkey, &l->wkt_field);
                else if (gkey && !strcmp(gkey, "x"))
                    st = get_string(w, gv, gkey, &l->x_field);
                else if (gkey && !strcmp(gkey, "y"))
                    st = get_string(w, gv, gkey, &l->y_field);
                else
                    st = unknown_key(w, gk, "geometry", "wkt, or x and y");
            }
            if (st == FR_OK && (!l->x_field) != (!l->y_field))
                st = fail(w, v, FR_E_CONFIG, "geometry needs both x and y");
            if (st == FR_OK && l->wkt_field && l->x_field)
                st = fail(w, v, FR_E_CONFIG, "geometry takes either wkt or x and y, not both");
        } else if (!is_zone && parse_join_key(w, k, v, l, &st)) {
            /* join, address_range (config_join.inc) */
        } else
            st = unknown_key(w, k, where, allowed);
    }
    if (st != FR_OK) {
        free(source);
        return st;
    }
    if (!source)
        return fail(w, n, FR_E_CONFIG, "%s needs a 'source' (a file path or a connection string)", where);
    l->source = resolve_source(dir, source);
    l->source_label = mask_password(l->source);
    free(source);
    if (!l->source || !l->source_label)
        return fr_error_oom(w->err);
    if (is_zone && (!l->role || !l->zone_field))
        return fail(w, n, FR_E_CONFIG, "each zones entry needs 'name' (the output column) and 'field' (the zone's label)");
    return FR_OK;
}

static fr_status parse_layers(walker *w, const yaml_node_t *n, fr_config *cfg)
{
    fr_status st = expect_mapping(w, n, "layers");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; st == FR_OK && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key), *v = yaml_document_get_node(w->doc, p->value);
        const char *key = scalar(k);
        cfg_layer *target = NULL;
        if (key && !strcmp(key, "parcels")) target = &cfg->parcels;
        else if (key && !strcmp(key, "inspections")) target = &cfg->inspections;
        else if (key && !strcmp(key, "incidents")) target = &cfg->incidents;
        else if (key && !strcmp(key, "stations")) target = &cfg->stations;
        else if (key && !strcmp(key, "block_groups")) target = &cfg->block_groups;
        if (target) {
            if (target->present)
                return fail(w, k, FR_E_CONFIG, "layers.%s given twice", key);
            st = parse_layer(w, v, key, cfg->dir, 0, target);
        } else if (key && !strcmp(key, "zones")) {
            if (!v || v->type != YAML_SEQUENCE_NODE)
                return fail(w, v, FR_E_CONFIG, "layers.zones must be a list of zone layers");
            size_t m = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
            cfg->zones = calloc(m ? m : 1, sizeof *cfg->zones);
            if (!cfg->zones)
                return fr_error_oom(w->err);
            for (size_t i = 0; i < m && st == FR_OK; i++) {
                cfg->nzones++;
                st = parse_layer(w, yaml_document_get_node(w->doc, v->data.sequence.items.start[i]), "zone",
                                 cfg->dir, 1, &cfg->zones[i]);
            }
        } else
            st = unknown_key(w, k, "layers", "parcels, inspections, incidents, stations, block_groups, zones");
    }
    return st;
}

static fr_status parse_code_range(walker *w, const yaml_node_t *n, cfg_code_range *r)
{
    const char *s = scalar(n);
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
    return fail(w, n, FR_E_CONFIG, "fire_codes entries are NFIRS codes (111) or ranges (110-129)");
}

static fr_status parse_join(walker *w, const yaml_node_t *n, fr_config *cfg)
{
    fr_status st = expect_mapping(w, n, "join");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; st == FR_OK && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key), *v = yaml_document_get_node(w->doc, p->value);
        const char *key = scalar(k);
        if (key && !strcmp(key, "tolerance_m"))
            st = get_number(w, v, key, 0, 10000, &cfg->tolerance_m);
        else if (key && !strcmp(key, "radius_m"))
            st = get_number(w, v, key, 1, 100000, &cfg->radius_m);
        else if (key && !strcmp(key, "study_area_km"))
            st = get_number(w, v, key, 1, 20000, &cfg->study_area_km);
        else
            st = unknown_key(w, k, "join", "tolerance_m, radius_m, study_area_km");
    }
    return st;
}

static fr_status parse_features(walker *w, const yaml_node_t *n, fr_config *cfg)
{
    fr_status st = expect_mapping(w, n, "features");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; st == FR_OK && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key), *v = yaml_document_get_node(w->doc, p->value);
        const char *key = scalar(k);
        if (key && !strcmp(key, "fire_codes")) {
            if (!v || v->type != YAML_SEQUENCE_NODE)
                return fail(w, v, FR_E_CONFIG, "fire_codes must be a list, e.g. [\"110-129\"]");
            size_t m = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
            free(cfg->fire_codes);
            cfg->fire_codes = calloc(m ? m : 1, sizeof *cfg->fire_codes);
            cfg->nfire_codes = 0;
            if (!cfg->fire_codes)
                return fr_error_oom(w->err);
            for (size_t i = 0; i < m && st == FR_OK; i++) {
                st = parse_code_range(w, yaml_document_get_node(w->doc, v->data.sequence.items.start[i]),
                                      &cfg->fire_codes[i]);
                cfg->nfire_codes++;
            }
        } else if (key && !strcmp(key, "fail_values")) {
            for (size_t i = 0; i < cfg->nfail_values; i++)
                free(cfg->fail_values[i]);
            free(cfg->fail_values);
            cfg->fail_values = NULL;
            cfg->nfail_values = 0;
            st = parse_string_list(w, v, key, &cfg->fail_values, &cfg->nfail_values, 0);
        } else
            st = unknown_key(w, k, "features", "fire_codes, fail_values");
    }
    return st;
}

static fr_status parse_weights(walker *w, const yaml_node_t *n, fr_config *cfg)
{
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return fail(w, n, FR_E_CONFIG, "score.weights must be a list of {feature, weight, cap}");
    size_t m = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    cfg->weights = calloc(m ? m : 1, sizeof *cfg->weights);
    if (!cfg->weights)
        return fr_error_oom(w->err);
    fr_status st = FR_OK;
    for (size_t i = 0; i < m && st == FR_OK; i++) {
        yaml_node_t *it = yaml_document_get_node(w->doc, n->data.sequence.items.start[i]);
        if ((st = expect_mapping(w, it, "score.weights entry")) != FR_OK)
            return st;
        cfg_weight *wt = &cfg->weights[cfg->nweights++];
        wt->weight = NAN;
        wt->cap = NAN;
        for (yaml_node_pair_t *p = it->data.mapping.pairs.start; st == FR_OK && p < it->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(w->doc, p->key), *v = yaml_document_get_node(w->doc, p->value);
            const char *key = scalar(k);
            if (key && !strcmp(key, "feature"))
                st = get_string(w, v, key, &wt->feature);
            else if (key && !strcmp(key, "weight"))
                st = get_number(w, v, key, 0, 1e6, &wt->weight);
            else if (key && !strcmp(key, "cap"))
                st = get_number(w, v, key, 1e-12, 1e12, &wt->cap);
            else if (key && !strcmp(key, "invert"))
                st = get_bool(w, v, key, &wt->invert);
            else
                st = unknown_key(w, k, "score.weights entry", "feature, weight, cap, invert");
        }
        if (st == FR_OK && (!wt->feature || isnan(wt->weight) || isnan(wt->cap)))
            st = fail(w, it, FR_E_CONFIG, "each score.weights entry needs feature, weight and cap");
    }
    return st;
}

#include "config_models.inc"
#include "config_robust.inc"

static fr_status parse_score(walker *w, const yaml_node_t *n, fr_config *cfg)
{
    fr_status st = expect_mapping(w, n, "score");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; st == FR_OK && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key), *v = yaml_document_get_node(w->doc, p->value);
        const char *key = scalar(k);
        if (key && !strcmp(key, "model")) {
            st = get_string(w, v, key, &cfg->model);
            if (st == FR_OK && strcmp(cfg->model, "points") && strcmp(cfg->model, "logistic") && strcmp(cfg->model, "gbdt"))
                st = fail(w, v, FR_E_CONFIG, "score.model '%s' is not known (points, logistic or gbdt)", cfg->model);
        } else if (key && parse_models_key(w, k, v, cfg, &st)) {
            /* a key of the trained models (config_models.c) */
        } else if (key && !strcmp(key, "weights"))
            st = parse_weights(w, v, cfg);
        else if (key && !strcmp(key, "tiers")) {
            if ((st = expect_mapping(w, v, "score.tiers")) != FR_OK)
                break;
            for (yaml_node_pair_t *q = v->data.mapping.pairs.start; st == FR_OK && q < v->data.mapping.pairs.top; q++) {
                yaml_node_t *tk = yaml_document_get_node(w->doc, q->key), *tv = yaml_document_get_node(w->doc, q->value);
                const char *tkey = scalar(tk);
                if (tkey && !strcmp(tkey, "high"))
                    st = get_number(w, tv, tkey, 0, 1, &cfg->tier_high);
                else if (tkey && !strcmp(tkey, "medium"))
                    st = get_number(w, tv, tkey, 0, 1, &cfg->tier_medium);
                else
                    st = unknown_key(w, tk, "score.tiers", "high, medium");
            }
        } else
            st = unknown_key(w, k, "score", "model, weights, tiers, model_file, horizon, training_cutoffs, "
                                            "class_weight, precision_at, logistic, gbdt");
    }
    if (st == FR_OK && cfg->tier_medium < cfg->tier_high)
        st = fail(w, n, FR_E_CONFIG, "score.tiers.medium (share of parcels in high + medium) must be >= tiers.high");
    return st;
}

#include "config_outputs.inc"

static fr_status parse_output(walker *w, const yaml_node_t *n, fr_config *cfg)
{
    fr_status st = expect_mapping(w, n, "output");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; st == FR_OK && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key), *v = yaml_document_get_node(w->doc, p->value);
        const char *key = scalar(k);
        double d;
        if (key && !strcmp(key, "dir")) {
            char *raw = NULL;
            st = get_string(w, v, key, &raw);
            if (st == FR_OK) {
                free(cfg->out_dir);
                cfg->out_dir = raw[0] == '/' ? strdup(raw) : resolve_source(cfg->dir, raw);
                free(raw);
            }
        } else if (key && !strcmp(key, "target_list_size")) {
            if ((st = get_number(w, v, key, 0, 1e9, &d)) == FR_OK)
                cfg->target_list_size = (long)d;
        } else if (key && !strcmp(key, "geojson"))
            st = get_bool(w, v, key, &cfg->write_geojson);
        else if (key && !strcmp(key, "shapefile"))
            st = get_bool(w, v, key, &cfg->write_shapefile);
        else if (key && !strcmp(key, "coordinate_precision")) {
            if ((st = get_number(w, v, key, 0, 15, &d)) == FR_OK)
                cfg->coordinate_precision = (int)d;
        } else if (key && !strcmp(key, "writer")) {
            const char *v_text = scalar(v);
            if (v_text && !strcmp(v_text, "native"))
                cfg->writer_gdal = 0;
            else if (v_text && !strcmp(v_text, "gdal"))
                cfg->writer_gdal = 1;
            else
                st = fail(w, v, FR_E_CONFIG, "output.writer must be native or gdal");
        } else if (parse_outputs_key(w, k, v, cfg, &st)) {
            /* GeoPackage, style, report, capacity (config_outputs.inc) */
        } else
            st = unknown_key(w, k, "output", "dir, target_list_size, geojson, shapefile, coordinate_precision, writer, "
                                             "geopackage, geopackage_spatial_index, style, report, capacity_per_zone");
    }
    return st;
}

static fr_status parse_root(walker *w, const yaml_node_t *root, fr_config *cfg)
{
    if (!root)
        return fr_error_set(w->err, FR_E_CONFIG, "%s: the file is empty", w->path);
    fr_status st = expect_mapping(w, root, "the configuration");
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; st == FR_OK && p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key), *v = yaml_document_get_node(w->doc, p->value);
        const char *key = scalar(k);
        if (key && !strcmp(key, "as_of")) {
            const char *s = scalar(v);
            if (!s || fr_parse_date(s, "%Y-%m-%d", &cfg->as_of) != 0)
                st = fail(w, v, FR_E_CONFIG, "as_of must be a date YYYY-MM-DD");
            cfg->as_of_set = 1;
        } else if (key && !strcmp(key, "working_crs"))
            st = get_string(w, v, key, &cfg->working_crs);
        else if (key && !strcmp(key, "layers"))
            st = parse_layers(w, v, cfg);
        else if (key && !strcmp(key, "join"))
            st = parse_join(w, v, cfg);
        else if (key && !strcmp(key, "features"))
            st = parse_features(w, v, cfg);
        else if (key && !strcmp(key, "score"))
            st = parse_score(w, v, cfg);
        else if (key && !strcmp(key, "output"))
            st = parse_output(w, v, cfg);
        else
            st = unknown_key(w, k, "the configuration", "as_of, working_crs, layers, join, features, score, output");
    }
    if (st != FR_OK)
        return st;
    if (!cfg->parcels.present)
        return fail(w, root, FR_E_CONFIG, "layers.parcels is required");
    if ((st = outputs_check(w, cfg)) != FR_OK)
        return st;
    if ((st = check_joins(w, cfg)) != FR_OK)
        return st;
    if ((st = check_zone_names(w, cfg)) != FR_OK)
        return st;
    int has_id = 0;
    for (size_t i = 0; i < cfg->parcels.nfields; i++)
        has_id |= !strcmp(cfg->parcels.fields[i].logical, "parcel_id");
    if (!has_id)
        return fr_error_set(w->err, FR_E_CONFIG, "%s:%d: layers.parcels.fields needs parcel_id (the field that identifies a parcel)",
                            w->path, cfg->parcels.line);
    cfg_layer *dated[] = {&cfg->inspections, &cfg->incidents};
    for (int i = 0; i < 2; i++) {
        if (!dated[i]->present)
            continue;
        int has_date = 0;
        for (size_t f = 0; f < dated[i]->nfields; f++)
            has_date |= !strcmp(dated[i]->fields[f].logical, "date");
        if (!has_date)
            return fr_error_set(w->err, FR_E_CONFIG, "%s:%d: layers.%s.fields needs date", w->path, dated[i]->line,
                                dated[i]->role);
    }
    return FR_OK;
}

static fr_status set_defaults(fr_config *cfg)
{
    cfg->tolerance_m = 15;
    cfg->radius_m = 250;
    cfg->study_area_km = 500;
    cfg->tier_high = 0.05;
    cfg->tier_medium = 0.20;
    cfg->target_list_size = 500;
    cfg->write_geojson = 1;
    cfg->write_shapefile = 1;
    cfg->coordinate_precision = 7;
    cfg->fire_codes = malloc(sizeof *cfg->fire_codes);
    static const char *const fails[] = {"FAIL", "FAILED", "F", "VIOLATION", "VIOLATIONS", "NON-COMPLIANT", "NONCOMPLIANT"};
    size_t nf = sizeof fails / sizeof fails[0];
    cfg->fail_values = calloc(nf + 1, sizeof *cfg->fail_values);
    if (!cfg->fire_codes || !cfg->fail_values)
        return FR_E_MEMORY;
    if (models_defaults(&cfg->models) != FR_OK)
        return FR_E_MEMORY;
    outputs_defaults(&cfg->outputs);
    cfg->fire_codes[0] = (cfg_code_range){110, 129};
    cfg->nfire_codes = 1;
    for (size_t i = 0; i < nf; i++)
        if (!(cfg->fail_values[cfg->nfail_values++] = strdup(fails[i])))
            return FR_E_MEMORY;
    return FR_OK;
}

fr_status fr_config_load(const char *path, fr_config *cfg, fr_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return fr_error_set(err, FR_E_CONFIG, "%s: cannot read the configuration: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return fr_error_set(err, FR_E_CONFIG, "%s: is a directory, not a configuration file", path);
    if (sb.st_size > CONFIG_MAX_BYTES)
        return fr_error_set(err, FR_E_CONFIG, "%s: %lld bytes is too large for a configuration (limit %d); wrong file?",
                            path, (long long)sb.st_size, CONFIG_MAX_BYTES);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return fr_error_set(err, FR_E_CONFIG, "%s: cannot read the configuration: %s", path, strerror(errno));
    cfg->path = strdup(path);
    char *tmp = strdup(path);
    cfg->dir = tmp ? strdup(dirname(tmp)) : NULL;
    free(tmp);
    if (!cfg->path || !cfg->dir || set_defaults(cfg) != FR_OK) {
        fclose(fp);
        fr_config_free(cfg);
        return fr_error_oom(err);
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, fp);
    fr_status st = FR_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        st = fr_error_set(err, FR_E_CONFIG, "%s:%lu: not valid YAML: %s", path,
                          (unsigned long)parser.problem_mark.line + 1, parser.problem ? parser.problem : "parse error");
    } else {
        walker w = {.doc = &doc, .path = path, .err = err};
        st = check_duplicate_keys(&w);
        if (st == FR_OK)
            st = parse_root(&w, yaml_document_get_root_node(&doc), cfg);
        yaml_document_delete(&doc);
        if (st == FR_OK)
            st = check_single_document(&w, &parser);
    }
    yaml_parser_delete(&parser);
    fclose(fp);
    if (st != FR_OK)
        fr_config_free(cfg);
    return st;
}

static void free_layer(cfg_layer *l)
{
    free(l->role);
    free(l->source);
    free(l->source_label);
    free(l->layer);
    free(l->where);
    free(l->crs);
    free(l->wkt_field);
    free(l->x_field);
    free(l->y_field);
    free(l->date_format);
    free(l->zone_field);
    if (l->open_options)
        for (char **o = l->open_options; *o; o++)
            free(*o);
    free(l->open_options);
    for (size_t i = 0; i < l->nfields; i++) {
        free(l->fields[i].logical);
        free(l->fields[i].source);
    }
    free(l->fields);
}

void fr_config_free(fr_config *cfg)
{
    free(cfg->path);
    free(cfg->dir);
    free(cfg->working_crs);
    free_layer(&cfg->parcels);
    free_layer(&cfg->inspections);
    free_layer(&cfg->incidents);
    free_layer(&cfg->stations);
    free_layer(&cfg->block_groups);
    for (size_t i = 0; i < cfg->nzones; i++)
        free_layer(&cfg->zones[i]);
    free(cfg->zones);
    free(cfg->fire_codes);
    for (size_t i = 0; i < cfg->nfail_values; i++)
        free(cfg->fail_values[i]);
    free(cfg->fail_values);
    free(cfg->model);
    models_free(&cfg->models);
    outputs_free(&cfg->outputs);
    for (size_t i = 0; i < cfg->nweights; i++)
        free(cfg->weights[i].feature);
    free(cfg->weights);
    free(cfg->out_dir);
    memset(cfg, 0, sizeof *cfg);
}
