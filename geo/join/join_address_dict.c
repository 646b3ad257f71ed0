/*
 * join_address_dict.c — geo_addr_match_by_dictionary (join_address_ladder.h):
 * reading an address by the streets the parcels have, for the records the
 * first parse could not place.
 *
 * People and dispatch systems write what the parser cannot tell apart
 * from a street name: a town without a comma ("1700 ELM STREET GLENVIEW"),
 * a landmark or a floor after the street ("... SUITE 600", "... LOBBY"), a
 * name or a company before the number ("ATTN J SMITH 1200 MAIN ST"), a
 * number spelled out ("ONE S DEARBORN ST").  The parcels' streets settle
 * it: from each word that can be a house number, the longest run of words
 * after it that parses to a street of the parcels wins (the full street or
 * its suffix misspelt first; then the looser keys of the ladder), and what
 * follows it is a unit when it reads as one, else the place.  A street
 * found whose numbers do not fit ends the search, as in the ladder: a
 * shorter run would only find another street.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "address_tables.h"
#include "join_address_ladder.h"

#define DICT_WORDS 40
#define DICT_WORD 48
#define DICT_RUN 12    /* longest street tried, in words */
#define DICT_STARTS 4  /* house numbers tried */

typedef struct {
    char w[DICT_WORDS][DICT_WORD];
    int n;
} dict_words;

static void dict_split(const char *text, dict_words *t)
{
    t->n = 0;
    size_t len = 0;
    char cur[DICT_WORD];
    for (const char *p = text;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c && (isalnum(c) || c >= 0x80 || c == '&' || c == '-' || c == '/')) {
            if (len + 1 < DICT_WORD)
                cur[len++] = (char)toupper(c);
            continue;
        }
        if (c == '\'' || c == '`')
            continue;
        if (len && t->n < DICT_WORDS) {
            memcpy(t->w[t->n], cur, len);
            t->w[t->n++][len] = '\0';
        }
        len = 0;
        if (c == '#' && t->n < DICT_WORDS)
            strcpy(t->w[t->n++], "#");
        if (!c)
            break;
    }
}

/* The spelled numbers that open an address ("ONE S DEARBORN ST"). */
static const char *const spelled[] = {"ZERO",    "ONE",     "TWO",       "THREE",    "FOUR",
                                      "FIVE",    "SIX",     "SEVEN",     "EIGHT",    "NINE",
                                      "TEN",     "ELEVEN",  "TWELVE",    "THIRTEEN", "FOURTEEN",
                                      "FIFTEEN", "SIXTEEN", "SEVENTEEN", "EIGHTEEN", "NINETEEN",
                                      "TWENTY"};

/* Can word i open the address?  Writes the house number as the parser
 * reads it into num. */
static int number_at(const dict_words *t, int i, char *num, size_t size)
{
    const char *w = t->w[i];
    if (i > 0 && !strcmp(t->w[i - 1], "BOX"))
        return 0; /* P O BOX 5000 */
    size_t d = strspn(w, "0123456789");
    if (d > 0) {
        const char *r = w + d;
        if (!strcmp(r, "ST") || !strcmp(r, "ND") || !strcmp(r, "RD") || !strcmp(r, "TH"))
            return 0; /* an ordinal: 41ST FLOOR */
        snprintf(num, size, "%s", w);
        return 1;
    }
    if (isalpha((unsigned char)w[0]) && strlen(w + 1) >= 2 && strspn(w + 1, "0123456789") == strlen(w + 1)) {
        snprintf(num, size, "%s", w); /* T700, W150 */
        return 1;
    }
    for (size_t k = 1; k < sizeof spelled / sizeof spelled[0]; k++)
        if (!strcmp(w, spelled[k])) {
            snprintf(num, size, "%zu", k);
            return 1;
        }
    return 0;
}

/* The unit the words from r on start with, into unit ("" when they are
 * the place or a landmark): a designator and its identifier ("STE 600",
 * "NO 2202", "# 4"), or a bare identifier with a digit ("600", "4B"; not a
 * ZIP). */
static void rest_unit(const dict_words *t, int r, char *unit, size_t size)
{
    unit[0] = '\0';
    if (r >= t->n)
        return;
    int needs = 0;
    const char *u = geo_addr_unit(t->w[r], &needs);
    if ((u && needs) || !strcmp(t->w[r], "NO")) {
        if (r + 1 < t->n && strpbrk(t->w[r + 1], "0123456789") && strlen(t->w[r + 1]) < 12)
            snprintf(unit, size, "%s %s", u && strcmp(u, "FL") && strcmp(u, "BLDG") ? u : "#", t->w[r + 1]);
        if (u && (!strcmp(u, "FL") || !strcmp(u, "BLDG")))
            unit[0] = '\0'; /* a floor or a building says nothing of the unit */
        return;
    }
    const char *w = t->w[r];
    size_t len = strlen(w), d = strspn(w, "0123456789");
    if (d > 0 && len <= 6 && !(d == 5 && len == 5) && !(r + 1 < t->n && geo_addr_unit(t->w[r + 1], &needs)))
        snprintf(unit, size, "# %s", w);
}

/* Does street s of the parcels have a directional that none of the
 * directionals written after the house number (word `from` on) is?  A
 * shorter run of words leaves the record's directional out ("230 4TH ST"
 * of "230 4TH ST NW"); it still rules out 4TH ST SW. */
static int dropped_dir_contradicts(const geo_address_index *ix, int32_t s, const dict_words *t, int from)
{
    const char *theirs[2] = {ix->text + ix->street[s].predir, ix->text + ix->street[s].postdir};
    if (!theirs[0][0] && !theirs[1][0])
        return 0;
    int written = 0;
    for (int k = from; k < t->n; k++) {
        const char *d = geo_address_directional(t->w[k]);
        if (!d)
            continue;
        written = 1;
        if (!strcmp(d, theirs[0]) || !strcmp(d, theirs[1]))
            return 0;
    }
    return written;
}

/* The full street of b on the streets of the parcels. */
static void full_street(const geo_address_index *ix, const geo_address *b, int32_t range, float conf,
                        ladder_state *ls, geo_match *out)
{
    int32_t streets[MAX_STREETS];
    int n = geo_addr_streets_of(ix, GEO_ADDR_KEY_FULL, b->predir, b->name, b->suffix, b->postdir, streets);
    geo_addr_try_streets(ix, streets, n, b, range, conf, 1, ls, out);
}

/* Its suffix one edit away (written as a suffix, or the last word of the
 * name: NINTH STRET -> 9TH ST), on the streets of the parcels. */
static void typo_street(const geo_address_index *ix, const geo_address *b, int32_t range, float conf,
                        ladder_state *ls, geo_match *out)
{
    const char *word = b->suffix[0] ? b->suffix_written : strrchr(b->name, ' ');
    if (!word)
        return;
    word += word[0] == ' ';
    if (strlen(word) < 4 || strpbrk(word, "0123456789") || (!b->suffix[0] && geo_address_suffix(word)))
        return; /* a suffix spelled right was tried as the full street */
    char head[GEO_ADDR_NAME_MAX];
    size_t hl = b->suffix[0] ? strlen(b->name) : (size_t)(word - 1 - b->name);
    if (hl >= sizeof head)
        return;
    memcpy(head, b->name, hl);
    head[hl] = '\0';
    const char *near[8];
    int ng = geo_address_suffix_near(word, near, 8), m = 0;
    int32_t found[8];
    geo_address c = *b;
    for (int k = 0; k < ng; k++) {
        if (b->suffix[0] && !strcmp(near[k], b->suffix))
            continue;
        char text[3 * GEO_ADDR_STREET_MAX];
        snprintf(text, sizeof text, "%s %s %s %s %s", b->number, b->predir, head, near[k], b->postdir);
        geo_address_parse(text, &c);
        int32_t s1[MAX_STREETS];
        if (geo_addr_streets_of(ix, GEO_ADDR_KEY_FULL, c.predir, c.name, c.suffix, c.postdir, s1) == 1)
            found[m++] = s1[0];
    }
    if (m == 0)
        return;
    snprintf(c.unit, sizeof c.unit, "%s", b->unit);
    geo_addr_try_streets(ix, found, m, &c, range, 0.9f * conf, 1, ls, out);
}

int geo_addr_match_by_dictionary(const geo_address_index *ix, const char *text, int32_t range, geo_match *out,
                                 int *found_street)
{
    dict_words t;
    dict_split(text, &t);
    int starts = 0;
    geo_address run[DICT_RUN + 1]; /* run[len]: the number and the len words after it, parsed */
    for (int i = 0; i + 1 < t.n && starts < DICT_STARTS; i++) {
        char num[DICT_WORD];
        if (!number_at(&t, i, num, sizeof num))
            continue;
        starts++;
        int longest = t.n - i - 1 < DICT_RUN ? t.n - i - 1 : DICT_RUN;
        for (int len = longest; len >= 1; len--) {
            char cand[DICT_RUN * DICT_WORD + 64];
            size_t used = (size_t)snprintf(cand, sizeof cand, "%s", num);
            for (int k = i + 1; k <= i + len && used < sizeof cand; k++)
                used += (size_t)snprintf(cand + used, sizeof cand - used, " %s", t.w[k]);
            geo_address *b = &run[len];
            geo_address_parse(cand, b);
            if (!b->unit[0])
                rest_unit(&t, i + len + 1, b->unit, sizeof b->unit);
        }
        /* the full street first over every run, longest first; then a
         * misspelt suffix; then the looser keys of the ladder */
        for (int pass = 0; pass < 3; pass++) {
            for (int len = longest; len >= 1; len--) {
                const geo_address *b = &run[len];
                if (b->num_lo < 0 || !b->name[0])
                    continue;
                ladder_state ls = {0, 0};
                geo_match m = *out;
                if (pass == 0)
                    full_street(ix, b, range, 0.9f, &ls, &m);
                else if (pass == 1)
                    typo_street(ix, b, range, 0.9f, &ls, &m);
                else
                    geo_addr_ladder(ix, b, range, 0.85f, &ls, &m);
                if ((ls.done || ls.found_street) && m.street >= 0 &&
                    dropped_dir_contradicts(ix, m.street, &t, i + 1)) {
                    out->why = GEO_UNMATCHED_UNKNOWN_STREET; /* a directional rules it out */
                    return 0;
                }
                if (ls.done || ls.found_street) {
                    /* the longest street the parcels have: the answer,
                     * whatever it is */
                    *out = m;
                    *found_street = 1;
                    if (!ls.done)
                        out->why = GEO_UNMATCHED_NO_HOUSE_NUMBER;
                    return out->method != GEO_MATCH_NONE;
                }
            }
        }
    }
    return 0;
}
