#include "jc/date.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int jc_date_is_leap_year(int y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int jc_date_days_in_month(int y, int m)
{
        static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

        if (m < 1 || m > 12)
                return 0;
        return m == 2 && jc_date_is_leap_year(y) ? 29 : dim[m - 1];
}

int jc_date_is_valid(int y, int m, int d)
{
        return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
               d <= jc_date_days_in_month(y, m);
}

int jc_date_parse_n(const char *s, size_t n, jc_date *out)
{
        int y, m, d;

        if (n != 10 || s[4] != '-' || s[7] != '-')
                return -1;
        for (int i = 0; i < 10; i++) {
                if (i == 4 || i == 7)
                        continue;
                if (!isdigit((unsigned char)s[i]))
                        return -1;
        }
        y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
            (s[3] - '0');
        m = (s[5] - '0') * 10 + (s[6] - '0');
        d = (s[8] - '0') * 10 + (s[9] - '0');
        if (!jc_date_is_valid(y, m, d))
                return -1;
        out->year = y;
        out->month = m;
        out->day = d;
        return 0;
}

int jc_date_parse(const char *s, jc_date *out)
{
        return jc_date_parse_n(s, strlen(s), out);
}

void jc_date_format(jc_date d, char out[JC_DATE_STRLEN])
{
        unsigned y = (unsigned)d.year % 10000u, m = (unsigned)d.month % 100u;
        unsigned day = (unsigned)d.day % 100u;

        snprintf(out, JC_DATE_STRLEN, "%04u-%02u-%02u", y, m, day);
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
int32_t jc_date_to_days(jc_date d)
{
        int y = d.year - (d.month <= 2);
        int era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned)(y - era * 400);
        unsigned mp = (unsigned)(d.month + (d.month > 2 ? -3 : 9));
        unsigned doy = (153 * mp + 2) / 5 + (unsigned)d.day - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

        return era * 146097 + (int32_t)doe - 719468;
}

jc_date jc_date_from_days(int32_t z)
{
        jc_date d;
        int32_t era, y;
        unsigned doe, yoe, doy, mp;

        z += 719468;
        era = (z >= 0 ? z : z - 146096) / 146097;
        doe = (unsigned)(z - era * 146097);
        yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        y = (int32_t)yoe + era * 400;
        doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        mp = (5 * doy + 2) / 153;
        d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
        d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
        d.year = (int)(y + (d.month <= 2));
        return d;
}

int jc_date_weekday(jc_date d)
{
        int32_t z = jc_date_to_days(d); /* 1970-01-01 was a Thursday (4) */
        int w = (int)((z % 7 + 7 + 3) % 7); /* 0 = Monday */

        return w + 1;
}

int jc_date_cmp(jc_date a, jc_date b)
{
        if (a.year != b.year)
                return a.year < b.year ? -1 : 1;
        if (a.month != b.month)
                return a.month < b.month ? -1 : 1;
        if (a.day != b.day)
                return a.day < b.day ? -1 : 1;
        return 0;
}

int32_t jc_date_diff_days(jc_date a, jc_date b)
{
        return jc_date_to_days(b) - jc_date_to_days(a);
}

jc_date jc_date_add_days(jc_date d, int32_t n)
{
        return jc_date_from_days(jc_date_to_days(d) + n);
}

jc_date jc_date_add_weeks(jc_date d, int32_t n)
{
        return jc_date_add_days(d, n * 7);
}

jc_date jc_date_add_months(jc_date d, int32_t n)
{
        int32_t m0 = d.year * 12 + (d.month - 1) + n;
        jc_date r;
        int dim;

        r.year = (int)(m0 / 12);
        r.month = (int)(m0 % 12) + 1;
        dim = jc_date_days_in_month(r.year, r.month);
        r.day = d.day > dim ? dim : d.day;
        return r;
}

/* The Unix time (UTC) of 01:00 UTC on the last Sunday of `month`, when EU
 * summer time starts (March) or ends (October). */
static int64_t eu_switch(int year, int month)
{
        jc_date last = {year, month, 31};
        int back = jc_date_weekday(last) % 7; /* Sunday -> 0 */

        last.day -= back;
        return (int64_t)jc_date_to_days(last) * 86400 + 3600;
}

int jc_copenhagen_utc_offset(int64_t t)
{
        int year = jc_date_from_days((int32_t)(t / 86400 - (t % 86400 < 0))).year;

        if (t >= eu_switch(year, 3) && t < eu_switch(year, 10))
                return 7200;
        return 3600;
}

jc_date jc_date_copenhagen_from_unix(int64_t t)
{
        int64_t local = t + jc_copenhagen_utc_offset(t);
        int64_t days = local / 86400 - (local % 86400 < 0);

        return jc_date_from_days((int32_t)days);
}

jc_date jc_date_today_copenhagen(void)
{
        return jc_date_copenhagen_from_unix((int64_t)time(NULL));
}
