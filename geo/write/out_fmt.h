/*
 * out_fmt.h — numbers and dates as the bytes the streaming writers
 * (GeoJSON, Shapefile .dbf, the CSVs) put in their files: printf's digits
 * without printf's cost, and never a locale.
 *
 * buf holds at least GEO_OUT_FMT_BUF bytes; every function writes a
 * terminating NUL and returns the length.  No state: safe on any thread.
 */
#ifndef GEO_OUT_FMT_H
#define GEO_OUT_FMT_H

#include <stddef.h>
#include <stdint.h>

#define GEO_OUT_FMT_BUF 352

/* v with at most `decimals` decimals (0..15), trailing zeros and point
 * removed, never "-0": the digits of printf("%.*f") (correctly rounded,
 * ties to even), computed with integer arithmetic when
 * |v| * 10^decimals < 2^51 (coordinates, the CSV) and by snprintf beyond. */
size_t geo_out_fmt_fixed(char *buf, double v, int decimals);

/* Exactly printf("%.*f", decimals, v) (0..15 decimals), integer
 * arithmetic in the same range as above: the .dbf's fixed-width numbers. */
size_t geo_out_fmt_decimals(char *buf, double v, int decimals);

/* v with 15 significant digits ("%.15g"), ".0" appended when the result
 * would read as an integer, so that readers keep the field real. */
size_t geo_out_fmt_real(char *buf, double v);

/* "YYYY-MM-DD" (dashes) or "YYYYMMDD" for a year 0..9999. */
size_t geo_out_fmt_date(char *buf, int year, int month, int day, int dashes);

/* Decimal integer. */
size_t geo_out_fmt_int(char *buf, int64_t v);

#endif
