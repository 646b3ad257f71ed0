/* Layering probe: a file of models/ including a header of GDAL must not compile. */
#include "gdal.h"
