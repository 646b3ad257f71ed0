/*
 * strbuf.c — growing text buffer (see strbuf.h).
 */
#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(fr_strbuf *b, size_t extra)
{
    if (b->oom)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return 0;
    }
    b->s = s;
    b->cap = cap;
    return 1;
}

void fr_sb_put(fr_strbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void fr_sb_puts(fr_strbuf *b, const char *s)
{
    if (s)
        fr_sb_put(b, s, strlen(s));
}

void fr_sb_printf(fr_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        fr_sb_put(b, small, (size_t)n);
        return;
    }
    if (!reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void fr_sb_xml(fr_strbuf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        fr_sb_put(b, run, (size_t)(s - run));
        fr_sb_puts(b, rep);
        run = s + 1;
    }
    fr_sb_put(b, run, (size_t)(s - run));
}

void fr_sb_free(fr_strbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

char *fr_sb_take(fr_strbuf *b)
{
    if (b->oom) {
        fr_sb_free(b);
        return NULL;
    }
    if (!b->s)
        fr_sb_put(b, "", 0);
    char *s = b->oom ? NULL : b->s;
    if (b->oom)
        free(b->s);
    memset(b, 0, sizeof *b);
    return s;
}

fr_status fr_write_text_file(const char *path, const char *text, fr_error *err)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return fr_error_set(err, FR_E_OUTPUT, "cannot write %s: %s", path, strerror(errno));
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, fp) != n;
    if (fclose(fp) != 0 || bad)
        return fr_error_set(err, FR_E_OUTPUT, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
    return FR_OK;
}
