#ifndef JC_CALENDAR_H
#define JC_CALENDAR_H

#include <stddef.h>

#include "jc/date.h"

/*
 * The Danish calendar for deadlines.
 *
 * Public holidays (helligdage) come from an effective-dated table in
 * calendar.c: fixed dates (New Year's Day, Christmas Day, Boxing Day) and
 * Easter-based ones (Maundy Thursday, Good Friday, Easter Sunday and Monday,
 * Great Prayer Day until 2023 only, Ascension Day, Whit Sunday and Monday).
 *
 * A jobcentre also closes on days that are not public holidays (Constitution
 * Day 5 June, Christmas Eve, New Year's Eve, local closing days). Those are
 * configuration: a comma-separated list of "MM-DD" (every year) and
 * "YYYY-MM-DD" (one day), e.g. "06-05,12-24,12-31,2026-11-23".
 *
 * A working day (hverdag) is Monday–Friday that is neither a public holiday
 * nor a configured closing day.
 */

#define JC_CALENDAR_MAX_CLOSED 64

typedef struct jc_calendar {
        size_t nclosed;
        struct {
                int year; /* 0 = every year */
                int month;
                int day;
        } closed[JC_CALENDAR_MAX_CLOSED];
} jc_calendar;

typedef struct jc_holiday {
        jc_date date;
        const char *name_da; /* static strings */
        const char *name_en;
} jc_holiday;

/* Parses `closed_days` (may be NULL or ""). On error writes a message naming
 * the bad entry to `err` and returns -1. */
int jc_calendar_init(jc_calendar *cal, const char *closed_days, char *err,
                     size_t errlen);

/* Easter Sunday of `year` (Gregorian computus). */
jc_date jc_easter_sunday(int year);

/* 1 when `d` is a Danish public holiday; `name_en` (optional) gets its name. */
int jc_is_public_holiday(jc_date d, const char **name_en);

/* The public holidays of `year` in date order; returns how many were written
 * (at most `max`). */
size_t jc_public_holidays(int year, jc_holiday *out, size_t max);

int jc_calendar_is_closed_day(const jc_calendar *cal, jc_date d);
int jc_calendar_is_working_day(const jc_calendar *cal, jc_date d);

/* The n-th working day after `d` (n > 0), before `d` (n < 0), or `d` itself
 * (n == 0). "Within 5 working days of D" is jc_calendar_add_working_days(D, 5). */
jc_date jc_calendar_add_working_days(const jc_calendar *cal, jc_date d, int n);

/* `d` when it is a working day, else the next working day after it. */
jc_date jc_calendar_next_working_day(const jc_calendar *cal, jc_date d);
/* `d` when it is a working day, else the last working day before it. */
jc_date jc_calendar_prev_working_day(const jc_calendar *cal, jc_date d);

/* Working days in the half-open range (a, b]; negative when b < a. */
int jc_calendar_working_days_between(const jc_calendar *cal, jc_date a,
                                     jc_date b);

#endif
