/*
 * out_buf.c — the buffered output file of the streaming writers (see
 * out_buf.h).
 */
#include "out_buf.h"

#include <stdlib.h>

#include "write.h"

fr_status geo_out_buf_open(geo_out_buf *o, const char *path, fr_error *err)
{
    memset(o, 0, sizeof *o);
    o->cap = (size_t)1 << 20;
    o->buf = malloc(o->cap);
    if (!o->buf)
        return fr_error_oom_while(err, "writing %s: for the output buffer", path);
    o->fp = fopen(path, "wb");
    if (!o->fp) {
        int e = errno;
        free(o->buf);
        o->buf = NULL;
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot create the file: %s", path,
                            strerror(e));
    }
    return FR_OK;
}

void geo_out_buf_drain(geo_out_buf *o)
{
    if (o->len && !o->err_no && fwrite(o->buf, 1, o->len, o->fp) != o->len)
        o->err_no = errno ? errno : EIO;
    o->len = 0;
}

fr_status geo_out_buf_close(geo_out_buf *o, const char *path, fr_status st, fr_error *err)
{
    if (!o->fp)
        return st;
    geo_out_buf_drain(o);
    if (!o->err_no && fflush(o->fp) != 0)
        o->err_no = errno ? errno : EIO;
    if (fclose(o->fp) != 0 && !o->err_no)
        o->err_no = errno ? errno : EIO;
    o->fp = NULL;
    free(o->buf);
    o->buf = NULL;
    if (st == FR_OK && o->err_no)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: writing failed: %s", path, strerror(o->err_no));
    return st;
}

void geo_out_buf_csv_field(geo_out_buf *o, const char *s)
{
    if (!s)
        return;
    int guard = geo_csv_formula_risk(s);
    if (!geo_csv_needs_quotes(s)) {
        if (guard)
            geo_out_buf_putc(o, '\'');
        geo_out_buf_puts(o, s);
        return;
    }
    geo_out_buf_putc(o, '"');
    if (guard)
        geo_out_buf_putc(o, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            geo_out_buf_putc(o, '"');
        geo_out_buf_putc(o, *p);
    }
    geo_out_buf_putc(o, '"');
}
