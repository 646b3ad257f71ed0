/*
 * fuzz_address.c — libFuzzer target: the address normaliser
 * (geo/address/address_norm.h) and the address matcher (geo/join/join_address.c) on
 * arbitrary text.  Invariants: no out-of-bounds access (ASan); every field
 * a C string inside its array; the street is its parts joined by single
 * spaces (unless the input was cut); the standard form fits the size
 * geo_address_format reports; the matcher, against a small parcel index,
 * answers an address method only with a parcel, and a reason otherwise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address_norm.h"
#include "join.h"
#include "layer.h"
#include "fuzz_target.h"

static geo_address_index *fuzz_index(void)
{
    static geo_address_index *ix;
    static int built;
    if (built)
        return ix;
    built = 1;
    static const char *const addresses[] = {"100 E OAK ST", "102 E OAK ST", "100 W OAK ST", "100 E OAK AVE",
                                            "7 PINE LN", "7 PINE LN", "200-210 CEDAR RD", "12 1/2 ELM ST",
                                            "4275 NORTHEAST EXPY", "455 HEMLOCK DR, PINE LAKE, GA 30072"};
    geo_layer *l = geo_layer_new("parcels", "fuzz", "fuzz", GEO_GEOM_NONE);
    size_t col, k;
    if (!l || geo_layer_add_column(l, "address", "a", GEO_COL_STRING, &col, NULL) != FR_OK)
        abort();
    for (size_t i = 0; i < sizeof addresses / sizeof addresses[0]; i++)
        if (geo_layer_add_feature(l, (int64_t)i, &k, NULL) != FR_OK ||
            geo_layer_set_string(l, col, k, addresses[i], NULL) != FR_OK)
            abort();
    if (geo_address_index_build(l, (int)col, &ix, NULL) != FR_OK)
        abort();
    geo_layer_free(l);
    return ix;
}

static void check_string(const char *s, size_t size)
{
    if (!memchr(s, '\0', size))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    geo_address a;
    geo_address_parse(text, &a);
    check_string(a.number, sizeof a.number);
    check_string(a.name, sizeof a.name);
    check_string(a.unit, sizeof a.unit);
    check_string(a.city, sizeof a.city);
    check_string(a.street, sizeof a.street);
    check_string(a.suffix_written, sizeof a.suffix_written);
    if (!(a.flags & GEO_ADDR_TRUNCATED)) {
        char joined[GEO_ADDR_STREET_MAX + 16] = "";
        const char *parts[4] = {a.predir, a.name, a.suffix, a.postdir};
        for (int k = 0; k < 4; k++)
            if (parts[k][0]) {
                if (joined[0])
                    strcat(joined, " ");
                strcat(joined, parts[k]);
            }
        if (strcmp(joined, a.street) != 0)
            abort();
    }
    char out[512];
    size_t want = geo_address_format(&a, out, sizeof out);
    if (want < sizeof out && strlen(out) != want)
        abort();
    geo_match m;
    geo_match_address(fuzz_index(), text, 10, &m);
    if ((m.method == GEO_MATCH_ADDRESS || m.method == GEO_MATCH_ADDRESS_NEAR) != (m.parcel >= 0))
        abort();
    if (m.parcel < 0 && m.why == GEO_UNMATCHED_NONE)
        abort();
    if (m.confidence < 0.0f || m.confidence > 1.0f)
        abort();
    free(text);
    return 0;
}
