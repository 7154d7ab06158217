/* The Danish calendar: Easter, public holidays (effective-dated), working
 * days, closing days, month arithmetic, Copenhagen time. */
#include "jc/calendar.h"
#include "jc_test.h"

static jc_date D(const char *s)
{
        jc_date d = {0, 0, 0};

        if (jc_date_parse(s, &d) != 0)
                fprintf(stderr, "bad test date %s\n", s);
        return d;
}

static const char *fmt(jc_date d)
{
        static char buf[4][JC_DATE_STRLEN];
        static int i;

        i = (i + 1) % 4;
        jc_date_format(d, buf[i]);
        return buf[i];
}

static void test_easter(void)
{
        /* Known Easter Sundays. */
        CHECK_STR(fmt(jc_easter_sunday(2019)), "2019-04-21");
        CHECK_STR(fmt(jc_easter_sunday(2023)), "2023-04-09");
        CHECK_STR(fmt(jc_easter_sunday(2024)), "2024-03-31");
        CHECK_STR(fmt(jc_easter_sunday(2025)), "2025-04-20");
        CHECK_STR(fmt(jc_easter_sunday(2026)), "2026-04-05");
        CHECK_STR(fmt(jc_easter_sunday(2027)), "2027-03-28");
        CHECK_STR(fmt(jc_easter_sunday(2038)), "2038-04-25");
}

static void test_holidays_2026(void)
{
        const char *name = NULL;
        jc_holiday h[16];
        size_t n = jc_public_holidays(2026, h, 16);

        CHECK(jc_is_public_holiday(D("2026-04-06"), &name));
        CHECK_STR(name, "Easter Monday");
        CHECK(jc_is_public_holiday(D("2026-05-25"), &name));
        CHECK_STR(name, "Whit Monday");
        CHECK(jc_is_public_holiday(D("2026-04-02"), &name));
        CHECK_STR(name, "Maundy Thursday");
        CHECK(jc_is_public_holiday(D("2026-04-03"), NULL)); /* Good Friday */
        CHECK(jc_is_public_holiday(D("2026-05-14"), &name));
        CHECK_STR(name, "Ascension Day");
        CHECK(jc_is_public_holiday(D("2026-01-01"), NULL));
        CHECK(jc_is_public_holiday(D("2026-12-25"), NULL));
        CHECK(jc_is_public_holiday(D("2026-12-26"), NULL));
        CHECK(!jc_is_public_holiday(D("2026-12-24"), NULL)); /* closing day, not holiday */
        CHECK(!jc_is_public_holiday(D("2026-06-05"), NULL)); /* Constitution Day */
        CHECK(!jc_is_public_holiday(D("2026-05-01"), NULL)); /* Great Prayer Day 2026 would be */
        CHECK_INT(n, 10);
        CHECK_STR(fmt(h[0].date), "2026-01-01");
        CHECK_STR(fmt(h[9].date), "2026-12-26");
        CHECK_STR(h[4].name_da, "2. påskedag");
}

static void test_great_prayer_day_abolished(void)
{
        jc_holiday h[16];

        CHECK(jc_is_public_holiday(D("2023-05-05"), NULL));  /* last Store Bededag */
        CHECK(jc_is_public_holiday(D("2019-05-17"), NULL));
        CHECK(!jc_is_public_holiday(D("2024-04-26"), NULL)); /* abolished from 2024 */
        CHECK_INT(jc_public_holidays(2023, h, 16), 11);
        CHECK_INT(jc_public_holidays(2024, h, 16), 10);
}

static void test_working_days(void)
{
        jc_calendar cal;
        char err[128];

        CHECK_INT(jc_calendar_init(&cal, "06-05,12-24,12-31", err, sizeof(err)), 0);
        /* Tue 31 March 2026 + 5 working days: Easter (2, 3, 6 April) and the
         * weekend are skipped. */
        CHECK_STR(fmt(jc_calendar_add_working_days(&cal, D("2026-03-31"), 5)), "2026-04-10");
        /* Friday + 1 working day is Monday. */
        CHECK_STR(fmt(jc_calendar_add_working_days(&cal, D("2026-11-20"), 1)), "2026-11-23");
        /* Across Whit Monday: Fri 22 May + 1 = Tue 26 May. */
        CHECK_STR(fmt(jc_calendar_add_working_days(&cal, D("2026-05-22"), 1)), "2026-05-26");
        /* Christmas: 23 Dec 2026 (Wed) + 1 = 28 Dec (24 closed, 25/26 holidays). */
        CHECK_STR(fmt(jc_calendar_add_working_days(&cal, D("2026-12-23"), 1)), "2026-12-28");
        /* 30 Dec + 1 = 4 Jan 2027 (31 Dec closed, 1 Jan holiday, weekend). */
        CHECK_STR(fmt(jc_calendar_add_working_days(&cal, D("2026-12-30"), 1)), "2027-01-04");
        /* Backwards. */
        CHECK_STR(fmt(jc_calendar_add_working_days(&cal, D("2026-04-07"), -1)), "2026-04-01");
        CHECK_STR(fmt(jc_calendar_add_working_days(&cal, D("2026-04-07"), 0)), "2026-04-07");
        CHECK(!jc_calendar_is_working_day(&cal, D("2026-06-05"))); /* configured closed */
        CHECK(jc_calendar_is_working_day(NULL, D("2026-06-05")));  /* not by law */
        CHECK_STR(fmt(jc_calendar_next_working_day(&cal, D("2026-04-02"))), "2026-04-07");
        CHECK_STR(fmt(jc_calendar_prev_working_day(&cal, D("2026-04-06"))), "2026-04-01");
        CHECK_INT(jc_calendar_working_days_between(&cal, D("2026-03-31"), D("2026-04-10")), 5);
        CHECK_INT(jc_calendar_working_days_between(&cal, D("2026-04-10"), D("2026-03-31")), -5);
        /* 30 working days from a youth drop-out on Mon 23 March 2026, across Easter. */
        CHECK_STR(fmt(jc_calendar_add_working_days(&cal, D("2026-03-23"), 30)), "2026-05-07");
}

static void test_closing_day_config(void)
{
        jc_calendar cal;
        char err[128] = "";

        CHECK_INT(jc_calendar_init(&cal, " 06-05 , 2026-11-23,", err, sizeof(err)), 0);
        CHECK_INT(cal.nclosed, 2);
        CHECK(!jc_calendar_is_working_day(&cal, D("2026-11-23")));
        CHECK(jc_calendar_is_working_day(&cal, D("2027-11-23")));
        CHECK_INT(jc_calendar_init(&cal, "06-31", err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "invalid closing day '06-31'");
        CHECK_INT(jc_calendar_init(&cal, "2026-13-01", err, sizeof(err)), -1);
        CHECK_INT(jc_calendar_init(&cal, "02-29", err, sizeof(err)), 0);
        CHECK_INT(jc_calendar_init(&cal, "", err, sizeof(err)), 0);
        CHECK_INT(cal.nclosed, 0);
}

static void test_dates(void)
{
        jc_date d;

        CHECK_INT(jc_date_parse("2024-02-29", &d), 0);
        CHECK_INT(jc_date_parse("2026-02-29", &d), -1);
        CHECK_INT(jc_date_parse("2026-2-01", &d), -1);
        CHECK_INT(jc_date_parse("2026-02-01x", &d), -1);
        CHECK_INT(jc_date_parse("", &d), -1);
        CHECK_INT(jc_date_weekday(D("2026-11-22")), 7); /* Sunday */
        CHECK_INT(jc_date_weekday(D("2026-04-06")), 1); /* Monday */
        CHECK_INT(jc_date_weekday(D("1970-01-01")), 4);
        CHECK_STR(fmt(jc_date_add_months(D("2026-08-31"), 6)), "2027-02-28");
        CHECK_STR(fmt(jc_date_add_months(D("2023-08-31"), 6)), "2024-02-29");
        CHECK_STR(fmt(jc_date_add_months(D("2026-01-31"), 1)), "2026-02-28");
        CHECK_STR(fmt(jc_date_add_months(D("2026-03-31"), -1)), "2026-02-28");
        CHECK_STR(fmt(jc_date_add_months(D("2026-12-15"), 1)), "2027-01-15");
        CHECK_STR(fmt(jc_date_add_weeks(D("2026-01-05"), 8)), "2026-03-02");
        CHECK_STR(fmt(jc_date_add_weeks(D("2026-01-05"), 22)), "2026-06-08");
        CHECK_STR(fmt(jc_date_add_days(D("2024-12-31"), 1)), "2025-01-01");
        CHECK_INT(jc_date_diff_days(D("2026-01-01"), D("2026-12-31")), 364);
        CHECK_INT(jc_date_to_days(D("1970-01-01")), 0);
        CHECK_STR(fmt(jc_date_from_days(-1)), "1969-12-31");
        CHECK(jc_date_cmp(D("2026-01-02"), D("2026-01-01")) > 0);
}

static void test_copenhagen_time(void)
{
        /* 2026-03-29 00:59:59 UTC is still CET; 01:00 UTC is CEST. */
        CHECK_INT(jc_copenhagen_utc_offset(1774745999), 3600);
        CHECK_INT(jc_copenhagen_utc_offset(1774746000), 7200);
        /* 2026-10-25 01:00 UTC back to CET. */
        CHECK_INT(jc_copenhagen_utc_offset(1792890000 - 1), 7200);
        CHECK_INT(jc_copenhagen_utc_offset(1792890000), 3600);
        /* 2026-06-30 22:30 UTC is 1 July 00:30 in Copenhagen. */
        CHECK_STR(fmt(jc_date_copenhagen_from_unix(1782858600)), "2026-07-01");
        /* 2026-12-31 23:30 UTC is 1 January 2027 00:30 CET. */
        CHECK_STR(fmt(jc_date_copenhagen_from_unix(1798759800)), "2027-01-01");
}

int main(void)
{
        RUN(test_easter);
        RUN(test_holidays_2026);
        RUN(test_great_prayer_day_abolished);
        RUN(test_working_days);
        RUN(test_closing_day_config);
        RUN(test_dates);
        RUN(test_copenhagen_time);
        return JC_TEST_RESULT();
}
