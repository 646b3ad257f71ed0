/*
 * ring_simple.h — a fast, exact "certainly valid" test for the common
 * parcel: one exterior ring of a few vertices and no holes.
 *
 * Why by hand: GEOSisValid builds a noding graph for every polygon, about
 * 3 us for a parcel of 7 vertices, 2.7 s of CPU over a million parcels, and
 * nearly all of them are valid.  This test answers only "certainly valid"
 * (every pair of edges separated, decided with Shewchuk's error-bounded
 * orientation filter and, below its bound, GEOS' orientation predicate)
 * or "don't know"; validate.c asks GEOS whenever it
 * does not know, so a polygon is judged exactly as GEOS judges it: a
 * polygon this test passes is one GEOSisValid finds valid (checked by
 * tests/unit/geo/test_ring_simple.c against GEOS on random and degenerate
 * rings).
 */
#ifndef GEO_RING_SIMPLE_H
#define GEO_RING_SIMPLE_H

#include <stddef.h>

#include <geos_c.h>

/* Largest ring (points, the closing one included) the test looks at: its
 * cost grows with the square of the vertices, GEOS's does not. */
#define GEO_RING_SIMPLE_MAX_POINTS 32

/* 1 when the closed ring x/y[0..n) (x[0] == x[n-1], y[0] == y[n-1]) is
 * certainly a valid polygon shell on its own: finite coordinates, at least
 * 4 points once consecutive repeats are dropped, no two edges touching but
 * neighbours at their shared vertex, and no neighbours folding back on each
 * other (a vertex on the straight line between its neighbours is fine).
 * 0 when it is not, or when the test cannot be sure (more than
 * GEO_RING_SIMPLE_MAX_POINTS points, edges that touch or overlap).  h
 * decides the orientations too close for floating point (GEOS' predicate);
 * with h NULL those are "not sure" and the answer 0. */
int geo_ring_certainly_simple(GEOSContextHandle_t h, const double *x, const double *y, size_t n);

#endif
