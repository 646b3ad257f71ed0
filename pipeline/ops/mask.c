/*
 * mask.c — masks passwords in connection strings and config text (see
 * mask.h).
 */
#include "mask.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const keys[] = {"password", "passwd", "pwd"};

/* Length of a key=value secret key at s (0 if none): the key must not be
 * the tail of a longer word ("mypwd=" is not "pwd="). */
static size_t key_at(const char *text, const char *s)
{
    if (s > text && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))
        return 0;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        size_t n = strlen(keys[k]);
        if (!strncasecmp(s, keys[k], n)) {
            const char *p = s + n;
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p == '=')
                return (size_t)(p - s) + 1;
        }
    }
    return 0;
}

/* Length of the value at s: quoted ('...' or "..."), else up to a blank,
 * ';', a quote or the end of the line. */
static size_t value_len(const char *s, size_t *skip_open)
{
    *skip_open = 0;
    if (*s == '\'' || *s == '"') {
        const char *end = strchr(s + 1, *s);
        *skip_open = 1;
        return end ? (size_t)(end - s - 1) : strcspn(s + 1, "\n");
    }
    return strcspn(s, " \t\r\n;'\"");
}

char *fr_mask_secrets(const char *text)
{
    size_t n = strlen(text);
    /* each masked value shrinks or grows to 3 characters: 3 per byte bounds it */
    char *out = malloc(3 * n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (const char *s = text; *s;) {
        size_t k = key_at(text, s);
        if (k) {
            while (s < text + n && k--)
                out[o++] = *s++;
            while (*s == ' ' || *s == '\t') /* libpq allows "password = x" */
                out[o++] = *s++;
            size_t open, v = value_len(s, &open);
            if (open)
                out[o++] = *s++;
            if (v) {
                memcpy(out + o, "***", 3);
                o += 3;
                s += v;
            }
            continue;
        }
        /* URI credentials: "://user:secret@" */
        if (s[0] == ':' && s[1] == '/' && s[2] == '/') {
            size_t auth = strcspn(s + 3, "/ \t\r\n'\"@");
            const char *colon = memchr(s + 3, ':', auth);
            if (s[3 + auth] == '@' && colon) {
                size_t head = (size_t)(colon - s) + 1;
                memcpy(out + o, s, head);
                o += head;
                memcpy(out + o, "***", 3);
                o += 3;
                s += 3 + auth;
                continue;
            }
        }
        out[o++] = *s++;
    }
    out[o] = '\0';
    return out;
}
