/*
 * gpkg_geom.h — a feature of a geo_layer as a GeoPackage binary geometry
 * (GeoPackage 1.2 spec, 2.1.3), encoded straight from the layer's arrays
 * for the SQLite GeoPackage writer (write_gpkg.c), room-internal.
 *
 * The blob: "GP", version 0, flags (little-endian; an [minx, maxx, miny,
 * maxy] envelope for polygons, none for a point, as GDAL writes them), the
 * srs_id, then ISO WKB, little-endian: a MultiPolygon (every polygon
 * layer's feature, one part or several: the layer declares MULTIPOLYGON)
 * or a Point.  Rings are written as the layer holds them, as GDAL's driver
 * writes them.  No state: safe on any thread.
 */
#ifndef GEO_GPKG_GEOM_H
#define GEO_GPKG_GEOM_H

#include <stddef.h>
#include <stdint.h>

#include "layer.h"
#include "status.h"

/* A reusable byte buffer (zero-initialise; geo_gpkg_blob_free releases). */
typedef struct {
    unsigned char *buf;
    size_t len, cap;
} geo_gpkg_blob;

void geo_gpkg_blob_free(geo_gpkg_blob *b);

/* Encodes feature i of l into b (replacing its content) and its envelope
 * into env (minx, maxx, miny, maxy).  *has = 0, b empty, when the feature
 * has no geometry (the writer stores NULL).  FR_E_MEMORY when b cannot
 * grow. */
fr_status geo_gpkg_geom_encode(const geo_layer *l, size_t i, int32_t srs_id, geo_gpkg_blob *b, double env[4],
                               int *has, fr_error *err);

#endif
