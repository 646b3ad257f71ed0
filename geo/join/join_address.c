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
#include "join_address_ladder.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "address_norm.h"
#include "address_tables.h"

#define MAX_HITS 16     /* parcels kept while deciding; more is ambiguous anyway */

const char *geo_match_method_name(int method)
{
    switch (method) {
    case GEO_MATCH_ID: return "parcel_id";
    case GEO_MATCH_ADDRESS: return "address";
    case GEO_MATCH_ADDRESS_NEAR: return "address_near";
    case GEO_MATCH_ADDRESS_BUILDING: return "address_building";
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
    case GEO_UNMATCHED_UNIT_MISMATCH: return "unit_mismatch";
    case GEO_UNMATCHED_NOT_A_HOME: return "not_a_home";
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

/* The parcels that fit a record's house number.  The first MAX_HITS are
 * kept (for ZIP and city); total, the lowest parcel and the building they
 * share are followed over all of them. */
typedef struct {
    int32_t parcel[MAX_HITS];
    int32_t street[MAX_HITS];
    uint32_t city[MAX_HITS];
    const char *zip[MAX_HITS];
    int n;
    int overflow;
    int total;             /* parcels that fit */
    int32_t building;      /* the building all of them are in; -1 none; -2 not one */
    int32_t first_parcel, first_street; /* the lowest parcel of them, and its street */
    int contradicted;      /* parcels of that number whose unit contradicts the record's */
    int32_t unit_parcel, unit_street;   /* the one parcel whose unit is the record's */
    int unit_hits;         /* how many parcels have the record's unit */
} hits;

static void hits_init(hits *h)
{
    memset(h, 0, sizeof *h);
    h->building = -1;
    h->first_parcel = h->unit_parcel = -1;
}

static void hits_add(hits *h, const geo_addr_entry *e, int32_t street)
{
    for (int k = 0; k < h->n; k++)
        if (h->parcel[k] == e->parcel)
            return;
    h->building = h->total == 0 ? e->building : h->building == e->building ? h->building : -2;
    if (h->building == -1 && h->total > 0)
        h->building = -2;
    h->total++;
    if (h->first_parcel < 0 || e->parcel < h->first_parcel) {
        h->first_parcel = e->parcel;
        h->first_street = street;
    }
    if (h->n == MAX_HITS) {
        h->overflow = 1;
        return;
    }
    h->parcel[h->n] = e->parcel;
    h->street[h->n] = street;
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
 * number with the same letter or fraction, and whose unit (unit: the
 * record's unit key) does not contradict the record's. */
static void exact_on(const geo_address_index *ix, int32_t street, const geo_address *a, const char *unit,
                     hits *h)
{
    const geo_addr_street *s = &ix->street[street];
    int32_t n = a->num_lo;
    uint32_t u = upper_bound(ix, s, n);
    for (uint32_t k = u; k > s->first; k--) {
        const geo_addr_entry *e = &ix->entry[k - 1];
        if ((int64_t)e->lo < (int64_t)n - s->max_span)
            break;
        if (e->hi < n || strcmp(e->extra, a->num_extra) != 0)
            continue;
        if (!(n == e->lo || n == e->hi || (n - e->lo) % 2 == 0))
            continue;
        int rel = geo_address_units_compare(unit, e->unit);
        if (rel < 0) {
            h->contradicted++;
            continue;
        }
        if (rel > 0) {
            h->unit_hits++;
            if (h->unit_parcel < 0 || e->parcel < h->unit_parcel) {
                h->unit_parcel = e->parcel;
                h->unit_street = street;
            }
        }
        hits_add(h, e, street);
    }
}

/* The parcels of street s with the nearest house number of the record's
 * parity (the same side of the street) in the record's hundred block
 * within range (all of those at the best distance); *best_d.  Parcels
 * whose unit contradicts the record's are passed over. */
static void near_on(const geo_address_index *ix, int32_t street, const geo_address *a, const char *unit,
                    int32_t range, hits *h, int64_t *best_d)
{
    const geo_addr_street *s = &ix->street[street];
    int64_t n = a->num_lo;
    uint32_t u = upper_bound(ix, s, n + range);
    for (uint32_t k = u; k > s->first; k--) {
        const geo_addr_entry *e = &ix->entry[k - 1];
        if ((int64_t)e->lo < n - range - s->max_span)
            break;
        int64_t d, v;
        if (e->lo <= n && n <= e->hi) {
            if ((n - e->lo) % 2 != 0)
                continue; /* inside a range of the other side: across the street */
            d = 0;
            v = n;
        } else {
            v = n < e->lo ? e->lo : e->hi;
            d = v > n ? v - n : n - v;
        }
        if (d > range || ((v - n) % 2) != 0 || v / 100 != n / 100)
            continue;
        if (geo_address_units_compare(unit, e->unit) < 0)
            continue;
        if (d == 0 && a->num_extra[0] && e->extra[0])
            continue; /* 102B is not 102A: a letter or fraction the record states contradicts another */
        if (d < *best_d) {
            *best_d = d;
            hits_init(h);
        }
        if (d == *best_d)
            hits_add(h, e, street);
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
            h->street[0] = h->street[keep];
            h->n = 1;
            return 1;
        }
    }
    return 0;
}

typedef enum { RES_NO_NUMBER, RES_MATCH, RES_AMBIGUOUS, RES_UNIT_MISMATCH } resolution;

static void matched(geo_match *out, int32_t parcel, int32_t street, int method, float conf, int candidates)
{
    out->parcel = parcel;
    out->street = street;
    out->method = (uint8_t)method;
    out->confidence = conf;
    out->number_diff = 0;
    out->candidates = candidates;
}

/* Finds the house number on the candidate streets; fills out on a match. */
static resolution resolve(const geo_address_index *ix, const int32_t *streets, int nstreets,
                          const geo_address *a, int32_t range, float conf, geo_match *out)
{
    char unit[16];
    geo_address_unit_key(a->unit, unit, sizeof unit);
    hits h;
    hits_init(&h);
    for (int k = 0; k < nstreets; k++)
        exact_on(ix, streets[k], a, unit, &h);
    out->candidates = h.total;
    if (h.unit_hits == 1) {
        /* the record's unit names one parcel among those of its number */
        matched(out, h.unit_parcel, h.unit_street, GEO_MATCH_ADDRESS, conf, h.total);
        return RES_MATCH;
    }
    if (h.total > 1) {
        if (disambiguate(&h, a)) {
            matched(out, h.parcel[0], h.street[0], GEO_MATCH_ADDRESS, conf * 0.95f, h.total);
            return RES_MATCH;
        }
        if (h.building >= 0) { /* one building: several homes at one place */
            matched(out, h.first_parcel, h.first_street, GEO_MATCH_ADDRESS_BUILDING, conf * 0.95f, h.total);
            return RES_MATCH;
        }
        return RES_AMBIGUOUS;
    }
    if (h.total == 1) {
        matched(out, h.parcel[0], h.street[0], GEO_MATCH_ADDRESS, conf, 1);
        return RES_MATCH;
    }
    if (h.contradicted > 0)
        return RES_UNIT_MISMATCH; /* the number is there, with other units: not this one */
    if (range <= 0 || (a->flags & GEO_ADDR_PREFIXED))
        return RES_NO_NUMBER;
    /* near: the best distance over all candidate streets; hits on two
     * streets, or two parcels at that distance, are ambiguous */
    int64_t best = INT64_MAX;
    int street_hits = 0;
    hits all;
    hits_init(&all);
    for (int k = 0; k < nstreets; k++) {
        hits hs;
        hits_init(&hs);
        int64_t d = INT64_MAX;
        near_on(ix, streets[k], a, unit, range, &hs, &d);
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
    matched(out, all.parcel[0], all.street[0], GEO_MATCH_ADDRESS_NEAR,
            conf * (0.9f - 0.4f * (float)best / (float)range), 0);
    out->number_diff = (int32_t)best;
    return RES_MATCH;
}

/* ---- streets ---------------------------------------------------------- */

/* The streets of a key (at most MAX_STREETS; -1 when more). */
int geo_addr_streets_of(const geo_address_index *ix, int kind, const char *predir, const char *name,
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

/* Does street s have a directional the record contradicts?  Pre- and
 * post-directionals compare with their own kind (1306 S CLIFF VALLEY WAY
 * NE is not on N CLIFF VALLEY WAY NE); a record's only directional
 * compares with the street's only one, wherever each stands (100 E MAIN
 * ST may be MAIN ST E, not MAIN ST W).  Nothing contradicts a street or a
 * record without directionals. */
static int dirs_contradict(const geo_address_index *ix, int32_t s, const geo_address *a)
{
    const char *sp = ix->text + ix->street[s].predir, *so = ix->text + ix->street[s].postdir;
    if (a->predir[0] && sp[0] && strcmp(a->predir, sp) != 0)
        return 1;
    if (a->postdir[0] && so[0] && strcmp(a->postdir, so) != 0)
        return 1;
    int mine = !!a->predir[0] + !!a->postdir[0], theirs = !!sp[0] + !!so[0];
    if (mine == 1 && theirs == 1) {
        const char *m = a->predir[0] ? a->predir : a->postdir, *t = sp[0] ? sp : so;
        return strcmp(m, t) != 0;
    }
    return 0;
}

void geo_addr_try_streets(const geo_address_index *ix, const int32_t *streets, int n, const geo_address *a,
                        int32_t range, float conf, int full_street, ladder_state *ls, geo_match *out)
{
    if (n == 0)
        return;
    if (n < 0) { /* more namesakes than we look through */
        out->why = GEO_UNMATCHED_AMBIGUOUS_ADDRESS;
        ls->done = 1;
        return;
    }
    /* a directional the record states and the street contradicts rules
     * the street out (100 E MAIN ST is not on W MAIN ST, 230 4TH ST NW not
     * on 4TH ST SW); a street without directionals does not contradict */
    int32_t kept[MAX_STREETS];
    int nk = 0;
    for (int k = 0; k < n; k++)
        if (!dirs_contradict(ix, streets[k], a))
            kept[nk++] = streets[k];
    if (nk == 0)
        return;
    ls->found_street = 1;
    if (out->street < 0)
        out->street = kept[0];
    /* no near number when a namesake was ruled out: the record's number
     * may be the namesake's (2211 DRESDEN DR SW, the roll has 2211
     * DRESDEN DR NE and 2213 DRESDEN DR) */
    resolution r = resolve(ix, kept, nk, a, nk < n ? 0 : range, conf, out);
    if (r == RES_MATCH) {
        out->why = GEO_UNMATCHED_NONE;
        ls->done = 1;
    } else if (r == RES_AMBIGUOUS) {
        out->why = GEO_UNMATCHED_AMBIGUOUS_ADDRESS;
        ls->done = 1;
    } else if (r == RES_UNIT_MISMATCH) {
        out->why = GEO_UNMATCHED_UNIT_MISMATCH;
        ls->done = 1;
    } else if (full_street) {
        out->why = GEO_UNMATCHED_NO_HOUSE_NUMBER;
        ls->done = 1;
    }
}

/* Levels 1-5 for the address a (with scale multiplying every confidence). */
void geo_addr_ladder(const geo_address_index *ix, const geo_address *a, int32_t range, float scale,
                   ladder_state *ls, geo_match *out)
{
    int32_t streets[MAX_STREETS];
    int n;
    char head[GEO_ADDR_NAME_MAX];
    const char *last = NULL;
    int two_words = split_last_word(a->name, head, sizeof head, &last);
    /* 1 */
    n = geo_addr_streets_of(ix, GEO_ADDR_KEY_FULL, a->predir, a->name, a->suffix, a->postdir, streets);
    geo_addr_try_streets(ix, streets, n, a, range, scale, 1, ls, out);
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
            int c = geo_addr_streets_of(ix, GEO_ADDR_KEY_FULL, a->predir, a->suffix[0] ? a->name : head, near[k],
                               a->postdir, s1);
            if (c == 1)
                found[m++] = s1[0];
        }
        geo_addr_try_streets(ix, found, m, a, range, 0.9f * scale, 0, ls, out);
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
                if (geo_addr_streets_of(ix, GEO_ADDR_KEY_FULL, "", names[d], near[k], a->postdir, s1) == 1)
                    found[m++] = s1[0];
            }
        geo_addr_try_streets(ix, found, m, a, range, 0.85f * scale, 0, ls, out);
    }
    /* 3 */
    if (!ls->done) {
        n = geo_addr_streets_of(ix, GEO_ADDR_KEY_NO_SUFFIX, a->predir, a->name, "", a->postdir, streets);
        geo_addr_try_streets(ix, streets, n, a, range, 0.9f * scale, 0, ls, out);
    }
    if (!ls->done && !a->suffix[0] && two_words && !geo_address_suffix(last)) {
        n = geo_addr_streets_of(ix, GEO_ADDR_KEY_NO_SUFFIX, a->predir, head, "", a->postdir, streets);
        geo_addr_try_streets(ix, streets, n, a, range, 0.85f * scale, 0, ls, out);
    }
    /* a suffix word that is the end of the name, the suffix left out:
     * "N CENTRAL PARK" is N CENTRAL PARK AVE, "S COTTAGE GROVE" is S
     * COTTAGE GROVE AVE (the parcels keep the word as written) */
    if (!ls->done && a->suffix[0] && a->suffix_written[0]) {
        char longer[GEO_ADDR_NAME_MAX];
        if ((size_t)snprintf(longer, sizeof longer, "%s %s", a->name, a->suffix_written) < sizeof longer) {
            n = geo_addr_streets_of(ix, GEO_ADDR_KEY_NO_SUFFIX, a->predir, longer, "", a->postdir, streets);
            geo_addr_try_streets(ix, streets, n, a, range, 0.85f * scale, 0, ls, out);
        }
    }
    /* "920 W SPRING" reads as the street W SPG (a directional alone is a
     * name, USPS); without its suffix it is the street SPRING west */
    const char *dir = !ls->done && !a->predir[0] && a->suffix[0] ? geo_address_directional(a->name) : NULL;
    const char *spelled = dir ? geo_addr_suffix_primary(a->suffix) : NULL;
    if (spelled) {
        n = geo_addr_streets_of(ix, GEO_ADDR_KEY_NO_SUFFIX, dir, spelled, "", a->postdir, streets);
        geo_addr_try_streets(ix, streets, n, a, range, 0.85f * scale, 0, ls, out);
    }
    /* 4 */
    if (!ls->done && (a->predir[0] || a->postdir[0] || a->suffix[0])) {
        n = geo_addr_streets_of(ix, GEO_ADDR_KEY_NO_DIRS, "", a->name, a->suffix, "", streets);
        geo_addr_try_streets(ix, streets, n, a, range, 0.85f * scale, 0, ls, out);
    }
    /* 5 */
    if (!ls->done) {
        n = geo_addr_streets_of(ix, GEO_ADDR_KEY_NAME, "", a->name, "", "", streets);
        geo_addr_try_streets(ix, streets, n, a, range, 0.8f * scale, 0, ls, out);
    }
}

void geo_match_address(const geo_address_index *ix, const char *text, int32_t range, geo_match *out)
{
    out->parcel = -1;
    out->method = GEO_MATCH_NONE;
    out->why = GEO_UNMATCHED_NO_ID_NO_POINT;
    out->confidence = 0.0f;
    out->number_diff = -1;
    out->street = -1;
    out->candidates = 0;
    out->distance_m = NAN;
    const char *p = text;
    while (p && isspace((unsigned char)*p))
        p++;
    if (!p || !*p)
        return;
    geo_address a;
    geo_address_parse(text, &a);
    int found = 0;
    if (a.num_lo < 0 || !a.name[0]) {
        /* text before the number, a number spelled out: the dictionary
         * may still find it */
        out->why = GEO_UNMATCHED_ADDRESS_INCOMPLETE;
        if (ix && !geo_addr_match_by_dictionary(ix, text, range, out, &found) && found &&
            out->why == GEO_UNMATCHED_ADDRESS_INCOMPLETE)
            out->why = GEO_UNMATCHED_NO_HOUSE_NUMBER;
        return;
    }
    out->why = GEO_UNMATCHED_UNKNOWN_STREET;
    if (!ix)
        return;
    ladder_state ls = {0, 0};
    geo_addr_ladder(ix, &a, range, 1.0f, &ls, out);
    if (ls.done && (out->method != GEO_MATCH_NONE || !(a.flags & GEO_ADDR_CITY_UNSURE)))
        return;
    if (ls.done) {
        /* a refusal on a street cut where a town without commas was
         * guessed to start ("W MEADOW LANS TUCKER GA 30099": MEADOW is a
         * suffix too): the dictionary may read the street the parcels
         * have; else the refusal stands */
        geo_match m = *out;
        if (geo_addr_match_by_dictionary(ix, text, range, &m, &found))
            *out = m;
        return;
    }
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
            int n = geo_addr_streets_of(ix, GEO_ADDR_KEY_FULL, b.predir, b.name, b.suffix, b.postdir, streets);
            ladder_state lc = {0, 0};
            geo_match m = *out;
            geo_addr_try_streets(ix, streets, n, &b, range, 0.9f, 1, &lc, &m);
            if (lc.done) {
                *out = m;
                return;
            }
        }
    }
    /* the street dictionary: the longest run of words that is a street of
     * the parcels (join_address_dict.c) */
    if (!ls.found_street) {
        if (geo_addr_match_by_dictionary(ix, text, range, out, &found) || found)
            return;
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
    geo_addr_ladder(ix, &b, range, 0.75f, &lb, &m);
    if (lb.done && m.method != GEO_MATCH_NONE)
        *out = m; /* only a match counts: the typo street's own problems are not the record's */
    else if (lb.found_street && !ls.found_street)
        out->why = m.why == GEO_UNMATCHED_AMBIGUOUS_ADDRESS ? m.why : GEO_UNMATCHED_NO_HOUSE_NUMBER;
}

void geo_match_address_known(const geo_address_index *ix, const geo_address_index *known, const char *text,
                             int32_t range, geo_match *out)
{
    geo_match_address(ix, text, range, out);
    int exact = out->method == GEO_MATCH_ADDRESS || out->method == GEO_MATCH_ADDRESS_BUILDING;
    if (!known || exact || out->why == GEO_UNMATCHED_AMBIGUOUS_ADDRESS ||
        out->why == GEO_UNMATCHED_UNIT_MISMATCH || out->why == GEO_UNMATCHED_ADDRESS_INCOMPLETE ||
        out->why == GEO_UNMATCHED_NO_ID_NO_POINT)
        return;
    /* the exact address on the list (no near number there: it says
     * which addresses exist) */
    geo_match k;
    geo_match_address(known, text, 0, &k);
    if (k.method != GEO_MATCH_ADDRESS && k.method != GEO_MATCH_ADDRESS_BUILDING)
        return;
    int32_t street = out->street, candidates = out->candidates;
    geo_match_address(NULL, NULL, 0, out); /* reset */
    out->why = GEO_UNMATCHED_NOT_A_HOME;
    out->street = street;
    out->candidates = candidates;
}
