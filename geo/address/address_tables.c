/*
 * address_tables.c — the USPS Publication 28 tables of the address
 * normaliser: Appendix C1 (street suffixes: every spelling the USPS lists
 * and its standard abbreviation), Appendix C2 (secondary unit designators),
 * the directionals, and the state and territory codes; plus the ordinal
 * words of street names.
 *
 * Why hand-written tables and not a library: Debian 12 packages no address
 * parser for C (libpostal is not in Debian, and it needs a 2 GB model
 * downloaded at install time, which a machine without internet cannot do).
 * Why static C tables and not data files under geo/data/: the tables are
 * small (about 500 words), change once in a decade, and compiled in they
 * cannot be missing, unreadable or out of step with the binary at run time.
 *
 * The tables are kept in Publication 28's own layout (one line per standard
 * form, the spellings after it) so that they can be checked against it by
 * eye; lookups go through a sorted copy of every word built once
 * (pthread_once), then bsearch.
 */
#include "address_tables.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "address_norm.h"

/* Appendix C1: "STANDARD PRIMARY other spellings...".  The standard
 * abbreviation and the primary (spelled-out) name are spellings too. */
static const char *const suffix_lines[] = {
    "ALY ALLEY ALLEE ALLY",
    "ANX ANEX ANNEX ANNX",
    "ARC ARCADE",
    "AVE AVENUE AV AVEN AVENU AVN AVNUE",
    "BYU BAYOU BAYOO",
    "BCH BEACH",
    "BND BEND",
    "BLF BLUFF BLUF",
    "BLFS BLUFFS",
    "BTM BOTTOM BOT BOTTM",
    "BLVD BOULEVARD BOUL BOULV",
    "BR BRANCH BRNCH",
    "BRG BRIDGE BRDGE",
    "BRK BROOK",
    "BRKS BROOKS",
    "BG BURG",
    "BGS BURGS",
    "BYP BYPASS BYPA BYPAS BYPS",
    "CP CAMP CMP",
    "CYN CANYON CANYN CNYN",
    "CPE CAPE",
    "CSWY CAUSEWAY CAUSWA",
    "CTR CENTER CEN CENT CENTR CENTRE CNTER CNTR",
    "CTRS CENTERS",
    "CIR CIRCLE CIRC CIRCL CRCL CRCLE",
    "CIRS CIRCLES",
    "CLF CLIFF",
    "CLFS CLIFFS",
    "CLB CLUB",
    "CMN COMMON",
    "CMNS COMMONS",
    "COR CORNER",
    "CORS CORNERS",
    "CRSE COURSE",
    "CT COURT",
    "CTS COURTS",
    "CV COVE",
    "CVS COVES",
    "CRK CREEK",
    "CRES CRESCENT CRSENT CRSNT",
    "CRST CREST",
    "XING CROSSING CRSSNG",
    "XRD CROSSROAD",
    "XRDS CROSSROADS",
    "CURV CURVE",
    "DL DALE",
    "DM DAM",
    "DV DIVIDE DIV DVD",
    "DR DRIVE DRIV DRV",
    "DRS DRIVES",
    "EST ESTATE",
    "ESTS ESTATES",
    "EXPY EXPRESSWAY EXP EXPR EXPRESS EXPW",
    "EXT EXTENSION EXTN EXTNSN",
    "EXTS EXTENSIONS",
    "FALL FALL",
    "FLS FALLS",
    "FRY FERRY FRRY",
    "FLD FIELD",
    "FLDS FIELDS",
    "FLT FLAT",
    "FLTS FLATS",
    "FRD FORD",
    "FRDS FORDS",
    "FRST FOREST FORESTS",
    "FRG FORGE FORG",
    "FRGS FORGES",
    "FRK FORK",
    "FRKS FORKS",
    "FT FORT FRT",
    "FWY FREEWAY FREEWY FRWAY FRWY",
    "GDN GARDEN GARDN GRDEN GRDN",
    "GDNS GARDENS GRDNS",
    "GTWY GATEWAY GATEWY GATWAY GTWAY",
    "GLN GLEN",
    "GLNS GLENS",
    "GRN GREEN",
    "GRNS GREENS",
    "GRV GROVE GROV",
    "GRVS GROVES",
    "HBR HARBOR HARB HARBR HRBOR",
    "HBRS HARBORS",
    "HVN HAVEN",
    "HTS HEIGHTS HT",
    "HWY HIGHWAY HIGHWY HIWAY HIWY HWAY",
    "HL HILL",
    "HLS HILLS",
    "HOLW HOLLOW HLLW HOLLOWS HOLWS",
    "INLT INLET",
    "IS ISLAND ISLND",
    "ISS ISLANDS ISLNDS",
    "ISLE ISLE ISLES",
    "JCT JUNCTION JCTION JCTN JUNCTN JUNCTON",
    "JCTS JUNCTIONS JCTNS",
    "KY KEY",
    "KYS KEYS",
    "KNL KNOLL KNOL",
    "KNLS KNOLLS",
    "LK LAKE",
    "LKS LAKES",
    "LAND LAND",
    "LNDG LANDING LNDNG",
    "LN LANE",
    "LGT LIGHT",
    "LGTS LIGHTS",
    "LF LOAF",
    "LCK LOCK",
    "LCKS LOCKS",
    "LDG LODGE LDGE LODG",
    "LOOP LOOP LOOPS",
    "MALL MALL",
    "MNR MANOR",
    "MNRS MANORS",
    "MDW MEADOW",
    "MDWS MEADOWS MEDOWS",
    "MEWS MEWS",
    "ML MILL",
    "MLS MILLS",
    "MSN MISSION MISSN MSSN",
    "MTWY MOTORWAY",
    "MT MOUNT MNT",
    "MTN MOUNTAIN MNTAIN MNTN MOUNTIN MTIN",
    "MTNS MOUNTAINS MNTNS",
    "NCK NECK",
    "ORCH ORCHARD ORCHRD",
    "OVAL OVAL OVL",
    "OPAS OVERPASS",
    "PARK PARK PRK PARKS",
    "PKWY PARKWAY PARKWY PKWAY PKY PARKWAYS PKWYS",
    "PASS PASS",
    "PSGE PASSAGE",
    "PATH PATH PATHS",
    "PIKE PIKE PIKES",
    "PNE PINE",
    "PNES PINES",
    "PL PLACE",
    "PLN PLAIN",
    "PLNS PLAINS",
    "PLZ PLAZA PLZA",
    "PT POINT",
    "PTS POINTS",
    "PRT PORT",
    "PRTS PORTS",
    "PR PRAIRIE PRR",
    "RADL RADIAL RAD RADIEL",
    "RAMP RAMP",
    "RNCH RANCH RANCHES RNCHS",
    "RPD RAPID",
    "RPDS RAPIDS",
    "RST REST",
    "RDG RIDGE RDGE",
    "RDGS RIDGES",
    "RIV RIVER RVR RIVR",
    "RD ROAD",
    "RDS ROADS",
    "RTE ROUTE",
    "ROW ROW",
    "RUE RUE",
    "RUN RUN",
    "SHL SHOAL",
    "SHLS SHOALS",
    "SHR SHORE SHOAR",
    "SHRS SHORES SHOARS",
    "SKWY SKYWAY",
    "SPG SPRING SPNG SPRNG",
    "SPGS SPRINGS SPNGS SPRNGS",
    "SPUR SPUR SPURS",
    "SQ SQUARE SQR SQRE SQU",
    "SQS SQUARES SQRS",
    "STA STATION STATN STN",
    "STRA STRAVENUE STRAV STRAVEN STRAVN STRVN STRVNUE",
    "STRM STREAM STREME",
    "ST STREET STRT STR",
    "STS STREETS",
    "SMT SUMMIT SUMIT SUMITT",
    "TER TERRACE TERR",
    "TRWY THROUGHWAY",
    "TRCE TRACE TRACES",
    "TRAK TRACK TRACKS TRK TRKS",
    "TRFY TRAFFICWAY",
    "TRL TRAIL TRAILS TRLS",
    "TRLR TRAILER TRLRS",
    "TUNL TUNNEL TUNEL TUNLS TUNNELS TUNNL",
    "TPKE TURNPIKE TRNPK TURNPK",
    "UPAS UNDERPASS",
    "UN UNION",
    "UNS UNIONS",
    "VLY VALLEY VALLY VLLY",
    "VLYS VALLEYS",
    "VIA VIADUCT VDCT VIADCT",
    "VW VIEW",
    "VWS VIEWS",
    "VLG VILLAGE VILL VILLAG VILLG VILLIAGE",
    "VLGS VILLAGES",
    "VL VILLE",
    "VIS VISTA VIST VST VSTA",
    "WALK WALK WALKS",
    "WALL WALL",
    "WAY WAY WY",
    "WAYS WAYS",
    "WL WELL",
    "WLS WELLS",
};
#define NSUFFIX_LINES (sizeof suffix_lines / sizeof suffix_lines[0])

/* Appendix C2: "STANDARD needs-identifier spellings...". */
static const char *const unit_lines[] = {
    "APT 1 APARTMENT APPT", "BSMT 0 BASEMENT",  "BLDG 1 BUILDING BLDNG", "DEPT 1 DEPARTMENT",
    "FL 1 FLOOR FLR",       "FRNT 0 FRONT",     "HNGR 1 HANGAR",         "KEY 1 KEY",
    "LBBY 0 LOBBY",         "LOT 1 LOT",        "LOWR 0 LOWER",          "OFC 0 OFFICE",
    "PH 0 PENTHOUSE",       "PIER 1 PIER",      "REAR 0 REAR",           "RM 1 ROOM",
    "SIDE 0 SIDE",          "SLIP 1 SLIP",      "SPC 1 SPACE",           "STOP 1 STOP",
    "STE 1 SUITE",          "TRLR 1 TRAILER",   "UNIT 1 UNT",            "UPPR 0 UPPER",
    "# 1",
};
#define NUNIT_LINES (sizeof unit_lines / sizeof unit_lines[0])

static const char *const dir_lines[] = {
    "N NORTH", "S SOUTH", "E EAST", "W WEST",
    "NE NORTHEAST", "NW NORTHWEST", "SE SOUTHEAST", "SW SOUTHWEST",
};
#define NDIR_LINES (sizeof dir_lines / sizeof dir_lines[0])

/* States, the District of Columbia and the territories: code, then the
 * name (words joined by single spaces). */
static const char *const state_lines[] = {
    "AL ALABAMA", "AK ALASKA", "AZ ARIZONA", "AR ARKANSAS", "CA CALIFORNIA", "CO COLORADO",
    "CT CONNECTICUT", "DE DELAWARE", "DC DISTRICT OF COLUMBIA", "FL FLORIDA", "GA GEORGIA",
    "HI HAWAII", "ID IDAHO", "IL ILLINOIS", "IN INDIANA", "IA IOWA", "KS KANSAS", "KY KENTUCKY",
    "LA LOUISIANA", "ME MAINE", "MD MARYLAND", "MA MASSACHUSETTS", "MI MICHIGAN", "MN MINNESOTA",
    "MS MISSISSIPPI", "MO MISSOURI", "MT MONTANA", "NE NEBRASKA", "NV NEVADA", "NH NEW HAMPSHIRE",
    "NJ NEW JERSEY", "NM NEW MEXICO", "NY NEW YORK", "NC NORTH CAROLINA", "ND NORTH DAKOTA",
    "OH OHIO", "OK OKLAHOMA", "OR OREGON", "PA PENNSYLVANIA", "RI RHODE ISLAND",
    "SC SOUTH CAROLINA", "SD SOUTH DAKOTA", "TN TENNESSEE", "TX TEXAS", "UT UTAH", "VT VERMONT",
    "VA VIRGINIA", "WA WASHINGTON", "WV WEST VIRGINIA", "WI WISCONSIN", "WY WYOMING",
    "AS AMERICAN SAMOA", "GU GUAM", "MP NORTHERN MARIANA ISLANDS", "PR PUERTO RICO",
    "VI VIRGIN ISLANDS", "AA", "AE", "AP",
};
#define NSTATE_LINES (sizeof state_lines / sizeof state_lines[0])

static const char *const ordinal_words[] = {
    "FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH",
    "ELEVENTH", "TWELFTH", "THIRTEENTH", "FOURTEENTH", "FIFTEENTH", "SIXTEENTH", "SEVENTEENTH",
    "EIGHTEENTH", "NINETEENTH",
};
static const char *const tens_ordinal_words[] = {"TWENTIETH", "THIRTIETH", "FORTIETH", "FIFTIETH",
                                                 "SIXTIETH", "SEVENTIETH", "EIGHTIETH", "NINETIETH"};
static const char *const tens_words[] = {"TWENTY", "THIRTY", "FORTY", "FIFTY",
                                         "SIXTY", "SEVENTY", "EIGHTY", "NINETY"};

/* ---- the sorted word index -------------------------------------------- */

#define WORD_MAX 32

typedef struct {
    char word[WORD_MAX];
    short line;  /* index into its table */
    short self;  /* 1 when the word is the line's standard form */
    short len;   /* strlen(word): the typo search skips words of other lengths */
} tab_word;

typedef struct {
    tab_word *w;
    size_t n;
} tab_index;

/* Upper bounds of the words in each table (checked when building). */
static tab_word suffix_words[640], unit_words[64], dir_words[16], state_words[128];
static tab_index suffix_ix = {suffix_words, 0}, unit_ix = {unit_words, 0}, dir_ix = {dir_words, 0},
                 state_ix = {state_words, 0};
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static int tab_word_cmp(const void *a, const void *b)
{
    const tab_word *x = a, *y = b;
    int c = strcmp(x->word, y->word);
    if (c)
        return c;
    if (x->self != y->self) /* the standard form first: it wins a clash */
        return y->self - x->self;
    return x->line - y->line;
}

static void tab_add(tab_index *ix, size_t cap, const char *word, size_t len, int line, int self)
{
    if (ix->n >= cap || len == 0 || len >= WORD_MAX)
        abort(); /* a table above outgrew its array: a programming error caught by any test */
    memcpy(ix->w[ix->n].word, word, len);
    ix->w[ix->n].word[len] = '\0';
    ix->w[ix->n].len = (short)len;
    ix->w[ix->n].line = (short)line;
    ix->w[ix->n].self = (short)self;
    ix->n++;
}

/* Adds every space-separated word of each line, or (whole_rest) the first
 * word and the rest of the line as one entry (multi-word state names). */
static void tab_build(tab_index *ix, size_t cap, const char *const *lines, size_t nlines, int skip_second,
                      int whole_rest)
{
    for (size_t l = 0; l < nlines; l++) {
        const char *p = lines[l];
        for (int k = 0; *p; k++) {
            const char *e = whole_rest && k == 1 ? p + strlen(p) : strchr(p, ' ');
            if (!e)
                e = p + strlen(p);
            if (!(skip_second && k == 1))
                tab_add(ix, cap, p, (size_t)(e - p), (int)l, k == 0);
            p = *e ? e + 1 : e;
        }
    }
    qsort(ix->w, ix->n, sizeof *ix->w, tab_word_cmp);
    /* keep the first entry of each word (the standard one on a clash) */
    size_t m = 0;
    for (size_t i = 0; i < ix->n; i++)
        if (m == 0 || strcmp(ix->w[m - 1].word, ix->w[i].word) != 0)
            ix->w[m++] = ix->w[i];
    ix->n = m;
}

static void forms_build(void);

static void tables_build(void)
{
    forms_build();
    tab_build(&suffix_ix, sizeof suffix_words / sizeof suffix_words[0], suffix_lines, NSUFFIX_LINES, 0, 0);
    tab_build(&unit_ix, sizeof unit_words / sizeof unit_words[0], unit_lines, NUNIT_LINES, 1, 0);
    tab_build(&dir_ix, sizeof dir_words / sizeof dir_words[0], dir_lines, NDIR_LINES, 0, 0);
    tab_build(&state_ix, sizeof state_words / sizeof state_words[0], state_lines, NSTATE_LINES, 0, 1);
}

static int tab_key_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const tab_word *)elem)->word);
}

/* Line of a word in a table, or -1. */
static int tab_find(const tab_index *ix, const char *word)
{
    pthread_once(&tables_once, tables_build);
    if (!word || strlen(word) >= WORD_MAX)
        return -1;
    const tab_word *w = bsearch(word, ix->w, ix->n, sizeof *ix->w, tab_key_cmp);
    return w ? w->line : -1;
}

/* The first word of a table line, copied into buf. */
static const char *line_word(const char *line, int k, char *buf, size_t size)
{
    const char *p = line;
    for (int i = 0; i < k && p; i++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    if (!p)
        return NULL;
    size_t n = strcspn(p, " ");
    if (n >= size)
        n = size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

/* Standard forms, one per table line, built with the index (the returned
 * pointers must outlive the call, so they point into these arrays). */
static char suffix_std[NSUFFIX_LINES][6], suffix_primary[NSUFFIX_LINES][WORD_MAX];
static char unit_std[NUNIT_LINES][6], dir_std[NDIR_LINES][3], state_std[NSTATE_LINES][3];
static int unit_needs[NUNIT_LINES];

static void forms_build(void)
{
    for (size_t l = 0; l < NSUFFIX_LINES; l++) {
        line_word(suffix_lines[l], 0, suffix_std[l], sizeof suffix_std[l]);
        line_word(suffix_lines[l], 1, suffix_primary[l], sizeof suffix_primary[l]);
    }
    for (size_t l = 0; l < NUNIT_LINES; l++) {
        char b[4];
        line_word(unit_lines[l], 0, unit_std[l], sizeof unit_std[l]);
        unit_needs[l] = line_word(unit_lines[l], 1, b, sizeof b) && b[0] == '1';
    }
    for (size_t l = 0; l < NDIR_LINES; l++)
        line_word(dir_lines[l], 0, dir_std[l], sizeof dir_std[l]);
    for (size_t l = 0; l < NSTATE_LINES; l++)
        line_word(state_lines[l], 0, state_std[l], sizeof state_std[l]);
}

/* ---- lookups ------------------------------------------------------------ */

const char *geo_address_suffix(const char *word)
{
    int l = tab_find(&suffix_ix, word);
    if (l < 0)
        return NULL;
    return suffix_std[l];
}

const char *geo_addr_suffix_primary(const char *std)
{
    pthread_once(&tables_once, tables_build);
    for (size_t l = 0; std && l < NSUFFIX_LINES; l++)
        if (!strcmp(suffix_std[l], std))
            return suffix_primary[l];
    return NULL;
}

const char *geo_address_directional(const char *word)
{
    int l = tab_find(&dir_ix, word);
    if (l < 0)
        return NULL;
    return dir_std[l];
}

const char *geo_addr_dir_spelled(const char *std)
{
    static const char *const spelled[NDIR_LINES] = {"NORTH", "SOUTH", "EAST", "WEST",
                                                    "NORTHEAST", "NORTHWEST", "SOUTHEAST", "SOUTHWEST"};
    pthread_once(&tables_once, tables_build);
    for (size_t l = 0; std && l < NDIR_LINES; l++)
        if (!strcmp(dir_std[l], std))
            return spelled[l];
    return NULL;
}

const char *geo_address_state(const char *word)
{
    int l = tab_find(&state_ix, word);
    if (l < 0)
        return NULL;
    return state_std[l];
}

const char *geo_addr_unit(const char *word, int *needs_id)
{
    int l = tab_find(&unit_ix, word);
    if (l < 0)
        return NULL;
    if (needs_id)
        *needs_id = unit_needs[l];
    return unit_std[l];
}

int geo_addr_ordinal_word(const char *word)
{
    for (int k = 0; k < 19; k++)
        if (!strcmp(word, ordinal_words[k]))
            return k + 1;
    for (int k = 0; k < 8; k++)
        if (!strcmp(word, tens_ordinal_words[k]))
            return 20 + 10 * k;
    return 0;
}

int geo_addr_tens_word(const char *word)
{
    for (int k = 0; k < 8; k++)
        if (!strcmp(word, tens_words[k]))
            return 20 + 10 * k;
    return 0;
}

int geo_addr_country_word(const char *word)
{
    return !strcmp(word, "USA") || !strcmp(word, "US");
}

int geo_address_one_edit(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > lb + 1 || lb > la + 1)
        return 0;
    size_t i = 0;
    while (i < la && i < lb && a[i] == b[i])
        i++;
    if (i == la && i == lb)
        return 1; /* equal */
    if (la == lb) {
        /* substitution at i, or a swap of i and i + 1 */
        if (!strcmp(a + i + 1, b + i + 1))
            return 1;
        return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && !strcmp(a + i + 2, b + i + 2);
    }
    /* one insertion: skip the extra character of the longer word */
    return la > lb ? !strcmp(a + i + 1, b + i) : !strcmp(a + i, b + i + 1);
}

int geo_address_suffix_near(const char *word, const char **out, int max)
{
    if (!word || strlen(word) < 3)
        return 0;
    pthread_once(&tables_once, tables_build);
    int n = 0;
    short len = (short)strlen(word);
    /* every spelling of 2 letters and more: a one-edit neighbour of a
     * 3-letter word has at least 2; one edit changes the length by one at
     * most (most spellings are turned away by their length alone) */
    for (size_t i = 0; i < suffix_ix.n; i++) {
        const tab_word *w = &suffix_ix.w[i];
        if (w->len < 2 || w->len > len + 1 || w->len + 1 < len || !geo_address_one_edit(word, w->word))
            continue;
        const char *std = suffix_std[w->line];
        int seen = 0;
        for (int k = 0; k < n && !seen; k++)
            seen = !strcmp(out[k], std);
        if (!seen && n < max)
            out[n++] = std;
    }
    return n;
}

const char *geo_address_suffix_guess(const char *word)
{
    const char *near[8];
    if (!word || strlen(word) < 4 || geo_address_suffix(word))
        return NULL;
    return geo_address_suffix_near(word, near, 8) == 1 ? near[0] : NULL;
}
