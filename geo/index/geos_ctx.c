/*
 * geos_ctx.c — per-thread GEOS contexts whose messages are kept, not
 * printed (see geos_ctx.h).
 */
#include "geos_ctx.h"

#include <stdio.h>
#include <stdlib.h>

static void geos_ctx_on_error(const char *message, void *userdata)
{
    geo_geos_ctx *c = userdata;
    snprintf(c->last_error, sizeof c->last_error, "%s", message ? message : "");
}

static void geos_ctx_on_notice(const char *message, void *userdata)
{
    (void)message; /* notices (e.g. "Self-intersection at ...") are not errors */
    (void)userdata;
}

fr_status geo_geos_ctx_init(geo_geos_ctx *c, fr_error *err)
{
    c->last_error[0] = '\0';
    c->h = GEOS_init_r();
    if (!c->h)
        return fr_error_oom_while(err, "creating a GEOS context");
    GEOSContext_setErrorMessageHandler_r(c->h, geos_ctx_on_error, c);
    GEOSContext_setNoticeMessageHandler_r(c->h, geos_ctx_on_notice, c);
    return FR_OK;
}

void geo_geos_ctx_finish(geo_geos_ctx *c)
{
    if (c && c->h) {
        GEOS_finish_r(c->h);
        c->h = NULL;
    }
}

fr_status geo_geos_ctx_array_new(int n, geo_geos_ctx **out, fr_error *err)
{
    *out = NULL;
    geo_geos_ctx *a = calloc(n > 0 ? (size_t)n : 1, sizeof *a);
    if (!a)
        return fr_error_oom_while(err, "creating GEOS contexts");
    for (int t = 0; t < n; t++) {
        fr_status st = geo_geos_ctx_init(&a[t], err);
        if (st != FR_OK) {
            geo_geos_ctx_array_free(a, t);
            return st;
        }
    }
    *out = a;
    return FR_OK;
}

void geo_geos_ctx_array_free(geo_geos_ctx *a, int n)
{
    if (!a)
        return;
    for (int t = 0; t < n; t++)
        geo_geos_ctx_finish(&a[t]);
    free(a);
}
