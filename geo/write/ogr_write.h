/*
 * ogr_write.h — a geo_out_table written through one of GDAL's vector
 * drivers: the reference GeoJSON and Shapefile writers, and the ranked
 * layer of the GeoPackage.
 *
 * Why one OGR loop for every driver: the differences between GeoJSON,
 * Shapefile and GeoPackage are creation options, the declared geometry type
 * and the field names/widths; the loop (one reused OGRFeatureH, features in
 * t->order, a transaction where the driver has one, flush and error check
 * before close) is the same and is where the bugs would hide, so it exists
 * once.  GDAL's errors go through a gate (geo/gdal/gdal_gate.h) and come
 * back as FR_E_OUTPUT naming the path (and the row and field).
 *
 * Threading: no global state; each call works on its own dataset, so two
 * writers may run on two threads at once.
 */
#ifndef GEO_OGR_WRITE_H
#define GEO_OGR_WRITE_H

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "gdal_gate.h"
#include "out_table.h"
#include "status.h"
#include "write.h"

/* How the dataset and the fields are created. */
typedef struct {
    const char *driver;             /* "GeoJSON", "ESRI Shapefile", "GPKG" */
    const char *const *layer_opts;  /* NULL-terminated KEY=VALUE list */
    OGRwkbGeometryType polygon_type;/* declared layer type for polygon layers */
    geo_out_name_kind names;
    const int *widths;              /* per field: width for OFTString/OFTReal/
                                       OFTInteger64 (0 = driver default), or NULL */
    const int *precisions;          /* per field: precision for OFTReal, or NULL */
    int force_multi;                /* write every polygon as a MultiPolygon (GeoPackage) */
    int narrow_integers;            /* integer fields whose values fit 32 bits as OFTInteger */
} geo_ogr_write_spec;

/* The CRS of layer l (its srs_wkt) as a spatial reference with traditional
 * GIS axis order, for writing to path.  The caller releases it with
 * OSRRelease.  FR_E_INTERNAL if missing or not valid (GDAL's reason
 * included). */
fr_status geo_ogr_write_srs(const geo_layer *l, const char *path, OGRSpatialReferenceH *out, fr_error *err);

/* Writes t to path through the driver of spec: deletes an existing dataset
 * at path, creates the dataset, the layer (with t->parcels->srs_wkt) and the
 * fields, writes order[0 .. nrows-1] reusing one feature, flushes and
 * closes.  FR_E_OUTPUT naming the path (and the row when a feature fails). */
fr_status geo_ogr_write(const geo_out_table *t, const char *path, const geo_ogr_write_spec *spec, fr_error *err);

/* The layer part of geo_ogr_write, for a dataset that holds several layers
 * (the GeoPackage): creates t's layer in the open dataset ds with its CRS
 * and fields and writes order[0 .. nrows-1] inside one transaction where
 * the driver has them.  gate is the caller's open gate, on this thread. */
fr_status geo_ogr_write_layer(GDALDatasetH ds, const geo_out_table *t, const geo_ogr_write_spec *spec,
                              const char *path, geo_gdal_gate *gate, fr_error *err);

#endif
