/* Layering probe: a file of base/ including a header of models must not compile. */
#include "feature_table.h"
