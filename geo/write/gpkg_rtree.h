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

/* The rows the R-tree holds: the n with a geometry, by their ids fid[0 ..
 * n) (ascending; the table's row k has id k + 1), each with the envelope
 * of the layer's feature it shows, feature[id - 1]: bbox[4 * feature ..]
 * = minx, miny, maxx, maxy (geo_layer.bbox).  The envelopes are read where
 * the layer keeps them, not copied out row by row (at 5M rows that copy
 * was 160 MB of new memory). */
typedef struct {
    const int64_t *fid;
    size_t n;
    const size_t *feature;
    const double *bbox;
} geo_gpkg_rtree_rows;

/* Creates rtree_<table>_<column> holding the rows' envelopes packed in
 * Hilbert order, then the triggers GDAL creates to keep it in step with
 * the table, and its gpkg_extensions row.  The table must hold those rows
 * already. */
fr_status geo_gpkg_rtree_create(geo_gpkg_db *d, const char *table, const char *column,
                                const geo_gpkg_rtree_rows *rows, fr_error *err);

#endif
