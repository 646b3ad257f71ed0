/*
 * write_gpkg.h — the analyst's one-file output: a GeoPackage holding the
 * ranked parcels layer, the rejected records, the run's metadata and the
 * QGIS style that colours the ranked layer, so that QGIS opens it already
 * styled (QGIS reads a `layer_styles` table with useAsDefault = 1 before
 * any .qml file).
 *
 * Two writers produce the same content.  geo_write_gpkg writes the file
 * through SQLite itself (write_gpkg.c: prepared statements, one
 * transaction, GeoPackage binary geometries encoded from the layer's
 * arrays, the R-tree packed from a Hilbert order): GDAL's driver costs about
 * 16 us a parcel plus as much again for its R-tree.  geo_write_gpkg_gdal
 * goes through GDAL's GPKG driver (write_gpkg_gdal.c, every table inside
 * one transaction): the reference the tests compare with (GDAL reads both
 * back with the same layers, fields, values and geometries), and
 * output.writer: gdal.
 *
 * The caller decides the fields, the row order and the style; these files
 * only write.  Like the other writers each opens its own file and may run
 * on one thread while the GeoJSON and Shapefile writers run on others.
 */
#ifndef GEO_WRITE_GPKG_H
#define GEO_WRITE_GPKG_H

#include <stddef.h>

#include "rejects.h"
#include "status.h"
#include "write.h"

typedef struct {
    const char *key, *value; /* value NULL = null */
} geo_gpkg_meta;

typedef struct {
    /* Table `ranked` (t->layer_name, e.g. "ranked_parcels"): the parcels in
     * t->order, long field names, geometry in the parcels' CRS declared as
     * MultiPolygon (single polygons are promoted: the GeoPackage spec wants
     * one geometry type per layer). */
    const geo_out_table *ranked;
    const char *ranked_description;  /* gpkg_contents.description, or NULL */
    int spatial_index;               /* build the R-tree QGIS uses to draw a zoomed-in view */

    /* Attribute table `rejects`: layer, source_fid, field, reason, detail.
     * NULL writes an empty table. */
    const geo_rejects *rejects;

    /* Attribute table `run_metadata`: key, value (text), in this order. */
    const geo_gpkg_meta *meta;
    size_t nmeta;

    /* Attribute table `layer_styles` in the schema QGIS creates itself, one
     * row for the ranked layer with useAsDefault = 1.  No table when NULL. */
    const char *style_qml;
    const char *style_name;          /* <= 30 characters (QGIS's column width) */
    const char *style_description;

    /* "YYYY-MM-DDTHH:MM:SS.sssZ" (the GeoPackage format) written as gpkg_contents.last_change and as the
     * style's update_time instead of the clock, so that the same run gives
     * the same bytes (the run's as_of).  Required. */
    const char *timestamp;
} geo_gpkg_spec;

/* Writes the GeoPackage at path (replacing a file there).  FR_E_OUTPUT
 * naming the path, table and row when GDAL or SQLite fails; FR_E_INTERNAL
 * for a malformed spec.  Nothing half-written is promised away: on failure
 * the caller discards the file (it writes into a temporary directory). */
fr_status geo_write_gpkg(const geo_gpkg_spec *spec, const char *path, fr_error *err);

/* The same file's content through GDAL's GPKG driver (the reference). */
fr_status geo_write_gpkg_gdal(const geo_gpkg_spec *spec, const char *path, fr_error *err);

/* The checks both writers make before writing: FR_E_INTERNAL for a spec
 * without a path, ranked table or timestamp, a malformed timestamp, a
 * style name over 30 characters, a metadata row without key, or a ranked
 * table that geo_out_table_check refuses. */
fr_status geo_gpkg_spec_check(const geo_gpkg_spec *spec, const char *path, fr_error *err);

#endif
