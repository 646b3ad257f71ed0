/*
 * status.c — messages and exit codes for fr_status (see status.h).
 */
#include "status.h"

#include <stdio.h>
#include <string.h>

const char *fr_status_text(fr_status s)
{
    switch (s) {
#define FR_STATUS_TEXT(name, code, text) case name: return text;
        FR_STATUS_MAP(FR_STATUS_TEXT)
#undef FR_STATUS_TEXT
    }
    return "unknown status";
}

int fr_status_exit_code(fr_status s)
{
    switch (s) {
#define FR_STATUS_CODE(name, code, text) case name: return code;
        FR_STATUS_MAP(FR_STATUS_CODE)
#undef FR_STATUS_CODE
    }
    return 4;
}

fr_status fr_error_set(fr_error *err, fr_status s, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->status = s;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return s;
}

fr_status fr_error_oom(fr_error *err)
{
    return fr_error_set(err, FR_E_MEMORY, "out of memory");
}

fr_status fr_error_oom_while(fr_error *err, const char *fmt, ...)
{
    if (err) {
        char what[sizeof err->message - 16];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        fr_error_set(err, FR_E_MEMORY, "out of memory %s", what);
    }
    return FR_E_MEMORY;
}

void fr_error_prefix(fr_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char head[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    /* head + ": " + old message, cut to the buffer */
    size_t hl = strlen(head), ml = strlen(err->message), cap = sizeof err->message - 1;
    if (hl + 2 > cap)
        hl = cap - 2;
    if (hl + 2 + ml > cap)
        ml = cap - hl - 2;
    memmove(err->message + hl + 2, err->message, ml);
    memcpy(err->message, head, hl);
    err->message[hl] = ':';
    err->message[hl + 1] = ' ';
    err->message[hl + 2 + ml] = '\0';
}
