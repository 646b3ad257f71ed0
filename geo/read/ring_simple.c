/*
 * ring_simple.c — the "certainly valid" test of one-ring polygons (see
 * ring_simple.h).
 *
 * A ring is simple when no two of its edges meet except neighbours at their
 * shared vertex.  Two edges are certainly apart when their bounding boxes
 * are apart, or when one edge's ends lie strictly on the same side of the
 * other's line (for segments that do not meet and are not collinear, one
 * of the two lines always separates them; collinear ones that do not meet
 * have separate boxes).  Neighbours only share their vertex when the turn
 * there is certainly not zero.  The side of a point is the sign of an
 * orientation determinant, trusted only when Shewchuk's error bound says
 * the rounded value has the exact sign; anything closer is "don't know".
 */
#include "ring_simple.h"

#include <math.h>

/* Shewchuk's ccwerrboundA with epsilon = 2^-53: when |det| exceeds this
 * times |detleft| + |detright|, det has the sign of the exact determinant
 * ("Adaptive Precision Floating-Point Arithmetic and Fast Robust Geometric
 * Predicates", 1997, orient2d). */
#define CCW_ERRBOUND_A ((3.0 + 16.0 * 0x1p-53) * 0x1p-53)

/* Coordinates beyond this are left to GEOS: the bound above assumes the
 * products neither overflow nor underflow. */
#define COORD_LIMIT 1e150

/* The side of c from the line a->b: 1 left, -1 right, 0 on it or unsure. */
static int side(double ax, double ay, double bx, double by, double cx, double cy)
{
    double detleft = (ax - cx) * (by - cy), detright = (ay - cy) * (bx - cx);
    double det = detleft - detright, bound = CCW_ERRBOUND_A * (fabs(detleft) + fabs(detright));
    return det > bound ? 1 : -det > bound ? -1 : 0;
}

/* 1 when edges a-b and c-d certainly have no point in common. */
static int edges_apart(const double *x, const double *y, int a, int b, int c, int d)
{
    if (fmax(x[a], x[b]) < fmin(x[c], x[d]) || fmax(x[c], x[d]) < fmin(x[a], x[b]) ||
        fmax(y[a], y[b]) < fmin(y[c], y[d]) || fmax(y[c], y[d]) < fmin(y[a], y[b]))
        return 1;
    int s1 = side(x[a], y[a], x[b], y[b], x[c], y[c]), s2 = side(x[a], y[a], x[b], y[b], x[d], y[d]);
    if (s1 != 0 && s1 == s2)
        return 1;
    int s3 = side(x[c], y[c], x[d], y[d], x[a], y[a]), s4 = side(x[c], y[c], x[d], y[d], x[b], y[b]);
    return s3 != 0 && s3 == s4;
}

int geo_ring_certainly_simple(const double *x, const double *y, size_t n)
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
    /* neighbours: a certain turn at every vertex */
    for (int k = 0; k < m; k++) {
        int prev = k ? k - 1 : m - 1, next = k + 1 < m ? k + 1 : 0;
        if (side(qx[prev], qy[prev], qx[k], qy[k], qx[next], qy[next]) == 0)
            return 0;
    }
    /* every other pair of edges (edge e runs from vertex e to vertex e + 1) */
    for (int i = 0; i < m; i++)
        for (int j = i + 2; j < m; j++) {
            if (i == 0 && j == m - 1)
                continue; /* neighbours across the closing vertex */
            if (!edges_apart(qx, qy, i, i + 1, j, j + 1 < m ? j + 1 : 0))
                return 0;
        }
    return 1;
}
