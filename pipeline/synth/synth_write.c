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
 * Errors: a quiet per-thread CPL error handler keeps the first failure
 * message; every GDAL failure becomes FR_E_OUTPUT naming the file, layer
 * and feature.
 */
#include "synth_write.h"
#include "dates.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

typedef struct {
    int failed;
    char msg[512];
} sw_capture;

static void CPL_STDCALL sw_handler(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)num;
    sw_capture *cap = CPLGetErrorHandlerUserData();
    if (cap && cls >= CE_Failure && !cap->failed) {
        cap->failed = 1;
        snprintf(cap->msg, sizeof cap->msg, "%s", msg ? msg : "unknown GDAL error");
    }
}

/* Thread-local config options set for the duration of one write. */
#define SW_NOPTS 2
typedef struct {
    const char *key[SW_NOPTS];
    char *old[SW_NOPTS];
} sw_config;

static void sw_config_set(sw_config *c, const char *const keys[SW_NOPTS],
                          const char *const values[SW_NOPTS])
{
    for (int k = 0; k < SW_NOPTS; k++) {
        const char *prev = CPLGetThreadLocalConfigOption(keys[k], NULL);
        c->key[k] = keys[k];
        c->old[k] = prev ? CPLStrdup(prev) : NULL;
        CPLSetThreadLocalConfigOption(keys[k], values[k]);
    }
}

static void sw_config_restore(sw_config *c)
{
    for (int k = 0; k < SW_NOPTS; k++) {
        CPLSetThreadLocalConfigOption(c->key[k], c->old[k]);
        CPLFree(c->old[k]);
        c->old[k] = NULL;
    }
}

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

static fr_status sw_layer(GDALDatasetH ds, OGRSpatialReferenceH srs, const synth_write_layer *L,
                          const synth_write_options *opt, const char *path, sw_capture *cap,
                          fr_error *err)
{
    fr_status st = sw_check(L, err);
    if (st != FR_OK)
        return st;
    char **lco = NULL;
    lco = CSLSetNameValue(lco, "SPATIAL_INDEX", opt->spatial_index ? "YES" : "NO");
    OGRLayerH lyr = GDALDatasetCreateLayer(
        ds, L->name, srs, L->geom == SYNTH_WRITE_POINTS ? wkbPoint : wkbPolygon, lco);
    CSLDestroy(lco);
    if (!lyr)
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot create layer %s: %s", path, L->name,
                            cap->msg);
    for (size_t k = 0; k < L->nfields; k++) {
        OGRFieldDefnH fd = OGR_Fld_Create(L->fields[k].name, sw_ogr_type(L->fields[k].type));
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return fr_error_set(err, FR_E_OUTPUT, "%s: layer %s: cannot create field %s: %s", path,
                                L->name, L->fields[k].name, cap->msg);
    }
    if (OGR_L_StartTransaction(lyr) != OGRERR_NONE)
        return fr_error_set(err, FR_E_OUTPUT, "%s: layer %s: cannot start a transaction: %s",
                            path, L->name, cap->msg);

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
        OGR_L_RollbackTransaction(lyr);
        return fr_error_oom_while(err, "writing %s: layer %s", path, L->name);
    }
    st = FR_OK;
    for (size_t i = 0; i < L->count && st == FR_OK; i++) {
        OGR_F_SetFID(f, OGRNullFID);
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
        if (!g && (L->geom == SYNTH_WRITE_POLYGONS || !isnan(L->x[i])))
            st = fr_error_set(err, FR_E_OUTPUT, "%s: layer %s: feature %zu: cannot build geometry",
                              path, L->name, i + 1);
        OGR_F_SetGeometryDirectly(f, g);
        if (st == FR_OK && OGR_L_CreateFeature(lyr, f) != OGRERR_NONE)
            st = fr_error_set(err, FR_E_OUTPUT, "%s: layer %s: cannot write feature %zu: %s", path,
                              L->name, i + 1, cap->msg);
    }
    OGR_F_Destroy(f);
    free(wkb);
    if (st != FR_OK) {
        OGR_L_RollbackTransaction(lyr);
        return st;
    }
    if (OGR_L_CommitTransaction(lyr) != OGRERR_NONE || cap->failed)
        return fr_error_set(err, FR_E_OUTPUT, "%s: layer %s: cannot commit: %s", path, L->name,
                            cap->msg);
    return FR_OK;
}

fr_status synth_write_gpkg(const char *path, const synth_write_options *opt,
                           const synth_write_layer *layers, size_t nlayers, fr_error *err)
{
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv)
        return fr_error_set(err, FR_E_INTERNAL,
                            "%s: the GDAL GPKG driver is not available (GDALAllRegister not called?)",
                            path);
    sw_capture cap = {0, ""};
    CPLPushErrorHandlerEx(sw_handler, &cap);
    static const char *const keys[SW_NOPTS] = {"OGR_CURRENT_DATE", "OGR_SQLITE_SYNCHRONOUS"};
    const char *values[SW_NOPTS] = {opt->current_date, "OFF"};
    sw_config cfg;
    sw_config_set(&cfg, keys, values);

    fr_status st = FR_OK;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    GDALDatasetH ds = NULL;
    if (!srs || OSRImportFromEPSG(srs, opt->epsg) != OGRERR_NONE) {
        st = fr_error_set(err, FR_E_INTERNAL, "%s: cannot build EPSG:%d: %s", path, opt->epsg,
                          cap.msg);
        goto done;
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot create GeoPackage: %s", path, cap.msg);
        goto done;
    }
    for (size_t k = 0; k < nlayers && st == FR_OK; k++)
        st = sw_layer(ds, srs, &layers[k], opt, path, &cap, err);
    if (st == FR_OK) {
        GDALFlushCache(ds);
        if (cap.failed)
            st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot flush: %s", path, cap.msg);
    }
    GDALClose(ds);
    if (st == FR_OK && cap.failed)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot close: %s", path, cap.msg);
done:
    if (srs)
        OSRDestroySpatialReference(srs);
    sw_config_restore(&cfg);
    CPLPopErrorHandler();
    return st;
}
