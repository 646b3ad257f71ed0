/*
 * config_checks.c — the checks no single key table can make: of the YAML
 * document as a whole (a key given twice, a second document), and, after
 * the walk, of keys that depend on each other across sections (required
 * layers and fields, join steps and the fields they need, zone names, the
 * capacity's zone).
 *
 * libyaml accepts a mapping with the same key twice and a file with
 * several documents; firerisk would silently use one of the values and
 * ignore the rest.  A nightly config with such a slip must fail loudly,
 * naming the line.
 */
#include "config_keys.h"

#include <string.h>

/* Walks the document's flat node array, not the tree: aliases can make the
 * tree cyclic ("a: &x [*x]"). */
fr_status cfg_check_duplicate_keys(cfg_walk *w)
{
    for (yaml_node_t *n = w->doc->nodes.start; n < w->doc->nodes.top; n++) {
        if (n->type != YAML_MAPPING_NODE)
            continue;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            const char *a = cfg_scalar(cfg_node(w, p->key));
            for (yaml_node_pair_t *q = n->data.mapping.pairs.start; a && q < p; q++) {
                const char *b = cfg_scalar(cfg_node(w, q->key));
                if (b && !strcmp(a, b))
                    return cfg_fail(w, cfg_node(w, p->key),
                                    "key '%s' given twice in the same mapping (first on line %lu)", a,
                                    (unsigned long)cfg_node(w, q->key)->start_mark.line + 1);
            }
        }
    }
    return FR_OK;
}

fr_status cfg_check_single_document(cfg_walk *w, yaml_parser_t *parser)
{
    yaml_document_t next;
    if (!yaml_parser_load(parser, &next))
        return fr_error_set(w->err, FR_E_CONFIG, "%s:%lu: not valid YAML: %s", w->file,
                            (unsigned long)parser->problem_mark.line + 1,
                            parser->problem ? parser->problem : "parse error");
    yaml_node_t *root = yaml_document_get_root_node(&next);
    unsigned long line = root ? (unsigned long)root->start_mark.line + 1 : 0;
    yaml_document_delete(&next);
    if (root)
        return fr_error_set(w->err, FR_E_CONFIG,
                            "%s:%lu: a second YAML document ('---') follows the configuration; firerisk reads one",
                            w->file, line);
    return FR_OK;
}

static int layer_maps(const cfg_layer *l, const char *logical)
{
    for (size_t i = 0; i < l->nfields; i++)
        if (!strcmp(l->fields[i].logical, logical))
            return 1;
    return 0;
}

/* A join step named explicitly needs its data. */
static fr_status check_joins(cfg_walk *w, const cfg_layers *ls)
{
    if (ls->addresses.present && !layer_maps(&ls->addresses, "address"))
        return fr_error_set(w->err, FR_E_CONFIG, "%s:%d: layers.addresses.fields needs address (the address text)",
                            w->file, ls->addresses.line);
    const cfg_layer *dated[] = {&ls->inspections, &ls->incidents, &ls->visits};
    for (int i = 0; i < 3; i++) {
        const cfg_layer *l = dated[i];
        for (int j = 0; l->present && j < l->njoin_steps; j++) {
            int step = l->join_steps[j];
            const char *need = NULL;
            if (step == CFG_JOIN_PARCEL_ID && !layer_maps(l, "parcel_id"))
                need = "fields.parcel_id of this layer";
            else if (step == CFG_JOIN_ADDRESS && !layer_maps(l, "address"))
                need = "fields.address of this layer";
            else if (step == CFG_JOIN_ADDRESS && !layer_maps(&ls->parcels, "address"))
                need = "layers.parcels.fields.address (the parcels' addresses to match against)";
            if (need)
                return fr_error_set(w->err, FR_E_CONFIG, "%s:%d: layers.%s.join lists '%s', which needs %s",
                                    w->file, l->join_line, l->role, cfg_join_step_names[step], need);
        }
    }
    return FR_OK;
}

/* Zone names become output columns and layer names in the summary and the
 * rejects: they must not collide with a layer role, a column firerisk
 * writes, or each other. */
static fr_status check_zone_names(cfg_walk *w, const cfg_layers *ls)
{
    static const char *const reserved[] = {
        "parcels", "inspections", "incidents", "stations", "block_groups", "addresses", "visits", "zones", "rank",
        "parcel_id",
        "address", "score", "tier", "reason_1", "reason_2", "reason_3", "block_group", "land_use", "lon", "lat",
        "insp_days_since", "on_list", "list_rank", "last_visit", "visit_outcome", NULL};
    for (size_t i = 0; i < ls->nzones; i++) {
        const char *name = ls->zones[i].role;
        int line = ls->zones[i].line;
        for (const char *const *r = reserved; *r; r++)
            if (!strcmp(name, *r))
                return fr_error_set(w->err, FR_E_CONFIG,
                                    "%s:%d: zone name '%s' is taken (a layer or an output column); choose another",
                                    w->file, line, name);
        if (!strncmp(name, "bg_", 3) || !strncmp(name, "fires_", 6) || !strncmp(name, "insp_", 5))
            return fr_error_set(w->err, FR_E_CONFIG,
                                "%s:%d: zone name '%s' looks like a feature name (bg_, fires_, insp_); choose another",
                                w->file, line, name);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(name, ls->zones[j].role))
                return fr_error_set(w->err, FR_E_CONFIG, "%s:%d: zone name '%s' used twice", w->file, line, name);
    }
    return FR_OK;
}

/* The capacity's zone must be a configured zone layer (layers may come
 * after output in the file). */
static fr_status check_capacity_zone(cfg_walk *w, const fr_config *cfg)
{
    const cfg_capacity *c = &cfg->output.capacity_per_zone;
    if (!c->zone)
        return FR_OK;
    for (size_t z = 0; z < cfg->layers.nzones; z++)
        if (!strcmp(cfg->layers.zones[z].role, c->zone))
            return FR_OK;
    return fr_error_set(w->err, FR_E_CONFIG,
                        "%s:%d: output.capacity_per_zone.zone '%s' is not the name of one of layers.zones", w->file,
                        c->line, c->zone);
}

static fr_status check_required_fields(cfg_walk *w, const cfg_layers *ls)
{
    if (!layer_maps(&ls->parcels, "parcel_id"))
        return fr_error_set(w->err, FR_E_CONFIG,
                            "%s:%d: layers.parcels.fields needs parcel_id (the field that identifies a parcel)",
                            w->file, ls->parcels.line);
    const cfg_layer *dated[] = {&ls->inspections, &ls->incidents, &ls->visits};
    for (int i = 0; i < 3; i++)
        if (dated[i]->present && !layer_maps(dated[i], "date"))
            return fr_error_set(w->err, FR_E_CONFIG, "%s:%d: layers.%s.fields needs date", w->file, dated[i]->line,
                                dated[i]->role);
    return FR_OK;
}

/* targets.allocation: proportional splits the list across block groups,
 * and decides the list on its own (no second rule of who fills it). */
static fr_status check_allocation(cfg_walk *w, const fr_config *cfg)
{
    if (strcmp(cfg->targets.allocation, "proportional"))
        return FR_OK;
    if (!cfg->layers.block_groups.present)
        return fr_error_set(w->err, FR_E_CONFIG,
                            "%s: targets.allocation: proportional splits the list across block groups and needs "
                            "layers.block_groups", w->file);
    if (cfg->output.capacity_per_zone.zone)
        return fr_error_set(w->err, FR_E_CONFIG,
                            "%s:%d: targets.allocation: proportional and output.capacity_per_zone cannot be combined "
                            "(each decides who fills the list); drop one", w->file, cfg->output.capacity_per_zone.line);
    return FR_OK;
}

fr_status cfg_check_config(cfg_walk *w, const yaml_node_t *root, const fr_config *cfg)
{
    if (!cfg->layers.parcels.present)
        return cfg_fail(w, root, "layers.parcels is required");
    fr_status st = check_capacity_zone(w, cfg);
    if (st == FR_OK)
        st = check_joins(w, &cfg->layers);
    if (st == FR_OK)
        st = check_zone_names(w, &cfg->layers);
    if (st == FR_OK)
        st = check_required_fields(w, &cfg->layers);
    if (st == FR_OK)
        st = check_allocation(w, cfg);
    return st;
}
