/*
 * address_tables.h — the USPS Publication 28 tables behind address_norm.c
 * (street suffixes, secondary unit designators, directionals, states) and
 * the word lists of ordinal street names.  Internal to geo/: the public
 * lookups are declared in address_norm.h.
 *
 * Every lookup takes one upper-case word and is safe from any thread.
 */
#ifndef GEO_ADDRESS_TABLES_H
#define GEO_ADDRESS_TABLES_H

/* The spelled-out suffix of a standard abbreviation ("AVE" -> "AVENUE"),
 * or NULL when std is not a standard abbreviation. */
const char *geo_addr_suffix_primary(const char *std);

/* Secondary unit designator: the standard form ("APARTMENT" -> "APT",
 * "#" -> "#") and whether it needs an identifier after it (APT 4 does,
 * REAR does not); NULL when the word is not a designator. */
const char *geo_addr_unit(const char *word, int *needs_id);

/* The spelled-out directional of a standard one ("NE" -> "NORTHEAST"), or
 * NULL. */
const char *geo_addr_dir_spelled(const char *std);

/* 1..19 for FIRST..NINETEENTH, 20, 30, .. 90 for TWENTIETH..NINETIETH,
 * else 0. */
int geo_addr_ordinal_word(const char *word);

/* 20, 30, .. 90 for TWENTY..NINETY, else 0. */
int geo_addr_tens_word(const char *word);

/* 1 if the word only names the country (USA, US). */
int geo_addr_country_word(const char *word);

#endif
