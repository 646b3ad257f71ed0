/*
 * synth_write.c — plain-array tables into one GeoPackage (see synth_write.h).
 *
 * The speed levers, all measured on the 1M-parcel city (docs/SYNTH.md):
 * one transaction per layer (without it SQLite syncs every row), one
 * OGRFeatureH reused for every row of a layer, polygons handed to OGR as a
 * WKB buffer (one parse instead of a ring and a point call per vertex),
 * SQLite synchronous=OFF through a thread-local GDAL config option (restored
 * afterwards), and no R-tree unless asked for.  A larger SQLite page cache
 * (OGR_SQLITE_CACHE=256) was tried: no faster, 200 MB more peak memory.
 *
 * Errors: the write runs inside one GDAL error gate (geo/gdal/gdal_gate.h),
 * which keeps the first failure message; every GDAL failure becomes
 * FR_E_OUTPUT naming the file, layer and feature.
 */
#include "synth_write.h"
#include "dates.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "gdal_config.h"
#include "gdal_gate.h"
#include "gdal_srs.h"

/* Little-endian WKB polygon of one open ring (closed here). */
static size_t sw_wkb_polygon(unsigned char *buf, const double *x, const double *y, size_t n)
{
    unsigned char *p = buf;
    uint32_t type = 3, nrings = 1, npts = (uint32_t)(n + 1);
    *p++ = 1;
    memcpy(p, &type, 4);
    p += 4;
    memcpy(p, &nrings, 4);
    p += 4;
    memcpy(p, &npts, 4);
    p += 4;
    for (size_t k = 0; k <= n; k++) {
        size_t v = k == n ? 0 : k;
        memcpy(p, &x[v], 8);
        memcpy(p + 8, &y[v], 8);
        p += 16;
    }
    return (size_t)(p - buf);
}

static OGRFieldType sw_ogr_type(synth_write_type t)
{
    switch (t) {
    case SYNTH_WRITE_STRING: return OFTString;
    case SYNTH_WRITE_INT: return OFTInteger;
    case SYNTH_WRITE_REAL: return OFTReal;
    case SYNTH_WRITE_DATE: return OFTDate;
    }
    return OFTString;
}

static fr_status sw_check(const synth_write_layer *L, fr_error *err)
{
    if (!L->name)
        return fr_error_set(err, FR_E_INTERNAL, "synth_write: a layer has no name");
    if (L->count && (!L->x || !L->y || (L->geom == SYNTH_WRITE_POLYGONS && !L->ring_start)))
        return fr_error_set(err, FR_E_INTERNAL, "synth_write: layer %s has no geometry arrays",
                            L->name);
    for (size_t k = 0; k < L->nfields; k++) {
        const synth_write_field *f = &L->fields[k];
        int ok = f->name && (f->type == SYNTH_WRITE_STRING ? f->str && f->stride > 0
                             : f->type == SYNTH_WRITE_REAL ? f->real != NULL
                                                           : f->i32 != NULL);
        if (!ok && L->count)
            return fr_error_set(err, FR_E_INTERNAL,
                                "synth_write: layer %s field %zu has no name or no values", L->name, k);
    }
    return FR_OK;
}

/* Creates layer L in ds with its fields and starts its transaction. */
static fr_status sw_create_layer(GDALDatasetH ds, OGRSpatialReferenceH srs, const synth_write_layer *L,
                                 const synth_write_options *opt, const char *path, const geo_gdal_gate *gate,
                                 OGRLayerH *out, fr_error *err)
{
    char **lco = NULL;
    lco = CSLSetNameValue(lco, "SPATIAL_INDEX", opt->spatial_index ? "YES" : "NO");
    OGRLayerH lyr = GDALDatasetCreateLayer(
        ds, L->name, srs, L->geom == SYNTH_WRITE_POINTS ? wkbPoint : wkbPolygon, lco);
    CSLDestroy(lco);
    if (!lyr)
        return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "", "%s: cannot create layer %s", path, L->name);
    for (size_t k = 0; k < L->nfields; k++) {
        OGRFieldDefnH fd = OGR_Fld_Create(L->fields[k].name, sw_ogr_type(L->fields[k].type));
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "", "%s: layer %s: cannot create field %s", path,
                                       L->name, L->fields[k].name);
    }
    if (OGR_L_StartTransaction(lyr) != OGRERR_NONE)
        return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "", "%s: layer %s: cannot start a transaction", path,
                                   L->name);
    *out = lyr;
    return FR_OK;
}

/* Sets every field of f from row i (values or nulls: f is reused). */
static void sw_set_fields(OGRFeatureH f, const synth_write_layer *L, size_t i)
{
    for (size_t k = 0; k < L->nfields; k++) {
        const synth_write_field *fl = &L->fields[k];
        int idx = (int)k;
        switch (fl->type) {
        case SYNTH_WRITE_STRING: {
            const char *v = fl->str + i * fl->stride;
            if (*v)
                OGR_F_SetFieldString(f, idx, v);
            else
                OGR_F_SetFieldNull(f, idx);
            break;
        }
        case SYNTH_WRITE_INT:
            if (fl->i32[i] == SYNTH_WRITE_NULL_INT)
                OGR_F_SetFieldNull(f, idx);
            else
                OGR_F_SetFieldInteger(f, idx, fl->i32[i]);
            break;
        case SYNTH_WRITE_REAL:
            if (isnan(fl->real[i]))
                OGR_F_SetFieldNull(f, idx);
            else
                OGR_F_SetFieldDouble(f, idx, fl->real[i]);
            break;
        case SYNTH_WRITE_DATE:
            if (fl->i32[i] == SYNTH_WRITE_NULL_INT)
                OGR_F_SetFieldNull(f, idx);
            else {
                int y, m, d;
                fr_civil_from_days(fl->i32[i], &y, &m, &d);
                OGR_F_SetFieldDateTime(f, idx, y, m, d, 0, 0, 0, 0);
            }
            break;
        }
    }
}

/* The geometry of row i: NULL for a point without coordinates, or when it
 * cannot be built.  wkb is scratch for the largest polygon of the layer. */
static OGRGeometryH sw_geometry(const synth_write_layer *L, size_t i, unsigned char *wkb)
{
    OGRGeometryH g = NULL;
    if (L->geom == SYNTH_WRITE_POINTS) {
        if (!isnan(L->x[i]) && !isnan(L->y[i])) {
            g = OGR_G_CreateGeometry(wkbPoint);
            if (g)
                OGR_G_SetPoint_2D(g, 0, L->x[i], L->y[i]);
        }
    } else {
        size_t a = L->ring_start[i], nv = L->ring_start[i + 1] - a;
        size_t len = sw_wkb_polygon(wkb, L->x + a, L->y + a, nv);
        if (OGR_G_CreateFromWkb(wkb, NULL, &g, (int)len) != OGRERR_NONE)
            g = NULL;
    }
    return g;
}

/* Writes the rows of L through one reused feature. */
static fr_status sw_rows(OGRLayerH lyr, const synth_write_layer *L, const char *path, const geo_gdal_gate *gate,
                         fr_error *err)
{
    size_t maxv = 0;
    if (L->geom == SYNTH_WRITE_POLYGONS)
        for (size_t i = 0; i < L->count; i++)
            if (L->ring_start[i + 1] - L->ring_start[i] > maxv)
                maxv = L->ring_start[i + 1] - L->ring_start[i];
    unsigned char *wkb = malloc(13 + 16 * (maxv + 1));
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
    if (!wkb || !f) {
        free(wkb);
        if (f)
            OGR_F_Destroy(f);
        return fr_error_oom_while(err, "writing %s: layer %s", path, L->name);
    }
    fr_status st = FR_OK;
    for (size_t i = 0; i < L->count && st == FR_OK; i++) {
        OGR_F_SetFID(f, OGRNullFID);
        sw_set_fields(f, L, i);
        OGRGeometryH g = sw_geometry(L, i, wkb);
        if (!g && (L->geom == SYNTH_WRITE_POLYGONS || !isnan(L->x[i])))
            st = fr_error_set(err, FR_E_OUTPUT, "%s: layer %s: feature %zu: cannot build geometry",
                              path, L->name, i + 1);
        OGR_F_SetGeometryDirectly(f, g);
        if (st == FR_OK && OGR_L_CreateFeature(lyr, f) != OGRERR_NONE)
            st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "", "%s: layer %s: cannot write feature %zu", path,
                                     L->name, i + 1);
    }
    OGR_F_Destroy(f);
    free(wkb);
    return st;
}

static fr_status sw_layer(GDALDatasetH ds, OGRSpatialReferenceH srs, const synth_write_layer *L,
                          const synth_write_options *opt, const char *path, const geo_gdal_gate *gate,
                          fr_error *err)
{
    fr_status st = sw_check(L, err);
    OGRLayerH lyr = NULL;
    if (st == FR_OK)
        st = sw_create_layer(ds, srs, L, opt, path, gate, &lyr, err);
    if (st != FR_OK)
        return st;
    st = sw_rows(lyr, L, path, gate, err);
    if (st != FR_OK) {
        OGR_L_RollbackTransaction(lyr);
        return st;
    }
    if (OGR_L_CommitTransaction(lyr) != OGRERR_NONE || geo_gdal_gate_failed(gate))
        return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "", "%s: layer %s: cannot commit", path, L->name);
    return FR_OK;
}

fr_status synth_write_gpkg(const char *path, const synth_write_options *opt,
                           const synth_write_layer *layers, size_t nlayers, fr_error *err)
{
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv) {
        geo_gdal_gate_end_quiet(&gate);
        return fr_error_set(err, FR_E_INTERNAL,
                            "%s: the GDAL GPKG driver is not available (GDALAllRegister not called?)",
                            path);
    }
    static const char *const keys[] = {"OGR_CURRENT_DATE", "OGR_SQLITE_SYNCHRONOUS"};
    const char *values[] = {opt->current_date, "OFF"};
    geo_gdal_config cfg;
    geo_gdal_config_set(&cfg, keys, values, 2);

    fr_status st = FR_OK;
    char epsg[32];
    snprintf(epsg, sizeof epsg, "EPSG:%d", opt->epsg);
    OGRSpatialReferenceH srs = geo_gdal_srs(epsg);
    GDALDatasetH ds = NULL;
    if (!srs) {
        st = geo_gdal_gate_error(&gate, err, FR_E_INTERNAL, "", "%s: cannot build EPSG:%d", path, opt->epsg);
        goto done;
    }
    ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        st = geo_gdal_gate_error(&gate, err, FR_E_OUTPUT, "", "%s: cannot create GeoPackage", path);
        goto done;
    }
    for (size_t k = 0; k < nlayers && st == FR_OK; k++)
        st = sw_layer(ds, srs, &layers[k], opt, path, &gate, err);
    if (st == FR_OK) {
        GDALFlushCache(ds);
        st = geo_gdal_gate_check(&gate, st, err, FR_E_OUTPUT, "%s: cannot flush", path);
    }
    GDALClose(ds); /* void in GDAL 3.6: its errors arrive through the gate */
done:
    if (srs)
        OSRDestroySpatialReference(srs);
    geo_gdal_config_restore(&cfg);
    return geo_gdal_gate_end(&gate, st, err, FR_E_OUTPUT, "%s: cannot close", path);
}
