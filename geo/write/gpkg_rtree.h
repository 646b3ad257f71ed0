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
#include "layer.h"
#include "status.h"

/* The rows the R-tree holds, gathered as the writer writes them (the n
 * with a geometry, in id order): each row's id, its envelope rounded
 * outward to the floats the tree stores, and its position along the
 * Hilbert curve, all written in turn.  Why not the envelopes as doubles,
 * sorted later: at 5M rows those were 160 MB of new memory, and read back
 * through the rank order they were random reads. */
typedef struct {
    double cx0, cx1, cy0, cy1; /* the extent of the envelopes' centres */
    size_t n, cap;
    int64_t *fid;
    float *box;     /* 4 a row: minx, maxx, miny, maxy */
    uint64_t *key;  /* Hilbert position << 32 | row */
} geo_gpkg_rtree_rows;

/* Room for up to cap rows, and the extent of the centres of the envelopes
 * of l's features with a geometry (geo_layer_envelope), which the rows' will
 * be.  path names the file in messages. */
fr_status geo_gpkg_rtree_rows_begin(geo_gpkg_rtree_rows *r, const geo_layer *l, size_t cap, const char *path,
                                    fr_error *err);

/* The next row: its id and its envelope env = minx, maxx, miny, maxy. */
void geo_gpkg_rtree_rows_add(geo_gpkg_rtree_rows *r, int64_t fid, const double env[4]);

void geo_gpkg_rtree_rows_free(geo_gpkg_rtree_rows *r);

/* Creates rtree_<table>_<column> holding the rows' envelopes packed in
 * Hilbert order (sorting r->key), then the triggers GDAL creates to keep it
 * in step with the table, and its gpkg_extensions row.  The table must hold
 * those rows already. */
fr_status geo_gpkg_rtree_create(geo_gpkg_db *d, const char *table, const char *column, geo_gpkg_rtree_rows *rows,
                                fr_error *err);

#endif
