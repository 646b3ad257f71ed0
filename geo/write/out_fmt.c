/*
 * out_fmt.c — deterministic number and date formatting for the streaming
 * writers (see out_fmt.h).
 *
 * printf's digits (correctly rounded, ties to even) are the contract,
 * because the streaming Shapefile writer must produce the driver's bytes and
 * the CSV must not change with the code path.  glibc's printf costs 300-400
 * ns a double; the integer-arithmetic paths here give the same digits in ~30
 * ns for the magnitudes we write, and fall back on snprintf outside them.
 * tests/unit/geo/test_write.c compares both on 400k random values.
 */
#include "out_fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Powers of ten, all exact in a double. */
static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* nearbyint(a * 10^k) for the exact product (a >= 0, product < 2^51): the
 * double product p can only round the wrong way when it lands exactly
 * halfway, and then the sign of its rounding error, exact by fma since
 * 10^k is exact, decides.  Ties of the exact product go to even, as in
 * printf. */
static double round_scaled(double a, int k)
{
    double scale = pow10_tab[k];
    double p = a * scale;
    double r = nearbyint(p);
    double t = p - r;
    if (t == 0.5 || t == -0.5) {
        double e = fma(a, scale, -p);
        if (t == 0.5 && e > 0)
            r += 1;
        else if (t == -0.5 && e < 0)
            r -= 1;
    }
    return r;
}

/* Writes the decimal digits of u (no sign) at buf; returns the length. */
static size_t put_uint(char *buf, uint64_t u)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    for (size_t k = 0; k < n; k++)
        buf[k] = tmp[n - 1 - k];
    return n;
}

size_t geo_out_fmt_int(char *buf, int64_t v)
{
    size_t n = 0;
    if (v < 0)
        buf[n++] = '-';
    n += put_uint(buf + n, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
    buf[n] = '\0';
    return n;
}

size_t geo_out_fmt_date(char *buf, int year, int month, int day, int dashes)
{
    size_t n = 0;
    buf[n++] = (char)('0' + year / 1000 % 10);
    buf[n++] = (char)('0' + year / 100 % 10);
    buf[n++] = (char)('0' + year / 10 % 10);
    buf[n++] = (char)('0' + year % 10);
    if (dashes)
        buf[n++] = '-';
    buf[n++] = (char)('0' + month / 10);
    buf[n++] = (char)('0' + month % 10);
    if (dashes)
        buf[n++] = '-';
    buf[n++] = (char)('0' + day / 10);
    buf[n++] = (char)('0' + day % 10);
    buf[n] = '\0';
    return n;
}

/* Removes trailing zeros after a decimal point (and the point itself), and
 * turns "-0" into "0". */
static size_t trim_fixed(char *buf, size_t n)
{
    if (memchr(buf, '.', n)) {
        while (buf[n - 1] == '0')
            n--;
        if (buf[n - 1] == '.')
            n--;
    }
    if (n == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        n = 1;
    }
    buf[n] = '\0';
    return n;
}

/* v with exactly `decimals` decimals (printf "%.*f", sign included even
 * when the value rounds to zero); trim removes trailing zeros, the point
 * and the sign of a zero. */
static size_t fmt_decimals(char *buf, double v, int decimals, int trim)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > 15)
        decimals = 15;
    double scale = pow10_tab[decimals];
    if (!(fabs(v) * scale < 2251799813685248.0)) { /* 2^51, also NAN/Inf: printf's way */
        int n = snprintf(buf, GEO_OUT_FMT_BUF, "%.*f", decimals, v);
        if (n < 0 || n >= GEO_OUT_FMT_BUF) /* |v| > 1e300 with decimals: not for us */
            n = snprintf(buf, GEO_OUT_FMT_BUF, "%.15g", v);
        return trim ? trim_fixed(buf, (size_t)n) : (size_t)n;
    }
    uint64_t u = (uint64_t)round_scaled(fabs(v), decimals);
    size_t n = 0;
    if (signbit(v) && (u != 0 || !trim))
        buf[n++] = '-';
    uint64_t ip = (uint64_t)scale;
    n += put_uint(buf + n, u / ip);
    uint64_t frac = u % ip;
    if (decimals > 0 && (frac || !trim)) {
        buf[n++] = '.';
        for (int k = decimals - 1; k >= 0; k--) {
            buf[n + (size_t)k] = (char)('0' + frac % 10);
            frac /= 10;
        }
        n += (size_t)decimals;
        if (trim)
            while (buf[n - 1] == '0')
                n--;
    }
    buf[n] = '\0';
    return n;
}

size_t geo_out_fmt_fixed(char *buf, double v, int decimals)
{
    return fmt_decimals(buf, v, decimals, 1);
}

size_t geo_out_fmt_decimals(char *buf, double v, int decimals)
{
    return fmt_decimals(buf, v, decimals, 0);
}

/* "%.15g" by snprintf, with ".0" appended to an integer-looking result. */
static size_t fmt_real_printf(char *buf, double v)
{
    int n = snprintf(buf, GEO_OUT_FMT_BUF, "%.15g", v);
    if (n < 0)
        n = 0;
    if (!strpbrk(buf, ".eEni")) { /* an integer-looking value (not inf/nan) */
        buf[n++] = '.';
        buf[n++] = '0';
        buf[n] = '\0';
    }
    return (size_t)n;
}

size_t geo_out_fmt_real(char *buf, double v)
{
    if (v == 0) {
        memcpy(buf, signbit(v) ? "-0.0" : "0.0", signbit(v) ? 5 : 4);
        return signbit(v) ? 4 : 3;
    }
    double a = fabs(v);
    /* Fixed notation range of %.15g (exponent -4 .. 14); the rest, and
     * zero, NAN and Inf, by snprintf. */
    if (!(a >= 1e-4 && a < 1e15))
        return fmt_real_printf(buf, v);
    int e10 = (int)floor(log10(a));
    if (e10 < -4)
        e10 = -4;
    if (e10 > 14)
        e10 = 14;
    /* 15 significant digits: a * 10^(14 - e10) in [1e14, 1e15) */
    double p = a * pow10_tab[14 - e10];
    if (p >= 1e15 && e10 < 14)
        e10++;
    else if (p < 1e14 && e10 > -4)
        e10--;
    double r = round_scaled(a, 14 - e10);
    if (r >= 1e15) { /* 9.99...95 rounded up to the next power of ten */
        r = 1e14;
        e10++;
    }
    if (r < 1e14 || e10 > 14) /* not the plain case: let printf decide */
        return fmt_real_printf(buf, v);
    char digits[16];
    put_uint(digits, (uint64_t)r); /* exactly 15 digits */
    int last = 14;                 /* index of the last significant digit */
    while (last > 0 && digits[last] == '0')
        last--;
    size_t n = 0;
    if (v < 0)
        buf[n++] = '-';
    if (e10 >= 0) {
        for (int k = 0; k <= e10; k++)
            buf[n++] = digits[k];
        buf[n++] = '.';
        if (last > e10)
            for (int k = e10 + 1; k <= last; k++)
                buf[n++] = digits[k];
        else
            buf[n++] = '0'; /* integer-looking: keep ".0" so readers keep it real */
    } else {
        buf[n++] = '0';
        buf[n++] = '.';
        for (int k = 0; k < -e10 - 1; k++)
            buf[n++] = '0';
        for (int k = 0; k <= last; k++)
            buf[n++] = digits[k];
    }
    buf[n] = '\0';
    return n;
}

