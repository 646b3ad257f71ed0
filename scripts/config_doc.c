/*
 * config_doc.c — the key reference of docs/CONFIG.md, generated from the
 * configuration's key tables (pipeline/config/config_keys.h), so that the
 * docs cannot drift from what the loader accepts.
 *
 *   config_doc                 prints the generated parts
 *   config_doc --check FILE    exit 1 when FILE's generated parts differ (ctest docs.config_keys)
 *   config_doc --write FILE    rewrites them (cmake --build build --target config-doc)
 *
 * A generated part sits between the lines "<!-- generated: NAME ... -->"
 * and "<!-- end generated: NAME -->"; everything else in FILE is prose and
 * left alone.  Parts: config-keys (one row per key: path, type, default,
 * help) and default-weights (the points index's default terms).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_keys.h"
#include "strbuf.h"

/* ---- config-keys -------------------------------------------------------- */

/* 15, 0.05, 1e-6, 1e9 */
static void put_number(fr_strbuf *b, double x)
{
    char s[32];
    if (x == floor(x) && fabs(x) < 1e6)
        snprintf(s, sizeof s, "%.0f", x);
    else
        snprintf(s, sizeof s, "%g", x);
    char *e = strchr(s, 'e');
    if (e) { /* 1e-06 -> 1e-6, 1e+09 -> 1e9 */
        char *p = e + 1, *d = e + 1;
        if (*p == '+')
            p++;
        else if (*p == '-')
            *d++ = *p++;
        while (*p == '0' && p[1])
            p++;
        memmove(d, p, strlen(p) + 1);
    }
    fr_sb_puts(b, s);
}

static void put_cell(fr_strbuf *b, const char *text)
{
    for (const char *c = text; *c; c++) {
        if (*c == '|')
            fr_sb_puts(b, "\\|");
        else
            fr_sb_printf(b, "%c", *c);
    }
}

static void put_type(fr_strbuf *b, const cfg_key *k)
{
    if (k->doc_type) {
        put_cell(b, k->doc_type);
        return;
    }
    switch (k->type) {
    case CFG_TEXT: fr_sb_puts(b, "text"); break;
    case CFG_PATH: fr_sb_puts(b, "path"); break;
    case CFG_BOOL: fr_sb_puts(b, "bool"); break;
    case CFG_TEXT_LIST: fr_sb_puts(b, "list of text"); break;
    case CFG_CHOICE:
        for (size_t i = 0; k->choices[i]; i++)
            fr_sb_printf(b, "%s`%s`", i ? ", " : "", k->choices[i]);
        break;
    case CFG_LIST: {
        char keys[400];
        cfg_list_keys(k->section, keys, sizeof keys);
        fr_sb_printf(b, "list of `{%s}`", keys);
        break;
    }
    case CFG_NUMBER:
    case CFG_WHOLE:
    case CFG_INT_CUT:
    case CFG_LONG_CUT:
        fr_sb_puts(b, k->type == CFG_WHOLE ? "whole number " : "number ");
        put_number(b, k->min);
        fr_sb_puts(b, " to ");
        put_number(b, k->max);
        if (k->type != CFG_NUMBER && k->type != CFG_WHOLE)
            fr_sb_puts(b, " (a fraction is cut off)");
        break;
    default: fr_sb_puts(b, "?"); break;
    }
}

/* One row; prefix may name alternatives ("layers.inspections|layers.incidents"). */
static int put_row(fr_strbuf *b, const char *prefix, const cfg_key *k, const char *suffix)
{
    if (!k->help) {
        fprintf(stderr, "config_doc: %s.%s has no help text in its table\n", prefix, k->key);
        return -1;
    }
    fr_sb_puts(b, "| ");
    for (const char *p = prefix, *bar; p; p = bar ? bar + 1 : NULL) {
        bar = strchr(p, '|');
        int n = bar ? (int)(bar - p) : (int)strlen(p);
        fr_sb_printf(b, "%s`%.*s%s%s%s`", p == prefix ? "" : ", ", n, p, n ? "." : "", k->key, suffix);
    }
    fr_sb_puts(b, " | ");
    put_type(b, k);
    fr_sb_puts(b, " | ");
    if (k->def && !k->doc_def)
        fr_sb_printf(b, "`%s`", k->def);
    else
        put_cell(b, k->doc_def ? k->doc_def : "none");
    fr_sb_puts(b, " | ");
    put_cell(b, k->help);
    fr_sb_puts(b, " |\n");
    return 0;
}

/* Sections shared by several keys (a layer's keys) are printed once. */
typedef struct {
    const cfg_section *done[32];
    size_t ndone;
} printed;

static int put_section(fr_strbuf *b, const cfg_section *s, const char *path, printed *pr)
{
    for (size_t i = 0; i < pr->ndone; i++)
        if (pr->done[i] == s)
            return 0;
    if (pr->ndone < sizeof pr->done / sizeof pr->done[0])
        pr->done[pr->ndone++] = s;
    const char *p = s->doc_path ? s->doc_path : path;
    if (s->extends && put_section(b, s->extends, p, pr) != 0)
        return -1;
    for (size_t i = 0; i < s->nkeys; i++) {
        const cfg_key *k = &s->keys[i];
        char child[256];
        cfg_path_join(child, sizeof child, p, k->key);
        if (k->type == CFG_SECTION) {
            if (put_section(b, k->section, child, pr) != 0)
                return -1;
            continue;
        }
        if (put_row(b, p, k, "") != 0)
            return -1;
        if (k->type == CFG_LIST) {
            strncat(child, "[]", sizeof child - strlen(child) - 1);
            if (put_section(b, k->section, child, pr) != 0)
                return -1;
        }
    }
    return 0;
}

static int gen_keys(fr_strbuf *b)
{
    printed pr = {0};
    fr_sb_puts(b, "| key | type | default | meaning |\n|---|---|---|---|\n");
    return put_section(b, &cfg_root_section, "", &pr);
}

/* ---- default-weights ---------------------------------------------------- */

static int gen_weights(fr_strbuf *b)
{
    fr_error err = {0};
    cfg_walk w = {.file = "(defaults)", .dir = ".", .err = &err};
    cfg_score score;
    memset(&score, 0, sizeof score);
    if (cfg_apply_defaults(&w, &cfg_score_section, "score", &score) != FR_OK) {
        fprintf(stderr, "config_doc: %s\n", err.message);
        cfg_release_section(&cfg_score_section, &score);
        return -1;
    }
    fr_sb_puts(b, "| feature | weight | cap | invert |\n|---|---|---|---|\n");
    for (size_t i = 0; i < score.nweights; i++) {
        const cfg_weight *t = &score.weights[i];
        fr_sb_printf(b, "| %s | %g | %g | %s |\n", t->feature, t->weight, t->cap, t->invert ? "yes" : "");
    }
    cfg_release_section(&cfg_score_section, &score);
    return 0;
}

/* ---- the file ----------------------------------------------------------- */

typedef struct {
    const char *name;
    int (*gen)(fr_strbuf *);
} part;

static const part parts[] = {{"config-keys", gen_keys}, {"default-weights", gen_weights}};
#define NPARTS (sizeof parts / sizeof parts[0])

static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fr_strbuf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        fr_sb_put(&b, chunk, n);
    fclose(fp);
    return fr_sb_take(&b);
}

/* FILE with each part's body replaced by its generation, in out; the
 * number of parts whose body differed in *changed. */
static int regenerate(const char *path, const char *text, fr_strbuf *out, int *changed)
{
    const char *at = text;
    *changed = 0;
    for (size_t i = 0; i < NPARTS; i++) {
        char open[96], close[96];
        snprintf(open, sizeof open, "<!-- generated: %s ", parts[i].name);
        snprintf(close, sizeof close, "<!-- end generated: %s -->\n", parts[i].name);
        const char *o = strstr(at, open), *body = o ? strchr(o, '\n') : NULL, *c = body ? strstr(body, close) : NULL;
        if (!c) {
            fprintf(stderr, "%s: no generated part '%s' (a line starting '%s' and, later, '%.*s')\n", path,
                    parts[i].name, open, (int)strlen(close) - 1, close);
            return -1;
        }
        body++;
        fr_strbuf gen = {0};
        fr_sb_puts(&gen, "\n"); /* blank lines around: the table is a block of its own */
        int bad = parts[i].gen(&gen) != 0;
        fr_sb_puts(&gen, "\n");
        if (bad || gen.oom) {
            fr_sb_free(&gen);
            return -1;
        }
        if ((size_t)(c - body) != gen.len || memcmp(body, gen.s, gen.len) != 0) {
            (*changed)++;
            fprintf(stderr, "%s: the part '%s' is not what the key tables (pipeline/config/) generate\n", path,
                    parts[i].name);
        }
        fr_sb_put(out, at, (size_t)(body - at));
        fr_sb_put(out, gen.s, gen.len);
        fr_sb_free(&gen);
        at = c;
    }
    fr_sb_puts(out, at);
    return out->oom ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 1) {
        fr_strbuf b = {0};
        for (size_t i = 0; i < NPARTS; i++)
            if (parts[i].gen(&b) != 0)
                return 1;
        fwrite(b.s, 1, b.len, stdout);
        fr_sb_free(&b);
        return 0;
    }
    if (argc != 3 || (strcmp(argv[1], "--check") && strcmp(argv[1], "--write"))) {
        fprintf(stderr, "usage: config_doc [--check FILE | --write FILE]\n");
        return 2;
    }
    const char *path = argv[2];
    char *text = read_file(path);
    if (!text) {
        perror(path);
        return 1;
    }
    fr_strbuf out = {0};
    int changed = 0;
    int rc = regenerate(path, text, &out, &changed) != 0;
    if (!rc && changed && !strcmp(argv[1], "--check")) {
        fprintf(stderr, "%s: regenerate it with: cmake --build build --target config-doc\n", path);
        rc = 1;
    }
    if (!rc && changed && !strcmp(argv[1], "--write")) {
        fr_error err = {0};
        if (fr_write_text_file(path, out.s, &err) != FR_OK) {
            fprintf(stderr, "config_doc: %s\n", err.message);
            rc = 1;
        }
    }
    free(text);
    fr_sb_free(&out);
    return rc;
}
