/*
 * run_attributes.c — any parcel or block-group attribute as a feature (see
 * run_internal.h, docs/FEATURES.md).
 *
 * Only a fixed list of parcel fields used to reach a model; stories, rooms,
 * heating type, exterior walls, roof or use code could not.  The fields
 * named in features.parcel_numeric and parcel_categorical are read with the
 * parcels (logical name "attr:<field>") and become context columns: the
 * feature table copies those into every cutoff's table as it does the
 * block groups' attributes.  features.block_group_numeric and
 * block_group_categorical do the same for the block groups' fields (read
 * with the block groups; each home takes its block group's value, named
 * bg_<field> and bg_<field>=<level>).
 */
#include "run_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "categories.h"

/* The fields a layer reads as attribute features: the parcels'
 * (features.parcel_*) or the block groups' (features.block_group_*). */
typedef struct {
    char *const *list[2]; /* numeric, categorical */
    size_t n[2];
} attr_lists;

static attr_lists lists_of(const cfg_features *f, int block_groups)
{
    attr_lists l;
    l.list[0] = block_groups ? f->block_group_numeric : f->parcel_numeric;
    l.n[0] = block_groups ? f->nblock_group_numeric : f->nparcel_numeric;
    l.list[1] = block_groups ? f->block_group_categorical : f->parcel_categorical;
    l.n[1] = block_groups ? f->nblock_group_categorical : f->nparcel_categorical;
    return l;
}

size_t run_attribute_count(const fr_config *cfg, int block_groups)
{
    attr_lists l = lists_of(&cfg->features, block_groups);
    return l.n[0] + l.n[1];
}

/* The specs' logical names ("attr:<field>") must outlive the call until the
 * read has copied them; the reads run on the main thread, one layer after
 * the other, so one table of names (features_finish caps the fields of a
 * layer at RUN_MAX_ATTRIBUTES) serves. */
static char attr_names[RUN_MAX_ATTRIBUTES][80];

void run_attribute_specs(const fr_config *cfg, int block_groups, geo_field_spec *specs)
{
    attr_lists l = lists_of(&cfg->features, block_groups);
    size_t k = 0;
    for (int cat = 0; cat < 2; cat++)
        for (size_t i = 0; i < l.n[cat]; i++, k++) {
            snprintf(attr_names[k], sizeof attr_names[0], "attr:%s", l.list[cat][i]);
            specs[k] = (geo_field_spec){.name = attr_names[k], .source_name = l.list[cat][i],
                                        .type = cat ? GEO_COL_STRING : GEO_COL_NUMBER};
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

/* One 0/1 column "<prefix><field>=<level>" per level of str (one value per home). */
static fr_status categorical(run_ctx *ctx, const char *prefix, const char *field, const char *const *str,
                             fr_error *err)
{
    size_t n = ctx->parcels->count;
    model_categories cats;
    fr_status st = model_categories_encode(str, n, (size_t)ctx->cfg.features.min_level_homes, &cats, err);
    for (size_t k = 0; st == FR_OK && k < cats.nlevels; k++) {
        size_t len = strlen(prefix) + strlen(field) + strlen(cats.levels[k]) + 2;
        char *name = malloc(len);
        double *v = malloc((n ? n : 1) * sizeof *v);
        if (name)
            snprintf(name, len, "%s%s=%s", prefix, field, cats.levels[k]);
        for (size_t i = 0; v && i < n; i++)
            v[i] = cats.code[i] == (int32_t)k;
        st = add_context(ctx, name, v, err);
    }
    model_categories_free(&cats);
    return st;
}

/* The attribute columns of one layer: the parcels' own (home i is row i)
 * or the block groups' (home i takes row bg_of[i], none when -1). */
static fr_status layer_context(run_ctx *ctx, const geo_layer *layer, const int32_t *row_of, const char *prefix,
                               fr_error *err)
{
    attr_lists l = lists_of(&ctx->cfg.features, row_of != NULL);
    size_t n = ctx->parcels->count;
    fr_status st = FR_OK;
    for (int cat = 0; cat < 2 && st == FR_OK; cat++)
        for (size_t i = 0; i < l.n[cat] && st == FR_OK; i++) {
            const char *field = l.list[cat][i];
            char logical[80];
            snprintf(logical, sizeof logical, "attr:%s", field);
            int c = geo_layer_find_column(layer, logical);
            if (c < 0)
                return fr_error_set(err, FR_E_INTERNAL, "attribute %s was not read", field);
            const geo_column *col = &layer->cols[c];
            if (cat) {
                const char **str = malloc((n ? n : 1) * sizeof *str);
                if (!str)
                    return fr_error_oom_while(err, "adding attribute features");
                for (size_t h = 0; h < n; h++)
                    str[h] = !row_of ? col->str[h] : row_of[h] >= 0 ? col->str[row_of[h]] : NULL;
                st = categorical(ctx, prefix, field, str, err);
                free(str);
                continue;
            }
            size_t len = strlen(prefix) + strlen(field) + 1;
            char *name = malloc(len);
            double *v = malloc((n ? n : 1) * sizeof *v);
            if (name)
                snprintf(name, len, "%s%s", prefix, field);
            for (size_t h = 0; v && h < n; h++)
                v[h] = !row_of ? col->num[h] : row_of[h] >= 0 ? col->num[row_of[h]] : NAN;
            st = add_context(ctx, name, v, err);
        }
    return st;
}

fr_status run_attribute_context(run_ctx *ctx, fr_error *err)
{
    fr_status st = layer_context(ctx, ctx->parcels, NULL, "", err);
    if (st == FR_OK && ctx->bgs)
        st = layer_context(ctx, ctx->bgs, ctx->bg_of, "bg_", err);
    return st;
}
