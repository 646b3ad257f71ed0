/* Layering probe: a file of models/ including a header of pipeline must not compile. */
#include "run.h"
