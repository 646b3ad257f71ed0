/*
 * geos_ctx.h — one GEOS reentrant context per OpenMP thread, with GEOS'
 * messages kept instead of printed.
 *
 * Why: a GEOSContextHandle_t is not thread-safe, so every parallel join owns
 * one per thread, created up front on the main thread.  GEOS reports errors
 * through a message handler; library code never prints, so the handler
 * keeps the last message in the context and the caller puts it into the
 * fr_error that names the layer and feature.
 *
 * A geo_geos_ctx must not move after geo_geos_ctx_init() (the handler keeps
 * a pointer to it): keep them in an array that is never reallocated.
 */
#ifndef GEO_GEOS_CTX_H
#define GEO_GEOS_CTX_H

#include <geos_c.h>

#include "status.h"

typedef struct {
    GEOSContextHandle_t h;
    char last_error[256]; /* GEOS' last error message, "" if none */
} geo_geos_ctx;

/* Creates the GEOS context and installs the silent handlers. */
fr_status geo_geos_ctx_init(geo_geos_ctx *c, fr_error *err);
/* Releases the context (safe on a zeroed or already finished ctx). */
void geo_geos_ctx_finish(geo_geos_ctx *c);

/* n contexts in one calloc'd array (*out, caller frees with
 * geo_geos_ctx_array_free). */
fr_status geo_geos_ctx_array_new(int n, geo_geos_ctx **out, fr_error *err);
void geo_geos_ctx_array_free(geo_geos_ctx *a, int n);

#endif
