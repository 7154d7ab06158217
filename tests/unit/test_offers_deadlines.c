/* offers' deadline arithmetic from rule data (services/offers/src/deadlines.c):
 * months with the month end clamped, working days across Easter and
 * Christmas, and the roll off a closed day. */
#include "jc_test.h"
#include "offers.h"

static jc_calendar cal;

static const char *fmt(jc_date d)
{
        static char buf[4][JC_DATE_STRLEN];
        static int i;

        i = (i + 1) % 4;
        jc_date_format(d, buf[i]);
        return buf[i];
}

static jc_date day(const char *s)
{
        jc_date d = {0, 0, 0};

        jc_date_parse(s, &d);
        return d;
}

static offers_period parse(const char *json, offers_roll def)
{
        json_t *spec = json_loads(json, 0, NULL);
        offers_period p;
        char err[160];

        CHECK_INT(offers_period_parse(spec, def, &p, err, sizeof(err)), 0);
        json_decref(spec);
        return p;
}

static void test_six_months_rolls_back_off_closed_days(void)
{
        offers_period six = parse("{\"months\": 6, \"if_not_working_day\": \"previous\"}",
                                  OFFERS_ROLL_KEEP);
        offers_period month = parse("{\"months\": 1}", OFFERS_ROLL_PREVIOUS);

        CHECK_STR(fmt(offers_period_after(&cal, day("2026-01-05"), &six)), "2026-07-03"); /* Sunday */
        CHECK_STR(fmt(offers_period_after(&cal, day("2026-06-24"), &six)), "2026-12-23"); /* 24 Dec closed */
        CHECK_STR(fmt(offers_period_after(&cal, day("2026-06-26"), &six)), "2026-12-23"); /* Boxing Day */
        CHECK_STR(fmt(offers_period_after(&cal, day("2026-08-31"), &six)), "2027-02-26"); /* 28 Feb, Sunday */
        CHECK_STR(fmt(offers_period_after(&cal, day("2027-08-31"), &six)), "2028-02-29"); /* leap year */
        CHECK_STR(fmt(offers_period_after(&cal, day("2026-09-29"), &six)), "2027-03-24"); /* Easter Monday */
        CHECK_STR(fmt(offers_period_after(&cal, day("2022-11-05"), &six)), "2023-05-04"); /* Store Bededag 2023 */
        CHECK_STR(fmt(offers_period_after(&cal, day("2023-11-03"), &six)), "2024-05-03"); /* abolished 2024 */
        CHECK_STR(fmt(offers_period_before(&cal, day("2026-07-03"), &month)), "2026-06-03");
        CHECK_STR(fmt(offers_period_before(&cal, day("2025-07-01"), &month)), "2025-05-30");
}

static void test_working_days_across_christmas(void)
{
        offers_period thirty = parse("{\"working_days\": 30}", OFFERS_ROLL_KEEP);
        offers_period five = parse("{\"working_days\": 5}", OFFERS_ROLL_PREVIOUS);
        offers_period ten = parse("{\"working_days\": 10}", OFFERS_ROLL_KEEP);
        offers_period cal30 = parse("{\"days\": 30, \"if_not_working_day\": \"next\"}",
                                    OFFERS_ROLL_KEEP);

        CHECK_STR(fmt(offers_period_after(&cal, day("2026-12-11"), &thirty)), "2027-01-28");
        CHECK_STR(fmt(offers_period_before(&cal, day("2027-01-28"), &five)), "2027-01-21");
        CHECK_STR(fmt(offers_period_after(&cal, day("2026-10-01"), &thirty)), "2026-11-12");
        CHECK_STR(fmt(offers_period_after(&cal, day("2026-12-18"), &ten)), "2027-01-07");
        /* 30 calendar days from 2026-11-24 is 2026-12-24 (closed): next working day 28 Dec */
        CHECK_STR(fmt(offers_period_after(&cal, day("2026-11-24"), &cal30)), "2026-12-28");
}

static void test_bad_specs_are_refused(void)
{
        const char *bad[] = {"{}", "{\"months\": 6, \"days\": 3}", "{\"weeks\": 2}",
                             "{\"days\": -1}", "{\"days\": \"30\"}",
                             "{\"days\": 3, \"if_not_working_day\": \"later\"}", "[6]"};
        char err[160];

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                json_t *spec = json_loads(bad[i], 0, NULL);
                offers_period p;

                CHECK_INT(offers_period_parse(spec, OFFERS_ROLL_KEEP, &p, err, sizeof(err)), -1);
                json_decref(spec);
        }
}

int main(void)
{
        char err[160];

        if (jc_calendar_init(&cal, "06-05,12-24,12-31", err, sizeof(err)) != 0) {
                fprintf(stderr, "%s\n", err);
                return 1;
        }
        RUN(test_six_months_rolls_back_off_closed_days);
        RUN(test_working_days_across_christmas);
        RUN(test_bad_specs_are_refused);
        return JC_TEST_RESULT();
}
