/*
 * join.h — the spatial and key joins of a run, on geo_layer arrays, with the
 * GEOS reentrant API (exact tests, prepared geometries) and a packed R-tree
 * over the parcel envelopes (geo/index/box_tree.h).
 *
 * Threading: every function here is called from the main thread and
 * parallelises inside with OpenMP (omp_get_max_threads() threads).  Each
 * thread owns its own GEOS context handle and its own prepared geometries;
 * the trees over the parcel and zone envelopes are built once and only
 * read, by every thread.  Results are written into arrays indexed by
 * record, so they are identical at any thread count.
 *
 * Ties are broken by the lowest parcel index (parcels keep source order),
 * which makes every result deterministic.
 */
#ifndef GEO_JOIN_H
#define GEO_JOIN_H

#include <stddef.h>
#include <stdint.h>

#include "layer.h"
#include "status.h"

typedef enum {
    GEO_MATCH_NONE = 0,
    GEO_MATCH_ID = 1,       /* the record carries a parcel id found among the parcels */
    GEO_MATCH_CONTAINS = 2, /* the point lies inside (or on the boundary of) a parcel */
    GEO_MATCH_NEAREST = 3,  /* the nearest parcel lies within the tolerance */
    GEO_MATCH_ADDRESS = 4,  /* same normalised house number and street as one parcel's address */
    GEO_MATCH_ADDRESS_NEAR = 5, /* the nearest house number of the same parity on the
                               same street and block, within the address range */
    GEO_MATCH_ADDRESS_BUILDING = 6, /* the address of a building: several parcels at one
                               place share it (geo_address_index_buildings); parcel is
                               the building's first, candidates how many share it */
    GEO_MATCH_ID_NORMALISED = 7, /* no exact id, but one parcel's id once both are normalised
                                    ("0013" = "13" = "13.0"; geo_id_index_find_normalised) */
    GEO_MATCH_NMETHODS
} geo_match_method;

typedef enum {
    GEO_UNMATCHED_NONE = 0,          /* matched */
    GEO_UNMATCHED_NO_ID_NO_POINT,    /* neither a parcel id, an address nor a geometry */
    GEO_UNMATCHED_UNKNOWN_ID,        /* an id not among the parcels (and nothing else to try) */
    GEO_UNMATCHED_BEYOND_TOLERANCE,  /* a point with no parcel within the tolerance */
    GEO_UNMATCHED_ADDRESS_INCOMPLETE,/* an address without a house number or a street */
    GEO_UNMATCHED_UNKNOWN_STREET,    /* a street that no parcel address has */
    GEO_UNMATCHED_NO_HOUSE_NUMBER,   /* the street, but no parcel of that house number, nor of
                                        the same parity within the address range */
    GEO_UNMATCHED_AMBIGUOUS_ADDRESS, /* the address fits several parcels equally well */
    GEO_UNMATCHED_UNIT_MISMATCH,     /* the parcels at that number all have another unit */
    GEO_UNMATCHED_NOT_A_HOME,        /* an address of the master address list no parcel has */
    GEO_UNMATCHED_AMBIGUOUS_ID,      /* no exact id, and its normalised id is several parcels' */
    GEO_UNMATCHED_NREASONS
} geo_unmatched_reason;

typedef struct {
    int32_t parcel;    /* index into the parcels layer, -1 when unmatched */
    uint8_t method;    /* geo_match_method */
    uint8_t why;       /* geo_unmatched_reason */
    float confidence;  /* 0-1: how sure the match is (see geo_match_records); 0 unmatched */
    int32_t number_diff; /* address matches: |record's house number - parcel's|, else -1 */
    int32_t street;    /* address step: the street found (geo_address_index_street), -1 none */
    int32_t candidates; /* address step: parcels with the record's exact address, 0 none */
    double distance_m; /* 0 for contains, the distance for nearest (and for
                          beyond-tolerance: distance to the nearest parcel
                          found within 10x the tolerance, else NAN); NAN for
                          id and address */
} geo_match;

/* Stable names for outputs: "parcel_id", "address", "address_near",
 * "address_building", "contains", "nearest", "unmatched"; and the reject
 * reason codes "no_parcel_id_or_point", "unknown_parcel_id",
 * "beyond_tolerance", "address_incomplete", "unknown_street",
 * "no_house_number", "ambiguous_address", "unit_mismatch", "not_a_home". */
const char *geo_match_method_name(int method);
const char *geo_unmatched_reason_name(int why);

/* ---- parcel ids ------------------------------------------------------- */

typedef struct geo_id_index geo_id_index;

/* Builds a lookup from parcel id (string column id_col of parcels) to parcel
 * index.  Ids are compared after trimming surrounding white space.  Parcels
 * with a missing id are not indexed.  If an id occurs more than once, the
 * first parcel keeps it and the indexes of the later ones are returned in
 * *dups (malloc'd, caller frees; *ndups entries) so the caller can reject
 * them.  */
fr_status geo_id_index_build(const geo_layer *parcels, int id_col, geo_id_index **out,
                             size_t **dups, size_t *ndups, fr_error *err);

/* The duplicates alone, as geo_id_index_build finds them (*dups, *ndups):
 * half the work, as the normalised ids the fallback match needs are not
 * indexed.  When exact is not NULL, the index of the exact ids is handed
 * over in *exact (caller frees) for geo_id_index_complete, else freed.
 * Why keep it: at 5M parcels each id index is 1-2 s of one thread, most
 * of it the first touch of 300 MB of new memory. */
fr_status geo_id_duplicates(const geo_layer *parcels, int id_col, size_t **dups, size_t *ndups,
                            geo_id_index **exact, fr_error *err);

/* *ix made the index of geo_id_index_build over parcels (duplicates not
 * reported: the first keeps the id): from the exact index of
 * geo_id_duplicates when it is still the layer's (the same features in the
 * same order: nothing dropped since), by adding the normalised ids; else
 * (NULL, or built before features were dropped) *ix is freed and built
 * anew.  On failure *ix is an index of the exact ids, or NULL. */
fr_status geo_id_index_complete(geo_id_index **ix, const geo_layer *parcels, int id_col, fr_error *err);

/* Parcel index for an id, or -1. */
int32_t geo_id_index_find(const geo_id_index *ix, const char *id);
/* The fallback after the exact id: the parcel whose id equals this one once
 * both are normalised (trimmed, upper-cased, leading zeros dropped, a
 * number's zero decimals dropped: "13" = "0013" = "13.0"), or -1.  When
 * several parcels' ids normalise alike, -1 and *ambiguous = 1: refused
 * rather than guessed. */
int32_t geo_id_index_find_normalised(const geo_id_index *ix, const char *id, int *ambiguous);
void geo_id_index_free(geo_id_index *ix);

/* out[k] = the parcel whose id (string column id_col, trimmed) is ids[k]
 * (trimmed), the lowest such index, or -1: what geo_id_index_find gives,
 * by one scan of the layer on every thread instead of an index.  For a few
 * ids looked up once (the previous run's targets), after the run has freed
 * its index (about 570 MB at 5M parcels, which the stages after the join
 * then take again rather than new memory).  FR_E_MEMORY only. */
fr_status geo_id_find_many(const geo_layer *parcels, int id_col, const char *const *ids, size_t n, long *out,
                           fr_error *err);

/* ---- spatial index over parcels -------------------------------------- */

typedef struct geo_parcel_index geo_parcel_index;

/* Builds the per-thread GEOS contexts and the tree over the envelopes of
 * the parcels (a GEO_GEOM_POLYGON layer, or GEO_GEOM_POINT: homes given as
 * points, each envelope the point).  The layer must outlive the index. */
fr_status geo_parcel_index_new(const geo_layer *parcels, geo_parcel_index **out, fr_error *err);
void geo_parcel_index_free(geo_parcel_index *ix);

/* What the joins need from the parcels, built in one parallel region
 * (join_prepare.c): the index of geo_parcel_index_new, the id index of
 * geo_id_index_build over string column id_col when out_ids is not NULL
 * (duplicate ids are not reported: keep the first; *out_ids is NULL on
 * entry, or the exact index of geo_id_duplicates, which is taken over and
 * completed: geo_id_index_complete), and the representative
 * points of geo_representative_points in rx, ry (parcels->count entries).
 * The same results as those three calls, in less time. */
fr_status geo_parcel_prepare(const geo_layer *parcels, int id_col, geo_parcel_index **out_ix,
                             geo_id_index **out_ids, double *rx, double *ry, fr_error *err);

/* Matches every record of `points` (a GEO_GEOM_POINT or GEO_GEOM_NONE layer)
 * to a parcel, in this order: by parcel id (string column id_col of points,
 * -1 for none; needs ids != NULL), else the parcel containing the point, else
 * the nearest parcel whose distance is <= tolerance_m.  out has
 * points->count entries.  (geo_match_records with those three steps.) */
fr_status geo_match_points(const geo_parcel_index *ix, const geo_id_index *ids,
                           const geo_layer *points, int id_col, double tolerance_m,
                           geo_match *out, fr_error *err);

/* ---- addresses --------------------------------------------------------- */

typedef struct geo_address_index geo_address_index;

/* Indexes the parcels by normalised street and house number (string column
 * addr_col, parsed with geo_address_parse).  Parcels whose address lacks a
 * house number or a street are left out.  The index does not refer to the
 * layer after the call. */
fr_status geo_address_index_build(const geo_layer *parcels, int addr_col, geo_address_index **out,
                                  fr_error *err);
void geo_address_index_free(geo_address_index *ix);
/* Parcels indexed, and parcels whose address text lacked a number or a street. */
size_t geo_address_index_parcels(const geo_address_index *ix, size_t *unusable);

/* Buildings: the parcels that share one normalised address (house number
 * and street; units aside: condominium parcels "12 OAK ST UNIT 1", "UNIT 2")
 * with representative points (rx, ry: one per parcel, the working CRS)
 * within tolerance_m of the first of them.  A record at that address then
 * matches the building (GEO_MATCH_ADDRESS_BUILDING); namesakes far apart
 * (the same address in two towns) stay apart and ambiguous.  Without this
 * call every shared address is ambiguous.  Sets the counts read by
 * geo_address_index_sharing. */
fr_status geo_address_index_buildings(geo_address_index *ix, const double *rx, const double *ry,
                                      double tolerance_m, fr_error *err);
/* Per parcel, its building id (0..nbuildings-1) or -1: a plain array of
 * the index's parcels->count entries, for building-level features; NULL
 * before geo_address_index_buildings.  *nbuildings and the parcels sharing
 * an address (*sharing) and of them in a building (*in_buildings). */
const int32_t *geo_address_index_building_of(const geo_address_index *ix, int32_t *nbuildings,
                                             size_t *sharing, size_t *in_buildings);
/* The street text of street id (geo_match.street): "E OAK ST"; "" for -1. */
const char *geo_address_index_street(const geo_address_index *ix, int32_t street, char *buf, size_t size);

/* Matches one address text to a parcel (join_address.c), with the rules of
 * geo_match_records.  out->method is GEO_MATCH_ADDRESS, GEO_MATCH_ADDRESS_NEAR
 * or GEO_MATCH_NONE (then out->why says why; GEO_UNMATCHED_NO_ID_NO_POINT
 * when the text is empty).  range: the largest house-number difference of a
 * near match (0: exact only).  Thread-safe. */
void geo_match_address(const geo_address_index *ix, const char *text, int32_t range, geo_match *out);

/* The same, knowing the city's master address list (known: its addresses
 * indexed with geo_address_index_build; NULL for none): a record whose
 * exact address is on the list and that no parcel has exactly (a shop, a
 * school, an apartment complex on a homes-only roll) is left unmatched
 * with GEO_UNMATCHED_NOT_A_HOME rather than moved to a neighbouring home
 * by the near-number step.  Thread-safe. */
void geo_match_address_known(const geo_address_index *ix, const geo_address_index *known, const char *text,
                             int32_t range, geo_match *out);

/* ---- matching with a configured order ---------------------------------- */

#define GEO_MATCH_MAX_STEPS 4

typedef struct {
    /* The steps in order, each one of GEO_MATCH_ID, GEO_MATCH_ADDRESS (the
     * exact address, then the nearest house number), GEO_MATCH_CONTAINS,
     * GEO_MATCH_NEAREST; a step lacking its data (no id column, no address
     * index...) is skipped. */
    uint8_t steps[GEO_MATCH_MAX_STEPS];
    int nsteps;
    const geo_id_index *ids;
    int id_col;                           /* string column of parcel ids, -1 none */
    const geo_address_index *addresses;
    const geo_address_index *known_addresses; /* the master address list, or NULL */
    int address_col;                      /* string column of addresses, -1 none */
    int32_t address_range;                /* see geo_match_address */
    double tolerance_m;                   /* of GEO_MATCH_NEAREST */
} geo_match_spec;

/* Matches every record of `points` (GEO_GEOM_POINT or GEO_GEOM_NONE) to a
 * parcel with the first step of spec that finds one.  Homes given as points
 * have no inside: GEO_MATCH_CONTAINS then finds the nearest home within the
 * tolerance (method GEO_MATCH_NEAREST, with its distance).  A record that no step
 * matches gets the reason of the last step it had the data for (an address
 * that names an unknown street, then a point beyond the tolerance:
 * beyond_tolerance), or GEO_UNMATCHED_NO_ID_NO_POINT when it had none.
 *
 * Confidence (a ranking hint for the audit, not a probability): 1 for an id
 * and for an exact address written as the parcel's; 0.95 for an exact
 * address told apart from a namesake by ZIP or city; 0.9 to 0.75 for an
 * exact house number on a street found with less than the full street
 * (suffix misspelt or missing: 0.9, directionals missing: 0.85, name
 * alone: 0.8, name one typo away: 0.75); near house numbers that times
 * 0.9 - 0.4 d / range (d the house-number difference); 0.9 for contains;
 * 0.8 - 0.3 d / tolerance for nearest. */
fr_status geo_match_records(const geo_parcel_index *ix, const geo_layer *points,
                            const geo_match_spec *spec, geo_match *out, fr_error *err);

/* For every parcel, counts the points of `points` lying within radius_m of
 * the parcel polygon (distance from the point to the polygon, 0 inside; to
 * the home's point when the homes are points), split by bucket: bucket[k] in [0, nbuckets) for point k, or -1 to skip the
 * point.  counts has parcels->count * nbuckets entries, parcel-major
 * (counts[i * nbuckets + b]); it is overwritten.  bucket may be NULL: every
 * point then counts in bucket 0.  Points without a geometry are skipped. */
fr_status geo_count_within(const geo_parcel_index *ix, const geo_layer *points,
                           const int8_t *bucket, int nbuckets, double radius_m,
                           uint32_t *counts, fr_error *err);

/* The same for the parcels i with only[i] nonzero: their rows are those
 * geo_count_within gives, the other rows are not written (a few rows of a
 * calloc'd array stay the only pages touched).  only NULL: every parcel. */
fr_status geo_count_within_rows(const geo_parcel_index *ix, const geo_layer *points,
                                const int8_t *bucket, int nbuckets, double radius_m,
                                const uint8_t *only, uint32_t *counts, fr_error *err);

/* A point guaranteed to lie inside each parcel (GEOSPointOnSurface), for
 * zone assignment, station distance and the lon/lat of the target list;
 * the point itself for homes given as points.  NAN for a parcel without
 * geometry. */
fr_status geo_representative_points(const geo_layer *parcels, double *rx, double *ry,
                                    fr_error *err);

/* For every (rx[i], ry[i]), the distance in CRS units to the nearest point of
 * `targets` (a GEO_GEOM_POINT layer, e.g. fire stations) and its index
 * (ties: lowest index).  NAN / -1 when there is no target or no point. */
fr_status geo_nearest_target(const double *rx, const double *ry, size_t n,
                             const geo_layer *targets, double *dist, int32_t *idx,
                             fr_error *err);

/* For every (rx[i], ry[i]), the index of the zone polygon of `zones` (a
 * GEO_GEOM_POLYGON layer: block groups, battalions...) that contains it, or
 * -1.  Overlapping zones: lowest index wins. */
fr_status geo_assign_zones(const double *rx, const double *ry, size_t n, const geo_layer *zones,
                           int32_t *zone, fr_error *err);

#endif
