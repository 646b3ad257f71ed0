/*
 * log.h — what firerisk tells the person or scheduler that runs it, on
 * stderr: plain lines for people (`firerisk: warning: ...`, the summary),
 * or one JSON object per line (`--log-format json`) for schedulers and log
 * collectors.
 *
 * JSON lines always carry "time" (UTC, ISO 8601 with milliseconds),
 * "level" (info, warning, error), "event" (a stable name: run_started,
 * stale_lock, recovered, inputs_changed, outputs_kept, run_finished,
 * run_failed...), "pid" and "message"; run_finished and run_failed add
 * "exit_code" and the counts.  docs/OPERATIONS.md lists the events.
 */
#ifndef FR_LOG_H
#define FR_LOG_H

#include <stdio.h>

#include "run.h"
#include "status.h"

typedef enum { FR_LOG_TEXT, FR_LOG_JSON } fr_log_format;
typedef enum { FR_LOG_INFO, FR_LOG_WARNING, FR_LOG_ERROR } fr_log_level;

typedef struct fr_log {
    fr_log_format format;
    FILE *fp;   /* stderr */
    int quiet;  /* drop info events (warnings and errors are always written) */
} fr_log;

/* "text" or "json" into *format; -1 if neither. */
int fr_log_parse_format(const char *text, fr_log_format *format);

/* One event.  log may be NULL (nothing written). */
void fr_log_event(const fr_log *log, fr_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The end of a successful run: the summary (text) or a run_finished event
 * with every count (json).  manifest: path of the run manifest, or NULL. */
void fr_log_run_finished(const fr_log *log, const fr_run_summary *s, const char *manifest);

/* The end of a failed command: message and exit code. */
void fr_log_failed(const fr_log *log, const char *command, fr_status st, const fr_error *err);

#endif
