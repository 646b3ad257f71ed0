/*
 * report_html.c — the HTML run report (see report.h).
 *
 * Hand-written HTML through a string buffer: a template engine would be a
 * dependency for one page, and every value that comes from data (addresses,
 * file names, reasons, JSON keys) goes through fr_sb_xml so that nothing in
 * the inputs can break the page.  No script at all: the page has nothing
 * to compute, and a report without JavaScript cannot raise a console error
 * in any browser (tests/e2e/html_report.sh opens it in headless Chromium).
 * The backtest section is report_backtest.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "report.h"

static const char *const stage_names[FR_STAGE_COUNT] = {"read", "join", "features", "score", "write"};

static const char *const css =
    "body{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1d1d1f;"
    "background:#fff;line-height:1.4}"
    "main{max-width:1120px;margin:0 auto;padding:12px 24px 48px}"
    "h1{font-size:1.6em;margin:.6em 0 .1em}h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:2px solid #c0392b;"
    "padding-bottom:.15em}"
    ".sub{color:#555;margin:0 0 1em}.note{color:#555;font-style:italic}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:1em 0}"
    ".card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px}"
    ".card b{display:block;font-size:1.5em}.card span{color:#555;font-size:.85em}"
    "table{border-collapse:collapse;font-size:.88em;margin:.4em 0 1em}"
    "th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tr:nth-child(even) td{background:#fafafa}"
    ".wide{overflow-x:auto}"
    "svg.map{width:100%;max-width:760px;border:1px solid #ccc}svg.chart{width:100%;max-width:520px}"
    ".legend span{display:inline-block;margin-right:14px;font-size:.85em}"
    ".sw{display:inline-block;width:11px;height:11px;border-radius:50%;border:1px solid #333;"
    "vertical-align:middle;margin-right:4px}"
    ".tier-high{color:#b0171a;font-weight:bold}.tier-medium{color:#b35c00}"
    ".bar{background:#c0392b;height:12px;display:inline-block;vertical-align:middle}"
    "@media print{h2{break-after:avoid}table{break-inside:auto}}";

/* 1234567 -> "1,234,567" */
static void put_count(fr_strbuf *b, size_t v)
{
    char digits[32], out[48];
    int n = snprintf(digits, sizeof digits, "%zu", v), o = 0;
    for (int k = 0; k < n; k++) {
        if (k && (n - k) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[k];
    }
    out[o] = '\0';
    fr_sb_puts(b, out);
}

static void td_count(fr_strbuf *b, size_t v)
{
    fr_sb_puts(b, "<td class=\"n\">");
    put_count(b, v);
    fr_sb_puts(b, "</td>");
}

static void td_count_pct(fr_strbuf *b, size_t v, size_t of)
{
    fr_sb_puts(b, "<td class=\"n\">");
    put_count(b, v);
    if (of)
        fr_sb_printf(b, " <small>(%.1f%%)</small>", 100.0 * (double)v / (double)of);
    fr_sb_puts(b, "</td>");
}

static void td_text(fr_strbuf *b, const char *s)
{
    fr_sb_puts(b, "<td>");
    fr_sb_xml(b, s);
    fr_sb_puts(b, "</td>");
}

static void card(fr_strbuf *b, const char *value, const char *label)
{
    fr_sb_puts(b, "<div class=\"card\"><b>");
    fr_sb_xml(b, value);
    fr_sb_puts(b, "</b><span>");
    fr_sb_xml(b, label);
    fr_sb_puts(b, "</span></div>\n");
}

static void card_count(fr_strbuf *b, size_t v, const char *label)
{
    fr_strbuf t = {0};
    put_count(&t, v);
    card(b, t.s ? t.s : "", label);
    if (t.oom)
        b->oom = 1;
    fr_sb_free(&t);
}

static const char *tier_class(const char *tier)
{
    if (tier && !strcmp(tier, "high"))
        return "tier-high";
    if (tier && !strcmp(tier, "medium"))
        return "tier-medium";
    return "";
}

/* ---- header and at a glance ------------------------------------------- */

/* The quality checks (docs/OPERATIONS.md): each failed or notable one with
 * its figures, and whether the run was held or published with --accept. */
static void section_checks(fr_strbuf *b, const fr_check_results *c)
{
    if (!c->enabled || (!c->nfailed && !c->nnotable))
        return;
    fr_sb_puts(b, "<h2>Quality checks</h2>\n<p>");
    if (c->nfailed)
        fr_sb_puts(b, c->accepted ? "<b>Failed checks: published anyway with --accept.</b>"
                                  : "<b>Failed checks: this run is held, its outputs were not published.</b>");
    else
        fr_sb_puts(b, "Every check passed; some came close.");
    fr_sb_puts(b, "</p>\n<ul>\n");
    for (size_t i = 0; i < c->nfailed + c->nnotable; i++) {
        const fr_check_note *n = i < c->nfailed ? &c->failed[i] : &c->notable[i - c->nfailed];
        fr_sb_puts(b, i < c->nfailed ? "<li><b>failed</b> <code>" : "<li>notable <code>");
        fr_sb_xml(b, n->name);
        fr_sb_puts(b, "</code>: ");
        fr_sb_xml(b, n->text);
        fr_sb_puts(b, "</li>\n");
    }
    fr_sb_puts(b, "</ul>\n");
}

static void section_header(fr_strbuf *b, const fr_report_input *in)
{
    const fr_run_summary *s = in->sum;
    fr_sb_puts(b, "<h1>Fire risk run report</h1>\n<p class=\"sub\">As of <b>");
    fr_sb_xml(b, s->as_of);
    fr_sb_puts(b, "</b> &middot; working CRS ");
    fr_sb_xml(b, s->working_crs);
    fr_sb_puts(b, " &middot; model ");
    fr_sb_xml(b, s->model[0] ? s->model : in->cfg ? in->cfg->score.model : "points");
    fr_sb_puts(b, " &middot; firerisk " FIRERISK_VERSION);
    if (in->cfg && in->cfg->path) {
        fr_sb_puts(b, " &middot; config <code>");
        fr_sb_xml(b, in->cfg->path);
        fr_sb_puts(b, "</code>");
    }
    fr_sb_puts(b, "</p>\n<div class=\"cards\">\n");
    card_count(b, in->nparcels, "parcels ranked");
    card_count(b, in->targets ? in->targets->nrows : 0, "on the target list");
    card_count(b, in->tier_count[0], "high tier");
    card_count(b, in->tier_count[1], "medium tier");
    if (in->changes && in->changes->had_previous) {
        card_count(b, in->changes->entered, "new on the list");
        card_count(b, in->changes->left, "left the list");
    }
    if (s->visit_rule)
        card_count(b, s->held_back, "held back: visited recently");
    card_count(b, s->total_rejects, "input records rejected");
    fr_sb_puts(b, "</div>\n");
    if (s->visit_rule) {
        fr_sb_printf(b, "<p class=\"note\">Revisit rule: a home visited (inspected, or a record of the visits "
                        "layer) within %d days before the run's date, or within %d days after a failed visit, is "
                        "left off the target list and keeps its rank in the map layers; ",
                     s->revisit_after_days, s->failed_revisit_days);
        put_count(b, s->held_back);
        fr_sb_puts(b, " homes are held back (");
        put_count(b, s->held_back_failed);
        fr_sb_puts(b, " after a failed visit); the list passed over ");
        put_count(b, s->held_back_skipped);
        fr_sb_puts(b, " of them ranked above its last row.</p>\n");
    }
    section_checks(b, &s->checks);
}

/* ---- map --------------------------------------------------------------- */

static void section_map(fr_strbuf *b, const fr_report_input *in)
{
    fr_sb_puts(b, "<h2>Map of the target list</h2>\n<p class=\"legend\">"
                  "<span><i class=\"sw\" style=\"background:#d7191c\"></i>high tier</span>"
                  "<span><i class=\"sw\" style=\"background:#fdae61\"></i>medium tier</span>"
                  "<span><i class=\"sw\" style=\"background:#e8e3a0\"></i>low tier</span>"
                  "<span><i class=\"sw\" style=\"background:#b8b8b8;border-color:#b8b8b8\"></i>other parcels</span>");
    if (in->map.nstations)
        fr_sb_puts(b, "<span><i class=\"sw\" style=\"background:#1f4e9c;border-radius:0\"></i>fire station</span>");
    fr_sb_puts(b, "</p>\n");
    fr_report_svg_map(&in->map, b);
    size_t shown = in->map.ntargets < 2000 ? in->map.ntargets : 2000;
    fr_sb_puts(b, "<p class=\"note\">Large dots: the ");
    put_count(b, shown);
    fr_sb_puts(b, " parcels of the target list");
    if (shown < in->map.ntargets)
        fr_sb_puts(b, " shown (the first by rank)");
    fr_sb_puts(b, ", numbered 1-10 for the first ten; small grey dots: ");
    fr_sb_puts(b, in->map.n > 6000 ? "a regular sample of all parcels" : "all parcels");
    fr_sb_puts(b, ". Hover a dot for its rank and address.</p>\n");
}

/* ---- target list ------------------------------------------------------- */

static void put_value(fr_strbuf *b, const geo_out_field *f, size_t i)
{
    switch (f->type) {
    case GEO_COL_STRING:
        if (!strcmp(f->name, "tier") && f->str[i]) {
            fr_sb_printf(b, "<td class=\"%s\">", tier_class(f->str[i]));
            fr_sb_xml(b, f->str[i]);
            fr_sb_puts(b, "</td>");
        } else {
            td_text(b, f->str[i]);
        }
        return;
    case GEO_COL_NUMBER: {
        double v = f->num[i];
        fr_sb_puts(b, "<td class=\"n\">");
        if (isfinite(v)) {
            if (f->is_integer)
                fr_sb_printf(b, "%.0f", v);
            else if (!strcmp(f->name, "score"))
                fr_sb_printf(b, "%.3f", v);
            else
                fr_sb_printf(b, "%.4g", v);
        }
        fr_sb_puts(b, "</td>");
        return;
    }
    case GEO_COL_DATE: {
        char d[11] = "";
        if (f->date[i] != GEO_DATE_MISSING)
            fr_format_date(f->date[i], d);
        td_text(b, d);
        return;
    }
    }
}

static int hidden_target_field(const char *name)
{
    return !strcmp(name, "lon") || !strcmp(name, "lat");
}

static void section_targets(fr_strbuf *b, const fr_report_input *in)
{
    const geo_out_table *t = in->targets;
    fr_sb_puts(b, "<h2>Target list</h2>\n");
    if (!t || !t->nrows) {
        fr_sb_puts(b, "<p class=\"note\">The target list is empty.</p>\n");
        return;
    }
    size_t rows = t->nrows < in->top_rows ? t->nrows : in->top_rows;
    fr_sb_puts(b, "<p>The first ");
    put_count(b, rows);
    fr_sb_puts(b, " of ");
    put_count(b, t->nrows);
    fr_sb_puts(b, " rows of <code>targets.csv</code>");
    if (in->cfg && in->cfg->output.capacity_per_zone.zone) {
        fr_sb_puts(b, " (at most so many per <b>");
        fr_sb_xml(b, in->cfg->output.capacity_per_zone.zone);
        fr_sb_puts(b, "</b>: <code>output.capacity_per_zone</code>)");
    }
    fr_sb_puts(b, ".</p>\n<div class=\"wide\"><table>\n<tr>");
    for (size_t j = 0; j < t->nfields; j++)
        if (!hidden_target_field(t->fields[j].name)) {
            fr_sb_puts(b, "<th>");
            fr_sb_xml(b, t->fields[j].name);
            fr_sb_puts(b, "</th>");
        }
    fr_sb_puts(b, "</tr>\n");
    for (size_t k = 0; k < rows; k++) {
        fr_sb_puts(b, "<tr>");
        for (size_t j = 0; j < t->nfields; j++)
            if (!hidden_target_field(t->fields[j].name))
                put_value(b, &t->fields[j], t->order[k]);
        fr_sb_puts(b, "</tr>\n");
    }
    fr_sb_puts(b, "</table></div>\n");
}

/* Parcels, high tier, targets and held-back homes per zone label: whether
 * each battalion or district gets its share of the list. */
static void section_zones(fr_strbuf *b, const fr_report_input *in)
{
    if (!in->zone_name || !in->nzone_counts)
        return;
    fr_sb_puts(b, "<h2>Targets per ");
    fr_sb_xml(b, in->zone_name);
    fr_sb_puts(b, "</h2>\n<p>Each zone's own list is in <code>targets_by_zone.csv</code> (sorted by zone, "
                  "<code>zone_row</code> numbering the rows of each).</p>\n<div class=\"wide\"><table>\n<tr><th>");
    fr_sb_xml(b, in->zone_name);
    fr_sb_puts(b, "</th><th>parcels</th><th>high tier</th><th>targets</th><th>held back (visited)</th></tr>\n");
    for (size_t k = 0; k < in->nzone_counts; k++) {
        const fr_zone_count *c = &in->zone_counts[k];
        fr_sb_puts(b, "<tr>");
        td_text(b, c->label ? c->label : "(no zone)");
        td_count(b, c->parcels);
        td_count(b, c->high);
        td_count(b, c->targets);
        td_count(b, c->held_back);
        fr_sb_puts(b, "</tr>\n");
    }
    fr_sb_puts(b, "</table></div>\n");
}

/* ---- changes ----------------------------------------------------------- */

static void put_opt_rank(fr_strbuf *b, long r)
{
    fr_sb_puts(b, "<td class=\"n\">");
    if (r > 0)
        fr_sb_printf(b, "%ld", r);
    fr_sb_puts(b, "</td>");
}

static void put_opt_score(fr_strbuf *b, double v)
{
    fr_sb_puts(b, "<td class=\"n\">");
    if (isfinite(v))
        fr_sb_printf(b, "%.3f", v);
    fr_sb_puts(b, "</td>");
}

static void change_table(fr_strbuf *b, const fr_changes *c, int entered, size_t max_rows)
{
    size_t total = entered ? c->entered : c->left, shown = 0;
    if (!total)
        return;
    fr_sb_printf(b, "<h3>%s (", entered ? "Entered the list" : "Left the list");
    put_count(b, total);
    fr_sb_puts(b, ")</h3>\n<table>\n<tr><th>parcel_id</th><th>address</th><th>rank</th><th>previous rank</th>"
                  "<th>score</th><th>previous score</th><th>tier</th><th>why</th></tr>\n");
    for (size_t k = 0; k < c->count && shown < max_rows; k++) {
        const fr_change *x = &c->items[k];
        if (x->entered != entered)
            continue;
        shown++;
        fr_sb_puts(b, "<tr>");
        td_text(b, x->parcel_id);
        td_text(b, x->address);
        put_opt_rank(b, x->rank);
        put_opt_rank(b, x->previous_rank);
        put_opt_score(b, x->score);
        put_opt_score(b, x->previous_score);
        fr_sb_printf(b, "<td class=\"%s\">", tier_class(x->tier));
        fr_sb_xml(b, x->tier ? x->tier : (entered ? "" : "(no longer ranked)"));
        fr_sb_puts(b, "</td>");
        td_text(b, x->why);
        fr_sb_puts(b, "</tr>\n");
    }
    fr_sb_puts(b, "</table>\n");
    if (shown < total) {
        fr_sb_puts(b, "<p class=\"note\">");
        put_count(b, total - shown);
        fr_sb_puts(b, " more in <code>changes.csv</code>.</p>\n");
    }
}

static void section_changes(fr_strbuf *b, const fr_report_input *in)
{
    fr_sb_puts(b, "<h2>Changes since the last run</h2>\n");
    const fr_changes *c = in->changes;
    if (!c) {
        fr_sb_puts(b, "<p class=\"note\">Not computed.</p>\n");
        return;
    }
    if (!c->had_previous) {
        fr_sb_puts(b, "<p class=\"note\">");
        fr_sb_xml(b, c->note);
        fr_sb_puts(b, ".</p>\n");
        return;
    }
    fr_sb_puts(b, "<p>Compared with the previous run's target list (");
    put_count(b, c->previous_rows);
    fr_sb_puts(b, " rows) by parcel id: <b>");
    put_count(b, c->entered);
    fr_sb_puts(b, "</b> entered, <b>");
    put_count(b, c->left);
    fr_sb_puts(b, "</b> left, ");
    put_count(b, c->current_rows - c->entered);
    fr_sb_puts(b, " stayed. All of them are in <code>changes.csv</code>.</p>\n");
    change_table(b, c, 1, in->changes_rows);
    change_table(b, c, 0, in->changes_rows);
}

/* ---- inputs, match audit, rejects ------------------------------------- */

static const char *layer_source(const fr_config *cfg, const char *name)
{
    if (!cfg)
        return NULL;
    const cfg_layers *L = &cfg->layers;
    for (size_t k = 0; k < CFG_ROLE_LAYERS; k++) {
        const cfg_layer *l = cfg_role_layer(L, k);
        if (l->present && l->role && !strcmp(l->role, name))
            return l->source_label;
    }
    for (size_t z = 0; z < cfg->layers.nzones; z++)
        if (cfg->layers.zones[z].role && !strcmp(cfg->layers.zones[z].role, name))
            return cfg->layers.zones[z].source_label;
    return NULL;
}

static void section_inputs(fr_strbuf *b, const fr_report_input *in)
{
    const fr_run_summary *s = in->sum;
    fr_sb_puts(b, "<h2>Inputs and counts</h2>\n<div class=\"wide\"><table>\n<tr><th>layer</th><th>source</th>"
                  "<th>read</th><th>rejected</th><th>kept</th><th>used</th><th>notes</th></tr>\n");
    for (size_t k = 0; k < s->nlayers; k++) {
        const fr_layer_counts *c = &s->layers[k];
        if (!c->present)
            continue;
        fr_sb_puts(b, "<tr>");
        td_text(b, c->name);
        const char *src = layer_source(in->cfg, c->name);
        td_text(b, src ? src : "");
        td_count(b, c->read);
        td_count(b, c->rejected);
        td_count(b, c->kept);
        td_count(b, c->used);
        fr_sb_puts(b, "<td>");
        if (c->duplicates) {
            put_count(b, c->duplicates);
            fr_sb_puts(b, " duplicate ids rejected. ");
        }
        if (c->repaired) {
            put_count(b, c->repaired);
            fr_sb_puts(b, " invalid polygons repaired. ");
        }
        if (c->warnings) {
            put_count(b, c->warnings);
            fr_sb_puts(b, " unreadable values kept as missing.");
        }
        fr_sb_puts(b, "</td></tr>\n");
    }
    fr_sb_puts(b, "</table></div>\n");
    if (s->skipped_terms[0]) {
        fr_sb_puts(b, "<p class=\"note\">Score terms without data (left out): ");
        fr_sb_xml(b, s->skipped_terms);
        fr_sb_puts(b, "</p>\n");
    }
    if (s->implausible[0]) {
        fr_sb_puts(b, "<p class=\"note\"><b>Implausible values</b> for their kind (a wrong column or unit in a "
                      "source? kept as read):</p>\n<pre>");
        fr_sb_xml(b, s->implausible);
        fr_sb_puts(b, "</pre>\n");
    }
}

typedef struct {
    const char *layer, *reason;
    size_t count;
} reason_count;

#define MAX_REASONS 256

/* Distinct (layer, reason) pairs in first-seen order, with counts. */
static size_t count_reasons(const geo_rejects *r, reason_count *out)
{
    size_t n = 0;
    for (size_t i = 0; r && i < r->count; i++) {
        size_t k = 0;
        while (k < n && (strcmp(out[k].layer, r->items[i].layer) || strcmp(out[k].reason, r->items[i].reason)))
            k++;
        if (k == n) {
            if (n == MAX_REASONS)
                continue;
            out[n++] = (reason_count){r->items[i].layer, r->items[i].reason, 0};
        }
        out[k].count++;
    }
    return n;
}

static const char *reason_meaning(const char *reason)
{
    static const struct {
        const char *code, *text;
    } t[] = {
        {"no_parcel_id_or_point", "neither a parcel id, an address nor a location"},
        {"address_incomplete", "an address without a house number or a street"},
        {"unknown_street", "a street that no parcel address has"},
        {"no_house_number", "the street, but no parcel with that house number nearby"},
        {"ambiguous_address", "the address fits several parcels equally well"},
        {"ambiguous_parcel_id", "a parcel id that, written alike (zeros, case), is several parcels' ids"},
        {"unknown_parcel_id", "a parcel id that is not among the parcels, and no location"},
        {"beyond_tolerance", "no parcel within join.tolerance_m of the point"},
        {"no_geometry", "no geometry"},
        {"empty_geometry", "empty geometry"},
        {"invalid_geometry", "invalid geometry that could not be repaired"},
        {"wrong_geometry_type", "a geometry of the wrong type"},
        {"unparsable_coordinates", "coordinates that are not numbers"},
        {"invalid_coordinates", "NaN or infinite coordinates"},
        {"reprojection_failed", "coordinates that cannot be moved into the working CRS"},
        {"missing_value", "a required value is empty"},
        {"unknown_outcome", "a visit outcome in neither targets.done_outcomes nor targets.failed_outcomes"},
        {"unparsable_date", "a date that cannot be read"},
        {"missing_date", "no date"},
        {"duplicate_parcel_id", "a parcel id seen earlier in the source"},
        {"ragged_row", "a CSV row with more or fewer cells than the header"},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (!strcmp(t[k].code, reason))
            return t[k].text;
    return "";
}

static int is_unmatched_reason(const char *reason)
{
    static const char *const codes[] = {"no_parcel_id_or_point", "unknown_parcel_id", "beyond_tolerance",
                                        "address_incomplete", "unknown_street", "no_house_number",
                                        "ambiguous_address", "ambiguous_parcel_id"};
    for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++)
        if (!strcmp(reason, codes[k]))
            return 1;
    return 0;
}

/* One row of a reason table: layer, reason code, records, meaning. */
static void reason_row(fr_strbuf *b, const reason_count *rc)
{
    fr_sb_puts(b, "<tr>");
    td_text(b, rc->layer);
    fr_sb_puts(b, "<td><code>");
    fr_sb_xml(b, rc->reason);
    fr_sb_puts(b, "</code></td>");
    td_count(b, rc->count);
    td_text(b, reason_meaning(rc->reason));
    fr_sb_puts(b, "</tr>\n");
}

static void section_matches(fr_strbuf *b, const fr_report_input *in, const reason_count *rc, size_t nrc)
{
    const fr_run_summary *s = in->sum;
    fr_sb_puts(b, "<h2>Match audit</h2>\n<p>How each inspection and incident found its parcel, in order: "
                  "by parcel id, else its normalised address (house number and street, else the nearest house number "
                  "on the same side), else the parcel containing its point, else the nearest parcel within ");
    fr_sb_printf(b, "%g m", in->cfg ? in->cfg->join.tolerance_m : 0.0);
    if (s->homes_points_tolerance_m != 0) /* a point has no inside */
        fr_sb_puts(b, ". The homes are points (address points or building centroids): none contains a record, "
                      "so a record's point matches the nearest home within that distance");
    fr_sb_puts(b, ". Percentages are of the records kept after reading.</p>\n");
    int any = 0;
    for (size_t k = 0; k < s->nlayers; k++) {
        const fr_layer_counts *c = &s->layers[k];
        int points = !strcmp(c->name, "inspections") || !strcmp(c->name, "incidents") ||
                     c->by_id + c->by_id_normalised + c->by_address + c->by_address_near + c->by_contains + c->by_nearest + c->unmatched > 0;
        if (!c->present || !points)
            continue;
        if (!any)
            fr_sb_puts(b, "<table>\n<tr><th>layer</th><th>kept</th><th>by parcel id</th><th>by address</th>"
                          "<th>nearest house number</th><th>point in parcel</th>"
                          "<th>nearest</th><th>unmatched</th></tr>\n");
        any = 1;
        fr_sb_puts(b, "<tr>");
        td_text(b, c->name);
        td_count(b, c->kept);
        td_count_pct(b, c->by_id + c->by_id_normalised, c->kept); /* the fallback's share: run_summary.txt */
        td_count_pct(b, c->by_address, c->kept);
        td_count_pct(b, c->by_address_near, c->kept);
        td_count_pct(b, c->by_contains, c->kept);
        td_count_pct(b, c->by_nearest, c->kept);
        td_count_pct(b, c->unmatched, c->kept);
        fr_sb_puts(b, "</tr>\n");
    }
    if (!any) {
        fr_sb_puts(b, "<p class=\"note\">No inspections or incidents in this run.</p>\n");
        return;
    }
    fr_sb_puts(b, "</table>\n");
    int header = 0;
    for (size_t k = 0; k < nrc; k++) {
        if (!is_unmatched_reason(rc[k].reason))
            continue;
        if (!header)
            fr_sb_puts(b, "<h3>Unmatched, by reason</h3>\n<table>\n<tr><th>layer</th><th>reason</th>"
                          "<th>records</th><th>meaning</th></tr>\n");
        header = 1;
        reason_row(b, &rc[k]);
    }
    if (header)
        fr_sb_puts(b, "</table>\n");
    else
        fr_sb_puts(b, "<p>Every record was matched to a parcel.</p>\n");
    if (s->unmatched_streets[0]) {
        fr_sb_puts(b, "<p>Streets most often left unmatched:</p>\n<pre>");
        fr_sb_xml(b, s->unmatched_streets);
        fr_sb_puts(b, "</pre>\n");
    }
}

static void section_rejects(fr_strbuf *b, const reason_count *rc, size_t nrc)
{
    fr_sb_puts(b, "<h2>Rejected records</h2>\n");
    if (!nrc) {
        fr_sb_puts(b, "<p>No input record was rejected.</p>\n");
        return;
    }
    fr_sb_puts(b, "<p>Every record the run did not use is listed with its reason in <code>rejects.csv</code> "
                  "(and the <code>rejects</code> table of the GeoPackage).</p>\n<table>\n<tr><th>layer</th>"
                  "<th>reason</th><th>records</th><th>meaning</th></tr>\n");
    for (size_t k = 0; k < nrc; k++) {
        reason_row(b, &rc[k]);
    }
    fr_sb_puts(b, "</table>\n");
}

/* ---- time and files ---------------------------------------------------- */

static void section_time(fr_strbuf *b, const fr_report_input *in)
{
    double sec[FR_STAGE_COUNT], total = 0, max = 0;
    for (int k = 0; k < FR_STAGE_COUNT; k++) {
        sec[k] = k == FR_STAGE_WRITE ? in->write_seconds : in->sum->seconds[k];
        total += sec[k];
        if (sec[k] > max)
            max = sec[k];
    }
    fr_sb_puts(b, "<h2>Run time per stage</h2>\n<table>\n<tr><th>stage</th><th>seconds</th><th></th></tr>\n");
    for (int k = 0; k < FR_STAGE_COUNT; k++)
        fr_sb_printf(b, "<tr><td>%s</td><td class=\"n\">%.2f</td><td><span class=\"bar\" style=\"width:%.0fpx\">"
                        "</span></td></tr>\n",
                     stage_names[k], sec[k], max > 0 ? 300 * sec[k] / max : 0);
    fr_sb_printf(b, "<tr><th>total</th><td class=\"n\"><b>%.2f</b></td><td></td></tr>\n</table>\n", total);
    fr_sb_puts(b, "<p class=\"note\">The write stage is counted until this report was written.</p>\n");
}

static void section_files(fr_strbuf *b, const fr_report_input *in)
{
    fr_sb_puts(b, "<h2>Files</h2>\n<ul>\n");
    for (size_t k = 0; k < in->nfiles; k++) {
        fr_sb_puts(b, "<li><code>");
        fr_sb_xml(b, in->files[k]);
        fr_sb_puts(b, "</code></li>\n");
    }
    fr_sb_puts(b, "</ul>\n<p class=\"note\">Fields and their meaning: docs/OUTPUTS.md of firerisk.</p>\n");
}

fr_status fr_report_html(const fr_report_input *in, char **html, fr_error *err)
{
    *html = NULL;
    fr_strbuf b = {0};
    reason_count *rc = calloc(MAX_REASONS, sizeof *rc);
    if (!rc)
        return fr_error_oom_while(err, "writing the report");
    size_t nrc = count_reasons(in->rejects, rc);
    fr_sb_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<link rel=\"icon\" href=\"data:,\">\n<title>Fire risk run report ");
    fr_sb_xml(&b, in->sum->as_of);
    fr_sb_printf(&b, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", css);
    section_header(&b, in);
    section_map(&b, in);
    section_targets(&b, in);
    section_zones(&b, in);
    section_changes(&b, in);
    if (in->extra_sections)
        fr_sb_puts(&b, in->extra_sections);
    section_inputs(&b, in);
    section_matches(&b, in, rc, nrc);
    section_rejects(&b, rc, nrc);
    fr_sb_puts(&b, "<h2>Backtest</h2>\n");
    fr_report_backtest(&b, in->backtest_path);
    section_time(&b, in);
    section_files(&b, in);
    fr_sb_puts(&b, "</main>\n</body>\n</html>\n");
    free(rc);
    *html = fr_sb_take(&b);
    return *html ? FR_OK : fr_error_oom_while(err, "writing the report");
}

fr_status fr_report_write(const fr_report_input *in, const char *path, fr_error *err)
{
    char *html;
    fr_status st = fr_report_html(in, &html, err);
    if (st != FR_OK)
        return st;
    st = fr_write_text_file(path, html, err);
    free(html);
    return st;
}
