/*
 * gdal_gate.c — capture GDAL's errors on entry, turn them into an fr_status
 * on exit (see gdal_gate.h).
 *
 * Why a failure is kept first and a warning last: a driver that fails often
 * raises a chain (the cause, then what it could not do because of it), and
 * the first names the cause (a GeoJSON cut short: "At line 7, character 374:
 * Unterminated object", then "Failed to read GeoJSON data"); a warning is
 * only GDAL's account when nothing failed, and the most recent is the one
 * about the call that just returned.
 */
#include "gdal_gate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define GATE_UNKNOWN "unknown GDAL error"

static void CPL_STDCALL gate_handler(CPLErr cls, CPLErrorNum num, const char *msg)
{
    geo_gdal_gate *g = CPLGetErrorHandlerUserData();
    if (!g)
        return;
    if (!msg)
        msg = "";
    if (cls == CE_Failure || cls == CE_Fatal) {
        if (!g->failed) {
            g->failed = 1;
            g->failure_class = cls;
            g->failure_num = num;
            snprintf(g->failure, sizeof g->failure, "%s", msg);
        }
    } else if (cls == CE_Warning) {
        g->warnings++;
        snprintf(g->warning, sizeof g->warning, "%s", msg);
    }
    /* CE_Debug (CPL_DEBUG=ON) is dropped, as the quiet handler drops it. */
}

void geo_gdal_gate_quiet_default(void)
{
    CPLSetErrorHandler(CPLQuietErrorHandler);
}

void geo_gdal_gate_begin(geo_gdal_gate *g)
{
    memset(g, 0, sizeof *g);
    g->failure_class = CE_None;
    CPLPushErrorHandlerEx(gate_handler, g);
    CPLErrorReset();
}

void geo_gdal_gate_end_quiet(geo_gdal_gate *g)
{
    (void)g;
    CPLPopErrorHandler();
}

int geo_gdal_gate_failed(const geo_gdal_gate *g)
{
    return g->failed;
}

void geo_gdal_gate_clear(geo_gdal_gate *g)
{
    g->failed = 0;
    g->failure_class = CE_None;
    g->failure_num = CPLE_None;
    g->failure[0] = '\0';
    g->warnings = 0;
    g->warning[0] = '\0';
}

const char *geo_gdal_gate_msg(const geo_gdal_gate *g, const char *fallback)
{
    if (g->failed && g->failure[0])
        return g->failure;
    if (g->warnings && g->warning[0])
        return g->warning;
    return fallback;
}

/* err = code, "<what>: <msg>" with what formatted from fmt/ap. */
__attribute__((format(printf, 4, 0)))
static fr_status set_error(fr_error *err, fr_status code, const char *msg, const char *fmt, va_list ap)
{
    if (!err)
        return code;
    char what[sizeof err->message];
    vsnprintf(what, sizeof what, fmt, ap);
    return fr_error_set(err, code, "%s: %s", what, msg);
}

/* st, or the captured failure when st is FR_OK (geo_gdal_gate_check/end). */
__attribute__((format(printf, 5, 0)))
static fr_status report(const geo_gdal_gate *g, fr_status st, fr_error *err, fr_status code, const char *fmt,
                        va_list ap)
{
    if (st != FR_OK || !g->failed)
        return st;
    return set_error(err, code, geo_gdal_gate_msg(g, GATE_UNKNOWN), fmt, ap);
}

fr_status geo_gdal_gate_error(const geo_gdal_gate *g, fr_error *err, fr_status code, const char *fallback,
                              const char *fmt, ...)
{
    const char *msg = geo_gdal_gate_msg(g, fallback);
    va_list ap;
    va_start(ap, fmt);
    fr_status st = set_error(err, code, msg ? msg : GATE_UNKNOWN, fmt, ap);
    va_end(ap);
    return st;
}

fr_status geo_gdal_gate_check(const geo_gdal_gate *g, fr_status st, fr_error *err, fr_status code,
                              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    st = report(g, st, err, code, fmt, ap);
    va_end(ap);
    return st;
}

fr_status geo_gdal_gate_end(geo_gdal_gate *g, fr_status st, fr_error *err, fr_status code, const char *fmt, ...)
{
    CPLPopErrorHandler();
    va_list ap;
    va_start(ap, fmt);
    st = report(g, st, err, code, fmt, ap);
    va_end(ap);
    return st;
}
