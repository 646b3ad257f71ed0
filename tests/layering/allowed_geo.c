/* Layering probe: a file of geo/ may include its own layer and base/. */
#include "layer.h"
#include "status.h"
#include <gdal.h>
#include <geos_c.h>
