/*
 * address_norm.h — US street addresses in one standard form, so that the
 * same place written two ways ("2382  Dunwoody Xing ., Atlanta, Ga 30338",
 * "2382 DUNWOODY CROSSING") compares equal, and an address-only record can
 * be matched to a parcel by house number and street (geo/join/join_address.c).
 *
 * The standard is USPS Publication 28 (Postal Addressing Standards): upper
 * case, no punctuation, the street suffix abbreviated per its Appendix C1
 * (AVENUE, AV, AVEN -> AVE), directionals abbreviated (NORTH -> N, NORTH
 * EAST -> NE), secondary unit designators per its Appendix C2 (APARTMENT ->
 * APT, "#" kept), and the address split into its parts.  On top of it,
 * for matching: ordinal street names as numbers (FIFTH, 5th, 5 -> 5TH),
 * numbered roads spelled out (HWY 14, Hwy. 14 -> HIGHWAY 14; CR 2259,
 * CO RD 2259 -> COUNTY ROAD 2259; AVE A -> AVENUE A).
 *
 * Plain strings in, a fixed-size struct out: no allocation, no global
 * state but read-only tables, safe to call from any number of threads.
 * Parsing never fails: what cannot be read stays in the street name, and a
 * text without a street gives an empty `street`.
 */
#ifndef GEO_ADDRESS_NORM_H
#define GEO_ADDRESS_NORM_H

#include <stddef.h>
#include <stdint.h>

#define GEO_ADDR_NAME_MAX 96                      /* street name, with its NUL */
#define GEO_ADDR_STREET_MAX (GEO_ADDR_NAME_MAX + 16) /* predir name suffix postdir */

/* Flags of a parsed address. */
enum {
    GEO_ADDR_TRUNCATED = 1,   /* the text was longer than the parser keeps (512 bytes,
                                 40 words, 47 bytes a word); the rest was dropped */
    GEO_ADDR_RANGE = 2,       /* the house number is a range (12-14) */
    GEO_ADDR_HYPHENATED = 4,  /* a hyphenated number that is not a range (Queens 111-10) */
    GEO_ADDR_CITY_UNSURE = 8, /* "STATE ZIP" ended a text without commas: where the street
                                 ends and the city starts is a guess (the matcher tries others) */
    GEO_ADDR_PREFIXED = 16    /* a grid or letter-prefixed house number (W150 N9700, T700):
                                 num_extra starts with '^' */
};

typedef struct {
    /* House number as written in the standard form: "1234", "1234A",
     * "12-14", "12 1/2", "111-10"; "" when there is none. */
    char number[24];
    /* Its numeric value: the first and last number of a range (equal when
     * not a range); -1 when there is no number. */
    int32_t num_lo, num_hi;
    /* What follows the digits and tells two dwellings apart: the letter of
     * "1234A" (also written "1234 A"), the fraction of "12 1/2", the tail of
     * "111-10" ("-10"); for a grid or letter-prefixed number ("W150 N9700",
     * "T700", numeric value 150, 700) '^' and the letters and second part
     * ("^WN9700", "^T"); "" when none. */
    char num_extra[8];
    char predir[3];                 /* N S E W NE NW SE SW, or "" */
    char name[GEO_ADDR_NAME_MAX];   /* "DUNWOODY", "5TH", "HIGHWAY 14", "MARTIN LUTHER KING JR" */
    char suffix[5];                 /* USPS abbreviation (AVE, XING), or "" */
    char suffix_written[24];        /* the suffix word as written ("AVENUE"), for typo matching */
    char postdir[3];
    char unit[40];                  /* "APT 4B", "# 107", "LOT 3", "REAR"; "" none */
    char city[48];                  /* as written, upper case, single spaces */
    char state[3];                  /* two-letter USPS code */
    char zip[11];                   /* "30338" or "30338-1234" */
    /* The street as one key: predir name suffix postdir, single spaces. */
    char street[GEO_ADDR_STREET_MAX];
    unsigned flags;                 /* GEO_ADDR_* */
} geo_address;

/* Parses and standardises one address.  text may be NULL or empty (every
 * field is then empty).  Never fails. */
void geo_address_parse(const char *text, geo_address *out);

/* The whole address on one line in the standard form:
 * "1234 E OAK ST APT 4, ATLANTA, GA 30338" (parts that are empty left out).
 * Parsing this text again gives the same address.  Returns the length the
 * text has (as snprintf: the output is cut when size is too small). */
size_t geo_address_format(const geo_address *a, char *buf, size_t size);

/* The unit of an address as a set, to compare units written in any
 * Publication 28 form: its identifiers without designators, "A&B", "AB",
 * "A-B" as the elements A and B, "1&2" as 1 and 2, leading zeros dropped,
 * sorted and joined with '&' ("UNIT B&A" -> "A&B", "APT 04" -> "4",
 * "REAR" -> "REAR").  "" for no unit.  Returns the length written. */
size_t geo_address_unit_key(const char *unit, char *out, size_t size);

/* Two unit keys: 1 when one holds the other ("A" and "A&B": the same
 * dwelling), -1 when they share no element (unit 1 is not unit 2), 0 when
 * either is empty or they only overlap (nothing can be said). */
int geo_address_units_compare(const char *a, const char *b);

/* USPS standard abbreviation of a street suffix word in upper case
 * ("AVENUE", "AV", "AVE" -> "AVE"), or NULL when the word is not one. */
const char *geo_address_suffix(const char *word);

/* The suffix a misspelt word most likely stands for: the one standard
 * abbreviation whose Publication 28 spellings include a word within one
 * edit (insertion, deletion, substitution or swap of two neighbouring
 * letters) of it ("AVNEUE", "STRET", "DIRVE").  NULL when the word is
 * shorter than 4 letters, already a suffix, or near no suffix or near two
 * different ones. */
const char *geo_address_suffix_guess(const char *word);

/* Every standard suffix with a Publication 28 spelling within one edit of
 * word (word itself included when it is one), at most max of them into
 * out; returns how many.  Words shorter than 3 letters have none: the
 * matcher keeps only those that name an existing street (join_address.c). */
int geo_address_suffix_near(const char *word, const char **out, int max);

/* Standard directional ("NORTH", "N" -> "N"; "NORTHEAST" -> "NE"), or NULL. */
const char *geo_address_directional(const char *word);

/* Two-letter USPS code of a state or territory ("GA", "GEORGIA" -> "GA";
 * "NEW YORK" -> "NY"), or NULL. */
const char *geo_address_state(const char *word);

/* 1 if a and b are at most one edit apart (insertion, deletion,
 * substitution, or a swap of two neighbouring characters). */
int geo_address_one_edit(const char *a, const char *b);

#endif
