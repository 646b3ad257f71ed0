/*
 * write_common.c — helpers shared by the GeoJSON, Shapefile and CSV writers
 * (see write_common.h): table validation, the buffered output file and the
 * deterministic number formatting of the streaming writers, OGR geometry
 * from the flat ring arrays, OGR fields and values, per-thread GDAL error
 * capture, and the one generic OGR write loop of the GDAL-driver writers.
 *
 * Number formatting: printf's digits (correctly rounded, ties to even) are
 * the contract, because the streaming Shapefile writer must produce the
 * driver's bytes and the CSV must not change with the code path.  glibc's
 * printf costs 300-400 ns a double; the integer-arithmetic paths here give
 * the same digits in ~30 ns for the magnitudes we write, and fall back on
 * snprintf outside them.  tests/unit/geo/test_write.c compares both on 400k
 * random values.
 *
 * Why one OGR loop for every driver: the differences between GeoJSON and
 * Shapefile are creation options, the declared geometry type and the field
 * names/widths; the loop (one reused OGRFeatureH, features in t->order,
 * transaction where the driver has one, flush + error check before close) is
 * the same and is where the bugs would hide, so it exists once.
 */
/* cpl_vsi.h's VSIStatBufL is a struct stat64 on glibc. */
#ifndef _LARGEFILE64_SOURCE
#define _LARGEFILE64_SOURCE 1
#endif

#include "write_common.h"
#include "dates.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_srs_api.h>

/* ---- table validation ------------------------------------------------ */

const char *geo_write_common_field_name(const geo_out_field *f, geo_write_name_kind names)
{
    return names == GEO_WRITE_NAME_SHORT ? f->short_name : f->name;
}

fr_status geo_write_common_check_table(const geo_out_table *t, geo_write_name_kind names,
                                       fr_error *err)
{
    if (!t || !t->parcels)
        return fr_error_set(err, FR_E_INTERNAL, "output table has no parcels layer");
    if (t->nrows > 0 && !t->order)
        return fr_error_set(err, FR_E_INTERNAL, "output table has %zu rows but no order", t->nrows);
    if (t->nfields > 0 && !t->fields)
        return fr_error_set(err, FR_E_INTERNAL, "output table has %zu fields but no field list",
                            t->nfields);
    for (size_t k = 0; k < t->nrows; k++)
        if (t->order[k] >= t->parcels->count)
            return fr_error_set(err, FR_E_INTERNAL,
                                "output row %zu refers to parcel %zu of %zu", k, t->order[k],
                                t->parcels->count);
    for (size_t j = 0; j < t->nfields; j++) {
        const geo_out_field *f = &t->fields[j];
        if (!f->name || !f->name[0])
            return fr_error_set(err, FR_E_INTERNAL, "output field %zu has no name", j);
        const char *nm = geo_write_common_field_name(f, names);
        if (names == GEO_WRITE_NAME_SHORT) {
            if (!nm || !nm[0])
                return fr_error_set(err, FR_E_INTERNAL,
                                    "output field '%s' has no short name for the .dbf", f->name);
            if (strlen(nm) > 10)
                return fr_error_set(err, FR_E_INTERNAL,
                                    "short name '%s' of output field '%s' is longer than the "
                                    "10 characters a .dbf field name allows",
                                    nm, f->name);
        }
        for (size_t i = 0; i < j; i++) {
            const char *other = geo_write_common_field_name(&t->fields[i], names);
            /* .dbf field names are case-insensitive; JSON keys are not. */
            int same = names == GEO_WRITE_NAME_SHORT ? strcasecmp(other, nm) == 0
                                                     : strcmp(other, nm) == 0;
            if (same)
                return fr_error_set(err, FR_E_INTERNAL,
                                    "output fields '%s' and '%s' have the same %sname ('%s' and "
                                    "'%s')%s",
                                    t->fields[i].name, f->name,
                                    names == GEO_WRITE_NAME_SHORT ? "short " : "", other, nm,
                                    names == GEO_WRITE_NAME_SHORT
                                        ? ": .dbf field names ignore case"
                                        : "");
        }
        int ok = 0;
        switch (f->type) {
        case GEO_COL_STRING: ok = f->str != NULL; break;
        case GEO_COL_NUMBER: ok = f->num != NULL; break;
        case GEO_COL_DATE: ok = f->date != NULL; break;
        }
        if (t->nrows > 0 && !ok)
            return fr_error_set(err, FR_E_INTERNAL, "output field '%s' has no values of its type",
                                f->name);
    }
    return FR_OK;
}

/* ---- values ---------------------------------------------------------- */

int geo_write_common_num_present(double v)
{
    return isfinite(v);
}

int geo_write_common_to_int64(double v, int64_t *out)
{
    double r = nearbyint(v);
    /* -2^63 is exact in a double; 2^63 is the first value out of range. */
    if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
        return 0;
    *out = (int64_t)r;
    return 1;
}

const char *geo_write_common_layer_name(const geo_out_table *t)
{
    return t->layer_name && t->layer_name[0] ? t->layer_name : t->parcels->name;
}

void geo_write_common_prefetch(const geo_out_table *t, size_t k)
{
    enum { FAR = 16, NEAR = 8 };
    if (k + FAR < t->nrows) {
        size_t i = t->order[k + FAR];
        for (size_t j = 0; j < t->nfields; j++) {
            const geo_out_field *f = &t->fields[j];
            switch (f->type) {
            case GEO_COL_STRING: __builtin_prefetch(&f->str[i]); break;
            case GEO_COL_NUMBER: __builtin_prefetch(&f->num[i]); break;
            case GEO_COL_DATE: __builtin_prefetch(&f->date[i]); break;
            }
        }
        const geo_layer *l = t->parcels;
        if (l->kind == GEO_GEOM_POLYGON)
            __builtin_prefetch(&l->ring_start[i]);
        else if (l->kind == GEO_GEOM_POINT) {
            __builtin_prefetch(&l->x[i]);
            __builtin_prefetch(&l->y[i]);
        }
    }
    if (k + NEAR < t->nrows) {
        size_t i = t->order[k + NEAR];
        for (size_t j = 0; j < t->nfields; j++)
            if (t->fields[j].type == GEO_COL_STRING && t->fields[j].str[i])
                __builtin_prefetch(t->fields[j].str[i]);
        const geo_layer *l = t->parcels;
        if (l->kind == GEO_GEOM_POLYGON) {
            size_t r = l->ring_start[i];
            __builtin_prefetch(&l->pt_start[r]);
            __builtin_prefetch(&l->ring_shell[r]);
        }
    }
    if (k + 4 < t->nrows && t->parcels->kind == GEO_GEOM_POLYGON) {
        const geo_layer *l = t->parcels;
        size_t p0 = l->pt_start[l->ring_start[t->order[k + 4]]];
        __builtin_prefetch(&l->px[p0]);
        __builtin_prefetch(&l->py[p0]);
    }
}

/* ---- number formatting ----------------------------------------------- */

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

size_t geo_write_common_fmt_int(char *buf, int64_t v)
{
    size_t n = 0;
    if (v < 0)
        buf[n++] = '-';
    n += put_uint(buf + n, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
    buf[n] = '\0';
    return n;
}

size_t geo_write_common_fmt_date(char *buf, int year, int month, int day, int dashes)
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
        int n = snprintf(buf, GEO_WRITE_NUM_BUF, "%.*f", decimals, v);
        if (n < 0 || n >= GEO_WRITE_NUM_BUF) /* |v| > 1e300 with decimals: not for us */
            n = snprintf(buf, GEO_WRITE_NUM_BUF, "%.15g", v);
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

size_t geo_write_common_fmt_fixed(char *buf, double v, int decimals)
{
    return fmt_decimals(buf, v, decimals, 1);
}

size_t geo_write_common_fmt_decimals(char *buf, double v, int decimals)
{
    return fmt_decimals(buf, v, decimals, 0);
}

/* "%.15g" by snprintf, with ".0" appended to an integer-looking result. */
static size_t fmt_real_printf(char *buf, double v)
{
    int n = snprintf(buf, GEO_WRITE_NUM_BUF, "%.15g", v);
    if (n < 0)
        n = 0;
    if (!strpbrk(buf, ".eEni")) { /* an integer-looking value (not inf/nan) */
        buf[n++] = '.';
        buf[n++] = '0';
        buf[n] = '\0';
    }
    return (size_t)n;
}

size_t geo_write_common_fmt_real(char *buf, double v)
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

/* ---- buffered output file -------------------------------------------- */

fr_status geo_write_out_open(geo_write_out *o, const char *path, fr_error *err)
{
    memset(o, 0, sizeof *o);
    o->cap = (size_t)1 << 20;
    o->buf = malloc(o->cap);
    if (!o->buf)
        return fr_error_oom_while(err, "writing %s: for the output buffer", path);
    o->fp = fopen(path, "wb");
    if (!o->fp) {
        int e = errno;
        free(o->buf);
        o->buf = NULL;
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot create the file: %s", path,
                            strerror(e));
    }
    return FR_OK;
}

void geo_write_out_drain(geo_write_out *o)
{
    if (o->len && !o->err_no && fwrite(o->buf, 1, o->len, o->fp) != o->len)
        o->err_no = errno ? errno : EIO;
    o->len = 0;
}

fr_status geo_write_out_close(geo_write_out *o, const char *path, fr_status st, fr_error *err)
{
    if (!o->fp)
        return st;
    geo_write_out_drain(o);
    if (!o->err_no && fflush(o->fp) != 0)
        o->err_no = errno ? errno : EIO;
    if (fclose(o->fp) != 0 && !o->err_no)
        o->err_no = errno ? errno : EIO;
    o->fp = NULL;
    free(o->buf);
    o->buf = NULL;
    if (st == FR_OK && o->err_no)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: writing failed: %s", path, strerror(o->err_no));
    return st;
}

fr_status geo_write_common_close(GDALDatasetH ds, fr_status st, const char *path, geo_write_gdal_capture *cap,
                                 fr_error *err)
{
    if (!ds)
        return st;
    int failed_before = cap->failed;
    GDALClose(ds); /* void in GDAL 3.6: errors arrive through the handler */
    if (st == FR_OK && cap->failed && !failed_before)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: closing failed: %s", path,
                          geo_write_common_capture_msg(cap, "close failed"));
    return st;
}

/* ---- CRS ------------------------------------------------------------- */

fr_status geo_write_common_srs(const geo_layer *l, const char *path, OGRSpatialReferenceH *out,
                               fr_error *err)
{
    *out = NULL;
    if (!l->srs_wkt || !l->srs_wkt[0])
        return fr_error_set(err, FR_E_INTERNAL, "%s: layer '%s' has no CRS to write", path,
                            l->name);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (!srs)
        return fr_error_oom_while(err, "writing %s: creating a CRS", path);
    if (OSRSetFromUserInput(srs, l->srs_wkt) != OGRERR_NONE) {
        OSRRelease(srs);
        const char *msg = CPLGetLastErrorMsg();
        return fr_error_set(err, FR_E_INTERNAL, "%s: the CRS of layer '%s' is not valid: %s",
                            path, l->name, msg && msg[0] ? msg : "unknown CRS");
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    *out = srs;
    return FR_OK;
}

/* ---- geometry -------------------------------------------------------- */

static OGRGeometryH ring_geometry(const geo_layer *l, size_t r)
{
    OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
    if (!ring)
        return NULL;
    size_t p0 = l->pt_start[r], n = l->pt_start[r + 1] - p0;
    /* X and Y are separate contiguous arrays: one call copies the ring. */
    OGR_G_SetPoints(ring, (int)n, l->px + p0, (int)sizeof(double), l->py + p0,
                    (int)sizeof(double), NULL, 0);
    return ring;
}

fr_status geo_write_common_geometry(const geo_layer *l, size_t i, OGRGeometryH *out,
                                    fr_error *err)
{
    *out = NULL;
    if (l->kind == GEO_GEOM_POINT) {
        if (!geo_layer_has_geometry(l, i))
            return FR_OK;
        OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
        if (!pt)
            return fr_error_oom_while(err, "building a point");
        OGR_G_SetPoint_2D(pt, 0, l->x[i], l->y[i]);
        *out = pt;
        return FR_OK;
    }
    if (l->kind != GEO_GEOM_POLYGON)
        return FR_OK;
    size_t r0 = l->ring_start[i], r1 = l->ring_start[i + 1];
    if (r0 == r1)
        return FR_OK;
    if (!l->ring_shell[r0])
        return fr_error_set(err, FR_E_INTERNAL,
                            "feature %lld of layer '%s' starts with a hole, not a shell",
                            (long long)l->fid[i], l->name);
    size_t nshells = 0;
    for (size_t r = r0; r < r1; r++)
        nshells += l->ring_shell[r];
    for (size_t r = r0; r < r1; r++)
        if (l->pt_start[r + 1] - l->pt_start[r] > (size_t)INT32_MAX)
            return fr_error_set(err, FR_E_INTERNAL, "feature %lld of layer '%s' has a ring too "
                                "large for OGR", (long long)l->fid[i], l->name);

    /* poly is owned here until it is handed to multi (or returned). */
    OGRGeometryH multi = NULL, poly = NULL;
    if (nshells > 1) {
        multi = OGR_G_CreateGeometry(wkbMultiPolygon);
        if (!multi)
            goto oom;
    }
    for (size_t r = r0; r < r1; r++) {
        if (l->ring_shell[r]) {
            if (poly) {
                if (OGR_G_AddGeometryDirectly(multi, poly) != OGRERR_NONE)
                    goto oom;
                poly = NULL;
            }
            poly = OGR_G_CreateGeometry(wkbPolygon);
            if (!poly)
                goto oom;
        }
        OGRGeometryH ring = ring_geometry(l, r);
        if (!ring || OGR_G_AddGeometryDirectly(poly, ring) != OGRERR_NONE) {
            if (ring)
                OGR_G_DestroyGeometry(ring);
            goto oom;
        }
    }
    if (multi) {
        if (OGR_G_AddGeometryDirectly(multi, poly) != OGRERR_NONE)
            goto oom;
        *out = multi;
    } else {
        *out = poly;
    }
    return FR_OK;
oom:
    if (poly)
        OGR_G_DestroyGeometry(poly);
    if (multi)
        OGR_G_DestroyGeometry(multi);
    return fr_error_oom_while(err, "building the geometry of feature %lld "
                        "of layer '%s'", (long long)l->fid[i], l->name);
}

/* ---- GDAL error capture ---------------------------------------------- */

static void CPL_STDCALL capture_handler(CPLErr cls, CPLErrorNum no, const char *msg)
{
    (void)no;
    geo_write_gdal_capture *cap = CPLGetErrorHandlerUserData();
    if (!cap || !msg)
        return;
    if (cls == CE_Failure || cls == CE_Fatal) {
        if (!cap->failed)
            snprintf(cap->first, sizeof cap->first, "%s", msg);
        cap->failed = 1;
    } else if (cls == CE_Warning) {
        if (!cap->warnings)
            snprintf(cap->warning, sizeof cap->warning, "%s", msg);
        cap->warnings++;
    }
}

void geo_write_common_capture_begin(geo_write_gdal_capture *cap)
{
    memset(cap, 0, sizeof *cap);
    CPLPushErrorHandlerEx(capture_handler, cap);
    CPLErrorReset();
}

void geo_write_common_capture_end(geo_write_gdal_capture *cap)
{
    (void)cap;
    CPLPopErrorHandler();
}

const char *geo_write_common_capture_msg(const geo_write_gdal_capture *cap, const char *fallback)
{
    if (cap && cap->failed && cap->first[0])
        return cap->first;
    const char *last = CPLGetLastErrorMsg();
    if (last && last[0])
        return last;
    return fallback;
}

/* ---- fields ---------------------------------------------------------- */

static OGRFieldType ogr_type(const geo_out_field *f, int narrow)
{
    switch (f->type) {
    case GEO_COL_STRING: return OFTString;
    case GEO_COL_DATE: return OFTDate;
    case GEO_COL_NUMBER: break;
    }
    return f->is_integer ? (narrow ? OFTInteger : OFTInteger64) : OFTReal;
}

/* Integer fields whose values all fit 32 bits (spec->narrow_integers):
 * GDAL's GPKG driver binds an OFTInteger64 value 3x slower than an
 * OFTInteger one, and both are SQLite INTEGERs.  NULL when not asked or out
 * of memory (then every integer field stays 64-bit: still correct). */
static unsigned char *narrow_fields(const geo_out_table *t, const geo_write_ogr_spec *spec)
{
    if (!spec->narrow_integers || !t->nfields)
        return NULL;
    unsigned char *narrow = calloc(t->nfields, 1);
    for (size_t j = 0; narrow && j < t->nfields; j++) {
        const geo_out_field *f = &t->fields[j];
        if (f->type != GEO_COL_NUMBER || !f->is_integer)
            continue;
        int fits = 1;
        for (size_t k = 0; k < t->nrows && fits; k++) {
            double v = f->num[t->order[k]];
            fits = !geo_write_common_num_present(v) || (v >= -2147483648.0 && v <= 2147483647.0);
        }
        narrow[j] = (unsigned char)fits;
    }
    return narrow;
}

static fr_status create_fields(OGRLayerH lyr, const geo_out_table *t,
                               const geo_write_ogr_spec *spec, const unsigned char *narrow,
                               const char *path, fr_error *err, geo_write_gdal_capture *cap)
{
    for (size_t j = 0; j < t->nfields; j++) {
        const geo_out_field *f = &t->fields[j];
        const char *nm = geo_write_common_field_name(f, spec->names);
        OGRFieldDefnH fd = OGR_Fld_Create(nm, ogr_type(f, narrow && narrow[j]));
        if (!fd)
            return fr_error_oom_while(err, "writing %s: creating field '%s'", path,
                                nm);
        if (spec->widths && spec->widths[j] > 0)
            OGR_Fld_SetWidth(fd, spec->widths[j]);
        if (spec->precisions && spec->precisions[j] > 0)
            OGR_Fld_SetPrecision(fd, spec->precisions[j]);
        /* bApproxOK = FALSE: the driver must not rename or retype silently. */
        OGRErr e = OGR_L_CreateField(lyr, fd, FALSE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return fr_error_set(err, FR_E_OUTPUT, "%s: cannot create field '%s': %s", path, nm,
                                geo_write_common_capture_msg(cap, "driver refused the field"));
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    if ((size_t)OGR_FD_GetFieldCount(defn) != t->nfields)
        return fr_error_set(err, FR_E_OUTPUT, "%s: the driver created %d fields instead of %zu",
                            path, OGR_FD_GetFieldCount(defn), t->nfields);
    for (size_t j = 0; j < t->nfields; j++) {
        const char *want = geo_write_common_field_name(&t->fields[j], spec->names);
        const char *got = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, (int)j));
        if (strcmp(want, got) != 0)
            return fr_error_set(err, FR_E_OUTPUT, "%s: the driver renamed field '%s' to '%s'",
                                path, want, got);
    }
    return FR_OK;
}

/* Sets every field of feature f from parcel idx (value or null: the feature
 * is reused, so nothing may be left from the previous row). */
static fr_status set_fields(OGRFeatureH feat, const geo_out_table *t, const unsigned char *narrow,
                            size_t idx, const char *path, size_t row, fr_error *err)
{
    for (size_t j = 0; j < t->nfields; j++) {
        const geo_out_field *f = &t->fields[j];
        int k = (int)j;
        switch (f->type) {
        case GEO_COL_STRING: {
            const char *s = f->str[idx];
            if (s)
                OGR_F_SetFieldString(feat, k, s);
            else
                OGR_F_SetFieldNull(feat, k);
            break;
        }
        case GEO_COL_NUMBER: {
            double v = f->num[idx];
            if (!geo_write_common_num_present(v)) {
                OGR_F_SetFieldNull(feat, k);
            } else if (f->is_integer) {
                int64_t iv;
                if (!geo_write_common_to_int64(v, &iv))
                    return fr_error_set(err, FR_E_OUTPUT,
                                        "%s: row %zu (parcel fid %lld), field '%s': %g does not "
                                        "fit a 64-bit integer",
                                        path, row, (long long)t->parcels->fid[idx], f->name, v);
                if (narrow && narrow[j])
                    OGR_F_SetFieldInteger(feat, k, (int)iv);
                else
                    OGR_F_SetFieldInteger64(feat, k, (GIntBig)iv);
            } else {
                OGR_F_SetFieldDouble(feat, k, v);
            }
            break;
        }
        case GEO_COL_DATE: {
            int32_t d = f->date[idx];
            if (d == GEO_DATE_MISSING) {
                OGR_F_SetFieldNull(feat, k);
                break;
            }
            int y, m, dd;
            fr_civil_from_days(d, &y, &m, &dd);
            if (y < 1 || y > 9999)
                return fr_error_set(err, FR_E_OUTPUT,
                                    "%s: row %zu (parcel fid %lld), field '%s': year %d is "
                                    "outside 1..9999",
                                    path, row, (long long)t->parcels->fid[idx], f->name, y);
            OGR_F_SetFieldDateTime(feat, k, y, m, dd, 0, 0, 0, 0);
            break;
        }
        }
    }
    return FR_OK;
}

/* ---- the generic OGR writer ------------------------------------------ */

/* Removes an earlier output at path so that the driver creates it afresh
 * (the Shapefile driver's Delete also removes .shx/.dbf/.prj/.cpg). */
static fr_status remove_existing(GDALDriverH drv, const char *path, fr_error *err,
                                 geo_write_gdal_capture *cap)
{
    VSIStatBufL st;
    if (VSIStatL(path, &st) != 0)
        return FR_OK;
    if (!VSI_ISREG(st.st_mode))
        return fr_error_set(err, FR_E_OUTPUT, "%s: exists and is not a regular file", path);
    if (GDALDeleteDataset(drv, path) != CE_None && VSIUnlink(path) != 0)
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot replace the existing file: %s", path,
                            geo_write_common_capture_msg(cap, "delete failed"));
    CPLErrorReset();
    cap->failed = 0;
    cap->first[0] = '\0';
    return FR_OK;
}

static OGRwkbGeometryType layer_type(const geo_layer *l, const geo_write_ogr_spec *spec)
{
    switch (l->kind) {
    case GEO_GEOM_POINT: return wkbPoint;
    case GEO_GEOM_POLYGON: return spec->polygon_type;
    case GEO_GEOM_NONE: break;
    }
    return wkbNone;
}

/* Creates the layer (with its CRS) in ds. */
static fr_status create_layer(GDALDatasetH ds, const geo_out_table *t,
                              const geo_write_ogr_spec *spec, const char *path, OGRLayerH *out,
                              fr_error *err, geo_write_gdal_capture *cap)
{
    OGRSpatialReferenceH srs = NULL;
    const geo_layer *l = t->parcels;
    if (l->kind != GEO_GEOM_NONE) {
        fr_status st = geo_write_common_srs(l, path, &srs, err);
        if (st != FR_OK)
            return st;
    }
    const char *name = geo_write_common_layer_name(t);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, name, srs, layer_type(l, spec),
                                           (CSLConstList)spec->layer_opts);
    if (srs)
        OSRRelease(srs);
    if (!lyr)
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot create layer '%s': %s", path, name,
                            geo_write_common_capture_msg(cap, "driver refused the layer"));
    *out = lyr;
    return FR_OK;
}

static fr_status write_rows(OGRLayerH lyr, const geo_out_table *t, const geo_write_ogr_spec *spec,
                            const unsigned char *narrow, const char *path, fr_error *err,
                            geo_write_gdal_capture *cap)
{
    OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
    if (!feat)
        return fr_error_oom_while(err, "writing %s: creating a feature", path);
    fr_status st = FR_OK;
    for (size_t k = 0; k < t->nrows && st == FR_OK; k++) {
        size_t idx = t->order[k];
        OGRGeometryH g = NULL;
        st = geo_write_common_geometry(t->parcels, idx, &g, err);
        if (st != FR_OK) {
            fr_error_prefix(err, "%s: row %zu", path, k);
            break;
        }
        /* GeoPackage declares MultiPolygon (its spec forbids a Polygon in a
         * MultiPolygon layer and vice versa): promote single polygons. */
        if (g && spec->force_multi && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon)
            g = OGR_G_ForceToMultiPolygon(g);
        OGR_F_SetGeometryDirectly(feat, g); /* frees the previous row's; NULL = no geometry */
        st = set_fields(feat, t, narrow, idx, path, k, err);
        if (st != FR_OK)
            break;
        OGR_F_SetFID(feat, OGRNullFID);
        if (OGR_L_CreateFeature(lyr, feat) != OGRERR_NONE || cap->failed)
            st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot write row %zu (parcel fid %lld): %s",
                              path, k, (long long)t->parcels->fid[idx],
                              geo_write_common_capture_msg(cap, "driver refused the feature"));
    }
    OGR_F_Destroy(feat);
    return st;
}

fr_status geo_write_common_ogr_layer(GDALDatasetH ds, const geo_out_table *t,
                                     const geo_write_ogr_spec *spec, const char *path,
                                     geo_write_gdal_capture *cap, fr_error *err)
{
    OGRLayerH lyr = NULL;
    unsigned char *narrow = narrow_fields(t, spec);
    fr_status st = create_layer(ds, t, spec, path, &lyr, err, cap);
    if (st == FR_OK)
        st = create_fields(lyr, t, spec, narrow, path, err, cap);
    if (st != FR_OK) {
        free(narrow);
        return st;
    }
    int in_tx = OGR_L_TestCapability(lyr, OLCTransactions) && OGR_L_StartTransaction(lyr) == OGRERR_NONE;
    st = write_rows(lyr, t, spec, narrow, path, err, cap);
    free(narrow);
    if (in_tx) {
        OGRErr e = st == FR_OK ? OGR_L_CommitTransaction(lyr) : OGR_L_RollbackTransaction(lyr);
        if (st == FR_OK && e != OGRERR_NONE)
            st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot commit: %s", path,
                              geo_write_common_capture_msg(cap, "commit failed"));
    }
    return st;
}

fr_status geo_write_common_ogr(const geo_out_table *t, const char *path,
                               const geo_write_ogr_spec *spec, fr_error *err)
{
    if (!path || !path[0])
        return fr_error_set(err, FR_E_INTERNAL, "no output path given");
    GDALDriverH drv = GDALGetDriverByName(spec->driver);
    if (!drv)
        return fr_error_set(err, FR_E_INTERNAL, "%s: GDAL driver '%s' is not registered "
                            "(GDALAllRegister not called?)", path, spec->driver);

    geo_write_gdal_capture cap;
    geo_write_common_capture_begin(&cap);
    GDALDatasetH ds = NULL;
    fr_status st = remove_existing(drv, path, err, &cap);
    if (st != FR_OK)
        goto done;
    ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot create the %s file: %s", path,
                          spec->driver, geo_write_common_capture_msg(&cap, "unknown error"));
        goto done;
    }
    st = geo_write_common_ogr_layer(ds, t, spec, path, &cap, err);
    if (st == FR_OK) {
        GDALFlushCache(ds);
        if (cap.failed || CPLGetLastErrorType() == CE_Failure)
            st = fr_error_set(err, FR_E_OUTPUT, "%s: writing failed: %s", path,
                              geo_write_common_capture_msg(&cap, "flush failed"));
    }
done:
    st = geo_write_common_close(ds, st, path, &cap, err);
    geo_write_common_capture_end(&cap);
    return st;
}
