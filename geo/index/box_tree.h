/*
 * box_tree.h — a static packed R-tree over a layer's envelopes: which
 * features' envelopes meet a query box.
 *
 * Why not GEOS' STRtree, which the joins used before: its C API takes one
 * envelope at a time (a GEOS geometry made and destroyed per feature) into
 * a vector that grows by copies, then sorts it on one thread, and a query
 * needs a GEOS geometry too.  At 5M parcels that was about 600 MB of new
 * memory touched (on a VM whose new pages cost 2-20 us each) and 1-3 s of
 * one thread.  Every query here asks the same question of plain numbers:
 * the items whose envelope meets a box, boundaries included (GEOS' query
 * semantics), so the answer is the same set GEOS gave.
 *
 * Layout (packed Hilbert R-tree, as flatbush and GDAL's FlatGeobuf index):
 * the items are sorted by the Hilbert value of their envelope's centre
 * (ties: the item's index, so the tree is the same whatever the thread
 * count), 16 to a leaf node, 16 nodes to a parent.  Boxes are stored as
 * floats rounded outward, 16 bytes an item; a float box that meets the
 * query is confirmed on the layer's own double envelope before its item is
 * reported, so rounding can neither add nor lose an answer.
 *
 * Ownership: the tree keeps a pointer to the envelopes it was built over
 * (bbox[4 * i ..], NAN = no geometry, never reported); they must outlive it
 * unchanged.  Queries only read the tree: any number of threads may query
 * one tree at once.
 */
#ifndef GEO_BOX_TREE_H
#define GEO_BOX_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct geo_box_tree geo_box_tree;

/* The tree over the n envelopes bbox[4 * i .. 4 * i + 3] (minx, miny,
 * maxx, maxy).  n must be below INT32_MAX.  Fails only when out of
 * memory. */
fr_status geo_box_tree_build(const double *bbox, size_t n, geo_box_tree **out, fr_error *err);
void geo_box_tree_free(geo_box_tree *t);

/* Called with each item whose envelope meets [minx, maxx] x [miny, maxy]
 * (in no particular order); a non-zero return stops the query. */
typedef int (*geo_box_tree_visit)(int32_t item, void *arg);

/* Visits the items meeting the box; returns 1 when a visit stopped it, 0
 * otherwise.  A box with a NaN side meets nothing. */
int geo_box_tree_query(const geo_box_tree *t, double minx, double miny, double maxx, double maxy,
                       geo_box_tree_visit visit, void *arg);

#endif
