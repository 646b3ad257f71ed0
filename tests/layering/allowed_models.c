/* Layering probe: a file of models/ may include its own layer and base/. */
#include "dates.h"
#include "feature_table.h"
#include "gbdt.h"
