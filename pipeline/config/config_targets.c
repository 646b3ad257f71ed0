/*
 * config_targets.c — the key table of targets: (docs/CONFIG.md): the
 * revisit rule that decides which homes are due a visit.  A home visited
 * recently (an inspection, or a record of layers.visits) is left off the
 * target list until its revisit window has passed; the list fills from
 * further down the ranking (pipeline/run/run_visits.c).
 */
#include "config_keys.h"

static const char *const allocations[] = {"rank", "proportional", NULL};

static const cfg_key targets_keys[] = {
    {"revisit_after_days", CFG_WHOLE, offsetof(cfg_targets, revisit_after_days), .min = 0, .max = 36500,
     .def = "365",
     .help = "a home whose last visit (an inspection or a `layers.visits` record, on or before `as_of`) is fewer "
             "than this many days before `as_of` is left off the target list (it keeps its rank and score in the "
             "map layers); 0 = a completed visit holds no home back"},
    {"failed_revisit_days", CFG_WHOLE, offsetof(cfg_targets, failed_revisit_days), .min = 0, .max = 36500,
     .def = "90",
     .help = "the window instead when that last visit failed (a failed inspection, or a visit outcome of "
             "`failed_outcomes`): the home is due again sooner; 0 = a failed visit holds no home back"},
    {"done_outcomes", CFG_TEXT_LIST, offsetof(cfg_targets, done_outcomes), offsetof(cfg_targets, ndone_outcomes),
     .def = "[COMPLETED, COMPLETE, DONE, PASS, PASSED, INSTALLED, VISITED, OK]",
     .help = "`layers.visits` outcomes (case-insensitive) of a visit that was made"},
    {"failed_outcomes", CFG_TEXT_LIST, offsetof(cfg_targets, failed_outcomes),
     offsetof(cfg_targets, nfailed_outcomes),
     .def = "[FAILED, FAIL, NO ANSWER, NOT HOME, NO ACCESS, REFUSED, INCOMPLETE]",
     .help = "`layers.visits` outcomes of a visit that must be made again; an outcome in neither list rejects "
             "the record (`unknown_outcome`); without a mapped `outcome`, every visit counts as made"},
    {"allocation", CFG_CHOICE, offsetof(cfg_targets, allocation), .choices = allocations, .def = "rank",
     .help = "`rank`: the list is the first homes due by rank; `proportional`: the list is split across block "
             "groups in proportion to the sum of their homes' predicted risk (largest-remainder rounding; an "
             "area without risk gets none), then by rank inside each (needs `layers.block_groups`; not with "
             "`output.capacity_per_zone`) ([EQUITY.md](EQUITY.md))"},
    {"equity_ratio", CFG_NUMBER, offsetof(cfg_targets, equity_ratio), .min = 1, .max = 1000, .def = "1.5",
     .help = "`equity.csv` flags an area whose share of the targets is more than this many times its share of "
             "the predicted risk (`over`), or less than its inverse (`under`)"},
};
const cfg_section cfg_targets_section = {CFG_SECTION_OF(targets_keys)};
