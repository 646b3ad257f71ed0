/*
 * report_backtest.c — the report's backtest section (see report.h).
 *
 * backtest.json is read with json-c (already a dependency: GDAL links it,
 * and the manifest and the backtest writer use it).  firerisk's own format
 * ("format": "firerisk-backtest", models/learn/eval_report.c) gets its proper
 * layout: per cutoff, every model and baseline with AUC and precision /
 * recall at each k, and the lift chart of the first model.  Any other JSON
 * object is rendered generically (scalars as a table, nested objects one
 * level deep, arrays of objects as tables, arrays named like "lift" as a
 * chart), so that a report never hides what the file says.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "report.h"

static int is_number(json_object *v)
{
    enum json_type t = json_object_get_type(v);
    return t == json_type_int || t == json_type_double;
}

static int is_scalar(json_object *v)
{
    enum json_type t = json_object_get_type(v);
    return t != json_type_object && t != json_type_array;
}

static void json_scalar(fr_strbuf *b, json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null: fr_sb_puts(b, ""); break;
    case json_type_boolean: fr_sb_puts(b, json_object_get_boolean(v) ? "true" : "false"); break;
    case json_type_int: fr_sb_printf(b, "%lld", (long long)json_object_get_int64(v)); break;
    case json_type_double: fr_sb_printf(b, "%.4g", json_object_get_double(v)); break;
    case json_type_string: fr_sb_xml(b, json_object_get_string(v)); break;
    default: fr_sb_xml(b, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN)); break;
    }
}

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_get_type(o) == json_type_object && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *member_text(json_object *o, const char *key)
{
    json_object *v = member(o, key);
    return v && json_object_get_type(v) == json_type_string ? json_object_get_string(v) : "";
}

/* Numbers of a lift array, or of its objects' "lift"/"share" member. */
static size_t lift_values(json_object *arr, double *out, size_t max)
{
    size_t n = json_object_array_length(arr), m = 0;
    for (size_t k = 0; k < n && m < max; k++) {
        json_object *e = json_object_array_get_idx(arr, k), *v;
        if (is_number(e))
            out[m++] = json_object_get_double(e);
        else if (((v = member(e, "lift")) && is_number(v)) || ((v = member(e, "share")) && is_number(v)))
            out[m++] = json_object_get_double(v);
    }
    return m;
}

static void lift_chart(fr_strbuf *b, const char *title, json_object *arr)
{
    double v[100];
    size_t n = lift_values(arr, v, 100);
    if (!n)
        return;
    double sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += v[k];
    /* Shares of all fires sum to 1 (an even spread is 1/n each); anything
     * else is read as a ratio to a random ranking (1). */
    int shares = fabs(sum - 1) < 0.05;
    fr_sb_puts(b, "<h3>");
    fr_sb_xml(b, title);
    fr_sb_puts(b, "</h3>\n");
    fr_report_svg_bars(b, v, n, shares ? 1.0 / (double)n : 1.0, shares,
                       shares ? "tenth of the ranking (1 = riskiest)" : "group (1 = riskiest)",
                       shares ? "share of fires" : "lift");
    fr_sb_puts(b, "<p class=\"note\">The dashed line is what a random ranking would give.</p>\n");
}

/* ---- firerisk-backtest ------------------------------------------------ */

static void firerisk_cutoff(fr_strbuf *b, json_object *c)
{
    json_object *results = member(c, "results");
    fr_sb_puts(b, "<h3>Cutoff ");
    fr_sb_xml(b, member_text(c, "cutoff"));
    fr_sb_puts(b, "</h3>\n<p>Ranked with data before the cutoff, checked against the fires from the cutoff to ");
    fr_sb_xml(b, member_text(c, "label_end"));
    fr_sb_puts(b, ": ");
    json_scalar(b, member(c, "parcels"));
    fr_sb_puts(b, " parcels, ");
    json_scalar(b, member(c, "fires"));
    fr_sb_puts(b, " with a fire.</p>\n");
    size_t n = results && json_object_get_type(results) == json_type_array ? json_object_array_length(results) : 0;
    if (!n)
        return;
    json_object *first_at = member(json_object_array_get_idx(results, 0), "at_k");
    size_t nk = first_at && json_object_get_type(first_at) == json_type_array ? json_object_array_length(first_at) : 0;
    fr_sb_puts(b, "<div class=\"wide\"><table>\n<tr><th>model</th><th>kind</th><th>AUC</th>");
    for (size_t k = 0; k < nk; k++) {
        fr_sb_puts(b, "<th>precision@");
        fr_sb_xml(b, member_text(json_object_array_get_idx(first_at, k), "k"));
        fr_sb_puts(b, "</th><th>recall@");
        fr_sb_xml(b, member_text(json_object_array_get_idx(first_at, k), "k"));
        fr_sb_puts(b, "</th>");
    }
    fr_sb_puts(b, "<th>note</th></tr>\n");
    /* The chart: the first model's lift (a baseline's when there is no model). */
    json_object *chart_entry = json_object_array_get_idx(results, 0);
    for (size_t r = n; r-- > 0;)
        if (!strcmp(member_text(json_object_array_get_idx(results, r), "kind"), "model"))
            chart_entry = json_object_array_get_idx(results, r);
    for (size_t r = 0; r < n; r++) {
        json_object *e = json_object_array_get_idx(results, r), *at = member(e, "at_k");
        int model = !strcmp(member_text(e, "kind"), "model");
        fr_sb_puts(b, model ? "<tr><td><b>" : "<tr><td>");
        fr_sb_xml(b, member_text(e, "name"));
        fr_sb_puts(b, model ? "</b></td><td>" : "</td><td>");
        fr_sb_xml(b, member_text(e, "kind"));
        fr_sb_puts(b, "</td><td class=\"n\">");
        json_scalar(b, member(e, "auc"));
        fr_sb_puts(b, "</td>");
        for (size_t k = 0; k < nk; k++) {
            json_object *a = at && json_object_get_type(at) == json_type_array ? json_object_array_get_idx(at, k) : NULL;
            fr_sb_puts(b, "<td class=\"n\">");
            json_scalar(b, member(a, "precision"));
            fr_sb_puts(b, "</td><td class=\"n\">");
            json_scalar(b, member(a, "recall"));
            fr_sb_puts(b, "</td>");
        }
        fr_sb_puts(b, "<td>");
        fr_sb_xml(b, member_text(e, "note"));
        fr_sb_puts(b, "</td></tr>\n");
    }
    fr_sb_puts(b, "</table></div>\n");
    json_object *chart = member(chart_entry, "lift_by_decile");
    if (chart && json_object_get_type(chart) == json_type_array) {
        char title[128];
        snprintf(title, sizeof title, "Lift of %s: share of the fires in each tenth of its ranking",
                 member_text(chart_entry, "name"));
        lift_chart(b, title, chart);
    }
}

static void firerisk_backtest(fr_strbuf *b, json_object *root)
{
    fr_sb_puts(b, "<p>From <code>backtest.json</code>: horizon ");
    fr_sb_xml(b, member_text(root, "horizon"));
    fr_sb_puts(b, ", config <code>");
    fr_sb_xml(b, member_text(root, "config"));
    fr_sb_puts(b, "</code>.</p>\n");
    json_object *cuts = member(root, "cutoffs");
    size_t n = cuts && json_object_get_type(cuts) == json_type_array ? json_object_array_length(cuts) : 0;
    if (!n)
        fr_sb_puts(b, "<p class=\"note\">The file lists no cutoff.</p>\n");
    for (size_t c = 0; c < n; c++)
        firerisk_cutoff(b, json_object_array_get_idx(cuts, c));
}

/* ---- any other JSON object -------------------------------------------- */

static void array_rows(fr_strbuf *b, const char *key, json_object *arr)
{
    size_t n = json_object_array_length(arr);
    json_object *first = n ? json_object_array_get_idx(arr, 0) : NULL;
    if (!first || json_object_get_type(first) != json_type_object) {
        fr_sb_puts(b, "<tr><td>");
        fr_sb_xml(b, key);
        fr_sb_puts(b, "</td><td>");
        for (size_t k = 0; k < n && k < 50; k++) {
            if (k)
                fr_sb_puts(b, ", ");
            json_scalar(b, json_object_array_get_idx(arr, k));
        }
        fr_sb_puts(b, "</td></tr>\n");
    }
}

static void array_table(fr_strbuf *b, const char *key, json_object *arr)
{
    size_t n = json_object_array_length(arr);
    json_object *first = n ? json_object_array_get_idx(arr, 0) : NULL;
    if (!first || json_object_get_type(first) != json_type_object)
        return;
    fr_sb_puts(b, "<h3>");
    fr_sb_xml(b, key);
    fr_sb_puts(b, "</h3>\n<div class=\"wide\"><table>\n<tr>");
    json_object_object_foreach(first, hk, hv)
    {
        (void)hv;
        fr_sb_puts(b, "<th>");
        fr_sb_xml(b, hk);
        fr_sb_puts(b, "</th>");
    }
    fr_sb_puts(b, "</tr>\n");
    for (size_t k = 0; k < n && k < 50; k++) {
        json_object *row = json_object_array_get_idx(arr, k);
        fr_sb_puts(b, "<tr>");
        json_object_object_foreach(first, ck, cv)
        {
            (void)cv;
            fr_sb_puts(b, "<td class=\"n\">");
            json_object *v = member(row, ck);
            if (v)
                json_scalar(b, v);
            fr_sb_puts(b, "</td>");
        }
        fr_sb_puts(b, "</tr>\n");
    }
    fr_sb_puts(b, "</table></div>\n");
}

static void generic_backtest(fr_strbuf *b, json_object *root)
{
    fr_sb_puts(b, "<p>From <code>backtest.json</code>.</p>\n<table>\n<tr><th>metric</th><th>value</th></tr>\n");
    json_object_object_foreach(root, key, val)
    {
        if (is_scalar(val)) {
            fr_sb_puts(b, "<tr><td>");
            fr_sb_xml(b, key);
            fr_sb_puts(b, "</td><td class=\"n\">");
            json_scalar(b, val);
            fr_sb_puts(b, "</td></tr>\n");
        } else if (json_object_get_type(val) == json_type_object) {
            json_object_object_foreach(val, k2, v2)
            {
                if (!is_scalar(v2))
                    continue;
                fr_sb_puts(b, "<tr><td>");
                fr_sb_xml(b, key);
                fr_sb_puts(b, ".");
                fr_sb_xml(b, k2);
                fr_sb_puts(b, "</td><td class=\"n\">");
                json_scalar(b, v2);
                fr_sb_puts(b, "</td></tr>\n");
            }
        } else {
            array_rows(b, key, val);
        }
    }
    fr_sb_puts(b, "</table>\n");
    json_object_object_foreach(root, tk, tval)
    {
        if (json_object_get_type(tval) == json_type_array)
            array_table(b, tk, tval);
    }
    json_object_object_foreach(root, ck, cval)
    {
        if (json_object_get_type(cval) == json_type_array && strstr(ck, "lift"))
            lift_chart(b, ck, cval);
    }
}

void fr_report_backtest(fr_strbuf *b, const char *path)
{
    if (!path) {
        fr_sb_puts(b, "<p class=\"note\">No backtest: there is no <code>backtest.json</code> in the output "
                      "directory, so no ranking has been checked against later fires yet "
                      "(<code>firerisk backtest</code> writes it).</p>\n");
        return;
    }
    json_object *root = json_object_from_file(path);
    if (!root || json_object_get_type(root) != json_type_object) {
        fr_sb_puts(b, "<p class=\"note\"><code>backtest.json</code> could not be read as a JSON object");
        if (!root) {
            fr_sb_puts(b, ": ");
            fr_sb_xml(b, json_util_get_last_err());
        }
        fr_sb_puts(b, ".</p>\n");
        json_object_put(root);
        return;
    }
    if (!strcmp(member_text(root, "format"), "firerisk-backtest"))
        firerisk_backtest(b, root);
    else
        generic_backtest(b, root);
    json_object_put(root);
}
