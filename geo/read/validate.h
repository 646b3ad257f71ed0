/*
 * validate.h — GEOS validity of every polygon of a layer, with repair.
 *
 * Real parcel exports carry bow-ties, self-touching rings and slivers.  The
 * joins need valid polygons (containment and distance are undefined on
 * invalid ones), so every polygon is checked with GEOSisValid in parallel
 * (one GEOS context per thread); an invalid one is repaired with
 * GEOSMakeValid, keeping its polygonal part, and counted; one with nothing
 * polygonal left is removed and rejected.
 */
#ifndef GEO_VALIDATE_H
#define GEO_VALIDATE_H

#include <stddef.h>

#include "layer.h"
#include "rejects.h"
#include "status.h"

/* Checks and repairs layer (a GEO_GEOM_POLYGON layer) in place.  Each
 * repaired feature gets a "repaired_geometry" entry in warnings; each
 * removed one an "invalid_geometry" entry in rejects.  *repaired and
 * *removed count them. */
fr_status geo_layer_make_valid(geo_layer *layer, geo_rejects *rejects, geo_rejects *warnings, size_t *repaired,
                               size_t *removed, fr_error *err);

#endif
