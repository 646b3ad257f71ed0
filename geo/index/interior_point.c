/*
 * interior_point.c — GEOS' InteriorPointArea on flat arrays (see
 * interior_point.h).
 *
 * For each polygon (a shell and the holes after it): a horizontal scan
 * line at the middle of the y interval, between the vertices' y values,
 * that contains the middle of the shell's y extent; the x of every edge
 * crossing it, sorted; the midpoint of the widest inside section (crossings
 * taken in pairs).  Of several polygons, the one with the widest section,
 * the first on a tie.  A polygon without a section wider than zero gives
 * its first vertex.  Every comparison and every rounding step is the one
 * GEOS makes (src/algorithm/InteriorPointArea.cpp), in its order; this
 * file is built with floating-point contraction off so that no step is
 * fused into another.
 */
#include "interior_point.h"

#include <math.h>

static double avg(double a, double b)
{
    return (a + b) / 2.0;
}

/* The x where edge (x0, y0)-(x1, y1) crosses the line y = scan_y, or NAN
 * when GEOS does not count the edge: it does not reach the line, it is
 * horizontal, or it only touches the line at the end GEOS leaves out (the
 * start of a downward edge, the end of an upward one). */
static double crossing(double x0, double y0, double x1, double y1, double scan_y)
{
    if ((y0 > scan_y && y1 > scan_y) || (y0 < scan_y && y1 < scan_y))
        return NAN;
    if (y0 == y1)
        return NAN;
    if ((y0 == scan_y && y1 < scan_y) || (y1 == scan_y && y0 < scan_y))
        return NAN;
    if (x0 == x1)
        return x0;
    double m = (y1 - y0) / (x1 - x0);
    return x0 + ((scan_y - y0) / m);
}

static void sort_doubles(double *v, size_t n)
{
    for (size_t k = 1; k < n; k++) {
        double t = v[k];
        size_t j = k;
        for (; j > 0 && v[j - 1] > t; j--)
            v[j] = v[j - 1];
        v[j] = t;
    }
}

/* Rings [r0, r1) of l, the first a shell, the rest its holes: 1 with the
 * section width and point of GEOS' InteriorPointPolygon, 0 for GEOS. */
static int polygon_point(const geo_layer *l, size_t r0, size_t r1, double *width, double *x, double *y)
{
    const double *px = l->px, *py = l->py;
    size_t s0 = l->pt_start[r0], s1 = l->pt_start[r0 + 1];
    double lo = py[s0], hi = py[s0];
    for (size_t p = s0; p < s1; p++) {
        lo = py[p] < lo ? py[p] : lo;
        hi = py[p] > hi ? py[p] : hi;
    }
    /* ScanLineYOrdinateFinder: the vertices closest to the centre on
     * either side, over every ring */
    const double centre = avg(lo, hi);
    double lo_y = lo, hi_y = hi;
    for (size_t p = s0; p < l->pt_start[r1]; p++) {
        if (py[p] <= centre) {
            if (py[p] > lo_y)
                lo_y = py[p];
        } else if (py[p] < hi_y) {
            hi_y = py[p];
        }
    }
    const double scan_y = avg(hi_y, lo_y);
    double xs[GEO_INTERIOR_POINT_MAX_CROSSINGS];
    size_t n = 0;
    for (size_t r = r0; r < r1; r++) {
        size_t a = l->pt_start[r], b = l->pt_start[r + 1];
        double rlo = py[a], rhi = py[a];
        for (size_t p = a; p < b; p++) {
            rlo = py[p] < rlo ? py[p] : rlo;
            rhi = py[p] > rhi ? py[p] : rhi;
        }
        if (scan_y < rlo || scan_y > rhi) /* the ring does not reach the line */
            continue;
        for (size_t p = a + 1; p < b; p++) {
            double c = crossing(px[p - 1], py[p - 1], px[p], py[p], scan_y);
            if (isnan(c))
                continue;
            if (n == GEO_INTERIOR_POINT_MAX_CROSSINGS)
                return 0;
            xs[n++] = c;
        }
    }
    if (n % 2)
        return 0;
    sort_doubles(xs, n);
    *width = 0.0;
    *x = px[s0]; /* a polygon of zero area: its first vertex */
    *y = py[s0];
    for (size_t k = 0; k < n; k += 2) {
        double w = xs[k + 1] - xs[k];
        if (w > *width) {
            *width = w;
            *x = avg(xs[k], xs[k + 1]);
            *y = scan_y;
        }
    }
    return 1;
}

int geo_interior_point(const geo_layer *l, size_t i, double *x, double *y)
{
    if (l->kind != GEO_GEOM_POLYGON)
        return 0;
    size_t r0 = l->ring_start[i], r1 = l->ring_start[i + 1];
    if (r0 == r1 || !l->ring_shell[r0])
        return 0;
    for (size_t r = r0; r < r1; r++) {
        size_t a = l->pt_start[r], b = l->pt_start[r + 1];
        if (b - a < 4 || l->px[a] != l->px[b - 1] || l->py[a] != l->py[b - 1])
            return 0;
        for (size_t p = a; p < b; p++)
            if (!isfinite(l->px[p]) || !isfinite(l->py[p]))
                return 0;
    }
    double best = -1;
    for (size_t r = r0; r < r1;) {
        size_t end = r + 1;
        while (end < r1 && !l->ring_shell[end])
            end++;
        double w, px, py;
        if (!polygon_point(l, r, end, &w, &px, &py))
            return 0;
        if (w > best) {
            best = w;
            *x = px;
            *y = py;
        }
        r = end;
    }
    return 1;
}
