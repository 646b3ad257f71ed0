/*
 * config_output.c — the key tables of output: (docs/CONFIG.md, OUTPUTS.md):
 * the files written and the capacity per zone of the target list, whose
 * limits (zone label -> count) are the one key here that is not a plain
 * value.  That the capacity's zone is one of layers.zones is checked after
 * the whole file (config_checks.c): layers may come after output.
 */
#include "config_keys.h"

#include <stdlib.h>
#include <string.h>

/* ---- capacity_per_zone -------------------------------------------------- */

/* One pair of limits: a zone label and its count. */
static fr_status parse_limit(cfg_walk *w, const yaml_node_t *k, const char *label, const yaml_node_t *v,
                             const char *path, void *base)
{
    (void)k;
    cfg_capacity *c = base;
    double d;
    fr_status st = cfg_get_number(w, v, path, 0, 1e9, &d);
    if (st != FR_OK)
        return st;
    cfg_capacity_limit *l = &c->limits[c->nlimits];
    if (!(l->label = strdup(label)))
        return fr_error_oom(w->err);
    l->limit = (long)d;
    c->nlimits++;
    return FR_OK;
}

static fr_status parse_limits(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    cfg_capacity *c = base;
    return cfg_walk_pairs(w, n, path, "a zone label", &c->limits, sizeof *c->limits, parse_limit, c);
}

static void release_limits(void *base)
{
    cfg_capacity *c = base;
    for (size_t i = 0; i < c->nlimits; i++)
        free(c->limits[i].label);
    free(c->limits);
    c->limits = NULL;
    c->nlimits = 0;
}

static fr_status capacity_begin(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    (void)w, (void)path;
    ((cfg_capacity *)base)->line = (int)n->start_mark.line + 1;
    return FR_OK;
}

static fr_status capacity_finish(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    if (!((const cfg_capacity *)base)->zone)
        return cfg_fail(w, n, "%s needs 'zone' (the name of one of layers.zones)", path);
    return FR_OK;
}

static const cfg_key capacity_keys[] = {
    {"zone", CFG_TEXT, offsetof(cfg_capacity, zone),
     .help = "the `name` of one of `layers.zones`: the target list then takes at most a limit of parcels per "
             "label of that zone layer, in rank order (the walk passes over a full zone and goes on down the "
             "ranking, up to `target_list_size` rows). An unknown name stops the run with exit code 1"},
    /* no limit is CFG_NO_LIMIT, a value no one may write: set by config.c */
    {"default", CFG_LONG_CUT, offsetof(cfg_capacity, default_limit), .min = 0, .max = 1e9, .doc_def = "no limit",
     .help = "the limit of a label not listed in `limits`, and of parcels in no zone"},
    {"limits", CFG_CUSTOM, 0, .parse = parse_limits, .release = release_limits,
     .doc_type = "mapping label → number 0 to 1e9 (a fraction is cut off)",
     .help = "a label's own limit (YAML keys are text: quote numbers, `\"1\": 80`); 0 leaves that zone off the "
             "list"},
};
static const cfg_section capacity_section = {CFG_SECTION_OF(capacity_keys), .begin = capacity_begin,
                                             .finish = capacity_finish};

/* ---- named_geopackage, postgis -------------------------------------------- */

#define LAYER_NAME_KEYS(type)                                                                                        \
    {"ranked_parcels", CFG_TEXT, offsetof(type, layers.ranked_parcels), .def = "ranked_parcels",                     \
     .help = "name of the layer of every ranked parcel"},                                                           \
    {"targets", CFG_TEXT, offsetof(type, layers.targets), .def = "targets",                                         \
     .help = "name of the target list's layer (the rows of targets.csv, points at lon/lat)"},                        \
    {"rejects", CFG_TEXT, offsetof(type, layers.rejects), .def = "rejects", .help = "name of the rejects' table"},  \
    {"matches", CFG_TEXT, offsetof(type, layers.matches), .def = "matches",                                         \
     .help = "name of the join audit's table (the rows of matches.csv)"}

/* A layer or table name goes into SQL (quoted) and into PostgreSQL's
 * 63-byte identifiers with "__new" added: plain names only. */
static fr_status check_name(cfg_walk *w, const yaml_node_t *n, const char *path, const char *key, const char *name,
                            size_t max)
{
    size_t len = strlen(name);
    if (len == 0 || len > max || strpbrk(name, "'\"\\;"))
        return cfg_fail(w, n, "%s.%s '%s' must be 1 to %zu characters without quotes, backslashes or semicolons",
                        path, key, name, max);
    return FR_OK;
}

static fr_status check_layer_names(cfg_walk *w, const yaml_node_t *n, const char *path, const cfg_layer_names *l,
                                   size_t max)
{
    fr_status st = check_name(w, n, path, "ranked_parcels", l->ranked_parcels, max);
    if (st == FR_OK)
        st = check_name(w, n, path, "targets", l->targets, max);
    if (st == FR_OK)
        st = check_name(w, n, path, "rejects", l->rejects, max);
    if (st == FR_OK)
        st = check_name(w, n, path, "matches", l->matches, max);
    return st;
}

static fr_status named_geopackage_finish(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    return check_layer_names(w, n, path, &((const cfg_named_geopackage *)base)->layers, 200);
}

static const cfg_key named_geopackage_keys[] = {
    {"file", CFG_PATH, offsetof(cfg_named_geopackage, file), .doc_def = "none",
     .help = "a GeoPackage of your choosing (created if missing) that the run also writes its layers into, under "
             "the names below; its other layers are left as they are, the run's own replace those of the same "
             "name in one transaction"},
    LAYER_NAME_KEYS(cfg_named_geopackage),
};
static const cfg_section named_geopackage_section = {CFG_SECTION_OF(named_geopackage_keys),
                                                     .finish = named_geopackage_finish};

static const cfg_key postgis_keys[] = {
    {"connection", CFG_TEXT, offsetof(cfg_postgis, connection), .doc_def = "none",
     .help = "a GDAL `PG:` connection string (`PG:host=db dbname=fire user=firerisk`; a password is better in "
             "`~/.pgpass` or `PGPASSWORD`, and is masked in every message and in the manifest)"},
    {"schema", CFG_TEXT, offsetof(cfg_postgis, schema), .def = "public", .help = "the schema of the tables"},
    {"table_prefix", CFG_TEXT, offsetof(cfg_postgis, table_prefix), .def = "firerisk_",
     .help = "put before each table name: `firerisk_ranked_parcels`, `firerisk_targets`, `firerisk_rejects`, "
             "`firerisk_matches`"},
};
static fr_status postgis_finish(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    const cfg_postgis *p = base;
    if (p->connection && strncmp(p->connection, "PG:", 3) != 0)
        return cfg_fail(w, n, "%s.connection must be a GDAL connection string starting 'PG:' (e.g. 'PG:dbname=fire')",
                        path);
    /* the longest table, firerisk_ranked_parcels__new, within 63 bytes */
    fr_status st = check_name(w, n, path, "schema", p->schema, 63);
    if (st == FR_OK && p->table_prefix[0])
        st = check_name(w, n, path, "table_prefix", p->table_prefix, 63 - strlen("ranked_parcels__new"));
    return st;
}
static const cfg_section postgis_section = {CFG_SECTION_OF(postgis_keys), .finish = postgis_finish};

/* ---- output ------------------------------------------------------------- */

static const char *const writers[] = {"native", "gdal", NULL};
static const char *const neighbourhood_fields[] = {"auto", "always", NULL};

static const cfg_key output_keys[] = {
    {"dir", CFG_PATH, offsetof(cfg_output, dir), .doc_def = "`out` in the working directory",
     .help = "the output directory (`--out` overrides)"},
    {"target_list_size", CFG_LONG_CUT, offsetof(cfg_output, target_list_size), .min = 0, .max = 1e9, .def = "500",
     .help = "rows of targets.csv"},
    {"geojson", CFG_BOOL, offsetof(cfg_output, geojson), .def = "true", .help = "write ranked_parcels.geojson"},
    {"shapefile", CFG_BOOL, offsetof(cfg_output, shapefile), .def = "true", .help = "write ranked_parcels.shp"},
    {"coordinate_precision", CFG_INT_CUT, offsetof(cfg_output, coordinate_precision), .min = 0, .max = 15,
     .def = "7", .help = "GeoJSON decimals"},
    {"direct_io", CFG_BOOL, offsetof(cfg_output, direct_io), .def = "true",
     .help = "write the GeoJSON, the Shapefile's `.shp`/`.shx`/`.dbf`, the GeoPackages' pages and `matches.csv` with direct I/O "
             "(`O_DIRECT`: whole blocks from firerisk's buffers to the disk, past the page cache, a few in "
             "flight) where the file system takes it, else through the page cache; `false`: always through the "
             "page cache (for a file system whose direct I/O is slow, such as some network shares). The bytes "
             "written are the same"},
    {"writer", CFG_CHOICE, offsetof(cfg_output, writer), .choices = writers, .def = "native",
     .help = "`native`: firerisk's own writers: streaming GeoJSON and Shapefile (about 15x and 4x faster than "
             "GDAL's drivers on 1M parcels; the Shapefile is byte-identical to GDAL's, the GeoJSON equal to 2e-7°) "
             "and the GeoPackages through SQLite (3-4x faster than GDAL's driver with the R-tree; GDAL reads "
             "every table, value and geometry as from its driver's file), all checked in the tests; `gdal`: "
             "GDAL's own drivers"},
    {"geopackage", CFG_BOOL, offsetof(cfg_output, geopackage), .def = "true",
     .help = "write `ranked_parcels.gpkg` ([OUTPUTS.md](OUTPUTS.md)); written beside the GeoJSON and Shapefile "
             "on its own thread"},
    {"geopackage_spatial_index", CFG_BOOL, offsetof(cfg_output, geopackage_spatial_index), .def = "true",
     .help = "give the GeoPackage layer an R-tree (QGIS draws zoomed-in views fast; written packed from a Hilbert "
             "order of the parcels, it adds about a fifth to the GeoPackage's write time)"},
    {"style", CFG_BOOL, offsetof(cfg_output, style), .def = "true",
     .help = "write the QGIS style: `ranked_parcels.qml` beside the GeoJSON/Shapefile and the GeoPackage's "
             "`layer_styles` row"},
    {"report", CFG_BOOL, offsetof(cfg_output, report), .def = "true", .help = "write `report.html`"},
    {"capacity_per_zone", CFG_SECTION, offsetof(cfg_output, capacity_per_zone), .section = &capacity_section},
    {"named_geopackage", CFG_SECTION, offsetof(cfg_output, named_geopackage), .section = &named_geopackage_section},
    {"postgis", CFG_SECTION, offsetof(cfg_output, postgis), .section = &postgis_section},
    {"neighbourhood_fields", CFG_CHOICE, offsetof(cfg_output, neighbourhood_fields), .choices = neighbourhood_fields,
     .def = "auto",
     .help = "the neighbourhood history at several scales (`fires_<r>m_5y`, `calls_<r>m_3y`, `fire_kernel_<b>m`, "
             "[FEATURES.md](FEATURES.md)) in `run`: `auto` computes and writes them only when the scoring model "
             "reads one (a trained model whose features include them, a `score.weights` term that names one); "
             "`always` in every run's outputs (11 more fields with the default scales). `train`, `backtest` and "
             "`evaluate` compute them whatever this says"},
};
/* The named outputs are copied from the staged GeoPackage (its typed ranked
 * layer and rejects table). */
static fr_status output_finish(cfg_walk *w, const yaml_node_t *n, const char *path, void *base)
{
    const cfg_output *o = base;
    if ((o->named_geopackage.file || o->postgis.connection) && !o->geopackage)
        return cfg_fail(w, n, "%s.%s needs %s.geopackage: true (its layers are copied from ranked_parcels.gpkg)",
                        path, o->named_geopackage.file ? "named_geopackage" : "postgis", path);
    return FR_OK;
}
const cfg_section cfg_output_section = {CFG_SECTION_OF(output_keys), .finish = output_finish};
