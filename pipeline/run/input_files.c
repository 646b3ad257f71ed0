/*
 * input_files.c — files behind the inputs, their stat and hash (see
 * input_files.h).
 */
#include "input_files.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "filehash.h"
#include "source_files.h"

static int find_file(const fr_inputs *in, const char *path)
{
    for (size_t i = 0; i < in->nfiles; i++)
        if (!strcmp(in->files[i].path, path))
            return (int)i;
    return -1;
}

/* Adds path (or adds role to its layers when already listed). */
static fr_status add_file(fr_inputs *in, const char *path, const char *role, fr_error *err)
{
    char abs[PATH_MAX];
    const char *p = realpath(path, abs) ? abs : path;
    int k = find_file(in, p);
    if (k >= 0) {
        fr_input_file *f = &in->files[k];
        size_t len = strlen(f->layers) + strlen(role) + 3;
        char *l = malloc(len);
        if (!l)
            return fr_error_oom(err);
        snprintf(l, len, "%s, %s", f->layers, role);
        free(f->layers);
        f->layers = l;
        return FR_OK;
    }
    fr_input_file *files = realloc(in->files, (in->nfiles + 1) * sizeof *files);
    if (!files)
        return fr_error_oom(err);
    in->files = files;
    fr_input_file *f = &files[in->nfiles];
    memset(f, 0, sizeof *f);
    f->path = strdup(p);
    f->layers = strdup(role);
    if (!f->path || !f->layers) {
        free(f->path);
        free(f->layers);
        return fr_error_oom(err);
    }
    in->nfiles++;
    struct stat sb;
    int rc = stat(f->path, &sb);
    if (rc == 0 && S_ISREG(sb.st_mode)) {
        f->size = (long long)sb.st_size;
        f->mtime = sb.st_mtim;
        struct timespec now;
        if (clock_gettime(CLOCK_REALTIME, &now) == 0 && sb.st_ctim.tv_sec + FR_INPUT_SETTLED_S <= now.tv_sec)
            snprintf(f->identity, sizeof f->identity, "%llu:%llu:%lld:%lld.%09ld:%lld.%09ld",
                     (unsigned long long)sb.st_dev, (unsigned long long)sb.st_ino, (long long)sb.st_size,
                     (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec, (long long)sb.st_ctim.tv_sec,
                     sb.st_ctim.tv_nsec);
    } else {
        f->size = -1;
        snprintf(f->error, sizeof f->error, "%s", rc != 0 ? strerror(errno) : "not a regular file");
    }
    return FR_OK;
}

static fr_status add_layer(fr_inputs *in, const cfg_layer *l, fr_error *err)
{
    if (!l->present || !l->source)
        return FR_OK;
    char **files = NULL, where[160];
    size_t n = 0;
    snprintf(where, sizeof where, "layers.%s.source", l->role);
    /* before GDAL opens it to list its files: a FIFO would block here, under the lock */
    fr_status st = geo_source_check_kind(l->source, where, err);
    if (st != FR_OK)
        return st;
    st = geo_source_files(l->source, (const char *const *)l->open_options, &files, &n, err);
    for (size_t i = 0; st == FR_OK && i < n; i++)
        st = add_file(in, files[i], l->role, err);
    geo_source_files_free(files, n);
    if (st != FR_OK || n > 0)
        return st;
    struct stat sb;
    if (stat(l->source, &sb) == 0)
        return FR_OK; /* a file GDAL cannot open: the reader will say so */
    fr_input_connection *c = realloc(in->conns, (in->nconns + 1) * sizeof *c);
    if (!c)
        return fr_error_oom(err);
    in->conns = c;
    c[in->nconns].role = strdup(l->role);
    c[in->nconns].source = strdup(l->source_label ? l->source_label : l->source);
    if (!c[in->nconns].role || !c[in->nconns].source) {
        free(c[in->nconns].role);
        free(c[in->nconns].source);
        return fr_error_oom(err);
    }
    in->nconns++;
    return FR_OK;
}

fr_status fr_inputs_collect(const fr_config *cfg, fr_inputs *in, fr_error *err)
{
    memset(in, 0, sizeof *in);
    fr_status st = add_file(in, cfg->path, "config", err);
    const cfg_layers *L = &cfg->layers;
    for (size_t i = 0; st == FR_OK && i < CFG_ROLE_LAYERS; i++)
        st = add_layer(in, cfg_role_layer(L, i), err);
    for (size_t z = 0; st == FR_OK && z < cfg->layers.nzones; z++)
        st = add_layer(in, &cfg->layers.zones[z], err);
    return st;
}

static void *hash_all(void *arg)
{
    fr_inputs *in = arg;
    for (size_t i = 0; i < in->nfiles; i++) {
        fr_input_file *f = &in->files[i];
        if (f->size < 0 || f->reused)
            continue;
        if (fr_sha256_file(f->path, f->sha256) != 0)
            snprintf(f->error, sizeof f->error, "cannot hash: %s", strerror(errno));
    }
    return NULL;
}

/* The sha256 the previous manifest's inputs list for path with identity,
 * into f when found. */
static void reuse_previous(fr_input_file *f, json_object *inputs)
{
    size_t n = json_object_is_type(inputs, json_type_array) ? json_object_array_length(inputs) : 0;
    for (size_t k = 0; k < n; k++) {
        json_object *o = json_object_array_get_idx(inputs, k), *path, *id, *sha;
        if (!json_object_object_get_ex(o, "path", &path) || !json_object_object_get_ex(o, "identity", &id) ||
            !json_object_object_get_ex(o, "sha256", &sha) || strcmp(json_object_get_string(path), f->path) != 0 ||
            strcmp(json_object_get_string(id), f->identity) != 0 || json_object_get_string_len(sha) != 64)
            continue;
        memcpy(f->sha256, json_object_get_string(sha), 65);
        f->reused = 1;
        return;
    }
}

fr_status fr_inputs_hash_start(fr_inputs *in, const char *previous_manifest, fr_error *err)
{
    (void)err;
    json_object *m = NULL, *inputs = NULL;
    struct stat sb;
    if (previous_manifest && stat(previous_manifest, &sb) == 0 && S_ISREG(sb.st_mode))
        m = json_object_from_file(previous_manifest); /* unreadable or not JSON: every file is hashed */
    if (m && json_object_object_get_ex(m, "inputs", &inputs))
        for (size_t i = 0; i < in->nfiles; i++)
            if (in->files[i].size >= 0 && in->files[i].identity[0])
                reuse_previous(&in->files[i], inputs);
    json_object_put(m);
    if (pthread_create(&in->thread, NULL, hash_all, in) != 0)
        hash_all(in); /* no thread to spare: hash now, the manifest still gets its hashes */
    else
        in->hashing = 1;
    return FR_OK;
}

void fr_inputs_hash_wait(fr_inputs *in)
{
    if (in->hashing) {
        pthread_join(in->thread, NULL);
        in->hashing = 0;
    }
}

size_t fr_inputs_recheck(fr_inputs *in)
{
    size_t changed = 0;
    for (size_t i = 0; i < in->nfiles; i++) {
        fr_input_file *f = &in->files[i];
        struct stat sb;
        if (f->size < 0)
            continue;
        int same = stat(f->path, &sb) == 0 && (long long)sb.st_size == f->size &&
                   sb.st_mtim.tv_sec == f->mtime.tv_sec && sb.st_mtim.tv_nsec == f->mtime.tv_nsec;
        if (!same) {
            f->changed = 1;
            changed++;
        }
    }
    return changed;
}

void fr_inputs_free(fr_inputs *in)
{
    fr_inputs_hash_wait(in);
    for (size_t i = 0; i < in->nfiles; i++) {
        free(in->files[i].path);
        free(in->files[i].layers);
    }
    free(in->files);
    for (size_t i = 0; i < in->nconns; i++) {
        free(in->conns[i].role);
        free(in->conns[i].source);
    }
    free(in->conns);
    memset(in, 0, sizeof *in);
}
