/*
 * gdal_gate.h — the one place where GDAL's errors become firerisk's.
 *
 * GDAL reports problems through CPLError: a message and a class (warning,
 * failure, fatal) handed to the calling thread's error handler, beside the
 * return value of the call (NULL, OGRERR_*, CE_Failure) — and some calls,
 * GDALClose and GDALFlushCache among them, only through the handler.  Every
 * function of geo/ and pipeline/ that calls GDAL, OGR or OSR therefore runs
 * its calls inside a gate:
 *
 *     geo_gdal_gate gate;
 *     geo_gdal_gate_begin(&gate);          capture on entry
 *     ... GDAL calls; on a failed call:
 *         return geo_gdal_gate_error(&gate, err, FR_E_OUTPUT, "driver refused the layer",
 *                                    "%s: cannot create layer '%s'", path, name);
 *     GDALClose(ds);
 *     return geo_gdal_gate_end(&gate, st, err, FR_E_OUTPUT, "%s: closing failed", path);
 *
 * begin pushes a handler that keeps the first failure (message, class,
 * number) and the last warning, and prints nothing; end pops it and turns a
 * failure nobody reported into an fr_status whose message says what was
 * being done ("<what>: <GDAL's message>").  geo_gdal_gate_end_quiet pops
 * without reporting, for callers that learn of failures otherwise (the
 * per-point flags of OCTTransformEx, a probe whose failure is an answer).
 *
 * Threading: a gate holds no global state.  CPL error handlers are per
 * thread (CPLPushErrorHandlerEx), and the gate lives on the caller's stack,
 * so writers on several OpenMP threads each capture their own errors.  A
 * gate must end on the thread that began it, in LIFO order with any other
 * handler pushed meanwhile.  Gates nest: an inner gate captures what is
 * raised while it is open, and the outer one sees none of it.
 */
#ifndef GEO_GDAL_GATE_H
#define GEO_GDAL_GATE_H

#include <cpl_error.h>

#include "status.h"

#define GEO_GDAL_GATE_MSG 1024

typedef struct {
    int failed;                        /* a CE_Failure or CE_Fatal was raised since begin or the last clear */
    CPLErr failure_class;              /* class of the first one (CE_Failure or CE_Fatal) */
    CPLErrorNum failure_num;           /* its CPLE_* number */
    char failure[GEO_GDAL_GATE_MSG];   /* its message */
    int warnings;                      /* number of CE_Warning raised (kept, never reported) */
    char warning[GEO_GDAL_GATE_MSG];   /* message of the last warning */
} geo_gdal_gate;

/* Makes GDAL's process-wide default handler (the one of threads with no
 * gate open) the quiet one: GDAL's own stderr printing would only add noise
 * to the messages firerisk composes.  Called once by geo_init, on the main
 * thread. */
void geo_gdal_gate_quiet_default(void);

/* Opens the gate on the calling thread: clears g, pushes its handler and
 * resets the thread's last-error state. */
void geo_gdal_gate_begin(geo_gdal_gate *g);

/* Closes the gate (pops its handler) and returns st, unless st is FR_OK and
 * a failure was captured: then `code` with err set to "<what>: <failure>",
 * what formatted from fmt.  A failure that a caller already reported (st not
 * FR_OK) keeps its own message.  Must be called on the thread of begin. */
fr_status geo_gdal_gate_end(geo_gdal_gate *g, fr_status st, fr_error *err, fr_status code,
                            const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Closes the gate without reporting anything; what was captured stays
 * readable in g. */
void geo_gdal_gate_end_quiet(geo_gdal_gate *g);

/* 1 when a failure was captured since begin or the last clear. */
int geo_gdal_gate_failed(const geo_gdal_gate *g);

/* Forgets what was captured (a failure the caller has handled, or before a
 * call whose own failure is to be told apart: one record of a layer). */
void geo_gdal_gate_clear(geo_gdal_gate *g);

/* GDAL's account of what went wrong: the first failure, else the last
 * warning, else fallback (which may be NULL). */
const char *geo_gdal_gate_msg(const geo_gdal_gate *g, const char *fallback);

/* For a GDAL call that returned failure: sets err to `code` with
 * "<what>: <geo_gdal_gate_msg(g, fallback)>" and returns code. */
fr_status geo_gdal_gate_error(const geo_gdal_gate *g, fr_error *err, fr_status code, const char *fallback,
                              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The check before trusting a result (after GDALFlushCache, a commit, a
 * feature): st unless st is FR_OK and a failure was captured, then as
 * geo_gdal_gate_end but the gate stays open. */
fr_status geo_gdal_gate_check(const geo_gdal_gate *g, fr_status st, fr_error *err, fr_status code,
                              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
