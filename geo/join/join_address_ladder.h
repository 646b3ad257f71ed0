/*
 * join_address_ladder.h — the street ladder of join_address.c, shared with
 * the street-dictionary reading of join_address_dict.c.  Internal to
 * geo/join.
 */
#ifndef GEO_JOIN_ADDRESS_LADDER_H
#define GEO_JOIN_ADDRESS_LADDER_H

#include "address_index.h"
#include "address_norm.h"

#define MAX_STREETS 256 /* candidate streets of one relaxed key */

typedef struct {
    int found_street; /* some candidate street existed */
    int done;         /* a match, an ambiguity or a contradiction: stop */
} ladder_state;

/* The streets of a key of the given kind (GEO_ADDR_KEY_*), at most
 * MAX_STREETS into out; -1 when more. */
int geo_addr_streets_of(const geo_address_index *ix, int kind, const char *predir, const char *name,
                        const char *suffix, const char *postdir, int32_t *out);

/* Tries one set of candidate streets (those whose directionals contradict
 * the record's left out): the house number, then the unit, on them;
 * updates ls and out.  full_street: a street found whose numbers do not
 * fit ends the search (no_house_number). */
void geo_addr_try_streets(const geo_address_index *ix, const int32_t *streets, int n, const geo_address *a,
                          int32_t range, float conf, int full_street, ladder_state *ls, geo_match *out);

/* Levels 1-5 of join_address.c for a (every confidence times scale). */
void geo_addr_ladder(const geo_address_index *ix, const geo_address *a, int32_t range, float scale,
                     ladder_state *ls, geo_match *out);

/* The street dictionary reading (join_address_dict.c): the house number
 * anywhere in text, then the longest run of words after it that is a
 * street of the parcels; what follows is a unit, the place or a landmark.
 * For records the first parse could not place.  Sets out and returns 1 on
 * a match; otherwise returns 0 and sets *found_street when it found one. */
int geo_addr_match_by_dictionary(const geo_address_index *ix, const char *text, int32_t range, geo_match *out,
                                 int *found_street);

#endif
