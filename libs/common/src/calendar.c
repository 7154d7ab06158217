#include "jc/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Danish public holidays as data. `easter_offset` is used when month == 0.
 * Great Prayer Day (Store Bededag) was abolished from 2024 (lov nr. 43 of
 * 2023), so the table is effective-dated by year.
 */
typedef struct holiday_rule {
        const char *name_da;
        const char *name_en;
        int month, day;    /* fixed date, or month 0 */
        int easter_offset; /* days after Easter Sunday */
        int from_year, to_year;
} holiday_rule;

static const holiday_rule holiday_rules[] = {
        {"Nytårsdag", "New Year's Day", 1, 1, 0, 1, 9999},
        {"Skærtorsdag", "Maundy Thursday", 0, 0, -3, 1, 9999},
        {"Langfredag", "Good Friday", 0, 0, -2, 1, 9999},
        {"Påskedag", "Easter Sunday", 0, 0, 0, 1, 9999},
        {"2. påskedag", "Easter Monday", 0, 0, 1, 1, 9999},
        {"Store bededag", "Great Prayer Day", 0, 0, 26, 1, 2023},
        {"Kristi himmelfartsdag", "Ascension Day", 0, 0, 39, 1, 9999},
        {"Pinsedag", "Whit Sunday", 0, 0, 49, 1, 9999},
        {"2. pinsedag", "Whit Monday", 0, 0, 50, 1, 9999},
        {"Juledag", "Christmas Day", 12, 25, 0, 1, 9999},
        {"2. juledag", "Boxing Day", 12, 26, 0, 1, 9999},
};

#define NRULES (sizeof(holiday_rules) / sizeof(holiday_rules[0]))

jc_date jc_easter_sunday(int y)
{
        /* Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
        int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
        int f = (b + 8) / 25, g = (b - f + 1) / 3;
        int h = (19 * a + b - d - g + 15) % 30;
        int i = c / 4, k = c % 4;
        int l = (32 + 2 * e + 2 * i - h - k) % 7;
        int m = (a + 11 * h + 22 * l) / 451;
        jc_date r;

        r.year = y;
        r.month = (h + l - 7 * m + 114) / 31;
        r.day = ((h + l - 7 * m + 114) % 31) + 1;
        return r;
}

static jc_date rule_date(const holiday_rule *r, int year, jc_date easter)
{
        if (r->month) {
                jc_date d = {year, r->month, r->day};
                return d;
        }
        return jc_date_add_days(easter, r->easter_offset);
}

int jc_is_public_holiday(jc_date d, const char **name_en)
{
        jc_date easter = jc_easter_sunday(d.year);

        for (size_t i = 0; i < NRULES; i++) {
                const holiday_rule *r = &holiday_rules[i];

                if (d.year < r->from_year || d.year > r->to_year)
                        continue;
                if (jc_date_cmp(rule_date(r, d.year, easter), d) == 0) {
                        if (name_en)
                                *name_en = r->name_en;
                        return 1;
                }
        }
        return 0;
}

static int holiday_cmp(const void *a, const void *b)
{
        return jc_date_cmp(((const jc_holiday *)a)->date,
                           ((const jc_holiday *)b)->date);
}

size_t jc_public_holidays(int year, jc_holiday *out, size_t max)
{
        jc_date easter = jc_easter_sunday(year);
        size_t n = 0;

        for (size_t i = 0; i < NRULES && n < max; i++) {
                const holiday_rule *r = &holiday_rules[i];

                if (year < r->from_year || year > r->to_year)
                        continue;
                out[n].date = rule_date(r, year, easter);
                out[n].name_da = r->name_da;
                out[n].name_en = r->name_en;
                n++;
        }
        qsort(out, n, sizeof(*out), holiday_cmp);
        return n;
}

int jc_calendar_init(jc_calendar *cal, const char *spec, char *err,
                     size_t errlen)
{
        const char *p = spec ? spec : "";

        memset(cal, 0, sizeof(*cal));
        while (*p) {
                const char *end = strchr(p, ',');
                size_t n = end ? (size_t)(end - p) : strlen(p);
                char tok[16];
                jc_date d;

                while (n > 0 && *p == ' ') {
                        p++;
                        n--;
                }
                while (n > 0 && p[n - 1] == ' ')
                        n--;
                if (n == 0)
                        goto next;
                if (cal->nclosed == JC_CALENDAR_MAX_CLOSED) {
                        snprintf(err, errlen,
                                 "too many closing days (at most %d)",
                                 JC_CALENDAR_MAX_CLOSED);
                        return -1;
                }
                if (n == 5 && n < sizeof(tok)) {
                        /* MM-DD: validate against a leap year so 02-29 passes */
                        snprintf(tok, sizeof(tok), "2000-%.*s", (int)n, p);
                        if (jc_date_parse(tok, &d) != 0)
                                goto bad;
                        d.year = 0;
                } else if (n == 10) {
                        if (jc_date_parse_n(p, n, &d) != 0)
                                goto bad;
                } else {
                        goto bad;
                }
                cal->closed[cal->nclosed].year = d.year;
                cal->closed[cal->nclosed].month = d.month;
                cal->closed[cal->nclosed].day = d.day;
                cal->nclosed++;
next:
                if (!end)
                        break;
                p = end + 1;
                continue;
bad:
                snprintf(err, errlen,
                         "invalid closing day '%.*s': expected MM-DD or YYYY-MM-DD",
                         (int)(n > 20 ? 20 : n), p);
                return -1;
        }
        return 0;
}

int jc_calendar_is_closed_day(const jc_calendar *cal, jc_date d)
{
        for (size_t i = 0; cal && i < cal->nclosed; i++) {
                if (cal->closed[i].month == d.month &&
                    cal->closed[i].day == d.day &&
                    (cal->closed[i].year == 0 || cal->closed[i].year == d.year))
                        return 1;
        }
        return 0;
}

int jc_calendar_is_working_day(const jc_calendar *cal, jc_date d)
{
        return jc_date_weekday(d) <= 5 && !jc_is_public_holiday(d, NULL) &&
               !jc_calendar_is_closed_day(cal, d);
}

jc_date jc_calendar_add_working_days(const jc_calendar *cal, jc_date d, int n)
{
        int step = n < 0 ? -1 : 1;

        while (n != 0) {
                d = jc_date_add_days(d, step);
                if (jc_calendar_is_working_day(cal, d))
                        n -= step;
        }
        return d;
}

jc_date jc_calendar_next_working_day(const jc_calendar *cal, jc_date d)
{
        while (!jc_calendar_is_working_day(cal, d))
                d = jc_date_add_days(d, 1);
        return d;
}

jc_date jc_calendar_prev_working_day(const jc_calendar *cal, jc_date d)
{
        while (!jc_calendar_is_working_day(cal, d))
                d = jc_date_add_days(d, -1);
        return d;
}

int jc_calendar_working_days_between(const jc_calendar *cal, jc_date a,
                                     jc_date b)
{
        int sign = 1, count = 0;

        if (jc_date_cmp(b, a) < 0) {
                jc_date t = a;
                a = b;
                b = t;
                sign = -1;
        }
        while (jc_date_cmp(a, b) < 0) {
                a = jc_date_add_days(a, 1);
                if (jc_calendar_is_working_day(cal, a))
                        count++;
        }
        return sign * count;
}
