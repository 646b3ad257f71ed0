/*
 * ogr_write.c — the generic OGR writer (see ogr_write.h): the CRS, the
 * fields and their values, and the one loop over the rows.
 */
/* cpl_vsi.h's VSIStatBufL is a struct stat64 on glibc. */
#ifndef _LARGEFILE64_SOURCE
#define _LARGEFILE64_SOURCE 1
#endif

#include "ogr_write.h"

#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>
#include <cpl_vsi.h>

#include "gdal_geom.h"
#include "gdal_srs.h"

/* ---- CRS ------------------------------------------------------------- */

fr_status geo_ogr_write_srs(const geo_layer *l, const char *path, OGRSpatialReferenceH *out, fr_error *err)
{
    *out = NULL;
    if (!l->srs_wkt || !l->srs_wkt[0])
        return fr_error_set(err, FR_E_INTERNAL, "%s: layer '%s' has no CRS to write", path, l->name);
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    fr_status st = FR_OK;
    if (!(*out = geo_gdal_srs(l->srs_wkt)))
        st = geo_gdal_gate_error(&gate, err, FR_E_INTERNAL, "unknown CRS or out of memory",
                                 "%s: the CRS of layer '%s' is not valid", path, l->name);
    geo_gdal_gate_end_quiet(&gate);
    return st;
}

/* ---- fields ---------------------------------------------------------- */

static OGRFieldType ogr_type(const geo_out_field *f, int narrow)
{
    switch (f->type) {
    case GEO_COL_STRING: return OFTString;
    case GEO_COL_DATE: return OFTDate;
    case GEO_COL_NUMBER: break;
    }
    return f->is_integer ? (narrow ? OFTInteger : OFTInteger64) : OFTReal;
}

/* Integer fields whose values all fit 32 bits (spec->narrow_integers):
 * GDAL's GPKG driver binds an OFTInteger64 value 3x slower than an
 * OFTInteger one, and both are SQLite INTEGERs.  NULL when not asked or out
 * of memory (then every integer field stays 64-bit: still correct). */
static unsigned char *narrow_fields(const geo_out_table *t, const geo_ogr_write_spec *spec)
{
    if (!spec->narrow_integers || !t->nfields)
        return NULL;
    unsigned char *narrow = calloc(t->nfields, 1);
    for (size_t j = 0; narrow && j < t->nfields; j++)
        narrow[j] = (unsigned char)geo_out_table_fits_int32(t, &t->fields[j]);
    return narrow;
}

static fr_status create_fields(OGRLayerH lyr, const geo_out_table *t, const geo_ogr_write_spec *spec,
                               const unsigned char *narrow, const char *path, const geo_gdal_gate *gate,
                               fr_error *err)
{
    for (size_t j = 0; j < t->nfields; j++) {
        const geo_out_field *f = &t->fields[j];
        const char *nm = geo_out_table_field_name(f, spec->names);
        OGRFieldDefnH fd = OGR_Fld_Create(nm, ogr_type(f, narrow && narrow[j]));
        if (!fd)
            return fr_error_oom_while(err, "writing %s: creating field '%s'", path, nm);
        if (spec->widths && spec->widths[j] > 0)
            OGR_Fld_SetWidth(fd, spec->widths[j]);
        if (spec->precisions && spec->precisions[j] > 0)
            OGR_Fld_SetPrecision(fd, spec->precisions[j]);
        /* bApproxOK = FALSE: the driver must not rename or retype silently. */
        OGRErr e = OGR_L_CreateField(lyr, fd, FALSE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "driver refused the field",
                                       "%s: cannot create field '%s'", path, nm);
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    if ((size_t)OGR_FD_GetFieldCount(defn) != t->nfields)
        return fr_error_set(err, FR_E_OUTPUT, "%s: the driver created %d fields instead of %zu",
                            path, OGR_FD_GetFieldCount(defn), t->nfields);
    for (size_t j = 0; j < t->nfields; j++) {
        const char *want = geo_out_table_field_name(&t->fields[j], spec->names);
        const char *got = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, (int)j));
        if (strcmp(want, got) != 0)
            return fr_error_set(err, FR_E_OUTPUT, "%s: the driver renamed field '%s' to '%s'",
                                path, want, got);
    }
    return FR_OK;
}

/* Sets every field of feature f from value index idx
 * (geo_out_table_value_index of row `row`; value or null: the feature is
 * reused, so nothing may be left from the previous row). */
static fr_status set_fields(OGRFeatureH feat, const geo_out_table *t, const unsigned char *narrow,
                            size_t idx, const char *path, size_t row, fr_error *err)
{
    for (size_t j = 0; j < t->nfields; j++) {
        const geo_out_field *f = &t->fields[j];
        int k = (int)j;
        switch (f->type) {
        case GEO_COL_STRING: {
            const char *s = f->str[idx];
            if (s)
                OGR_F_SetFieldString(feat, k, s);
            else
                OGR_F_SetFieldNull(feat, k);
            break;
        }
        case GEO_COL_NUMBER: {
            double v = f->num[idx];
            if (!geo_out_table_num_present(v)) {
                OGR_F_SetFieldNull(feat, k);
            } else if (f->is_integer) {
                int64_t iv;
                fr_status st = geo_out_table_int(t, f, idx, row, path, &iv, err);
                if (st != FR_OK)
                    return st;
                if (narrow && narrow[j])
                    OGR_F_SetFieldInteger(feat, k, (int)iv);
                else
                    OGR_F_SetFieldInteger64(feat, k, (GIntBig)iv);
            } else {
                OGR_F_SetFieldDouble(feat, k, v);
            }
            break;
        }
        case GEO_COL_DATE: {
            int32_t d = f->date[idx];
            if (d == GEO_DATE_MISSING) {
                OGR_F_SetFieldNull(feat, k);
                break;
            }
            int y, m, dd;
            fr_status st = geo_out_table_date(t, f, idx, row, path, &y, &m, &dd, err);
            if (st != FR_OK)
                return st;
            OGR_F_SetFieldDateTime(feat, k, y, m, dd, 0, 0, 0, 0);
            break;
        }
        }
    }
    return FR_OK;
}

/* ---- the generic OGR writer ------------------------------------------ */

/* Removes an earlier output at path so that the driver creates it afresh
 * (the Shapefile driver's Delete also removes .shx/.dbf/.prj/.cpg). */
static fr_status remove_existing(GDALDriverH drv, const char *path, geo_gdal_gate *gate, fr_error *err)
{
    VSIStatBufL st;
    if (VSIStatL(path, &st) != 0)
        return FR_OK;
    if (!VSI_ISREG(st.st_mode))
        return fr_error_set(err, FR_E_OUTPUT, "%s: exists and is not a regular file", path);
    if (GDALDeleteDataset(drv, path) != CE_None && VSIUnlink(path) != 0)
        return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "delete failed", "%s: cannot replace the existing file",
                                   path);
    geo_gdal_gate_clear(gate); /* a failed Delete that VSIUnlink made good */
    return FR_OK;
}

static OGRwkbGeometryType layer_type(const geo_layer *l, const geo_ogr_write_spec *spec)
{
    switch (l->kind) {
    case GEO_GEOM_POINT: return wkbPoint;
    case GEO_GEOM_POLYGON: return spec->polygon_type;
    case GEO_GEOM_NONE: break;
    }
    return wkbNone;
}

/* Creates the layer (with its CRS) in ds. */
static fr_status create_layer(GDALDatasetH ds, const geo_out_table *t, const geo_ogr_write_spec *spec,
                              const char *path, const geo_gdal_gate *gate, OGRLayerH *out, fr_error *err)
{
    OGRSpatialReferenceH srs = NULL;
    const geo_layer *l = t->parcels;
    if (l->kind != GEO_GEOM_NONE) {
        fr_status st = geo_ogr_write_srs(l, path, &srs, err);
        if (st != FR_OK)
            return st;
    }
    const char *name = geo_out_table_layer_name(t);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, name, srs, layer_type(l, spec),
                                           (CSLConstList)spec->layer_opts);
    if (srs)
        OSRRelease(srs);
    if (!lyr)
        return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "driver refused the layer", "%s: cannot create layer '%s'",
                                   path, name);
    *out = lyr;
    return FR_OK;
}

static fr_status write_rows(OGRLayerH lyr, const geo_out_table *t, const geo_ogr_write_spec *spec,
                            const unsigned char *narrow, const char *path, const geo_gdal_gate *gate, fr_error *err)
{
    OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
    if (!feat)
        return fr_error_oom_while(err, "writing %s: creating a feature", path);
    fr_status st = FR_OK;
    for (size_t k = 0; k < t->nrows && st == FR_OK; k++) {
        size_t idx = t->order[k];
        OGRGeometryH g = NULL;
        st = geo_gdal_geom_build(t->parcels, idx, &g, err);
        if (st != FR_OK) {
            fr_error_prefix(err, "%s: row %zu", path, k);
            break;
        }
        /* GeoPackage declares MultiPolygon (its spec forbids a Polygon in a
         * MultiPolygon layer and vice versa): promote single polygons. */
        if (g && spec->force_multi && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon)
            g = OGR_G_ForceToMultiPolygon(g);
        OGR_F_SetGeometryDirectly(feat, g); /* frees the previous row's; NULL = no geometry */
        st = set_fields(feat, t, narrow, geo_out_table_value_index(t, k), path, k, err);
        if (st != FR_OK)
            break;
        OGR_F_SetFID(feat, OGRNullFID);
        if (OGR_L_CreateFeature(lyr, feat) != OGRERR_NONE || geo_gdal_gate_failed(gate))
            st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "driver refused the feature",
                                     "%s: cannot write row %zu (parcel fid %lld)", path, k,
                                     (long long)t->parcels->fid[idx]);
        else
            geo_out_table_row_done(t, k);
    }
    OGR_F_Destroy(feat);
    return st;
}

fr_status geo_ogr_write_layer(GDALDatasetH ds, const geo_out_table *t, const geo_ogr_write_spec *spec,
                              const char *path, geo_gdal_gate *gate, fr_error *err)
{
    OGRLayerH lyr = NULL;
    unsigned char *narrow = narrow_fields(t, spec);
    fr_status st = create_layer(ds, t, spec, path, gate, &lyr, err);
    if (st == FR_OK)
        st = create_fields(lyr, t, spec, narrow, path, gate, err);
    if (st != FR_OK) {
        free(narrow);
        return st;
    }
    int in_tx = OGR_L_TestCapability(lyr, OLCTransactions) && OGR_L_StartTransaction(lyr) == OGRERR_NONE;
    st = write_rows(lyr, t, spec, narrow, path, gate, err);
    free(narrow);
    if (in_tx) {
        OGRErr e = st == FR_OK ? OGR_L_CommitTransaction(lyr) : OGR_L_RollbackTransaction(lyr);
        if (st == FR_OK && e != OGRERR_NONE)
            st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "commit failed", "%s: cannot commit", path);
    }
    return st;
}

fr_status geo_ogr_write(const geo_out_table *t, const char *path, const geo_ogr_write_spec *spec, fr_error *err)
{
    if (!path || !path[0])
        return fr_error_set(err, FR_E_INTERNAL, "no output path given");
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    GDALDatasetH ds = NULL;
    fr_status st = FR_OK;
    GDALDriverH drv = GDALGetDriverByName(spec->driver);
    if (!drv) {
        st = fr_error_set(err, FR_E_INTERNAL, "%s: GDAL driver '%s' is not registered (GDALAllRegister not called?)",
                          path, spec->driver);
        goto done;
    }
    st = remove_existing(drv, path, &gate, err);
    if (st != FR_OK)
        goto done;
    ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        st = geo_gdal_gate_error(&gate, err, FR_E_OUTPUT, "unknown error", "%s: cannot create the %s file", path,
                                 spec->driver);
        goto done;
    }
    st = geo_ogr_write_layer(ds, t, spec, path, &gate, err);
    if (st == FR_OK) {
        GDALFlushCache(ds);
        st = geo_gdal_gate_check(&gate, st, err, FR_E_OUTPUT, "%s: writing failed", path);
    }
done:
    if (ds)
        GDALClose(ds); /* void in GDAL 3.6: its errors arrive through the gate */
    return geo_gdal_gate_end(&gate, st, err, FR_E_OUTPUT, "%s: closing failed", path);
}
