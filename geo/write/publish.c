/*
 * publish.c — copies of the staged outputs into a named GeoPackage or into
 * PostGIS tables, swapped in atomically (see publish.h).
 */
#include "publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "gdal_gate.h"
#include "gdal_srs.h"

/* The type an override list gives column name, or -1. */
static int override_type(const char *const *types, const char *name)
{
    static const struct {
        const char *text;
        OGRFieldType type;
    } known[] = {{"Integer", OFTInteger}, {"Integer64", OFTInteger64}, {"Real", OFTReal}, {"Date", OFTDate},
                 {"String", OFTString}};
    size_t n = strlen(name);
    for (const char *const *t = types; t && *t; t++) {
        if (strncmp(*t, name, n) != 0 || (*t)[n] != '=')
            continue;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            if (!strcmp(*t + n + 1, known[k].text))
                return (int)known[k].type;
    }
    return -1;
}

static GDALDatasetH open_source(const geo_publish_layer *l)
{
    const char *csv_opts[] = {"EMPTY_STRING_AS_NULL=YES", NULL, NULL, NULL, NULL};
    if (l->lonlat_points) {
        csv_opts[1] = "X_POSSIBLE_NAMES=lon";
        csv_opts[2] = "Y_POSSIBLE_NAMES=lat";
        csv_opts[3] = "KEEP_GEOM_COLUMNS=YES";
    }
    size_t n = strlen(l->src);
    int csv = n > 4 && !strcmp(l->src + n - 4, ".csv");
    return GDALOpenEx(l->src, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, csv ? csv_opts : NULL, NULL);
}

/* Copies layer l into ds as `name` with creation options opts. */
static fr_status copy_layer(GDALDatasetH ds, const geo_publish_layer *l, const char *name, const char *const *opts,
                            const char *where, geo_gdal_gate *gate, fr_error *err)
{
    GDALDatasetH src = open_source(l);
    if (!src)
        return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "cannot open it", "%s: staged output %s", where, l->src);
    OGRLayerH sl = l->src_layer ? GDALDatasetGetLayerByName(src, l->src_layer) : GDALDatasetGetLayer(src, 0);
    fr_status st = FR_OK;
    OGRSpatialReferenceH wgs84 = NULL;
    OGRLayerH dl = NULL;
    if (!sl)
        st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "no such layer", "%s: staged output %s: layer %s", where,
                                 l->src, l->src_layer ? l->src_layer : "(first)");
    OGRwkbGeometryType gt = wkbNone;
    OGRSpatialReferenceH srs = NULL;
    if (st == FR_OK) {
        gt = OGR_L_GetGeomType(sl);
        srs = OGR_L_GetSpatialRef(sl);
        if (l->lonlat_points) {
            gt = wkbPoint;
            srs = wgs84 = geo_gdal_srs("EPSG:4326");
        }
        dl = GDALDatasetCreateLayer(ds, name, srs, gt, (CSLConstList)opts);
        if (!dl)
            st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "cannot create it", "%s: layer %s", where, name);
    }
    OGRFeatureDefnH sd = st == FR_OK ? OGR_L_GetLayerDefn(sl) : NULL;
    int nf = sd ? OGR_FD_GetFieldCount(sd) : 0;
    for (int k = 0; k < nf && st == FR_OK; k++) {
        OGRFieldDefnH sf = OGR_FD_GetFieldDefn(sd, k);
        int t = override_type(l->types, OGR_Fld_GetNameRef(sf));
        OGRFieldDefnH f = OGR_Fld_Create(OGR_Fld_GetNameRef(sf), t >= 0 ? (OGRFieldType)t : OGR_Fld_GetType(sf));
        if (t < 0) {
            OGR_Fld_SetSubType(f, OGR_Fld_GetSubType(sf));
            OGR_Fld_SetWidth(f, OGR_Fld_GetWidth(sf));
            OGR_Fld_SetPrecision(f, OGR_Fld_GetPrecision(sf));
        }
        if (OGR_L_CreateField(dl, f, TRUE) != OGRERR_NONE)
            st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "cannot create it", "%s: layer %s: field %s", where,
                                     name, OGR_Fld_GetNameRef(sf));
        OGR_Fld_Destroy(f);
    }
    OGRFeatureH sf = NULL, df = st == FR_OK ? OGR_F_Create(OGR_L_GetLayerDefn(dl)) : NULL;
    if (st == FR_OK && !df)
        st = fr_error_oom_while(err, "%s: layer %s", where, name);
    long long row = 0;
    if (st == FR_OK)
        OGR_L_ResetReading(sl);
    while (st == FR_OK && (sf = OGR_L_GetNextFeature(sl)) != NULL) {
        row++;
        /* forgiving: fields by name, a text value converted to the field's
         * type (a CSV's "12" into an Integer) */
        OGRErr e = OGR_F_SetFrom(df, sf, TRUE);
        if (e == OGRERR_NONE) {
            OGR_F_SetFID(df, OGRNullFID); /* the destination numbers its rows */
            e = OGR_L_CreateFeature(dl, df);
        }
        if (e != OGRERR_NONE)
            st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "cannot write it", "%s: layer %s: row %lld", where, name,
                                     row);
        OGR_F_Destroy(sf);
    }
    if (st == FR_OK && geo_gdal_gate_failed(gate))
        st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, NULL, "%s: layer %s", where, name);
    if (df)
        OGR_F_Destroy(df);
    if (wgs84)
        OSRRelease(wgs84);
    GDALClose(src);
    return st;
}

/* The source's layer_styles rows of l->src_layer into ds's layer_styles
 * (created with the source's columns when missing) as rows of
 * l->dst_layer, after removing ds's rows for it. */
static fr_status copy_style_rows(GDALDatasetH ds, const geo_publish_layer *l, const char *where, geo_gdal_gate *gate,
                                 fr_error *err)
{
    GDALDatasetH src = open_source(l);
    OGRLayerH ss = src ? GDALDatasetGetLayerByName(src, "layer_styles") : NULL;
    if (!ss) { /* no style to copy */
        if (src)
            GDALClose(src);
        geo_gdal_gate_clear(gate);
        return FR_OK;
    }
    fr_status st = FR_OK;
    OGRFeatureDefnH sd = OGR_L_GetLayerDefn(ss);
    OGRLayerH ds_styles = GDALDatasetGetLayerByName(ds, "layer_styles");
    geo_gdal_gate_clear(gate); /* a missing table is no failure */
    if (!ds_styles) {
        ds_styles = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, NULL);
        for (int k = 0; ds_styles && k < OGR_FD_GetFieldCount(sd) && st == FR_OK; k++)
            if (OGR_L_CreateField(ds_styles, OGR_FD_GetFieldDefn(sd, k), TRUE) != OGRERR_NONE)
                st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "cannot create it", "%s: layer_styles", where);
        if (!ds_styles)
            st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "cannot create it", "%s: layer_styles", where);
    }
    char filter[400];
    snprintf(filter, sizeof filter, "f_table_name = '%s'", l->dst_layer); /* names: no quotes (checked by the caller) */
    OGRFeatureH f;
    if (st == FR_OK && OGR_L_SetAttributeFilter(ds_styles, filter) == OGRERR_NONE) {
        OGR_L_ResetReading(ds_styles);
        GIntBig old[64];
        int nold = 0;
        while (nold < 64 && (f = OGR_L_GetNextFeature(ds_styles)) != NULL) {
            old[nold++] = OGR_F_GetFID(f);
            OGR_F_Destroy(f);
        }
        OGR_L_SetAttributeFilter(ds_styles, NULL);
        for (int i = 0; i < nold && st == FR_OK; i++)
            if (OGR_L_DeleteFeature(ds_styles, old[i]) != OGRERR_NONE)
                st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "cannot replace it", "%s: layer_styles", where);
    }
    snprintf(filter, sizeof filter, "f_table_name = '%s'", l->src_layer);
    OGR_L_SetAttributeFilter(ss, filter);
    OGR_L_ResetReading(ss);
    OGRFeatureH df = st == FR_OK ? OGR_F_Create(OGR_L_GetLayerDefn(ds_styles)) : NULL;
    while (df && st == FR_OK && (f = OGR_L_GetNextFeature(ss)) != NULL) {
        OGRErr e = OGR_F_SetFrom(df, f, TRUE);
        OGR_F_Destroy(f);
        int k = OGR_F_GetFieldIndex(df, "f_table_name");
        if (k >= 0)
            OGR_F_SetFieldString(df, k, l->dst_layer);
        OGR_F_SetFID(df, OGRNullFID);
        if (e != OGRERR_NONE || OGR_L_CreateFeature(ds_styles, df) != OGRERR_NONE)
            st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "cannot write it", "%s: layer_styles", where);
    }
    if (df)
        OGR_F_Destroy(df);
    GDALClose(src);
    return st;
}

static int find_layer(GDALDatasetH ds, const char *name)
{
    int n = GDALDatasetGetLayerCount(ds);
    for (int i = 0; i < n; i++)
        if (!strcmp(OGR_L_GetName(GDALDatasetGetLayer(ds, i)), name))
            return i;
    return -1;
}

fr_status geo_publish_gpkg(const char *path, const geo_publish_layer *layers, size_t n, fr_error *err)
{
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    const char *const drivers[] = {"GPKG", NULL};
    FILE *probe = fopen(path, "rb");
    GDALDatasetH ds = NULL;
    if (probe) {
        fclose(probe);
        ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, NULL, NULL);
    } else {
        GDALDriverH drv = GDALGetDriverByName("GPKG");
        ds = drv ? GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    }
    fr_status st = FR_OK;
    if (!ds)
        st = geo_gdal_gate_error(&gate, err, FR_E_OUTPUT, "cannot open it as a GeoPackage for writing",
                                 "output.named_geopackage %s", path);
    int in_tx = 0;
    if (st == FR_OK) {
        in_tx = GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE;
        if (!in_tx)
            st = geo_gdal_gate_error(&gate, err, FR_E_OUTPUT, "no transaction", "output.named_geopackage %s", path);
    }
    char where[4200];
    snprintf(where, sizeof where, "output.named_geopackage %s", path);
    for (size_t i = 0; i < n && st == FR_OK; i++) {
        int old = find_layer(ds, layers[i].dst_layer);
        if (old >= 0 && GDALDatasetDeleteLayer(ds, old) != OGRERR_NONE) {
            st = geo_gdal_gate_error(&gate, err, FR_E_OUTPUT, "cannot replace it", "%s: layer %s", where,
                                     layers[i].dst_layer);
            break;
        }
        char desc[600];
        snprintf(desc, sizeof desc, "DESCRIPTION=%s", layers[i].description ? layers[i].description : "");
        const char *const opts[] = {"GEOMETRY_NAME=geom", "FID=feature_id", desc, NULL};
        st = copy_layer(ds, &layers[i], layers[i].dst_layer, opts, where, &gate, err);
        if (st == FR_OK && layers[i].copy_style)
            st = copy_style_rows(ds, &layers[i], where, &gate, err);
    }
    if (in_tx) {
        OGRErr e = st == FR_OK ? GDALDatasetCommitTransaction(ds) : GDALDatasetRollbackTransaction(ds);
        if (st == FR_OK && e != OGRERR_NONE)
            st = geo_gdal_gate_error(&gate, err, FR_E_OUTPUT, "commit failed", "%s", where);
    }
    if (ds)
        GDALClose(ds);
    return geo_gdal_gate_end(&gate, st, err, FR_E_OUTPUT, "%s", where);
}

/* ---- PostGIS ------------------------------------------------------------ */

/* text as an SQL literal ('...' with quotes doubled) or identifier ("..."). */
static void sql_quote(char *buf, size_t size, const char *text, char q)
{
    size_t o = 0;
    if (o + 1 < size)
        buf[o++] = q;
    for (const char *s = text; *s && o + 3 < size; s++) {
        if (*s == q)
            buf[o++] = q;
        buf[o++] = *s;
    }
    buf[o++] = q;
    buf[o] = '\0';
}

static fr_status exec_sql(GDALDatasetH ds, const char *sql, const char *where, geo_gdal_gate *gate, fr_error *err)
{
    OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    if (r)
        GDALDatasetReleaseResultSet(ds, r);
    if (geo_gdal_gate_failed(gate))
        return geo_gdal_gate_error(gate, err, FR_E_OUTPUT, NULL, "%s", where);
    return FR_OK;
}

#define NEW_SUFFIX "__new"

fr_status geo_publish_postgis(const char *conn, const char *schema, const geo_publish_layer *layers, size_t n,
                              fr_error *err)
{
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    char where[1200];
    snprintf(where, sizeof where, "output.postgis %s", conn);
    const char *const drivers[] = {"PostgreSQL", NULL};
    char active[300];
    snprintf(active, sizeof active, "ACTIVE_SCHEMA=%s", schema);
    const char *const open_opts[] = {active, NULL};
    GDALDatasetH ds = GDALOpenEx(conn, GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, open_opts, NULL);
    if (!ds) {
        fr_status st = geo_gdal_gate_error(&gate, err, FR_E_OUTPUT, "cannot connect", "%s", where);
        geo_gdal_gate_end_quiet(&gate);
        return st;
    }
    fr_status st = FR_OK;
    char qschema[300], sql[8192];
    sql_quote(qschema, sizeof qschema, schema, '"');
    /* 1. every table under its temporary name, outside any reader's view */
    for (size_t i = 0; i < n && st == FR_OK; i++) {
        char tmp[200], qtmp[420];
        snprintf(tmp, sizeof tmp, "%s" NEW_SUFFIX, layers[i].dst_layer);
        sql_quote(qtmp, sizeof qtmp, tmp, '"');
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s.%s", qschema, qtmp);
        st = exec_sql(ds, sql, where, &gate, err);
        char sch[300], desc[600];
        snprintf(sch, sizeof sch, "SCHEMA=%s", schema);
        snprintf(desc, sizeof desc, "DESCRIPTION=%s", layers[i].description ? layers[i].description : "");
        const char *const opts[] = {sch, "GEOMETRY_NAME=geom", "FID=feature_id", "SPATIAL_INDEX=GIST", "LAUNDER=NO", desc,
                        "OVERWRITE=YES", NULL};
        if (st == FR_OK)
            st = copy_layer(ds, &layers[i], tmp, opts, where, &gate, err);
        for (const char *const *c = layers[i].comments; c && *c && st == FR_OK; c++) {
            const char *eq = strchr(*c, '=');
            if (!eq)
                continue;
            char col[128], qcol[300], qtext[2400];
            snprintf(col, sizeof col, "%.*s", (int)(eq - *c), *c);
            sql_quote(qcol, sizeof qcol, col, '"');
            sql_quote(qtext, sizeof qtext, eq + 1, '\'');
            snprintf(sql, sizeof sql, "COMMENT ON COLUMN %s.%s.%s IS %s", qschema, qtmp, qcol, qtext);
            st = exec_sql(ds, sql, where, &gate, err);
        }
    }
    /* 2. one transaction (a DO block is one): the old tables out, the new
     * ones renamed in, with their indexes and sequences, which PostgreSQL
     * names after the table ("NAME__new_pkey") and which would otherwise
     * collide with the next night's */
    char *swap = NULL;
    if (st == FR_OK) {
        size_t size = 1024 + n * 2048, o = 0;
        char lschema[300];
        sql_quote(lschema, sizeof lschema, schema, '\'');
        if (!(swap = malloc(size)))
            st = fr_error_oom(err);
        if (swap)
            o += (size_t)snprintf(swap, size, "DO $firerisk$ DECLARE r record; BEGIN\n");
        for (size_t i = 0; swap && i < n && o < size; i++) {
            char q[300], qtmp[420], lit[300], littmp[420], tmp[200];
            snprintf(tmp, sizeof tmp, "%s" NEW_SUFFIX, layers[i].dst_layer);
            sql_quote(q, sizeof q, layers[i].dst_layer, '"');
            sql_quote(qtmp, sizeof qtmp, tmp, '"');
            sql_quote(lit, sizeof lit, layers[i].dst_layer, '\'');
            sql_quote(littmp, sizeof littmp, tmp, '\'');
            o += (size_t)snprintf(
                swap + o, size - o,
                "DROP TABLE IF EXISTS %s.%s;\n"
                "ALTER TABLE %s.%s RENAME TO %s;\n"
                "FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace\n"
                "  WHERE s.nspname = %s AND c.relkind IN ('i', 'S') AND starts_with(c.relname, %s) LOOP\n"
                "  EXECUTE format('ALTER %%s %%I.%%I RENAME TO %%I',\n"
                "                 CASE r.relkind WHEN 'i' THEN 'INDEX' ELSE 'SEQUENCE' END,\n"
                "                 %s, r.relname, %s || substr(r.relname, length(%s) + 1));\n"
                "END LOOP;\n",
                qschema, q, qschema, qtmp, q, lschema, littmp, lschema, lit, littmp);
        }
        if (swap && o < size)
            o += (size_t)snprintf(swap + o, size - o, "END $firerisk$");
        if (swap && o >= size)
            st = fr_error_set(err, FR_E_INTERNAL, "%s: the swap statement is too long", where);
        if (st == FR_OK)
            st = exec_sql(ds, swap, where, &gate, err);
    }
    free(swap);
    if (st != FR_OK) { /* the new tables out; the old ones were never touched */
        geo_gdal_gate_clear(&gate);
        for (size_t i = 0; i < n; i++) {
            char tmp[200], qtmp[420];
            snprintf(tmp, sizeof tmp, "%s" NEW_SUFFIX, layers[i].dst_layer);
            sql_quote(qtmp, sizeof qtmp, tmp, '"');
            snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s.%s", qschema, qtmp);
            OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
            if (r)
                GDALDatasetReleaseResultSet(ds, r);
        }
    }
    GDALClose(ds);
    return geo_gdal_gate_end(&gate, st, err, FR_E_OUTPUT, "%s", where);
}
