/*
 * gdal_srs.c — a spatial reference in traditional GIS axis order (see
 * gdal_srs.h).
 */
#include "gdal_srs.h"

OGRSpatialReferenceH geo_gdal_srs(const char *text)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (!srs)
        return NULL;
    if (OSRSetFromUserInput(srs, text) != OGRERR_NONE) {
        OSRRelease(srs);
        return NULL;
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}
