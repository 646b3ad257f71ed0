/*
 * explain.c — phrases for reasons (see explain.h).  Unknown features (e.g.
 * block-group attributes named by the user) fall back to "name = value".
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
        else
            snprintf(buf, size, "%s unknown", !strncmp(f, "bg_", 3) ? f + 3 : f);
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
    else if (strchr(f, '=')) /* a level of a categorical attribute: "heating=wood stove" */
        snprintf(buf, size, "%.*s%s%s", (int)(strchr(f, '=') - f), f, value > 0.5 ? ": " : " not ",
                 strchr(f, '=') + 1);
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
    else if (!strcmp(f, "building_sqft"))
        snprintf(buf, size, "%.0f sq ft building", value);
    else if (!strcmp(f, "assessed_value"))
        snprintf(buf, size, "assessed at $%.0f", value);
    else if (!strcmp(f, "station_dist_m"))
        snprintf(buf, size, "%.1f km from the nearest fire station", value / 1000.0);
    else if (!strncmp(f, "bg_", 3))
        snprintf(buf, size, "block group %s %s", f + 3, number(value, num, sizeof num));
    else
        snprintf(buf, size, "%s %s", f, number(value, num, sizeof num));
}
