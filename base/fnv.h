/*
 * fnv.h — FNV-1a, the 64-bit hash of a few bytes that the project's hash
 * tables (parcel ids, interned texts) and its id-seeded random scores use:
 * short keys, no adversary, and the same value on every machine.
 */
#ifndef FR_FNV_H
#define FR_FNV_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t fr_fnv1a(const void *bytes, size_t n)
{
    const unsigned char *s = bytes;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}

#endif
