/* Layering probe: a file of geo/ including a header of pipeline must not compile. */
#include "config.h"
