/*
 * log.c — text and JSON-lines events on stderr (see log.h).  JSON is built
 * with json-c, which escapes every string, so a file name with quotes or
 * control characters cannot break a line a log collector parses.
 */
#include "log.h"

#include <stdarg.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

static const char *const level_names[] = {"info", "warning", "error"};
static const char *const stage_names[FR_STAGE_COUNT] = {"read", "join", "features", "score", "write"};

int fr_log_parse_format(const char *text, fr_log_format *format)
{
    if (!strcmp(text, "text"))
        *format = FR_LOG_TEXT;
    else if (!strcmp(text, "json"))
        *format = FR_LOG_JSON;
    else
        return -1;
    return 0;
}

static json_object *event_object(fr_log_level level, const char *event, const char *message)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    time_t t = tv.tv_sec;
    gmtime_r(&t, &tm);
    char when[40], stamp[48];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp, sizeof stamp, "%s.%03dZ", when, (int)(tv.tv_usec / 1000));
    json_object *o = json_object_new_object();
    json_object_object_add(o, "time", json_object_new_string(stamp));
    json_object_object_add(o, "level", json_object_new_string(level_names[level]));
    json_object_object_add(o, "event", json_object_new_string(event));
    json_object_object_add(o, "pid", json_object_new_int64((int64_t)getpid()));
    json_object_object_add(o, "message", json_object_new_string(message));
    return o;
}

static void emit(const fr_log *log, json_object *o)
{
    fprintf(log->fp, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    fflush(log->fp);
    json_object_put(o);
}

void fr_log_event(const fr_log *log, fr_log_level level, const char *event, const char *fmt, ...)
{
    if (!log || (log->quiet && level == FR_LOG_INFO))
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (log->format == FR_LOG_JSON) {
        emit(log, event_object(level, event, msg));
        return;
    }
    fprintf(log->fp, "firerisk: %s%s\n", level == FR_LOG_INFO ? "" : level == FR_LOG_WARNING ? "warning: " : "error: ",
            msg);
}

static json_object *seconds(double v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.3f", v);
    return json_object_new_double_s(v, buf);
}

void fr_log_run_finished(const fr_log *log, const fr_run_summary *s, const char *manifest)
{
    if (!log || log->quiet)
        return;
    if (log->format == FR_LOG_TEXT) {
        fr_summary_print(s, log->fp);
        return;
    }
    char msg[1400];
    snprintf(msg, sizeof msg, "%zu ranked parcels, %zu targets, %zu rejected records written to %s", s->parcels_written,
             s->targets_written, s->total_rejects, s->out_dir);
    json_object *o = event_object(FR_LOG_INFO, "run_finished", msg);
    json_object_object_add(o, "exit_code", json_object_new_int(0));
    json_object_object_add(o, "as_of", json_object_new_string(s->as_of));
    json_object_object_add(o, "out_dir", json_object_new_string(s->out_dir));
    if (manifest)
        json_object_object_add(o, "manifest", json_object_new_string(manifest));
    json_object_object_add(o, "parcels_written", json_object_new_int64((int64_t)s->parcels_written));
    json_object_object_add(o, "targets_written", json_object_new_int64((int64_t)s->targets_written));
    json_object_object_add(o, "rejected", json_object_new_int64((int64_t)s->total_rejects));
    json_object *layers = json_object_new_object();
    for (size_t k = 0; k < s->nlayers; k++) {
        const fr_layer_counts *c = &s->layers[k];
        if (!c->present)
            continue;
        json_object *l = json_object_new_object();
        json_object_object_add(l, "read", json_object_new_int64((int64_t)c->read));
        json_object_object_add(l, "used", json_object_new_int64((int64_t)c->used));
        json_object_object_add(l, "rejected", json_object_new_int64((int64_t)c->rejected));
        json_object_object_add(layers, c->name, l);
    }
    json_object_object_add(o, "layers", layers);
    json_object *secs = json_object_new_object();
    for (int k = 0; k < FR_STAGE_COUNT; k++)
        json_object_object_add(secs, stage_names[k], seconds(s->seconds[k]));
    json_object_object_add(o, "seconds", secs);
    emit(log, o);
}

void fr_log_failed(const fr_log *log, const char *command, fr_status st, const fr_error *err)
{
    const char *msg = err && err->message[0] ? err->message : fr_status_text(st);
    if (!log || log->format == FR_LOG_TEXT) {
        fprintf(log ? log->fp : stderr, "firerisk: error: %s\n", msg);
        return;
    }
    char text[1400];
    snprintf(text, sizeof text, "%s", msg);
    json_object *o = event_object(FR_LOG_ERROR, command && !strcmp(command, "run") ? "run_failed" : "command_failed", text);
    json_object_object_add(o, "exit_code", json_object_new_int(fr_status_exit_code(st)));
    json_object_object_add(o, "status", json_object_new_string(fr_status_text(st)));
    emit(log, o);
}
