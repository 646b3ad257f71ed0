/*
 * report.h — the HTML run report: one self-contained file (inline CSS and
 * an SVG map drawn here; no script, no font, no image, nothing fetched), so
 * that it opens from a mail attachment or a USB stick on any machine.
 *
 * Sections: the run at a glance; a static map of the target list over all
 * parcels; the top of the target list; what changed since the last run;
 * inputs and counts per layer; the match audit of inspections and incidents
 * (by parcel id, point in parcel, nearest; unmatched with reasons); reject
 * reasons; backtest metrics and lift chart when backtest.json is present;
 * time per stage; files written.  docs/OUTPUTS.md describes each.
 *
 * The input is plain data (pipeline/run/run_extras.c fills it from a run), so
 * the report can be tested without running the pipeline.
 */
#ifndef FR_REPORT_H
#define FR_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "changes.h"
#include "config.h"
#include "rejects.h"
#include "run.h"
#include "status.h"
#include "strbuf.h"
#include "write.h"
#include "zone_lists.h"

/* The static map: every parcel as a dot (a deterministic sample beyond a
 * few thousand), the target list as larger dots by tier, stations. */
typedef struct {
    size_t n;
    const double *x, *y;          /* representative point of each parcel, working CRS (metres) */
    const uint8_t *tier;          /* per parcel: model_tier (0 high, 1 medium, 2 low) */
    const int32_t *rank;          /* per parcel */
    const char *const *id;        /* per parcel */
    const char *const *address;   /* per parcel, or NULL */
    const size_t *targets;        /* the target list, parcel indexes in list order */
    size_t ntargets;
    const double *sx, *sy;        /* stations (working CRS), may be NULL */
    const char *const *station_name;
    size_t nstations;
} fr_report_map;

typedef struct {
    const fr_run_summary *sum;    /* counts per layer, reject reasons, seconds per stage */
    const fr_config *cfg;         /* sources, tiers, list size */
    const geo_rejects *rejects;   /* for the unmatched reasons per layer */
    size_t nparcels;
    size_t tier_count[3];         /* high, medium, low */
    const geo_out_table *targets; /* the target list as written (fields, order, nrows) */
    size_t top_rows;              /* rows of it shown in the report */
    const fr_changes *changes;    /* NULL: not computed */
    size_t changes_rows;          /* rows of entered/left shown */
    const char *backtest_path;    /* backtest.json to show; NULL or absent: a note */
    const char *const *files;     /* output files written with the report */
    size_t nfiles;
    double write_seconds;         /* the write stage until the report */
    fr_report_map map;
    const char *extra_sections;   /* HTML sections after the changes (equity); NULL = none */
    const char *zone_name;        /* the zone layer of the per-zone counts (NULL: none) */
    const fr_zone_count *zone_counts; /* per zone label (zone_lists.h) */
    size_t nzone_counts;
} fr_report_input;

/* The report as one HTML document; the caller frees *html. */
fr_status fr_report_html(const fr_report_input *in, char **html, fr_error *err);

/* fr_report_html written to path.  FR_E_OUTPUT naming the path. */
fr_status fr_report_write(const fr_report_input *in, const char *path, fr_error *err);

/* report_backtest.c: the backtest section's body from backtest.json at
 * path (NULL: a "no backtest" note; unreadable: a note saying so). */
void fr_report_backtest(fr_strbuf *b, const char *path);

/* report_svg.c: the map as an inline <svg> element appended to b. */
void fr_report_svg_map(const fr_report_map *m, fr_strbuf *b);

/* report_svg.c: a bar chart (<svg>) of values[0..n-1] labelled 1..n, with
 * a dashed reference line at `reference` (NAN: none); y axis as
 * percentages when percent != 0. */
void fr_report_svg_bars(fr_strbuf *b, const double *values, size_t n, double reference, int percent,
                        const char *x_title, const char *y_title);

#endif
