/*
 * fid_ranges.h — a GeoPackage layer cut into FID ranges that several
 * threads read at once (read.c), each through a dataset of its own.
 *
 * A GeoPackage table is SQLite with an INTEGER PRIMARY KEY as its FID, and
 * GDAL's driver reads it in that key's order: the records of consecutive
 * ranges [lo, hi], concatenated in range order, are the records of one
 * sequential read in the same order.  Only tables qualify (a view's order
 * is the view's), and only GeoPackages: other drivers (CSV, GeoJSON,
 * Shapefile, PostGIS) are read on one thread.
 */
#ifndef GEO_FID_RANGES_H
#define GEO_FID_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include <gdal.h>

typedef struct {
    int64_t lo, hi; /* FIDs lo..hi, both included */
} geo_fid_range;

/* The ranges of lyr (of dataset ds) for nthreads threads, in FID order, in
 * *out (the caller frees it); their count, or 0 when the layer is to be
 * read sequentially: not a GeoPackage table, fewer than min_features FIDs
 * in its span, or a single thread.  Runs one SQL query on ds. */
size_t geo_fid_ranges(GDALDatasetH ds, OGRLayerH lyr, int nthreads, size_t min_features, geo_fid_range **out);

#endif
