/*
 * fid_ranges.h — a GeoPackage or Shapefile layer cut into FID ranges that
 * several threads read at once (read.c), each through a dataset of its own.
 *
 * A GeoPackage table is SQLite with an INTEGER PRIMARY KEY as its FID, and
 * GDAL's driver reads it in that key's order: the records of consecutive
 * ranges [lo, hi], concatenated in range order, are the records of one
 * sequential read in the same order.  Only tables qualify (a view's order
 * is the view's).  A range is selected with an attribute filter on the FID.
 *
 * A Shapefile's FIDs are its record numbers, 0 to n - 1, read in that
 * order; its index (.shx) lets a reader start at any record
 * (OGR_L_SetNextByIndex), so a range is read from its first record until a
 * FID beyond it (a deleted record is skipped either way).  The last range
 * is open-ended, so that a record the header's count missed is still read.
 * A zipped Shapefile (.shp.zip, .shz) is read on one thread.
 *
 * Other drivers (CSV, GeoJSON, FileGDB, PostGIS) are read on one thread.
 */
#ifndef GEO_FID_RANGES_H
#define GEO_FID_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include <gdal.h>

typedef struct {
    int64_t lo, hi; /* FIDs lo..hi, both included */
} geo_fid_range;

/* How a range's records are selected. */
typedef enum {
    GEO_FID_BY_FILTER, /* an attribute filter on the FID column (GeoPackage) */
    GEO_FID_BY_INDEX   /* OGR_L_SetNextByIndex(lo), then up to FID hi (Shapefile) */
} geo_fid_select;

/* The ranges of lyr (of dataset ds) for nthreads threads, in FID order, in
 * *out (the caller frees it), and how to select them in *how; their count,
 * or 0 when the layer is to be read sequentially: neither a GeoPackage
 * table nor a Shapefile, fewer than min_features FIDs in its span, or a
 * single thread.  Runs one SQL query on a GeoPackage. */
size_t geo_fid_ranges(GDALDatasetH ds, OGRLayerH lyr, int nthreads, size_t min_features, geo_fid_range **out,
                      geo_fid_select *how);

#endif
