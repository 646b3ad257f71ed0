/* Layering probe: a file of base/ including a header of geo must not compile. */
#include "layer.h"
