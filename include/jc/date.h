#ifndef JC_DATE_H
#define JC_DATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Calendar dates (proleptic Gregorian, no time of day). Legal deadlines are
 * dates in Europe/Copenhagen, so this is what rules compute with.
 *
 * Month arithmetic clamps to the end of the month:
 *   2026-08-31 + 6 months = 2027-02-28,  2024-08-31 + 6 months = 2025-02-28,
 *   2023-08-31 + 6 months = 2024-02-29,  2026-01-31 + 1 month  = 2026-02-28.
 */
typedef struct jc_date {
        int year;  /* 1..9999 */
        int month; /* 1..12 */
        int day;   /* 1..31 */
} jc_date;

#define JC_DATE_STRLEN 11 /* "YYYY-MM-DD" + NUL */

int jc_date_is_leap_year(int year);
int jc_date_days_in_month(int year, int month);
int jc_date_is_valid(int year, int month, int day);
/* Parses exactly "YYYY-MM-DD" (a real calendar date). Returns 0 or -1. */
int jc_date_parse(const char *s, jc_date *out);
/* Same, for the first `n` bytes of `s` (n must be 10). */
int jc_date_parse_n(const char *s, size_t n, jc_date *out);
void jc_date_format(jc_date d, char out[JC_DATE_STRLEN]);

/* Days since 1970-01-01 (negative before). */
int32_t jc_date_to_days(jc_date d);
jc_date jc_date_from_days(int32_t days);
/* ISO weekday: 1 = Monday … 7 = Sunday. */
int jc_date_weekday(jc_date d);
/* <0, 0, >0 like strcmp. */
int jc_date_cmp(jc_date a, jc_date b);
/* b - a in days. */
int32_t jc_date_diff_days(jc_date a, jc_date b);

jc_date jc_date_add_days(jc_date d, int32_t n);
jc_date jc_date_add_weeks(jc_date d, int32_t n);
jc_date jc_date_add_months(jc_date d, int32_t n);

/* Today's date in Europe/Copenhagen (CET/CEST by the EU rule). */
jc_date jc_date_today_copenhagen(void);
/* The Europe/Copenhagen date of a Unix time in seconds. */
jc_date jc_date_copenhagen_from_unix(int64_t unix_seconds);
/* UTC offset of Europe/Copenhagen in seconds at a Unix time (3600 or 7200). */
int jc_copenhagen_utc_offset(int64_t unix_seconds);

#endif
