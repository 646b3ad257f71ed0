/*
 * run_publish.c — the run's layers in the places analysts keep their data:
 * output.named_geopackage (a GeoPackage and layer names of their choosing)
 * and output.postgis (tables of a schema, with a prefix).  Copied from the
 * staged outputs once they are complete (geo/write/publish.h), before the
 * output directory is swapped in: a failure here fails the run (exit 3)
 * and leaves the previous outputs, files and tables, as they were.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mask.h"
#include "publish.h"
#include "run_internal.h"

/* Types of the CSV columns that are not text (others stay text, so a
 * column added to targets.csv or matches.csv is published as text). */
static const char *const target_types[] = {"rank=Integer",          "score=Real",
                                           "insp_days_since=Integer", "last_inspection=Date",
                                           "lon=Real",              "lat=Real",
                                           NULL};
static const char *const match_types[] = {"fid=Integer64", "confidence=Real", "distance_m=Real",
                                          "house_number_diff=Integer", NULL};

static const char *const ranked_comments[] = {
    "rank=1 is the highest fire risk; ties broken by parcel id",
    "score=the risk score the ranking sorts by (points index or model probability)",
    "tier=high (first 5%), medium (to 20%), low (score.tiers)",
    "parcel_id=the parcel id of the source layer", NULL};
static const char *const target_comments[] = {
    "rank=rank among all parcels", "reason_1=the strongest reason for the visit, in plain words", NULL};
static const char *const reject_comments[] = {
    "reason=stable reason code (docs/OUTPUTS.md)", "detail=message naming file, layer, feature and field", NULL};
static const char *const match_comments[] = {
    "method=how the record found its parcel: parcel_id, address, address_near, contains, nearest", NULL};

/* The four layers under their names (prefix + name) from the staging dir. */
static void layer_list(const char *dir, const cfg_layer_names *names, const char *prefix, char paths[3][4200],
                       char dst[4][300], geo_publish_layer out[4])
{
    snprintf(paths[0], sizeof paths[0], "%s/ranked_parcels.gpkg", dir);
    snprintf(paths[1], sizeof paths[1], "%s/targets.csv", dir);
    snprintf(paths[2], sizeof paths[2], "%s/matches.csv", dir);
    snprintf(dst[0], sizeof dst[0], "%s%s", prefix, names->ranked_parcels);
    snprintf(dst[1], sizeof dst[1], "%s%s", prefix, names->targets);
    snprintf(dst[2], sizeof dst[2], "%s%s", prefix, names->rejects);
    snprintf(dst[3], sizeof dst[3], "%s%s", prefix, names->matches);
    out[0] = (geo_publish_layer){.src = paths[0], .src_layer = "ranked_parcels", .dst_layer = dst[0],
                                 .description = "firerisk: every parcel ranked by fire risk",
                                 .comments = ranked_comments, .copy_style = 1};
    out[1] = (geo_publish_layer){.src = paths[1], .dst_layer = dst[1], .types = target_types, .lonlat_points = 1,
                                 .description = "firerisk: the inspection target list",
                                 .comments = target_comments};
    out[2] = (geo_publish_layer){.src = paths[0], .src_layer = "rejects", .dst_layer = dst[2],
                                 .description = "firerisk: input records the run did not use, with the reason",
                                 .comments = reject_comments};
    out[3] = (geo_publish_layer){.src = paths[2], .dst_layer = dst[3], .types = match_types,
                                 .description = "firerisk: how every inspection and incident found its parcel",
                                 .comments = match_comments};
}

/* A connection string's password must not reach a log: the message is
 * masked as a whole (fr_mask_secrets). */
static fr_status masked(fr_status st, fr_error *err)
{
    if (st == FR_OK)
        return st;
    char *m = fr_mask_secrets(err->message);
    if (m) {
        snprintf(err->message, sizeof err->message, "%s", m);
        free(m);
    }
    return st;
}

fr_status run_publish_named(run_ctx *ctx, fr_error *err)
{
    const cfg_output *o = &ctx->cfg.output;
    if (!o->named_geopackage.file && !o->postgis.connection)
        return FR_OK;
    const char *dir = NULL;
    fr_status st = run_guard_staging(ctx, &dir, err);
    char paths[3][4200], dst[4][300];
    geo_publish_layer layers[4];
    if (st == FR_OK && o->named_geopackage.file) {
        layer_list(dir, &o->named_geopackage.layers, "", paths, dst, layers);
        st = geo_publish_gpkg(o->named_geopackage.file, layers, 4, err);
    }
    if (st == FR_OK && o->postgis.connection) {
        static char ranked[] = "ranked_parcels", targets[] = "targets", rejects[] = "rejects", matches[] = "matches";
        cfg_layer_names names = {ranked, targets, rejects, matches};
        layer_list(dir, &names, o->postgis.table_prefix, paths, dst, layers);
        st = masked(geo_publish_postgis(o->postgis.connection, o->postgis.schema, layers, 4, err), err);
    }
    return st;
}
