/*
 * publish.h — the run's layers copied into a place an analyst chose: a
 * GeoPackage of their own (output.named_geopackage) or PostGIS tables
 * (output.postgis), under names of their choosing (as `ogr2ogr -nln`).
 *
 * Why copies of the staged outputs rather than a second writer: the staged
 * GeoPackage already holds the typed ranked layer and the rejects, and the
 * CSVs the target list and the join audit; GDAL copies them into any
 * driver, and the copy happens only once they are complete.  Both targets
 * are replaced atomically: readers see the previous layers or the new ones,
 * never half a night.
 *   GeoPackage  every layer is dropped and rewritten inside one SQLite
 *               transaction; the file's other layers are not touched.
 *   PostGIS     each table is written under a temporary name (NAME__new),
 *               then one transaction drops the old tables and renames the
 *               new ones (with their indexes and sequences) into place.
 *               No CASCADE: a view an analyst built on a table makes the
 *               swap fail with PostgreSQL's message naming the view, and
 *               every previous table stays; it is never dropped silently.
 */
#ifndef GEO_PUBLISH_H
#define GEO_PUBLISH_H

#include <stddef.h>

#include "status.h"

typedef struct {
    const char *src;          /* a dataset GDAL opens: a GeoPackage or a CSV */
    const char *src_layer;    /* its layer; NULL = the first */
    const char *dst_layer;    /* the name in the destination (PostGIS: the table, prefix included) */
    /* NULL-terminated "column=Integer|Integer64|Real|Date": the type of a
     * text column (a CSV's) in the destination; empty text becomes null. */
    const char *const *types;
    int lonlat_points;        /* a CSV with columns lon, lat: points in WGS84 */
    const char *description;  /* the layer's description / table comment, or NULL */
    /* NULL-terminated "column=comment" (PostGIS: COMMENT ON COLUMN). */
    const char *const *comments;
    /* GeoPackage: the source's QGIS style rows (its layer_styles table) for
     * src_layer go with the layer, renamed, replacing the destination's rows
     * for dst_layer, so that QGIS opens the copy styled too. */
    int copy_style;
} geo_publish_layer;

/* Copies the layers into the GeoPackage at path (created if missing),
 * replacing layers of the same names in one transaction and leaving every
 * other layer as it was.  FR_E_OUTPUT naming the path and the layer. */
fr_status geo_publish_gpkg(const char *path, const geo_publish_layer *layers, size_t n, fr_error *err);

/* Copies the layers into PostGIS tables of schema (which must exist) through
 * the GDAL connection string conn ("PG:..."): each with a primary key `fid`,
 * a GiST index on `geom` and the comments; then swaps them all in by rename
 * in one transaction.  On failure the previous tables are untouched and the
 * NAME__new tables dropped.  The error names the connection as given: the
 * caller masks its secrets. */
fr_status geo_publish_postgis(const char *conn, const char *schema, const geo_publish_layer *layers, size_t n,
                              fr_error *err);

#endif
