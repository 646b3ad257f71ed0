/*
 * fuzz_read.c — libFuzzer target: the record reader (geo/read/read.c) on
 * arbitrary files, written into GDAL's /vsimem so no disk is touched.
 * FUZZ_FORMAT (set at compile time) picks the format:
 *   csv      one CSV, polygons from a WKT column or points from x/y columns
 *            (the first byte chooses), every field type mapped
 *   geojson  one GeoJSON, geometry from the source
 *   shp      a Shapefile: [u16 .shp length][u16 .shx length][.shp][.shx][.dbf]
 * Invariants: geo_read_layer returns a status; on success every record
 * read is kept or rejected (read = kept + rejected), the layer and the
 * rejects are freed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_vsi.h>

#include "read.h"
#include "validate.h"
#include "fuzz_target.h"

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT "csv"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    geo_init();
    return 0;
}

static void put(const char *path, const uint8_t *data, size_t size)
{
    VSILFILE *fp = VSIFOpenL(path, "wb");
    if (!fp)
        return;
    if (size)
        VSIFWriteL(data, 1, size, fp);
    VSIFCloseL(fp);
}

static void read_once(const char *source, int points, const char *wkt, const char *x, const char *y,
                      const char *crs)
{
    static const geo_field_spec fields[] = {
        {.name = "parcel_id", .source_name = "pin", .type = GEO_COL_STRING, .required_value = 1},
        {.name = "year_built", .source_name = "yr", .type = GEO_COL_NUMBER},
        {.name = "vacant", .source_name = "vac", .type = GEO_COL_NUMBER, .boolean = 1},
        {.name = "date", .source_name = "when", .type = GEO_COL_DATE, .required_value = 1},
    };
    geo_read_spec spec = {
        .role = points ? "incidents" : "parcels", .source = source, .crs = crs, .wkt_field = wkt,
        .x_field = x, .y_field = y, .kind = points ? GEO_GEOM_POINT : GEO_GEOM_POLYGON,
        .geometry_required = !points, .fields = fields, .nfields = 4,
        .date_bounds = 1, .min_date = -25567, .max_date = 20500,
    };
    geo_layer *layer = NULL;
    geo_read_stats stats;
    geo_rejects rejects = {0}, warnings = {0};
    fr_error err = {0};
    fr_status st = geo_read_layer(&spec, &layer, &stats, &rejects, &warnings, &err);
    if (st == FR_OK) {
        if (stats.read != stats.kept + stats.rejected || layer->count != stats.kept)
            abort();
        size_t repaired = 0, removed = 0;
        if (!points && geo_layer_make_valid(layer, &rejects, &warnings, &repaired, &removed, &err) == FR_OK &&
            layer->count != stats.kept - removed)
            abort();
    }
    geo_layer_free(layer);
    geo_rejects_clear(&rejects);
    geo_rejects_clear(&warnings);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!strcmp(FUZZ_FORMAT, "csv")) {
        if (size < 1)
            return 0;
        int points = data[0] & 1;
        put("/vsimem/fuzz/in.csv", data + 1, size - 1);
        read_once("/vsimem/fuzz/in.csv", points, points ? NULL : "wkt", points ? "x" : NULL, points ? "y" : NULL,
                  "EPSG:32616");
        VSIUnlink("/vsimem/fuzz/in.csv");
    } else if (!strcmp(FUZZ_FORMAT, "geojson")) {
        put("/vsimem/fuzz/in.geojson", data, size);
        read_once("/vsimem/fuzz/in.geojson", 0, NULL, NULL, NULL, NULL);
        read_once("/vsimem/fuzz/in.geojson", 1, NULL, NULL, NULL, NULL);
        VSIUnlink("/vsimem/fuzz/in.geojson");
    } else {
        if (size < 4)
            return 0;
        size_t a = (size_t)data[0] | (size_t)data[1] << 8, b = (size_t)data[2] | (size_t)data[3] << 8;
        data += 4;
        size -= 4;
        if (a > size)
            a = size;
        if (b > size - a)
            b = size - a;
        put("/vsimem/fuzz/in.shp", data, a);
        put("/vsimem/fuzz/in.shx", data + a, b);
        put("/vsimem/fuzz/in.dbf", data + a + b, size - a - b);
        static const char prj[] = "PROJCS[\"WGS_1984_UTM_Zone_16N\",GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\","
                                  "SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],"
                                  "UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],"
                                  "PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",0.0],"
                                  "PARAMETER[\"Central_Meridian\",-87.0],PARAMETER[\"Scale_Factor\",0.9996],"
                                  "PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";
        put("/vsimem/fuzz/in.prj", (const uint8_t *)prj, sizeof prj - 1);
        read_once("/vsimem/fuzz/in.shp", 0, NULL, NULL, NULL, NULL);
        const char *parts[] = {"shp", "shx", "dbf", "prj"};
        for (int i = 0; i < 4; i++) {
            char p[64];
            snprintf(p, sizeof p, "/vsimem/fuzz/in.%s", parts[i]);
            VSIUnlink(p);
        }
    }
    return 0;
}
