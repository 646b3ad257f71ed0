/*
 * gdal_geom.h — one feature of a geo_layer as an OGR geometry, for the
 * writers that go through GDAL's drivers (the reverse of what the reader,
 * geo/read/read.c, does with the features it reads).
 */
#ifndef GEO_GDAL_GEOM_H
#define GEO_GDAL_GEOM_H

#include <stddef.h>

#include <ogr_api.h>

#include "layer.h"
#include "status.h"

/* Builds the OGR geometry of feature i of layer l from the flat ring arrays
 * (a shell starts a new polygon part, its holes follow); *out is NULL when
 * the feature has none.  Polygon layers: a wkbPolygon for one shell, a
 * wkbMultiPolygon for several.  Point layers: a wkbPoint.  The caller owns
 * *out.  FR_E_INTERNAL for a feature that starts with a hole or has a ring
 * too large for OGR; FR_E_MEMORY. */
fr_status geo_gdal_geom_build(const geo_layer *l, size_t i, OGRGeometryH *out, fr_error *err);

#endif
