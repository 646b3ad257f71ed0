/*
 * style_qml.h — the QGIS style of the ranked parcels (QML, QGIS 3.x).
 *
 * One style for every format: a categorized renderer on the `tier` field
 * (the same name in the GeoPackage, the GeoJSON and the Shapefile .dbf),
 * high red, medium orange, low pale yellow, thin grey outlines that stay
 * readable when a whole city is on screen (circle markers when the homes
 * are points); a map tip and a display name
 * built from rank, parcel id, address and score.  Written as
 * ranked_parcels.qml beside the GeoJSON and Shapefile (QGIS loads
 * <file>.qml automatically) and stored in the GeoPackage's layer_styles
 * table.
 */
#ifndef FR_STYLE_QML_H
#define FR_STYLE_QML_H

#include "status.h"
#include "strbuf.h"

#define FR_STYLE_FIELD "tier"   /* the field the renderer categorizes on */
#define FR_STYLE_NAME "firerisk tiers"

typedef struct {
    double tier_high;   /* share of parcels in high (for the legend), e.g. 0.05 */
    double tier_medium; /* share in high + medium, e.g. 0.20 */
    int has_address;    /* the layer has an address field (map tip) */
    int points;         /* the homes are points: marker symbols, not fills */
} fr_style_options;

/* The QML document; the caller frees *out.  FR_E_MEMORY on failure. */
fr_status fr_style_qml(const fr_style_options *o, char **out, fr_error *err);

/* One fill <symbol> (SimpleFill of color "r,g,b,a", thin grey outline)
 * numbered index, as QGIS saves it (also the equity layer's style). */
void fr_style_fill_symbol(fr_strbuf *b, int index, const char *color);

/* fr_style_qml written to path.  FR_E_OUTPUT naming the path. */
fr_status fr_style_write_qml(const fr_style_options *o, const char *path, fr_error *err);

#endif
