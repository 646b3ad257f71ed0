/*
 * geos_build.h — GEOS geometries built from geo_layer flat arrays.
 *
 * Why: layers keep coordinates in flat arrays (see layer.h); a GEOS geometry
 * is built only at the moment GEOS is asked a question about a feature, by
 * the thread that asks, in that thread's context, and destroyed by the
 * caller (GEOSGeom_destroy_r) when the answer is known.
 *
 * Polygon layers: the rings of feature i are taken in order; a ring with
 * ring_shell = 1 starts a new polygon part and the holes (ring_shell = 0)
 * that follow belong to it.  One part gives a Polygon, several a
 * MultiPolygon.
 */
#ifndef GEO_GEOS_BUILD_H
#define GEO_GEOS_BUILD_H

#include <stddef.h>

#include "geos_ctx.h"
#include "layer.h"
#include "status.h"

/* Feature i of a GEO_GEOM_POLYGON layer as a GEOS (Multi)Polygon in *out
 * (owned by the caller).  A feature without geometry gives FR_OK and
 * *out = NULL.  A ring of fewer than 4 points, a hole before any shell, or
 * GEOS refusing the rings give FR_E_INPUT with a message naming the layer,
 * its source and the feature fid. */
fr_status geo_geos_build_polygon(geo_geos_ctx *c, const geo_layer *layer, size_t i,
                                 GEOSGeometry **out, fr_error *err);

/* A GEOS point (owned by the caller). */
fr_status geo_geos_build_point(geo_geos_ctx *c, double x, double y, GEOSGeometry **out,
                               fr_error *err);

#endif
