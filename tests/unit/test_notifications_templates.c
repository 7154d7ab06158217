/* notifications' pure parts: the template language (placeholders, HTML
 * escaping, refusal of malformed placeholders and missing values), the
 * Danish wording of dates and times (across the switch to summer time), and
 * the retry backoff's bounds. */
#include <stdlib.h>

#include "jc_test.h"
#include "notifications.h"

static int count_fn(const char *name, void *arg)
{
        json_t *names = arg;

        json_array_append_new(names, json_string(name));
        return 0;
}

static int refuse_fn(const char *name, void *arg)
{
        (void)arg;
        return strcmp(name, "cpr") == 0 ? -1 : 0;
}

static void test_scan(void)
{
        json_t *names = json_array();
        char err[256];

        CHECK_INT(notif_tmpl_scan("Kære {{name}},\nkl. {{ meeting_time }} { x } }} {{a_1}}", count_fn,
                                  names, err, sizeof(err)),
                  0);
        CHECK_INT(json_array_size(names), 3);
        CHECK_STR(json_string_value(json_array_get(names, 1)), "meeting_time");
        CHECK_INT(notif_tmpl_scan("a\nb {{ name", NULL, NULL, err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "line 2: malformed placeholder");
        CHECK_INT(notif_tmpl_scan("{{Name}}", NULL, NULL, err, sizeof(err)), -1);
        CHECK_INT(notif_tmpl_scan("{{}}", NULL, NULL, err, sizeof(err)), -1);
        CHECK_INT(notif_tmpl_scan("{{{name}}}", NULL, NULL, err, sizeof(err)), -1);
        CHECK_INT(notif_tmpl_scan("{{name.x}}", NULL, NULL, err, sizeof(err)), -1);
        CHECK_INT(notif_tmpl_scan("ok {{name}} then {{cpr}}", refuse_fn, NULL, err, sizeof(err)), -1);
        json_decref(names);
}

static void test_render(void)
{
        json_t *v = json_pack("{s:s, s:s}", "name", "Anna <b>\"Test\"</b> & 'Co'", "place", "Lokale 2");
        char err[256], *out;

        out = notif_tmpl_render("Kære {{name}} i {{ place }}.", v, 0, err, sizeof(err));
        CHECK_STR(out, "Kære Anna <b>\"Test\"</b> & 'Co' i Lokale 2.");
        free(out);
        out = notif_tmpl_render("<p>{{name}}</p>", v, 1, err, sizeof(err));
        CHECK_STR(out, "<p>Anna &lt;b&gt;&quot;Test&quot;&lt;/b&gt; &amp; &#39;Co&#39;</p>");
        free(out);
        /* a value that looks like a placeholder is not expanded again */
        json_object_set_new(v, "place", json_string("{{name}}"));
        out = notif_tmpl_render("{{place}}", v, 0, err, sizeof(err));
        CHECK_STR(out, "{{name}}");
        free(out);
        out = notif_tmpl_render("", v, 1, err, sizeof(err));
        CHECK_STR(out, "");
        free(out);
        CHECK(notif_tmpl_render("{{missing}}", v, 0, err, sizeof(err)) == NULL);
        CHECK_CONTAINS(err, "field \"missing\" has no value");
        json_decref(v);
}

static void test_danish(void)
{
        char date[64], hhmm[8];
        jc_date d = {2026, 3, 2};

        notif_da_long_date(d, date, sizeof(date));
        CHECK_STR(date, "mandag den 2. marts 2026");
        notif_da_date((jc_date){2026, 12, 24}, date, sizeof(date));
        CHECK_STR(date, "24. december 2026");
        CHECK_INT(notif_da_date_time("2026-03-27T08:00:00Z", date, sizeof(date), hhmm, sizeof(hhmm), &d), 0);
        CHECK_STR(date, "fredag den 27. marts 2026");
        CHECK_STR(hhmm, "09:00");
        /* summer time from Sunday 29 March 2026 */
        CHECK_INT(notif_da_date_time("2026-03-30T08:00:00Z", date, sizeof(date), hhmm, sizeof(hhmm), &d), 0);
        CHECK_STR(date, "mandag den 30. marts 2026");
        CHECK_STR(hhmm, "10:00");
        CHECK_INT(notif_da_date_time("2026-11-01T23:30:00+01:00", date, sizeof(date), hhmm, sizeof(hhmm), &d), 0);
        CHECK_STR(date, "søndag den 1. november 2026");
        CHECK_STR(hhmm, "23:30");
        CHECK_INT(notif_da_date_time("tomorrow", date, sizeof(date), hhmm, sizeof(hhmm), &d), -1);
        CHECK_STR(notif_da_offer_type("loentilskud-privat"), "Løntilskud hos en privat arbejdsgiver");
        CHECK_STR(notif_da_offer_type("nyt-tilbud"), "nyt-tilbud");
        CHECK_STR(notif_da_channel("video"), "videosamtale");
}

static void test_backoff(void)
{
        for (int attempt = 1; attempt <= 12; attempt++) {
                long step = 1000L << (attempt - 1);

                if (step > 60000)
                        step = 60000;
                for (int i = 0; i < 50; i++) {
                        long d = notif_backoff_ms(1000, 60000, attempt);

                        CHECK(d >= step / 2 && d <= step);
                }
        }
        CHECK(notif_backoff_ms(1, 1, 40) >= 1);
        CHECK(notif_backoff_ms(1000, 300000, 1000) <= 300000);
}

int main(void)
{
        RUN(test_scan);
        RUN(test_render);
        RUN(test_danish);
        RUN(test_backoff);
        return JC_TEST_RESULT();
}
