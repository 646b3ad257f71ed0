/*
 * eval_report.c — backtest.json and its text forms (see eval_report.h).
 */
#include "eval_report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

void model_backtest_free(model_backtest *b)
{
    for (size_t c = 0; c < b->ncutoffs; c++) {
        for (size_t e = 0; e < b->cutoffs[c].nentries; e++)
            model_eval_result_free(&b->cutoffs[c].entries[e].eval);
        free(b->cutoffs[c].entries);
    }
    free(b->cutoffs);
    memset(b, 0, sizeof *b);
}

static json_object *num(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *num_array(const double *v, size_t n)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, num(v[i]));
    return a;
}

static json_object *entry_json(const model_bt_entry *e)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(e->name));
    json_object_object_add(o, "kind", json_object_new_string(e->baseline ? "baseline" : "model"));
    json_object_object_add(o, "auc", num(e->eval.auc));
    if (isfinite(e->location_auc))
        json_object_object_add(o, "location_auc", num(e->location_auc));
    json_object *at = json_object_new_array();
    for (size_t j = 0; j < e->eval.nat; j++) {
        const model_eval_at *a = &e->eval.at[j];
        json_object *ao = json_object_new_object();
        json_object_object_add(ao, "k", json_object_new_string(a->label));
        json_object_object_add(ao, "parcels", json_object_new_int64((int64_t)a->k));
        json_object_object_add(ao, "fires", json_object_new_int64((int64_t)a->hits));
        json_object_object_add(ao, "precision", num(a->precision));
        json_object_object_add(ao, "recall", num(a->recall));
        json_object_array_add(at, ao);
    }
    json_object_object_add(o, "at_k", at);
    json_object_object_add(o, "lift_by_decile", num_array(e->eval.lift, MODEL_DECILES));
    json_object *cal = json_object_new_object();
    json_object_object_add(cal, "probabilities", json_object_new_boolean(e->probabilities));
    json_object_object_add(cal, "mean_score", num_array(e->eval.mean_score, MODEL_DECILES));
    json_object_object_add(cal, "fire_rate", num_array(e->eval.fire_rate, MODEL_DECILES));
    json_object_object_add(o, "calibration_by_decile", cal);
    if (!e->baseline) {
        json_object_object_add(o, "train_seconds", num(e->train_seconds));
        json_object_object_add(o, "train_rows", json_object_new_int64((int64_t)e->train_rows));
        json_object_object_add(o, "validation_auc", num(e->validation_auc));
        json_object_object_add(o, "iterations", json_object_new_int64((int64_t)e->iterations));
    }
    if (e->note[0])
        json_object_object_add(o, "note", json_object_new_string(e->note));
    if (e->list_size) {
        json_object *tl = json_object_new_object();
        json_object_object_add(tl, "size", json_object_new_int64((int64_t)e->list_size));
        json_object_object_add(tl, "fires_share_rank", num(e->list_rank_share));
        json_object_object_add(tl, "fires_share_proportional", num(e->list_proportional_share));
        json_object_object_add(o, "target_list", tl);
    }
    return o;
}

fr_status model_backtest_write(const char *path, const model_backtest *b, fr_error *err)
{
    json_object *root = json_object_new_object(), *cuts = json_object_new_array();
    if (!root || !cuts)
        return fr_error_oom(err);
    json_object_object_add(root, "format", json_object_new_string(MODEL_BACKTEST_FORMAT));
    json_object_object_add(root, "format_version", json_object_new_int(MODEL_BACKTEST_VERSION));
    json_object_object_add(root, "config", json_object_new_string(b->config));
    json_object_object_add(root, "horizon", json_object_new_string(b->horizon));
    json_object_object_add(root, "training_cutoffs", json_object_new_int(b->training_cutoffs));
    for (size_t c = 0; c < b->ncutoffs; c++) {
        const model_bt_cutoff *bc = &b->cutoffs[c];
        json_object *co = json_object_new_object(), *ents = json_object_new_array();
        json_object_object_add(co, "cutoff", json_object_new_string(bc->cutoff));
        json_object_object_add(co, "label_end", json_object_new_string(bc->label_end));
        json_object_object_add(co, "parcels", json_object_new_int64((int64_t)bc->parcels));
        json_object_object_add(co, "fires", json_object_new_int64((int64_t)bc->fires));
        if (bc->locations)
            json_object_object_add(co, "locations", json_object_new_int64((int64_t)bc->locations));
        for (size_t e = 0; e < bc->nentries; e++)
            json_object_array_add(ents, entry_json(&bc->entries[e]));
        json_object_object_add(co, "results", ents);
        json_object_array_add(cuts, co);
    }
    json_object_object_add(root, "cutoffs", cuts);
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t plen = strlen(path) + 32;
    char *tmp = malloc(plen);
    fr_status st = text && tmp ? FR_OK : fr_error_oom(err);
    if (st == FR_OK) {
        snprintf(tmp, plen, "%s.tmp-%ld", path, (long)getpid());
        FILE *fp = fopen(tmp, "wb");
        int bad = !fp;
        if (fp) {
            bad |= fputs(text, fp) < 0 || fputc('\n', fp) == EOF;
            bad |= fclose(fp) != 0;
        }
        if (bad || rename(tmp, path) != 0) {
            st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot write the backtest report: %s", path, strerror(errno));
            unlink(tmp);
        }
    }
    free(tmp);
    json_object_put(root);
    return st;
}

typedef struct {
    char *buf;
    size_t size, used;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...)
{
    if (t->used + 1 >= t->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(t->buf + t->used, t->size - t->used, fmt, ap);
    va_end(ap);
    if (w > 0)
        t->used += (size_t)w < t->size - t->used ? (size_t)w : t->size - t->used - 1;
}

void model_backtest_format(const model_backtest *b, char *buf, size_t size)
{
    text t = {buf, size, 0};
    buf[0] = '\0';
    for (size_t c = 0; c < b->ncutoffs; c++) {
        const model_bt_cutoff *bc = &b->cutoffs[c];
        put(&t, "cutoff %s: fires in [%s, %s) on %zu of %zu parcels\n", bc->cutoff, bc->cutoff, bc->label_end,
            bc->fires, bc->parcels);
        put(&t, "  %-14s %6s", "", "AUC");
        size_t nat = bc->nentries ? bc->entries[0].eval.nat : 0;
        for (size_t j = 0; j < nat; j++) {
            char h[40];
            snprintf(h, sizeof h, "prec@%s", bc->entries[0].eval.at[j].label);
            put(&t, " %10s", h);
        }
        for (size_t j = 0; j < nat; j++) {
            char h[40];
            snprintf(h, sizeof h, "rec@%s", bc->entries[0].eval.at[j].label);
            put(&t, " %9s", h);
        }
        put(&t, "  top-decile  list:rank  list:prop  train\n");
        for (size_t e = 0; e < bc->nentries; e++) {
            const model_bt_entry *en = &bc->entries[e];
            put(&t, "  %-14s %6.4f", en->name, en->eval.auc);
            for (size_t j = 0; j < en->eval.nat; j++)
                put(&t, " %10.4f", en->eval.at[j].precision);
            for (size_t j = 0; j < en->eval.nat; j++)
                put(&t, " %9.4f", en->eval.at[j].recall);
            put(&t, "  %9.1f%%", 100 * en->eval.lift[0]);
            put(&t, "  %8.1f%%  %8.1f%%", 100 * en->list_rank_share, 100 * en->list_proportional_share);
            if (!en->baseline)
                put(&t, "  %.1fs", en->train_seconds);
            put(&t, "%s\n", en->baseline ? "  (baseline)" : "");
        }
        if (bc->locations) { /* homes share points: the same rankings judged per location */
            put(&t, "  per location (%zu locations; a location scores its highest home, burns when any does):",
                bc->locations);
            for (size_t e = 0; e < bc->nentries; e++)
                put(&t, "%s %s %.4f", e ? "," : "", bc->entries[e].name, bc->entries[e].location_auc);
            put(&t, "\n");
        }
    }
}

int model_backtest_headline(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    if (access(path, R_OK) != 0)
        return -1;
    json_object *root = json_object_from_file(path), *v = NULL, *cuts = NULL;
    if (!root || !json_object_object_get_ex(root, "format", &v) || !json_object_is_type(v, json_type_string) ||
        strcmp(json_object_get_string(v), MODEL_BACKTEST_FORMAT) != 0 ||
        !json_object_object_get_ex(root, "cutoffs", &cuts) || !json_object_is_type(cuts, json_type_array) ||
        json_object_array_length(cuts) == 0) {
        json_object_put(root);
        return -1;
    }
    json_object *last = json_object_array_get_idx(cuts, json_object_array_length(cuts) - 1), *x = NULL, *res = NULL;
    text t = {buf, size, 0};
    const char *cut = json_object_object_get_ex(last, "cutoff", &x) ? json_object_get_string(x) : "?";
    long long fires = json_object_object_get_ex(last, "fires", &x) ? (long long)json_object_get_int64(x) : 0;
    long long parcels = json_object_object_get_ex(last, "parcels", &x) ? (long long)json_object_get_int64(x) : 0;
    put(&t, "backtest (%s), cutoff %s: %lld fires among %lld parcels in the horizon\n", path, cut, fires, parcels);
    if (json_object_object_get_ex(last, "results", &res) && json_object_is_type(res, json_type_array)) {
        for (size_t e = 0; e < json_object_array_length(res); e++) {
            json_object *en = json_object_array_get_idx(res, e), *at = NULL;
            const char *name = json_object_object_get_ex(en, "name", &x) ? json_object_get_string(x) : "?";
            double auc = json_object_object_get_ex(en, "auc", &x) ? json_object_get_double(x) : NAN;
            put(&t, "  %-14s AUC %.4f", name, auc);
            if (json_object_object_get_ex(en, "at_k", &at) && json_object_is_type(at, json_type_array))
                for (size_t j = 0; j < json_object_array_length(at) && j < 2; j++) {
                    json_object *a = json_object_array_get_idx(at, j), *k = NULL, *p = NULL;
                    if (json_object_object_get_ex(a, "k", &k) && json_object_object_get_ex(a, "precision", &p))
                        put(&t, "  precision@%s %.4f", json_object_get_string(k), json_object_get_double(p));
                }
            put(&t, "\n");
        }
    }
    json_object_put(root);
    return 0;
}
