/*
 * test_address_norm.c — the address normaliser (geo/address/address_norm.h) on
 * real-world spellings: 171 addresses as they appear in the public data in
 * ../shared/data (DeKalb County assessor addresses, American Red Cross
 * home-fire case addresses as typed and as geocoded) and forms those files
 * lack, each with the standard form it must give; that the standard form
 * parses to itself; the parts of the split; the USPS Publication 28 tables;
 * the suffix typo guess; and robustness on empty, huge and random input.
 *
 * The strings are copied here as literals (the data files stay outside the
 * repository).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address_norm.h"

/* ---- the standard form of real-world addresses -------------------------- */

static const struct {
    const char *in, *want;
} variants[] = {
    /* DeKalb County assessor, ../shared/data/dekalb_multifamily_parcels.csv, column Address_mf:
     * double spaces, " ." before the comma, post-directionals with a period, city/state/ZIP */
    {"2382  Dunwoody Xing ., Atlanta, Ga 30338",
     "2382 DUNWOODY XING, ATLANTA, GA 30338"},
    {"10  Executive Park W., Atlanta, Ga 30329",
     "10 EXECUTIVE PARK W, ATLANTA, GA 30329"},
    {"1000  Hidden Chase  ., Stone Mountain, Ga 30088",
     "1000 HIDDEN CHASE, STONE MOUNTAIN, GA 30088"},
    {"1071  4Th St ., Stone Mountain, Ga 30083",
     "1071 4TH ST, STONE MOUNTAIN, GA 30083"},
    {"1090  3Rd St ., Stone Mountain, Ga 30083",
     "1090 3RD ST, STONE MOUNTAIN, GA 30083"},
    {"1306 N Cliff Valley Way Ne., Atlanta, Ga 30319",
     "1306 N CLIFF VALLEY WAY NE, ATLANTA, GA 30319"},
    {"4000  Dunwoody Park  ., Dunwoody, Ga 30338",
     "4000 DUNWOODY PARK, DUNWOODY, GA 30338"},
    {"2  Covington Rd ., Avondale Est, Ga 30002",
     "2 COVINGTON RD, AVONDALE EST, GA 30002"},
    {"688  Jolly Ave S., Clarkston, Ga 30021",
     "688 JOLLY AVE S, CLARKSTON, GA 30021"},
    {"300  Perimeter Ctr N., Atlanta, Ga 30346",
     "300 PERIMETER CTR N, ATLANTA, GA 30346"},
    {"1000  Montreal Rd E., Clarkston, Ga 30021",
     "1000 MONTREAL RD E, CLARKSTON, GA 30021"},
    {"1000  Smith St Se., Clarkston, Ga 30021",
     "1000 SMITH ST SE, CLARKSTON, GA 30021"},
    {"1638  Church St Nw., Decatur, Ga 30033",
     "1638 CHURCH ST NW, DECATUR, GA 30033"},
    {"2449 E Club Dr Ne., Atlanta, Ga 30319",
     "2449 E CLUB DR NE, ATLANTA, GA 30319"},
    {"1785 N Decatur Rd Ne., Atlanta, Ga 30307",
     "1785 N DECATUR RD NE, ATLANTA, GA 30307"},
    {"4275  Northeast Expy ., Atlanta, Ga 30340",
     "4275 NORTHEAST EXPY, ATLANTA, GA 30340"},
    {"2628  Northeast Expy Ne., Atlanta, Ga 30345",
     "2628 NORTHEAST EXPY NE, ATLANTA, GA 30345"},
    {"3650  Clubhouse Cir E., Decatur, Ga 30032",
     "3650 CLUBHOUSE CIR E, DECATUR, GA 30032"},
    {"1456  University Dr S., Atlanta, Ga 30306",
     "1456 UNIVERSITY DR S, ATLANTA, GA 30306"},
    {"2050  Peachtree Industrial Ct ., Chamblee, Ga 30341",
     "2050 PEACHTREE INDUSTRIAL CT, CHAMBLEE, GA 30341"},
    {"8586  Mall Pkwy ., Lithonia, Ga 30038",
     "8586 MALL PKWY, LITHONIA, GA 30038"},
    {"70  Bouldercrest Ln ., Atlanta, Ga 30316",
     "70 BOULDERCREST LN, ATLANTA, GA 30316"},
    {"3812  Mcelroy Rd ., Atlanta, Ga 30340",
     "3812 MCELROY RD, ATLANTA, GA 30340"},
    {"2977  Newfield Way ., Scottdale, Ga 30079",
     "2977 NEWFIELD WAY, SCOTTDALE, GA 30079"},
    {"6776  Covington Hwy ., Lithonia, Ga 30058",
     "6776 COVINGTON HWY, LITHONIA, GA 30058"},
    {"7  Executive Park Dr Ne., Atlanta, Ga 30329",
     "7 EXECUTIVE PARK DR NE, ATLANTA, GA 30329"},
    {"31  Perimeter Ctr E., Atlanta, Ga 30346",
     "31 PERIMETER CTR E, ATLANTA, GA 30346"},
    {"2807  White Oak Dr ., Decatur, Ga 30032",
     "2807 WHITE OAK DR, DECATUR, GA 30032"},
    {"1800  Briarcliff Cir ., Atlanta, Ga 30329",
     "1800 BRIARCLIFF CIR, ATLANTA, GA 30329"},
    {"126  Brook Ridge Ave ., Atlanta, Ga 30340",
     "126 BROOK RIDGE AVE, ATLANTA, GA 30340"},
    {"437  Creekview Ct ., Scottdale, Ga 30079",
     "437 CREEKVIEW CT, SCOTTDALE, GA 30079"},
    {"2345  Peachwood Cir ., Atlanta, Ga 30345",
     "2345 PEACHWOOD CIR, ATLANTA, GA 30345"},
    {"3191  Flowers Rd S., Atlanta, Ga 30341",
     "3191 FLOWERS RD S, ATLANTA, GA 30341"},
    {"4624  Dahlia Dr ., Pine Lake, Ga 30072",
     "4624 DAHLIA DR, PINE LAKE, GA 30072"},
    {"1  Pearl Ln ., Chamblee, Ga 30341",
     "1 PEARL LN, CHAMBLEE, GA 30341"},
    {"2696 N Druid Hills Rd ., Atlanta, Ga 30329",
     "2696 N DRUID HILLS RD, ATLANTA, GA 30329"},
    {"5211  Peachtree Industrial Blvd ., Atlanta, Ga 30341",
     "5211 PEACHTREE INDUSTRIAL BLVD, ATLANTA, GA 30341"},
    {"3070  Ashford Dunwoody Rd Ne., Atlanta, Ga 30319",
     "3070 ASHFORD DUNWOODY RD NE, ATLANTA, GA 30319"},
    {"2075  Lavista Rd Ne., Atlanta, Ga 30329",
     "2075 LAVISTA RD NE, ATLANTA, GA 30329"},
    {"1421 N Hairston Rd ., Stone Mountain, Ga 30083",
     "1421 N HAIRSTON RD, STONE MOUNTAIN, GA 30083"},
    {"1776 S Columbia Pl ., Decatur, Ga 30032",
     "1776 S COLUMBIA PL, DECATUR, GA 30032"},
    {"2486  Clifton Springs Rd ., Decatur, Ga 30034",
     "2486 CLIFTON SPRINGS RD, DECATUR, GA 30034"},
    {"2596  Wiggins St ., Lithonia, Ga 30058",
     "2596 WIGGINS ST, LITHONIA, GA 30058"},
    {"1217  Woodland Ave Se., Atlanta, Ga 30324",
     "1217 WOODLAND AVE SE, ATLANTA, GA 30324"},
    {"901  4Th St ., Stone Mountain, Ga 30083",
     "901 4TH ST, STONE MOUNTAIN, GA 30083"},
    /* American Red Cross home-fire cases, ../shared/data/redcross_home_fire_cases_2009_2014.tsv,
     * columns pre_address and esri_address (house numbers removed by the publisher; some
     * left as "-10" or "-B"): units before and after the street, #, highway and county
     * roads, ordinals, misspellings */
    {"Halstead Avenue, #107",
     "HALSTEAD AVE # 107"},
    {"W. Live Oak",
     "W LIVE OAK"},
    {"-10 76th Street",
     "10 76TH ST"},
    {"East 86 Street",
     "E 86TH ST"},
    {"SPRUCE CURVE",
     "SPRUCE CURV"},
    {"Fair Oaks Blvd #3",
     "FAIR OAKS BLVD # 3"},
    {"S 1515 W",
     "S 1515 W"},
    {"Hwy 190E",
     "HIGHWAY 190E"},
    {"CR 2259",
     "COUNTY ROAD 2259"},
    {"CO RD 1161",
     "COUNTY ROAD 1161"},
    {"Rimrock Wy #40",
     "RIMROCK WAY # 40"},
    {"HWY 14 LOT 3",
     "HIGHWAY 14 LOT 3"},
    {"57th ave east",
     "57TH AVE E"},
    {"Lindy Ave # 2A",
     "LINDY AVE # 2A"},
    {"First Ave. Apt.1",
     "1ST AVE APT 1"},
    {"E State Apt 27",
     "E STATE APT 27"},
    {"Applebutter Alley",
     "APPLEBUTTER ALY"},
    {"West 525 South",
     "W 525 S"},
    {"S 192nd St, #A309",
     "S 192ND ST # A309"},
    {"W. IH 10",
     "W INTERSTATE 10"},
    {"Rt Box 117",
     "RT BOX 117"},
    {"POINTE VISTA CIR. #105",
     "POINTE VISTA CIR # 105"},
    {"Fortine Cr. Rd.",
     "FORTINE CR RD"},
    {"#303 N Humboldt Blvd",
     "N HUMBOLDT BLVD # 303"},
    {"Lot 25 Maple Avenue",
     "MAPLE AVE LOT 25"},
    {"Unit 123 Julia",
     "JULIA UNIT 123"},
    {", Apt. D N. Main St.",
     "N MAIN ST APT D"},
    {", unit 1 E. Mohave Road",
     "E MOHAVE RD UNIT 1"},
    {"W, Gulfbank Apt#702",
     "W GULFBANK APT 702"},
    {"N. 12th Apt.",
     "N 12TH APT"},
    {"W. Airport Apt#3122",
     "W AIRPORT APT 3122"},
    {"N West Point Circle",
     "N WEST POINT CIR"},
    {"I-40 East # 68",
     "INTERSTATE 40 E # 68"},
    {"Old Hwy 72",
     "OLD HIGHWAY 72"},
    {"Alabama Hwy 33",
     "ALABAMA HIGHWAY 33"},
    {"E State Rt 44",
     "E STATE ROUTE 44"},
    {"Old St. Rt. 35",
     "OLD STATE ROUTE 35"},
    {"Hwy 87 East",
     "HIGHWAY 87 E"},
    {"SW Ave B apt#6",
     "SW AVENUE B APT 6"},
    {"County Road 1 apt # 2",
     "COUNTY ROAD 1 APT 2"},
    {"Benson St. Unit A 15",
     "BENSON ST UNIT A 15"},
    {"Sherman Apt#1/2",
     "SHERMAN APT 1/2"},
    {"St Mark's Place",
     "ST MARKS PL"},
    {"Coppergate Cr Apt 1",
     "COPPERGATE CR APT 1"},
    {"W.Sam Houston Pkw apt 1214",
     "W SAM HOUSTON PKW APT 1214"},
    {"E Main St. Lot #26",
     "E MAIN ST LOT 26"},
    {"Roods Creek Road, Bldg 6",
     "ROODS CREEK RD BLDG 6"},
    {"1/2 Second Street",
     "1/2 SECOND ST"},
    {"O'Neal Rd",
     "ONEAL RD"},
    {"E 241ST STREET SOUTH",
     "E 241ST ST S"},
    {"NW 12th",
     "NW 12TH"},
    {"3rd St SW",
     "3RD ST SW"},
    {"6th Street NW",
     "6TH ST NW"},
    {"E. Second Street",
     "E 2ND ST"},
    {"W. First Ave.",
     "W 1ST AVE"},
    {"N Third St #101",
     "N 3RD ST # 101"},
    {"Meridian St., Apt 1",
     "MERIDIAN ST APT 1"},
    {"West 27th Street Apt. 3",
     "W 27TH ST APT 3"},
    {"North Street, Apt B",
     "NORTH ST APT B"},
    {"Emerald Rd., Apt. C5",
     "EMERALD RD APT C5"},
    {"Arrowhead Blvd, #38E",
     "ARROWHEAD BLVD # 38E"},
    {"Camey Creek, Unit 11",
     "CAMEY CRK UNIT 11"},
    {"coventry Pky",
     "COVENTRY PKWY"},
    {"SWOPE PKWY",
     "SWOPE PKWY"},
    {"N PARKWAY",
     "N PKWY"},
    {"MARTIN LUTHER KING DR.",
     "MARTIN LUTHER KING DR"},
    {"Larkwood Cir. SW",
     "LARKWOOD CIR SW"},
    {"B Polk circle",
     "B POLK CIR"},
    {"2900 HWY 431",
     "2900 HIGHWAY 431"},
    {"RT 4",
     "ROUTE 4"},
    {"Rt. 10",
     "ROUTE 10"},
    {"CR 323",
     "COUNTY ROAD 323"},
    {"Curdy's Cove Unit 3",
     "CURDYS CV UNIT 3"},
    {"Rue Madeleine #A",
     "RUE MADELEINE # A"},
    {"Broadway, Lot 149",
     "BROADWAY LOT 149"},
    {"Veterans Mem Hwy",
     "VETERANS MEM HWY"},
    {"Cleveland Hwy Lot 1",
     "CLEVELAND HWY LOT 1"},
    {"W. Grange Unit B 311",
     "W GRANGE UNIT B 311"},
    {"E COOK AVE UNIT 101",
     "E COOK AVE UNIT 101"},
    {"Granite Valley Trail",
     "GRANITE VALLEY TRL"},
    {"Deer Run Road",
     "DEER RUN RD"},
    {"Vinegar Valley",
     "VINEGAR VLY"},
    {"Box Fraley Ridge",
     "BOX FRALEY RDG"},
    {"Crestwood Peninsula",
     "CRESTWOOD PENINSULA"},
    {"Van Keuren Ave.",
     "VAN KEUREN AVE"},
    {"-B E 14th St",
     "B E 14TH ST"},
    {"Trailing Oak",
     "TRAILING OAK"},
    {"Genevieve",
     "GENEVIEVE"},
    /* the same file, column esri_single_address_string: STREET, CITY, ST, ZIP */
    {"CRESTWOOD PENINSULA, FLOWERY BRANCH, GA, 30542",
     "CRESTWOOD PENINSULA, FLOWERY BRANCH, GA 30542"},
    {"E 86TH ST, NEW YORK, NY, 10028",
     "E 86TH ST, NEW YORK, NY 10028"},
    {"CORD 2259, TYLER, TX, 75707",
     "COUNTY ROAD 2259, TYLER, TX 75707"},
    {"W 525 S, COLUMBUS, IN, 47201",
     "W 525 S, COLUMBUS, IN 47201"},
    {"SW RIMROCK WAY, REDMOND, OR, 97756",
     "SW RIMROCK WAY, REDMOND, OR 97756"},
    {"57TH AVE E, BRADENTON, FL, 34203",
     "57TH AVE E, BRADENTON, FL 34203"},
    {"1ST AVE, BERLIN, NH, 03570",
     "1ST AVE, BERLIN, NH 03570"},
    {"S 192ND ST, SEATAC, WA, 98188",
     "S 192ND ST, SEATAC, WA 98188"},
    {"HALSTEAD AVE, NORFOLK, VA, 23502",
     "HALSTEAD AVE, NORFOLK, VA 23502"},
    {"FORTINE CREEK RD, TREGO, MT, 59934",
     "FORTINE CREEK RD, TREGO, MT 59934"},
    /* forms the files above do not show: ranges, fractions, Queens numbers, letters,
     * no commas, spelled ordinals and states, ZIP+4 */
    {"12-14 Elm St",
     "12-14 ELM ST"},
    {"12 1/2 Elm St",
     "12 1/2 ELM ST"},
    {"111-10 76th Ave, Queens, NY 11375",
     "111-10 76TH AVE, QUEENS, NY 11375"},
    {"1234A Peachtree Rd NE",
     "1234A PEACHTREE RD NE"},
    {"1234-B Peachtree Rd NE",
     "1234B PEACHTREE RD NE"},
    {"123 Avenue S",
     "123 AVENUE S"},
    {"123 Ave S",
     "123 AVENUE S"},
    {"123 Twenty First St",
     "123 21ST ST"},
    {"123 Twenty-First St",
     "123 21ST ST"},
    {"123 Duval St, Key West, FL 33040",
     "123 DUVAL ST, KEY WEST, FL 33040"},
    {"123 Main St, FL 2",
     "123 MAIN ST FL 2"},
    {"123 Main Street Rear",
     "123 MAIN ST REAR"},
    {"123 Front St",
     "123 FRONT ST"},
    {"123 Main St Springfield IL 62704",
     "123 MAIN ST, SPRINGFIELD, IL 62704"},
    {"123 Oak Park Ave Oak Park IL 60302",
     "123 OAK PARK AVE, OAK PARK, IL 60302"},
    {"123 Main St Apt 4 Orlando FL 32839",
     "123 MAIN ST APT 4, ORLANDO, FL 32839"},
    {"123 N St NW, Washington, DC 20001",
     "123 N ST NW, WASHINGTON, DC 20001"},
    {"123 MAIN ST, ATLANTA, GEORGIA 30303, USA",
     "123 MAIN ST, ATLANTA, GA 30303"},
    {"123 E OAK ST BLDG 3 APT # 4",
     "123 E OAK ST BLDG 3 APT 4"},
    {"316 West Poplar Av.",
     "316 W POPLAR AVE"},
    {"316 w. poplar avenue, apt 3",
     "316 W POPLAR AVE APT 3"},
    {"123 Peachtree St N.E., Atlanta, GA 30303-1234",
     "123 PEACHTREE ST NE, ATLANTA, GA 30303-1234"},
    {"123 Main St, New York, New York 10001",
     "123 MAIN ST, NEW YORK, NY 10001"},
    {"123 NORTH AVE",
     "123 NORTH AVE"},
    {"123 N E Main St",
     "123 NE MAIN ST"},
    {"123 Main St, Suite 200, Atlanta, GA",
     "123 MAIN ST STE 200, ATLANTA, GA"},
    {"4 Ninetieth St",
     "4 90TH ST"},
    {"42 Second Avenue Ext",
     "42 SECOND AVENUE EXT"},
};
#define NVARIANTS (sizeof variants / sizeof variants[0])

static void real_world_variants_standardise(void **state)
{
    (void)state;
    assert_true(NVARIANTS >= 100);
    char out[512];
    int bad = 0;
    for (size_t i = 0; i < NVARIANTS; i++) {
        geo_address a;
        geo_address_parse(variants[i].in, &a);
        geo_address_format(&a, out, sizeof out);
        if (strcmp(out, variants[i].want) != 0) {
            print_error("'%s'\n  gave '%s'\n  want '%s'\n", variants[i].in, out, variants[i].want);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* The standard form is a fixed point: parsing it gives the same address,
 * so that parcels and records standardised once or twice compare equal. */
static void standard_form_parses_to_itself(void **state)
{
    (void)state;
    char once[512], twice[512];
    for (size_t i = 0; i < NVARIANTS; i++) {
        geo_address a, b;
        geo_address_parse(variants[i].in, &a);
        geo_address_format(&a, once, sizeof once);
        geo_address_parse(once, &b);
        geo_address_format(&b, twice, sizeof twice);
        assert_string_equal(once, twice);
        assert_string_equal(a.street, b.street);
        assert_string_equal(a.number, b.number);
        assert_int_equal(a.num_lo, b.num_lo);
    }
}

/* ---- the parts ------------------------------------------------------------ */

static const struct {
    const char *in;
    const char *number;
    int lo, hi;
    const char *extra, *predir, *name, *suffix, *postdir, *unit, *city, *state, *zip;
} parts[] = {
    {"2382  Dunwoody Xing ., Atlanta, Ga 30338", "2382", 2382, 2382, "", "", "DUNWOODY", "XING", "", "",
     "ATLANTA", "GA", "30338"},
    {"1306 N Cliff Valley Way Ne., Atlanta, Ga 30319", "1306", 1306, 1306, "", "N", "CLIFF VALLEY", "WAY", "NE",
     "", "ATLANTA", "GA", "30319"},
    {"10  Executive Park W., Atlanta, Ga 30329", "10", 10, 10, "", "", "EXECUTIVE", "PARK", "W", "", "ATLANTA",
     "GA", "30329"},
    {"12-14 Elm St", "12-14", 12, 14, "", "", "ELM", "ST", "", "", "", "", ""},
    {"12 1/2 Elm St", "12 1/2", 12, 12, "1/2", "", "ELM", "ST", "", "", "", "", ""},
    {"111-10 76th Ave, Queens, NY 11375", "111-10", 111, 111, "-10", "", "76TH", "AVE", "", "", "QUEENS", "NY",
     "11375"},
    {"1234-B Peachtree Rd NE", "1234B", 1234, 1234, "B", "", "PEACHTREE", "RD", "NE", "", "", "", ""},
    {"West 525 South", "", -1, -1, "", "W", "525", "", "S", "", "", "", ""},
    {"East 86 Street", "", -1, -1, "", "E", "86TH", "ST", "", "", "", "", ""},
    {"123 N St NW, Washington, DC 20001", "123", 123, 123, "", "", "N", "ST", "NW", "", "WASHINGTON", "DC",
     "20001"},
    {"123 NORTH AVE", "123", 123, 123, "", "", "NORTH", "AVE", "", "", "", "", ""},
    {"N West Point Circle", "", -1, -1, "", "N", "WEST POINT", "CIR", "", "", "", "", ""},
    {"123 N E Main St", "123", 123, 123, "", "NE", "MAIN", "ST", "", "", "", "", ""},
    {"#303 N Humboldt Blvd", "", -1, -1, "", "N", "HUMBOLDT", "BLVD", "", "# 303", "", "", ""},
    {"123 E OAK ST BLDG 3 APT # 4", "123", 123, 123, "", "E", "OAK", "ST", "", "BLDG 3 APT 4", "", "", ""},
    {"HWY 14 LOT 3", "", -1, -1, "", "", "HIGHWAY 14", "", "", "LOT 3", "", "", ""},
    {"123 Main St Apt 4 Orlando FL 32839", "123", 123, 123, "", "", "MAIN", "ST", "", "APT 4", "ORLANDO", "FL",
     "32839"},
    {"123 Duval St, Key West, FL 33040", "123", 123, 123, "", "", "DUVAL", "ST", "", "", "KEY WEST", "FL", "33040"},
    {"123 Main St, FL 2", "123", 123, 123, "", "", "MAIN", "ST", "", "FL 2", "", "", ""},
    {"123 Peachtree St N.E., Atlanta, GA 30303-1234", "123", 123, 123, "", "", "PEACHTREE", "ST", "NE", "",
     "ATLANTA", "GA", "30303-1234"},
    {"123 Ave S", "123", 123, 123, "", "", "AVENUE S", "", "", "", "", "", ""},
    {"123 Park", "123", 123, 123, "", "", "PARK", "", "", "", "", "", ""},
};

static void parts_are_split(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        geo_address a;
        geo_address_parse(parts[i].in, &a);
        print_message("%s\n", parts[i].in);
        assert_string_equal(a.number, parts[i].number);
        assert_int_equal(a.num_lo, parts[i].lo);
        assert_int_equal(a.num_hi, parts[i].hi);
        assert_string_equal(a.num_extra, parts[i].extra);
        assert_string_equal(a.predir, parts[i].predir);
        assert_string_equal(a.name, parts[i].name);
        assert_string_equal(a.suffix, parts[i].suffix);
        assert_string_equal(a.postdir, parts[i].postdir);
        assert_string_equal(a.unit, parts[i].unit);
        assert_string_equal(a.city, parts[i].city);
        assert_string_equal(a.state, parts[i].state);
        assert_string_equal(a.zip, parts[i].zip);
    }
}

static void range_and_hyphen_flags(void **state)
{
    (void)state;
    geo_address a;
    geo_address_parse("12-14 ELM ST", &a);
    assert_true(a.flags & GEO_ADDR_RANGE);
    assert_false(a.flags & GEO_ADDR_HYPHENATED);
    geo_address_parse("111-10 76TH AVE", &a);
    assert_true(a.flags & GEO_ADDR_HYPHENATED);
    assert_false(a.flags & GEO_ADDR_RANGE);
    geo_address_parse("14-12 ELM ST", &a); /* descending: not a range */
    assert_int_equal(a.num_lo, 14);
    assert_int_equal(a.num_hi, 14);
}

/* ---- the tables ------------------------------------------------------------ */

static void suffix_table_is_publication_28(void **state)
{
    (void)state;
    static const char *const avenue[] = {"AV", "AVE", "AVEN", "AVENU", "AVENUE", "AVN", "AVNUE"};
    for (size_t i = 0; i < sizeof avenue / sizeof avenue[0]; i++)
        assert_string_equal(geo_address_suffix(avenue[i]), "AVE");
    static const char *const pairs[][2] = {
        {"STREET", "ST"}, {"STRT", "ST"},  {"STR", "ST"},   {"BOULEVARD", "BLVD"}, {"BOULV", "BLVD"},
        {"CROSSING", "XING"}, {"CRSSNG", "XING"}, {"PARKWAY", "PKWY"}, {"PKY", "PKWY"}, {"PARKWAYS", "PKWY"},
        {"CURVE", "CURV"}, {"ALLEY", "ALY"}, {"WY", "WAY"}, {"CIRCLE", "CIR"}, {"CRCLE", "CIR"},
        {"EXPRESSWAY", "EXPY"}, {"HIGHWAY", "HWY"}, {"HIWAY", "HWY"}, {"MEADOW", "MDW"}, {"MEADOWS", "MDWS"},
        {"MDW", "MDW"}, {"TRAIL", "TRL"}, {"TRAILS", "TRL"}, {"CENTRE", "CTR"}, {"TERRACE", "TER"},
        {"PLACE", "PL"}, {"COURT", "CT"}, {"COVE", "CV"}, {"LANE", "LN"}, {"ROAD", "RD"}, {"DRIVE", "DR"},
        {"HEIGHTS", "HTS"}, {"HT", "HTS"}, {"PARKS", "PARK"}, {"VALLEY", "VLY"}, {"RIDGE", "RDG"},
        {"TURNPIKE", "TPKE"}, {"VIADUCT", "VIA"}, {"VISTA", "VIS"}, {"SQUARE", "SQ"}, {"FREEWAY", "FWY"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const char *got = geo_address_suffix(pairs[i][0]);
        assert_non_null(got);
        assert_string_equal(got, pairs[i][1]);
    }
    /* every standard abbreviation is its own standard (the standard form is a fixed point) */
    static const char *const std[] = {
        "ALY", "ANX", "ARC", "AVE", "BYU", "BCH", "BND", "BLF", "BLFS", "BTM", "BLVD", "BR", "BRG", "BRK",
        "BRKS", "BG", "BGS", "BYP", "CP", "CYN", "CPE", "CSWY", "CTR", "CTRS", "CIR", "CIRS", "CLF", "CLFS",
        "CLB", "CMN", "CMNS", "COR", "CORS", "CRSE", "CT", "CTS", "CV", "CVS", "CRK", "CRES", "CRST", "XING",
        "XRD", "XRDS", "CURV", "DL", "DM", "DV", "DR", "DRS", "EST", "ESTS", "EXPY", "EXT", "EXTS", "FALL",
        "FLS", "FRY", "FLD", "FLDS", "FLT", "FLTS", "FRD", "FRDS", "FRST", "FRG", "FRGS", "FRK", "FRKS", "FT",
        "FWY", "GDN", "GDNS", "GTWY", "GLN", "GLNS", "GRN", "GRNS", "GRV", "GRVS", "HBR", "HBRS", "HVN", "HTS",
        "HWY", "HL", "HLS", "HOLW", "INLT", "IS", "ISS", "ISLE", "JCT", "JCTS", "KY", "KYS", "KNL", "KNLS",
        "LK", "LKS", "LAND", "LNDG", "LN", "LGT", "LGTS", "LF", "LCK", "LCKS", "LDG", "LOOP", "MALL", "MNR",
        "MNRS", "MDW", "MDWS", "MEWS", "ML", "MLS", "MSN", "MTWY", "MT", "MTN", "MTNS", "NCK", "ORCH", "OVAL",
        "OPAS", "PARK", "PKWY", "PASS", "PSGE", "PATH", "PIKE", "PNE", "PNES", "PL", "PLN", "PLNS", "PLZ",
        "PT", "PTS", "PRT", "PRTS", "PR", "RADL", "RAMP", "RNCH", "RPD", "RPDS", "RST", "RDG", "RDGS", "RIV",
        "RD", "RDS", "RTE", "ROW", "RUE", "RUN", "SHL", "SHLS", "SHR", "SHRS", "SKWY", "SPG", "SPGS", "SPUR",
        "SQ", "SQS", "STA", "STRA", "STRM", "ST", "STS", "SMT", "TER", "TRWY", "TRCE", "TRAK", "TRFY", "TRL",
        "TRLR", "TUNL", "TPKE", "UPAS", "UN", "UNS", "VLY", "VLYS", "VIA", "VW", "VWS", "VLG", "VLGS", "VL",
        "VIS", "WALK", "WALL", "WAY", "WAYS", "WL", "WLS",
    };
    for (size_t i = 0; i < sizeof std / sizeof std[0]; i++) {
        const char *got = geo_address_suffix(std[i]);
        assert_non_null(got);
        assert_string_equal(got, std[i]);
    }
    assert_null(geo_address_suffix("OAK"));
    assert_null(geo_address_suffix("MAIN"));
    assert_null(geo_address_suffix(""));
    assert_null(geo_address_suffix("AVENUEAVENUEAVENUEAVENUEAVENUEAVENUE"));
}

static void directionals_and_states(void **state)
{
    (void)state;
    assert_string_equal(geo_address_directional("NORTH"), "N");
    assert_string_equal(geo_address_directional("SW"), "SW");
    assert_string_equal(geo_address_directional("NORTHEAST"), "NE");
    assert_null(geo_address_directional("NORTHERN"));
    assert_string_equal(geo_address_state("GEORGIA"), "GA");
    assert_string_equal(geo_address_state("GA"), "GA");
    assert_string_equal(geo_address_state("NEW YORK"), "NY");
    assert_string_equal(geo_address_state("DISTRICT OF COLUMBIA"), "DC");
    assert_string_equal(geo_address_state("PUERTO RICO"), "PR");
    assert_null(geo_address_state("ATLANTA"));
}

static void suffix_typos_are_guessed_only_when_unique(void **state)
{
    (void)state;
    static const char *const typos[][2] = {
        {"AVNEUE", "AVE"}, {"AVEUNE", "AVE"}, {"STRET", "ST"},  {"STREEET", "ST"}, {"SRTEET", "ST"},
        {"DIRVE", "DR"},   {"DRIEV", "DR"},   {"BOULEVRAD", "BLVD"}, {"PARKWYA", "PKWY"}, {"LAEN", "LN"},
        {"CIRLCE", "CIR"}, {"TERRACCE", "TER"}, {"ROAAD", "RD"}, {"COURRT", "CT"}, {"PLACCE", "PL"},
    };
    for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
        const char *got = geo_address_suffix_guess(typos[i][0]);
        if (!got || strcmp(got, typos[i][1]) != 0)
            fail_msg("%s guessed as %s, want %s", typos[i][0], got ? got : "(none)", typos[i][1]);
    }
    assert_null(geo_address_suffix_guess("AVENUE")); /* already a suffix */
    assert_null(geo_address_suffix_guess("STR"));    /* too short to guess */
    assert_null(geo_address_suffix_guess("OAK"));
    assert_null(geo_address_suffix_guess("MAGNOLIA")); /* near no suffix */
    assert_null(geo_address_suffix_guess("LOCKE"));    /* near LOCK (LCK) and LOCKS (LCKS) */
    /* all the suffixes near a word, for the matcher to check against the streets */
    const char *near[8];
    int n = geo_address_suffix_near("LOCKE", near, 8);
    assert_int_equal(n, 2);
    assert_true((!strcmp(near[0], "LCK") && !strcmp(near[1], "LCKS")) ||
                (!strcmp(near[0], "LCKS") && !strcmp(near[1], "LCK")));
    n = geo_address_suffix_near("ROD", near, 8); /* ROAD, RD; ROW */
    int rd = 0, row = 0;
    for (int k = 0; k < n; k++) {
        rd |= !strcmp(near[k], "RD");
        row |= !strcmp(near[k], "ROW");
    }
    assert_true(rd && row);
    assert_int_equal(geo_address_suffix_near("ST", near, 8), 0); /* too short */
    assert_int_equal(geo_address_suffix_near("MAGNOLIA", near, 8), 0);
}

static void one_edit(void **state)
{
    (void)state;
    assert_true(geo_address_one_edit("MAGNOLIA", "MAGNOLIA"));
    assert_true(geo_address_one_edit("MAGNOLIA", "MAGNOLA"));
    assert_true(geo_address_one_edit("MAGNOLA", "MAGNOLIA"));
    assert_true(geo_address_one_edit("MAGNOLIA", "MAGNILIA"));
    assert_true(geo_address_one_edit("MAGNOLIA", "MANGOLIA"));
    assert_true(geo_address_one_edit("MAGNOLIA", "MAGNOLIAS"));
    assert_false(geo_address_one_edit("MAGNOLIA", "MANGOLAI"));
    assert_false(geo_address_one_edit("OAK", "OAKLAND"));
    assert_false(geo_address_one_edit("ELM", "ASH"));
    assert_true(geo_address_one_edit("", "A"));
}

/* ---- robustness ------------------------------------------------------------ */

static void empty_and_null(void **state)
{
    (void)state;
    geo_address a;
    const char *empties[] = {NULL, "", "   ", ",,,", ". - #", "\t\n"};
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        geo_address_parse(empties[i], &a);
        assert_string_equal(a.street, "");
        assert_string_equal(a.number, "");
        assert_int_equal(a.num_lo, -1);
        char out[8];
        assert_int_equal(geo_address_format(&a, out, sizeof out), 0);
    }
}

static void long_input_is_cut_not_overrun(void **state)
{
    (void)state;
    char big[4096];
    size_t n = 0;
    n += (size_t)snprintf(big + n, sizeof big - n, "123 ");
    while (n + 40 < sizeof big)
        n += (size_t)snprintf(big + n, sizeof big - n, "VERYLONGSTREETNAMEWORDTHATGOESONANDONANDON ");
    geo_address a;
    geo_address_parse(big, &a);
    assert_true(a.flags & GEO_ADDR_TRUNCATED);
    assert_string_equal(a.number, "123");
    assert_true(strlen(a.name) < sizeof a.name);
    assert_true(strlen(a.street) < sizeof a.street);
    char small[16];
    size_t want = geo_address_format(&a, small, sizeof small);
    assert_true(want > sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
}

/* Random bytes (all 256 values) and random sequences of address words:
 * never a crash or an unterminated field (run under ASan in CI's sanitizer
 * build), and the street is always its parts joined. */
static void random_input_is_safe(void **state)
{
    (void)state;
    static const char *const words[] = {"123", "12-14", "1/2", "N", "NORTH", "ST", "STREET", "AVE", "APT", "#",
                                        "4B", "LOT", "OAK", "HWY", "14", "CR", "FL", "GA", "30303", ",", ".",
                                        "-", "FIRST", "TWENTY", "KEY", "WEST", "REAR", "I-40", "A", "USA"};
    uint64_t x = 88172645463325252ULL;
    for (int it = 0; it < 20000; it++) {
        char s[300];
        size_t n = 0;
        if (it % 2) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            size_t len = (size_t)(x % 200);
            for (; n < len; n++) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                s[n] = (char)(1 + x % 255);
            }
            s[n] = '\0';
        } else {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            int k = 1 + (int)(x % 10);
            s[0] = '\0';
            for (int j = 0; j < k; j++) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                strcat(s, words[x % (sizeof words / sizeof words[0])]);
                strcat(s, x & 64 ? " " : "");
            }
        }
        geo_address a;
        geo_address_parse(s, &a);
        assert_true(memchr(a.street, '\0', sizeof a.street) != NULL);
        assert_true(memchr(a.unit, '\0', sizeof a.unit) != NULL);
        assert_true(memchr(a.city, '\0', sizeof a.city) != NULL);
        char joined[GEO_ADDR_STREET_MAX + 8] = "";
        const char *p[4] = {a.predir, a.name, a.suffix, a.postdir};
        for (int j = 0; j < 4; j++)
            if (p[j][0]) {
                if (joined[0])
                    strcat(joined, " ");
                strcat(joined, p[j]);
            }
        if (!(a.flags & GEO_ADDR_TRUNCATED))
            assert_string_equal(a.street, joined);
        char out[512];
        geo_address_format(&a, out, sizeof out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_world_variants_standardise),
        cmocka_unit_test(standard_form_parses_to_itself),
        cmocka_unit_test(parts_are_split),
        cmocka_unit_test(range_and_hyphen_flags),
        cmocka_unit_test(suffix_table_is_publication_28),
        cmocka_unit_test(directionals_and_states),
        cmocka_unit_test(suffix_typos_are_guessed_only_when_unique),
        cmocka_unit_test(one_edit),
        cmocka_unit_test(empty_and_null),
        cmocka_unit_test(long_input_is_cut_not_overrun),
        cmocka_unit_test(random_input_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
