/* Layering probe: a file of models/ including a header of geo must not compile. */
#include "layer.h"
