/*
 * evaluate.h — `firerisk evaluate`: do the visits prevent fires?
 * (docs/EVALUATE.md).  Homes visited in a period (inspections and
 * completed `layers.visits` records) against comparable homes not visited
 * — same risk decile as of the first day of the visit's month (scored with
 * the features as of that day), same zone — on the qualifying fires of the
 * 12 months after.  Writes evaluation.json and evaluation.html.
 *
 * By default the visits are the layers.visits records when that layer is
 * configured, else the inspections: code inspections are chosen by other
 * rules and find violations that themselves raise the risk after them, so
 * mixing them with home visits would blur what is judged (--visits both
 * mixes them on purpose).
 */
#ifndef FR_EVALUATE_H
#define FR_EVALUATE_H

#include <stddef.h>

#include "status.h"

typedef struct {
    const char *config_path;
    const char *from, *to;   /* YYYY-MM-DD, inclusive; NULL = the last year whose 12 months after are in the data */
    const char *out_dir;     /* NULL = output.dir of the config, else "out" */
    const char *visits;      /* which records are the visits: "visits" (layers.visits), "inspections" or
                                "both"; NULL = visits when layers.visits is configured, else inspections */
    int threads;             /* 0 = OpenMP default */
} fr_evaluate_options;

#define FR_EVALUATE_REPLICATES 1000
#define FR_EVALUATE_SEED 20260101u
#define FR_EVALUATE_FOLLOW_UP_DAYS 365

/* Runs the comparison and writes the files; *report (the caller frees) is
 * the text printed on stderr.  FR_E_INPUT (exit 2) when the period holds no
 * visit, or no fire falls in the 12 months after its visits. */
fr_status fr_evaluate(const fr_evaluate_options *opt, char **report, fr_error *err);

#endif
