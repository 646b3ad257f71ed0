/*
 * config.c — loads a configuration file (config.h, docs/CONFIG.md): reads
 * it with libyaml, checks the document, fills in the tables' defaults and
 * walks the top-level table (config_keys.h) over it, then checks what
 * depends on several sections (config_checks.c).
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "config_keys.h"

/* Largest config accepted: a nightly config is a page; anything near this
 * is a wrong file. */
#define CONFIG_MAX_BYTES (1024 * 1024)

/* Every default: the tables' (cfg_apply_defaults), and the one that is not
 * a value a user may write, so not a table's default text. */
static fr_status set_defaults(cfg_walk *w, fr_config *cfg)
{
    cfg->output.capacity_per_zone.default_limit = CFG_NO_LIMIT;
    return cfg_apply_defaults(w, &cfg_root_section, "", cfg);
}

static fr_status parse_file(cfg_walk *w, yaml_parser_t *parser, fr_config *cfg)
{
    yaml_document_t doc;
    if (!yaml_parser_load(parser, &doc)) {
        if (parser->error == YAML_MEMORY_ERROR)
            return fr_error_oom(w->err);
        return fr_error_set(w->err, FR_E_CONFIG, "%s:%lu: not valid YAML: %s", w->file,
                            (unsigned long)parser->problem_mark.line + 1,
                            parser->problem ? parser->problem : "parse error");
    }
    w->doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    fr_status st = FR_OK;
    if (!root)
        st = fr_error_set(w->err, FR_E_CONFIG, "%s: the file is empty", w->file);
    if (st == FR_OK)
        st = cfg_check_duplicate_keys(w);
    if (st == FR_OK)
        st = cfg_walk_section(w, root, &cfg_root_section, "", cfg);
    if (st == FR_OK)
        st = cfg_check_config(w, root, cfg);
    yaml_document_delete(&doc);
    w->doc = NULL;
    if (st == FR_OK)
        st = cfg_check_single_document(w, parser);
    return st;
}

fr_status fr_config_load(const char *path, fr_config *cfg, fr_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return fr_error_set(err, FR_E_CONFIG, "%s: cannot read the configuration: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return fr_error_set(err, FR_E_CONFIG, "%s: is a directory, not a configuration file", path);
    if (!S_ISREG(sb.st_mode)) /* a FIFO would block the open forever */
        return fr_error_set(err, FR_E_CONFIG, "%s: is not a regular file (a FIFO, device or socket); refused", path);
    if (sb.st_size > CONFIG_MAX_BYTES)
        return fr_error_set(err, FR_E_CONFIG, "%s: %lld bytes is too large for a configuration (limit %d); wrong file?",
                            path, (long long)sb.st_size, CONFIG_MAX_BYTES);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return fr_error_set(err, FR_E_CONFIG, "%s: cannot read the configuration: %s", path, strerror(errno));
    cfg->path = strdup(path);
    char *tmp = strdup(path);
    cfg->dir = tmp ? strdup(dirname(tmp)) : NULL;
    free(tmp);
    cfg_walk w = {.file = path, .dir = cfg->dir, .err = err};
    fr_status st = cfg->path && cfg->dir ? set_defaults(&w, cfg) : fr_error_oom(err);
    yaml_parser_t parser;
    if (st == FR_OK && !yaml_parser_initialize(&parser))
        st = fr_error_oom(err);
    if (st == FR_OK) {
        yaml_parser_set_input_file(&parser, fp);
        st = parse_file(&w, &parser, cfg);
        yaml_parser_delete(&parser);
    }
    fclose(fp);
    if (st != FR_OK)
        fr_config_free(cfg);
    return st;
}

void fr_config_free(fr_config *cfg)
{
    cfg_release_section(&cfg_root_section, cfg);
    free(cfg->path);
    free(cfg->dir);
    memset(cfg, 0, sizeof *cfg);
}
