/*
 * run_attributes.c — any parcel attribute as a feature (see run_internal.h,
 * docs/FEATURES.md).
 *
 * Only a fixed list of parcel fields used to reach a model; stories, rooms,
 * heating type, exterior walls, roof or use code could not.  The fields
 * named in features.parcel_numeric and parcel_categorical are read with the
 * parcels (logical name "attr:<field>") and become context columns: the
 * feature table copies those into every cutoff's table as it does the
 * block groups' attributes.
 */
#include "run_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "categories.h"

size_t run_attribute_count(const fr_config *cfg)
{
    return cfg->features.nparcel_numeric + cfg->features.nparcel_categorical;
}

/* The specs' logical names ("attr:<field>") must outlive the call until the
 * read has copied them; the read runs on the main thread, once per layer,
 * so one table of names (features_finish caps the fields at
 * RUN_MAX_ATTRIBUTES) serves. */
static char attr_names[RUN_MAX_ATTRIBUTES][80];

void run_attribute_specs(const fr_config *cfg, geo_field_spec *specs)
{
    const cfg_features *f = &cfg->features;
    size_t k = 0;
    for (int cat = 0; cat < 2; cat++) {
        char *const *list = cat ? f->parcel_categorical : f->parcel_numeric;
        size_t n = cat ? f->nparcel_categorical : f->nparcel_numeric;
        for (size_t i = 0; i < n; i++, k++) {
            snprintf(attr_names[k], sizeof attr_names[0], "attr:%s", list[i]);
            specs[k] = (geo_field_spec){.name = attr_names[k], .source_name = list[i],
                                        .type = cat ? GEO_COL_STRING : GEO_COL_NUMBER};
        }
    }
}

/* Appends a context column (name and values taken over). */
static fr_status add_context(run_ctx *ctx, char *name, double *values, fr_error *err)
{
    char **names = realloc(ctx->context_names, (ctx->ncontext + 1) * sizeof *names);
    if (names)
        ctx->context_names = names;
    double **vals = names ? realloc(ctx->context_values, (ctx->ncontext + 1) * sizeof *vals) : NULL;
    if (vals)
        ctx->context_values = vals;
    if (!name || !values || !names || !vals) {
        free(name);
        free(values);
        return fr_error_oom_while(err, "adding attribute features");
    }
    ctx->context_names[ctx->ncontext] = name;
    ctx->context_values[ctx->ncontext++] = values;
    return FR_OK;
}

static fr_status categorical(run_ctx *ctx, const char *field, const geo_column *col, fr_error *err)
{
    size_t n = ctx->parcels->count;
    model_categories cats;
    fr_status st = model_categories_encode((const char *const *)col->str, n, (size_t)ctx->cfg.features.min_level_homes,
                                           &cats, err);
    for (size_t k = 0; st == FR_OK && k < cats.nlevels; k++) {
        size_t len = strlen(field) + strlen(cats.levels[k]) + 2;
        char *name = malloc(len);
        double *v = malloc((n ? n : 1) * sizeof *v);
        if (name)
            snprintf(name, len, "%s=%s", field, cats.levels[k]);
        for (size_t i = 0; v && i < n; i++)
            v[i] = cats.code[i] == (int32_t)k;
        st = add_context(ctx, name, v, err);
    }
    model_categories_free(&cats);
    return st;
}

fr_status run_attribute_context(run_ctx *ctx, fr_error *err)
{
    const cfg_features *f = &ctx->cfg.features;
    geo_layer *p = ctx->parcels;
    size_t n = p->count;
    fr_status st = FR_OK;
    for (int cat = 0; cat < 2 && st == FR_OK; cat++) {
        char *const *list = cat ? f->parcel_categorical : f->parcel_numeric;
        size_t m = cat ? f->nparcel_categorical : f->nparcel_numeric;
        for (size_t i = 0; i < m && st == FR_OK; i++) {
            char logical[80];
            snprintf(logical, sizeof logical, "attr:%s", list[i]);
            int c = geo_layer_find_column(p, logical);
            if (c < 0)
                return fr_error_set(err, FR_E_INTERNAL, "attribute %s was not read", list[i]);
            if (cat) {
                st = categorical(ctx, list[i], &p->cols[c], err);
                continue;
            }
            double *v = malloc((n ? n : 1) * sizeof *v);
            if (v && n)
                memcpy(v, p->cols[c].num, n * sizeof *v);
            st = add_context(ctx, strdup(list[i]), v, err);
        }
    }
    return st;
}
