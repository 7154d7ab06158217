/*
 * Opening hours: "mon-wed 08:00-15:30; thu 08:00-17:00; fri 08:00-12:00"
 * (Ishøj Jobcenter, seed 003), in Europe/Copenhagen time.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jc/calendar.h"
#include "jc/timeutil.h"
#include "scheduling.h"

static int weekday_of(const char *s, size_t n)
{
        static const char *const names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

        for (int i = 0; i < 7; i++)
                if (n == 3 && strncasecmp(s, names[i], 3) == 0)
                        return i + 1;
        return 0;
}

static int hhmm(const char *s, int *out)
{
        if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
            !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
                return -1;
        *out = ((s[0] - '0') * 10 + s[1] - '0') * 60 + (s[3] - '0') * 10 + s[4] - '0';
        return *out <= 24 * 60 ? 0 : -1;
}

int sched_hours_parse(sched_hours *h, const char *spec, char *err, size_t errlen)
{
        char copy[256], *save = NULL, *part;

        memset(h, 0, sizeof(*h));
        snprintf(copy, sizeof(copy), "%s", spec);
        for (part = strtok_r(copy, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
                char days[16], times[16];
                int from, to, open, close;
                char *dash;

                while (*part == ' ')
                        part++;
                if (sscanf(part, "%15s %15s", days, times) != 2 || strlen(times) != 11 ||
                    times[5] != '-' || hhmm(times, &open) || hhmm(times + 6, &close) ||
                    close <= open)
                        goto bad;
                dash = strchr(days, '-');
                from = weekday_of(days, dash ? (size_t)(dash - days) : strlen(days));
                to = dash ? weekday_of(dash + 1, strlen(dash + 1)) : from;
                if (!from || !to || to < from)
                        goto bad;
                for (int d = from; d <= to; d++) {
                        h->open[d] = open;
                        h->close[d] = close;
                }
                continue;
bad:
                snprintf(err, errlen,
                         "invalid JC_OPENING_HOURS part \"%.40s\": expected e.g. \"mon-wed 08:00-15:30\"",
                         part);
                return -1;
        }
        return 0;
}

int sched_hours_fits(const sched_hours *h, const jc_calendar *cal, int64_t start, long minutes)
{
        jc_date d;
        int m, wd;

        jc_time_copenhagen_local(start, &d, &m);
        wd = jc_date_weekday(d);
        if (!jc_calendar_is_working_day(cal, d) || h->close[wd] == 0)
                return 0;
        return m >= h->open[wd] && m + minutes <= h->close[wd];
}
