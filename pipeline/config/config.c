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
#include <unistd.h>

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

static fr_status load_file(fr_config *cfg, const char *name, fr_error *err);

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

/* `--config -`: stdin copied into a private file, so that everything that
 * reads the config by path (the walker, the input hashes, the manifest's
 * masked copy) reads it as any other config; relative paths in it are
 * resolved from the working directory. */
static fr_status load_stdin(fr_config *cfg, fr_error *err)
{
    const char *tmpdir = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/firerisk-config-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot hold the configuration read from stdin: %s", tmpl,
                            strerror(errno));
    char buf[65536];
    size_t total = 0;
    ssize_t n;
    fr_status st = FR_OK;
    while (st == FR_OK && (n = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            st = fr_error_set(err, FR_E_CONFIG, "stdin: cannot read the configuration: %s", strerror(errno));
        else if ((total += (size_t)n) > CONFIG_MAX_BYTES)
            st = fr_error_set(err, FR_E_CONFIG, "stdin: more than %d bytes is too large for a configuration",
                              CONFIG_MAX_BYTES);
        else if (write(fd, buf, (size_t)n) != n)
            st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot hold the configuration read from stdin: %s", tmpl,
                              strerror(errno));
    }
    if (close(fd) != 0 && st == FR_OK)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: %s", tmpl, strerror(errno));
    if (st == FR_OK && !(cfg->path = strdup(tmpl)))
        st = fr_error_oom(err);
    if (st != FR_OK) {
        unlink(tmpl);
        return st;
    }
    cfg->path_is_copy = 1;
    if (!(cfg->dir = strdup(".")))
        return fr_error_oom(err);
    return FR_OK;
}

fr_status fr_config_load(const char *path, fr_config *cfg, fr_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    if (!strcmp(path, "-")) {
        fr_status st = load_stdin(cfg, err);
        if (st != FR_OK) {
            fr_config_free(cfg);
            return st;
        }
        return load_file(cfg, "<stdin>", err);
    }
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
    cfg->path = strdup(path);
    char *tmp = strdup(path);
    cfg->dir = tmp ? strdup(dirname(tmp)) : NULL;
    free(tmp);
    if (!cfg->path || !cfg->dir) {
        fr_config_free(cfg);
        return fr_error_oom(err);
    }
    return load_file(cfg, path, err);
}

/* Parses cfg->path (named `name` in messages) into cfg; frees cfg on failure. */
static fr_status load_file(fr_config *cfg, const char *name, fr_error *err)
{
    FILE *fp = fopen(cfg->path, "rb");
    if (!fp) {
        fr_status st = fr_error_set(err, FR_E_CONFIG, "%s: cannot read the configuration: %s", name, strerror(errno));
        fr_config_free(cfg);
        return st;
    }
    cfg_walk w = {.file = name, .dir = cfg->dir, .err = err};
    fr_status st = set_defaults(&w, cfg);
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
    if (cfg->path_is_copy && cfg->path)
        unlink(cfg->path);
    free(cfg->path);
    free(cfg->dir);
    memset(cfg, 0, sizeof *cfg);
}
