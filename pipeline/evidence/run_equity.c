/*
 * run_equity.c — the equity of the target list in a run (see run_equity.h):
 * glue between the run's arrays and models/evidence (allocate.c,
 * equity.c), the CSV and GeoPackage writers, and the report section.
 */
#include "run_equity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocate.h"
#include "equity.h"
#include "strbuf.h"
#include "style_qml.h"
#include "write.h"
#include "write_gpkg.h"

#define VISIT_YEAR_DAYS 365
#define REPORT_AREA_ROWS 30

fr_status run_equity_target_rows(run_ctx *ctx, size_t **rows, size_t *nrows, fr_error *err)
{
    size_t n = ctx->parcels->count, max = (size_t)ctx->cfg.output.target_list_size;
    *nrows = 0;
    *rows = malloc(((max < n ? max : n) + 1) * sizeof **rows);
    if (!*rows)
        return fr_error_oom_while(err, "selecting the target list");
    if (!ctx->bg_of || !ctx->bgs)
        return fr_error_set(err, FR_E_INTERNAL, "targets.allocation: proportional without block groups joined");
    return model_allocate_proportional(ctx->order, n, max, ctx->points.score, ctx->bg_of, ctx->bgs->count,
                                       ctx->visit.held_back, *rows, nrows, NULL, err);
}

/* Visits (inspections and layers.visits records) of each parcel dated in
 * the year before as_of. */
static double *visits_last_year(const run_ctx *ctx)
{
    size_t n = ctx->parcels->count;
    double *v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return NULL;
    const geo_layer *layers[2] = {ctx->insp, ctx->visits};
    const geo_match *match[2] = {ctx->insp_match, ctx->visit_match};
    for (int k = 0; k < 2; k++) {
        const geo_layer *l = layers[k];
        if (!l)
            continue;
        const int32_t *date = l->cols[geo_layer_find_column(l, "date")].date;
        for (size_t j = 0; j < l->count; j++)
            if (match[k][j].parcel >= 0 && date[j] < ctx->as_of && date[j] >= ctx->as_of - VISIT_YEAR_DAYS)
                v[match[k][j].parcel] += 1;
    }
    return v;
}

/* One area layer's rows: its name, the label of each area, the parcels'
 * area, and the demographic columns it carries (block groups only). */
typedef struct {
    const char *name;
    const geo_layer *layer;
    const int32_t *area_of;
    int label_col;
    model_equity eq;
} area_layer;

static const char *const demographic[] = {"poverty_rate", "pct_renter", "median_income"};
#define NDEMO 3

typedef struct {
    size_t nrows;
    const char **layer, **area, **flag;
    double *homes, *risk, *risk_share, *targets, *targets_share, *ratio, *fires, *fires_share, *visits;
    double *demo[NDEMO];
    int has_fires, has_visits, has_demo[NDEMO];
    char *label_buf; /* labels of areas without one ("1", "2"...) */
} equity_rows;

static void rows_free(equity_rows *r)
{
    free(r->layer);
    free(r->area);
    free(r->flag);
    double *a[] = {r->homes, r->risk, r->risk_share, r->targets, r->targets_share, r->ratio, r->fires,
                   r->fires_share, r->visits, r->demo[0], r->demo[1], r->demo[2]};
    for (size_t k = 0; k < sizeof a / sizeof a[0]; k++)
        free(a[k]);
    free(r->label_buf);
}

#define LABEL_W 24

static fr_status build_rows(const area_layer *L, size_t nl, const geo_layer *bgs, equity_rows *r, fr_error *err)
{
    size_t m = 0;
    for (size_t k = 0; k < nl; k++)
        m += L[k].eq.nareas + (L[k].eq.homes[L[k].eq.nareas] > 0);
    r->nrows = m;
    size_t mm = m ? m : 1;
    r->layer = calloc(mm, sizeof *r->layer);
    r->area = calloc(mm, sizeof *r->area);
    r->flag = calloc(mm, sizeof *r->flag);
    r->label_buf = calloc(mm, LABEL_W);
    double **num[] = {&r->homes, &r->risk, &r->risk_share, &r->targets, &r->targets_share, &r->ratio, &r->fires,
                      &r->fires_share, &r->visits, &r->demo[0], &r->demo[1], &r->demo[2]};
    int oom = !r->layer || !r->area || !r->flag || !r->label_buf;
    for (size_t k = 0; k < sizeof num / sizeof num[0]; k++)
        oom |= !(*num[k] = malloc(mm * sizeof **num[k]));
    if (oom)
        return fr_error_oom_while(err, "building equity.csv");
    int demo_col[NDEMO];
    for (int d = 0; d < NDEMO; d++) {
        demo_col[d] = bgs ? geo_layer_find_column(bgs, demographic[d]) : -1;
        if (demo_col[d] >= 0 && bgs->cols[demo_col[d]].type != GEO_COL_NUMBER)
            demo_col[d] = -1;
        r->has_demo[d] = demo_col[d] >= 0;
    }
    size_t row = 0;
    for (size_t k = 0; k < nl; k++) {
        const model_equity *e = &L[k].eq;
        for (size_t a = 0; a <= e->nareas; a++) {
            if (a == e->nareas && !(e->homes[a] > 0))
                continue;
            r->layer[row] = L[k].name;
            char *lb = r->label_buf + row * LABEL_W;
            if (a == e->nareas)
                r->area[row] = "(none)";
            else if (L[k].label_col >= 0 && L[k].layer->cols[L[k].label_col].str[a])
                r->area[row] = L[k].layer->cols[L[k].label_col].str[a];
            else {
                snprintf(lb, LABEL_W, "%zu", a + 1);
                r->area[row] = lb;
            }
            r->homes[row] = e->homes[a];
            r->risk[row] = e->risk[a];
            r->risk_share[row] = e->risk_share[a];
            r->targets[row] = e->targets[a];
            r->targets_share[row] = e->targets_share[a];
            r->ratio[row] = e->targets_to_risk[a];
            r->flag[row] = e->flag[a] ? model_equity_flag_name(e->flag[a]) : NULL;
            r->fires[row] = e->fires[a];
            r->fires_share[row] = e->fires_share[a];
            r->visits[row] = e->visits[a];
            for (int d = 0; d < NDEMO; d++)
                r->demo[d][row] = L[k].layer == bgs && demo_col[d] >= 0 && a < e->nareas
                                      ? bgs->cols[demo_col[d]].num[a] : NAN;
            row++;
        }
    }
    return FR_OK;
}

/* The columns of equity.csv and of the GeoPackage layer (values indexed by
 * row); `with_layer` adds the layer name and the area (the CSV). */
static size_t equity_fields(const equity_rows *r, int with_layer, geo_out_field *f)
{
    size_t k = 0;
#define STR(nm, v) f[k++] = (geo_out_field){.name = nm, .short_name = nm, .type = GEO_COL_STRING, .str = v}
#define NUM(nm, v, integer)                                                                                          \
    f[k++] = (geo_out_field){.name = nm, .short_name = nm, .type = GEO_COL_NUMBER, .num = v, .is_integer = integer}
    if (with_layer)
        STR("layer", r->layer);
    STR("area", r->area);
    NUM("homes", r->homes, 1);
    NUM("risk", r->risk, 0);
    NUM("risk_share", r->risk_share, 0);
    NUM("targets", r->targets, 1);
    NUM("targets_share", r->targets_share, 0);
    NUM(FR_EQUITY_STYLE_FIELD, r->ratio, 0);
    STR("flag", r->flag);
    if (r->has_fires) {
        NUM("fires_5y", r->fires, 1);
        NUM("fires_share", r->fires_share, 0);
    }
    if (r->has_visits)
        NUM("visits_past_year", r->visits, 1);
    for (int d = 0; d < NDEMO; d++)
        if (r->has_demo[d])
            NUM(demographic[d], r->demo[d], 0);
#undef STR
#undef NUM
    return k;
}

/* ---- the QGIS style ---------------------------------------------------- */

typedef struct {
    double lo, hi;
    const char *color, *label;
} ratio_class;

static void ratio_classes(double ratio, ratio_class c[4], char labels[4][96])
{
    snprintf(labels[0], 96, "under: below 1/%g of its risk share", ratio);
    snprintf(labels[1], 96, "somewhat under (1/%g to 1)", ratio);
    snprintf(labels[2], 96, "about its share (1 to %g)", ratio);
    snprintf(labels[3], 96, "over: above %g times its risk share", ratio);
    c[0] = (ratio_class){0, 1.0 / ratio, "44,123,182,255", labels[0]};
    c[1] = (ratio_class){1.0 / ratio, 1.0, "171,217,233,255", labels[1]};
    c[2] = (ratio_class){1.0, ratio, "255,255,191,255", labels[2]};
    c[3] = (ratio_class){ratio, 1e9, "215,25,28,255", labels[3]};
}

fr_status run_equity_style_qml(double ratio, char **out, fr_error *err)
{
    ratio_class c[4];
    char labels[4][96];
    ratio_classes(ratio, c, labels);
    fr_strbuf b = {0};
    fr_sb_puts(&b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                   "<qgis version=\"3.22.0\" styleCategories=\"Symbology|MapTips\">\n"
                   "  <renderer-v2 attr=\"" FR_EQUITY_STYLE_FIELD "\" type=\"graduatedSymbol\" "
                   "graduatedMethod=\"GraduatedColor\" referencescale=\"-1\" symbollevels=\"0\" forceraster=\"0\" "
                   "enableorderby=\"0\">\n    <ranges>\n");
    for (int k = 0; k < 4; k++) {
        fr_sb_printf(&b, "      <range render=\"true\" lower=\"%.6f\" upper=\"%.6f\" symbol=\"%d\" label=\"", c[k].lo,
                     c[k].hi, k);
        fr_sb_xml(&b, c[k].label);
        fr_sb_puts(&b, "\"/>\n");
    }
    fr_sb_puts(&b, "    </ranges>\n    <symbols>\n");
    for (int k = 0; k < 4; k++)
        fr_style_fill_symbol(&b, k, c[k].color);
    fr_sb_puts(&b, "    </symbols>\n    <mode name=\"manual\"/>\n    <rotation/>\n    <sizescale/>\n"
                   "  </renderer-v2>\n  <mapTip>");
    fr_sb_xml(&b, "<b>[% \"area\" %]</b><br>[% \"homes\" %] homes, [% \"targets\" %] targets"
                  "<br>targets share / risk share [% format_number(\"" FR_EQUITY_STYLE_FIELD "\", 2) %] "
                  "[% \"flag\" %]");
    fr_sb_puts(&b, "</mapTip>\n  <layerGeometryType>2</layerGeometryType>\n</qgis>\n");
    *out = fr_sb_take(&b);
    return *out ? FR_OK : fr_error_oom_while(err, "building the equity style");
}

/* ---- the report section ------------------------------------------------ */

/* The block groups drawn as a choropleth of targets ÷ risk (inline SVG). */
static void svg_choropleth(fr_strbuf *b, const geo_layer *g, const double *ratio, double R)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t p = 0; p < g->npts; p++) {
        x0 = fmin(x0, g->px[p]);
        x1 = fmax(x1, g->px[p]);
        y0 = fmin(y0, g->py[p]);
        y1 = fmax(y1, g->py[p]);
    }
    if (!(x1 > x0) || !(y1 > y0))
        return;
    double W = 640, s = W / (x1 - x0), H = (y1 - y0) * s;
    if (H > 640) {
        s = 640 / (y1 - y0);
        H = 640;
        W = (x1 - x0) * s;
    }
    ratio_class c[4];
    char labels[4][96];
    ratio_classes(R, c, labels);
    fr_sb_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                    "role=\"img\" aria-label=\"block groups by share of targets over share of risk\">\n",
                 W, H, W, H);
    for (size_t a = 0; a < g->count; a++) {
        char col[8];
        const char *fill = "#cccccc";
        for (int k = 0; k < 4 && !isnan(ratio[a]); k++)
            if (ratio[a] >= c[k].lo && (ratio[a] < c[k].hi || k == 3)) {
                int rr, gg, bb;
                if (sscanf(c[k].color, "%d,%d,%d", &rr, &gg, &bb) == 3) {
                    snprintf(col, sizeof col, "#%02x%02x%02x", rr & 255, gg & 255, bb & 255);
                    fill = col;
                }
                break;
            }
        fr_sb_printf(b, "<path fill=\"%s\" stroke=\"#6e6e6e\" stroke-width=\"0.5\" fill-rule=\"evenodd\" d=\"", fill);
        for (size_t r = g->ring_start[a]; r < g->ring_start[a + 1]; r++)
            for (size_t p = g->pt_start[r]; p < g->pt_start[r + 1]; p++)
                fr_sb_printf(b, "%s%.1f %.1f", p == g->pt_start[r] ? "M" : "L", (g->px[p] - x0) * s,
                             (y1 - g->py[p]) * s);
        fr_sb_puts(b, "Z\"/>\n");
    }
    fr_sb_puts(b, "</svg>\n<p class=\"legend\">");
    for (int k = 0; k < 4; k++) {
        int rr = 0, gg = 0, bb = 0;
        if (sscanf(c[k].color, "%d,%d,%d", &rr, &gg, &bb) != 3)
            continue;
        fr_sb_printf(b, "<span style=\"background:#%02x%02x%02x\">&#160;&#160;&#160;</span> ", rr & 255, gg & 255,
                     bb & 255);
        fr_sb_xml(b, c[k].label);
        fr_sb_puts(b, " &#160; ");
    }
    fr_sb_puts(b, "<span style=\"background:#cccccc\">&#160;&#160;&#160;</span> no risk</p>\n");
}

/* A number cell: `decimals` decimals, times 100 and a % sign when percent. */
static void cell_num(fr_strbuf *b, double v, int decimals, int percent)
{
    if (isnan(v))
        fr_sb_puts(b, "<td></td>");
    else
        fr_sb_printf(b, "<td class=\"num\">%.*f%s</td>", decimals, percent ? 100 * v : v, percent ? "%" : "");
}

static char *section_html(const run_ctx *ctx, const equity_rows *r, const area_layer *bg_layer)
{
    fr_strbuf b = {0};
    double R = ctx->cfg.targets.equity_ratio;
    size_t flagged = 0;
    for (size_t k = 0; k < r->nrows; k++)
        flagged += r->flag[k] != NULL;
    fr_sb_puts(&b, "<h2>Equity of the list</h2>\n<p>Per area: its homes, its share of the predicted risk (the sum "
                   "of its homes' scores), its share of the target list");
    if (r->has_fires)
        fr_sb_puts(&b, ", its share of the fires of the past 5 years");
    if (r->has_visits)
        fr_sb_puts(&b, ", the visits of the past year");
    fr_sb_printf(&b, ". Allocation: <b>%s</b>", ctx->cfg.targets.allocation);
    fr_sb_printf(&b, ". An area is flagged <b>over</b> when its share of the targets is more than %g times its "
                     "share of the risk, <b>under</b> when less than 1/%g of it: %zu of %zu rows flagged. Every row is "
                     "in <code>equity.csv</code>",
                 R, R, flagged, r->nrows);
    if (bg_layer)
        fr_sb_puts(&b, "; the block groups, coloured the same way, in <code>equity.gpkg</code> (QGIS opens it styled)");
    fr_sb_puts(&b, ".</p>\n");
    if (bg_layer)
        svg_choropleth(&b, bg_layer->layer, r->ratio, R);
    fr_sb_puts(&b, "<div class=\"wide\"><table>\n<tr><th>layer</th><th>area</th><th>homes</th><th>risk share</th>"
                   "<th>targets</th><th>targets share</th><th>targets / risk</th><th>flag</th>");
    if (r->has_fires)
        fr_sb_puts(&b, "<th>fires share</th>");
    if (r->has_visits)
        fr_sb_puts(&b, "<th>visits past year</th>");
    for (int d = 0; d < NDEMO; d++)
        if (r->has_demo[d])
            fr_sb_printf(&b, "<th>%s</th>", demographic[d]);
    fr_sb_puts(&b, "</tr>\n");
    /* the flagged rows first, then the others, up to REPORT_AREA_ROWS */
    size_t shown = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < r->nrows && shown < REPORT_AREA_ROWS; k++) {
            if ((pass == 0) != (r->flag[k] != NULL))
                continue;
            shown++;
            fr_sb_puts(&b, "<tr><td>");
            fr_sb_xml(&b, r->layer[k]);
            fr_sb_puts(&b, "</td><td>");
            fr_sb_xml(&b, r->area[k]);
            fr_sb_puts(&b, "</td>");
            cell_num(&b, r->homes[k], 0, 0);
            cell_num(&b, r->risk_share[k], 1, 1);
            cell_num(&b, r->targets[k], 0, 0);
            cell_num(&b, r->targets_share[k], 1, 1);
            cell_num(&b, r->ratio[k], 2, 0);
            fr_sb_printf(&b, "<td>%s</td>", r->flag[k] ? r->flag[k] : "");
            if (r->has_fires)
                cell_num(&b, r->fires_share[k], 1, 1);
            if (r->has_visits)
                cell_num(&b, r->visits[k], 0, 0);
            for (int d = 0; d < NDEMO; d++)
                if (r->has_demo[d])
                    cell_num(&b, r->demo[d][k], d == 2 ? 0 : 3, 0);
            fr_sb_puts(&b, "</tr>\n");
        }
    fr_sb_puts(&b, "</table></div>\n");
    if (shown < r->nrows)
        fr_sb_printf(&b, "<p>%zu more rows in <code>equity.csv</code>.</p>\n", r->nrows - shown);
    return fr_sb_take(&b);
}

/* ---- the files ----------------------------------------------------------- */

static fr_status write_gpkg(const run_ctx *ctx, const equity_rows *r, const char *dir, fr_error *err)
{
    geo_out_field f[24];
    size_t nf = equity_fields(r, 0, f);
    size_t nbg = ctx->bgs->count;
    size_t *order = malloc((nbg ? nbg : 1) * sizeof *order);
    char *qml = NULL;
    if (!order)
        return fr_error_oom_while(err, "writing equity.gpkg");
    for (size_t a = 0; a < nbg; a++)
        order[a] = a; /* the block groups are the first rows */
    fr_status st = run_equity_style_qml(ctx->cfg.targets.equity_ratio, &qml, err);
    char stamp[32], path[4200];
    snprintf(stamp, sizeof stamp, "%sT00:00:00.000Z", ctx->sum->as_of);
    snprintf(path, sizeof path, "%s/equity.gpkg", dir);
    geo_out_table t = {.parcels = ctx->bgs, .order = order, .nrows = nbg, .fields = f, .nfields = nf,
                       .layer_name = "equity_block_groups", .buffered_io = !ctx->cfg.output.direct_io};
    geo_gpkg_meta meta[] = {{"as_of", ctx->sum->as_of}, {"allocation", ctx->cfg.targets.allocation}};
    geo_gpkg_spec spec = {.ranked = &t,
                          .ranked_description = "firerisk: block groups by share of targets over share of risk",
                          .spatial_index = 1,
                          .meta = meta,
                          .nmeta = 2,
                          .style_qml = qml,
                          .style_name = "firerisk equity",
                          .style_description = "firerisk: targets share / risk share (under, about, over)",
                          .timestamp = stamp};
    if (st == FR_OK) /* output.writer: gdal takes GDAL's GPKG driver (the reference) */
        st = (strcmp(ctx->cfg.output.writer, "gdal") ? geo_write_gpkg : geo_write_gpkg_gdal)(&spec, path, err);
    free(qml);
    free(order);
    return st;
}

fr_status run_equity_write(run_ctx *ctx, const char *dir, char **html, fr_error *err)
{
    *html = NULL;
    size_t nz = ctx->cfg.layers.nzones, nl = 0, n = ctx->parcels->count;
    if (!ctx->bgs && !nz)
        return FR_OK;
    area_layer *L = calloc(nz + 1, sizeof *L);
    double *visits = visits_last_year(ctx);
    if (!L || !visits) {
        free(L);
        free(visits);
        return fr_error_oom_while(err, "computing the equity table");
    }
    if (ctx->bgs)
        L[nl++] = (area_layer){"block_groups", ctx->bgs, ctx->bg_of, geo_layer_find_column(ctx->bgs, "geoid"), {0}};
    for (size_t z = 0; z < nz; z++)
        L[nl++] = (area_layer){ctx->cfg.layers.zones[z].role, ctx->zones[z], ctx->zone_of[z], 0, {0}};
    int fc = model_features_find(&ctx->feats, "fires_parcel_5y");
    const double *fires = fc >= 0 ? ctx->feats.values + (size_t)fc * n : NULL;
    int has_visits = ctx->insp || ctx->visits;
    fr_status st = FR_OK;
    for (size_t k = 0; k < nl && st == FR_OK; k++)
        st = model_equity_compute(L[k].area_of, n, L[k].layer->count, ctx->points.score, ctx->list_rank, fires,
                                  has_visits ? visits : NULL, ctx->cfg.targets.equity_ratio, &L[k].eq, err);
    equity_rows r = {0};
    r.has_fires = fires != NULL;
    r.has_visits = has_visits;
    if (st == FR_OK)
        st = build_rows(L, nl, ctx->bgs, &r, err);
    if (st == FR_OK) {
        geo_out_field f[24];
        size_t nf = equity_fields(&r, 1, f);
        size_t *order = malloc((r.nrows ? r.nrows : 1) * sizeof *order);
        if (!order)
            st = fr_error_oom_while(err, "writing equity.csv");
        for (size_t k = 0; order && k < r.nrows; k++)
            order[k] = k;
        char path[4200];
        snprintf(path, sizeof path, "%s/equity.csv", dir);
        /* the writers take their rows' ids from a layer: a table of its own */
        geo_layer *rows = geo_layer_new("equity", path, NULL, GEO_GEOM_NONE);
        if (st == FR_OK && !rows)
            st = fr_error_oom_while(err, "writing equity.csv");
        for (size_t k = 0; k < r.nrows && st == FR_OK; k++)
            st = geo_layer_add_feature(rows, (int64_t)k + 1, NULL, err);
        geo_out_table t = {.parcels = rows, .order = order, .nrows = r.nrows, .fields = f, .nfields = nf,
                           .layer_name = "equity"};
        if (st == FR_OK)
            st = geo_write_csv(&t, path, err);
        geo_layer_free(rows);
        free(order);
    }
    if (st == FR_OK && ctx->bgs)
        st = write_gpkg(ctx, &r, dir, err);
    if (st == FR_OK && !(*html = section_html(ctx, &r, ctx->bgs ? &L[0] : NULL)))
        st = fr_error_oom_while(err, "building the equity section");
    rows_free(&r);
    for (size_t k = 0; k < nl; k++)
        model_equity_free(&L[k].eq);
    free(L);
    free(visits);
    return st;
}
