/*
 * strbuf.h — a growing text buffer for the generated documents (the QGIS
 * style, the HTML report and its SVG map).
 *
 * Appends never fail visibly: the first allocation failure sets `oom`, later
 * appends do nothing, and the owner checks `oom` once at the end.  That
 * keeps the document generators readable (hundreds of appends, one check).
 */
#ifndef FR_STRBUF_H
#define FR_STRBUF_H

#include <stddef.h>

#include "status.h"

typedef struct {
    char *s;      /* NUL-terminated text (NULL until the first append) */
    size_t len, cap;
    int oom;      /* an append failed for want of memory */
} fr_strbuf;

void fr_sb_put(fr_strbuf *b, const char *s, size_t n);
void fr_sb_puts(fr_strbuf *b, const char *s);
void fr_sb_printf(fr_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s with & < > " ' escaped for XML/HTML text and attribute values; NULL
 * appends nothing. */
void fr_sb_xml(fr_strbuf *b, const char *s);

/* Releases the text and resets b. */
void fr_sb_free(fr_strbuf *b);

/* Hands the text to the caller (who frees it) and resets b; NULL after an
 * allocation failure (b is freed then). */
char *fr_sb_take(fr_strbuf *b);

/* Writes text to path (created or truncated); FR_E_OUTPUT naming the path
 * when it cannot be written completely.  Used for the generated text files
 * (report.html, ranked_parcels.qml). */
fr_status fr_write_text_file(const char *path, const char *text, fr_error *err);

#endif
