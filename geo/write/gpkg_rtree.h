/*
 * gpkg_rtree.h — the GeoPackage R-tree spatial index extension
 * (gpkg_rtree_index) of a feature table, for the SQLite GeoPackage writer
 * (write_gpkg.c), room-internal.
 *
 * Why loaded in Hilbert order: SQLite's rtree module places each insert by
 * least enlargement and splits full nodes; envelopes that arrive in the
 * rank order of the rows land all over the tree (every insert touches
 * nodes far from the last one: page cache misses, many splits, loosely
 * packed nodes that a zoomed-in map reads more of).  Sorted along a
 * Hilbert curve of their centres, consecutive envelopes are neighbours, so
 * inserts append to the same few leaves and the nodes cover compact areas.
 * The order is a total order (the row breaks ties): the same rows give the
 * same file.
 */
#ifndef GEO_GPKG_RTREE_H
#define GEO_GPKG_RTREE_H

#include <stddef.h>
#include <stdint.h>

#include "gpkg_db.h"
#include "status.h"

/* Creates rtree_<table>_<column> holding n envelopes (row k: id fid[k],
 * env[4k .. 4k+3] = minx, maxx, miny, maxy) loaded in Hilbert order, then
 * the triggers GDAL creates to keep it in step with the table, and its
 * gpkg_extensions row.  The table must hold those rows already. */
fr_status geo_gpkg_rtree_create(geo_gpkg_db *d, const char *table, const char *column, const int64_t *fid,
                                const double *env, size_t n, fr_error *err);

#endif
