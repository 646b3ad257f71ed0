/* Layering probe: a file of pipeline/ (the library) including a header of the command line (pipeline/cli, the executable only) must not compile. */
#include "cli.h"
