/*
 * synth_city.h — the generative model of the synthetic city, on plain arrays.
 *
 * synth_city_generate() builds a whole city (parcels, block groups, fire
 * stations, inspections, fire incidents) from (parcels, seed) and nothing
 * else: no clock, no files, no GDAL.  pipeline/synth/synth.c writes the result
 * with pipeline/synth/synth_write.c; tests may call the generator directly.
 *
 * Determinism: every random draw comes from a counter-based generator keyed
 * by (seed, stream, entity index), every sum over entities is taken in fixed
 * chunks added in a fixed order, and every output order is a total order.
 * The arrays are therefore identical at any OpenMP thread count.
 *
 * The model (layout, attributes, planted fire hazard and its coefficients)
 * is documented in docs/SYNTH.md; the constants live in synth_city.c.
 *
 * Strings are stored in fixed-width slots (`*_id + i * SYNTH_*_W`), NUL
 * terminated; an empty slot means "null".  Dates are days since 1970-01-01.
 * Ownership: a synth_city owns every array; synth_city_free() releases them.
 */
#ifndef SYNTH_CITY_H
#define SYNTH_CITY_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define SYNTH_EPSG 32616           /* WGS 84 / UTM zone 16N, metres */
#define SYNTH_FIRST_YEAR 2016      /* first year of inspections and incidents */
#define SYNTH_LAST_YEAR 2025       /* last year of inspections and incidents */
#define SYNTH_AS_OF "2026-01-01"   /* as_of written into firerisk.yaml */

/* String slot widths (bytes, including the NUL). */
#define SYNTH_ID_W 16     /* parcel_id, insp_id, incident_id, station_id */
#define SYNTH_ADDR_W 40   /* addresses */
#define SYNTH_CODE_W 8    /* land_use, result, nfirs_type */
#define SYNTH_GEOID_W 16  /* block-group GEOID (12 characters) */
#define SYNTH_NAME_W 32   /* station name */
#define SYNTH_OUTCOME_W 12 /* visit outcome */

#define SYNTH_VISIT_FIRST_YEAR 2021   /* first year of home visits */
#define SYNTH_VISIT_EFFECT 0.3        /* default planted visit effect e */
#define SYNTH_HEAT_W 12                /* heating level slot (rich profile) */

/* What the city plants (docs/SYNTH.md).  The default city is the one of
 * sections 1-8; the rich profile adds, on top of it, a categorical heating
 * attribute, homes stacked on one footprint (condominiums), and fire
 * history that raises later risk in the building, within 100 m and, more
 * weakly, within 1000 m (section 7b). */
typedef enum { SYNTH_PROFILE_DEFAULT = 0, SYNTH_PROFILE_RICH = 1 } synth_profile;

typedef struct {
    /* ---- parcels: n_parcels polygons ------------------------------------ */
    size_t n_parcels;
    size_t n_vertices;
    size_t *ring_start;   /* n_parcels + 1: parcel i = vertices [ring_start[i], ring_start[i+1]),
                             counter-clockwise, open (first vertex not repeated) */
    double *vx, *vy;      /* n_vertices */
    char *parcel_id;      /* SYNTH_ID_W slots: "P0000001" ... */
    char *address;        /* SYNTH_ADDR_W slots: "1234 E OAK ST" */
    int32_t *year_built;
    char *land_use;       /* SYNTH_CODE_W slots: SFR, MFR, COM, VAC */
    int32_t *bldg_sqft;   /* 0 for vacant land */
    int32_t *units;
    double *assessed_value;
    int32_t *vacant;      /* 0/1 */
    int32_t *owner_occ;   /* 0/1 */
    int32_t *bg;          /* index into the block-group arrays */
    double *p_2025;       /* planted structure-fire probability for calendar 2025 */
    double *p_2026;       /* ... for calendar 2026, the year after as_of (truth.csv p_annual) */
    int32_t *fires;       /* structure fires planted on the parcel, 2016-2025 */
    /* rich profile only (NULL otherwise) */
    char *heating;        /* SYNTH_HEAT_W slots: GAS, ELECTRIC, OIL, WOOD, SOLAR; "" = null */
    int32_t *stack;       /* homes on the parcel's footprint: 1, or 3..10 for a condominium unit */

    /* ---- block groups --------------------------------------------------- */
    size_t n_bg;
    double *bg_xmin, *bg_ymin, *bg_xmax, *bg_ymax; /* rectangles */
    char *bg_geoid;       /* SYNTH_GEOID_W slots: "131210001001" */
    double *bg_median_income;
    double *bg_pct_renter;   /* fraction 0..1 */
    double *bg_poverty_rate; /* fraction 0..1 */
    int32_t *bg_population;
    double *bg_effect;       /* the hidden neighbourhood effect (not written to the city) */

    /* ---- fire stations -------------------------------------------------- */
    size_t n_stations;
    double *st_x, *st_y;
    char *st_id;          /* SYNTH_ID_W slots: "ST01" */
    char *st_name;        /* SYNTH_NAME_W slots: "Station 1" */

    /* ---- inspections, ordered by (date, parcel, sequence) --------------- */
    size_t n_insp;
    char *insp_id;        /* "I0000001" */
    char *insp_parcel_id; /* "" = no parcel id */
    int32_t *insp_date;
    char *insp_result;    /* PASS / FAIL */
    int32_t *insp_violations;
    double *insp_x, *insp_y; /* NAN, NAN = no geometry */
    int32_t *insp_parcel; /* truth: index of the inspected parcel */

    /* ---- fire incidents, ordered by (date, parcel, sequence) ------------ */
    size_t n_inc;
    char *inc_id;         /* "F16-000001" */
    int32_t *inc_date;
    char *inc_type;       /* NFIRS incident type, 3 digits */
    char *inc_address;
    double *inc_x, *inc_y;
    int32_t *inc_parcel;  /* truth: index of the parcel the incident belongs to */
    unsigned char *inc_structure; /* 1 = structure fire from the planted model */
    size_t n_structure_fires;

    /* ---- home visits (smoke-alarm installs), ordered by (date, parcel) ---- */
    size_t n_visits;
    char *visit_id;       /* "V0000001" */
    char *visit_parcel_id;
    int32_t *visit_date;
    char *visit_outcome;  /* SYNTH_CODE_W slots: DONE or NOT HOME (a failed visit: no effect) */
    double *visit_x, *visit_y;
    int32_t *visit_parcel; /* truth: index of the visited parcel */
    double visit_effect;  /* e: a completed visit multiplies the home's fire probability by (1 - e)
                             for the 365 days from its date */
    size_t fires_prevented; /* planted structure fires the visit effect removed */

    /* ---- layout facts --------------------------------------------------- */
    double xmin, ymin, xmax, ymax; /* city extent (outer street edges) */
    double b0;                     /* calibrated intercept of the hazard */
    synth_profile profile;
} synth_city;

/* Generates the city.  parcels >= 1.  On success *out owns its arrays (free
 * with synth_city_free); on failure *out is left empty.  Uses OpenMP. */
fr_status synth_city_generate(long parcels, uint64_t seed, synth_city *out, fr_error *err);

/* The same with the planted visit effect e in [0, 1] (synth_city_generate
 * plants SYNTH_VISIT_EFFECT).  The visits themselves do not depend on e:
 * two cities that differ only in e have the same visits and differ only in
 * the fires the effect removed. */
fr_status synth_city_generate_e(long parcels, uint64_t seed, double visit_effect, synth_city *out, fr_error *err);

/* The same with a profile (synth_city_generate_e plants the default one). */
fr_status synth_city_generate_profile(long parcels, uint64_t seed, double visit_effect, synth_profile profile,
                                      synth_city *out, fr_error *err);

/* Frees every array of city and zeroes it (safe on a zeroed struct). */
void synth_city_free(synth_city *city);

/* NFIRS incident type is a structure fire of the planted model (1xx). */
int synth_city_is_structure_fire(const char *nfirs_type);

#endif
