/*
 * study_area.h — records far from the city are errors, not data.
 *
 * The study area is a square of half-side R (join.study_area_km, default
 * 500 km) around the median centre of the parcels.  The median, not the
 * extent: one parcel typed with coordinates 1e300 or in the wrong
 * hemisphere must not move the centre, pick a wrong UTM zone, or break
 * the lon/lat outputs for everyone (it is rejected with reason
 * "outside_study_area" instead).  Point records outside it whose x and y,
 * swapped, would fall among the parcels get reason "lonlat_swapped".
 */
#ifndef GEO_STUDY_AREA_H
#define GEO_STUDY_AREA_H

#include <stddef.h>

#include "layer.h"
#include "rejects.h"
#include "status.h"

/* Median of the centres of the features' bounding boxes (x and y taken
 * separately), in the layer's CRS.  FR_E_INPUT when no feature has a
 * geometry. */
fr_status geo_median_centre(const geo_layer *l, double *cx, double *cy, fr_error *err);

/* Half-sides (in the units of the CRS srs_wkt, at the centre cx, cy) of a
 * square of half-side radius_m metres: degrees for a geographic CRS, the
 * CRS's linear unit otherwise. */
fr_status geo_study_half_sides(const char *srs_wkt, double cx, double cy, double radius_m, double *hx, double *hy,
                               fr_error *err);

/* Removes the features whose bounding box is not entirely inside the
 * square [cx +- hx] x [cy +- hy] and rejects them ("outside_study_area",
 * the detail giving where they are and the study area).  Features without
 * geometry are kept.  *removed counts them. */
fr_status geo_study_area_filter(geo_layer *l, double cx, double cy, double hx, double hy, double radius_km,
                                geo_rejects *rejects, size_t *removed, fr_error *err);

/* Source coordinates of a point layer, kept before reprojection so that a
 * rejected point can be re-examined with x and y swapped. */
typedef struct {
    size_t n;
    int64_t *fid;
    double *x, *y;
    char *srs_wkt;
} geo_source_points;

fr_status geo_source_points_keep(const geo_layer *l, geo_source_points *out, fr_error *err);
void geo_source_points_free(geo_source_points *p);

/* For a point layer already in the working CRS (same CRS as the square):
 * removes the points outside the square, each rejected as
 * "lonlat_swapped" when its source coordinates swapped land inside
 * `inside` (xmin, ymin, xmax, ymax in the working CRS, e.g. the parcels'
 * extent plus the tolerance), else "outside_study_area".  *swapped counts
 * the former. */
fr_status geo_study_area_points(geo_layer *l, const geo_source_points *src, double cx, double cy, double half,
                                double radius_km, const double inside[4], geo_rejects *rejects, size_t *removed,
                                size_t *swapped, fr_error *err);

#endif
