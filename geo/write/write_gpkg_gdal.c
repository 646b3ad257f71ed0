/*
 * write_gpkg_gdal.c — the GeoPackage output through GDAL's GPKG driver
 * (geo_write_gpkg_gdal, see write_gpkg.h): the reference the tests compare
 * the SQLite writer (write_gpkg.c) with, and output.writer: gdal.
 *
 * The ranked layer goes through the same OGR loop as the GDAL-driver
 * GeoJSON and Shapefile writers (ogr_write.c: one reused feature, one
 * transaction); the three attribute tables are small and written here.
 *
 * Why `layer_styles` is created as an OGR layer and not by a bare CREATE
 * TABLE: QGIS itself creates it that way (an `attributes` entry in
 * gpkg_contents, fid column `id`), finds it with GDALDatasetGetLayerByName
 * and filters it with OGR attribute filters; a table unknown to
 * gpkg_contents is invisible to OGR and so to QGIS.  The column names,
 * types and widths below are those QGIS 3.22 writes.
 *
 * Determinism: the GPKG driver stamps gpkg_contents.last_change with the
 * clock unless OGR_CURRENT_DATE is set; it is set (thread-locally, restored
 * afterwards) to spec->timestamp, and the style's update_time is written
 * explicitly.  SQLite's synchronous mode is OFF for the same thread: the
 * file is written into a temporary directory and synced by whoever
 * publishes it, so per-transaction fsyncs would only cost time.
 *
 * Cost, measured on the 1M-parcel synthetic city (CPU time, on its own
 * thread beside the GeoJSON and Shapefile writers): about 16 us a parcel
 * for the rows (GDAL's per-feature path: ~4 us the geometry, ~0.2 us a
 * field; 64-bit integer fields cost 3x 32-bit ones, hence narrow_integers)
 * and as much again for the R-tree, which makes a zoomed-in QGIS view of
 * the city draw 2-3x faster (output.geopackage_spatial_index).
 */
#include "write_gpkg.h"

#include <stdio.h>
#include <string.h>

#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>

#include "gdal_config.h"
#include "gdal_gate.h"
#include "ogr_write.h"
#include "out_table.h"

/* SQLite page cache for the write, in MB: the R-tree that GDAL builds when
 * the file is closed walks its nodes at random, and with SQLite's default
 * 2 MB cache it rereads them from the file (300k parcels: 18 -> 13 us a
 * parcel with 64 MB; 256 MB gains nothing more). */
#define GPKG_CACHE_MB "64"

/* A column of an attribute table. */
typedef struct {
    const char *name;
    OGRFieldType type;
    OGRFieldSubType subtype;
    int width;
} gpkg_column;

static fr_status create_table(GDALDatasetH ds, const char *name, const char *fid, const gpkg_column *cols,
                              size_t ncols, const char *path, const geo_gdal_gate *gate, OGRLayerH *out,
                              fr_error *err)
{
    char fid_opt[64];
    snprintf(fid_opt, sizeof fid_opt, "FID=%s", fid);
    const char *opts[] = {fid_opt, NULL};
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, name, NULL, wkbNone, (CSLConstList)opts);
    if (!lyr)
        return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "driver refused the table", "%s: cannot create table '%s'",
                                   path, name);
    for (size_t k = 0; k < ncols; k++) {
        OGRFieldDefnH fd = OGR_Fld_Create(cols[k].name, cols[k].type);
        if (!fd)
            return fr_error_oom_while(err, "writing %s: creating a field", path);
        OGR_Fld_SetSubType(fd, cols[k].subtype);
        if (cols[k].width > 0)
            OGR_Fld_SetWidth(fd, cols[k].width);
        OGRErr e = OGR_L_CreateField(lyr, fd, FALSE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "driver refused the field",
                                       "%s: table '%s': cannot create field '%s'", path, name, cols[k].name);
    }
    *out = lyr;
    return FR_OK;
}

static void set_string(OGRFeatureH f, int k, const char *s)
{
    if (s)
        OGR_F_SetFieldString(f, k, s);
    else
        OGR_F_SetFieldNull(f, k);
}

static fr_status insert(OGRLayerH lyr, OGRFeatureH f, const char *path, const char *table, size_t row,
                        const geo_gdal_gate *gate, fr_error *err)
{
    OGR_F_SetFID(f, OGRNullFID);
    if (OGR_L_CreateFeature(lyr, f) != OGRERR_NONE || geo_gdal_gate_failed(gate))
        return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "driver refused the row", "%s: table '%s': cannot write row %zu",
                                   path, table, row + 1);
    return FR_OK;
}

/* Runs fill(lyr, f, ...) inside one transaction with one reused feature. */
typedef fr_status (*fill_fn)(OGRLayerH lyr, OGRFeatureH f, const geo_gpkg_spec *spec, const char *path,
                             const geo_gdal_gate *gate, fr_error *err);

static fr_status fill_table(OGRLayerH lyr, fill_fn fill, const geo_gpkg_spec *spec, const char *path,
                            const char *table, const geo_gdal_gate *gate, fr_error *err)
{
    if (OGR_L_StartTransaction(lyr) != OGRERR_NONE)
        return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "unknown error", "%s: table '%s': cannot start a transaction",
                                   path, table);
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
    fr_status st = f ? fill(lyr, f, spec, path, gate, err)
                     : fr_error_oom_while(err, "writing %s: creating a feature", path);
    if (f)
        OGR_F_Destroy(f);
    if (st != FR_OK) {
        OGR_L_RollbackTransaction(lyr);
        return st;
    }
    if (OGR_L_CommitTransaction(lyr) != OGRERR_NONE || geo_gdal_gate_failed(gate))
        return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "commit failed", "%s: table '%s': cannot commit", path,
                                   table);
    return FR_OK;
}

static fr_status fill_rejects(OGRLayerH lyr, OGRFeatureH f, const geo_gpkg_spec *spec, const char *path,
                              const geo_gdal_gate *gate, fr_error *err)
{
    const geo_rejects *r = spec->rejects;
    fr_status st = FR_OK;
    for (size_t i = 0; r && i < r->count && st == FR_OK; i++) {
        const geo_reject *it = &r->items[i];
        set_string(f, 0, it->layer);
        if (it->fid >= 0)
            OGR_F_SetFieldInteger64(f, 1, (GIntBig)it->fid);
        else
            OGR_F_SetFieldNull(f, 1);
        set_string(f, 2, it->field);
        set_string(f, 3, it->reason);
        set_string(f, 4, it->detail);
        set_string(f, 5, it->record_id);
        set_string(f, 6, it->address);
        st = insert(lyr, f, path, "rejects", i, gate, err);
    }
    return st;
}

static fr_status fill_meta(OGRLayerH lyr, OGRFeatureH f, const geo_gpkg_spec *spec, const char *path,
                           const geo_gdal_gate *gate, fr_error *err)
{
    fr_status st = FR_OK;
    for (size_t i = 0; i < spec->nmeta && st == FR_OK; i++) {
        set_string(f, 0, spec->meta[i].key);
        set_string(f, 1, spec->meta[i].value);
        st = insert(lyr, f, path, "run_metadata", i, gate, err);
    }
    return st;
}

static fr_status fill_style(OGRLayerH lyr, OGRFeatureH f, const geo_gpkg_spec *spec, const char *path,
                            const geo_gdal_gate *gate, fr_error *err)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    sscanf(spec->timestamp, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s);
    OGR_F_SetFieldString(f, 0, "");
    OGR_F_SetFieldString(f, 1, "");
    OGR_F_SetFieldString(f, 2, geo_out_table_layer_name(spec->ranked));
    OGR_F_SetFieldString(f, 3, "geom");
    OGR_F_SetFieldString(f, 4, spec->style_name ? spec->style_name : "default");
    OGR_F_SetFieldString(f, 5, spec->style_qml);
    OGR_F_SetFieldString(f, 6, "");
    OGR_F_SetFieldInteger(f, 7, 1);
    set_string(f, 8, spec->style_description);
    OGR_F_SetFieldString(f, 9, "");
    OGR_F_SetFieldNull(f, 10);
    OGR_F_SetFieldDateTime(f, 11, y, mo, d, h, mi, s, 100 /* UTC */);
    return insert(lyr, f, path, "layer_styles", 0, gate, err);
}

static fr_status write_tables(GDALDatasetH ds, const geo_gpkg_spec *spec, const char *path,
                              geo_gdal_gate *gate, fr_error *err)
{
    char desc_opt[512] = "", index_opt[32];
    snprintf(index_opt, sizeof index_opt, "SPATIAL_INDEX=%s", spec->spatial_index ? "YES" : "NO");
    if (spec->ranked_description)
        snprintf(desc_opt, sizeof desc_opt, "DESCRIPTION=%s", spec->ranked_description);
    const char *opts[] = {index_opt, "GEOMETRY_NAME=geom", "FID=fid", desc_opt[0] ? desc_opt : NULL, NULL};
    geo_ogr_write_spec ogr = {
        .driver = "GPKG",
        .layer_opts = opts,
        .polygon_type = wkbMultiPolygon,
        .names = GEO_OUT_NAME_LONG,
        .force_multi = 1,
        .narrow_integers = 1,
    };
    fr_status st = geo_ogr_write_layer(ds, spec->ranked, &ogr, path, gate, err);
    if (st != FR_OK)
        return st;

    static const gpkg_column reject_cols[] = {
        {"layer", OFTString, OFSTNone, 0},  {"source_fid", OFTInteger64, OFSTNone, 0},
        {"field", OFTString, OFSTNone, 0},  {"reason", OFTString, OFSTNone, 0},
        {"detail", OFTString, OFSTNone, 0}, {"record_id", OFTString, OFSTNone, 0},
        {"address", OFTString, OFSTNone, 0},
    };
    OGRLayerH lyr = NULL;
    st = create_table(ds, "rejects", "fid", reject_cols, 7, path, gate, &lyr, err);
    if (st == FR_OK)
        st = fill_table(lyr, fill_rejects, spec, path, "rejects", gate, err);

    static const gpkg_column meta_cols[] = {{"key", OFTString, OFSTNone, 0}, {"value", OFTString, OFSTNone, 0}};
    if (st == FR_OK)
        st = create_table(ds, "run_metadata", "fid", meta_cols, 2, path, gate, &lyr, err);
    if (st == FR_OK)
        st = fill_table(lyr, fill_meta, spec, path, "run_metadata", gate, err);

    if (st != FR_OK || !spec->style_qml)
        return st;
    static const gpkg_column style_cols[] = {
        {"f_table_catalog", OFTString, OFSTNone, 256}, {"f_table_schema", OFTString, OFSTNone, 256},
        {"f_table_name", OFTString, OFSTNone, 256},    {"f_geometry_column", OFTString, OFSTNone, 256},
        {"styleName", OFTString, OFSTNone, 30},        {"styleQML", OFTString, OFSTNone, 0},
        {"styleSLD", OFTString, OFSTNone, 0},          {"useAsDefault", OFTInteger, OFSTBoolean, 0},
        {"description", OFTString, OFSTNone, 0},       {"owner", OFTString, OFSTNone, 30},
        {"ui", OFTString, OFSTNone, 30},               {"update_time", OFTDateTime, OFSTNone, 0},
    };
    st = create_table(ds, "layer_styles", "id", style_cols, 12, path, gate, &lyr, err);
    if (st == FR_OK)
        st = fill_table(lyr, fill_style, spec, path, "layer_styles", gate, err);
    return st;
}

fr_status geo_write_gpkg_gdal(const geo_gpkg_spec *spec, const char *path, fr_error *err)
{
    fr_status st = geo_gpkg_spec_check(spec, path, err);
    if (st != FR_OK)
        return st;
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv) {
        st = fr_error_set(err, FR_E_INTERNAL, "%s: the GDAL GPKG driver is not registered (GDALAllRegister not called?)",
                          path);
        geo_gdal_gate_end_quiet(&gate);
        return st;
    }
    static const char *const keys[] = {"OGR_CURRENT_DATE", "OGR_SQLITE_SYNCHRONOUS", "OGR_SQLITE_CACHE"};
    const char *values[] = {spec->timestamp, "OFF", GPKG_CACHE_MB};
    geo_gdal_config saved;
    geo_gdal_config_set(&saved, keys, values, 3);

    /* A stale file would make GDALCreate fail ("already exists"). */
    VSIStatBufL sb;
    if (VSIStatL(path, &sb) == 0 && VSIUnlink(path) != 0)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot replace the existing file", path);
    GDALDatasetH ds = NULL;
    if (st == FR_OK) {
        ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
        if (!ds)
            st = geo_gdal_gate_error(&gate, err, FR_E_OUTPUT, "unknown error", "%s: cannot create the GeoPackage", path);
    }
    if (st == FR_OK)
        st = write_tables(ds, spec, path, &gate, err);
    if (st == FR_OK) {
        GDALFlushCache(ds);
        st = geo_gdal_gate_check(&gate, st, err, FR_E_OUTPUT, "%s: writing failed", path);
    }
    if (ds)
        GDALClose(ds); /* void in GDAL 3.6: its errors arrive through the gate */
    geo_gdal_config_restore(&saved);
    return geo_gdal_gate_end(&gate, st, err, FR_E_OUTPUT, "%s: closing failed", path);
}
