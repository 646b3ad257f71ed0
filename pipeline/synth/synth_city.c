/*
 * synth_city.c — the generative model of the synthetic city (see
 * synth_city.h for the contract and docs/SYNTH.md for the model).
 *
 * Why it exists: firerisk needs data that ships with the program (no
 * network, nothing in git) and, above all, a known truth: the fire hazard of
 * every parcel is planted here with documented coefficients, so that the
 * scoring models can be checked against it.
 *
 * Stages, each a pure function of (parcels, seed):
 *   1. layout: a grid of block columns and block rows separated by streets;
 *      each block holds two back-to-back rows of lots ("faces");
 *   2. parcels: lot polygons (shared edges carry identical vertices) and
 *      addresses, in parallel over blocks;
 *   3. block groups (8 x 8 blocks) with a smooth hidden neighbourhood effect;
 *   4. parcel attributes, in parallel over parcels;
 *   5. inspections, then the violation history per parcel and year;
 *   6. the planted hazard: intercept calibrated to the target fire count,
 *      structure fires drawn year by year, plus non-fire incidents (noise);
 *   7. fire stations on a jittered lattice; final sort of the event tables.
 *
 * Randomness: sc_rng_init(seed, stream, index) seeds a splitmix64 sequence
 * per entity, so a parcel's draws never depend on which thread made them or
 * in which order.  Sums over entities go through fixed chunks (SC_CHUNK).
 */
#include "synth_city.h"
#include "dates.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Model constants (documented in docs/SYNTH.md; keep the two in step).     */

#define ORIGIN_X 730000.0 /* south-west corner of the city (UTM 16N) */
#define ORIGIN_Y 3730000.0
#define BG_BLOCKS 8       /* a block group is 8 x 8 blocks */
#define NYEARS (SYNTH_LAST_YEAR - SYNTH_FIRST_YEAR + 1)
#define FIELD_SCALE 3000.0 /* metres: length scale of the neighbourhood field */
#define AVG_LOTS_PER_BLOCK 17.0
#define MAX_LOTS_FACE 12
#define MAX_STACK 10      /* homes of a condominium stack, at most (rich profile) */
#define MAX_LOTS_BLOCK (MAX_LOTS_FACE * MAX_STACK) /* a face holds at most 6 large lots (span >= 2) */
#define MAX_VERTS 12

#define INSP_PER_PARCEL 0.5
#define INC_PER_PARCEL 0.24
#define STRUCTURE_SHARE 0.45
#define KM2_PER_STATION 6.0

/* Planted hazard: logit p(i, y) = B0 + sum of the terms below. */
#define B_AGE 0.45   /* x (age - 60) / 30, age = y - year_built */
#define B_SIZE 0.35  /* x ln(bldg_sqft / 1500) */
#define B_UNITS 0.30 /* x ln(max(units, 1)) */
#define B_VAC 1.10   /* x vacant */
#define B_RENT 0.45  /* x (1 - owner_occ) */
#define B_VIOL 0.55  /* x ln(1 + violations in the 3 calendar years before y) */
#define B_BG 0.35    /* x hidden neighbourhood effect of the block group */
#define B_POV 2.00   /* x poverty_rate of the block group (fraction) */
#define B_COND 0.35  /* x hidden parcel condition, N(0, 1) */

/* Rich profile (SYNTH_PROFILE_RICH, docs/SYNTH.md section 7b), on top of
 * the terms above.  The three history terms come with a yearly offset that
 * keeps the year's expected fire count what it is without them (sc_history). */
#define B_WOOD 0.90   /* x (heating = WOOD) */
#define B_LOC 0.35    /* x ln(homes on the parcel's footprint) */
#define B_BLDG 0.40   /* x ln(1 + structure fires in the building in the 5 calendar years before y) */
#define B_NEAR 0.30   /* x ln(1 + structure fires within NEAR_M of the lot centre, same years) */
#define B_FAR 0.20    /* x ln(1 + structure fires within FAR_M, same years) */
#define HIST_YEARS 5
#define NEAR_M 100.0
#define FAR_M 1000.0
#define HIST_CELL 250.0 /* metres: grid cell of the fire counts */
#define STACK_SHARE 0.5 /* share of the large lots that are condominium stacks */

#define SC_CHUNK 4096

enum {
    ST_COL = 1, ST_ROW, ST_STREET_NS, ST_STREET_EW, ST_BLOCK, ST_BOUND, ST_LOT, ST_BLOCKATTR,
    ST_PARCEL, ST_BG, ST_FIELD, ST_NAMES, ST_INSP, ST_FIRE, ST_NONFIRE, ST_INCLOC, ST_STATION,
    ST_VISIT, ST_VISIT_EFFECT, ST_STACK, ST_HEATING /* new streams last: the ones before keep their numbers */
};

/* Home visits (docs/SYNTH.md): each year from SYNTH_VISIT_FIRST_YEAR, a
 * parcel is visited with probability
 * logistic(VISIT_V0 + VISIT_RISK x neighbourhood hazard), the neighbourhood
 * hazard being the block group's part of the planted hazard
 * (B_BG x e_bg + B_POV x poverty_rate): the department canvasses the
 * riskier neighbourhoods, and inside one it visits every parcel at random,
 * with or without a building (a canvass covers whole blocks: otherwise the
 * empty lots, which have no fire and score high as vacant, would sit among
 * the comparison homes only, and bias the comparison).
 * VISIT_DONE_SHARE of visits are completed. */
#define VISIT_V0 (-3.3)
#define VISIT_RISK 1.5
#define VISIT_DONE_SHARE 0.85
#define VISIT_DAYS 365

/* ------------------------------------------------------------------------ */
/* Counter-based random numbers.                                            */

typedef struct {
    uint64_t s;
} sc_rng;

static uint64_t sc_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static sc_rng sc_rng_init(uint64_t seed, uint64_t stream, uint64_t index)
{
    sc_rng r;
    r.s = sc_mix(sc_mix(seed + 0x9E3779B97F4A7C15ull * (stream + 1)) ^ (index * 0xD1B54A32D192ED03ull + 1));
    return r;
}

static uint64_t sc_next(sc_rng *r)
{
    r->s += 0x9E3779B97F4A7C15ull;
    return sc_mix(r->s);
}

/* The generator of (seed, stream, index) after `draws` draws: the state is
 * a counter, so this is where the sequence would be after them. */
static sc_rng sc_rng_after(uint64_t seed, uint64_t stream, uint64_t index, uint64_t draws)
{
    sc_rng r = sc_rng_init(seed, stream, index);
    r.s += 0x9E3779B97F4A7C15ull * draws;
    return r;
}

/* Uniform in [0, 1). */
static double sc_unif(sc_rng *r)
{
    return (double)(sc_next(r) >> 11) * 0x1.0p-53;
}

static double sc_normal(sc_rng *r)
{
    double u1 = 1.0 - sc_unif(r); /* (0, 1] */
    double u2 = sc_unif(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static int sc_poisson(sc_rng *r, double lambda)
{
    if (lambda <= 0)
        return 0;
    if (lambda > 60) {
        double v = floor(lambda + sqrt(lambda) * sc_normal(r) + 0.5);
        return v < 0 ? 0 : (int)v;
    }
    double limit = exp(-lambda), p = 1.0;
    int k = -1;
    do {
        k++;
        p *= sc_unif(r);
    } while (p > limit);
    return k;
}

static double sc_logistic(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

static double sc_clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int sc_year_of(int32_t days)
{
    int y = 1970 + (int)(days / 366);
    while (fr_days_from_civil(y + 1, 1, 1) <= days)
        y++;
    return y;
}

/* ------------------------------------------------------------------------ */
/* Street names and addresses.                                              */

static const char *const sc_names[] = {
    "OAK", "PINE", "MAPLE", "ELM", "CEDAR", "BIRCH", "WILLOW", "HICKORY",
    "MAGNOLIA", "PEACHTREE", "DOGWOOD", "CHESTNUT", "WALNUT", "SPRUCE", "POPLAR", "SYCAMORE",
    "ASH", "LAUREL", "HOLLY", "JUNIPER", "CYPRESS", "MONROE", "JACKSON", "LINCOLN",
    "WASHINGTON", "JEFFERSON", "MADISON", "FRANKLIN", "HIGHLAND", "PIEDMONT", "SPRING", "MARIETTA",
    "DECATUR", "EUCLID", "ELIZABETH", "LUCKIE", "IVY", "COURTLAND", "BAKER", "HOUSTON",
    "EDGEWOOD", "CENTRAL", "PARK", "LAKE", "HILL", "RIVER", "CHURCH", "MILL",
    "MAIN", "MARKET", "UNION", "CHEROKEE", "CREEK", "MEADOW", "VALLEY", "RIDGE",
    "FOREST", "SUMMIT", "GROVE", "ORCHARD", "HARRIS", "GORDON", "CAMPBELL", "COLLIER"};
#define SC_NNAMES ((int)(sizeof sc_names / sizeof sc_names[0]))
static const char *const sc_suffixes[] = {"ST", "AVE", "RD", "DR", "BLVD", "LN", "CT", "PL"};
#define SC_NSUFFIXES 8

/* Structure fires (planted model) and non-fire calls (noise), with the
 * cumulative shares in which they are drawn. */
static const char *const sc_fire_codes[] = {"111", "113", "114", "116", "118", "121", "122", "123"};
static const double sc_fire_cum[] = {0.50, 0.80, 0.83, 0.87, 0.93, 0.96, 0.98, 1.00};
static const char *const sc_noise_codes[] = {"311", "700", "745", "743", "611", "412", "322",
                                             "551", "651", "736"};
static const double sc_noise_cum[] = {0.38, 0.53, 0.63, 0.71, 0.79, 0.86, 0.91, 0.95, 0.98, 1.00};

static const char *sc_pick(const char *const *codes, const double *cum, size_t n, double u)
{
    for (size_t k = 0; k < n; k++)
        if (u < cum[k])
            return codes[k];
    return codes[n - 1];
}

int synth_city_is_structure_fire(const char *t)
{
    return t && t[0] == '1' && strlen(t) == 3;
}

/* ------------------------------------------------------------------------ */
/* Generation context (internal arrays freed at the end of generation).     */

typedef struct {
    uint64_t seed;
    size_t n;        /* parcels */
    long C, R;       /* block columns; block rows computed */
    long rows_used;  /* block rows holding parcels */
    long nblocks;    /* blocks holding parcels (the last may be partial) */
    long cc;         /* first column east of the address origin */
    double *col_x0, *col_w, *ns_w;        /* C, C, C + 1 */
    double *row_y0, *row_ds, *row_dn, *ew_w; /* R, R, R, R + 1 */
    double cx, cy, rhalf;                 /* centre and half-diagonal of the city */
    double wave_fx[8], wave_fy[8], wave_ph[8];
    int name_perm[SC_NNAMES], name_sfx[SC_NNAMES];
    long bgx, bgy;      /* block-group grid */
    int32_t *bg_of_cell; /* bgx * bgy -> compact block-group index or -1 */

    /* per parcel, internal */
    double *ax0, *ax1, *ay0, *ay1; /* nominal lot rectangle */
    unsigned char *aface, *alarge;
    float *adout;                  /* max distance of a point placed in front of the lot */
    int32_t *ablock;
    double *cond;                  /* hidden condition */
    double *lp_static;             /* hazard terms that do not change with the year */
    uint16_t *viol_year;           /* n * NYEARS violations per calendar year */
    size_t *insp_off;              /* n + 1 */
    size_t *inc_off;               /* n + 1 */
    size_t *visit_off;             /* n + 1: parcel i's visits before sorting */
    double insp_scale, noise_rate;
    double visit_effect;
    uint32_t *prevented;           /* per parcel: fires the visit effect removed */
    int rich;                      /* SYNTH_PROFILE_RICH */
    uint8_t *aunit;                /* rich: 1-based unit of a condominium stack, 0 = not stacked */
    uint16_t *fire_mask;           /* per parcel: bit y - SYNTH_FIRST_YEAR = a structure fire in year y */
    double *hist;                  /* rich: history terms of the current year (section 7b) */
    double *year_part;              /* rich: 3 partial sums per chunk of SC_CHUNK parcels */
} sc_ctx;

typedef struct {
    double xa, xb, ya, yb;
    int face, start, span, k, large;
    int stack, unit;               /* condominium: homes on the footprint, this one's unit (1-based); 0 = none */
    int nv;
    double vx[MAX_VERTS], vy[MAX_VERTS];
} sc_lot;

/* ------------------------------------------------------------------------ */
/* 1. Layout                                                                */

static fr_status sc_layout_rows(sc_ctx *c, long R, fr_error *err)
{
    free(c->row_y0);
    free(c->row_ds);
    free(c->row_dn);
    free(c->ew_w);
    c->R = R;
    c->row_y0 = malloc((size_t)R * sizeof *c->row_y0);
    c->row_ds = malloc((size_t)R * sizeof *c->row_ds);
    c->row_dn = malloc((size_t)R * sizeof *c->row_dn);
    c->ew_w = malloc((size_t)(R + 1) * sizeof *c->ew_w);
    if (!c->row_y0 || !c->row_ds || !c->row_dn || !c->ew_w)
        return fr_error_oom_while(err, "for %ld block rows", R);
    for (long r = 0; r <= R; r++) {
        sc_rng g = sc_rng_init(c->seed, ST_STREET_EW, (uint64_t)r);
        c->ew_w[r] = 15.0 + 5.0 * sc_unif(&g);
    }
    double y = ORIGIN_Y;
    for (long r = 0; r < R; r++) {
        sc_rng g = sc_rng_init(c->seed, ST_ROW, (uint64_t)r);
        c->row_ds[r] = 25.0 + 20.0 * sc_unif(&g);
        c->row_dn[r] = 25.0 + 20.0 * sc_unif(&g);
        y += c->ew_w[r];
        c->row_y0[r] = y;
        y += c->row_ds[r] + c->row_dn[r];
    }
    return FR_OK;
}

static fr_status sc_layout_cols(sc_ctx *c, fr_error *err)
{
    long C = c->C;
    c->col_x0 = malloc((size_t)C * sizeof *c->col_x0);
    c->col_w = malloc((size_t)C * sizeof *c->col_w);
    c->ns_w = malloc((size_t)(C + 1) * sizeof *c->ns_w);
    if (!c->col_x0 || !c->col_w || !c->ns_w)
        return fr_error_oom_while(err, "for %ld block columns", C);
    for (long k = 0; k <= C; k++) {
        sc_rng g = sc_rng_init(c->seed, ST_STREET_NS, (uint64_t)k);
        c->ns_w[k] = 15.0 + 5.0 * sc_unif(&g);
    }
    double x = ORIGIN_X;
    for (long k = 0; k < C; k++) {
        sc_rng g = sc_rng_init(c->seed, ST_COL, (uint64_t)k);
        c->col_w[k] = 110.0 + 120.0 * sc_unif(&g);
        x += c->ns_w[k];
        c->col_x0[k] = x;
        x += c->col_w[k];
    }
    return FR_OK;
}

/* Extra vertices on the lot boundary line x = const shared by two lots:
 * both lots derive them from the same key, so shared edges are identical. */
static int sc_side_verts(const sc_ctx *c, long block, int face, int boundary, double ya,
                         double yb, double out[2])
{
    sc_rng g = sc_rng_init(c->seed, ST_BOUND, (uint64_t)block * 32u + (uint64_t)face * 16u + (uint64_t)boundary);
    double u = sc_unif(&g), u1 = sc_unif(&g), u2 = sc_unif(&g);
    double span = yb - ya - 7.0;
    if (u < 0.5)
        return 0;
    if (u < 0.8) {
        out[0] = ya + 3.0 + span * u1;
        return 1;
    }
    double lo = u1 < u2 ? u1 : u2, hi = u1 < u2 ? u2 : u1;
    out[0] = ya + 3.0 + span * lo;
    out[1] = ya + 4.0 + span * hi;
    return 2;
}

/* The lots of one block, in parcel order (south face west to east, then
 * north face west to east); returns their number. */
static int sc_block_lots(const sc_ctx *c, long block, sc_lot *lots)
{
    long row = block / c->C, col = block % c->C;
    double W = c->col_w[col], x0 = c->col_x0[col];
    double y0 = c->row_y0[row], ymid = y0 + c->row_ds[row], y1 = ymid + c->row_dn[row];
    sc_rng g = sc_rng_init(c->seed, ST_BLOCK, (uint64_t)block);
    double mean_w = 16.0 + 8.0 * sc_unif(&g);
    int n = 0;
    for (int face = 0; face < 2; face++) {
        int k = (int)lround(W / mean_w);
        k = k < 4 ? 4 : k > MAX_LOTS_FACE ? MAX_LOTS_FACE : k;
        double a[MAX_LOTS_FACE], sum = 0.0, bx[MAX_LOTS_FACE + 1];
        for (int j = 0; j < k; j++) {
            a[j] = 0.8 + 0.4 * sc_unif(&g);
            sum += a[j];
        }
        bx[0] = x0;
        double acc = 0.0;
        for (int j = 0; j < k; j++) {
            acc += a[j];
            bx[j + 1] = j + 1 == k ? x0 + W : x0 + W * acc / sum;
        }
        double ya = face == 0 ? y0 : ymid, yb = face == 0 ? ymid : y1;
        for (int j = 0; j < k;) {
            int span = 1;
            if (sc_unif(&g) < 0.045) {
                span = 2 + (int)(3.0 * sc_unif(&g));
                if (span > k - j)
                    span = k - j;
            }
            sc_lot *L = &lots[n++];
            L->xa = bx[j];
            L->xb = bx[j + span];
            L->ya = ya;
            L->yb = yb;
            L->face = face;
            L->start = j;
            L->span = span;
            L->k = k;
            L->large = span > 1;
            L->stack = L->unit = 0;
            if (c->rich && L->large) {
                sc_rng sg = sc_rng_init(c->seed, ST_STACK, (uint64_t)block * 32u + (uint64_t)face * 16u + (uint64_t)j);
                if (sc_unif(&sg) < STACK_SHARE) {
                    L->stack = 3 + (int)((MAX_STACK - 2) * sc_unif(&sg)); /* 3..10 homes */
                    L->unit = 1;
                }
            }

            /* extra vertices: front (perturbed), sides (shared), rear (collinear) */
            sc_rng lg = sc_rng_init(c->seed, ST_LOT, (uint64_t)block * 32u + (uint64_t)face * 16u + (uint64_t)j);
            double w = L->xb - L->xa, fx[2], fd[2], rx = 0.0, east[2], west[2];
            double uf = sc_unif(&lg), u1 = sc_unif(&lg), u2 = sc_unif(&lg);
            int nf = uf < 0.4 ? 0 : uf < 0.75 ? 1 : 2;
            double lo = u1 < u2 ? u1 : u2, hi = u1 < u2 ? u2 : u1;
            if (nf == 1)
                fx[0] = L->xa + 2.0 + (w - 4.0) * u1;
            else if (nf == 2) {
                fx[0] = L->xa + 2.0 + (w - 5.0) * lo;
                fx[1] = L->xa + 3.0 + (w - 5.0) * hi;
            }
            fd[0] = (sc_unif(&lg) - 0.5) * 0.5;
            fd[1] = (sc_unif(&lg) - 0.5) * 0.5;
            int nr = sc_unif(&lg) < 0.3;
            rx = L->xa + 2.0 + (w - 4.0) * sc_unif(&lg);
            int ne = sc_side_verts(c, block, face, j + span, ya, yb, east);
            int nw = sc_side_verts(c, block, face, j, ya, yb, west);

            /* counter-clockwise from the south-west corner */
            int v = 0;
#define PUT(X, Y) (L->vx[v] = (X), L->vy[v] = (Y), v++)
            PUT(L->xa, ya);
            if (face == 0)
                for (int q = 0; q < nf; q++)
                    PUT(fx[q], ya - fd[q]);
            else if (nr)
                PUT(rx, ya);
            PUT(L->xb, ya);
            for (int q = 0; q < ne; q++)
                PUT(L->xb, east[q]);
            PUT(L->xb, yb);
            if (face == 1)
                for (int q = nf - 1; q >= 0; q--)
                    PUT(fx[q], yb + fd[q]);
            else if (nr)
                PUT(rx, yb);
            PUT(L->xa, yb);
            for (int q = nw - 1; q >= 0; q--)
                PUT(L->xa, west[q]);
#undef PUT
            L->nv = v;
            for (int q = 1; q < L->stack; q++) { /* the other units: the same footprint */
                lots[n] = *L;
                lots[n++].unit = q + 1;
            }
            j += span;
        }
    }
    return n;
}

/* ------------------------------------------------------------------------ */
/* Neighbourhood field                                                      */

static void sc_field_init(sc_ctx *c)
{
    for (int k = 0; k < 8; k++) {
        sc_rng g = sc_rng_init(c->seed, ST_FIELD, (uint64_t)k);
        double theta = 6.283185307179586 * sc_unif(&g);
        double f = 0.4 + 0.8 * sc_unif(&g);
        c->wave_fx[k] = f * cos(theta);
        c->wave_fy[k] = f * sin(theta);
        c->wave_ph[k] = 6.283185307179586 * sc_unif(&g);
    }
}

static double sc_field(const sc_ctx *c, double x, double y)
{
    double u = (x - c->cx) / FIELD_SCALE, v = (y - c->cy) / FIELD_SCALE, wave = 0.0;
    for (int k = 0; k < 8; k++)
        wave += sin(6.283185307179586 * (c->wave_fx[k] * u + c->wave_fy[k] * v) + c->wave_ph[k]);
    wave *= 0.5; /* sqrt(2 / 8): unit variance */
    double dx = x - c->cx, dy = y - c->cy, s = 0.3 * c->rhalf;
    double centre = exp(-(dx * dx + dy * dy) / (2.0 * s * s));
    return 0.8 * wave + 1.0 * centre - 0.3;
}

/* ------------------------------------------------------------------------ */
/* Allocation helpers                                                       */

/* snprintf into a fixed slot; the slots are sized so that nothing is cut
 * (the longest address is about 25 bytes). */
static void sc_slot(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sc_slot(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

static void *sc_calloc(size_t count, size_t size)
{
    return calloc(count ? count : 1, size);
}
#define SC_ALLOC(p, count) ((p) = sc_calloc((count), sizeof *(p)))

void synth_city_free(synth_city *s)
{
    if (!s)
        return;
    void *arrays[] = {
        s->ring_start, s->vx, s->vy, s->parcel_id, s->address, s->year_built, s->land_use,
        s->bldg_sqft, s->units, s->assessed_value, s->vacant, s->owner_occ, s->bg, s->p_2025,
        s->p_2026, s->fires, s->bg_xmin, s->bg_ymin, s->bg_xmax, s->bg_ymax, s->bg_geoid,
        s->bg_median_income, s->bg_pct_renter, s->bg_poverty_rate, s->bg_population,
        s->bg_effect, s->st_x, s->st_y, s->st_id, s->st_name, s->insp_id, s->insp_parcel_id,
        s->insp_date, s->insp_result, s->insp_violations, s->insp_x, s->insp_y, s->insp_parcel,
        s->inc_id, s->inc_date, s->inc_type, s->inc_address, s->inc_x, s->inc_y, s->inc_parcel,
        s->inc_structure, s->visit_id, s->visit_parcel_id, s->visit_date, s->visit_outcome, s->visit_x,
        s->visit_y, s->visit_parcel, s->heating, s->stack};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        free(arrays[k]);
    memset(s, 0, sizeof *s);
}

static void sc_ctx_free(sc_ctx *c)
{
    void *arrays[] = {c->col_x0, c->col_w, c->ns_w, c->row_y0, c->row_ds, c->row_dn, c->ew_w,
                      c->bg_of_cell, c->ax0, c->ax1, c->ay0, c->ay1, c->aface, c->alarge,
                      c->adout, c->ablock, c->cond, c->lp_static, c->viol_year, c->insp_off,
                      c->inc_off, c->visit_off, c->prevented, c->aunit, c->fire_mask, c->hist, c->year_part};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        free(arrays[k]);
}

/* ------------------------------------------------------------------------ */
/* 2. Parcels                                                               */

static void sc_ordinal(long k, char *out, size_t cap)
{
    const char *suf = "TH";
    if (k % 100 < 11 || k % 100 > 13)
        suf = k % 10 == 1 ? "ST" : k % 10 == 2 ? "ND" : k % 10 == 3 ? "RD" : "TH";
    sc_slot(out, cap, "%ld%s ST", k, suf);
}

static void sc_street_name(const sc_ctx *c, long street, char *out, size_t cap)
{
    if (street < (long)SC_NNAMES * SC_NSUFFIXES) {
        int base = (int)(street % SC_NNAMES);
        sc_slot(out, cap, "%s %s", sc_names[c->name_perm[base]],
                 sc_suffixes[(c->name_sfx[base] + street / SC_NNAMES) % SC_NSUFFIXES]);
    } else {
        sc_ordinal(street - (long)SC_NNAMES * SC_NSUFFIXES + 1, out, cap);
    }
}

static void sc_names_init(sc_ctx *c)
{
    sc_rng g = sc_rng_init(c->seed, ST_NAMES, 0);
    for (int k = 0; k < SC_NNAMES; k++)
        c->name_perm[k] = k;
    for (int k = SC_NNAMES - 1; k > 0; k--) {
        int j = (int)(sc_unif(&g) * (k + 1));
        int t = c->name_perm[k];
        c->name_perm[k] = c->name_perm[j];
        c->name_perm[j] = t;
    }
    for (int k = 0; k < SC_NNAMES; k++)
        c->name_sfx[k] = (int)(sc_unif(&g) * SC_NSUFFIXES);
}

/* Counts lots and vertices of every block, growing the rows until the city
 * holds n parcels; fixes nblocks, rows_used and the per-block offsets. */
static fr_status sc_count_blocks(sc_ctx *c, size_t **lot_off, size_t **vert_off, fr_error *err)
{
    double blocks = (double)c->n / AVG_LOTS_PER_BLOCK;
    c->C = lround(sqrt(blocks * (70.0 + 17.5) / (170.0 + 17.5)));
    if (c->C < 1)
        c->C = 1;
    fr_status st = sc_layout_cols(c, err);
    if (st != FR_OK)
        return st;
    long R = (long)ceil(1.25 * blocks / (double)c->C) + 2;
    for (;;) {
        st = sc_layout_rows(c, R, err);
        if (st != FR_OK)
            return st;
        long nb = R * c->C;
        size_t *lo = malloc((size_t)(nb + 1) * sizeof *lo);
        size_t *vo = malloc((size_t)(nb + 1) * sizeof *vo);
        if (!lo || !vo) {
            free(lo);
            free(vo);
            return fr_error_oom_while(err, "counting blocks");
        }
#pragma omp parallel
        {
            sc_lot lots[MAX_LOTS_BLOCK];
#pragma omp for schedule(static)
            for (long b = 0; b < nb; b++) {
                int nl = sc_block_lots(c, b, lots), nvs = 0;
                for (int q = 0; q < nl; q++)
                    nvs += lots[q].nv;
                lo[b + 1] = (size_t)nl;
                vo[b + 1] = (size_t)nvs;
            }
        }
        lo[0] = vo[0] = 0;
        for (long b = 0; b < nb; b++) {
            lo[b + 1] += lo[b];
            vo[b + 1] += vo[b];
        }
        if (lo[nb] >= c->n) {
            long b = 0;
            while (lo[b + 1] < c->n)
                b++;
            c->nblocks = b + 1;
            c->rows_used = b / c->C + 1;
            *lot_off = lo;
            *vert_off = vo;
            return FR_OK;
        }
        free(lo);
        free(vo);
        R *= 2;
    }
}

static fr_status sc_parcels(sc_ctx *c, synth_city *s, fr_error *err)
{
    size_t *lot_off = NULL, *vert_off = NULL;
    fr_status st = sc_count_blocks(c, &lot_off, &vert_off, err);
    if (st != FR_OK)
        return st;
    size_t n = c->n;
    long last = c->nblocks - 1;

    /* vertices of the partial last block */
    sc_lot lots[MAX_LOTS_BLOCK];
    sc_block_lots(c, last, lots);
    size_t nv = vert_off[last];
    for (size_t q = 0; q < n - lot_off[last]; q++)
        nv += (size_t)lots[q].nv;

    s->n_parcels = n;
    s->n_vertices = nv;
    SC_ALLOC(s->ring_start, n + 1);
    SC_ALLOC(s->vx, nv);
    SC_ALLOC(s->vy, nv);
    SC_ALLOC(s->parcel_id, n * SYNTH_ID_W);
    SC_ALLOC(s->address, n * SYNTH_ADDR_W);
    SC_ALLOC(c->ax0, n);
    SC_ALLOC(c->ax1, n);
    SC_ALLOC(c->ay0, n);
    SC_ALLOC(c->ay1, n);
    SC_ALLOC(c->aface, n);
    SC_ALLOC(c->alarge, n);
    SC_ALLOC(c->adout, n);
    SC_ALLOC(c->ablock, n);
    if (c->rich) {
        SC_ALLOC(s->stack, n);
        SC_ALLOC(c->aunit, n);
        if (!s->stack || !c->aunit)
            return fr_error_oom_while(err, "for %zu parcels", n);
    }
    if (!s->ring_start || !s->vx || !s->vy || !s->parcel_id || !s->address || !c->ax0 ||
        !c->ax1 || !c->ay0 || !c->ay1 || !c->aface || !c->alarge || !c->adout || !c->ablock) {
        free(lot_off);
        free(vert_off);
        return fr_error_oom_while(err, "for %zu parcels", n);
    }

    /* city extent and centre */
    s->xmin = ORIGIN_X;
    s->ymin = ORIGIN_Y;
    s->xmax = c->col_x0[c->C - 1] + c->col_w[c->C - 1] + c->ns_w[c->C];
    long ru = c->rows_used - 1;
    s->ymax = c->row_y0[ru] + c->row_ds[ru] + c->row_dn[ru] + c->ew_w[ru + 1];
    c->cx = 0.5 * (s->xmin + s->xmax);
    c->cy = 0.5 * (s->ymin + s->ymax);
    c->rhalf = 0.5 * hypot(s->xmax - s->xmin, s->ymax - s->ymin);
    c->cc = c->C / 2;

#pragma omp parallel
    {
        sc_lot bl[MAX_LOTS_BLOCK];
        char street[48];
#pragma omp for schedule(dynamic, 64)
        for (long b = 0; b <= last; b++) {
            int nl = sc_block_lots(c, b, bl);
            size_t take = b == last ? n - lot_off[b] : (size_t)nl;
            size_t v = vert_off[b];
            long row = b / c->C, col = b % c->C;
            for (size_t q = 0; q < take; q++) {
                const sc_lot *L = &bl[q];
                size_t i = lot_off[b] + q;
                s->ring_start[i] = v;
                memcpy(s->vx + v, L->vx, (size_t)L->nv * sizeof(double));
                memcpy(s->vy + v, L->vy, (size_t)L->nv * sizeof(double));
                v += (size_t)L->nv;
                c->ax0[i] = L->xa;
                c->ax1[i] = L->xb;
                c->ay0[i] = L->ya;
                c->ay1[i] = L->yb;
                c->aface[i] = (unsigned char)L->face;
                c->alarge[i] = (unsigned char)L->large;
                long street_ix = row + L->face; /* face 0 fronts the street south of the row */
                double sw = c->ew_w[street_ix];
                c->adout[i] = (float)fmin(11.7, 0.5 * sw - 0.5);
                c->ablock[i] = (int32_t)b;
                if (c->rich) {
                    s->stack[i] = L->stack ? L->stack : 1;
                    c->aunit[i] = (uint8_t)L->unit;
                }
                sc_slot(s->parcel_id + i * SYNTH_ID_W, SYNTH_ID_W, "P%07zu", i + 1);
                /* hundred block from the address origin; even numbers on
                 * the north side of a street, odd on the south side */
                int parity = L->face == 0 ? 0 : 1;
                long number;
                char dir;
                if (col >= c->cc) {
                    dir = 'E';
                    number = 100 * (col - c->cc + 1) + 2 * L->start + parity;
                } else {
                    dir = 'W';
                    number = 100 * (c->cc - col) + 2 * (L->k - L->start - L->span) + parity;
                }
                sc_street_name(c, street_ix, street, sizeof street);
                if (L->unit)
                    sc_slot(s->address + i * SYNTH_ADDR_W, SYNTH_ADDR_W, "%ld %c %s UNIT %d", number, dir,
                            street, L->unit);
                else
                    sc_slot(s->address + i * SYNTH_ADDR_W, SYNTH_ADDR_W, "%ld %c %s", number, dir,
                            street);
            }
        }
    }
    s->ring_start[n] = nv;
    free(lot_off);
    free(vert_off);
    return FR_OK;
}

/* ------------------------------------------------------------------------ */
/* 3. Block groups                                                          */

static fr_status sc_block_groups(sc_ctx *c, synth_city *s, fr_error *err)
{
    c->bgx = (c->C + BG_BLOCKS - 1) / BG_BLOCKS;
    c->bgy = (c->rows_used + BG_BLOCKS - 1) / BG_BLOCKS;
    size_t ncell = (size_t)(c->bgx * c->bgy);
    SC_ALLOC(c->bg_of_cell, ncell);
    if (!c->bg_of_cell)
        return fr_error_oom_while(err, "for block groups");
    for (size_t k = 0; k < ncell; k++)
        c->bg_of_cell[k] = -1;
    for (long b = 0; b < c->nblocks; b++) {
        long row = b / c->C, col = b % c->C;
        c->bg_of_cell[(row / BG_BLOCKS) * c->bgx + col / BG_BLOCKS] = 0;
    }
    size_t nbg = 0;
    for (size_t k = 0; k < ncell; k++)
        if (c->bg_of_cell[k] == 0)
            c->bg_of_cell[k] = (int32_t)nbg++;
    s->n_bg = nbg;
    SC_ALLOC(s->bg_xmin, nbg);
    SC_ALLOC(s->bg_ymin, nbg);
    SC_ALLOC(s->bg_xmax, nbg);
    SC_ALLOC(s->bg_ymax, nbg);
    SC_ALLOC(s->bg_geoid, nbg * SYNTH_GEOID_W);
    SC_ALLOC(s->bg_median_income, nbg);
    SC_ALLOC(s->bg_pct_renter, nbg);
    SC_ALLOC(s->bg_poverty_rate, nbg);
    SC_ALLOC(s->bg_population, nbg);
    SC_ALLOC(s->bg_effect, nbg);
    if (!s->bg_xmin || !s->bg_ymin || !s->bg_xmax || !s->bg_ymax || !s->bg_geoid ||
        !s->bg_median_income || !s->bg_pct_renter || !s->bg_poverty_rate ||
        !s->bg_population || !s->bg_effect)
        return fr_error_oom_while(err, "for block groups");

    for (size_t k = 0; k < ncell; k++) {
        int32_t g = c->bg_of_cell[k];
        if (g < 0)
            continue;
        long gx = (long)k % c->bgx, gy = (long)k / c->bgx;
        long c0 = gx * BG_BLOCKS, c1 = c0 + BG_BLOCKS - 1, r0 = gy * BG_BLOCKS, r1 = r0 + BG_BLOCKS - 1;
        if (c1 >= c->C)
            c1 = c->C - 1;
        if (r1 >= c->rows_used)
            r1 = c->rows_used - 1;
        /* edges on street centre lines; the outer edges on the city edge */
        s->bg_xmin[g] = c0 == 0 ? s->xmin : c->col_x0[c0] - 0.5 * c->ns_w[c0];
        s->bg_xmax[g] = c1 == c->C - 1 ? s->xmax : c->col_x0[c1] + c->col_w[c1] + 0.5 * c->ns_w[c1 + 1];
        s->bg_ymin[g] = r0 == 0 ? s->ymin : c->row_y0[r0] - 0.5 * c->ew_w[r0];
        s->bg_ymax[g] = r1 == c->rows_used - 1
                            ? s->ymax
                            : c->row_y0[r1] + c->row_ds[r1] + c->row_dn[r1] + 0.5 * c->ew_w[r1 + 1];
        sc_rng rg = sc_rng_init(c->seed, ST_BG, (uint64_t)k);
        double e = sc_field(c, 0.5 * (s->bg_xmin[g] + s->bg_xmax[g]),
                            0.5 * (s->bg_ymin[g] + s->bg_ymax[g])) +
                   0.3 * sc_normal(&rg);
        s->bg_effect[g] = e;
        s->bg_poverty_rate[g] =
            round(1000.0 * sc_clamp(sc_logistic(-1.7 + 0.9 * e + 0.25 * sc_normal(&rg)), 0.01, 0.85)) / 1000.0;
        s->bg_median_income[g] =
            100.0 * round(sc_clamp(62000.0 * exp(-0.38 * e + 0.12 * sc_normal(&rg)), 9000.0, 250000.0) / 100.0);
        s->bg_pct_renter[g] =
            round(1000.0 * sc_clamp(sc_logistic(-0.4 + 0.85 * e + 0.3 * sc_normal(&rg)), 0.02, 0.98)) / 1000.0;
        /* Fulton County, GA (13121); 4 block groups per tract; tract codes
         * 000100, 000200, ... 999900, then 000101, 000201, ... (unique) */
        long t = (long)g / 4;
        sc_slot(s->bg_geoid + (size_t)g * SYNTH_GEOID_W, SYNTH_GEOID_W, "13121%06ld%ld",
                (t % 9999 + 1) * 100 + t / 9999, (long)g % 4 + 1);
    }
    return FR_OK;
}

/* ------------------------------------------------------------------------ */
/* 4. Parcel attributes                                                     */

static fr_status sc_attributes(sc_ctx *c, synth_city *s, fr_error *err)
{
    size_t n = c->n;
    SC_ALLOC(s->year_built, n);
    SC_ALLOC(s->land_use, n * SYNTH_CODE_W);
    SC_ALLOC(s->bldg_sqft, n);
    SC_ALLOC(s->units, n);
    SC_ALLOC(s->assessed_value, n);
    SC_ALLOC(s->vacant, n);
    SC_ALLOC(s->owner_occ, n);
    SC_ALLOC(s->bg, n);
    SC_ALLOC(c->cond, n);
    if (c->rich && !SC_ALLOC(s->heating, n * SYNTH_HEAT_W))
        return fr_error_oom_while(err, "for parcel attributes");
    if (!s->year_built || !s->land_use || !s->bldg_sqft || !s->units || !s->assessed_value ||
        !s->vacant || !s->owner_occ || !s->bg || !c->cond)
        return fr_error_oom_while(err, "for parcel attributes");

#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        long b = c->ablock[i], row = b / c->C, col = b % c->C;
        int32_t g = c->bg_of_cell[(row / BG_BLOCKS) * c->bgx + col / BG_BLOCKS];
        s->bg[i] = g;
        double ne = s->bg_effect[g];
        double mx = 0.5 * (c->ax0[i] + c->ax1[i]), my = 0.5 * (c->ay0[i] + c->ay1[i]);
        double rn = sc_clamp(hypot(mx - c->cx, my - c->cy) / c->rhalf, 0.0, 1.0);
        double area = (c->ax1[i] - c->ax0[i]) * (c->ay1[i] - c->ay0[i]);

        sc_rng bg = sc_rng_init(c->seed, ST_BLOCKATTR, (uint64_t)b);
        double era = 1905.0 + 105.0 * rn + 14.0 * sc_normal(&bg);
        sc_rng g1 = sc_rng_init(c->seed, ST_PARCEL, (uint64_t)i);
        double yr = sc_unif(&g1) < 0.06 ? 1985.0 + 39.0 * sc_unif(&g1) : era + 7.0 * sc_normal(&g1);
        int year = (int)sc_clamp(round(yr), 1880.0, 2024.0);

        const char *lu;
        double u = sc_unif(&g1);
        int stacked = s->stack && s->stack[i] > 1;
        if (stacked)
            lu = "MFR";
        else if (c->alarge[i])
            lu = u < 0.3 + 0.3 * (1.0 - rn) ? "COM" : "MFR";
        else {
            double p_vac = sc_logistic(-3.6 + 0.8 * ne), p_com = 0.01 + 0.04 * (1.0 - rn);
            lu = u < p_vac ? "VAC" : u < p_vac + p_com ? "COM" : u < p_vac + p_com + 0.08 ? "MFR" : "SFR";
        }
        int units = 0;
        double sqft = 0.0, ua = sc_unif(&g1), z = sc_normal(&g1);
        if (stacked) {
            units = 1;
            sqft = 650.0 + 600.0 * ua;
        } else if (lu[0] == 'S') {
            units = 1;
            sqft = sc_clamp(1500.0 * exp(0.005 * (year - 1960) + 0.28 * z), 600.0, 6500.0);
        } else if (lu[0] == 'M') {
            units = c->alarge[i] ? (int)fmax(5.0, round(area / 120.0 * (0.6 + 0.8 * ua)))
                                 : 2 + (int)(3.0 * ua);
            sqft = units * (700.0 + 300.0 * sc_unif(&g1));
        } else if (lu[0] == 'C') {
            sqft = area * 10.764 * (0.3 + 0.9 * ua);
        }
        int32_t isqft = (int32_t)round(sqft);
        int vacant = lu[0] == 'V' ? 1
                                  : sc_unif(&g1) < sc_logistic(-3.4 + 0.9 * ne + 0.015 * (SYNTH_LAST_YEAR - year - 60));
        double uo = sc_unif(&g1);
        int owner = 0;
        if (!vacant && lu[0] == 'S')
            owner = uo < 1.0 - s->bg_pct_renter[g];
        else if (!vacant && lu[0] == 'M' && units <= 4)
            owner = uo < (stacked ? 0.5 : 0.25);
        double price = exp(-0.35 * ne) * (1.3 - 0.5 * rn);
        double depr = fmax(0.35, 1.0 - (SYNTH_LAST_YEAR - year) / 160.0);
        double value = area / (stacked ? s->stack[i] : 1) * 45.0 * price +
                       isqft * 95.0 * price * depr * (vacant ? 0.5 : 1.0) * (lu[0] == 'C' ? 1.3 : 1.0);
        value *= exp(0.1 * sc_normal(&g1));

        s->year_built[i] = year;
        memcpy(s->land_use + i * SYNTH_CODE_W, lu, 4);
        s->bldg_sqft[i] = isqft;
        s->units[i] = units;
        s->assessed_value[i] = round(value);
        s->vacant[i] = vacant;
        s->owner_occ[i] = owner;
        c->cond[i] = sc_normal(&g1);
        if (s->heating && isqft > 0) {
            sc_rng gh = sc_rng_init(c->seed, ST_HEATING, (uint64_t)i);
            double uh = sc_unif(&gh);
            const char *h = uh < 0.55 ? "GAS" : uh < 0.85 ? "ELECTRIC" : uh < 0.938 ? "OIL"
                          : uh < 0.9885 ? "WOOD" : uh < 0.989 ? "SOLAR" : ""; /* "": not recorded */
            sc_slot(s->heating + i * SYNTH_HEAT_W, SYNTH_HEAT_W, "%s", h);
        }
    }

    /* population: units x persons per unit, summed per block group */
    int64_t *units_bg = calloc(s->n_bg ? s->n_bg : 1, sizeof *units_bg);
    if (!units_bg)
        return fr_error_oom_while(err, "for block groups");
    for (size_t i = 0; i < n; i++)
        units_bg[s->bg[i]] += s->units[i];
    for (size_t g = 0; g < s->n_bg; g++)
        s->bg_population[g] = (int32_t)llround((double)units_bg[g] * (2.2 + 0.8 * s->bg_poverty_rate[g]));
    free(units_bg);
    return FR_OK;
}

/* ------------------------------------------------------------------------ */
/* Points inside or in front of a parcel                                    */

static void sc_point_inside(const sc_ctx *c, size_t i, sc_rng *g, double *x, double *y)
{
    *x = c->ax0[i] + 1.0 + (c->ax1[i] - c->ax0[i] - 2.0) * sc_unif(g);
    *y = c->ay0[i] + 1.0 + (c->ay1[i] - c->ay0[i] - 2.0) * sc_unif(g);
}

/* A point in the street in front of the lot, 1.05..11.95 m outside it and
 * nearer to it than to any other lot (see docs/SYNTH.md). */
static void sc_point_outside(const sc_ctx *c, size_t i, sc_rng *g, double *x, double *y)
{
    double dmax = c->adout[i];
    double d = 1.3 + (dmax - 1.3) * sc_unif(g);
    *x = c->ax0[i] + 4.0 + (c->ax1[i] - c->ax0[i] - 8.0) * sc_unif(g);
    *y = c->aface[i] == 0 ? c->ay0[i] - d : c->ay1[i] + d;
}

/* ------------------------------------------------------------------------ */
/* 5. Inspections                                                           */

static double sc_insp_weight(const synth_city *s, const sc_ctx *c, size_t i)
{
    const char *lu = s->land_use + i * SYNTH_CODE_W;
    double w = lu[0] == 'S' ? 0.35 : lu[0] == 'V' ? 0.5 : lu[0] == 'C' ? 2.5
             : s->stack && s->stack[i] > 1 ? 0.5 /* a condominium unit */
             : c->alarge[i] ? 3.0 : 0.8;
    return s->vacant[i] && lu[0] != 'V' ? 1.8 * w : w;
}

/* Draws the inspections of parcel i; writes them from index `at` unless
 * `at` is SIZE_MAX (count only).  Returns their number. */
static size_t sc_parcel_inspections(const sc_ctx *c, synth_city *s, size_t i, size_t at)
{
    sc_rng g = sc_rng_init(c->seed, ST_INSP, (uint64_t)i);
    int k = sc_poisson(&g, c->insp_scale * sc_insp_weight(s, c, i));
    if (at == SIZE_MAX)
        return (size_t)k;
    int32_t d0 = fr_days_from_civil(SYNTH_FIRST_YEAR, 1, 1), nd = fr_days_from_civil(SYNTH_LAST_YEAR + 1, 1, 1) - d0;
    double ne = s->bg_effect[s->bg[i]];
    for (int q = 0; q < k; q++) {
        size_t j = at + (size_t)q;
        int32_t date = d0 + (int32_t)(sc_unif(&g) * nd);
        double age = fmax(0.0, sc_year_of(date) - s->year_built[i]);
        double pf = sc_logistic(-1.0 + 0.8 * c->cond[i] + 0.35 * (age - 60.0) / 30.0 +
                                0.9 * s->vacant[i] + 0.3 * ne);
        int fail = sc_unif(&g) < pf;
        int viol = fail ? 1 + sc_poisson(&g, 0.7 + 0.5 * fmax(c->cond[i], 0.0)) : 0;
        double u = sc_unif(&g), x, y;
        int with_id = u < 0.92, geom = u < 0.85 || u >= 0.92, outside = u >= 0.97;
        if (!geom)
            x = y = NAN;
        else if (outside)
            sc_point_outside(c, i, &g, &x, &y);
        else
            sc_point_inside(c, i, &g, &x, &y);
        s->insp_date[j] = date;
        memcpy(s->insp_result + j * SYNTH_CODE_W, fail ? "FAIL" : "PASS", 5);
        s->insp_violations[j] = viol;
        s->insp_x[j] = x;
        s->insp_y[j] = y;
        s->insp_parcel[j] = (int32_t)i;
        if (with_id)
            memcpy(s->insp_parcel_id + j * SYNTH_ID_W, s->parcel_id + i * SYNTH_ID_W, SYNTH_ID_W);
        else
            s->insp_parcel_id[j * SYNTH_ID_W] = '\0';
    }
    return (size_t)k;
}

/* Partial sums of one fixed chunk of parcels: sums over parcels are taken
 * chunk by chunk and the chunks added in order, so they are the same double
 * at any thread count. */
typedef struct {
    double a, b;
} sc_pair;

/* off[0..n]: where each parcel's records start, from count(c, s, i,
 * SIZE_MAX) (each parcel's records counted, in parallel, then summed). */
static void sc_record_offsets(sc_ctx *c, synth_city *s, size_t *off,
                              size_t (*count)(const sc_ctx *, synth_city *, size_t, size_t))
{
    size_t n = c->n;
    off[0] = 0;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++)
        off[i + 1] = count(c, s, i, SIZE_MAX);
    for (size_t i = 0; i < n; i++)
        off[i + 1] += off[i];
}

static fr_status sc_inspections(sc_ctx *c, synth_city *s, fr_error *err)
{
    size_t n = c->n, nch = (n + SC_CHUNK - 1) / SC_CHUNK;
    double *part = calloc(nch, sizeof *part);
    SC_ALLOC(c->insp_off, n + 1);
    if (!part || !c->insp_off) {
        free(part);
        return fr_error_oom_while(err, "for inspections");
    }
#pragma omp parallel for schedule(static)
    for (size_t ch = 0; ch < nch; ch++) {
        double acc = 0.0;
        size_t end = (ch + 1) * SC_CHUNK < n ? (ch + 1) * SC_CHUNK : n;
        for (size_t i = ch * SC_CHUNK; i < end; i++)
            acc += sc_insp_weight(s, c, i);
        part[ch] = acc;
    }
    double total = 0.0;
    for (size_t ch = 0; ch < nch; ch++)
        total += part[ch];
    free(part);
    c->insp_scale = INSP_PER_PARCEL * (double)n / total;

    sc_record_offsets(c, s, c->insp_off, sc_parcel_inspections);
    size_t m = c->insp_off[n];
    s->n_insp = m;
    SC_ALLOC(s->insp_id, m * SYNTH_ID_W);
    SC_ALLOC(s->insp_parcel_id, m * SYNTH_ID_W);
    SC_ALLOC(s->insp_date, m);
    SC_ALLOC(s->insp_result, m * SYNTH_CODE_W);
    SC_ALLOC(s->insp_violations, m);
    SC_ALLOC(s->insp_x, m);
    SC_ALLOC(s->insp_y, m);
    SC_ALLOC(s->insp_parcel, m);
    SC_ALLOC(c->viol_year, n * NYEARS);
    if (!s->insp_id || !s->insp_parcel_id || !s->insp_date || !s->insp_result ||
        !s->insp_violations || !s->insp_x || !s->insp_y || !s->insp_parcel || !c->viol_year)
        return fr_error_oom_while(err, "for %zu inspections", m);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        sc_parcel_inspections(c, s, i, c->insp_off[i]);
        for (size_t j = c->insp_off[i]; j < c->insp_off[i + 1]; j++) {
            int yi = sc_year_of(s->insp_date[j]) - SYNTH_FIRST_YEAR;
            unsigned v = c->viol_year[i * NYEARS + (size_t)yi] + (unsigned)s->insp_violations[j];
            c->viol_year[i * NYEARS + (size_t)yi] = (uint16_t)(v > 65535 ? 65535 : v);
        }
    }
    return FR_OK;
}

/* ------------------------------------------------------------------------ */
/* 6. Planted hazard and incidents                                          */

/* logit p(i, year) without the intercept; -INFINITY when the parcel has no
 * building that year. */
static double sc_lp(const sc_ctx *c, const synth_city *s, size_t i, int year)
{
    if (s->bldg_sqft[i] <= 0 || s->year_built[i] > year)
        return -INFINITY;
    unsigned v3 = 0;
    for (int y = year - 3; y < year; y++)
        if (y >= SYNTH_FIRST_YEAR && y <= SYNTH_LAST_YEAR)
            v3 += c->viol_year[i * NYEARS + (size_t)(y - SYNTH_FIRST_YEAR)];
    double age = (double)(year - s->year_built[i]);
    return c->lp_static[i] + B_AGE * (age - 60.0) / 30.0 + (v3 ? B_VIOL * log1p((double)v3) : 0.0);
}

static fr_status sc_calibrate(sc_ctx *c, synth_city *s, fr_error *err)
{
    size_t n = c->n, nch = (n + SC_CHUNK - 1) / SC_CHUNK;
    SC_ALLOC(c->lp_static, n);
    sc_pair *part = calloc(nch ? nch : 1, sizeof *part);
    if (!c->lp_static || !part) {
        free(part);
        return fr_error_oom_while(err, "for the hazard model");
    }
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        int32_t g = s->bg[i];
        double sqft = s->bldg_sqft[i] > 0 ? s->bldg_sqft[i] : 1.0;
        c->lp_static[i] = B_SIZE * log(sqft / 1500.0) + B_UNITS * log(s->units[i] > 1 ? s->units[i] : 1) +
                          B_VAC * s->vacant[i] + B_RENT * (1 - s->owner_occ[i]) +
                          B_BG * s->bg_effect[g] + B_POV * s->bg_poverty_rate[g] +
                          B_COND * c->cond[i];
        if (c->rich)
            c->lp_static[i] += B_WOOD * !strcmp(s->heating + i * SYNTH_HEAT_W, "WOOD") + B_LOC * log(s->stack[i]);
    }
    /* Newton on b0: sum over parcel-years of p = target structure fires */
    double target = STRUCTURE_SHARE * INC_PER_PARCEL * (double)n, b0 = -5.0;
    for (int it = 0; it < 60; it++) {
#pragma omp parallel for schedule(static)
        for (size_t ch = 0; ch < nch; ch++) {
            double f = 0.0, df = 0.0;
            size_t end = (ch + 1) * SC_CHUNK < n ? (ch + 1) * SC_CHUNK : n;
            for (size_t i = ch * SC_CHUNK; i < end; i++)
                for (int y = SYNTH_FIRST_YEAR; y <= SYNTH_LAST_YEAR; y++) {
                    double lp = sc_lp(c, s, i, y);
                    if (lp == -INFINITY)
                        continue;
                    double p = sc_logistic(b0 + lp);
                    f += p;
                    df += p * (1.0 - p);
                }
            part[ch].a = f;
            part[ch].b = df;
        }
        double f = 0.0, df = 0.0;
        for (size_t ch = 0; ch < nch; ch++) {
            f += part[ch].a;
            df += part[ch].b;
        }
        if (df <= 0.0)
            break; /* no buildings at all: keep the default */
        double step = (f - target) / df;
        step = sc_clamp(step, -2.0, 2.0);
        b0 -= step;
        if (fabs(step) < 1e-12)
            break;
    }
    free(part);
    s->b0 = b0;
    return FR_OK;
}

/* ------------------------------------------------------------------------ */
/* 6a. Home visits and their planted effect                                 */

/* Draws the visits of parcel i (at most one a year); writes them from index
 * `at` unless `at` is SIZE_MAX (count only).  Returns their number. */
static size_t sc_parcel_visits(const sc_ctx *c, synth_city *s, size_t i, size_t at)
{
    sc_rng g = sc_rng_init(c->seed, ST_VISIT, (uint64_t)i);
    size_t k = 0;
    int32_t g0 = s->bg[i];
    double q = sc_logistic(VISIT_V0 + VISIT_RISK * (B_BG * s->bg_effect[g0] + B_POV * s->bg_poverty_rate[g0]));
    for (int y = SYNTH_VISIT_FIRST_YEAR; y <= SYNTH_LAST_YEAR; y++) {
        double u = sc_unif(&g), ud = sc_unif(&g), uo = sc_unif(&g), ux = sc_unif(&g), uy = sc_unif(&g);
        if (u >= q)
            continue;
        if (at != SIZE_MAX) {
            size_t j = at + k;
            int32_t d0 = fr_days_from_civil(y, 1, 1), nd = fr_days_from_civil(y + 1, 1, 1) - d0;
            s->visit_date[j] = d0 + (int32_t)(ud * nd);
            sc_slot(s->visit_outcome + j * SYNTH_OUTCOME_W, SYNTH_OUTCOME_W, "%s",
                    uo < VISIT_DONE_SHARE ? "DONE" : "NOT HOME");
            s->visit_x[j] = c->ax0[i] + 1.0 + (c->ax1[i] - c->ax0[i] - 2.0) * ux;
            s->visit_y[j] = c->ay0[i] + 1.0 + (c->ay1[i] - c->ay0[i] - 2.0) * uy;
            s->visit_parcel[j] = (int32_t)i;
            memcpy(s->visit_parcel_id + j * SYNTH_ID_W, s->parcel_id + i * SYNTH_ID_W, SYNTH_ID_W);
        }
        k++;
    }
    return k;
}

static fr_status sc_visits(sc_ctx *c, synth_city *s, fr_error *err)
{
    size_t n = c->n;
    SC_ALLOC(c->visit_off, n + 1);
    SC_ALLOC(c->prevented, n);
    if (!c->visit_off || !c->prevented)
        return fr_error_oom_while(err, "for visits");
    sc_record_offsets(c, s, c->visit_off, sc_parcel_visits);
    size_t m = c->visit_off[n];
    s->n_visits = m;
    SC_ALLOC(s->visit_id, m * SYNTH_ID_W);
    SC_ALLOC(s->visit_parcel_id, m * SYNTH_ID_W);
    SC_ALLOC(s->visit_date, m);
    SC_ALLOC(s->visit_outcome, m * SYNTH_OUTCOME_W);
    SC_ALLOC(s->visit_x, m);
    SC_ALLOC(s->visit_y, m);
    SC_ALLOC(s->visit_parcel, m);
    if (!s->visit_id || !s->visit_parcel_id || !s->visit_date || !s->visit_outcome || !s->visit_x ||
        !s->visit_y || !s->visit_parcel)
        return fr_error_oom_while(err, "for %zu visits", m);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++)
        sc_parcel_visits(c, s, i, c->visit_off[i]);
    return FR_OK;
}

/* A structure fire of parcel i in year y on `date` falls within the 365
 * days from a completed visit: it is removed with probability e (one draw
 * of its own stream, so the other draws do not move with e). */
static int sc_visit_prevents(const sc_ctx *c, const synth_city *s, size_t i, int y, int32_t date)
{
    if (c->visit_effect <= 0.0)
        return 0;
    int covered = 0;
    for (size_t j = c->visit_off[i]; j < c->visit_off[i + 1] && !covered; j++)
        covered = s->visit_outcome[j * SYNTH_OUTCOME_W] == 'D' && s->visit_date[j] <= date &&
                  date < s->visit_date[j] + VISIT_DAYS;
    if (!covered)
        return 0;
    sc_rng g = sc_rng_init(c->seed, ST_VISIT_EFFECT, (uint64_t)i * NYEARS + (uint64_t)(y - SYNTH_FIRST_YEAR));
    return sc_unif(&g) < c->visit_effect;
}

/* Fires within NEAR_M and FAR_M of each home, counted on a grid of the
 * burned lots' centres (a fire is placed at its lot's centre). */
typedef struct {
    double x0, y0;
    long nx, ny;
    size_t *off;      /* nx * ny + 1 */
    double *fx, *fy;  /* centres, by cell */
    int *fk;          /* fires at that lot in the window */
} sc_fire_grid;

static long sc_cell(double v, double v0, long n)
{
    long k = (long)floor((v - v0) / HIST_CELL);
    return k < 0 ? 0 : k >= n ? n - 1 : k;
}

static void sc_lot_centre(const sc_ctx *c, size_t i, double *x, double *y)
{
    *x = 0.5 * (c->ax0[i] + c->ax1[i]);
    *y = 0.5 * (c->ay0[i] + c->ay1[i]);
}

static fr_status sc_fire_grid_build(const sc_ctx *c, const synth_city *s, unsigned wbits, sc_fire_grid *G,
                                    fr_error *err)
{
    size_t n = c->n;
    G->x0 = s->xmin;
    G->y0 = s->ymin;
    G->nx = (long)ceil((s->xmax - s->xmin) / HIST_CELL) + 1;
    G->ny = (long)ceil((s->ymax - s->ymin) / HIST_CELL) + 1;
    size_t ncell = (size_t)(G->nx * G->ny), m = 0;
    for (size_t i = 0; i < n; i++)
        m += (c->fire_mask[i] & wbits) != 0;
    SC_ALLOC(G->off, ncell + 1);
    SC_ALLOC(G->fx, m);
    SC_ALLOC(G->fy, m);
    SC_ALLOC(G->fk, m);
    if (!G->off || !G->fx || !G->fy || !G->fk)
        return fr_error_oom_while(err, "for the fire history");
    double x, y;
    for (size_t i = 0; i < n; i++)
        if (c->fire_mask[i] & wbits) {
            sc_lot_centre(c, i, &x, &y);
            G->off[sc_cell(y, G->y0, G->ny) * G->nx + sc_cell(x, G->x0, G->nx) + 1]++;
        }
    for (size_t k = 0; k < ncell; k++)
        G->off[k + 1] += G->off[k];
    size_t *fill = malloc((ncell ? ncell : 1) * sizeof *fill);
    if (!fill)
        return fr_error_oom_while(err, "for the fire history");
    memcpy(fill, G->off, ncell * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        if (c->fire_mask[i] & wbits) {
            sc_lot_centre(c, i, &x, &y);
            size_t j = fill[sc_cell(y, G->y0, G->ny) * G->nx + sc_cell(x, G->x0, G->nx)]++;
            G->fx[j] = x;
            G->fy[j] = y;
            G->fk[j] = __builtin_popcount(c->fire_mask[i] & wbits);
        }
    free(fill);
    return FR_OK;
}

static void sc_fire_grid_free(sc_fire_grid *G)
{
    free(G->off);
    free(G->fx);
    free(G->fy);
    free(G->fk);
}

/* Sum over the homes of year y of p with the history terms plus delta
 * (a) and without them (b), and the derivative of a (c), in fixed chunks. */
static void sc_year_sums(const sc_ctx *c, const synth_city *s, int y, double delta, double out[3])
{
    size_t n = c->n, nch = (n + SC_CHUNK - 1) / SC_CHUNK;
    double *part = c->year_part; /* 3 per chunk: free once hist is set (nch <= n) */
#pragma omp parallel for schedule(static)
    for (size_t ch = 0; ch < nch; ch++) {
        double a = 0.0, b = 0.0, d = 0.0;
        size_t end = (ch + 1) * SC_CHUNK < n ? (ch + 1) * SC_CHUNK : n;
        for (size_t i = ch * SC_CHUNK; i < end; i++) {
            double lp = sc_lp(c, s, i, y);
            if (lp == -INFINITY)
                continue;
            double p = sc_logistic(s->b0 + lp + c->hist[i] + delta);
            a += p;
            d += p * (1.0 - p);
            b += sc_logistic(s->b0 + lp);
        }
        part[3 * ch] = a;
        part[3 * ch + 1] = b;
        part[3 * ch + 2] = d;
    }
    out[0] = out[1] = out[2] = 0.0;
    for (size_t ch = 0; ch < nch; ch++)
        for (int k = 0; k < 3; k++)
            out[k] += part[3 * ch + k];
}

/* c->hist[i] for year y: the three history terms of section 7b, plus the
 * year's offset delta_y that keeps the expected fires of the year what they
 * would be without the terms (Newton), so that the terms move risk between
 * homes without feeding a growing fire count. */
static fr_status sc_history(sc_ctx *c, const synth_city *s, int y, fr_error *err)
{
    size_t n = c->n;
    unsigned wbits = 0;
    for (int q = y - HIST_YEARS; q < y; q++)
        if (q >= SYNTH_FIRST_YEAR && q <= SYNTH_LAST_YEAR)
            wbits |= 1u << (q - SYNTH_FIRST_YEAR);
    sc_fire_grid G = {0};
    fr_status st = sc_fire_grid_build(c, s, wbits, &G, err);
    if (st != FR_OK) {
        sc_fire_grid_free(&G);
        return st;
    }
    long reach = (long)ceil(FAR_M / HIST_CELL);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        c->hist[i] = 0.0;
        if (s->bldg_sqft[i] <= 0 || s->year_built[i] > y)
            continue;
        size_t b = i - (c->aunit[i] ? c->aunit[i] - 1u : 0u); /* the building's first home */
        int fb = 0, near = 0, far = 0;
        for (size_t h = b; h < b + (size_t)s->stack[i]; h++)
            fb += __builtin_popcount(c->fire_mask[h] & wbits);
        double x, yy;
        sc_lot_centre(c, i, &x, &yy);
        long cx = sc_cell(x, G.x0, G.nx), cy = sc_cell(yy, G.y0, G.ny);
        for (long gy = cy - reach; gy <= cy + reach; gy++)
            for (long gx = cx - reach; gx <= cx + reach; gx++) {
                if (gx < 0 || gy < 0 || gx >= G.nx || gy >= G.ny)
                    continue;
                size_t k = (size_t)(gy * G.nx + gx);
                for (size_t j = G.off[k]; j < G.off[k + 1]; j++) {
                    double d2 = (G.fx[j] - x) * (G.fx[j] - x) + (G.fy[j] - yy) * (G.fy[j] - yy);
                    near += d2 <= NEAR_M * NEAR_M ? G.fk[j] : 0;
                    far += d2 <= FAR_M * FAR_M ? G.fk[j] : 0;
                }
            }
        c->hist[i] = B_BLDG * log1p(fb) + B_NEAR * log1p(near) + B_FAR * log1p(far);
    }
    sc_fire_grid_free(&G);
    double delta = 0.0, sums[3];
    for (int it = 0; it < 60; it++) {
        sc_year_sums(c, s, y, delta, sums);
        if (sums[2] <= 0.0)
            break;
        double step = sc_clamp((sums[0] - sums[1]) / sums[2], -2.0, 2.0);
        delta -= step;
        if (fabs(step) < 1e-12)
            break;
    }
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++)
        c->hist[i] += delta;
    return FR_OK;
}

/* The structure fires, year by year (the rich profile's hazard depends on
 * the fires of the years before), into c->fire_mask, and the planted
 * probabilities of 2025 and 2026.  Parcel i's draws for year y are the
 * 3 (y - SYNTH_FIRST_YEAR) .. +2nd of its ST_FIRE stream, whatever the
 * order in which the years are drawn. */
static fr_status sc_fires(sc_ctx *c, synth_city *s, fr_error *err)
{
    size_t n = c->n;
    SC_ALLOC(c->fire_mask, n);
    SC_ALLOC(s->p_2025, n);
    SC_ALLOC(s->p_2026, n);
    if (c->rich) {
        SC_ALLOC(c->hist, n);
        SC_ALLOC(c->year_part, 3 * ((n + SC_CHUNK - 1) / SC_CHUNK));
    }
    if (!c->fire_mask || !s->p_2025 || !s->p_2026 || (c->rich && (!c->hist || !c->year_part)))
        return fr_error_oom_while(err, "for the structure fires");
    for (int y = SYNTH_FIRST_YEAR; y <= SYNTH_LAST_YEAR + 1; y++) {
        if (c->rich) {
            fr_status st = sc_history(c, s, y, err);
            if (st != FR_OK)
                return st;
        }
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) {
            double lp = sc_lp(c, s, i, y);
            if (c->hist && lp != -INFINITY)
                lp += c->hist[i];
            double p = lp == -INFINITY ? 0.0 : sc_logistic(s->b0 + lp);
            if (y == 2025)
                s->p_2025[i] = p;
            if (y == 2026)
                s->p_2026[i] = p;
            if (y > SYNTH_LAST_YEAR)
                continue;
            sc_rng g = sc_rng_after(c->seed, ST_FIRE, (uint64_t)i, 3u * (uint64_t)(y - SYNTH_FIRST_YEAR));
            double u = sc_unif(&g), ud = sc_unif(&g);
            if (lp == -INFINITY || u >= p)
                continue;
            int32_t d0 = fr_days_from_civil(y, 1, 1), nd = fr_days_from_civil(y + 1, 1, 1) - d0;
            if (sc_visit_prevents(c, s, i, y, d0 + (int32_t)(ud * nd)))
                c->prevented[i]++;
            else
                c->fire_mask[i] |= (uint16_t)(1u << (y - SYNTH_FIRST_YEAR));
        }
    }
    return FR_OK;
}

static size_t sc_parcel_incidents(const sc_ctx *c, synth_city *s, size_t i, size_t at)
{
    int write = at != SIZE_MAX;
    size_t k = 0;
    /* structure fires, drawn by sc_fires; the same stream gives their dates and types */
    sc_rng g = sc_rng_init(c->seed, ST_FIRE, (uint64_t)i);
    for (int y = SYNTH_FIRST_YEAR; y <= SYNTH_LAST_YEAR; y++) {
        double u = sc_unif(&g), ud = sc_unif(&g), ut = sc_unif(&g);
        (void)u;
        if (!(c->fire_mask[i] >> (y - SYNTH_FIRST_YEAR) & 1u))
            continue;
        int32_t d0 = fr_days_from_civil(y, 1, 1), nd = fr_days_from_civil(y + 1, 1, 1) - d0;
        if (write) {
            size_t j = at + k;
            s->inc_date[j] = d0 + (int32_t)(ud * nd);
            memcpy(s->inc_type + j * SYNTH_CODE_W, sc_pick(sc_fire_codes, sc_fire_cum, 8, ut), 4);
            s->inc_structure[j] = 1;
        }
        k++;
    }
    if (write)
        s->fires[i] = (int32_t)k;
    /* non-fire calls: Poisson, weighted by units */
    sc_rng h = sc_rng_init(c->seed, ST_NONFIRE, (uint64_t)i);
    int nn = sc_poisson(&h, c->noise_rate * (s->units[i] > 1 ? s->units[i] : 1));
    if (!write)
        return k + (size_t)nn;
    int32_t d0 = fr_days_from_civil(SYNTH_FIRST_YEAR, 1, 1), nd = fr_days_from_civil(SYNTH_LAST_YEAR + 1, 1, 1) - d0;
    for (int q = 0; q < nn; q++) {
        size_t j = at + k + (size_t)q;
        s->inc_date[j] = d0 + (int32_t)(sc_unif(&h) * nd);
        memcpy(s->inc_type + j * SYNTH_CODE_W,
               sc_pick(sc_noise_codes, sc_noise_cum, 10, sc_unif(&h)), 4);
        s->inc_structure[j] = 0;
    }
    /* locations and addresses */
    sc_rng l = sc_rng_init(c->seed, ST_INCLOC, (uint64_t)i);
    for (size_t q = 0; q < k + (size_t)nn; q++) {
        size_t j = at + q;
        if (sc_unif(&l) < 0.88)
            sc_point_inside(c, i, &l, &s->inc_x[j], &s->inc_y[j]);
        else
            sc_point_outside(c, i, &l, &s->inc_x[j], &s->inc_y[j]);
        memcpy(s->inc_address + j * SYNTH_ADDR_W, s->address + i * SYNTH_ADDR_W, SYNTH_ADDR_W);
        s->inc_parcel[j] = (int32_t)i;
    }
    return k + (size_t)nn;
}

static fr_status sc_incidents(sc_ctx *c, synth_city *s, fr_error *err)
{
    size_t n = c->n;
    int64_t wsum = 0;
    for (size_t i = 0; i < n; i++)
        wsum += s->units[i] > 1 ? s->units[i] : 1;
    c->noise_rate = (1.0 - STRUCTURE_SHARE) * INC_PER_PARCEL * (double)n / (double)wsum;

    SC_ALLOC(c->inc_off, n + 1);
    SC_ALLOC(s->fires, n);
    if (!c->inc_off || !s->fires)
        return fr_error_oom_while(err, "for incidents");
    sc_record_offsets(c, s, c->inc_off, sc_parcel_incidents);
    size_t m = c->inc_off[n];
    s->n_inc = m;
    SC_ALLOC(s->inc_id, m * SYNTH_ID_W);
    SC_ALLOC(s->inc_date, m);
    SC_ALLOC(s->inc_type, m * SYNTH_CODE_W);
    SC_ALLOC(s->inc_address, m * SYNTH_ADDR_W);
    SC_ALLOC(s->inc_x, m);
    SC_ALLOC(s->inc_y, m);
    SC_ALLOC(s->inc_parcel, m);
    SC_ALLOC(s->inc_structure, m);
    if (!s->inc_id || !s->inc_date || !s->inc_type || !s->inc_address || !s->inc_x ||
        !s->inc_y || !s->inc_parcel || !s->inc_structure)
        return fr_error_oom_while(err, "for %zu incidents", m);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++)
        sc_parcel_incidents(c, s, i, c->inc_off[i]);
    size_t nf = 0;
    for (size_t j = 0; j < m; j++)
        nf += s->inc_structure[j];
    s->n_structure_fires = nf;
    for (size_t i = 0; i < n; i++)
        s->fires_prevented += c->prevented[i];
    return FR_OK;
}

/* ------------------------------------------------------------------------ */
/* 7. Stations and the final order of the event tables                      */

static fr_status sc_stations(sc_ctx *c, synth_city *s, fr_error *err)
{
    double W = s->xmax - s->xmin, H = s->ymax - s->ymin, area = W * H;
    long target = lround(area / (KM2_PER_STATION * 1e6));
    if (target < 1)
        target = 1;
    double side = sqrt(area / (double)target);
    long nx = lround(W / side), ny = lround(H / side);
    nx = nx < 1 ? 1 : nx;
    ny = ny < 1 ? 1 : ny;
    size_t m = (size_t)(nx * ny);
    s->n_stations = m;
    SC_ALLOC(s->st_x, m);
    SC_ALLOC(s->st_y, m);
    SC_ALLOC(s->st_id, m * SYNTH_ID_W);
    SC_ALLOC(s->st_name, m * SYNTH_NAME_W);
    if (!s->st_x || !s->st_y || !s->st_id || !s->st_name)
        return fr_error_oom_while(err, "for stations");
    double cw = W / (double)nx, ch = H / (double)ny;
    for (long iy = 0; iy < ny; iy++)
        for (long ix = 0; ix < nx; ix++) {
            size_t k = (size_t)(iy * nx + ix);
            sc_rng g = sc_rng_init(c->seed, ST_STATION, k);
            s->st_x[k] = s->xmin + (ix + 0.5 + 0.5 * (sc_unif(&g) - 0.5)) * cw;
            s->st_y[k] = s->ymin + (iy + 0.5 + 0.5 * (sc_unif(&g) - 0.5)) * ch;
            sc_slot(s->st_id + k * SYNTH_ID_W, SYNTH_ID_W, "ST%02zu", k + 1);
            sc_slot(s->st_name + k * SYNTH_NAME_W, SYNTH_NAME_W, "Station %zu", k + 1);
        }
    return FR_OK;
}

typedef struct {
    int32_t date;
    uint32_t pad;
    size_t index;
} sc_key;

static int sc_key_cmp(const void *a, const void *b)
{
    const sc_key *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Permutes an array of m elements of `size` bytes into `order`. */
static int sc_permute(void *base, size_t m, size_t size, const sc_key *order)
{
    unsigned char *tmp = sc_calloc(m, size), *src = base;
    if (!tmp)
        return -1;
    for (size_t j = 0; j < m; j++)
        memcpy(tmp + j * size, src + order[j].index * size, size);
    memcpy(base, tmp, m * size);
    free(tmp);
    return 0;
}

static sc_key *sc_order_by_date(const int32_t *date, size_t m)
{
    sc_key *k = malloc((m ? m : 1) * sizeof *k);
    if (!k)
        return NULL;
    for (size_t j = 0; j < m; j++) {
        k[j].date = date[j];
        k[j].pad = 0;
        k[j].index = j;
    }
    qsort(k, m, sizeof *k, sc_key_cmp);
    return k;
}

static fr_status sc_sort_events(synth_city *s, fr_error *err)
{
    sc_key *o = sc_order_by_date(s->insp_date, s->n_insp);
    size_t m = s->n_insp;
    int bad = !o;
    if (!bad)
        bad = sc_permute(s->insp_parcel_id, m, SYNTH_ID_W, o) ||
              sc_permute(s->insp_date, m, sizeof *s->insp_date, o) ||
              sc_permute(s->insp_result, m, SYNTH_CODE_W, o) ||
              sc_permute(s->insp_violations, m, sizeof *s->insp_violations, o) ||
              sc_permute(s->insp_x, m, sizeof *s->insp_x, o) ||
              sc_permute(s->insp_y, m, sizeof *s->insp_y, o) ||
              sc_permute(s->insp_parcel, m, sizeof *s->insp_parcel, o);
    free(o);
    if (bad)
        return fr_error_oom_while(err, "sorting inspections");
    for (size_t j = 0; j < m; j++)
        sc_slot(s->insp_id + j * SYNTH_ID_W, SYNTH_ID_W, "I%07zu", j + 1);

    m = s->n_inc;
    o = sc_order_by_date(s->inc_date, m);
    bad = !o;
    if (!bad)
        bad = sc_permute(s->inc_date, m, sizeof *s->inc_date, o) ||
              sc_permute(s->inc_type, m, SYNTH_CODE_W, o) ||
              sc_permute(s->inc_address, m, SYNTH_ADDR_W, o) ||
              sc_permute(s->inc_x, m, sizeof *s->inc_x, o) ||
              sc_permute(s->inc_y, m, sizeof *s->inc_y, o) ||
              sc_permute(s->inc_parcel, m, sizeof *s->inc_parcel, o) ||
              sc_permute(s->inc_structure, m, sizeof *s->inc_structure, o);
    free(o);
    if (bad)
        return fr_error_oom_while(err, "sorting incidents");
    m = s->n_visits;
    o = sc_order_by_date(s->visit_date, m);
    bad = !o;
    if (!bad)
        bad = sc_permute(s->visit_parcel_id, m, SYNTH_ID_W, o) ||
              sc_permute(s->visit_date, m, sizeof *s->visit_date, o) ||
              sc_permute(s->visit_outcome, m, SYNTH_OUTCOME_W, o) ||
              sc_permute(s->visit_x, m, sizeof *s->visit_x, o) ||
              sc_permute(s->visit_y, m, sizeof *s->visit_y, o) ||
              sc_permute(s->visit_parcel, m, sizeof *s->visit_parcel, o);
    free(o);
    if (bad)
        return fr_error_oom_while(err, "sorting visits");
    for (size_t j = 0; j < m; j++)
        sc_slot(s->visit_id + j * SYNTH_ID_W, SYNTH_ID_W, "V%07zu", j + 1);

    m = s->n_inc;
    int year = 0;
    size_t seq = 0;
    for (size_t j = 0; j < m; j++) {
        int y = sc_year_of(s->inc_date[j]);
        seq = y == year ? seq + 1 : 1;
        year = y;
        sc_slot(s->inc_id + j * SYNTH_ID_W, SYNTH_ID_W, "F%02d-%06zu", y % 100, seq);
    }
    return FR_OK;
}

/* ------------------------------------------------------------------------ */

fr_status synth_city_generate(long parcels, uint64_t seed, synth_city *out, fr_error *err)
{
    return synth_city_generate_e(parcels, seed, SYNTH_VISIT_EFFECT, out, err);
}

fr_status synth_city_generate_e(long parcels, uint64_t seed, double visit_effect, synth_city *out, fr_error *err)
{
    return synth_city_generate_profile(parcels, seed, visit_effect, SYNTH_PROFILE_DEFAULT, out, err);
}

fr_status synth_city_generate_profile(long parcels, uint64_t seed, double visit_effect, synth_profile profile,
                                      synth_city *out, fr_error *err)
{
    memset(out, 0, sizeof *out);
    out->profile = profile;
    if (!(visit_effect >= 0.0 && visit_effect <= 1.0))
        return fr_error_set(err, FR_E_USAGE, "synth: --visit-effect must be between 0 and 1 (got %g)", visit_effect);
    if (parcels < 1)
        return fr_error_set(err, FR_E_USAGE, "synth: --parcels must be at least 1 (got %ld)", parcels);
    if (parcels > 50000000L)
        return fr_error_set(err, FR_E_USAGE, "synth: --parcels must be at most 50000000 (got %ld)",
                            parcels);
    sc_ctx c;
    memset(&c, 0, sizeof c);
    c.seed = seed;
    c.n = (size_t)parcels;
    c.visit_effect = visit_effect;
    c.rich = profile == SYNTH_PROFILE_RICH;
    out->visit_effect = visit_effect;
    sc_field_init(&c);
    sc_names_init(&c);
    fr_status st = sc_parcels(&c, out, err);
    if (st == FR_OK)
        st = sc_block_groups(&c, out, err);
    if (st == FR_OK)
        st = sc_attributes(&c, out, err);
    if (st == FR_OK)
        st = sc_inspections(&c, out, err);
    if (st == FR_OK)
        st = sc_calibrate(&c, out, err);
    if (st == FR_OK)
        st = sc_visits(&c, out, err);
    if (st == FR_OK)
        st = sc_fires(&c, out, err);
    if (st == FR_OK)
        st = sc_incidents(&c, out, err);
    if (st == FR_OK)
        st = sc_stations(&c, out, err);
    if (st == FR_OK)
        st = sc_sort_events(out, err);
    sc_ctx_free(&c);
    if (st != FR_OK)
        synth_city_free(out);
    return st;
}
