/*
 * source_info.c — a source described from its metadata (see
 * source_info.h).
 */
#include "source_info.h"

#include <stdio.h>
#include <string.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "gdal_gate.h"

static void describe_crs(OGRSpatialReferenceH srs, char *out, size_t size)
{
    if (!srs) {
        snprintf(out, size, "none");
        return;
    }
    const char *name = OSRGetName(srs);
    const char *auth = OSRGetAuthorityName(srs, NULL), *code = OSRGetAuthorityCode(srs, NULL);
    if (!auth && OSRAutoIdentifyEPSG(srs) == OGRERR_NONE) {
        auth = OSRGetAuthorityName(srs, NULL);
        code = OSRGetAuthorityCode(srs, NULL);
    }
    if (auth && code)
        snprintf(out, size, "%s:%s (%s)", auth, code, name ? name : "?");
    else
        snprintf(out, size, "%s", name ? name : "unnamed CRS");
}

fr_status geo_source_describe(const char *source, const char *label, const char *layer,
                              const char *const *open_options, geo_source_info *out, fr_error *err)
{
    memset(out, 0, sizeof *out);
    out->features = -1;
    if (!label)
        label = source;
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    GDALDatasetH ds = GDALOpenEx(source, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, open_options, NULL);
    fr_status st = FR_OK;
    if (!ds) {
        st = geo_gdal_gate_error(&gate, err, FR_E_INPUT, "cannot open it", "%s", label);
        geo_gdal_gate_end_quiet(&gate);
        return st;
    }
    snprintf(out->driver, sizeof out->driver, "%s", GDALGetDriverShortName(GDALGetDatasetDriver(ds)));
    OGRLayerH l = layer ? GDALDatasetGetLayerByName(ds, layer) : GDALDatasetGetLayer(ds, 0);
    if (!l) {
        st = fr_error_set(err, FR_E_INPUT, "%s: no layer '%s'", label, layer ? layer : "(first)");
    } else {
        snprintf(out->layer, sizeof out->layer, "%s", OGR_L_GetName(l));
        snprintf(out->geometry, sizeof out->geometry, "%s", OGRGeometryTypeToName(OGR_L_GetGeomType(l)));
        out->features = (long long)OGR_L_GetFeatureCount(l, TRUE);
        describe_crs(OGR_L_GetSpatialRef(l), out->crs, sizeof out->crs);
    }
    GDALClose(ds);
    geo_gdal_gate_end_quiet(&gate);
    return st;
}
