/* Layering probe: a file of geo/ including a header of models must not compile. */
#include "feature_table.h"
