/*
 * config_keys.h — the key tables of the configuration, and the walker that
 * reads YAML with them (internal to pipeline/config/ and the docs generator,
 * scripts/config_doc.c).
 *
 * Each YAML mapping (the top level, join:, score.gbdt:, layers.<role>:, a
 * score.weights entry...) is a cfg_section: an array of cfg_key rows, one
 * per key, saying where the value goes (an offset into the section's
 * struct), its type and range, its default and a one-line help.  The one
 * walker (config_walk.c) uses the rows to parse, to fill in defaults, to
 * free, and to list the allowed keys when a key is unknown; the docs
 * generator prints the same rows as the key reference of docs/CONFIG.md.
 * A key that is not a plain value (a date, a layer's fields, the join
 * steps...) is CFG_CUSTOM and has a parse function of its own.
 *
 * Adding a key: docs/DEVELOPING.md ("A config key").
 */
#ifndef FR_CONFIG_KEYS_H
#define FR_CONFIG_KEYS_H

#include <stddef.h>

#include <yaml.h>

#include "config.h"

typedef enum {
    CFG_TEXT,      /* char *, owned */
    CFG_PATH,      /* char *, owned; relative to the config's directory unless absolute or a connection string */
    CFG_BOOL,      /* int 0/1: true/yes/1, false/no/0 */
    CFG_NUMBER,    /* double in [min, max] */
    CFG_WHOLE,     /* int in [min, max]; a fraction is refused */
    CFG_INT_CUT,   /* int in [min, max]; a fraction is cut off (7.9 loads as 7; kept as it always was) */
    CFG_LONG_CUT,  /* long, likewise */
    CFG_CHOICE,    /* const char *, one of .choices (the table's text: not owned) */
    CFG_TEXT_LIST, /* char ** (NULL-terminated, owned) and a size_t count at .count */
    CFG_SECTION,   /* a nested mapping: .section, its struct at .offset */
    CFG_LIST,      /* a list of .section mappings: an array at .offset, its size_t count at .count */
    CFG_CUSTOM,    /* .parse (and .release for what it allocates) */
} cfg_type;

typedef struct cfg_walk cfg_walk;
typedef struct cfg_key cfg_key;
typedef struct cfg_section cfg_section;

/* A CFG_CUSTOM key: parses node n (the key's value, path its key path) into
 * the section's struct at base. */
typedef fr_status (*cfg_parse_fn)(cfg_walk *w, const yaml_node_t *n, const char *path, void *base);
/* Frees what a custom key or a section's hook allocated in base, leaving
 * it as a fresh (zeroed) value. */
typedef void (*cfg_release_fn)(void *base);
/* A section's hooks: begin before its keys (n is the mapping), finish after
 * them, for the checks across its keys. */
typedef fr_status (*cfg_hook_fn)(cfg_walk *w, const yaml_node_t *n, const char *path, void *base);

struct cfg_key {
    const char *key;
    cfg_type type;
    size_t offset;               /* of the value in the section's struct */
    size_t count;                /* CFG_TEXT_LIST, CFG_LIST: offset of the size_t count */
    double min, max;             /* numbers */
    const char *const *choices;  /* CFG_CHOICE: NULL-terminated */
    int (*valid)(const char *);  /* CFG_TEXT, CFG_TEXT_LIST: 1 when a text is acceptable ... */
    const char *must;            /* ... else "<key> must be <must> (got '...')" */
    const cfg_section *section;  /* CFG_SECTION, CFG_LIST */
    cfg_parse_fn parse;          /* CFG_CUSTOM */
    cfg_release_fn release;      /* CFG_CUSTOM */
    const char *def;             /* the value when the key is absent, as YAML text; NULL: none */
    const char *doc_type;        /* docs: the type when the generated one would not say it */
    const char *doc_def;         /* docs: the default in words, when def is NULL or needs words */
    const char *help;            /* docs: one line (the meaning column of the key reference) */
};

struct cfg_section {
    const cfg_key *keys;
    size_t nkeys;
    const cfg_section *extends;  /* a section whose keys this one also takes (listed first) */
    size_t size;                 /* sizeof the struct (CFG_LIST entries) */
    cfg_hook_fn begin, finish;   /* optional */
    cfg_release_fn release;      /* optional: frees what the hooks allocated */
    const char *doc_path;        /* docs: how its key paths are written ("layers.<role>"); NULL: as parsed */
};

#define CFG_SECTION_OF(rows) .keys = (rows), .nkeys = sizeof(rows) / sizeof((rows)[0])

/* The names of cfg_join_step values, [CFG_JOIN_PARCEL_ID] = "parcel_id"... */
extern const char *const cfg_join_step_names[CFG_JOIN_MAX + 1];

/* The top level (config_root.c, with join: and features:); everything else
 * hangs below it. */
extern const cfg_section cfg_root_section;
/* Below it, defined in the file of their section's jobs. */
extern const cfg_section cfg_layers_section; /* config_layers.c */
extern const cfg_section cfg_score_section;  /* config_score.c */
extern const cfg_section cfg_output_section; /* config_output.c */
extern const cfg_section cfg_targets_section; /* config_targets.c */

/* ---- the walker (config_walk.c) ----------------------------------------- */

struct cfg_walk {
    yaml_document_t *doc;
    const char *file;    /* named in every message */
    const char *dir;     /* the config's directory, for relative paths */
    fr_error *err;
    const yaml_node_t *key; /* the key whose value is being read (a custom key may name its line) */
};

/* "file:line: message" for node n (line 0 when n is NULL). */
fr_status cfg_fail(cfg_walk *w, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The text of a scalar node, else NULL. */
const char *cfg_scalar(const yaml_node_t *n);
yaml_node_t *cfg_node(cfg_walk *w, yaml_node_item_t id);
/* The typed getters, for custom keys: messages name the key by path. */
fr_status cfg_get_text(cfg_walk *w, const yaml_node_t *n, const char *path, char **out);
fr_status cfg_get_number(cfg_walk *w, const yaml_node_t *n, const char *path, double min, double max, double *out);
fr_status cfg_expect_list(cfg_walk *w, const yaml_node_t *n, const char *path, const char *example, size_t *count);
/* src relative to dir unless absolute or a connection string ("PG:...",
 * "/vsi...", anything with a ':'); malloc'd, NULL when out of memory. */
char *cfg_resolve_path(const char *dir, const char *src);
/* The path of a child key: "join" + "radius_m" -> "join.radius_m" ("" is the top level). */
void cfg_path_join(char *out, size_t size, const char *path, const char *key);

/* A mapping whose keys the user names (a layer's fields, the capacity's
 * limits): allocates an array of one element of size per pair and stores
 * its address in the pointer at array (e.g. &l->fields), then calls fn for
 * each pair with the key's text and path; a key that is not text is refused
 * as not being <keys_are> ("a field name"). */
typedef fr_status (*cfg_pair_fn)(cfg_walk *w, const yaml_node_t *k, const char *name, const yaml_node_t *v,
                                 const char *path, void *base);
fr_status cfg_walk_pairs(cfg_walk *w, const yaml_node_t *n, const char *path, const char *keys_are, void *array,
                         size_t size, cfg_pair_fn fn, void *base);
/* Walks mapping n with section s into base: the section's hooks, each key
 * by its row (unknown keys refused with the allowed ones listed). */
fr_status cfg_walk_section(cfg_walk *w, const yaml_node_t *n, const cfg_section *s, const char *path, void *base);
/* Sets every key of s (and the sections below it) that has a default. */
fr_status cfg_apply_defaults(cfg_walk *w, const cfg_section *s, const char *path, void *base);
/* Sets key (a row of s with a default) to its default again. */
fr_status cfg_apply_default_of(cfg_walk *w, const cfg_section *s, const char *key, const char *path, void *base);
/* Frees everything the rows of s and its hooks own in base and zeroes it. */
void cfg_release_section(const cfg_section *s, void *base);
/* "a, b, c": the keys of s, those of the sections it extends first. */
void cfg_list_keys(const cfg_section *s, char *out, size_t size);
/* "a, b or c" */
void cfg_join_words(const char *const *words, const char *last_sep, char *out, size_t size);

/* ---- across keys (config_checks.c) -------------------------------------- */

/* The document as a whole, before the walk: a key given twice in a mapping. */
fr_status cfg_check_duplicate_keys(cfg_walk *w);
/* After the first document: a second one ("---") would be ignored. */
fr_status cfg_check_single_document(cfg_walk *w, yaml_parser_t *parser);
/* After the walk: what needs keys of several sections (required layers and
 * fields, join steps and their data, zone names, the capacity's zone). */
fr_status cfg_check_config(cfg_walk *w, const yaml_node_t *root, const fr_config *cfg);

#endif
