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
#define BAR_WIDTH 30

struct fr_progress {
    FILE *fp;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    char name[32];
    int index, count;
    double fraction;    /* < 0: unknown */
    double stage_start; /* monotonic seconds */
    int shown;          /* a line is on the terminal */
    unsigned tick;
};

char *fr_progress_format(char *buf, size_t size, const char *name, int index, int count, double fraction,
                         double seconds, unsigned tick)
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
    if (fraction >= 0)
        snprintf(buf, size, "firerisk %d/%d %-9s [%s] %3d%% %6.1fs", index, count, name, bar,
                 (int)(fraction * 100), seconds);
    else
        snprintf(buf, size, "firerisk %d/%d %-9s [%s]      %6.1fs", index, count, name, bar, seconds);
    return buf;
}

/* Called with the lock held. */
static void draw(fr_progress *p)
{
    double t = fr_clock_seconds() - p->stage_start;
    if (!p->name[0] || t < FIRST_DRAW_AFTER)
        return;
    char line[128];
    fr_progress_format(line, sizeof line, p->name, p->index, p->count, p->fraction, t, p->tick++);
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
    p->stage_start = fr_clock_seconds();
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
    p->fraction = -1;
    p->stage_start = fr_clock_seconds();
    p->tick = 0;
    pthread_mutex_unlock(&p->mu);
}

void fr_progress_fraction(fr_progress *p, double fraction)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->fraction = fraction < 0 ? 0 : fraction;
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
