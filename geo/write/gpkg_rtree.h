/*
 * gpkg_rtree.h — the GeoPackage R-tree spatial index extension
 * (gpkg_rtree_index) of a feature table, for the SQLite GeoPackage writer
 * (write_gpkg.c), room-internal.
 *
 * Why packed from a Hilbert order: SQLite's rtree module places each insert
 * by least enlargement and splits full nodes, ~20 us an envelope for a
 * city's million.  Sorted along a Hilbert curve of their centres,
 * consecutive envelopes are neighbours, so the tree can be written
 * bottom-up, node by full node, straight into the module's shadow tables
 * (gpkg_rtree.c explains their layout): nodes that cover compact areas, at
 * the cost of a sort.  The order is a total order (the row breaks ties):
 * the same rows give the same file at any thread count.  Later edits by
 * other programs go through the module and its triggers as usual.
 */
#ifndef GEO_GPKG_RTREE_H
#define GEO_GPKG_RTREE_H

#include <stddef.h>
#include <stdint.h>

#include "gpkg_db.h"
#include "status.h"

/* Creates rtree_<table>_<column> holding n envelopes (row k: id fid[k],
 * ascending, env[4k .. 4k+3] = minx, maxx, miny, maxy) packed in Hilbert
 * order, then
 * the triggers GDAL creates to keep it in step with the table, and its
 * gpkg_extensions row.  The table must hold those rows already. */
fr_status geo_gpkg_rtree_create(geo_gpkg_db *d, const char *table, const char *column, const int64_t *fid,
                                const double *env, size_t n, fr_error *err);

#endif
