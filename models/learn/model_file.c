/*
 * model_file.c — JSON model files (see model_file.h).
 */
#include "model_file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

/* ---- writing ---- */

static json_object *num(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL; /* NULL prints as null */
}

static const char *column_kind_name(model_column_kind k)
{
    return k == MODEL_COL_LOG1P ? "log1p" : k == MODEL_COL_MISSING ? "missing" : "linear";
}

static json_object *string_array(char *const *names, size_t n)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; a && i < n; i++)
        json_object_array_add(a, json_object_new_string(names[i]));
    return a;
}

static json_object *logit_json(const model_logit *m)
{
    json_object *o = json_object_new_object(), *cols = json_object_new_array();
    json_object_object_add(o, "intercept", num(m->intercept));
    for (size_t c = 0; c < m->ncolumns; c++) {
        const model_logit_column *mc = &m->columns[c];
        json_object *co = json_object_new_object();
        json_object_object_add(co, "feature", json_object_new_string(m->names[mc->feature]));
        json_object_object_add(co, "transform", json_object_new_string(column_kind_name(mc->kind)));
        json_object_object_add(co, "center", num(mc->center));
        json_object_object_add(co, "scale", num(mc->scale));
        json_object_object_add(co, "coef", num(mc->coef));
        json_object_array_add(cols, co);
    }
    json_object_object_add(o, "columns", cols);
    return o;
}

static json_object *gbdt_json(const model_gbdt *m)
{
    json_object *o = json_object_new_object(), *trees = json_object_new_array();
    json_object_object_add(o, "base", num(m->base));
    for (size_t t = 0; t < m->ntrees; t++) {
        json_object *to = json_object_new_object();
        json_object *f = json_object_new_array(), *th = json_object_new_array(), *ml = json_object_new_array();
        json_object *l = json_object_new_array(), *r = json_object_new_array(), *v = json_object_new_array();
        for (size_t k = m->tree_start[t]; k < m->tree_start[t + 1]; k++) {
            const model_gbdt_node *nd = &m->nodes[k];
            json_object_array_add(f, json_object_new_int(nd->feature));
            json_object_array_add(th, nd->feature >= 0 ? num(nd->threshold) : json_object_new_int(0));
            json_object_array_add(ml, json_object_new_int(nd->missing_left));
            json_object_array_add(l, json_object_new_int(nd->left));
            json_object_array_add(r, json_object_new_int(nd->right));
            json_object_array_add(v, num(nd->value));
        }
        json_object_object_add(to, "feature", f);
        json_object_object_add(to, "threshold", th);
        json_object_object_add(to, "missing_left", ml);
        json_object_object_add(to, "left", l);
        json_object_object_add(to, "right", r);
        json_object_object_add(to, "value", v);
        json_object_array_add(trees, to);
    }
    json_object_object_add(o, "trees", trees);
    return o;
}

static json_object *params_json(const model_trained *m)
{
    json_object *o = json_object_new_object();
    const model_train_params *p = &m->params;
    if (m->kind == MODEL_LOGISTIC) {
        json_object_object_add(o, "l2", num(p->logit.l2));
        json_object_object_add(o, "max_iterations", json_object_new_int(p->logit.max_iterations));
    } else {
        json_object_object_add(o, "max_trees", json_object_new_int(p->gbdt.max_trees));
        json_object_object_add(o, "max_depth", json_object_new_int(p->gbdt.max_depth));
        json_object_object_add(o, "learning_rate", num(p->gbdt.learning_rate));
        json_object_object_add(o, "min_child_weight", num(p->gbdt.min_child_weight));
        json_object_object_add(o, "l2", num(p->gbdt.l2));
        json_object_object_add(o, "min_split_gain", num(p->gbdt.min_split_gain));
        json_object_object_add(o, "bins", json_object_new_int(p->gbdt.bins));
        json_object_object_add(o, "early_stopping", json_object_new_int(p->gbdt.early_stopping));
    }
    return o;
}

fr_status model_file_write(const char *path, const model_trained *m, fr_error *err)
{
    const model_info *in = &m->info;
    json_object *root = json_object_new_object();
    if (!root)
        return fr_error_oom(err);
    json_object_object_add(root, "format", json_object_new_string(MODEL_FILE_FORMAT));
    json_object_object_add(root, "format_version", json_object_new_int(MODEL_FILE_VERSION));
    json_object_object_add(root, "model", json_object_new_string(model_kind_name(m->kind)));
    json_object_object_add(root, "firerisk_version", json_object_new_string(in->firerisk_version));
    json_object *tr = json_object_new_object(), *cuts = json_object_new_array();
    json_object_object_add(tr, "as_of", json_object_new_string(in->as_of));
    json_object_object_add(tr, "horizon", json_object_new_string(in->horizon));
    for (size_t c = 0; c < in->ncutoffs; c++)
        json_object_array_add(cuts, json_object_new_string(in->cutoffs[c]));
    json_object_object_add(tr, "cutoffs", cuts);
    json_object_object_add(tr, "radius_m", num(in->radius_m));
    json_object_object_add(tr, "fire_codes", json_object_new_string(in->fire_codes));
    json_object_object_add(tr, "rows", json_object_new_int64((int64_t)in->rows));
    json_object_object_add(tr, "positives", json_object_new_int64((int64_t)in->positives));
    json_object_object_add(tr, "class_weight", json_object_new_string(in->balanced ? "balanced" : "fixed"));
    json_object_object_add(tr, "positive_weight", num(in->pos_weight));
    json_object_object_add(tr, "negative_weight", num(in->neg_weight));
    json_object_object_add(tr, m->kind == MODEL_GBDT ? "trees" : "newton_iterations",
                           json_object_new_int64((int64_t)in->iterations));
    json_object_object_add(tr, "dropped_features", json_object_new_string(in->dropped));
    json_object_object_add(tr, "cutoff_note", json_object_new_string(in->cutoff_note));
    json_object_object_add(tr, "negative_share", num(in->negative_share));
    json_object_object_add(tr, "warnings", json_object_new_string(in->warnings));
    json_object_object_add(tr, "monotone", json_object_new_string(in->monotone));
    json_object_object_add(root, "training", tr);
    json_object *met = json_object_new_object();
    json_object_object_add(met, "validation_cutoff",
                           json_object_new_string(in->ncutoffs ? in->cutoffs[in->ncutoffs - 1] : ""));
    json_object_object_add(met, "validation_rows", json_object_new_int64((int64_t)in->validation_rows));
    json_object_object_add(met, "validation_positives", json_object_new_int64((int64_t)in->validation_positives));
    json_object_object_add(met, "validation_fit_rows", json_object_new_int64((int64_t)in->validation_fit_rows));
    json_object_object_add(met, "validation_auc", num(in->validation_auc));
    json_object_object_add(met, "validation_logloss", num(in->validation_logloss));
    json_object_object_add(root, "metrics", met);
    json_object_object_add(root, "hyperparameters", params_json(m));
    size_t nf = model_trained_nfeatures(m);
    double *imp = malloc((nf ? nf : 1) * sizeof *imp);
    json_object *ia = json_object_new_array();
    if (imp) {
        model_trained_importance(m, imp);
        for (size_t j = 0; j < nf; j++)
            json_object_array_add(ia, num(imp[j]));
    }
    free(imp);
    json_object_object_add(root, "importance", ia); /* per feature, as shares, in the order of `features` */
    if (m->kind == MODEL_LOGISTIC) {
        json_object_object_add(root, "features", string_array(m->logit.names, m->logit.nfeatures));
        json_object_object_add(root, "logistic", logit_json(&m->logit));
    } else {
        json_object_object_add(root, "features", string_array(m->gbdt.names, m->gbdt.nfeatures));
        json_object_object_add(root, "gbdt", gbdt_json(&m->gbdt));
    }
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t plen = strlen(path) + 32;
    char *tmp = malloc(plen);
    fr_status st = FR_OK;
    if (!text || !tmp)
        st = fr_error_oom_while(err, "writing %s", path);
    if (st == FR_OK) {
        snprintf(tmp, plen, "%s.tmp-%ld", path, (long)getpid());
        FILE *fp = fopen(tmp, "wb");
        if (!fp)
            st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot write the model file: %s", path, strerror(errno));
        else {
            int bad = fputs(text, fp) < 0 || fputc('\n', fp) == EOF;
            bad |= fclose(fp) != 0;
            if (bad)
                st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot write the model file: %s", path, strerror(errno));
            else if (rename(tmp, path) != 0)
                st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot move the model file into place: %s", path,
                                  strerror(errno));
            if (st != FR_OK)
                unlink(tmp);
        }
    }
    free(tmp);
    json_object_put(root);
    return st;
}

/* ---- reading ---- */

typedef struct {
    const char *path;
    fr_error *err;
} reader;

static fr_status bad(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static fr_status bad(reader *r, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fr_error_set(r->err, FR_E_INPUT, "%s: not a usable firerisk model file: %s", r->path, msg);
}

static json_object *member(json_object *o, const char *key, json_type type)
{
    json_object *v = NULL;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
        return NULL;
    return v;
}

/* A finite number (an int is accepted where a double is expected). */
static int get_num(json_object *o, const char *key, double *out)
{
    json_object *v = NULL;
    if (!o || !json_object_object_get_ex(o, key, &v))
        return -1;
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        return -1;
    *out = json_object_get_double(v);
    return isfinite(*out) ? 0 : -1;
}

static int elem_num(json_object *a, size_t i, double *out)
{
    json_object *v = json_object_array_get_idx(a, i);
    if (!v || (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)))
        return -1;
    *out = json_object_get_double(v);
    return isfinite(*out) ? 0 : -1;
}

static int elem_int(json_object *a, size_t i, int64_t *out)
{
    json_object *v = json_object_array_get_idx(a, i);
    if (!v || !json_object_is_type(v, json_type_int))
        return -1;
    *out = json_object_get_int64(v);
    return 0;
}

static fr_status read_features(reader *r, json_object *root, char ***names, size_t *n)
{
    json_object *a = member(root, "features", json_type_array);
    if (!a || json_object_array_length(a) == 0)
        return bad(r, "no 'features' list");
    size_t m = json_object_array_length(a);
    *names = calloc(m, sizeof **names);
    if (!*names)
        return fr_error_oom(r->err);
    for (size_t i = 0; i < m; i++) {
        json_object *v = json_object_array_get_idx(a, i);
        if (!json_object_is_type(v, json_type_string) || !json_object_get_string_len(v))
            return bad(r, "features[%zu] is not a feature name", i);
        for (size_t j = 0; j < i; j++)
            if (!strcmp((*names)[j], json_object_get_string(v)))
                return bad(r, "feature '%s' is listed twice", json_object_get_string(v));
        if (!((*names)[i] = strdup(json_object_get_string(v))))
            return fr_error_oom(r->err);
        (*n)++;
    }
    return FR_OK;
}

static fr_status read_logit(reader *r, json_object *root, model_logit *m)
{
    fr_status st = read_features(r, root, &m->names, &m->nfeatures);
    if (st != FR_OK)
        return st;
    json_object *o = member(root, "logistic", json_type_object);
    json_object *cols = member(o, "columns", json_type_array);
    if (!o || !cols || get_num(o, "intercept", &m->intercept) != 0)
        return bad(r, "'logistic' needs a finite 'intercept' and a 'columns' list");
    size_t nc = json_object_array_length(cols);
    m->columns = calloc(nc ? nc : 1, sizeof *m->columns);
    if (!m->columns)
        return fr_error_oom(r->err);
    for (size_t c = 0; c < nc; c++) {
        json_object *co = json_object_array_get_idx(cols, c);
        json_object *f = member(co, "feature", json_type_string), *t = member(co, "transform", json_type_string);
        model_logit_column *mc = &m->columns[c];
        if (!f || !t || get_num(co, "center", &mc->center) || get_num(co, "scale", &mc->scale) ||
            get_num(co, "coef", &mc->coef) || !(mc->scale > 0))
            return bad(r, "logistic column %zu needs feature, transform, and finite center, scale > 0 and coef", c);
        mc->feature = -1;
        for (size_t j = 0; j < m->nfeatures; j++)
            if (!strcmp(m->names[j], json_object_get_string(f)))
                mc->feature = (int32_t)j;
        if (mc->feature < 0)
            return bad(r, "logistic column %zu uses '%s', which is not in 'features'", c, json_object_get_string(f));
        const char *tn = json_object_get_string(t);
        if (!strcmp(tn, "linear"))
            mc->kind = MODEL_COL_LINEAR;
        else if (!strcmp(tn, "log1p"))
            mc->kind = MODEL_COL_LOG1P;
        else if (!strcmp(tn, "missing"))
            mc->kind = MODEL_COL_MISSING;
        else
            return bad(r, "logistic column %zu has an unknown transform '%s' (linear, log1p, missing)", c, tn);
        m->ncolumns++;
    }
    return FR_OK;
}

static fr_status read_gbdt(reader *r, json_object *root, model_gbdt *m)
{
    fr_status st = read_features(r, root, &m->names, &m->nfeatures);
    if (st != FR_OK)
        return st;
    json_object *o = member(root, "gbdt", json_type_object);
    json_object *trees = member(o, "trees", json_type_array);
    if (!o || !trees || get_num(o, "base", &m->base) != 0)
        return bad(r, "'gbdt' needs a finite 'base' and a 'trees' list");
    size_t nt = json_object_array_length(trees), total = 0;
    static const char *const keys[] = {"feature", "threshold", "missing_left", "left", "right", "value"};
    for (size_t t = 0; t < nt; t++) {
        json_object *to = json_object_array_get_idx(trees, t);
        json_object *f = member(to, "feature", json_type_array);
        size_t len = f ? json_object_array_length(f) : 0;
        if (!len)
            return bad(r, "tree %zu has no nodes", t);
        for (size_t k = 1; k < 6; k++) {
            json_object *a = member(to, keys[k], json_type_array);
            if (!a || json_object_array_length(a) != len)
                return bad(r, "tree %zu: '%s' is missing or not as long as 'feature'", t, keys[k]);
        }
        total += len;
    }
    m->tree_start = malloc((nt + 1) * sizeof *m->tree_start);
    m->nodes = malloc((total ? total : 1) * sizeof *m->nodes);
    if (!m->tree_start || !m->nodes)
        return fr_error_oom(r->err);
    size_t at = 0;
    for (size_t t = 0; t < nt; t++) {
        json_object *to = json_object_array_get_idx(trees, t);
        json_object *a[6];
        for (size_t k = 0; k < 6; k++)
            a[k] = member(to, keys[k], json_type_array);
        size_t len = json_object_array_length(a[0]);
        m->tree_start[t] = at;
        for (size_t k = 0; k < len; k++) {
            int64_t f, ml, l, rr;
            model_gbdt_node *nd = &m->nodes[at + k];
            if (elem_int(a[0], k, &f) || elem_int(a[2], k, &ml) || elem_int(a[3], k, &l) || elem_int(a[4], k, &rr) ||
                elem_num(a[5], k, &nd->value))
                return bad(r, "tree %zu node %zu: feature, missing_left, left, right must be whole numbers and "
                              "value a finite number", t, k);
            if (f < -1 || f >= (int64_t)m->nfeatures)
                return bad(r, "tree %zu node %zu: feature %lld is not an index into 'features'", t, k, (long long)f);
            nd->feature = (int32_t)f;
            nd->missing_left = ml != 0;
            nd->threshold = 0;
            nd->left = nd->right = -1;
            if (f >= 0) {
                /* Children come after their parent: no cycle, and in range. */
                if (elem_num(a[1], k, &nd->threshold) || l <= (int64_t)k || rr <= (int64_t)k || l >= (int64_t)len ||
                    rr >= (int64_t)len)
                    return bad(r, "tree %zu node %zu: a split needs a finite threshold and children after it "
                                  "within the tree", t, k);
                nd->left = (int32_t)l;
                nd->right = (int32_t)rr;
            }
        }
        at += len;
    }
    m->tree_start[nt] = at;
    m->ntrees = nt;
    return FR_OK;
}

static void copy_text(json_object *o, const char *key, char *buf, size_t size)
{
    json_object *v = member(o, key, json_type_string);
    snprintf(buf, size, "%s", v ? json_object_get_string(v) : "");
}

static double opt_num(json_object *o, const char *key)
{
    double v;
    return get_num(o, key, &v) == 0 ? v : NAN;
}

static void read_info(json_object *root, model_trained *m)
{
    model_info *in = &m->info;
    copy_text(root, "firerisk_version", in->firerisk_version, sizeof in->firerisk_version);
    json_object *tr = member(root, "training", json_type_object);
    copy_text(tr, "as_of", in->as_of, sizeof in->as_of);
    copy_text(tr, "horizon", in->horizon, sizeof in->horizon);
    copy_text(tr, "fire_codes", in->fire_codes, sizeof in->fire_codes);
    copy_text(tr, "dropped_features", in->dropped, sizeof in->dropped);
    copy_text(tr, "cutoff_note", in->cutoff_note, sizeof in->cutoff_note);
    copy_text(tr, "warnings", in->warnings, sizeof in->warnings);
    copy_text(tr, "monotone", in->monotone, sizeof in->monotone);
    in->negative_share = opt_num(tr, "negative_share");
    json_object *cuts = member(tr, "cutoffs", json_type_array);
    for (size_t c = 0; cuts && c < json_object_array_length(cuts) && c < MODEL_MAX_CUTOFFS; c++) {
        json_object *v = json_object_array_get_idx(cuts, c);
        if (json_object_is_type(v, json_type_string))
            snprintf(in->cutoffs[in->ncutoffs++], sizeof in->cutoffs[0], "%s", json_object_get_string(v));
    }
    in->radius_m = opt_num(tr, "radius_m");
    double v = opt_num(tr, "rows");
    in->rows = isnan(v) ? 0 : (size_t)v;
    v = opt_num(tr, "positives");
    in->positives = isnan(v) ? 0 : (size_t)v;
    v = opt_num(tr, m->kind == MODEL_GBDT ? "trees" : "newton_iterations");
    in->iterations = isnan(v) ? 0 : (size_t)v;
    json_object *cw = member(tr, "class_weight", json_type_string);
    in->balanced = cw && !strcmp(json_object_get_string(cw), "balanced");
    in->pos_weight = opt_num(tr, "positive_weight");
    in->neg_weight = opt_num(tr, "negative_weight");
    json_object *met = member(root, "metrics", json_type_object);
    in->validation_auc = opt_num(met, "validation_auc");
    in->validation_logloss = opt_num(met, "validation_logloss");
    v = opt_num(met, "validation_rows");
    in->validation_rows = isnan(v) ? 0 : (size_t)v;
    v = opt_num(met, "validation_positives");
    in->validation_positives = isnan(v) ? 0 : (size_t)v;
    v = opt_num(met, "validation_fit_rows");
    in->validation_fit_rows = isnan(v) ? 0 : (size_t)v;
}

fr_status model_file_read(const char *path, model_trained *m, fr_error *err)
{
    memset(m, 0, sizeof *m);
    reader r = {path, err};
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return fr_error_set(err, FR_E_INPUT, "%s: cannot read the model file: %s", path, strerror(errno));
    /* A model of a million trees is a wrong file; read at most 1 GB. */
    json_tokener *tok = json_tokener_new();
    json_object *root = NULL;
    char buf[65536];
    size_t n, total = 0;
    enum json_tokener_error jerr = json_tokener_continue;
    while (tok && (n = fread(buf, 1, sizeof buf, fp)) > 0 && total < (1u << 30)) {
        total += n;
        root = json_tokener_parse_ex(tok, buf, (int)n);
        jerr = json_tokener_get_error(tok);
        if (jerr != json_tokener_continue)
            break;
    }
    int read_error = ferror(fp);
    fclose(fp);
    fr_status st = FR_OK;
    if (!tok)
        st = fr_error_oom(err);
    else if (read_error)
        st = fr_error_set(err, FR_E_INPUT, "%s: cannot read the model file", path);
    else if (!root || jerr != json_tokener_success)
        st = bad(&r, "not valid JSON (%s, near byte %zu)",
                 jerr == json_tokener_continue ? "the file ends too early" : json_tokener_error_desc(jerr),
                 (size_t)json_tokener_get_parse_end(tok));
    if (tok)
        json_tokener_free(tok);
    json_object *fmt = member(root, "format", json_type_string), *ver = member(root, "format_version", json_type_int);
    json_object *kind = member(root, "model", json_type_string);
    if (st == FR_OK && (!fmt || strcmp(json_object_get_string(fmt), MODEL_FILE_FORMAT) != 0))
        st = bad(&r, "its 'format' is not \"%s\"", MODEL_FILE_FORMAT);
    if (st == FR_OK && (!ver || json_object_get_int(ver) != MODEL_FILE_VERSION))
        st = bad(&r, "format_version %d, this firerisk reads version %d%s", ver ? json_object_get_int(ver) : 0,
                 MODEL_FILE_VERSION,
                 ver && json_object_get_int(ver) > MODEL_FILE_VERSION ? " (written by a newer firerisk)" : "");
    if (st == FR_OK && !(m->kind = model_kind_parse(kind ? json_object_get_string(kind) : NULL)))
        st = bad(&r, "'model' must be \"logistic\" or \"gbdt\"");
    if (st == FR_OK)
        st = m->kind == MODEL_LOGISTIC ? read_logit(&r, root, &m->logit) : read_gbdt(&r, root, &m->gbdt);
    if (st == FR_OK)
        read_info(root, m);
    json_object_put(root);
    if (st != FR_OK)
        model_trained_free(m);
    return st;
}
