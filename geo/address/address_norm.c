/*
 * address_norm.c — geo_address_parse and geo_address_format (see
 * address_norm.h): a US address in any of the spellings found in assessor
 * rolls, fire incident exports and geocoder outputs, split into its parts
 * and standardised per USPS Publication 28 (tables in address_tables.c).
 *
 * Why hand-written: Debian 12 has no address parser for C (no libpostal,
 * which would also need a model download at install).  The parse is a few
 * rules over words, in this order, each documented where it is applied:
 *
 *   1. words: upper case; "." ";" and other punctuation end a word; "'" is
 *      dropped (O'NEAL -> ONEAL); "," ends a segment; "#" is a word;
 *   2. segments after the first are units ("#107", "APT 2") or the place:
 *      ZIP, state, city from the end;
 *   3. without commas, a trailing "STATE ZIP" is split off, and the city is
 *      what follows the street suffix;
 *   4. the house number (12, 12A, 12-14, 12 1/2, 111-10), then the unit
 *      (a designator after the first street word, and what follows it),
 *      the post-directional, the suffix (the last word, when a street word
 *      precedes it), the pre-directional, and the street name;
 *   5. the name: ordinals as numbers (FIFTH, 5Th, "5" before a suffix ->
 *      5TH), numbered roads spelled out (HWY 14 -> HIGHWAY 14).
 *
 * Rules that decide between two readings:
 *   - a directional or a suffix word is the name when nothing else is
 *     ("123 NORTH ST": name NORTH; "123 PARK": name PARK);
 *   - "12-14" is a range only when the second number is larger, else a
 *     hyphenated house number (Queens: 111-10, numeric value 111);
 *   - without commas and without "STATE ZIP" at the end no city is split
 *     off (the words stay in the street name: "123 MAIN ST SPRINGFIELD"
 *     cannot be told from a street called MAIN ST SPRINGFIELD);
 *   - a word that looks like a ZIP is one only after a state or in its own
 *     segment (a road number "HIGHWAY 30338" stays).
 */
#include "address_norm.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address_tables.h"

#define ADDR_TEXT_MAX 512 /* bytes of input read */
#define ADDR_WORDS 40
#define ADDR_WORD_MAX 48

typedef struct {
    char w[ADDR_WORDS][ADDR_WORD_MAX];
    unsigned char seg[ADDR_WORDS];
    int n;
    int truncated;
} addr_words;

/* ---- 1. words ----------------------------------------------------------- */

static void words_end(addr_words *t, char *cur, size_t *len, int seg)
{
    cur[*len] = '\0';
    /* a dash or slash at the ends of a word is punctuation ("- APT 4", a
     * house number blanked to "-10" in a privacy-scrubbed export) */
    char *s = cur;
    while (*s == '-' || *s == '/')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '-' || s[n - 1] == '/'))
        n--;
    *len = 0;
    if (n == 0)
        return;
    if (t->n == ADDR_WORDS) {
        t->truncated = 1;
        return;
    }
    memcpy(t->w[t->n], s, n);
    t->w[t->n][n] = '\0';
    t->seg[t->n] = (unsigned char)seg;
    t->n++;
}

static void words_split(const char *text, addr_words *t)
{
    char cur[ADDR_WORD_MAX];
    size_t len = 0;
    int seg = 0, seg_words = 0;
    t->n = 0;
    t->truncated = 0;
    size_t total = strlen(text);
    if (total > ADDR_TEXT_MAX) {
        total = ADDR_TEXT_MAX;
        t->truncated = 1;
    }
    for (size_t i = 0; i <= total; i++) {
        unsigned char c = i < total ? (unsigned char)text[i] : ' ';
        if (isalnum(c) || c >= 0x80 || c == '-' || c == '/' || c == '&') {
            if (len + 1 < ADDR_WORD_MAX)
                cur[len++] = (char)toupper(c);
            else
                t->truncated = 1;
            continue;
        }
        if (c == '\'' || c == '`')
            continue; /* O'NEAL -> ONEAL */
        int before = t->n;
        words_end(t, cur, &len, seg);
        seg_words += t->n - before;
        if (c == '#') {
            strcpy(cur, "#");
            len = 1;
            before = t->n;
            words_end(t, cur, &len, seg);
            seg_words += t->n - before;
        } else if ((c == ',' || c == ';') && seg_words > 0 && seg < 250) {
            seg++;
            seg_words = 0;
        }
    }
}

/* ---- helpers ----------------------------------------------------------- */

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int is_zip(const char *s)
{
    size_t n = strlen(s);
    if (n == 5)
        return all_digits(s);
    if (n == 10 && s[5] == '-') {
        char a[6];
        memcpy(a, s, 5);
        a[5] = '\0';
        return all_digits(a) && all_digits(s + 6);
    }
    return 0;
}

/* Appends word to buf (space-separated), keeping the NUL; sets *cut when
 * it does not fit. */
static void put_word(char *buf, size_t size, const char *word, unsigned *flags)
{
    size_t n = strlen(buf), w = strlen(word);
    if (w == 0)
        return;
    if (n + (n ? 1 : 0) + w + 1 > size) {
        *flags |= GEO_ADDR_TRUNCATED;
        return;
    }
    if (n)
        buf[n++] = ' ';
    memcpy(buf + n, word, w + 1);
}

static void set_field(char *buf, size_t size, const char *value, unsigned *flags)
{
    buf[0] = '\0';
    put_word(buf, size, value, flags);
}

/* Copies at most size - 1 bytes of src (snprintf "%s" costs ten times
 * more, and parsing runs once per parcel and record). */
static void copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The decimal digits of v >= 0 (at most 10: v < 2^31 here); returns
 * their count.  out holds at least 11 bytes. */
static size_t put_digits(char *out, long v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && n < sizeof tmp);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

/* The numeric ordinal of n: 1ST 2ND 3RD 4TH 11TH 12TH 13TH 21ST.  out
 * holds at least 16 bytes. */
static void ordinal(long n, char *out)
{
    const char *suf = "TH";
    if (n % 100 < 11 || n % 100 > 13)
        suf = n % 10 == 1 ? "ST" : n % 10 == 2 ? "ND" : n % 10 == 3 ? "RD" : "TH";
    size_t k = put_digits(out, n);
    memcpy(out + k, suf, 3);
}

/* Digits followed by ST/ND/RD/TH ("5TH", "21ST", also the misspelt "2TH"):
 * the number, else -1. */
static long numeric_ordinal(const char *w)
{
    size_t d = strspn(w, "0123456789");
    if (d == 0 || d > 6)
        return -1;
    const char *s = w + d;
    if (strcmp(s, "ST") && strcmp(s, "ND") && strcmp(s, "RD") && strcmp(s, "TH"))
        return -1;
    return strtol(w, NULL, 10);
}

/* A spelled ordinal over one or two words (FIFTH; TWENTY FIRST;
 * TWENTY-FIRST): the number and the words used, else 0. */
static int spelled_ordinal(const addr_words *t, int i, int end, int *used)
{
    /* every ordinal word ends in ST, ND, RD or TH, every tens word in TY:
     * most names are turned away here without a table lookup */
    size_t len = strlen(t->w[i]);
    const char *tail = len >= 4 ? t->w[i] + len - 2 : "";
    if (strcmp(tail, "ST") && strcmp(tail, "ND") && strcmp(tail, "RD") && strcmp(tail, "TH") &&
        strcmp(tail, "TY") && !strchr(t->w[i], '-'))
        return 0;
    int v = geo_addr_ordinal_word(t->w[i]);
    if (v) {
        *used = 1;
        return v;
    }
    const char *dash = strchr(t->w[i], '-');
    if (dash && dash - t->w[i] < ADDR_WORD_MAX) {
        char a[ADDR_WORD_MAX];
        memcpy(a, t->w[i], (size_t)(dash - t->w[i]));
        a[dash - t->w[i]] = '\0';
        int tens = geo_addr_tens_word(a), unit = geo_addr_ordinal_word(dash + 1);
        if (tens && unit >= 1 && unit <= 9) {
            *used = 1;
            return tens + unit;
        }
    }
    int tens = geo_addr_tens_word(t->w[i]);
    if (tens && i + 1 < end) {
        int unit = geo_addr_ordinal_word(t->w[i + 1]);
        if (unit >= 1 && unit <= 9) {
            *used = 2;
            return tens + unit;
        }
    }
    return 0;
}

/* A directional at word i, alone or as two words (N E, NORTH EAST): the
 * standard form and the words used, else NULL. */
static const char *directional_at(const addr_words *t, int i, int end, int *used)
{
    const char *d = geo_address_directional(t->w[i]);
    if (!d)
        return NULL;
    if (i + 1 < end && (!strcmp(d, "N") || !strcmp(d, "S"))) {
        /* N E and NORTH EAST are NE; N WEST POINT is N + WEST POINT */
        const char *e = geo_address_directional(t->w[i + 1]);
        int same_style = (strlen(t->w[i]) == 1) == (strlen(t->w[i + 1]) == 1);
        if (e && same_style && (!strcmp(e, "E") || !strcmp(e, "W"))) {
            static const char *const combined[2][2] = {{"NE", "NW"}, {"SE", "SW"}};
            *used = 2;
            return combined[d[0] == 'S'][e[0] == 'W'];
        }
    }
    *used = 1;
    return d;
}

/* The same, ending at word end-1 (for post-directionals). */
static const char *directional_ending(const addr_words *t, int start, int end, int *used)
{
    if (end - 2 >= start) {
        int u;
        const char *d = directional_at(t, end - 2, end, &u);
        if (d && u == 2) {
            *used = 2;
            return d;
        }
    }
    return end - 1 >= start ? directional_at(t, end - 1, end, used) : NULL;
}

/* A state name or code starting at word i and ending exactly at end (one
 * to four words): its code, else NULL. */
static const char *state_ending(const addr_words *t, int start, int end, int *used)
{
    for (int k = 4; k >= 1; k--) {
        int i = end - k;
        if (i < start)
            continue;
        char name[64] = "";
        unsigned f = 0;
        for (int j = i; j < end; j++)
            put_word(name, sizeof name, t->w[j], &f);
        const char *code = f ? NULL : geo_address_state(name);
        if (code) {
            *used = k;
            return code;
        }
    }
    return NULL;
}

/* Can word id be the identifier of a unit ("4", "4B", "B", and the
 * Publication 28 forms of several units: "A&B", "AB", "A-B", "1&2")?
 * Longer words without a digit are street words ("LOT PARK"). */
static int unit_id_like(const char *id)
{
    size_t n = strlen(id);
    if (strpbrk(id, "0123456789") || n == 1 || strchr(id, '&'))
        return 1;
    if (n == 2)
        return isalpha((unsigned char)id[0]) && isalpha((unsigned char)id[1]);
    return n == 3 && id[1] == '-' && isalnum((unsigned char)id[0]) && isalnum((unsigned char)id[2]);
}

/* Word i is a unit designator that may start a unit here: "#", or one that
 * needs an identifier and has one after it, or one that needs none and
 * ends the street line. */
static const char *unit_at(const addr_words *t, int i, int end, int *needs_id)
{
    const char *u = geo_addr_unit(t->w[i], needs_id);
    if (!u)
        return NULL;
    if (!strcmp(u, "#"))
        return u;
    if (*needs_id) {
        if (i + 1 >= end)
            return u; /* "N 12TH APT": a unit without its number */
        const char *id = t->w[i + 1];
        return !strcmp(id, "#") || unit_id_like(id) ? u : NULL;
    }
    return i + 1 == end ? u : NULL;
}

/* ---- 2./3. place: city, state, ZIP -------------------------------------- */

/* Is segment [i, e) a unit ("#107", "APT 2", "REAR")?  Not when it reads
 * as a state and ZIP (", FL 32839" is Florida, not floor 32839). */
static int segment_is_unit(const addr_words *t, int i, int e)
{
    int used, needs;
    int last = is_zip(t->w[e - 1]) ? e - 1 : e;
    if (last == e - 1 && last == i)
        return 0;
    if (last > i && state_ending(t, i, last, &used) && used == last - i)
        return 0;
    return unit_at(t, i, e, &needs) != NULL;
}

/* Sets city, state, zip from the words of segments >= 1 that are not units
 * (or, without commas, from the end of the street line).  The words of
 * segment 0 and of unit segments are moved first in t, in order; returns
 * how many they are (the street line). */
static int split_place(addr_words *t, geo_address *a)
{
    addr_words line, place;
    line.n = place.n = 0;
    for (int i = 0; i < t->n;) {
        int e = i + 1;
        while (e < t->n && t->seg[e] == t->seg[i])
            e++;
        /* a street line cut by a comma before its name ("W, GULFBANK"):
         * the next segment belongs to it */
        int incomplete = line.n > 0 && place.n == 0;
        for (int k = 0; k < line.n && incomplete; k++)
            incomplete = (k == 0 && all_digits(line.w[k])) || geo_address_directional(line.w[k]);
        int to_line = t->seg[i] == 0 || incomplete || segment_is_unit(t, i, e);
        if (!to_line && place.n == 0 && line.n >= 3 && strlen(t->w[i]) <= 2 && geo_address_directional(t->w[i])) {
            /* "1000 GRAVENSTEIN HWY, N SEBASTOPOL CA": an abbreviated
             * directional opening the place is the street's post-directional
             * (a town is spelled out: NORTH LAS VEGAS) */
            memcpy(line.w[line.n], t->w[i], ADDR_WORD_MAX);
            line.seg[line.n++] = 0;
            if (++i == e)
                continue;
        }
        int country = !to_line && e == i + 1 && geo_addr_country_word(t->w[i]); /* ", USA" */
        for (int k = i; k < e && !country; k++) {
            addr_words *dst = to_line ? &line : &place;
            memcpy(dst->w[dst->n], t->w[k], ADDR_WORD_MAX);
            dst->seg[dst->n] = t->seg[k];
            dst->n++;
        }
        i = e;
    }
    int n = 0;
    for (int i = 0; i < line.n; i++, n++) {
        memcpy(t->w[n], line.w[i], ADDR_WORD_MAX);
        t->seg[n] = 0;
    }
    int nline = n;
    for (int i = 0; i < place.n; i++, n++) {
        memcpy(t->w[n], place.w[i], ADDR_WORD_MAX);
        t->seg[n] = place.seg[i];
    }
    t->n = n;

    int end = t->n, used;
    if (place.n > 0) {
        if (is_zip(t->w[end - 1])) {
            set_field(a->zip, sizeof a->zip, t->w[end - 1], &a->flags);
            end--;
        }
        const char *st = end > nline ? state_ending(t, nline, end, &used) : NULL;
        if (st && t->seg[end - used] == t->seg[end - 1]) {
            set_field(a->state, sizeof a->state, st, &a->flags);
            end -= used;
        }
        for (int i = nline; i < end; i++)
            put_word(a->city, sizeof a->city, t->w[i], &a->flags);
        return nline;
    }
    /* No place segment: "... STATE ZIP" at the end of the line. */
    if (end >= 3 && is_zip(t->w[end - 1])) {
        const char *st = state_ending(t, 1, end - 1, &used);
        if (st) {
            set_field(a->zip, sizeof a->zip, t->w[end - 1], &a->flags);
            set_field(a->state, sizeof a->state, st, &a->flags);
            end -= 1 + used;
            a->flags |= GEO_ADDR_CITY_UNSURE;
            /* The city follows the street: after the first suffix (that a
             * street word precedes and no other suffix follows, so that
             * OAK PARK AVE keeps both), its post-directional and unit. */
            int start = all_digits(t->w[0]) ? 1 : 0, cut = -1;
            for (int i = start + 1; i < end && cut < 0; i++)
                if (geo_address_suffix(t->w[i]) && !(i + 1 < end && geo_address_suffix(t->w[i + 1])))
                    cut = i + 1;
            if (cut > 0 && cut < end) {
                int u;
                if (directional_at(t, cut, end, &u))
                    cut += u;
                int needs;
                if (cut < end && unit_at(t, cut, end, &needs))
                    cut += 1 + (needs && cut + 1 < end);
                for (int i = cut; i < end; i++)
                    put_word(a->city, sizeof a->city, t->w[i], &a->flags);
                end = cut < end ? cut : end;
            }
        }
    }
    return end;
}

/* ---- 4. house number ---------------------------------------------------- */

/* Parses the house number at the start of the line; returns the words it
 * used (0 when the line does not start with one). */
/* A grid or letter-prefixed house number (Wisconsin and Illinois county
 * grids: "W150 N9700", "N9700"; "T700"): a letter and at least two digits,
 * with a street after it.  Sets the number and returns the words used. */
static int prefixed_number(const addr_words *t, int start, int end, geo_address *a)
{
    const char *w = t->w[start];
    size_t d = strlen(w + 1);
    if (end - start < 2 || !isalpha((unsigned char)w[0]) || d < 2 || d > 6 || !all_digits(w + 1))
        return 0;
    const char *second = t->w[start + 1];
    size_t d2 = strlen(second + 1);
    int grid = end - start >= 3 && strchr("NSEW", w[0]) && second[0] && strchr("NSEW", second[0]) &&
               second[0] != w[0] && d2 >= 2 && d2 <= 5 && all_digits(second + 1);
    a->num_lo = a->num_hi = (int32_t)strtol(w + 1, NULL, 10);
    a->num_extra[0] = '^'; /* never equal to a letter after the digits (700T) */
    a->num_extra[1] = w[0];
    a->num_extra[2] = '\0';
    if (grid)
        copy_str(a->num_extra + 2, sizeof a->num_extra - 2, second); /* ^ W N9700: 8 bytes at most */
    a->number[0] = '\0'; /* at most 7 + 1 + 6 bytes */
    put_word(a->number, sizeof a->number, w, &a->flags);
    if (grid)
        put_word(a->number, sizeof a->number, second, &a->flags);
    a->flags |= GEO_ADDR_PREFIXED;
    return grid ? 2 : 1;
}

static int house_number(const addr_words *t, int start, int end, geo_address *a)
{
    if (end > start && !isdigit((unsigned char)t->w[start][0]))
        return prefixed_number(t, start, end, a);
    if (end <= start || numeric_ordinal(t->w[start]) >= 0)
        return 0;
    const char *w = t->w[start];
    size_t d = strspn(w, "0123456789");
    if (d > 9)
        return 0; /* not a house number (and would not fit an int32) */
    long lo = strtol(w, NULL, 10), hi = lo;
    const char *rest = w + d;
    char extra[8] = "";
    if (*rest == '-' && all_digits(rest + 1) && strlen(rest + 1) <= 9) {
        long b = strtol(rest + 1, NULL, 10);
        size_t d2 = strlen(rest + 1);
        if (b <= lo && d >= 3 && d2 < d && d2 <= 2) {
            /* an assessor's short range: 1918-20 is 1918-1920 (the same
             * side); Queens numbers (111-10) have at most 3 digits first */
            long p = d2 == 1 ? 10 : 100, full = lo - lo % p + b;
            if (d >= 4 && full > lo && (full - lo) % 2 == 0)
                b = full;
        }
        if (b > lo) {
            hi = b;
            a->flags |= GEO_ADDR_RANGE;
        } else {
            copy_str(extra, sizeof extra, rest);
            a->flags |= GEO_ADDR_HYPHENATED;
        }
    } else if (*rest) {
        /* 12A, 12-A: a letter suffix; anything else is not a house number */
        if (*rest == '-')
            rest++;
        size_t letters = strspn(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        if (letters == 0 || letters > 2 || rest[letters])
            return 0;
        copy_str(extra, sizeof extra, rest); /* at most 2 letters */
    }
    int used = 1;
    const char *next = end > start + 2 ? t->w[start + 1] : "";
    if (!extra[0] && hi == lo && strlen(next) == 1 && isalpha((unsigned char)next[0]) &&
        !geo_address_directional(next) && !geo_address_suffix(t->w[start + 2]) &&
        !(next[0] == 'U' && !strcmp(t->w[start + 2], "S"))) {
        /* a letter written apart: "4922 B SOUTH CORNELL" is 4922B (but
         * "12 B ST" is on B street) */
        copy_str(extra, sizeof extra, next);
        used = 2;
    } else if (!extra[0] && hi == lo && end > start + 2 && strchr(t->w[start + 1], '/')) {
        /* 12 1/2 */
        const char *f = t->w[start + 1];
        size_t p = strspn(f, "0123456789");
        if (p > 0 && p < 3 && f[p] == '/' && all_digits(f + p + 1) && strlen(f + p + 1) < 3) {
            copy_str(extra, sizeof extra, f); /* at most 2 + 1 + 2 bytes */
            used = 2;
        }
    }
    a->num_lo = (int32_t)lo;
    a->num_hi = (int32_t)hi;
    copy_str(a->num_extra, sizeof a->num_extra, extra);
    /* at most 9 + 1 + 9 digits, or 9 digits, a space and a 5-byte fraction:
     * a->number (24 bytes) holds them all */
    char num[48];
    size_t k = put_digits(num, lo);
    if (hi != lo) {
        num[k++] = '-';
        put_digits(num + k, hi);
    } else {
        if (used == 2 && strchr(extra, '/'))
            num[k++] = ' ';
        copy_str(num + k, sizeof num - k, extra);
    }
    copy_str(a->number, sizeof a->number, num);
    return used;
}

/* A unit written before the street ("#303 N HUMBOLDT BLVD", "LOT 25 MAPLE
 * AVE", ", APT D N MAIN ST"): a designator and its identifier at the start,
 * with a street after them.  Returns the words used. */
static int leading_unit(const addr_words *t, int end, geo_address *a)
{
    int needs;
    const char *u = end >= 3 ? geo_addr_unit(t->w[0], &needs) : NULL;
    if (!u || !needs)
        return 0;
    int id = 1;
    if (!strcmp(t->w[1], "#") && strcmp(u, "#") != 0)
        id = 2; /* APT # 4 */
    if (id + 1 >= end || !unit_id_like(t->w[id]))
        return 0;
    set_field(a->unit, sizeof a->unit, u, &a->flags);
    put_word(a->unit, sizeof a->unit, t->w[id], &a->flags);
    return id + 1;
}

/* ---- 5. street name ----------------------------------------------------- */

/* Numbered roads: the words that may stand before a road number, and the
 * name they are spelled as (first match wins, longest first). */
static const struct {
    const char *words, *spelled;
} road_prefixes[] = {
    {"COUNTY ROAD", "COUNTY ROAD"}, {"COUNTY RD", "COUNTY ROAD"}, {"CNTY RD", "COUNTY ROAD"},
    {"COUNTRY ROAD", "COUNTY ROAD"}, {"COUNTRY RD", "COUNTY ROAD"}, /* a common slip */
    {"CO RD", "COUNTY ROAD"},       {"CORD", "COUNTY ROAD"},      {"CR", "COUNTY ROAD"},
    {"STATE ROAD", "STATE ROAD"},   {"STATE RD", "STATE ROAD"},   {"ST RD", "STATE ROAD"},
    {"STATE HIGHWAY", "STATE HIGHWAY"}, {"STATE HWY", "STATE HIGHWAY"}, {"ST HWY", "STATE HIGHWAY"},
    {"STATE ROUTE", "STATE ROUTE"}, {"STATE RT", "STATE ROUTE"},  {"STATE RTE", "STATE ROUTE"},
    {"ST RT", "STATE ROUTE"},       {"SR", "STATE ROUTE"},        {"US HIGHWAY", "US HIGHWAY"},
    {"US HWY", "US HIGHWAY"},       {"US", "US HIGHWAY"},         {"INTERSTATE", "INTERSTATE"},
    {"IH", "INTERSTATE"},           {"I", "INTERSTATE"},          {"RT", "ROUTE"},
    {"RTE", "ROUTE"},               {"ROUTE", "ROUTE"},           {"HY", "HIGHWAY"},
    {"HWY", "HIGHWAY"},             {"HIGHWAY", "HIGHWAY"},       {"U S HIGHWAY", "US HIGHWAY"},
    {"U S HWY", "US HIGHWAY"},      {"U S", "US HIGHWAY"},        {"US ROUTE", "US HIGHWAY"},
    {"US RT", "US HIGHWAY"},        {"US RTE", "US HIGHWAY"},     {"FARM TO MARKET ROAD", "FM"},
    {"FARM TO MARKET RD", "FM"},    {"FARM TO MARKET", "FM"},     {"FM RD", "FM"},
    {"FM", "FM"},                   {"RANCH TO MARKET ROAD", "RM"}, {"RANCH RD", "RANCH ROAD"},
    {"TOWNSHIP ROAD", "TOWNSHIP ROAD"}, {"TOWNSHIP RD", "TOWNSHIP ROAD"}, {"TWP RD", "TOWNSHIP ROAD"},
};
#define NROAD_PREFIXES (sizeof road_prefixes / sizeof road_prefixes[0])

/* Does road prefix k occupy exactly words [i, end) of w? */
static int road_prefix_at(char (*w)[ADDR_WORD_MAX], int i, int end, size_t k)
{
    const char *p = road_prefixes[k].words;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (i >= end || strlen(w[i]) != n || strncmp(w[i], p, n) != 0)
            return 0;
        i++;
        p += n + (p[n] == ' ');
    }
    return i == end;
}

/* Do the words before word `num` (from s on) end with a road prefix? */
static int road_number_at(const addr_words *t, int s, int num)
{
    for (int i = s; i < num; i++)
        for (size_t k = 0; k < NROAD_PREFIXES; k++)
            if (road_prefix_at((char (*)[ADDR_WORD_MAX])t->w, i, num, k))
                return 1;
    return 0;
}

/* Builds the name from words [s, e), standardising ordinals and numbered
 * roads; has_suffix tells whether a suffix follows the name. */
static void build_name(const addr_words *t, int s, int e, int has_suffix, geo_address *a)
{
    a->name[0] = '\0';
    if (s >= e)
        return;
    char buf[32];
    int used = 0;
    /* a single ordinal word, or a number before a suffix: 5TH, FIFTH, 5 */
    long ord = numeric_ordinal(t->w[s]);
    if (ord < 0 && s + 1 == e && has_suffix && all_digits(t->w[s]) && strlen(t->w[s]) <= 4)
        ord = strtol(t->w[s], NULL, 10);
    if (ord < 0) {
        int v = spelled_ordinal(t, s, e, &used);
        if (v && s + used == e)
            ord = v;
    }
    if (ord >= 0 && (s + 1 == e || (used == 2 && s + 2 == e))) {
        ordinal(ord, buf);
        set_field(a->name, sizeof a->name, buf, &a->flags);
        return;
    }
    if (ord >= 0 && numeric_ordinal(t->w[s]) >= 0) {
        ordinal(ord, buf); /* "2TH AVENUE EXT": correct the ending */
        set_field(a->name, sizeof a->name, buf, &a->flags);
        for (int i = s + 1; i < e; i++)
            put_word(a->name, sizeof a->name, t->w[i], &a->flags);
        return;
    }
    /* the words, with a hyphenated road number split (I-40, US-1, SR-20) */
    char w[ADDR_WORDS + 1][ADDR_WORD_MAX];
    int n = 0;
    for (int i = s; i < e && n < ADDR_WORDS; i++) {
        const char *dash = strchr(t->w[i], '-');
        int split = 0;
        if (i == e - 1 && dash && isdigit((unsigned char)dash[1]) && dash - t->w[i] < 4) {
            char head[8];
            memcpy(head, t->w[i], (size_t)(dash - t->w[i]));
            head[dash - t->w[i]] = '\0';
            for (size_t k = 0; k < NROAD_PREFIXES && !split; k++)
                split = !strcmp(road_prefixes[k].words, head);
            if (split) {
                copy_str(w[n++], ADDR_WORD_MAX, head);
                copy_str(w[n++], ADDR_WORD_MAX, dash + 1);
            }
        }
        if (!split)
            copy_str(w[n++], ADDR_WORD_MAX, t->w[i]);
    }
    /* numbered roads: HWY 14, CO RD 2259, OLD HWY 72, AVE A: the road words
     * before the number spelled out; "NO" before the number dropped (US HWY
     * NO 202); a lettered road after a road prefix (COUNTY ROAD MM, HWY Z) */
    const char *last = w[n - 1];
    if (n >= 3 && !strcmp(w[n - 2], "NO") && isdigit((unsigned char)last[0])) {
        copy_str(w[n - 2], ADDR_WORD_MAX, last);
        last = w[--n - 1];
    }
    int numbered = isdigit((unsigned char)last[0]);
    int lettered = strlen(last) == 1 && isalpha((unsigned char)last[0]);
    if (!numbered && n >= 2 && strlen(last) <= 2 && isalpha((unsigned char)last[0]) &&
        isalpha((unsigned char)last[1 % strlen(last)]))
        for (int i = 0; i < n - 1 && !numbered; i++)
            for (size_t k = 0; k < NROAD_PREFIXES && !numbered; k++)
                numbered = road_prefix_at(w, i, n - 1, k) && strcmp(road_prefixes[k].words, "I") &&
                           strcmp(road_prefixes[k].words, "US");
    int from = -1;
    size_t which = 0;
    for (int i = 0; numbered && i < n - 1 && from < 0; i++)
        for (size_t k = 0; k < NROAD_PREFIXES && from < 0; k++)
            if (road_prefix_at(w, i, n - 1, k)) {
                from = i;
                which = k;
            }
    /* AVE A is AVENUE A; AVE OF THE STARS is AVENUE OF THE STARS */
    const char *std = ((numbered || lettered) && n == 2) || (n >= 3 && !strcmp(w[1], "OF"))
                          ? geo_address_suffix(w[0]) : NULL;
    for (int i = 0; i < n; i++) {
        if (i == from) {
            put_word(a->name, sizeof a->name, road_prefixes[which].spelled, &a->flags);
            i = n - 2; /* the number comes next */
        } else if (i == 0 && std && from < 0) {
            put_word(a->name, sizeof a->name, geo_addr_suffix_primary(std), &a->flags); /* AVE A */
        } else {
            put_word(a->name, sizeof a->name, w[i], &a->flags);
        }
    }
}

/* Words [s, e) after the house number: unit, directionals, suffix, name. */
static void street_line(addr_words *t, int s, int e, geo_address *a)
{
    /* unit: the first designator after at least one street word; it and
     * everything after it (BLDG 3 APT 4) */
    for (int i = s + 1; i < e; i++) {
        int needs;
        const char *u = unit_at(t, i, e, &needs);
        if (!u)
            continue;
        if (!strcmp(u, "FL") && i + 1 == e && i - 1 > s &&
            (all_digits(t->w[i - 1]) || numeric_ordinal(t->w[i - 1]) >= 0)) {
            /* a floor before its designator: "15TH FLOOR", "3 FL" */
            char id[ADDR_WORD_MAX];
            copy_str(id, sizeof id, t->w[i - 1]);
            id[strspn(id, "0123456789")] = '\0';
            set_field(a->unit, sizeof a->unit, u, &a->flags);
            put_word(a->unit, sizeof a->unit, id, &a->flags);
            e = i - 1;
            break;
        }
        /* designators in their standard form; the word after one that
         * needs an identifier is the identifier ("APT # 4" -> "APT 4") */
        a->unit[0] = '\0';
        int expect_id = 0;
        for (int j = i; j < e; j++) {
            int nj;
            const char *uj = geo_addr_unit(t->w[j], &nj);
            if (expect_id && !strcmp(t->w[j], "#"))
                continue;
            put_word(a->unit, sizeof a->unit, uj && !expect_id ? uj : t->w[j], &a->flags);
            expect_id = uj && !expect_id && nj;
        }
        if (!strcmp(a->unit, "#"))
            a->unit[0] = '\0'; /* a lone "#" says nothing */
        e = i;
        break;
    }
    /* a bare number after the suffix is a unit ("100 MAIN ST 600"), unless
     * the words before it name a numbered road (COUNTY RD 12, OLD HWY 72) */
    if (!a->unit[0] && e - s >= 3 && all_digits(t->w[e - 1]) && strlen(t->w[e - 1]) <= 6 &&
        geo_address_suffix(t->w[e - 2]) && !road_number_at(t, s, e - 1)) {
        set_field(a->unit, sizeof a->unit, "#", &a->flags);
        put_word(a->unit, sizeof a->unit, t->w[e - 1], &a->flags);
        e--;
    }
    /* post-directional: the last word(s), when what stays before it is
     * more than a lone suffix word (AVENUE S is a street called AVENUE S) */
    int used = 0;
    const char *pd = e - s >= 2 ? directional_ending(t, s, e, &used) : NULL;
    if (pd && e - used - s >= 1) {
        int rest = e - used - s;
        if (rest >= 2 || !geo_address_suffix(t->w[s])) {
            /* a pre-directional alone before it is the name: W 525 S keeps W */
            set_field(a->postdir, sizeof a->postdir, pd, &a->flags);
            e -= used;
        }
    }
    /* suffix: the last word, when a street word precedes it */
    const char *sfx = e - s >= 2 ? geo_address_suffix(t->w[e - 1]) : NULL;
    if (sfx) {
        set_field(a->suffix, sizeof a->suffix, sfx, &a->flags);
        copy_str(a->suffix_written, sizeof a->suffix_written, t->w[e - 1]);
        e--;
    }
    /* pre-directional: the first word(s), when a name remains after it */
    const char *dd = e - s >= 2 ? directional_at(t, s, e, &used) : NULL;
    if (dd && e - s - used >= 1) {
        set_field(a->predir, sizeof a->predir, dd, &a->flags);
        s += used;
    }
    build_name(t, s, e, a->suffix[0] != '\0', a);
    if (!a->name[0] && a->suffix[0]) {
        /* nothing but a suffix word and directionals: it is the name */
        set_field(a->name, sizeof a->name, a->suffix, &a->flags);
        a->suffix[0] = '\0';
        a->suffix_written[0] = '\0';
    }
}

void geo_address_parse(const char *text, geo_address *a)
{
    memset(a, 0, sizeof *a);
    a->num_lo = a->num_hi = -1;
    if (!text)
        return;
    addr_words t;
    words_split(text, &t);
    if (t.truncated)
        a->flags |= GEO_ADDR_TRUNCATED;
    int end = split_place(&t, a);
    while (end > 0 && !strcmp(t.w[end - 1], "#"))
        end--; /* a "#" with nothing after it says nothing */
    int s = leading_unit(&t, end, a);
    s += house_number(&t, s, end, a);
    for (int i = s + 1; i + 1 < end; i++)
        if (!strcmp(t.w[i], "#") && road_number_at(&t, s, i)) {
            /* "ROUTE # A", "HWY # 7": the number sign of a road, not a unit */
            memmove(t.w[i], t.w[i + 1], (size_t)(end - i - 1) * sizeof t.w[0]);
            end--;
        }
    street_line(&t, s, end, a);
    a->street[0] = '\0';
    put_word(a->street, sizeof a->street, a->predir, &a->flags);
    put_word(a->street, sizeof a->street, a->name, &a->flags);
    put_word(a->street, sizeof a->street, a->suffix, &a->flags);
    put_word(a->street, sizeof a->street, a->postdir, &a->flags);
}

size_t geo_address_format(const geo_address *a, char *buf, size_t size)
{
    char line[256] = "";
    unsigned f = 0;
    put_word(line, sizeof line, a->number, &f);
    put_word(line, sizeof line, a->street, &f);
    put_word(line, sizeof line, a->unit, &f);
    char place[128] = "";
    put_word(place, sizeof place, a->state, &f);
    put_word(place, sizeof place, a->zip, &f);
    int n = snprintf(buf, size, "%s%s%s%s%s", line, a->city[0] ? ", " : "", a->city,
                     place[0] ? ", " : "", place);
    return n < 0 ? 0 : (size_t)n;
}

/* ---- units as sets ------------------------------------------------------ */

static int cmp_word(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

size_t geo_address_unit_key(const char *unit, char *out, size_t size)
{
    char el[16][12];
    int n = 0;
    char buf[64], *words[16];
    int nw = 0;
    copy_str(buf, sizeof buf, unit ? unit : "");
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w && nw < 16; w = strtok_r(NULL, " ", &save))
        words[nw++] = w;
    for (int i = 0; i < nw; i++) {
        int needs = 0;
        const char *d = geo_addr_unit(words[i], &needs);
        if (d && (!strcmp(d, "FL") || !strcmp(d, "BLDG"))) {
            i += needs; /* a floor or a building, with its number: not the unit */
            continue;
        }
        if (d)
            continue; /* APT, UNIT, #, REAR, LOBBY: which unit is in the identifier */
        for (char *s2 = NULL, *p = strtok_r(words[i], "&-/", &s2); p; p = strtok_r(NULL, "&-/", &s2)) {
            size_t len = strlen(p);
            int letters = len == 2 && isalpha((unsigned char)p[0]) && isalpha((unsigned char)p[1]);
            for (size_t k = 0; k < (letters ? 2u : 1u) && n < 16; k++) {
                if (letters) {
                    el[n][0] = p[k];
                    el[n][1] = '\0';
                } else {
                    /* 04 and 4 are one unit */
                    const char *q = p;
                    while (q[0] == '0' && q[1])
                        q++;
                    copy_str(el[n], sizeof el[n], q);
                }
                n++;
            }
        }
    }
    qsort(el, (size_t)n, sizeof el[0], cmp_word);
    size_t len = 0;
    if (size)
        out[0] = '\0';
    for (int k = 0; k < n; k++) {
        if (k && !strcmp(el[k], el[k - 1]))
            continue;
        size_t w = strlen(el[k]);
        if (len + w + 2 > size)
            break;
        if (len)
            out[len++] = '&';
        memcpy(out + len, el[k], w + 1);
        len += w;
    }
    return len;
}

/* Is element e (NUL- or '&'-terminated) one of the '&'-separated set? */
static int unit_in(const char *e, size_t elen, const char *set)
{
    for (const char *p = set; *p;) {
        size_t n = strcspn(p, "&");
        if (n == elen && !strncmp(p, e, n))
            return 1;
        p += n + (p[n] == '&');
    }
    return 0;
}

/* Are all elements of a in b? */
static int unit_subset(const char *a, const char *b)
{
    for (const char *p = a; *p;) {
        size_t n = strcspn(p, "&");
        if (!unit_in(p, n, b))
            return 0;
        p += n + (p[n] == '&');
    }
    return 1;
}

int geo_address_units_compare(const char *a, const char *b)
{
    if (!a[0] || !b[0])
        return 0;
    if (unit_subset(a, b) || unit_subset(b, a))
        return 1;
    for (const char *p = a; *p;) {
        size_t n = strcspn(p, "&");
        if (unit_in(p, n, b))
            return 0; /* they overlap: neither the same nor apart */
        p += n + (p[n] == '&');
    }
    return -1;
}
