/*
 * progress.h — a progress bar on the terminal for the stages of a run that
 * take more than a second (tippecanoe's habit: progress when a person is
 * watching, silence in cron).
 *
 * The CLI creates one only when stderr is a terminal and --quiet is not
 * given (main.c); every function accepts NULL and then does nothing, so
 * library code calls them unconditionally.  A background thread redraws the
 * one line on the stream at most 4 times a second, and only once the
 * current stage has run for a second; fr_progress_free() erases the line
 * before anything else is printed.  Nothing here touches an output file.
 */
#ifndef FR_PROGRESS_H
#define FR_PROGRESS_H

#include <stdio.h>

typedef struct fr_progress fr_progress;

/* Starts the redraw thread on fp (a terminal).  NULL on failure: the run
 * then simply has no progress bar. */
fr_progress *fr_progress_new(FILE *fp);

/* Stage `index` (1-based) of `count` begins, named e.g. "read".  The bar
 * shows an animation until a fraction is reported.  name NULL: no stage
 * (the line is erased and nothing is drawn until the next stage). */
void fr_progress_stage(fr_progress *p, const char *name, int index, int count);

/* Share (0..1) of the current stage (or of its current item) done; from
 * any thread.  With a share known the line shows the percentage and, once
 * it has run a second, an estimate of the time left (at the pace so far). */
void fr_progress_fraction(fr_progress *p, double fraction);

/* What the stage is working on now, e.g. "parcels: city.gpkg" or
 * "ranked_parcels.gpkg": shown on the line (cut to fit); the share goes
 * back to unknown and the time-left estimate starts again.  NULL: none. */
void fr_progress_item(fr_progress *p, const char *item);

/* Stops the thread, erases the line, frees p. */
void fr_progress_free(fr_progress *p);

/* The line as drawn for the given state, into buf (for the tests):
 * item may be NULL; fraction < 0 means unknown (tick animates); eta < 0
 * means no estimate of the seconds left.  Returns buf. */
char *fr_progress_format(char *buf, size_t size, const char *name, const char *item, int index, int count,
                         double fraction, double seconds, double eta, unsigned tick);

#endif
