/*
 * reproject.h — CRS handling with PROJ (through OGR's spatial references):
 * choosing the working CRS, moving layers into it, and back to WGS84 for
 * outputs that need lon/lat.
 *
 * The working CRS is metric so that tolerances and radii in the config are
 * metres: either configured, or the UTM zone (WGS84) of the parcels' centre.
 */
#ifndef GEO_REPROJECT_H
#define GEO_REPROJECT_H

#include <stddef.h>

#include "layer.h"
#include "rejects.h"
#include "status.h"

/* WKT of a CRS given as any text OSRSetFromUserInput accepts ("EPSG:32616",
 * PROJ string, WKT).  *wkt is malloc'd.  Fails with FR_E_CONFIG naming
 * `what` (e.g. "working_crs") when PROJ does not know it, or when
 * require_metric and its unit is not the metre. */
fr_status geo_crs_wkt(const char *user_text, const char *what, int require_metric, char **wkt,
                      fr_error *err);

/* WKT of the UTM zone (WGS84, EPSG:326xx/327xx) that contains the median
 * centre of the layer's features (geo_median_centre: outliers far away do
 * not move it, as the extent's centre would); *epsg receives the code.  The layer's coordinates are
 * in layer->srs_wkt. */
fr_status geo_utm_for_layer(const geo_layer *layer, char **wkt, int *epsg, fr_error *err);

/* Transforms every coordinate of the layer from layer->srs_wkt into
 * dst_wkt in place, and sets layer->srs_wkt.  Features whose coordinates
 * cannot be transformed (outside the CRS's area, non-finite result) are
 * removed and written to rejects with reason "reprojection_failed";
 * *removed counts them. */
fr_status geo_reproject_layer(geo_layer *layer, const char *dst_wkt, geo_rejects *rejects,
                              size_t *removed, fr_error *err);

/* lon/lat (WGS84, degrees) of n points given in src_wkt.  NAN in, NAN out. */
fr_status geo_to_lonlat(const char *src_wkt, size_t n, const double *x, const double *y,
                        double *lon, double *lat, fr_error *err);

#endif
