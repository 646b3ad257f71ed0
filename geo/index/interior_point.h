/*
 * interior_point.h — GEOS' point on surface (InteriorPointArea) computed on
 * a layer's flat arrays, without building GEOS geometries.
 *
 * Why by hand: the join asks every parcel for its representative point
 * (join_repr.c), and building a GEOS polygon to call GEOSPointOnSurface_r,
 * then destroying both, cost ~1 s of CPU per million parcels, most of it
 * allocation and GEOS' shared factory's reference counts, not the
 * arithmetic.  The arithmetic is GEOS' own (3.8+, JTS 1.17's scan line):
 * the same operations in the same order on the same doubles, so the point
 * is bit-identical to GEOS'; tests/unit/geo/test_interior_point.c checks
 * that against GEOSPointOnSurface_r on random and degenerate polygons, and
 * would catch a GEOS that changes the algorithm.
 */
#ifndef GEO_INTERIOR_POINT_H
#define GEO_INTERIOR_POINT_H

#include <stddef.h>

#include "layer.h"

/* Scan-line crossings kept on the stack; a part with more is left to GEOS. */
#define GEO_INTERIOR_POINT_MAX_CROSSINGS 64

/* 1 with (*x, *y) = GEOSPointOnSurface_r of polygon feature i of l; 0 when
 * the caller must ask GEOS: no rings, a ring that is not closed or has
 * fewer than 4 points (GEOS refuses it, and says why), a coordinate that
 * is not finite, an odd number of crossings (an invalid polygon, where
 * GEOS' own result is not defined), or more crossings than fit. */
int geo_interior_point(const geo_layer *l, size_t i, double *x, double *y);

#endif
