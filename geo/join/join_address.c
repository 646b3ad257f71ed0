/*
 * join_address.c — geo_match_address (join.h): an address-only record to a
 * parcel, by normalised street and house number.
 *
 * First the street, with a ladder of ever looser keys, each tried only
 * when the ones before found no street:
 *
 *   level                                   confidence of an exact number
 *   1. the full street (E OAK ST)                       1
 *   2. a misspelt suffix: the suffixes one edit from the word written
 *      that an existing street of that name has (E OAK STRET -> E OAK
 *      ST; E OAK ROD -> E OAK RD unless E OAK ROW exists too: then the
 *      house number decides)                           0.9
 *   3. the street without its suffix (E OAK -> E OAK ST, E OAK AVE...)  0.9
 *      and, when the last word is no suffix at all, without that word too
 *      (E OAK SX -> E OAK ...)                          0.85
 *      and a directional read as the name before a suffix word read as
 *      the suffix (W SPRING: USPS reads name W, suffix SPG) the other way
 *      round (W SPRING + any suffix)                    0.85
 *      and a directional read as a pre-directional before a misspelt
 *      suffix (NORTHEAST EXXPRESSWAY -> NORTHEAST EXPY)   0.85
 *   4. without the directionals (OAK ST -> E OAK ST, W OAK ST)          0.85
 *   5. the name alone (OAK)                             0.8
 *   6. for a text that ended with "STATE ZIP" and had no commas, the
 *      street cut before each earlier word (HEMLOCK DR PINE LAKE GA 30072:
 *      the city is PINE LAKE, not LAKE), when that street exists  0.9
 *   7. a street name one typo away (MAGNOLA -> MAGNOLIA), when exactly one
 *      name is, then levels 1-5 with it                 0.75
 *
 * Then the house number, on the streets the level found:
 *   - exact: a parcel whose number (or range, same side) includes it, with
 *     the same letter / fraction; several parcels (two parcels share an
 *     address, or OAK ST and OAK AVE both have a 123): kept only if the
 *     record's ZIP, else city, leaves exactly one (confidence x 0.95), else
 *     the address is ambiguous and REFUSED (no guess: the record goes on to
 *     the next join step, e.g. its point, and is rejected as
 *     ambiguous_address if none matches);
 *   - near: on a single street, the parcel with the nearest house number of
 *     the same parity (same side of the street) within `range`;
 *     confidence x (0.9 - 0.4 d / range).  Two parcels equally near (10 is
 *     between 8 and 12) are ambiguous and refused.
 * A full street (levels 1-2) whose numbers do not fit ends the search
 * (no_house_number): a looser key would only find another street.  At
 * levels 3-6 the search goes on to the next level.
 */
#include "address_index.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "address_norm.h"
#include "address_tables.h"

#define MAX_STREETS 256 /* candidate streets of one relaxed key */
#define MAX_HITS 16     /* parcels kept while deciding; more is ambiguous anyway */

const char *geo_match_method_name(int method)
{
    switch (method) {
    case GEO_MATCH_ID: return "parcel_id";
    case GEO_MATCH_ADDRESS: return "address";
    case GEO_MATCH_ADDRESS_NEAR: return "address_near";
    case GEO_MATCH_CONTAINS: return "contains";
    case GEO_MATCH_NEAREST: return "nearest";
    case GEO_MATCH_ID_NORMALISED: return "parcel_id_normalised";
    default: return "unmatched";
    }
}

const char *geo_unmatched_reason_name(int why)
{
    switch (why) {
    case GEO_UNMATCHED_NO_ID_NO_POINT: return "no_parcel_id_or_point";
    case GEO_UNMATCHED_UNKNOWN_ID: return "unknown_parcel_id";
    case GEO_UNMATCHED_BEYOND_TOLERANCE: return "beyond_tolerance";
    case GEO_UNMATCHED_ADDRESS_INCOMPLETE: return "address_incomplete";
    case GEO_UNMATCHED_UNKNOWN_STREET: return "unknown_street";
    case GEO_UNMATCHED_NO_HOUSE_NUMBER: return "no_house_number";
    case GEO_UNMATCHED_AMBIGUOUS_ADDRESS: return "ambiguous_address";
    case GEO_UNMATCHED_AMBIGUOUS_ID: return "ambiguous_parcel_id";
    default: return "";
    }
}

size_t geo_address_index_parcels(const geo_address_index *ix, size_t *unusable)
{
    if (unusable)
        *unusable = ix ? ix->parcels_unusable : 0;
    return ix ? ix->parcels_with_address : 0;
}

/* ---- house numbers on one street --------------------------------------- */

typedef struct {
    int32_t parcel[MAX_HITS];
    uint32_t city[MAX_HITS];
    const char *zip[MAX_HITS];
    int n;
    int overflow;
} hits;

static void hits_add(hits *h, const geo_addr_entry *e)
{
    for (int k = 0; k < h->n; k++)
        if (h->parcel[k] == e->parcel)
            return;
    if (h->n == MAX_HITS) {
        h->overflow = 1;
        return;
    }
    h->parcel[h->n] = e->parcel;
    h->city[h->n] = e->city;
    h->zip[h->n] = e->zip;
    h->n++;
}

/* Index of the first entry of street s with lo > v. */
static uint32_t upper_bound(const geo_address_index *ix, const geo_addr_street *s, int64_t v)
{
    uint32_t lo = s->first, hi = s->first + s->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ix->entry[mid].lo <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Parcels of street s whose number (or same-side range) holds the record's
 * number with the same letter or fraction. */
static void exact_on(const geo_address_index *ix, const geo_addr_street *s, const geo_address *a, hits *h)
{
    int32_t n = a->num_lo;
    uint32_t u = upper_bound(ix, s, n);
    for (uint32_t k = u; k > s->first; k--) {
        const geo_addr_entry *e = &ix->entry[k - 1];
        if ((int64_t)e->lo < (int64_t)n - s->max_span)
            break;
        if (e->hi < n || strcmp(e->extra, a->num_extra) != 0)
            continue;
        if (n == e->lo || n == e->hi || (n - e->lo) % 2 == 0)
            hits_add(h, e);
    }
}

/* The parcels of street s with the nearest house number of the record's
 * parity within range (all of those at the best distance); *best_d. */
static void near_on(const geo_address_index *ix, const geo_addr_street *s, const geo_address *a,
                    int32_t range, hits *h, int64_t *best_d)
{
    int64_t n = a->num_lo;
    uint32_t u = upper_bound(ix, s, n + range);
    for (uint32_t k = u; k > s->first; k--) {
        const geo_addr_entry *e = &ix->entry[k - 1];
        if ((int64_t)e->lo < n - range - s->max_span)
            break;
        int64_t d, v;
        if (e->lo <= n && n <= e->hi) {
            d = 0;
            v = n;
        } else {
            v = n < e->lo ? e->lo : e->hi;
            d = v > n ? v - n : n - v;
        }
        if (d > range || ((v - n) % 2) != 0)
            continue;
        if (d < *best_d) {
            *best_d = d;
            h->n = 0;
            h->overflow = 0;
        }
        if (d == *best_d)
            hits_add(h, e);
    }
}

/* Keeps the hits whose ZIP (else city) is the record's, when that leaves
 * exactly one; returns 1 if it did. */
static int disambiguate(hits *h, const geo_address *a)
{
    if (h->overflow)
        return 0;
    for (int pass = 0; pass < 2; pass++) {
        int keep = -1, count = 0;
        uint32_t city = a->city[0] ? geo_addr_hash32(a->city) : 0;
        for (int k = 0; k < h->n; k++) {
            int same = pass == 0 ? a->zip[0] && !strncmp(h->zip[k], a->zip, 5) : city && h->city[k] == city;
            if (same) {
                keep = k;
                count++;
            }
        }
        if (count == 1) {
            h->parcel[0] = h->parcel[keep];
            h->n = 1;
            return 1;
        }
    }
    return 0;
}

typedef enum { RES_NO_NUMBER, RES_MATCH, RES_AMBIGUOUS } resolution;

/* Finds the house number on the candidate streets; fills out on a match. */
static resolution resolve(const geo_address_index *ix, const int32_t *streets, int nstreets,
                          const geo_address *a, int32_t range, float conf, geo_match *out)
{
    hits h = {.n = 0};
    for (int k = 0; k < nstreets; k++)
        exact_on(ix, &ix->street[streets[k]], a, &h);
    if (h.n > 1 || h.overflow) {
        if (!disambiguate(&h, a))
            return RES_AMBIGUOUS;
        conf *= 0.95f;
    }
    if (h.n == 1) {
        out->parcel = h.parcel[0];
        out->method = GEO_MATCH_ADDRESS;
        out->confidence = conf;
        out->number_diff = 0;
        return RES_MATCH;
    }
    if (range <= 0)
        return RES_NO_NUMBER;
    /* near: the best distance over all candidate streets; hits on two
     * streets, or two parcels at that distance, are ambiguous */
    int64_t best = INT64_MAX;
    int street_hits = 0;
    hits all = {.n = 0};
    for (int k = 0; k < nstreets; k++) {
        hits hs = {.n = 0};
        int64_t d = INT64_MAX;
        near_on(ix, &ix->street[streets[k]], a, range, &hs, &d);
        if (hs.n == 0)
            continue;
        street_hits++;
        if (d < best) {
            best = d;
            all = hs;
        }
    }
    if (street_hits == 0)
        return RES_NO_NUMBER;
    if (street_hits > 1 || all.n > 1 || all.overflow)
        return RES_AMBIGUOUS;
    out->parcel = all.parcel[0];
    out->method = GEO_MATCH_ADDRESS_NEAR;
    out->confidence = conf * (0.9f - 0.4f * (float)best / (float)range);
    out->number_diff = (int32_t)best;
    return RES_MATCH;
}

/* ---- streets ---------------------------------------------------------- */

/* The streets of a key (at most MAX_STREETS; -1 when more). */
static int streets_of(const geo_address_index *ix, int kind, const char *predir, const char *name,
                      const char *suffix, const char *postdir, int32_t *out)
{
    char key[4 * GEO_ADDR_STREET_MAX];
    geo_addr_key(key, sizeof key, kind, predir, name, suffix, postdir);
    int n = 0;
    for (int32_t s = geo_addr_map_find(ix, kind, key); s >= 0; s = ix->map[kind].next[s]) {
        if (n == MAX_STREETS)
            return -1;
        out[n++] = s;
    }
    return n;
}

/* The name without its last word (into buf), and that word; 0 when the
 * name has a single word. */
static int split_last_word(const char *name, char *buf, size_t size, const char **last)
{
    const char *sp = strrchr(name, ' ');
    if (!sp || (size_t)(sp - name) >= size)
        return 0;
    memcpy(buf, name, (size_t)(sp - name));
    buf[sp - name] = '\0';
    *last = sp + 1;
    return 1;
}

typedef struct {
    int found_street; /* some candidate street existed */
    int done;         /* a match, or an ambiguity: stop */
} ladder_state;

/* Tries one set of candidate streets; updates the state and out. */
static void try_streets(const geo_address_index *ix, const int32_t *streets, int n, const geo_address *a,
                        int32_t range, float conf, int full_street, ladder_state *ls, geo_match *out)
{
    if (n == 0)
        return;
    if (n < 0) { /* more namesakes than we look through */
        out->why = GEO_UNMATCHED_AMBIGUOUS_ADDRESS;
        ls->done = 1;
        return;
    }
    ls->found_street = 1;
    resolution r = resolve(ix, streets, n, a, range, conf, out);
    if (r == RES_MATCH) {
        out->why = GEO_UNMATCHED_NONE;
        ls->done = 1;
    } else if (r == RES_AMBIGUOUS) {
        out->why = GEO_UNMATCHED_AMBIGUOUS_ADDRESS;
        ls->done = 1;
    } else if (full_street) {
        out->why = GEO_UNMATCHED_NO_HOUSE_NUMBER;
        ls->done = 1;
    }
}

/* Levels 1-5 for the address a (with scale multiplying every confidence). */
static void ladder(const geo_address_index *ix, const geo_address *a, int32_t range, float scale,
                   ladder_state *ls, geo_match *out)
{
    int32_t streets[MAX_STREETS];
    int n;
    char head[GEO_ADDR_NAME_MAX];
    const char *last = NULL;
    int two_words = split_last_word(a->name, head, sizeof head, &last);
    /* 1 */
    n = streets_of(ix, GEO_ADDR_KEY_FULL, a->predir, a->name, a->suffix, a->postdir, streets);
    try_streets(ix, streets, n, a, range, scale, 1, ls, out);
    /* 2: the suffix word misspelt: every suffix one edit from it (as
     * written, or the last word of the name when none was read) that
     * names an existing street; the house number decides between them */
    const char *word = a->suffix[0] ? a->suffix_written : two_words ? last : NULL;
    if (!ls->done && word) {
        const char *near[8];
        int ng = geo_address_suffix_near(word, near, 8), m = 0;
        int32_t found[8];
        for (int k = 0; k < ng; k++) {
            if (a->suffix[0] && !strcmp(near[k], a->suffix))
                continue; /* level 1 tried it */
            int32_t s1[MAX_STREETS];
            int c = streets_of(ix, GEO_ADDR_KEY_FULL, a->predir, a->suffix[0] ? a->name : head, near[k],
                               a->postdir, s1);
            if (c == 1)
                found[m++] = s1[0];
        }
        try_streets(ix, found, m, a, range, 0.9f * scale, 0, ls, out);
    }
    /* ... and a street named after a direction with a misspelt suffix:
     * NORTHEAST EXXPRESSWAY reads as NE + EXXPRESSWAY; the parcels say
     * NORTHEAST EXPY (a directional alone is the name) */
    if (!ls->done && !a->suffix[0] && a->predir[0] && !two_words) {
        const char *near[8], *names[2] = {a->predir, geo_addr_dir_spelled(a->predir)};
        int ng = geo_address_suffix_near(a->name, near, 8), m = 0;
        int32_t found[16];
        for (int d = 0; d < 2; d++)
            for (int k = 0; k < ng && names[d]; k++) {
                int32_t s1[MAX_STREETS];
                if (streets_of(ix, GEO_ADDR_KEY_FULL, "", names[d], near[k], a->postdir, s1) == 1)
                    found[m++] = s1[0];
            }
        try_streets(ix, found, m, a, range, 0.85f * scale, 0, ls, out);
    }
    /* 3 */
    if (!ls->done) {
        n = streets_of(ix, GEO_ADDR_KEY_NO_SUFFIX, a->predir, a->name, "", a->postdir, streets);
        try_streets(ix, streets, n, a, range, 0.9f * scale, 0, ls, out);
    }
    if (!ls->done && !a->suffix[0] && two_words && !geo_address_suffix(last)) {
        n = streets_of(ix, GEO_ADDR_KEY_NO_SUFFIX, a->predir, head, "", a->postdir, streets);
        try_streets(ix, streets, n, a, range, 0.85f * scale, 0, ls, out);
    }
    /* "920 W SPRING" reads as the street W SPG (a directional alone is a
     * name, USPS); without its suffix it is the street SPRING west */
    const char *dir = !ls->done && !a->predir[0] && a->suffix[0] ? geo_address_directional(a->name) : NULL;
    const char *spelled = dir ? geo_addr_suffix_primary(a->suffix) : NULL;
    if (spelled) {
        n = streets_of(ix, GEO_ADDR_KEY_NO_SUFFIX, dir, spelled, "", a->postdir, streets);
        try_streets(ix, streets, n, a, range, 0.85f * scale, 0, ls, out);
    }
    /* 4 */
    if (!ls->done && (a->predir[0] || a->postdir[0] || a->suffix[0])) {
        n = streets_of(ix, GEO_ADDR_KEY_NO_DIRS, "", a->name, a->suffix, "", streets);
        try_streets(ix, streets, n, a, range, 0.85f * scale, 0, ls, out);
    }
    /* 5 */
    if (!ls->done) {
        n = streets_of(ix, GEO_ADDR_KEY_NAME, "", a->name, "", "", streets);
        try_streets(ix, streets, n, a, range, 0.8f * scale, 0, ls, out);
    }
}

void geo_match_address(const geo_address_index *ix, const char *text, int32_t range, geo_match *out)
{
    out->parcel = -1;
    out->method = GEO_MATCH_NONE;
    out->why = GEO_UNMATCHED_NO_ID_NO_POINT;
    out->confidence = 0.0f;
    out->number_diff = -1;
    out->distance_m = NAN;
    const char *p = text;
    while (p && isspace((unsigned char)*p))
        p++;
    if (!p || !*p)
        return;
    geo_address a;
    geo_address_parse(text, &a);
    if (a.num_lo < 0 || !a.name[0]) {
        out->why = GEO_UNMATCHED_ADDRESS_INCOMPLETE;
        return;
    }
    out->why = GEO_UNMATCHED_UNKNOWN_STREET;
    if (!ix)
        return;
    ladder_state ls = {0, 0};
    ladder(ix, &a, range, 1.0f, &ls, out);
    if (ls.done)
        return;
    if (ls.found_street)
        out->why = GEO_UNMATCHED_NO_HOUSE_NUMBER;
    /* "455 HEMLOCK DR PINE LAKE GA 30072": without commas the city was cut
     * after the wrong suffix (PINE and LAKE are suffixes too); try the
     * street ending at each earlier word, longest first */
    if (a.flags & GEO_ADDR_CITY_UNSURE) {
        char words[2 * GEO_ADDR_STREET_MAX], cand[3 * GEO_ADDR_STREET_MAX];
        snprintf(words, sizeof words, "%s %s", a.street, a.city);
        for (char *cut = strrchr(words, ' '); cut; cut = strrchr(words, ' ')) {
            *cut = '\0';
            snprintf(cand, sizeof cand, "%s %s", a.number, words);
            geo_address b;
            geo_address_parse(cand, &b);
            if (!strcmp(b.street, a.street) || !b.name[0])
                continue;
            int32_t streets[MAX_STREETS];
            int n = streets_of(ix, GEO_ADDR_KEY_FULL, b.predir, b.name, b.suffix, b.postdir, streets);
            ladder_state lc = {0, 0};
            geo_match m = *out;
            try_streets(ix, streets, n, &b, range, 0.9f, 1, &lc, &m);
            if (lc.done) {
                *out = m;
                return;
            }
        }
    }
    /* 7: a name one typo away, when exactly one is (names of 4 letters and
     * more: shorter ones are too close to each other) */
    if (strlen(a.name) < 4)
        return;
    int32_t pick = -1;
    for (size_t k = 0; k < ix->nnames; k++) {
        const char *name = ix->text + ix->names[k];
        if (strcmp(name, a.name) != 0 && geo_address_one_edit(name, a.name)) {
            if (pick >= 0)
                return; /* two names are as near: no guess */
            pick = (int32_t)k;
        }
    }
    if (pick < 0)
        return;
    geo_address b = a;
    snprintf(b.name, sizeof b.name, "%s", ix->text + ix->names[pick]);
    ladder_state lb = {0, 0};
    geo_match m = *out;
    ladder(ix, &b, range, 0.75f, &lb, &m);
    if (lb.done && m.method != GEO_MATCH_NONE)
        *out = m; /* only a match counts: the typo street's own problems are not the record's */
    else if (lb.found_street && !ls.found_street)
        out->why = m.why == GEO_UNMATCHED_AMBIGUOUS_ADDRESS ? m.why : GEO_UNMATCHED_NO_HOUSE_NUMBER;
}
