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
