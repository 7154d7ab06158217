#ifndef JC_TIMEUTIL_H
#define JC_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

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

#endif
