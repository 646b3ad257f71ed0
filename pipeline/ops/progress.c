/*
 * progress.c — the terminal progress bar (see progress.h).
 *
 * One redraw thread instead of drawing from the stages: the stages are
 * long OpenMP loops and GDAL calls that cannot be interrupted to draw, and
 * a thread that wakes every 100 ms costs nothing measurable.  The state is
 * a few fields under a mutex; fr_progress_fraction is called rarely (per
 * file or per layer), so the lock is never contended.
 */
#include "progress.h"
#include "clock.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIRST_DRAW_AFTER 1.0   /* seconds a stage runs before its bar appears */
#define REDRAW_EVERY 0.25      /* seconds between redraws (at most 4 a second) */
#define BAR_WIDTH 14
#define ITEM_WIDTH 22          /* the item is cut to this many bytes (the line fits 80 columns) */
#define ETA_AFTER 1.0          /* seconds an item runs before its time left is estimated */

struct fr_progress {
    FILE *fp;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    char name[32];
    int index, count;
    char item[128];     /* what the stage works on now, or "" */
    double fraction;    /* < 0: unknown */
    double stage_start; /* monotonic seconds */
    double item_start;  /* monotonic seconds: when the item (or the stage) began */
    int shown;          /* a line is on the terminal */
    double first_draw;  /* FIRST_DRAW_AFTER, or FIRERISK_PROGRESS_AFTER (the tests set 0) */
    double last_draw;   /* monotonic seconds of the last draw */
    unsigned tick;
};

/* "1:05" or "1:02:05". */
static void clock_text(char *buf, size_t size, double seconds)
{
    if (seconds > 35999)
        seconds = 35999; /* 9:59:59 at most: the line fits 80 columns */
    int t = (int)(seconds + 0.5);
    if (t >= 3600)
        snprintf(buf, size, "%d:%02d:%02d", t / 3600 % 10, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%d:%02d", t / 60 % 60, t % 60);
}

char *fr_progress_format(char *buf, size_t size, const char *name, const char *item, int index, int count,
                         double fraction, double seconds, double eta, unsigned tick)
{
    char bar[BAR_WIDTH + 1];
    if (fraction >= 0) {
        if (fraction > 1)
            fraction = 1;
        int full = (int)(fraction * BAR_WIDTH + 0.5);
        for (int k = 0; k < BAR_WIDTH; k++)
            bar[k] = k < full ? '#' : '-';
    } else {
        /* Unknown share: a block of 5 bouncing between the ends. */
        int span = BAR_WIDTH - 5, pos = (int)(tick % (unsigned)(2 * span));
        if (pos > span)
            pos = 2 * span - pos;
        for (int k = 0; k < BAR_WIDTH; k++)
            bar[k] = k >= pos && k < pos + 5 ? '#' : '-';
    }
    bar[BAR_WIDTH] = '\0';
    char what[ITEM_WIDTH + 8] = "";
    if (item && item[0]) {
        size_t n = strlen(item);
        /* the end of a long name (the file) says more than its start */
        if (n > ITEM_WIDTH)
            snprintf(what, sizeof what, " ...%s", item + n - (ITEM_WIDTH - 3));
        else
            snprintf(what, sizeof what, " %s", item);
    }
    char pct[8] = "    ", left[32] = "";
    if (fraction >= 0)
        snprintf(pct, sizeof pct, "%3d%%", (int)(fraction * 100));
    if (fraction >= 0 && eta >= 0) {
        char c[24];
        clock_text(c, sizeof c, eta);
        snprintf(left, sizeof left, " %s left", c);
    }
    /* with an estimate, the time left replaces the time spent (80 columns) */
    if (left[0])
        snprintf(buf, size, "firerisk %d/%d %s%s [%s] %s%s", index, count, name, what, bar, pct, left);
    else
        snprintf(buf, size, "firerisk %d/%d %s%s [%s] %s %.1fs", index, count, name, what, bar, pct, seconds);
    return buf;
}

/* Called with the lock held. */
static void draw(fr_progress *p)
{
    double t = fr_clock_seconds() - p->stage_start;
    if (!p->name[0] || t < p->first_draw)
        return;
    p->last_draw = fr_clock_seconds();
    char line[160];
    /* time left at the pace of the current item so far */
    double it = fr_clock_seconds() - p->item_start, eta = -1;
    if (p->fraction >= 0.01 && it >= ETA_AFTER)
        eta = it * (1 - p->fraction) / p->fraction;
    fr_progress_format(line, sizeof line, p->name, p->item, p->index, p->count, p->fraction, t, eta, p->tick++);
    /* \r + erase-line: the bar rewrites itself in place; the \r after it
     * leaves the cursor at the start of the line, so that a warning printed
     * meanwhile by other code overwrites the bar instead of following it. */
    fprintf(p->fp, "\r\033[K%s\r", line);
    fflush(p->fp);
    p->shown = 1;
}

static void erase(fr_progress *p)
{
    if (!p->shown)
        return;
    fputs("\r\033[K", p->fp);
    fflush(p->fp);
    p->shown = 0;
}

static void *loop(void *arg)
{
    fr_progress *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long ns = ts.tv_nsec + (long)(REDRAW_EVERY * 1e9);
        ts.tv_sec += ns / 1000000000L;
        ts.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&p->cv, &p->mu, &ts);
        if (!p->stop)
            draw(p);
    }
    erase(p);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

fr_progress *fr_progress_new(FILE *fp)
{
    fr_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->fp = fp;
    p->fraction = -1;
    p->stage_start = p->item_start = fr_clock_seconds();
    const char *after = getenv("FIRERISK_PROGRESS_AFTER");
    p->first_draw = after && *after ? atof(after) : FIRST_DRAW_AFTER;
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        return NULL;
    }
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        free(p);
        return NULL;
    }
    if (pthread_create(&p->thread, NULL, loop, p) != 0) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        free(p);
        return NULL;
    }
    return p;
}

void fr_progress_stage(fr_progress *p, const char *name, int index, int count)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    erase(p); /* the previous stage's line must not linger under the new name */
    snprintf(p->name, sizeof p->name, "%s", name ? name : "");
    p->index = index;
    p->count = count;
    p->item[0] = '\0';
    p->fraction = -1;
    p->stage_start = p->item_start = fr_clock_seconds();
    p->tick = 0;
    pthread_mutex_unlock(&p->mu);
}

void fr_progress_item(fr_progress *p, const char *item)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    snprintf(p->item, sizeof p->item, "%s", item ? item : "");
    p->fraction = -1;
    p->item_start = fr_clock_seconds();
    draw(p); /* the new item at once (if the stage has run long enough to show) */
    pthread_mutex_unlock(&p->mu);
}

void fr_progress_fraction(fr_progress *p, double fraction)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    int was = p->fraction < 0 ? -1 : (int)(p->fraction * 100);
    p->fraction = fraction < 0 ? 0 : fraction;
    /* a new whole percent is drawn now, not up to REDRAW_EVERY later */
    if ((int)(p->fraction * 100) != was || fr_clock_seconds() - p->last_draw >= REDRAW_EVERY)
        draw(p);
    pthread_mutex_unlock(&p->mu);
}

void fr_progress_free(fr_progress *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
