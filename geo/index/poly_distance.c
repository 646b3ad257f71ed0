/*
 * poly_distance.c — point-to-polygon distance on flat arrays (see
 * poly_distance.h for why this is not a GEOS call).
 */
#include "poly_distance.h"

#include <math.h>

/* Distance from P to segment AB, as GEOS computes it
 * (geos::algorithm::Distance::pointToSegment), so both agree to the last
 * bits on the common cases. */
static double poly_distance_segment(double px, double py, double ax, double ay, double bx, double by)
{
    if (ax == bx && ay == by)
        return sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay));
    double len2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay);
    double r = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2;
    if (r <= 0.0)
        return sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay));
    if (r >= 1.0)
        return sqrt((px - bx) * (px - bx) + (py - by) * (py - by));
    double s = ((ay - py) * (bx - ax) - (ax - px) * (by - ay)) / len2;
    return fabs(s) * sqrt(len2);
}

/* Even-odd crossing test over every ring of feature i. */
static int poly_distance_inside(const geo_layer *l, size_t i, double x, double y)
{
    int inside = 0;
    for (size_t r = l->ring_start[i]; r < l->ring_start[i + 1]; r++) {
        const double *px = l->px, *py = l->py;
        for (size_t k = l->pt_start[r]; k + 1 < l->pt_start[r + 1]; k++) {
            double ay = py[k], by = py[k + 1];
            if ((ay > y) != (by > y)) {
                double xc = px[k] + (px[k + 1] - px[k]) * (y - ay) / (by - ay);
                if (x < xc)
                    inside = !inside;
            }
        }
    }
    return inside;
}

/* Homes given as points (geo_read_spec.points_allowed): the distance to
 * the point; NAN without one. */
static double poly_distance_to_home_point(const geo_layer *l, size_t i, double x, double y)
{
    return sqrt((x - l->x[i]) * (x - l->x[i]) + (y - l->y[i]) * (y - l->y[i]));
}

double geo_poly_distance_point(const geo_layer *l, size_t i, double x, double y)
{
    if (l->kind == GEO_GEOM_POINT)
        return poly_distance_to_home_point(l, i, x, y);
    if (l->ring_start[i] == l->ring_start[i + 1])
        return NAN;
    if (poly_distance_inside(l, i, x, y))
        return 0.0;
    double best = INFINITY;
    for (size_t r = l->ring_start[i]; r < l->ring_start[i + 1]; r++)
        for (size_t k = l->pt_start[r]; k + 1 < l->pt_start[r + 1]; k++) {
            double d = poly_distance_segment(x, y, l->px[k], l->py[k], l->px[k + 1], l->py[k + 1]);
            if (d < best)
                best = d;
        }
    return best;
}

geo_poly_location geo_poly_locate(const geo_layer *l, size_t i, double x, double y, double margin,
                                  double *dist)
{
    *dist = NAN;
    if (l->kind == GEO_GEOM_POINT) { /* a point has no inside: never INSIDE, never near a ring */
        *dist = poly_distance_to_home_point(l, i, x, y);
        return isnan(*dist) ? GEO_POLY_NO_GEOMETRY : GEO_POLY_OUTSIDE;
    }
    if (l->ring_start[i] == l->ring_start[i + 1])
        return GEO_POLY_NO_GEOMETRY;
    double best = geo_poly_distance_point(l, i, x, y);
    if (best == 0.0) { /* inside by the crossing test: how far from the rings? */
        best = INFINITY;
        for (size_t r = l->ring_start[i]; r < l->ring_start[i + 1]; r++)
            for (size_t k = l->pt_start[r]; k + 1 < l->pt_start[r + 1]; k++) {
                double d = poly_distance_segment(x, y, l->px[k], l->py[k], l->px[k + 1], l->py[k + 1]);
                if (d < best)
                    best = d;
            }
        if (best <= margin)
            return GEO_POLY_NEAR_RING;
        *dist = 0.0;
        return GEO_POLY_INSIDE;
    }
    if (best <= margin)
        return GEO_POLY_NEAR_RING;
    *dist = best;
    return GEO_POLY_OUTSIDE;
}

int geo_poly_distance_within(const geo_layer *l, size_t i, double x, double y, double r)
{
    if (l->kind == GEO_GEOM_POINT)
        return poly_distance_to_home_point(l, i, x, y) <= r; /* NAN: 0 */
    if (l->ring_start[i] == l->ring_start[i + 1])
        return 0;
    /* Squared distances, without sqrt or division, decide the clear cases;
     * within a relative 1e-9 of the radius the GEOS-exact formula decides,
     * so the answer is always geo_poly_distance_point(...) <= r. */
    const double r2 = r * r, lo = r2 * (1.0 - 1e-9), hi = r2 * (1.0 + 1e-9) + 1e-18;
    const double *px = l->px, *py = l->py;
    for (size_t q = l->ring_start[i]; q < l->ring_start[i + 1]; q++)
        for (size_t k = l->pt_start[q]; k + 1 < l->pt_start[q + 1]; k++) {
            double ax = px[k], ay = py[k], bx = px[k + 1], by = py[k + 1];
            double vx = bx - ax, vy = by - ay, wx = x - ax, wy = y - ay;
            double c1 = wx * vx + wy * vy, c2 = vx * vx + vy * vy;
            double d2, scale = 1.0; /* compare d2 against r2 * scale */
            if (c1 <= 0.0) {
                d2 = wx * wx + wy * wy;
            } else if (c1 >= c2) {
                d2 = (x - bx) * (x - bx) + (y - by) * (y - by);
            } else { /* perpendicular foot inside: d^2 = cross^2 / c2 */
                double cross = wx * vy - wy * vx;
                d2 = cross * cross;
                scale = c2;
            }
            if (d2 < lo * scale)
                return 1;
            if (d2 <= hi * scale && poly_distance_segment(x, y, ax, ay, bx, by) <= r)
                return 1;
        }
    const double *b = &l->bbox[4 * i];
    if (x < b[0] || x > b[2] || y < b[1] || y > b[3])
        return 0; /* outside the envelope: cannot be inside */
    return poly_distance_inside(l, i, x, y);
}
