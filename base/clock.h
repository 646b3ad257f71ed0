/*
 * clock.h — the monotonic clock of the stage timings and the progress bar.
 */
#ifndef FR_CLOCK_H
#define FR_CLOCK_H

/* Seconds on CLOCK_MONOTONIC: only differences mean anything; never goes back
 * when the wall clock is set (NTP at night). */
double fr_clock_seconds(void);

#endif
