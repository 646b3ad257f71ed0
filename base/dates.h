/*
 * dates.h — calendar dates as whole days since 1970-01-01.
 *
 * Plain C with no dependency, shared by the readers (parsing text dates from
 * exports) and the features (windows "in the past N years as of a date").
 */
#ifndef FR_DATES_H
#define FR_DATES_H

#include <stdint.h>

#define FR_DATE_MISSING INT32_MIN

/* Days since 1970-01-01 of a proleptic Gregorian date (any year). */
int32_t fr_days_from_civil(int y, int m, int d);
void fr_civil_from_days(int32_t days, int *y, int *m, int *d);

/* Today's date in UTC (the default as_of of a run). */
int32_t fr_today_utc(void);

/* The same month and day `years` years earlier (29 Feb -> 28 Feb). */
int32_t fr_days_minus_years(int32_t days, int years);

/* Parses a date text into days.  format NULL = automatic: YYYY-MM-DD,
 * YYYY/MM/DD, YYYYMMDD (each optionally followed by a time such as
 * "T12:30:00" or " 12:30"), M/D/YYYY and M/D/YY (two-digit years: 00-68 ->
 * 20xx, 69-99 -> 19xx, as POSIX strptime %y).  A format is a strptime(3)
 * format.  Returns 0 on success, -1 if the text is not a valid date. */
int fr_parse_date(const char *text, const char *format, int32_t *days);

/* Writes YYYY-MM-DD (11 bytes with the NUL). */
void fr_format_date(int32_t days, char out[11]);

#endif
