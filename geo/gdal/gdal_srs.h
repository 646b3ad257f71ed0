/*
 * gdal_srs.h — a spatial reference from a user's or a layer's CRS text, in
 * the axis order firerisk works in everywhere.
 *
 * GDAL 3 honours the EPSG axis order (latitude first for EPSG:4326); every
 * array of ours is x = easting/longitude, y = northing/latitude, so every
 * OGRSpatialReferenceH we build goes through here and gets
 * OAMS_TRADITIONAL_GIS_ORDER, or x and y swap silently.
 */
#ifndef GEO_GDAL_SRS_H
#define GEO_GDAL_SRS_H

#include <ogr_srs_api.h>

/* The CRS of text (WKT, "EPSG:n", a PROJ string: anything
 * OSRSetFromUserInput takes), or NULL when it is not a CRS GDAL knows or
 * memory ran out.  The caller frees it (OSRRelease or
 * OSRDestroySpatialReference); GDAL's errors go
 * to the caller's gate. */
OGRSpatialReferenceH geo_gdal_srs(const char *text);

#endif
