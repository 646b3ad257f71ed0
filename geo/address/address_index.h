/*
 * address_index.h — the parcels indexed by normalised street and house
 * number, for the address joins (geo/join/join_address.c).  Built once per run
 * from the parcels' address column (geo_address_index_build in join.h);
 * read-only afterwards, so any number of threads may query it at once.
 *
 * Layout: one geo_addr_street per distinct street (its standardised parts),
 * and the house numbers of each street as a run of entries sorted by
 * (first number, parcel index).  Four string maps lead to the streets: the
 * full street ("E OAK ST"), and three relaxed keys for records whose
 * street is written with less: without the suffix (E OAK), without the
 * directionals (OAK ST), and the name alone (OAK).  A relaxed key may lead
 * to several streets; the matcher then needs the house number to decide.
 */
#ifndef GEO_ADDRESS_INDEX_H
#define GEO_ADDRESS_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "join.h"

/* One parcel address: a house number (or range) on a street. */
typedef struct {
    int32_t lo, hi;   /* house number, or range ends (lo == hi when not a range) */
    int32_t parcel;   /* index in the parcels layer */
    uint32_t city;    /* hash of the city (0: none) */
    int32_t building; /* the building this address is part of, -1 when the parcel has the
                         address alone (see geo_address_index_buildings) */
    char extra[8];    /* geo_address.num_extra: "A", "1/2", "-10" */
    char zip[6];      /* five-digit ZIP or "" */
    char unit[16];    /* geo_address_unit_key of its unit: "2", "A&B"; "" none */
} geo_addr_entry;

typedef struct {
    uint32_t predir, name, suffix, postdir; /* offsets of NUL-terminated parts in text */
    uint32_t first, count;                  /* its entries */
    int32_t max_span;                       /* largest hi - lo of its entries */
} geo_addr_street;

/* String -> chain of streets.  Open addressing over the keys' hashes;
 * streets with the same key are chained through next[]. */
typedef struct {
    size_t mask;        /* slots - 1 (a power of two) */
    int32_t *slot;      /* first street of the key, -1 empty */
    uint32_t *key;      /* offset of the key in text, per slot */
    int32_t *next;      /* per street: next street with the same key, -1 */
} geo_addr_map;

enum { GEO_ADDR_KEY_FULL, GEO_ADDR_KEY_NO_SUFFIX, GEO_ADDR_KEY_NO_DIRS, GEO_ADDR_KEY_NAME, GEO_ADDR_NKEYS };

struct geo_address_index {
    geo_addr_street *street;
    size_t nstreets;
    geo_addr_entry *entry;
    size_t nentries;
    char *text;                    /* arena of the street parts and keys */
    size_t text_len;
    geo_addr_map map[GEO_ADDR_NKEYS];
    uint32_t *names;               /* distinct street names (text offsets), for typo matching */
    size_t nnames;
    size_t parcels_with_address;   /* parcels whose address has a number and a street */
    size_t parcels_unusable;       /* parcels with an address text lacking either */
    size_t nparcels;               /* features of the parcels layer */
    size_t parcels_sharing;        /* parcels whose address another parcel has too */
    size_t parcels_in_buildings;   /* of those, parcels in a building (geo_address_index_buildings) */
    int32_t nbuildings;
    int32_t *building_of;          /* per parcel: its building, -1 none (NULL before buildings) */
};

/* The key of a street from its parts (NULL parts are left out): parts are
 * joined with '|' so that no key of one kind equals a key of another. */
size_t geo_addr_key(char *buf, size_t size, int kind, const char *predir, const char *name,
                    const char *suffix, const char *postdir);

/* First street of a key, or -1; the others follow through map->next. */
int32_t geo_addr_map_find(const geo_address_index *ix, int kind, const char *key);

/* FNV-1a hash of a string (also the city hash of the entries). */
uint32_t geo_addr_hash32(const char *s);

#endif
