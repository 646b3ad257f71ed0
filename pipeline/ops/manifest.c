/*
 * manifest.c — run_manifest.json (see manifest.h), built with json-c.
 *
 * Output hashes are computed in parallel over the files (the GeoJSON and
 * the .shp of 1M parcels are most of a GB; one thread each).
 */
#include "manifest.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "filehash.h"
#include "gdal_versions.h"
#include "mask.h"

static const char *const stage_names[FR_STAGE_COUNT] = {"read", "join", "features", "score", "write"};

static void iso_time(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* v as a JSON number written with `decimals` decimals. */
static json_object *fixed(double v, int decimals)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return json_object_new_double_s(v, buf);
}

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *layer_json(const cfg_layer *l)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "source", str_or_null(l->source_label ? l->source_label : l->source));
    json_object_object_add(o, "layer", str_or_null(l->layer));
    if (l->where)
        json_object_object_add(o, "where", json_object_new_string(l->where));
    if (l->crs)
        json_object_object_add(o, "crs", json_object_new_string(l->crs));
    return o;
}

/* The config as the user wrote it (passwords masked), and where it was. */
static json_object *config_json(const fr_config *cfg)
{
    json_object *o = json_object_new_object();
    char abs[PATH_MAX];
    json_object_object_add(o, "path", json_object_new_string(realpath(cfg->path, abs) ? abs : cfg->path));
    FILE *fp = fopen(cfg->path, "rb");
    if (fp) {
        /* fr_config_load refused anything over 1 MiB */
        char *text = malloc((1 << 20) + 1);
        size_t n = text ? fread(text, 1, 1 << 20, fp) : 0;
        if (text) {
            text[n] = '\0';
            char *masked = fr_mask_secrets(text);
            if (masked)
                json_object_object_add(o, "text", json_object_new_string(masked));
            free(masked);
        }
        free(text);
        fclose(fp);
    }
    json_object *layers = json_object_new_object();
    const cfg_layers *L = &cfg->layers;
    for (size_t i = 0; i < CFG_ROLE_LAYERS; i++)
        if (cfg_role_layer(L, i)->present)
            json_object_object_add(layers, cfg_role_layer(L, i)->role, layer_json(cfg_role_layer(L, i)));
    for (size_t z = 0; z < cfg->layers.nzones; z++)
        json_object_object_add(layers, cfg->layers.zones[z].role, layer_json(&cfg->layers.zones[z]));
    json_object_object_add(o, "layers", layers);
    return o;
}

static json_object *inputs_json(const fr_inputs *in)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < in->nfiles; i++) {
        const fr_input_file *f = &in->files[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "path", json_object_new_string(f->path));
        json_object *roles = json_object_new_array();
        char *copy = strdup(f->layers), *save = NULL;
        for (char *r = copy ? strtok_r(copy, ", ", &save) : NULL; r; r = strtok_r(NULL, ", ", &save))
            json_object_array_add(roles, json_object_new_string(r));
        free(copy);
        json_object_object_add(o, "layers", roles);
        if (f->size >= 0) {
            char when[32];
            iso_time(f->mtime.tv_sec, when);
            json_object_object_add(o, "size", json_object_new_int64(f->size));
            json_object_object_add(o, "mtime", json_object_new_string(when));
        }
        if (f->sha256[0])
            json_object_object_add(o, "sha256", json_object_new_string(f->sha256));
        if (f->identity[0])
            json_object_object_add(o, "identity", json_object_new_string(f->identity));
        if (f->reused)
            json_object_object_add(o, "sha256_from_previous_run", json_object_new_boolean(1));
        if (f->error[0])
            json_object_object_add(o, "error", json_object_new_string(f->error));
        if (f->changed)
            json_object_object_add(o, "changed_during_run", json_object_new_boolean(1));
        json_object_array_add(a, o);
    }
    for (size_t i = 0; i < in->nconns; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "source", json_object_new_string(in->conns[i].source));
        json_object *roles = json_object_new_array();
        json_object_array_add(roles, json_object_new_string(in->conns[i].role));
        json_object_object_add(o, "layers", roles);
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *counts_json(const fr_run_summary *s)
{
    json_object *o = json_object_new_object();
    for (size_t k = 0; k < s->nlayers; k++) {
        const fr_layer_counts *c = &s->layers[k];
        if (!c->present)
            continue;
        json_object *l = json_object_new_object();
        json_object *rd = json_object_new_object();
        json_object_object_add(rd, "records", json_object_new_int64((int64_t)c->read));
        json_object_object_add(rd, "rejected", json_object_new_int64((int64_t)c->rejected_read));
        json_object_object_add(rd, "duplicates", json_object_new_int64((int64_t)c->duplicates));
        json_object_object_add(rd, "repaired", json_object_new_int64((int64_t)c->repaired));
        json_object_object_add(rd, "values_unreadable", json_object_new_int64((int64_t)c->warnings));
        json_object_object_add(rd, "text_recoded", json_object_new_int64((int64_t)c->recoded));
        json_object_object_add(rd, "kept", json_object_new_int64((int64_t)c->kept));
        json_object_object_add(l, "read", rd);
        if (c->by_id + c->by_id_normalised + c->by_address + c->by_address_near + c->by_contains + c->by_nearest + c->unmatched > 0) {
            json_object *j = json_object_new_object();
            json_object_object_add(j, "by_id", json_object_new_int64((int64_t)c->by_id));
            json_object_object_add(j, "by_id_normalised", json_object_new_int64((int64_t)c->by_id_normalised));
            json_object_object_add(j, "by_address", json_object_new_int64((int64_t)c->by_address));
            json_object_object_add(j, "by_address_near", json_object_new_int64((int64_t)c->by_address_near));
            json_object_object_add(j, "by_contains", json_object_new_int64((int64_t)c->by_contains));
            json_object_object_add(j, "by_nearest", json_object_new_int64((int64_t)c->by_nearest));
            json_object_object_add(j, "unmatched", json_object_new_int64((int64_t)c->unmatched));
            json_object_object_add(l, "join", j);
        }
        json_object_object_add(l, "used", json_object_new_int64((int64_t)c->used));
        json_object_object_add(l, "rejected", json_object_new_int64((int64_t)c->rejected));
        json_object_object_add(l, "balanced", json_object_new_boolean(c->read == c->used + c->rejected));
        json_object_object_add(o, c->name, l);
    }
    return o;
}

static json_object *notes_json(const fr_check_note *n, size_t count)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < count; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "check", json_object_new_string(n[i].name));
        json_object_object_add(o, "figures", json_object_new_string(n[i].text));
        json_object_array_add(a, o);
    }
    return a;
}

/* The quality checks: what failed (published only with --accept, which
 * "accepted" records) and what came close. */
static json_object *checks_json(const fr_check_results *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "enabled", json_object_new_boolean(c->enabled));
    json_object_object_add(o, "compared_with_previous_run", json_object_new_boolean(c->compared));
    json_object_object_add(o, "accepted", json_object_new_boolean(c->accepted));
    json_object_object_add(o, "failed", notes_json(c->failed, c->nfailed));
    json_object_object_add(o, "notable", notes_json(c->notable, c->nnotable));
    return o;
}

/* {"layer": {"reason": count}} in order of first appearance. */
static json_object *reasons_json(const geo_rejects *r)
{
    json_object *o = json_object_new_object();
    for (size_t i = 0; r && i < r->count; i++) {
        json_object *l = NULL, *c = NULL;
        if (!json_object_object_get_ex(o, r->items[i].layer, &l)) {
            l = json_object_new_object();
            json_object_object_add(o, r->items[i].layer, l);
        }
        if (json_object_object_get_ex(l, r->items[i].reason, &c))
            json_object_set_int64(c, json_object_get_int64(c) + 1);
        else
            json_object_object_add(l, r->items[i].reason, json_object_new_int64(1));
    }
    return o;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void fr_output_hashes_free(fr_output_hashes *h)
{
    for (size_t i = 0; i < h->count; i++)
        free(h->names[i]);
    free(h->names);
    free(h->size);
    free(h->sha256);
    memset(h, 0, sizeof *h);
}

/* The hash of name in known (sorted), when its size is still size. */
static const char *known_hash(const fr_output_hashes *known, const char *name, long long size)
{
    size_t lo = 0, hi = known ? known->count : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(known->names[mid], name);
        if (c == 0)
            return known->size[mid] == size ? known->sha256[mid] : NULL;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Every file in dir (but the manifest), sorted, with size and hash, in
 * parallel over the files; a file in known with the same size, or of
 * digests (taken on its writer's thread) still valid, keeps the hash it
 * had there. */
static fr_status hash_dir(const char *dir, const fr_output_hashes *known, const fr_file_digest *digests,
                         size_t ndigests, fr_output_hashes *out, fr_error *err)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d)
        return fr_error_set(err, FR_E_OUTPUT, "cannot read %s: %s", dir, strerror(errno));
    size_t n = 0;
    struct dirent *e;
    fr_status st = FR_OK;
    while (st == FR_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, FR_MANIFEST_NAME))
            continue;
        char **grown = realloc(out->names, (n + 1) * sizeof *out->names);
        if (grown)
            out->names = grown;
        if (!grown || !(grown[n] = strdup(e->d_name))) {
            st = fr_error_oom(err);
            break;
        }
        out->count = ++n;
    }
    closedir(d);
    out->sha256 = st == FR_OK ? calloc(n ? n : 1, sizeof *out->sha256) : NULL;
    out->size = st == FR_OK ? calloc(n ? n : 1, sizeof *out->size) : NULL;
    int *fail = st == FR_OK ? calloc(n ? n : 1, sizeof *fail) : NULL;
    if (st == FR_OK && (!out->sha256 || !out->size || !fail))
        st = fr_error_oom(err);
    if (st == FR_OK) {
        qsort(out->names, n, sizeof *out->names, cmp_str);
#pragma omp parallel for schedule(dynamic, 1)
        for (size_t i = 0; i < n; i++) {
            char path[PATH_MAX + NAME_MAX + 2];
            snprintf(path, sizeof path, "%s/%s", dir, out->names[i]);
            struct stat sb;
            out->size[i] = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
            const char *had = known_hash(known, out->names[i], out->size[i]);
            for (size_t k = 0; k < ndigests && !had; k++)
                if (fr_file_digest_valid(&digests[k], out->names[i], path))
                    had = digests[k].hex;
            if (had)
                memcpy(out->sha256[i], had, sizeof out->sha256[i]);
            else
                fail[i] = fr_sha256_file(path, out->sha256[i]) != 0 ? (errno ? errno : EIO) : 0;
        }
        for (size_t i = 0; i < n && st == FR_OK; i++)
            if (fail[i])
                st = fr_error_set(err, FR_E_OUTPUT, "%s/%s: cannot read it back to hash it: %s", dir, out->names[i],
                                  strerror(fail[i]));
    }
    free(fail);
    if (st != FR_OK)
        fr_output_hashes_free(out);
    return st;
}

fr_status fr_outputs_hash(const char *dir, const fr_file_digest *digests, size_t ndigests, fr_output_hashes *out,
                          fr_error *err)
{
    return hash_dir(dir, NULL, digests, ndigests, out, err);
}

/* The "outputs" array: every file in dir (but the manifest). */
static fr_status outputs_json(const char *dir, const fr_output_hashes *known, json_object **out, fr_error *err)
{
    fr_output_hashes h;
    fr_status st = hash_dir(dir, known, NULL, 0, &h, err);
    if (st != FR_OK)
        return st;
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < h.count; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "file", json_object_new_string(h.names[i]));
        json_object_object_add(o, "size", json_object_new_int64(h.size[i]));
        json_object_object_add(o, "sha256", json_object_new_string(h.sha256[i]));
        json_object_array_add(a, o);
    }
    *out = a;
    fr_output_hashes_free(&h);
    return FR_OK;
}

fr_status fr_accounting_check(const fr_run_summary *s, fr_error *err)
{
    for (size_t k = 0; k < s->nlayers; k++) {
        const fr_layer_counts *c = &s->layers[k];
        if (c->present && c->read != c->used + c->rejected)
            return fr_error_set(err, FR_E_INTERNAL,
                                "records of layer %s do not add up: %zu read != %zu used + %zu rejected (a bug: "
                                "please report it with the run's inputs)",
                                c->name, c->read, c->used, c->rejected);
    }
    return FR_OK;
}

static fr_status write_text(const char *path, const char *text, fr_error *err)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot create the file: %s", path, strerror(errno));
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, fp) != n || fputc('\n', fp) == EOF || fflush(fp) != 0;
    int e = errno;
    if (fclose(fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    return bad ? fr_error_set(err, FR_E_OUTPUT, "%s: writing failed: %s", path, strerror(e ? e : EIO)) : FR_OK;
}

/* The libraries loaded at run time: a result can change with their version. */
static json_object *libraries_json(void)
{
    geo_versions v;
    geo_versions_get(&v);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "gdal", json_object_new_string(v.gdal));
    json_object_object_add(o, "geos", json_object_new_string(v.geos));
    json_object_object_add(o, "proj", json_object_new_string(v.proj));
    json_object_object_add(o, "json_c", json_object_new_string(json_c_version()));
    return o;
}

fr_status fr_manifest_write(const char *dir, const fr_manifest_info *info, fr_error *err)
{
    const fr_run_summary *s = info->summary;
    json_object *outputs = NULL;
    fr_status st = outputs_json(dir, info->hashed, &outputs, err);
    if (st != FR_OK)
        return st;
    json_object *m = json_object_new_object();
    char when[32], host[256] = "";
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    json_object_object_add(m, "manifest_version", json_object_new_int(1));
    json_object_object_add(m, "firerisk_version", json_object_new_string(FIRERISK_VERSION));
    json_object_object_add(m, "libraries", libraries_json());
    json_object_object_add(m, "status", json_object_new_string("ok"));
    iso_time(info->started.tv_sec, when);
    json_object_object_add(m, "started", json_object_new_string(when));
    iso_time(time(NULL), when);
    json_object_object_add(m, "finished", json_object_new_string(when));
    json_object_object_add(m, "host", json_object_new_string(host));
    json_object_object_add(m, "pid", json_object_new_int64((int64_t)getpid()));
    json_object_object_add(m, "out_dir", json_object_new_string(info->out_dir));
    json_object_object_add(m, "as_of", json_object_new_string(s->as_of));
    json_object_object_add(m, "as_of_from", json_object_new_string(info->as_of_from));
    json_object_object_add(m, "working_crs", json_object_new_string(s->working_crs));
    json_object_object_add(m, "threads", json_object_new_int(info->threads));
    json_object_object_add(m, "config", config_json(info->cfg));
    json_object_object_add(m, "inputs", inputs_json(info->inputs));
    json_object_object_add(m, "counts", counts_json(s));
    json_object_object_add(m, "rejects", reasons_json(info->rejects));
    json_object_object_add(m, "warnings", reasons_json(info->warnings));
    json_object_object_add(m, "checks", checks_json(&s->checks));
    json_object *w = json_object_new_object();
    json_object_object_add(w, "parcels_ranked", json_object_new_int64((int64_t)s->parcels_written));
    json_object_object_add(w, "targets", json_object_new_int64((int64_t)s->targets_written));
    json_object_object_add(w, "rejected_records", json_object_new_int64((int64_t)s->total_rejects));
    json_object_object_add(m, "written", w);
    json_object *secs = json_object_new_object();
    double total = 0;
    for (int k = 0; k < FR_STAGE_COUNT; k++) {
        json_object_object_add(secs, stage_names[k], fixed(s->seconds[k], 3));
        total += s->seconds[k];
    }
    json_object_object_add(secs, "total", fixed(total, 3));
    json_object_object_add(m, "seconds", secs);
    json_object *notes = json_object_new_array();
    for (size_t i = 0; i < info->nnotes; i++)
        json_object_array_add(notes, json_object_new_string(info->notes[i]));
    json_object_object_add(m, "notes", notes);
    json_object_object_add(m, "outputs", outputs);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, FR_MANIFEST_NAME);
    st = write_text(path, json_object_to_json_string_ext(m, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE),
                    err);
    json_object_put(m);
    return st;
}
