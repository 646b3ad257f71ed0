/*
 * ring_simple.c — the "certainly valid" test of one-ring polygons (see
 * ring_simple.h).
 *
 * A ring is simple when no two of its edges meet except neighbours at their
 * shared vertex.  Two edges are certainly apart when their bounding boxes
 * are apart, or when one edge's ends lie strictly on the same side of the
 * other's line (for segments that do not meet and are not collinear, one
 * of the two lines always separates them; collinear ones that do not meet
 * have separate boxes).  Neighbours only share their vertex when the ring
 * turns there, or goes straight on: a vertex on the line of its neighbours
 * between them (the corner of a neighbouring parcel on a shared boundary,
 * common in parcel fabrics) is no fault, while one that folds back is a
 * spike.
 *
 * The side of a point is the sign of an orientation determinant: the
 * rounded value where Shewchuk's error bound says its sign is exact, and
 * otherwise GEOS' own orientation predicate (GEOSOrientationIndex_r, the
 * one its validity check decides intersections with), so that a point
 * GEOS finds on a line is on it here too.
 */
#include "ring_simple.h"

#include <math.h>

#include <geos_c.h>

/* Shewchuk's ccwerrboundA with epsilon = 2^-53: when |det| exceeds this
 * times |detleft| + |detright|, det has the sign of the exact determinant
 * ("Adaptive Precision Floating-Point Arithmetic and Fast Robust Geometric
 * Predicates", 1997, orient2d). */
#define CCW_ERRBOUND_A ((3.0 + 16.0 * 0x1p-53) * 0x1p-53)

/* Coordinates beyond this are left to GEOS: the bound above assumes the
 * products neither overflow nor underflow. */
#define COORD_LIMIT 1e150

/* side(): c is left of the line a->b, right of it, on it, or unknown (no
 * GEOS context, or GEOS failed). */
enum { SIDE_RIGHT = -1, SIDE_ON = 0, SIDE_LEFT = 1, SIDE_UNKNOWN = 2 };

static int side(GEOSContextHandle_t h, double ax, double ay, double bx, double by, double cx, double cy)
{
    double detleft = (ax - cx) * (by - cy), detright = (ay - cy) * (bx - cx);
    double det = detleft - detright, bound = CCW_ERRBOUND_A * (fabs(detleft) + fabs(detright));
    if (det > bound)
        return SIDE_LEFT;
    if (-det > bound)
        return SIDE_RIGHT;
    /* three points on one axis-parallel line: exactly collinear, no need to
     * ask (x - y == 0 exactly only when x == y) */
    if ((ax == bx && bx == cx) || (ay == by && by == cy))
        return SIDE_ON;
    int o = h ? GEOSOrientationIndex_r(h, ax, ay, bx, by, cx, cy) : SIDE_UNKNOWN;
    return o == 1 ? SIDE_LEFT : o == -1 ? SIDE_RIGHT : o == 0 ? SIDE_ON : SIDE_UNKNOWN;
}

static int strictly_one_side(int s1, int s2)
{
    return s1 == s2 && (s1 == SIDE_LEFT || s1 == SIDE_RIGHT);
}

/* Sign of d: -1, 0 or 1 (exact for the difference of two doubles). */
static int sgn(double d)
{
    return (d > 0) - (d < 0);
}

/* With a, b, c on one line and b distinct from both: 1 when b lies between
 * them (the ring goes straight on), 0 when c folds back towards a.  On a
 * line, b is between exactly when neither coordinate reverses direction;
 * the signs of the differences are exact. */
static int goes_straight_on(double ax, double ay, double bx, double by, double cx, double cy)
{
    return sgn(bx - ax) * sgn(cx - bx) >= 0 && sgn(by - ay) * sgn(cy - by) >= 0;
}

/* 1 when edges a-b and c-d certainly have no point in common. */
static int edges_apart(GEOSContextHandle_t h, const double *x, const double *y, int a, int b, int c, int d)
{
    if (fmax(x[a], x[b]) < fmin(x[c], x[d]) || fmax(x[c], x[d]) < fmin(x[a], x[b]) ||
        fmax(y[a], y[b]) < fmin(y[c], y[d]) || fmax(y[c], y[d]) < fmin(y[a], y[b]))
        return 1;
    if (strictly_one_side(side(h, x[a], y[a], x[b], y[b], x[c], y[c]), side(h, x[a], y[a], x[b], y[b], x[d], y[d])))
        return 1;
    return strictly_one_side(side(h, x[c], y[c], x[d], y[d], x[a], y[a]), side(h, x[c], y[c], x[d], y[d], x[b], y[b]));
}

int geo_ring_certainly_simple(GEOSContextHandle_t h, const double *x, const double *y, size_t n)
{
    if (n < 4 || n > GEO_RING_SIMPLE_MAX_POINTS || x[0] != x[n - 1] || y[0] != y[n - 1])
        return 0;
    /* the distinct vertices: consecutive repeats dropped, the closing point too */
    double qx[GEO_RING_SIMPLE_MAX_POINTS], qy[GEO_RING_SIMPLE_MAX_POINTS];
    int m = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        if (!(fabs(x[k]) < COORD_LIMIT) || !(fabs(y[k]) < COORD_LIMIT))
            return 0; /* also NAN and infinities */
        if (m > 0 && x[k] == qx[m - 1] && y[k] == qy[m - 1])
            continue;
        qx[m] = x[k];
        qy[m] = y[k];
        m++;
    }
    while (m > 1 && qx[m - 1] == qx[0] && qy[m - 1] == qy[0])
        m--;
    if (m < 3)
        return 0;
    /* neighbours: a turn at every vertex, or a straight way on */
    for (int k = 0; k < m; k++) {
        int prev = k ? k - 1 : m - 1, next = k + 1 < m ? k + 1 : 0;
        int s = side(h, qx[prev], qy[prev], qx[k], qy[k], qx[next], qy[next]);
        if (s == SIDE_UNKNOWN ||
            (s == SIDE_ON && !goes_straight_on(qx[prev], qy[prev], qx[k], qy[k], qx[next], qy[next])))
            return 0;
    }
    /* every other pair of edges (edge e runs from vertex e to vertex e + 1) */
    for (int i = 0; i < m; i++)
        for (int j = i + 2; j < m; j++) {
            if (i == 0 && j == m - 1)
                continue; /* neighbours across the closing vertex */
            if (!edges_apart(h, qx, qy, i, i + 1, j, j + 1 < m ? j + 1 : 0))
                return 0;
        }
    return 1;
}
