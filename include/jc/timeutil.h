#ifndef JC_TIMEUTIL_H
#define JC_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

struct jc_date;

/* Milliseconds on the monotonic clock (for deadlines and durations). */
int64_t jc_time_mono_ms(void);
/* Milliseconds since the Unix epoch (wall clock). */
int64_t jc_time_wall_ms(void);
/* Writes the current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void jc_time_now_rfc3339(char *out, size_t outlen);
/* Sleeps `ms` milliseconds, resuming after signals. */
void jc_time_sleep_ms(int64_t ms);
/* Validates an RFC 3339 date-time ("2026-03-02T09:15:00Z", fractions and
 * offsets allowed). Returns 0 when valid. */
int jc_time_check_rfc3339(const char *s);

/* Parses an RFC 3339 date-time into Unix seconds (fractions dropped; the
 * offset applied). Returns 0, or -1 when invalid. */
int jc_time_parse_rfc3339(const char *s, int64_t *unix_seconds);
/* Formats Unix seconds as Europe/Copenhagen local time with its offset,
 * "2026-03-02T09:00:00+01:00". */
void jc_time_format_copenhagen(int64_t unix_seconds, char *out, size_t outlen);
/* The Europe/Copenhagen wall clock of a Unix time: its date and the minute
 * of the day (0..1439). */
void jc_time_copenhagen_local(int64_t unix_seconds, struct jc_date *date, int *minute_of_day);
/* The Unix time of a Europe/Copenhagen local date and minute of day. */
int64_t jc_time_from_copenhagen(struct jc_date date, int minute_of_day);

#endif
