#include "jc/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jc/date.h"

int64_t jc_time_mono_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t jc_time_wall_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void jc_time_now_rfc3339(char *out, size_t outlen)
{
        struct timespec ts;
        struct tm tm;

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

void jc_time_sleep_ms(int64_t ms)
{
        struct timespec req, rem;

        if (ms <= 0)
                return;
        req.tv_sec = ms / 1000;
        req.tv_nsec = (ms % 1000) * 1000000;
        while (nanosleep(&req, &rem) != 0 && errno == EINTR)
                req = rem;
}

static int digits(const char *s, int n)
{
        for (int i = 0; i < n; i++)
                if (!isdigit((unsigned char)s[i]))
                        return 0;
        return 1;
}

int jc_time_check_rfc3339(const char *s)
{
        jc_date d;
        const char *p;
        int hh, mm, ss;

        if (strlen(s) < 20 || s[10] != 'T' || jc_date_parse_n(s, 10, &d) != 0)
                return -1;
        p = s + 11;
        if (!digits(p, 2) || p[2] != ':' || !digits(p + 3, 2) || p[5] != ':' ||
            !digits(p + 6, 2))
                return -1;
        hh = (p[0] - '0') * 10 + p[1] - '0';
        mm = (p[3] - '0') * 10 + p[4] - '0';
        ss = (p[6] - '0') * 10 + p[7] - '0';
        if (hh > 23 || mm > 59 || ss > 60)
                return -1;
        p += 8;
        if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                        return -1;
                while (isdigit((unsigned char)*p))
                        p++;
        }
        if (*p == 'Z' && p[1] == '\0')
                return 0;
        if ((*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' &&
            digits(p + 4, 2) && p[6] == '\0')
                return 0;
        return -1;
}

int jc_time_parse_rfc3339(const char *s, int64_t *unix_seconds)
{
        jc_date d;
        int hh, mm, ss, off = 0;
        const char *p;

        if (jc_time_check_rfc3339(s) != 0 || jc_date_parse_n(s, 10, &d) != 0)
                return -1;
        hh = (s[11] - '0') * 10 + s[12] - '0';
        mm = (s[14] - '0') * 10 + s[15] - '0';
        ss = (s[17] - '0') * 10 + s[18] - '0';
        if (ss == 60)
                ss = 59;
        p = s + 19;
        if (*p == '.')
                while (*++p >= '0' && *p <= '9')
                        ;
        if (*p == '+' || *p == '-') {
                off = ((p[1] - '0') * 10 + p[2] - '0') * 3600 + ((p[4] - '0') * 10 + p[5] - '0') * 60;
                if (*p == '-')
                        off = -off;
        }
        *unix_seconds = (int64_t)jc_date_to_days(d) * 86400 + hh * 3600 + mm * 60 + ss - off;
        return 0;
}

void jc_time_format_copenhagen(int64_t t, char *out, size_t outlen)
{
        int off = jc_copenhagen_utc_offset(t);
        int64_t local = t + off;
        int64_t days = local / 86400 - (local % 86400 < 0);
        int64_t secs = local - days * 86400;
        jc_date d = jc_date_from_days((int32_t)days);

        snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d+%02d:00", d.year, d.month, d.day,
                 (int)(secs / 3600), (int)(secs % 3600 / 60), (int)(secs % 60), off / 3600);
}

void jc_time_copenhagen_local(int64_t t, jc_date *date, int *minute_of_day)
{
        int64_t local = t + jc_copenhagen_utc_offset(t);
        int64_t days = local / 86400 - (local % 86400 < 0);

        *date = jc_date_from_days((int32_t)days);
        *minute_of_day = (int)((local - days * 86400) / 60);
}

int64_t jc_time_from_copenhagen(jc_date date, int minute_of_day)
{
        int64_t naive = (int64_t)jc_date_to_days(date) * 86400 + (int64_t)minute_of_day * 60;
        /* The offset at the candidate instant; at the DST switches the local
         * times that do not exist or repeat resolve to one side. */
        int64_t t = naive - 3600;

        return naive - jc_copenhagen_utc_offset(t);
}
