/*
 * config_walk.c — reads a YAML mapping with a key table (config_keys.h).
 *
 * libyaml's document API gives a node tree with line numbers; this walker
 * is the only code that loops over a mapping: it looks each key up in its
 * section's rows, refuses an unknown one listing the allowed keys, and
 * reads the value with the typed getter of the row's type, so that every
 * wrong type or out-of-range value is refused with "file:line: ..." and the
 * key's full path (join.radius_m, layers.parcels.source).  Defaults are
 * applied by reading each row's default text with the same getters.
 */
#include "config_keys.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A key path: longer ones than this are YAML no config of ours has. */
#define PATH_MAX_LEN 256

fr_status cfg_fail(cfg_walk *w, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fr_error_set(w->err, FR_E_CONFIG, "%s:%lu: %s", w->file, n ? (unsigned long)n->start_mark.line + 1 : 0UL,
                        msg);
}

const char *cfg_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *cfg_node(cfg_walk *w, yaml_node_item_t id)
{
    return yaml_document_get_node(w->doc, id);
}

void cfg_path_join(char *out, size_t size, const char *path, const char *key)
{
    snprintf(out, size, "%s%s%s", path, *path ? "." : "", key);
}

void cfg_join_words(const char *const *words, const char *last_sep, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t used = 0, i = 0; words[i]; i++) {
        const char *sep = i == 0 ? "" : words[i + 1] ? ", " : last_sep;
        int n = snprintf(out + used, size - used, "%s%s", sep, words[i]);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

char *cfg_resolve_path(const char *dir, const char *src)
{
    int is_conn = strchr(src, ':') != NULL || strncmp(src, "/vsi", 4) == 0;
    if (src[0] == '/' || is_conn)
        return strdup(src);
    size_t n = strlen(dir) + strlen(src) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, src);
    return p;
}

/* ---- typed getters ------------------------------------------------------ */

fr_status cfg_get_text(cfg_walk *w, const yaml_node_t *n, const char *path, char **out)
{
    const char *s = cfg_scalar(n);
    if (!s)
        return cfg_fail(w, n, "'%s' must be a text value", path);
    free(*out);
    *out = strdup(s);
    return *out ? FR_OK : fr_error_oom(w->err);
}

fr_status cfg_get_number(cfg_walk *w, const yaml_node_t *n, const char *path, double min, double max, double *out)
{
    const char *s = cfg_scalar(n);
    char *end = NULL;
    errno = 0;
    double v = s ? strtod(s, &end) : NAN;
    if (!s || end == s || *end != '\0' || errno || !isfinite(v))
        return cfg_fail(w, n, "'%s' must be a number", path);
    if (v < min || v > max)
        return cfg_fail(w, n, "'%s' must be between %g and %g (got %g)", path, min, max, v);
    *out = v;
    return FR_OK;
}

static fr_status get_bool(cfg_walk *w, const yaml_node_t *n, const char *path, int *out)
{
    const char *s = cfg_scalar(n);
    if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1"))) {
        *out = 1;
        return FR_OK;
    }
    if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0"))) {
        *out = 0;
        return FR_OK;
    }
    return cfg_fail(w, n, "'%s' must be true or false", path);
}

fr_status cfg_expect_list(cfg_walk *w, const yaml_node_t *n, const char *path, const char *example, size_t *count)
{
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return cfg_fail(w, n, "'%s' must be a list (%s)", path, example);
    *count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    return FR_OK;
}

/* A text the row accepts: its own check (score.horizon is a span...). */
static fr_status check_text(cfg_walk *w, const cfg_key *k, const yaml_node_t *n, const char *path,
                            const char *what, const char *s)
{
    if (k->valid && !k->valid(s))
        return cfg_fail(w, n, "%s%s must be %s (got '%s')", path, what, k->must, s);
    return FR_OK;
}

static fr_status get_choice(cfg_walk *w, const cfg_key *k, const yaml_node_t *n, const char *path,
                            const char **out)
{
    const char *s = cfg_scalar(n);
    for (size_t i = 0; s && k->choices[i]; i++)
        if (!strcmp(s, k->choices[i])) {
            *out = k->choices[i];
            return FR_OK;
        }
    char words[200];
    cfg_join_words(k->choices, " or ", words, sizeof words);
    if (s)
        return cfg_fail(w, n, "%s '%s' is not known (%s)", path, s, words);
    return cfg_fail(w, n, "%s must be %s", path, words);
}

static fr_status get_text_list(cfg_walk *w, const cfg_key *k, const yaml_node_t *n, const char *path,
                               char ***out, size_t *count)
{
    size_t m = 0;
    fr_status st = cfg_expect_list(w, n, path, "[a, b] or '- a' lines", &m);
    if (st != FR_OK)
        return st;
    if (!(*out = calloc(m + 1, sizeof **out)))
        return fr_error_oom(w->err);
    for (size_t i = 0; i < m && st == FR_OK; i++) {
        yaml_node_t *it = cfg_node(w, n->data.sequence.items.start[i]);
        if ((st = cfg_get_text(w, it, path, &(*out)[i])) == FR_OK) {
            (*count)++;
            st = check_text(w, k, it, path, " entries", (*out)[i]);
        }
    }
    return st;
}

/* ---- the rows ----------------------------------------------------------- */

static fr_status parse_value(cfg_walk *w, const cfg_key *k, const yaml_node_t *v, const char *path, void *base);

/* The row of key name in s or the sections it extends. */
static const cfg_key *find_key(const cfg_section *s, const char *name)
{
    for (; s; s = s->extends)
        for (size_t i = 0; i < s->nkeys; i++)
            if (!strcmp(s->keys[i].key, name))
                return &s->keys[i];
    return NULL;
}

void cfg_list_keys(const cfg_section *s, char *out, size_t size)
{
    const char *words[64];
    size_t n = 0;
    const cfg_section *chain[8];
    size_t depth = 0;
    for (; s && depth < 8; s = s->extends)
        chain[depth++] = s;
    while (depth-- > 0)
        for (size_t i = 0; i < chain[depth]->nkeys && n + 1 < sizeof words / sizeof words[0]; i++)
            words[n++] = chain[depth]->keys[i].key;
    words[n] = NULL;
    cfg_join_words(words, ", ", out, size);
}

static fr_status expect_mapping(cfg_walk *w, const yaml_node_t *n, const char *path)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return cfg_fail(w, n, "'%s' must be a mapping (key: value lines)", path);
    return FR_OK;
}

fr_status cfg_walk_pairs(cfg_walk *w, const yaml_node_t *n, const char *path, const char *keys_are, void *array,
                         size_t size, cfg_pair_fn fn, void *base)
{
    fr_status st = expect_mapping(w, n, path);
    if (st != FR_OK)
        return st;
    size_t m = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    void *items = calloc(m ? m : 1, size);
    if (!items)
        return fr_error_oom(w->err);
    memcpy(array, &items, sizeof items); /* a pointer to the caller's element type: copied, not cast */
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; st == FR_OK && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(w, p->key);
        const char *name = cfg_scalar(k);
        char kpath[PATH_MAX_LEN];
        if (!name)
            return cfg_fail(w, k, "%s: each key is %s", path, keys_are);
        cfg_path_join(kpath, sizeof kpath, path, name);
        st = fn(w, k, name, cfg_node(w, p->value), kpath, base);
    }
    return st;
}

fr_status cfg_walk_section(cfg_walk *w, const yaml_node_t *n, const cfg_section *s, const char *path, void *base)
{
    const char *where = *path ? path : "the configuration";
    fr_status st = expect_mapping(w, n, where);
    if (st == FR_OK && s->begin)
        st = s->begin(w, n, path, base);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; st == FR_OK && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(w, p->key), *v = cfg_node(w, p->value);
        const char *name = cfg_scalar(k);
        const cfg_key *row = name ? find_key(s, name) : NULL;
        if (!row) {
            char allowed[400];
            cfg_list_keys(s, allowed, sizeof allowed);
            if (!name)
                return cfg_fail(w, k, "a key in %s is not text (allowed: %s)", where, allowed);
            return cfg_fail(w, k, "unknown key '%s' in %s (allowed: %s)", name, where, allowed);
        }
        char kpath[PATH_MAX_LEN];
        cfg_path_join(kpath, sizeof kpath, path, name);
        w->key = k;
        st = parse_value(w, row, v, kpath, base);
    }
    if (st == FR_OK && s->finish)
        st = s->finish(w, n, path, base);
    return st;
}

/* Frees what row k owns in base (a default being replaced, or everything
 * at the end); sections are released by cfg_release_section. */
static void release_value(const cfg_key *k, void *base)
{
    void *dst = (char *)base + k->offset;
    switch (k->type) {
    case CFG_TEXT:
    case CFG_PATH:
        free(*(char **)dst);
        *(char **)dst = NULL;
        break;
    case CFG_CHOICE:
        *(const char **)dst = NULL;
        break;
    case CFG_TEXT_LIST: {
        char **list = *(char ***)dst;
        for (size_t i = 0; list && list[i]; i++)
            free(list[i]);
        free(list);
        *(char ***)dst = NULL;
        *(size_t *)((char *)base + k->count) = 0;
        break;
    }
    case CFG_LIST: {
        char *items; /* the array's pointer type is the section's struct: copied, not cast */
        memcpy(&items, dst, sizeof items);
        size_t *count = (size_t *)((char *)base + k->count);
        for (size_t i = 0; i < *count; i++)
            cfg_release_section(k->section, items + i * k->section->size);
        free(items);
        memset(dst, 0, sizeof items);
        *count = 0;
        break;
    }
    case CFG_SECTION:
        cfg_release_section(k->section, dst);
        break;
    case CFG_CUSTOM:
        if (k->release)
            k->release(base);
        break;
    default:
        break;
    }
}

void cfg_release_section(const cfg_section *s, void *base)
{
    if (s->extends)
        cfg_release_section(s->extends, base);
    for (size_t i = 0; i < s->nkeys; i++)
        release_value(&s->keys[i], base);
    if (s->release)
        s->release(base);
}

static fr_status parse_list(cfg_walk *w, const cfg_key *k, const yaml_node_t *v, const char *path, void *base)
{
    if (!v || v->type != YAML_SEQUENCE_NODE) {
        char keys[400];
        cfg_list_keys(k->section, keys, sizeof keys);
        return cfg_fail(w, v, "'%s' must be a list of mappings with the keys %s", path, keys);
    }
    size_t m = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start), size = k->section->size;
    size_t *count = (size_t *)((char *)base + k->count);
    char *items = calloc(m ? m : 1, size);
    if (!items)
        return fr_error_oom(w->err);
    memcpy((char *)base + k->offset, &items, sizeof items); /* a pointer to the section's struct */
    fr_status st = FR_OK;
    for (size_t i = 0; i < m && st == FR_OK; i++) {
        char ipath[PATH_MAX_LEN];
        snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
        (*count)++;
        st = cfg_apply_defaults(w, k->section, ipath, items + i * size);
        if (st == FR_OK)
            st = cfg_walk_section(w, cfg_node(w, v->data.sequence.items.start[i]), k->section, ipath,
                                  items + i * size);
    }
    return st;
}

static fr_status parse_value(cfg_walk *w, const cfg_key *k, const yaml_node_t *v, const char *path, void *base)
{
    void *dst = (char *)base + k->offset;
    double d = 0;
    fr_status st;
    if (k->type != CFG_SECTION)
        release_value(k, base); /* the value replaces the default */
    switch (k->type) {
    case CFG_TEXT:
        st = cfg_get_text(w, v, path, (char **)dst);
        return st == FR_OK ? check_text(w, k, v, path, "", *(char **)dst) : st;
    case CFG_PATH: {
        char *raw = NULL;
        if ((st = cfg_get_text(w, v, path, &raw)) == FR_OK && !(*(char **)dst = cfg_resolve_path(w->dir, raw)))
            st = fr_error_oom(w->err);
        free(raw);
        return st;
    }
    case CFG_BOOL:
        return get_bool(w, v, path, (int *)dst);
    case CFG_NUMBER:
        return cfg_get_number(w, v, path, k->min, k->max, (double *)dst);
    case CFG_WHOLE:
        if ((st = cfg_get_number(w, v, path, k->min, k->max, &d)) == FR_OK && d != floor(d))
            st = cfg_fail(w, v, "'%s' must be a whole number", path);
        if (st == FR_OK)
            *(int *)dst = (int)d;
        return st;
    case CFG_INT_CUT:
        if ((st = cfg_get_number(w, v, path, k->min, k->max, &d)) == FR_OK)
            *(int *)dst = (int)d;
        return st;
    case CFG_LONG_CUT:
        if ((st = cfg_get_number(w, v, path, k->min, k->max, &d)) == FR_OK)
            *(long *)dst = (long)d;
        return st;
    case CFG_CHOICE:
        return get_choice(w, k, v, path, (const char **)dst);
    case CFG_TEXT_LIST:
        return get_text_list(w, k, v, path, (char ***)dst, (size_t *)((char *)base + k->count));
    case CFG_SECTION:
        return cfg_walk_section(w, v, k->section, path, dst);
    case CFG_LIST:
        return parse_list(w, k, v, path, base);
    case CFG_CUSTOM:
        return k->parse(w, v, path, base);
    }
    return fr_error_set(w->err, FR_E_INTERNAL, "%s: key type %d has no reader", path, (int)k->type);
}

/* ---- defaults ----------------------------------------------------------- */

/* Reads row k's default text as if the user had written it: the same
 * getter, so that a default is a value the key accepts (a unit test loads
 * every one). */
static fr_status apply_default(cfg_walk *w, const cfg_key *k, const char *path, void *base)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return fr_error_oom(w->err);
    yaml_parser_set_input_string(&parser, (const unsigned char *)k->def, strlen(k->def));
    fr_status st;
    if (!yaml_parser_load(&parser, &doc)) {
        st = parser.error == YAML_MEMORY_ERROR
                 ? fr_error_oom(w->err)
                 : fr_error_set(w->err, FR_E_INTERNAL, "the default of %s is not YAML: %s", path,
                                parser.problem ? parser.problem : "?");
    } else {
        cfg_walk dw = {.doc = &doc, .file = "(firerisk's built-in default)", .dir = w->dir, .err = w->err};
        st = parse_value(&dw, k, yaml_document_get_root_node(&doc), path, base);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    return st;
}

fr_status cfg_apply_default_of(cfg_walk *w, const cfg_section *s, const char *key, const char *path, void *base)
{
    const cfg_key *k = find_key(s, key);
    char kpath[PATH_MAX_LEN];
    cfg_path_join(kpath, sizeof kpath, path, key);
    if (!k || !k->def)
        return fr_error_set(w->err, FR_E_INTERNAL, "%s has no default", kpath);
    return apply_default(w, k, kpath, base);
}

fr_status cfg_apply_defaults(cfg_walk *w, const cfg_section *s, const char *path, void *base)
{
    fr_status st = s->extends ? cfg_apply_defaults(w, s->extends, path, base) : FR_OK;
    for (size_t i = 0; i < s->nkeys && st == FR_OK; i++) {
        const cfg_key *k = &s->keys[i];
        char kpath[PATH_MAX_LEN];
        cfg_path_join(kpath, sizeof kpath, path, k->key);
        if (k->def)
            st = apply_default(w, k, kpath, base);
        else if (k->type == CFG_SECTION)
            st = cfg_apply_defaults(w, k->section, kpath, (char *)base + k->offset);
    }
    return st;
}
