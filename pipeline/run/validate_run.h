/*
 * validate_run.h — `firerisk validate`: everything `run` would check and
 * read, and what its joins would do, without writing any output.
 *
 * For the person setting up a nightly job: the config loads (or the exact
 * key and line that does not), every source opens with its layer, fields
 * and CRS, how many records each has and how many the reader would reject
 * (and why), the date range of each dated layer, and how the inspections
 * and incidents would match the parcels.  Fails with the same statuses (so
 * the same exit codes) as `run` would on the same config.
 */
#ifndef FR_VALIDATE_RUN_H
#define FR_VALIDATE_RUN_H

#include "status.h"

typedef struct {
    const char *config_path; /* "-" = stdin */
    const char *as_of;       /* YYYY-MM-DD overriding the config's as_of; NULL = config or today */
    int threads;             /* 0 = OpenMP default */
} fr_validate_options;

/* On FR_OK *report is the report (malloc'd text; the caller frees it).
 * On failure *report may hold what was checked before the failure (or
 * NULL), and err says what failed. */
fr_status fr_validate(const fr_validate_options *opt, char **report, fr_error *err);

#endif
