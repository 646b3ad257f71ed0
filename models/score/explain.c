/*
 * explain.c — phrases for reasons, and the sane range of each kind of
 * feature (see explain.h).  Block-group attributes are named by the user:
 * their kind (a rate, money, a count, an age) is read from the name
 * ("poverty_rate", "median_income", "housing_units", "median_age"), so that
 * a reason says "block group: poverty rate 22.7%" and a value that cannot
 * be one of its kind (1,588,216 housing units in a block group) is caught.
 */
#include "explain.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *plural(double v, const char *one, const char *many)
{
    return fabs(v - 1) < 1e-9 ? one : many;
}

/* Whole and large values without exponent ("2268453"), small ones with 3
 * significant digits ("0.231"). */
static const char *number(double v, char *buf, size_t size)
{
    if (fabs(v) >= 100 || v == floor(v))
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.3g", v);
    return buf;
}

/* "1,588,216": whole numbers with thousands separators. */
static const char *grouped(double v, char *buf, size_t size)
{
    char raw[48];
    snprintf(raw, sizeof raw, "%.0f", fabs(v));
    size_t len = strlen(raw), o = 0;
    if (v <= -0.5 && o + 1 < size)
        buf[o++] = '-';
    for (size_t k = 0; k < len && o + 2 < size; k++) {
        if (k && (len - k) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = raw[k];
    }
    buf[o] = '\0';
    return buf;
}

typedef enum { KIND_OTHER, KIND_RATE, KIND_MONEY, KIND_COUNT, KIND_AGE } bg_kind;

static int has(const char *name, const char *word)
{
    return strstr(name, word) != NULL;
}

/* The kind of a block-group attribute, from its name. */
static bg_kind bg_kind_of(const char *name)
{
    if (has(name, "pct") || has(name, "rate") || has(name, "share") || has(name, "percent") || has(name, "prop") ||
        has(name, "frac"))
        return KIND_RATE;
    if (has(name, "income") || has(name, "rent") || has(name, "value") || has(name, "price") || has(name, "dollar"))
        return KIND_MONEY;
    if (has(name, "age"))
        return KIND_AGE;
    if (has(name, "units") || has(name, "households") || has(name, "housing") || has(name, "pop") ||
        has(name, "count") || has(name, "persons") || has(name, "people"))
        return KIND_COUNT;
    return KIND_OTHER;
}

/* "poverty_rate" -> "poverty rate"; a name in capitals, as assessors'
 * exports write them ("STORIES", "HEATING_TYPE"), in lower case, so that
 * a reason reads as a sentence. */
static void words(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s", name);
    int has_lower = 0;
    for (const char *c = buf; *c; c++)
        has_lower |= *c >= 'a' && *c <= 'z';
    for (char *c = buf; *c; c++) {
        if (*c == '_')
            *c = ' ';
        else if (!has_lower && *c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    }
}

/* Whether the words name a count of things by their plural ("stories",
 * "bedrooms", "full baths"): a final s that is not of "class", "status" or
 * "basis".  Such a value reads best before its name: "3 stories". */
static int is_plural_count(const char *w)
{
    size_t n = strlen(w);
    return n > 2 && w[n - 1] == 's' && !strchr("suiy", w[n - 2]);
}

/* "stories" -> "story", "bedrooms" -> "bedroom" (for a value of 1). */
static void singular(char *w)
{
    size_t n = strlen(w);
    if (n > 3 && !strcmp(w + n - 3, "ies"))
        strcpy(w + n - 3, "y");
    else
        w[n - 1] = '\0';
}

/* A parcel attribute the user named (features.parcel_numeric): "3 stories",
 * "1 bedroom", else the name and the value ("grade 7"). */
static void explain_attribute(const char *name, double value, char *buf, size_t size)
{
    char w[64], num[40];
    words(name, w, sizeof w);
    if (!is_plural_count(w)) {
        snprintf(buf, size, "%s %s", w, number(value, num, sizeof num));
        return;
    }
    if (fabs(value - 1) < 1e-9)
        singular(w);
    snprintf(buf, size, "%s %s", number(value, num, sizeof num), w);
}

static void explain_block_group(const char *name, double value, char *buf, size_t size)
{
    char w[64], num[48];
    words(name, w, sizeof w);
    switch (bg_kind_of(name)) {
    case KIND_RATE: /* a share written as 0-1 or as 0-100; "pct_renter" reads "renter share" */
        if (!strncmp(name, "pct_", 4)) {
            words(name + 4, w, sizeof w);
            snprintf(w + strlen(w), sizeof w - strlen(w), " share");
        }
        snprintf(buf, size, "block group: %s %.1f%%", w, value <= 1 ? value * 100 : value);
        break;
    case KIND_MONEY:
        snprintf(buf, size, "block group: %s $%s", w, grouped(value, num, sizeof num));
        break;
    case KIND_COUNT:
        snprintf(buf, size, "block group: %s %s", w, grouped(value, num, sizeof num));
        break;
    case KIND_AGE:
        snprintf(buf, size, "block group: %s %.0f years", w, value);
        break;
    default:
        snprintf(buf, size, "block group: %s %s", w, number(value, num, sizeof num));
    }
}

int model_feature_range(const char *f, double *lo, double *hi, const char **unit)
{
    static const struct {
        const char *prefix;
        double lo, hi;
        const char *unit;
    } table[] = {
        {"fires_", 0, 1000, "fires"},          {"calls_", 0, 5000, "calls"},
        {"insp_days_since", 0, 36525, "days"}, {"insp_count_", 0, 1000, "inspections"},
        {"insp_failed_", 0, 1000, "inspections"}, {"insp_violations_", 0, 10000, "violations"},
        {"building_age", 0, 500, "years"},     {"building_sqft", 0, 5e6, "sq ft"},
        {"units", 0, 10000, "housing units"},  {"assessed_value", 0, 1e10, "dollars"},
        {"vacant", 0, 1, "0/1"},               {"owner_occupied", 0, 1, "0/1"},
        {"station_dist_m", 0, 100000, "m"},
    };
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
        if (!strncmp(f, table[k].prefix, strlen(table[k].prefix))) {
            *lo = table[k].lo;
            *hi = table[k].hi;
            *unit = table[k].unit;
            return 1;
        }
    if (strncmp(f, "bg_", 3))
        return 0;
    /* A census block group holds some 600 to 3,000 people: tens of
     * thousands of homes or people is a wrong column or a total. */
    switch (bg_kind_of(f + 3)) {
    case KIND_RATE: *lo = 0, *hi = 100, *unit = "% (or a share 0-1)"; return 1;
    case KIND_MONEY: *lo = 0, *hi = 1e7, *unit = "dollars"; return 1;
    case KIND_AGE: *lo = 0, *hi = 120, *unit = "years"; return 1;
    case KIND_COUNT: *lo = 0, *hi = 50000, *unit = "per block group"; return 1;
    default: return 0;
    }
}

void model_explain(const char *feature, double value, int as_of_year, double radius_m, int inverted, char *buf,
                   size_t size)
{
    const char *f = feature;
    char num[40];
    int years = 0;
    double metres = 0;
    (void)inverted; /* the phrase states the value; inversion only changes the points */
    if (isnan(value)) {
        /* A trained model may count a missing value as a reason (docs/MODELS.md). */
        if (!strcmp(f, "insp_days_since"))
            snprintf(buf, size, "never inspected");
        else if (!strcmp(f, "building_age"))
            snprintf(buf, size, "year built unknown");
        else {
            char w[64];
            words(!strncmp(f, "bg_", 3) ? f + 3 : f, w, sizeof w);
            snprintf(buf, size, "%s unknown", w);
        }
        return;
    }
    if (!strncmp(f, "fires_parcel_", 13) && sscanf(f + 13, "%dy", &years) == 1)
        snprintf(buf, size, "%.0f %s at this address in the past %d %s", value, plural(value, "fire", "fires"),
                 years, plural(years, "year", "years"));
    else if (!strncmp(f, "fires_near_", 11) && sscanf(f + 11, "%dy", &years) == 1)
        snprintf(buf, size, "%.0f %s within %.0f m in the past %d %s", value, plural(value, "fire", "fires"),
                 radius_m, years, plural(years, "year", "years"));
    else if (!strncmp(f, "fires_", 6) && sscanf(f + 6, "%lfm_%dy", &metres, &years) == 2)
        snprintf(buf, size, "%.0f %s within %.0f m in the past %d years", value, plural(value, "fire", "fires"),
                 metres, years);
    else if (!strncmp(f, "calls_", 6) && sscanf(f + 6, "%lfm_%dy", &metres, &years) == 2)
        snprintf(buf, size, "%.0f fire department %s within %.0f m in the past %d years", value,
                 plural(value, "call", "calls"), metres, years);
    else if (!strncmp(f, "fire_kernel_", 12) && sscanf(f + 12, "%lfm", &metres) == 1)
        snprintf(buf, size, "recent fires close by (density %s at %.0f m scale)", number(value, num, sizeof num),
                 metres);
    else if (strchr(f, '=')) { /* a level of a categorical attribute: "heating=wood stove" */
        int bg = !strncmp(f, "bg_", 3); /* a block group's: "block group zoning: R2" */
        char attr[64], w[64];
        snprintf(attr, sizeof attr, "%.*s", (int)(strchr(f, '=') - f - (bg ? 3 : 0)), f + (bg ? 3 : 0));
        words(attr, w, sizeof w);
        snprintf(buf, size, "%s%s%s%s", bg ? "block group " : "", w, value > 0.5 ? ": " : " not ", strchr(f, '=') + 1);
    }
    else if (!strcmp(f, "homes_at_location"))
        snprintf(buf, size, "%.0f %s at this location", value, plural(value, "home", "homes"));
    else if (!strcmp(f, "fires_location_5y"))
        snprintf(buf, size, "%.0f %s in this building in the past 5 years", value, plural(value, "fire", "fires"));
    else if (!strcmp(f, "calls_parcel_3y"))
        snprintf(buf, size, "%.0f fire department %s here in the past 3 years", value, plural(value, "call", "calls"));
    else if (!strcmp(f, "insp_failed_3y"))
        snprintf(buf, size, "%.0f failed %s in the past 3 years", value, plural(value, "inspection", "inspections"));
    else if (!strcmp(f, "insp_violations_3y"))
        snprintf(buf, size, "%.0f code %s in the past 3 years", value, plural(value, "violation", "violations"));
    else if (!strcmp(f, "insp_count_5y"))
        snprintf(buf, size, "%.0f %s in the past 5 years", value, plural(value, "inspection", "inspections"));
    else if (!strcmp(f, "insp_days_since"))
        snprintf(buf, size, "last inspected %.0f days ago", value);
    else if (!strcmp(f, "building_age"))
        snprintf(buf, size, "built %.0f", (double)as_of_year - value);
    else if (!strcmp(f, "vacant"))
        snprintf(buf, size, "%s", value > 0 ? "vacant" : "occupied");
    else if (!strcmp(f, "owner_occupied"))
        snprintf(buf, size, "%s", value > 0 ? "owner-occupied" : "not owner-occupied");
    else if (!strcmp(f, "units"))
        snprintf(buf, size, "%.0f housing %s", value, plural(value, "unit", "units"));
    else if (!strcmp(f, "assessed_value"))
        snprintf(buf, size, "assessed at $%s", grouped(value, num, sizeof num));
    else if (!strcmp(f, "station_dist_m"))
        snprintf(buf, size, "%.1f km from the nearest fire station", value / 1000.0);
    else if (!strcmp(f, "building_sqft"))
        snprintf(buf, size, "%s sq ft building", grouped(value, num, sizeof num));
    else if (!strncmp(f, "bg_", 3))
        explain_block_group(f + 3, value, buf, size);
    else
        explain_attribute(f, value, buf, size);
}
