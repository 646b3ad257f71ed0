/*
 * status.h — the one error type of firerisk.
 *
 * Every fallible function in geo/ and models/ returns an fr_status and, on
 * failure, fills an fr_error with a message that names the file, layer,
 * feature and field involved.  Library code never prints: the CLI in
 * pipeline/ decides what the user sees and which exit code the run ends with.
 *
 * It lives in base/, the layer below geo/ and models/, because it has no
 * domain content and both build on it (docs/DEVELOPING.md).
 *
 * The X-macro keeps the enum, its names and its exit codes in one list.
 * Exit codes stay clear of 124-127 and 128+N (timeout and signal codes).
 */
#ifndef FR_STATUS_H
#define FR_STATUS_H

#include <stdarg.h>

/*        name                 exit  meaning */
#define FR_STATUS_MAP(X)                                                  \
    X(FR_OK,                    0, "ok")                                   \
    X(FR_E_USAGE,               1, "usage or configuration error")         \
    X(FR_E_CONFIG,              1, "configuration error")                  \
    X(FR_E_INPUT,               2, "input data error")                     \
    X(FR_E_OUTPUT,              3, "output or I/O error")                  \
    X(FR_E_BUSY,                5, "output directory locked by another run") \
    X(FR_E_HELD,                6, "run held by a quality check")          \
    X(FR_E_MEMORY,              4, "out of memory")                        \
    X(FR_E_INTERNAL,            4, "internal error")

typedef enum {
#define FR_STATUS_ENUM(name, code, text) name,
    FR_STATUS_MAP(FR_STATUS_ENUM)
#undef FR_STATUS_ENUM
} fr_status;

/* Filled by the function that fails; the caller may add context with
 * fr_error_prefix().  Fixed size so that filling it can never fail. */
typedef struct {
    fr_status status;
    char message[1024];
} fr_error;

/* Short, stable name of a status ("input data error"). */
const char *fr_status_text(fr_status s);

/* Process exit code for a status (0 ok, 1 usage/config, 2 input, 3 output,
 * 4 internal, 5 output directory locked by another run, 6 run held by a
 * quality check: outputs not published). */
int fr_status_exit_code(fr_status s);

/* Sets err (if not NULL) to status s with a printf-style message and returns s,
 * so that a failure path reads `return fr_error_set(err, FR_E_INPUT, ...)`. */
fr_status fr_error_set(fr_error *err, fr_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets err to FR_E_MEMORY, "out of memory", and returns FR_E_MEMORY: the one
 * line of every allocation check, `if (!p) return fr_error_oom(err);`. */
fr_status fr_error_oom(fr_error *err);

/* The same with what was being done: "out of memory " + the formatted text,
 * e.g. fr_error_oom_while(err, "reading %s", path). */
fr_status fr_error_oom_while(fr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prepends "context: " to an existing message (keeps the status). */
void fr_error_prefix(fr_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
