/*
 * style_qml.c — the QGIS style document (see style_qml.h).
 *
 * Written by hand rather than through a QGIS library: firerisk must not
 * depend on QGIS at run time, and the document is small and fixed.  The
 * layout is the one QGIS 3.22 saves itself (renderer-v2 with
 * categorizedSymbol, each symbol layer's properties both as an <Option> map,
 * read by QGIS >= 3.16, and as <prop> pairs, read by older versions);
 * tests/qgis/check_outputs.py loads it in real QGIS and checks the renderer.
 */
#include "style_qml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

typedef struct {
    const char *value, *color;
} tier_style;

static const tier_style tiers[] = {
    {"high", "215,25,28,255"},
    {"medium", "253,174,97,255"},
    {"low", "255,255,191,255"},
};

#define OUTLINE_COLOR "110,110,110,255"
#define OUTLINE_WIDTH "0.1"
#define TARGET_COLOR "31,78,156,255"       /* the target list's outline (the report's station blue) */
#define TARGET_WIDTH "0.6"
#define TARGET_LABEL_COLOR "20,20,60,255"
#define TARGET_LABEL_SCALE "25000"         /* labels at 1:25,000 and closer */
#define MARKER_SIZE "1.8"                  /* homes as points: a circle of 1.8 mm */
#define TARGET_MARKER_SIZE "3.2"           /* and the target list's ring around it */

/* The target list's symbol layer is enabled only for "on_list" = 1. */
#define TARGET_ENABLED                                                                          \
    "          <data_defined_properties>\n            <Option type=\"Map\">\n"                  \
    "              <Option name=\"name\" type=\"QString\" value=\"\"/>\n"                      \
    "              <Option name=\"properties\" type=\"Map\">\n"                                \
    "                <Option name=\"enabled\" type=\"Map\">\n"                                 \
    "                  <Option name=\"active\" type=\"bool\" value=\"true\"/>\n"               \
    "                  <Option name=\"expression\" type=\"QString\" value=\"&quot;on_list&quot; = 1\"/>\n" \
    "                  <Option name=\"type\" type=\"int\" value=\"3\"/>\n"                     \
    "                </Option>\n              </Option>\n"                                      \
    "              <Option name=\"type\" type=\"QString\" value=\"collection\"/>\n"            \
    "            </Option>\n          </data_defined_properties>\n"

/* The opening of a symbol layer of class cls drawn in pass `pass` and its
 * properties (values in the order of keys), both as an <Option> map
 * (QGIS >= 3.16) and as <prop> pairs (older versions). */
static const char *const fill_keys[] = {"border_width_map_unit_scale", "color", "joinstyle", "offset",
                                        "offset_map_unit_scale", "offset_unit", "outline_color",
                                        "outline_style", "outline_width", "outline_width_unit", "style"};
#define FILL_KEYS (sizeof fill_keys / sizeof fill_keys[0])

static void symbol_layer_props(fr_strbuf *b, int pass, const char *cls, const char *const *keys, size_t n,
                               const char *const *values)
{
    fr_sb_printf(b, "        <layer locked=\"0\" pass=\"%d\" class=\"%s\" enabled=\"1\">\n"
                    "          <Option type=\"Map\">\n", pass, cls);
    for (size_t k = 0; k < n; k++)
        fr_sb_printf(b, "            <Option name=\"%s\" type=\"QString\" value=\"%s\"/>\n", keys[k], values[k]);
    fr_sb_puts(b, "          </Option>\n");
    for (size_t k = 0; k < n; k++)
        fr_sb_printf(b, "          <prop k=\"%s\" v=\"%s\"/>\n", keys[k], values[k]);
}

static void fill_layer_props(fr_strbuf *b, int pass, const char *const values[FILL_KEYS])
{
    symbol_layer_props(b, pass, "SimpleFill", fill_keys, FILL_KEYS, values);
}

/* A second symbol layer of every tier's symbol: a thick dark blue outline,
 * drawn only for the parcels on the target list (the layer's "enabled"
 * property data-defined by "on_list" = 1), so that a low-tier target taken
 * by capacity_per_zone is as visible as a high-tier one. */
static void target_outline(fr_strbuf *b)
{
    const char *values[] = {"3x:0,0,0,0,0,0", "0,0,0,0", "miter", "0,0", "3x:0,0,0,0,0,0", "MM",
                            TARGET_COLOR, "solid", TARGET_WIDTH, "MM", "no"};
    fill_layer_props(b, 1, values);
    fr_sb_puts(b, TARGET_ENABLED "        </layer>\n");
}

/* Labels: the target list's row number (list_rank; null off the list, so
 * only targets are labelled), shown from the neighbourhood scale in (1:25
 * 000 and closer), where crews plan a route; a city-wide view stays clean.
 * QGIS reads the attribute scaleMax as the most zoomed-out scale
 * (minimumScale) and scaleMin as the most zoomed-in (0: no limit). */
static void list_rank_labels(fr_strbuf *b, int points)
{
    fr_sb_puts(b, "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n"
                  "      <text-style fieldName=\"list_rank\" isExpression=\"0\" fontSize=\"9\" fontSizeUnit=\"Point\" "
                  "fontWeight=\"75\" fontItalic=\"0\" textColor=\"" TARGET_LABEL_COLOR "\" textOpacity=\"1\" "
                  "namedStyle=\"Bold\" allowHtml=\"0\" capitalization=\"0\" multilineHeight=\"1\">\n"
                  "        <text-buffer bufferDraw=\"1\" bufferSize=\"1\" bufferSizeUnits=\"MM\" "
                  "bufferColor=\"255,255,255,255\" bufferOpacity=\"1\" bufferNoFill=\"1\" bufferJoinStyle=\"128\" "
                  "bufferBlendMode=\"0\"/>\n"
                  "      </text-style>\n");
    /* over a polygon's centre; beside a point's marker (around the point) */
    fr_sb_printf(b, "      <placement placement=\"%d\" dist=\"%s\" priority=\"5\" offsetType=\"0\" quadOffset=\"4\"/>\n",
                 points ? 0 : 1, points ? "1" : "0");
    fr_sb_puts(b, "      <rendering scaleVisibility=\"1\" scaleMin=\"0\" scaleMax=\"" TARGET_LABEL_SCALE "\" "
                  "drawLabels=\"1\" obstacle=\"1\" upsidedownLabels=\"0\" limitNumLabels=\"0\" "
                  "displayAll=\"1\" labelPerPart=\"0\" mergeLines=\"0\" fontLimitPixelSize=\"0\"/>\n"
                  "    </settings>\n  </labeling>\n");
}

/* Homes given as points: a SimpleMarker (circle) per tier with the thin
 * grey outline, and the target list's dark blue ring as a second, larger,
 * unfilled marker enabled by "on_list" = 1, as the fill's outline is. */
static const char *const marker_keys[] = {"angle", "color", "horizontal_anchor_point", "joinstyle", "name",
                                          "offset", "offset_map_unit_scale", "offset_unit", "outline_color",
                                          "outline_style", "outline_width", "outline_width_map_unit_scale",
                                          "outline_width_unit", "scale_method", "size", "size_map_unit_scale",
                                          "size_unit", "vertical_anchor_point"};
#define MARKER_KEYS (sizeof marker_keys / sizeof marker_keys[0])

static void marker_layer(fr_strbuf *b, int pass, const char *color, const char *outline, const char *width,
                         const char *size)
{
    const char *values[MARKER_KEYS] = {"0", color, "1", "bevel", "circle", "0,0", "3x:0,0,0,0,0,0", "MM",
                                       outline, "solid", width, "3x:0,0,0,0,0,0", "MM", "diameter", size,
                                       "3x:0,0,0,0,0,0", "MM", "1"};
    symbol_layer_props(b, pass, "SimpleMarker", marker_keys, MARKER_KEYS, values);
}

static void marker_symbol(fr_strbuf *b, int index, const char *color)
{
    fr_sb_printf(b, "      <symbol alpha=\"1\" name=\"%d\" type=\"marker\" clip_to_extent=\"1\" force_rhr=\"0\">\n",
                 index);
    marker_layer(b, 0, color, OUTLINE_COLOR, OUTLINE_WIDTH, MARKER_SIZE);
    fr_sb_puts(b, "        </layer>\n");
    marker_layer(b, 1, "0,0,0,0", TARGET_COLOR, TARGET_WIDTH, TARGET_MARKER_SIZE);
    fr_sb_puts(b, TARGET_ENABLED "        </layer>\n      </symbol>\n");
}

void fr_style_fill_symbol(fr_strbuf *b, int index, const char *color)
{
    const char *values[] = {"3x:0,0,0,0,0,0", color, "bevel", "0,0", "3x:0,0,0,0,0,0", "MM",
                            OUTLINE_COLOR, "solid", OUTLINE_WIDTH, "MM", "solid"};
    fr_sb_printf(b, "      <symbol alpha=\"1\" name=\"%d\" type=\"fill\" clip_to_extent=\"1\" force_rhr=\"0\">\n",
                 index);
    fill_layer_props(b, 0, values);
    fr_sb_puts(b, "        </layer>\n");
    target_outline(b);
    fr_sb_puts(b, "      </symbol>\n");
}

fr_status fr_style_qml(const fr_style_options *o, char **out, fr_error *err)
{
    *out = NULL;
    fr_strbuf b = {0};
    double hi = o->tier_high * 100, med = (o->tier_medium - o->tier_high) * 100;
    char labels[3][96];
    snprintf(labels[0], sizeof labels[0], "high (top %.4g%% of parcels)", hi);
    snprintf(labels[1], sizeof labels[1], "medium (next %.4g%%)", med);
    snprintf(labels[2], sizeof labels[2], "low (the rest)");

    fr_sb_puts(&b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                   "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling|MapTips\" labelsEnabled=\"1\">\n");
    fr_sb_puts(&b, "  <renderer-v2 attr=\"" FR_STYLE_FIELD "\" type=\"categorizedSymbol\" referencescale=\"-1\" "
                   "symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\">\n    <categories>\n");
    for (int k = 0; k < 3; k++) {
        fr_sb_printf(&b, "      <category render=\"true\" value=\"%s\" symbol=\"%d\" label=\"", tiers[k].value, k);
        fr_sb_xml(&b, labels[k]);
        fr_sb_puts(&b, "\"/>\n");
    }
    fr_sb_puts(&b, "    </categories>\n    <symbols>\n");
    for (int k = 0; k < 3; k++) {
        if (o->points)
            marker_symbol(&b, k, tiers[k].color);
        else
            fr_style_fill_symbol(&b, k, tiers[k].color);
    }
    fr_sb_puts(&b, "    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n");
    list_rank_labels(&b, o->points);
    /* Identify results and map tips name the parcel the way an inspector
     * would: its rank, id and address. */
    fr_strbuf tip = {0};
    fr_sb_puts(&tip, "<b>#[% \"rank\" %] [% \"parcel_id\" %]</b>");
    if (o->has_address)
        fr_sb_puts(&tip, "<br>[% \"address\" %]");
    fr_sb_puts(&tip, "<br>[% \"tier\" %], score [% format_number(\"score\", 3) %]"
                     "<br>[% \"reason_1\" %]");
    fr_sb_puts(&b, "  <mapTip>");
    fr_sb_xml(&b, tip.s);
    fr_sb_puts(&b, "</mapTip>\n  <previewExpression>");
    fr_sb_xml(&b, o->has_address ? "concat('#', \"rank\", ' ', \"address\")" : "concat('#', \"rank\", ' ', \"parcel_id\")");
    fr_sb_printf(&b, "</previewExpression>\n  <layerGeometryType>%d</layerGeometryType>\n</qgis>\n",
                 o->points ? 0 : 2); /* QGIS' geometry types: 0 point, 2 polygon */
    int tip_oom = tip.oom;
    fr_sb_free(&tip);
    if (tip_oom)
        b.oom = 1;
    *out = fr_sb_take(&b);
    return *out ? FR_OK : fr_error_oom_while(err, "building the QGIS style");
}

fr_status fr_style_write_qml(const fr_style_options *o, const char *path, fr_error *err)
{
    char *qml;
    fr_status st = fr_style_qml(o, &qml, err);
    if (st != FR_OK)
        return st;
    st = fr_write_text_file(path, qml, err);
    free(qml);
    return st;
}
