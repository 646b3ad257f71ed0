/*
 * labels.c — labels for a cutoff and horizon (see labels.h).
 */
#include "labels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"

int model_horizon_parse(const char *text, model_horizon *h)
{
    memset(h, 0, sizeof *h);
    if (!text)
        return -1;
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || v < 1 || v > 1200 || end[0] == '\0' || end[1] != '\0')
        return -1;
    switch (end[0]) {
    case 'y': h->years = (int)v; break;
    case 'm': h->months = (int)v; break;
    case 'd': h->days = (int)v; break;
    default: return -1;
    }
    return 0;
}

void model_horizon_format(const model_horizon *h, char *buf, size_t size)
{
    if (h->years)
        snprintf(buf, size, "%dy", h->years);
    else if (h->months)
        snprintf(buf, size, "%dm", h->months);
    else
        snprintf(buf, size, "%dd", h->days);
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

static int32_t shift(int32_t date, const model_horizon *h, int sign)
{
    int y, m, d;
    fr_civil_from_days(date, &y, &m, &d);
    long months = (long)y * 12 + (m - 1) + sign * ((long)h->years * 12 + h->months);
    y = (int)(months / 12);
    m = (int)(months % 12) + 1;
    if (d > days_in_month(y, m))
        d = days_in_month(y, m);
    return fr_days_from_civil(y, m, d) + sign * h->days;
}

int32_t model_horizon_add(int32_t date, const model_horizon *h)
{
    return shift(date, h, 1);
}

int32_t model_horizon_sub(int32_t date, const model_horizon *h)
{
    return shift(date, h, -1);
}

void model_labels_build(const int32_t *inc_parcel, const int32_t *inc_date, const uint8_t *inc_is_fire,
                        size_t ninc, size_t nparcels, int32_t from, int32_t to, uint8_t *y, size_t *positives)
{
    memset(y, 0, nparcels);
    size_t pos = 0;
    for (size_t k = 0; k < ninc; k++) {
        int32_t p = inc_parcel[k], d = inc_date[k];
        if (p < 0 || (size_t)p >= nparcels || !inc_is_fire[k] || d == FR_DATE_MISSING || d < from || d >= to)
            continue;
        pos += !y[p];
        y[p] = 1;
    }
    *positives = pos;
}

int32_t model_labels_last_fire(const int32_t *inc_parcel, const int32_t *inc_date, const uint8_t *inc_is_fire,
                               size_t ninc)
{
    int32_t last = FR_DATE_MISSING;
    for (size_t k = 0; k < ninc; k++)
        if (inc_parcel[k] >= 0 && inc_is_fire[k] && inc_date[k] != FR_DATE_MISSING && inc_date[k] > last)
            last = inc_date[k];
    return last;
}
