/*
 * poly_distance.h — planar distance from a point to a polygon feature of a
 * geo_layer, computed on the flat arrays without GEOS.
 *
 * Why hand-written: geo_count_within tests ~80 candidate points for each of
 * a million parcels; asking GEOS would cost a GEOS point (and a parcel
 * polygon) per candidate pair, tens of millions of allocations, for a
 * question that is a loop over a handful of segments.  The segment distance
 * follows GEOS' own formula (algorithm::Distance::pointToSegment), and
 * tests/unit/geo/test_join.c checks the result against GEOSDistance_r on
 * polygons with holes and on multipolygons.
 *
 * Inside/outside is the even-odd rule over all rings of the feature, which
 * is exact for valid (multi)polygons (parts do not overlap, holes lie inside
 * their shell).  A point on the boundary has distance 0 either way.
 */
#ifndef GEO_POLY_DISTANCE_H
#define GEO_POLY_DISTANCE_H

#include <stddef.h>

#include "layer.h"

/* Distance from (x, y) to feature i of a GEO_GEOM_POLYGON layer: 0 inside,
 * else the distance to the nearest ring segment.  NAN without geometry.
 * The three functions also take a GEO_GEOM_POINT layer (homes given as
 * points): the distance to the point, which is never INSIDE nor
 * NEAR_RING. */
double geo_poly_distance_point(const geo_layer *layer, size_t i, double x, double y);

/* 1 if geo_poly_distance_point(layer, i, x, y) <= r (stops at the first
 * segment within r), else 0. */
int geo_poly_distance_within(const geo_layer *layer, size_t i, double x, double y, double r);

/* Where (x, y) lies against feature i of a GEO_GEOM_POLYGON layer, decided
 * on the flat arrays only when that is certain: */
typedef enum {
    GEO_POLY_NO_GEOMETRY, /* the feature has no rings */
    GEO_POLY_INSIDE,      /* in the interior, farther than margin from every ring */
    GEO_POLY_OUTSIDE,     /* in the exterior; *dist = distance to the nearest ring */
    GEO_POLY_NEAR_RING    /* within margin of a ring: ask GEOS (on the boundary or not) */
} geo_poly_location;

/* Why the margin: the even-odd crossing test is exact except for a point a
 * few rounding errors from a ring, where it may put a boundary point on
 * either side.  GEOS decides those cases with robust predicates; the caller
 * does the same (join_points.c), so the answer is always GEOS' answer. */
geo_poly_location geo_poly_locate(const geo_layer *layer, size_t i, double x, double y, double margin,
                                  double *dist);

#endif
