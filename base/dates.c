/*
 * dates.c — civil date arithmetic and text date parsing (see dates.h).
 *
 * days_from_civil / civil_from_days are Howard Hinnant's public-domain
 * algorithms: exact for every proleptic Gregorian date, no time zones, no
 * libc state (mktime/timegm depend on TZ and locale, which a nightly batch
 * must not).
 */
#include "dates.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int32_t fr_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void fr_civil_from_days(int32_t days, int *y, int *m, int *d)
{
    /* In 64 bits so that every int32 day (INT32_MAX + 719468 overflows an
     * int) has its date: the writers format whatever a source held. */
    const int64_t z = (int64_t)days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
}

int32_t fr_today_utc(void)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    return fr_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

int32_t fr_days_minus_years(int32_t days, int years)
{
    int y, m, d;
    fr_civil_from_days(days, &y, &m, &d);
    y -= years;
    if (d > days_in_month(y, m))
        d = days_in_month(y, m);
    return fr_days_from_civil(y, m, d);
}

static int valid_ymd(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Accepts what may follow a date: nothing, or a time part. */
static int time_tail_ok(const char *p)
{
    while (*p == ' ')
        p++;
    if (*p == '\0')
        return 1;
    if (*p == 'T' || *p == 't')
        p++;
    /* hh:mm[:ss[.fff]][Z|+hh[:mm]] — only checked loosely: digits and separators */
    if (!isdigit((unsigned char)*p))
        return 0;
    for (; *p; p++)
        if (!(isdigit((unsigned char)*p) || strchr(":.+-Z APMapm", *p)))
            return 0;
    return 1;
}

static int read_int(const char **pp, int min_digits, int max_digits, int *out)
{
    const char *p = *pp;
    int v = 0, n = 0;
    while (isdigit((unsigned char)*p) && n < max_digits) {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (n < min_digits)
        return -1;
    *pp = p;
    *out = v;
    return 0;
}

static int parse_auto(const char *s, int32_t *days)
{
    int a, b, c;
    const char *p = s;
    /* YYYYMMDD */
    if (strlen(s) >= 8 && read_int(&p, 8, 8, &a) == 0 && (*p == '\0' || *p == 'T' || *p == ' ')) {
        int y = a / 10000, m = a / 100 % 100, d = a % 100;
        if (valid_ymd(y, m, d) && time_tail_ok(p)) {
            *days = fr_days_from_civil(y, m, d);
            return 0;
        }
        return -1;
    }
    p = s;
    if (read_int(&p, 1, 4, &a) != 0)
        return -1;
    int first_len = (int)(p - s);
    char sep = *p;
    if (sep != '-' && sep != '/' && sep != '.')
        return -1;
    p++;
    if (read_int(&p, 1, 2, &b) != 0 || *p != sep)
        return -1;
    p++;
    const char *cstart = p;
    if (read_int(&p, 1, 4, &c) != 0)
        return -1;
    int clen = (int)(p - cstart);
    if (!time_tail_ok(p))
        return -1;
    int y, m, d;
    if (first_len == 4) { /* Y-M-D */
        y = a; m = b; d = c;
    } else if (sep == '/' || sep == '-' || sep == '.') { /* M/D/Y (US exports) */
        if (clen == 4)
            y = c;
        else if (clen == 2)
            y = c <= 68 ? 2000 + c : 1900 + c;
        else
            return -1;
        m = a; d = b;
    } else {
        return -1;
    }
    if (!valid_ymd(y, m, d))
        return -1;
    *days = fr_days_from_civil(y, m, d);
    return 0;
}

int fr_parse_date(const char *text, const char *format, int32_t *days)
{
    if (!text)
        return -1;
    while (isspace((unsigned char)*text))
        text++;
    char buf[64];
    size_t n = strlen(text);
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (!format)
        return parse_auto(buf, days);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_mday = 1;
    const char *end = strptime(buf, format, &tm);
    if (!end || !time_tail_ok(end))
        return -1;
    int y = tm.tm_year + 1900, m = tm.tm_mon + 1, d = tm.tm_mday;
    if (!valid_ymd(y, m, d))
        return -1;
    *days = fr_days_from_civil(y, m, d);
    return 0;
}

void fr_format_date(int32_t days, char out[11])
{
    int y, m, d;
    fr_civil_from_days(days, &y, &m, &d);
    char buf[48];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    memcpy(out, buf, 10);
    out[10] = '\0';
}
