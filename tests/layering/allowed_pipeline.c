/* Layering probe: a file of pipeline/ may include every layer below it. */
#include "config.h"
#include "feature_table.h"
#include "layer.h"
#include "status.h"
