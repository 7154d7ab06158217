/*
 * Deadline arithmetic for rule data: "6 months", "30 working days",
 * "14 days", each optionally rolled off a day the jobcentre is closed.
 * Pure functions of the calendar (unit-tested in tests/unit).
 */
#include <stdio.h>
#include <string.h>

#include "offers.h"

static jc_date roll(const jc_calendar *cal, jc_date d, offers_roll how)
{
        switch (how) {
        case OFFERS_ROLL_PREVIOUS:
                return jc_calendar_prev_working_day(cal, d);
        case OFFERS_ROLL_NEXT:
                return jc_calendar_next_working_day(cal, d);
        case OFFERS_ROLL_KEEP:
                break;
        }
        return d;
}

jc_date offers_period_after(const jc_calendar *cal, jc_date base, const offers_period *p)
{
        jc_date d = base;

        switch (p->unit) {
        case OFFERS_DAYS:
                d = jc_date_add_days(base, p->n);
                break;
        case OFFERS_WORKING_DAYS:
                d = jc_calendar_add_working_days(cal, base, p->n);
                break;
        case OFFERS_MONTHS:
                d = jc_date_add_months(base, p->n);
                break;
        }
        return roll(cal, d, p->roll);
}

jc_date offers_period_before(const jc_calendar *cal, jc_date due, const offers_period *p)
{
        jc_date d = due;

        switch (p->unit) {
        case OFFERS_DAYS:
                d = jc_date_add_days(due, -p->n);
                break;
        case OFFERS_WORKING_DAYS:
                d = jc_calendar_add_working_days(cal, due, -p->n);
                break;
        case OFFERS_MONTHS:
                d = jc_date_add_months(due, -p->n);
                break;
        }
        /* A warning is for a working day: the one on or before. */
        return jc_calendar_prev_working_day(cal, d);
}

int offers_period_parse(json_t *spec, offers_roll default_roll, offers_period *out, char *err,
                        size_t errlen)
{
        static const char *const units[] = {"days", "working_days", "months"};
        const char *roll_s;
        int found = 0;

        memset(out, 0, sizeof(*out));
        out->roll = default_roll;
        if (!json_is_object(spec)) {
                snprintf(err, errlen, "must be an object like {\"months\": 6}");
                return -1;
        }
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                json_t *n = json_object_get(spec, units[i]);

                if (!n)
                        continue;
                if (!json_is_integer(n) || json_integer_value(n) < 0 ||
                    json_integer_value(n) > 1000) {
                        snprintf(err, errlen, "\"%s\" must be an integer from 0 to 1000", units[i]);
                        return -1;
                }
                found++;
                out->unit = (offers_unit)i;
                out->n = (int)json_integer_value(n);
        }
        if (found != 1) {
                snprintf(err, errlen, "needs exactly one of days, working_days, months");
                return -1;
        }
        roll_s = json_string_value(json_object_get(spec, "if_not_working_day"));
        if (json_object_get(spec, "if_not_working_day") && !roll_s) {
                snprintf(err, errlen, "\"if_not_working_day\" must be keep, previous or next");
                return -1;
        }
        if (roll_s) {
                if (strcmp(roll_s, "keep") == 0)
                        out->roll = OFFERS_ROLL_KEEP;
                else if (strcmp(roll_s, "previous") == 0)
                        out->roll = OFFERS_ROLL_PREVIOUS;
                else if (strcmp(roll_s, "next") == 0)
                        out->roll = OFFERS_ROLL_NEXT;
                else {
                        snprintf(err, errlen,
                                 "\"if_not_working_day\" must be keep, previous or next");
                        return -1;
                }
        }
        return 0;
}
