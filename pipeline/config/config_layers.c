/*
 * config_layers.c — the key tables of layers: (docs/CONFIG.md) and the keys
 * of a layer that are not plain values: its source (resolved, password
 * masked), its fields (logical name -> source field, the names each role
 * knows) and the join steps of inspections and incidents.
 *
 * A layer's keys come in three tables that extend each other: the source
 * keys every layer and zone has, the keys of a role layer (geometry,
 * fields...), and the join keys only inspections and incidents have.
 */
#include "config_keys.h"

#include <stdlib.h>
#include <string.h>

#include "mask.h"

/* ---- source ------------------------------------------------------------- */

static fr_status parse_source(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    cfg_layer *l = base;
    char *raw = NULL;
    fr_status st = cfg_get_text(w, n, path, &raw);
    if (st != FR_OK)
        return st;
    l->source = cfg_resolve_path(w->dir, raw);
    free(raw);
    /* messages and reports show the label: passwords masked (mask.c) */
    l->source_label = l->source ? fr_mask_secrets(l->source) : NULL;
    return l->source && l->source_label ? FR_OK : fr_error_oom(w->err);
}

static void release_source(void *base)
{
    cfg_layer *l = base;
    free(l->source);
    free(l->source_label);
    l->source = l->source_label = NULL;
}

static fr_status require_source(cfg_walk *w, const yaml_node_t *n, const char *path, const cfg_layer *l)
{
    if (!l->source)
        return cfg_fail(w, n, "%s needs a 'source' (a file path or a connection string)", path);
    return FR_OK;
}

/* ---- fields ------------------------------------------------------------- */

static const char *const parcel_fields[] = {"parcel_id", "address", "year_built", "land_use",
                                            "building_sqft", "units", "assessed_value", "vacant",
                                            "owner_occupied", NULL};
static const char *const inspection_fields[] = {"parcel_id", "date", "result", "violations", "address",
                                                "record_id", NULL};
static const char *const incident_fields[] = {"parcel_id", "date", "incident_type", "address", "record_id", NULL};
static const char *const visit_fields[] = {"parcel_id", "date", "outcome", "address", "record_id", NULL};
static const char *const station_fields[] = {"name", NULL};
static const char *const address_list_fields[] = {"address", NULL};

static const char *const *allowed_fields(const char *role)
{
    if (!strcmp(role, "parcels")) return parcel_fields;
    if (!strcmp(role, "inspections")) return inspection_fields;
    if (!strcmp(role, "incidents")) return incident_fields;
    if (!strcmp(role, "visits")) return visit_fields;
    if (!strcmp(role, "stations")) return station_fields;
    if (!strcmp(role, "addresses")) return address_list_fields;
    return NULL; /* block groups: any attribute */
}

static int in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (!strcmp(*list, s))
            return 1;
    return 0;
}

/* One pair of fields: a logical name the role knows, and the source field. */
static fr_status parse_field(cfg_walk *w, const yaml_node_t *k, const char *name, const yaml_node_t *v,
                             const char *path, void *base)
{
    cfg_layer *l = base;
    const char *const *allowed = allowed_fields(l->role);
    if (allowed && !in_list(allowed, name)) {
        char list[400];
        cfg_join_words(allowed, ", ", list, sizeof list);
        return cfg_fail(w, k, "unknown field '%s' for layers.%s (known: %s)", name, l->role, list);
    }
    /* a name given twice: refused before the walk (cfg_check_duplicate_keys) */
    cfg_field *f = &l->fields[l->nfields++];
    if (!(f->logical = strdup(name)))
        return fr_error_oom(w->err);
    return cfg_get_text(w, v, path, &f->source);
}

static fr_status parse_fields(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    cfg_layer *l = base;
    return cfg_walk_pairs(w, n, path, "a field name", &l->fields, sizeof *l->fields, parse_field, l);
}

static void release_fields(void *base)
{
    cfg_layer *l = base;
    for (size_t i = 0; i < l->nfields; i++) {
        free(l->fields[i].logical);
        free(l->fields[i].source);
    }
    free(l->fields);
    l->fields = NULL;
    l->nfields = 0;
}

/* ---- join steps (inspections, incidents) -------------------------------- */

const char *const cfg_join_step_names[CFG_JOIN_MAX + 1] = {NULL, "parcel_id", "address", "contains", "nearest"};

/* Without `join` every step the layer has data for is tried in the default
 * order; a step named explicitly must have its data (cfg_check_config). */
static fr_status parse_join_steps(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    cfg_layer *l = base;
    size_t m = 0;
    l->join_line = w->key ? (int)w->key->start_mark.line + 1 : 0;
    fr_status st = cfg_expect_list(w, n, path, "e.g. [parcel_id, address, contains, nearest]", &m);
    if (st != FR_OK)
        return st;
    if (m == 0 || m > CFG_JOIN_MAX)
        return cfg_fail(w, n, "%s lists 1 to 4 of parcel_id, address, contains, nearest", path);
    l->njoin_steps = 0;
    for (size_t i = 0; i < m; i++) {
        yaml_node_t *it = cfg_node(w, n->data.sequence.items.start[i]);
        const char *s = cfg_scalar(it);
        int step = 0;
        for (int j = 1; j <= CFG_JOIN_MAX && s; j++)
            if (!strcmp(s, cfg_join_step_names[j]))
                step = j;
        if (!step)
            return cfg_fail(w, it, "unknown join step '%s' in %s (known: parcel_id, address, contains, nearest)",
                            s ? s : "?", path);
        for (int j = 0; j < l->njoin_steps; j++)
            if (l->join_steps[j] == step)
                return cfg_fail(w, it, "join step '%s' listed twice in %s", s, path);
        l->join_steps[l->njoin_steps++] = step;
    }
    return FR_OK;
}

/* ---- geometry ----------------------------------------------------------- */

static fr_status geometry_finish(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    const cfg_geometry *g = base;
    if ((!g->x) != (!g->y))
        return cfg_fail(w, n, "%s needs both x and y", path);
    if (g->wkt && g->x)
        return cfg_fail(w, n, "%s takes either wkt or x and y, not both", path);
    return FR_OK;
}

static const cfg_key geometry_keys[] = {
    {"wkt", CFG_TEXT, offsetof(cfg_geometry, wkt), .doc_type = "field", .help = "geometry from a WKT text field"},
    {"x", CFG_TEXT, offsetof(cfg_geometry, x), .doc_type = "field",
     .help = "point geometry from two number fields, x and y"},
    {"y", CFG_TEXT, offsetof(cfg_geometry, y), .doc_type = "field", .help = "with x"},
};
static const cfg_section geometry_section = {CFG_SECTION_OF(geometry_keys), .finish = geometry_finish};

/* ---- the tables --------------------------------------------------------- */

static const cfg_key source_keys[] = {
    {"source", CFG_CUSTOM, 0, .parse = parse_source, .release = release_source, .doc_type = "text",
     .doc_def = "required", .help = "path, directory or connection string; passwords are masked in messages"},
    {"layer", CFG_TEXT, offsetof(cfg_layer, layer), .doc_def = "the only layer",
     .help = "the layer inside the source; when absent and the source has several, the run stops and lists them"},
    {"where", CFG_TEXT, offsetof(cfg_layer, where), .help = "OGR SQL attribute filter"},
    {"crs", CFG_TEXT, offsetof(cfg_layer, crs), .doc_type = "CRS text", .doc_def = "the source's",
     .help = "needed for CSV coordinates and sources without a CRS"},
    {"open_options", CFG_TEXT_LIST, offsetof(cfg_layer, open_options), offsetof(cfg_layer, nopen_options),
     .help = "GDAL open options"},
};
/* The keys every layer and every zone has. */
static const cfg_section source_section = {CFG_SECTION_OF(source_keys), .doc_path = "layers.<role>"};

static const cfg_key layer_keys[] = {
    {"geometry", CFG_SECTION, offsetof(cfg_layer, geometry), .section = &geometry_section},
    {"date_format", CFG_TEXT, offsetof(cfg_layer, date_format), .doc_type = "strptime format",
     .doc_def = "automatic",
     .help = "automatic accepts `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD` (optionally followed by a time) and US "
             "`M/D/YYYY`, `M/D/YY` (00-68 → 20xx, 69-99 → 19xx)"},
    {"fields", CFG_CUSTOM, 0, .parse = parse_fields, .release = release_fields, .doc_type = "mapping",
     .doc_def = "required: parcels `parcel_id`; inspections, incidents, visits `date`; addresses `address`",
     .help = "logical name → source field; the logical names of each role are listed above. Block groups take "
             "any numeric attribute (each becomes the feature `bg_<name>`) plus `geoid`"},
};

static fr_status layer_begin(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    cfg_layer *l = base;
    const char *dot = strrchr(path, '.');
    l->present = 1;
    l->line = (int)n->start_mark.line + 1;
    l->role = strdup(dot ? dot + 1 : path); /* the role is the key: layers.parcels */
    return l->role ? FR_OK : fr_error_oom(w->err);
}

static fr_status layer_finish(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    return require_source(w, n, path, base);
}

static void layer_release(void *base)
{
    cfg_layer *l = base;
    free(l->role);
    l->role = NULL;
    l->present = 0;
}

static const cfg_section layer_section = {CFG_SECTION_OF(layer_keys), .extends = &source_section,
                                          .begin = layer_begin, .finish = layer_finish,
                                          .release = layer_release, .doc_path = "layers.<role>"};

static const cfg_key dated_keys[] = {
    {"join", CFG_CUSTOM, 0, .parse = parse_join_steps,
     .doc_type = "list of `parcel_id`, `address`, `contains`, `nearest`", .doc_def = "all four, in that order",
     .help = "how each record finds its parcel: the steps in order, the first that finds one wins (see "
             "[ADDRESSES.md](ADDRESSES.md) and [FEATURES.md](FEATURES.md)). A step whose data a record lacks (no "
             "parcel id, no address, no point) is passed over for that record. Without the key, a step whose "
             "field is not mapped (`parcel_id`; `address` here or on the parcels) is skipped; listed explicitly, "
             "it must be mapped, else the run stops with exit code 1"},
    {"address_range", CFG_WHOLE, offsetof(cfg_layer, address_range), .min = 0, .max = 100000, .def = "10",
     .help = "the largest house-number difference of a near address match (`address_near`: the nearest number "
             "on the same side of the same street); 0 = exact addresses only"},
};
/* Inspections, incidents and visits: a role layer with join steps. */
static const cfg_section dated_section = {CFG_SECTION_OF(dated_keys), .extends = &layer_section,
                                          .begin = layer_begin, .finish = layer_finish,
                                          .release = layer_release,
                                          .doc_path = "layers.inspections|layers.incidents|layers.visits"};

static fr_status zone_begin(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    (void)w, (void)path;
    cfg_layer *l = base;
    l->present = 1;
    l->line = (int)n->start_mark.line + 1;
    return FR_OK;
}

static fr_status zone_finish(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    const cfg_layer *l = base;
    fr_status st = require_source(w, n, path, l);
    if (st == FR_OK && (!l->role || !l->zone_field))
        st = cfg_fail(w, n, "%s needs 'name' (the output column) and 'field' (the zone's label)", path);
    return st;
}

static const cfg_key zone_keys[] = {
    {"name", CFG_TEXT, offsetof(cfg_layer, role), .doc_def = "required",
     .help = "the output column with each parcel's zone label; not a layer role, an output column or another "
             "zone's name"},
    {"field", CFG_TEXT, offsetof(cfg_layer, zone_field), .doc_type = "field", .doc_def = "required",
     .help = "each parcel gets the `field` value of the zone containing its representative point"},
};
static const cfg_section zone_section = {CFG_SECTION_OF(zone_keys), .extends = &source_section,
                                         .size = sizeof(cfg_layer), .begin = zone_begin, .finish = zone_finish,
                                         .doc_path = "layers.zones[]"};

static const cfg_key layers_keys[] = {
    {"parcels", CFG_SECTION, offsetof(cfg_layers, parcels), .section = &layer_section},
    {"inspections", CFG_SECTION, offsetof(cfg_layers, inspections), .section = &dated_section},
    {"incidents", CFG_SECTION, offsetof(cfg_layers, incidents), .section = &dated_section},
    {"stations", CFG_SECTION, offsetof(cfg_layers, stations), .section = &layer_section},
    {"block_groups", CFG_SECTION, offsetof(cfg_layers, block_groups), .section = &layer_section},
    {"addresses", CFG_SECTION, offsetof(cfg_layers, addresses), .section = &layer_section,
     .help = "the city's master address list (any OGR source; fields: {address: ...}, geometry not needed): "
             "a record at an address listed here that no parcel has is not a home (a shop, a school, an "
             "apartment complex on a homes-only roll) and stays unmatched as not_a_home, never moved to a "
             "neighbouring home by the near-number step (docs/ADDRESSES.md)"},
    {"visits", CFG_SECTION, offsetof(cfg_layers, visits), .section = &dated_section},
    {"zones", CFG_LIST, offsetof(cfg_layers, zones), offsetof(cfg_layers, nzones), .section = &zone_section,
     .help = "polygon layers whose label each parcel gets (battalion, district...); each entry also takes the "
             "source keys of a layer (source, layer, where, crs, open_options)"},
};
const cfg_section cfg_layers_section = {CFG_SECTION_OF(layers_keys)};
