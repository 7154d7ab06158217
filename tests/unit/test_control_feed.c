/*
 * control's pure functions: the NDJSON line splitter (any chunking, CRLF,
 * over-long lines), the feed header and record checks per theme, CPR form
 * and CPR-shaped text, and the sanction rule data (the four rates' brackets,
 * R56; consequences per target group; the availability course rule).
 */
#include <stdlib.h>
#include <string.h>

#include "jc/cpr.h"
#include "control.h"
#include "jc_test.h"

typedef struct seen {
        char lines[16][64];
        long numbers[16];
        int too_long[16];
        int n;
} seen;

static int collect(void *opaque, long line_no, const char *line, size_t len, int too_long)
{
        seen *s = opaque;

        if (s->n < 16) {
                snprintf(s->lines[s->n], sizeof(s->lines[0]), "%.*s", (int)len, line);
                s->numbers[s->n] = line_no;
                s->too_long[s->n] = too_long;
                s->n++;
        }
        return 0;
}

static void test_lines(void)
{
        const char *in = "a\nbb\r\n\nccc\nthis line is much too long\nd";
        seen s;
        ctl_lines l;

        memset(&s, 0, sizeof(s));
        ctl_lines_init(&l, 10, collect, &s);
        for (size_t i = 0; in[i]; i++) /* one byte at a time */
                CHECK_INT(ctl_lines_feed(&l, in + i, 1), 0);
        CHECK_INT(ctl_lines_finish(&l), 0);
        CHECK_INT(s.n, 6);
        CHECK_STR(s.lines[0], "a");
        CHECK_STR(s.lines[1], "bb");
        CHECK_STR(s.lines[2], "");
        CHECK_STR(s.lines[3], "ccc");
        CHECK_INT(s.too_long[4], 1);
        CHECK_STR(s.lines[4], "");
        CHECK_STR(s.lines[5], "d");
        CHECK_INT(s.numbers[5], 6);
        CHECK(ctl_line_is_blank(" \t\r", 3));
        CHECK(!ctl_line_is_blank(" x", 2));
        ctl_lines_release(&l);
}

static json_t *parse(const char *s)
{
        return json_loads(s, 0, NULL);
}

static void test_header(void)
{
        json_t *h1 = parse("{\"format\":\"udk-campaign.v1\",\"campaign_id\":\"C1\",\"feed_id\":\"F1\","
                           "\"theme\":\"udlandsophold\",\"kind\":\"control\",\"period\":{\"from\":"
                           "\"2026-01-01\",\"to\":\"2026-06-30\"},\"record_count\":3,\"part\":1,\"parts\":2,"
                           "\"target_groups\":[\"a-dagpenge\",\"kontanthjaelp-jobparat\"]}");
        json_t *h2 = json_deep_copy(h1), *bad = parse("{\"format\":\"x\",\"theme\":\"fun\",\"part\":1,"
                                                      "\"period\":{\"from\":\"2026-06-01\",\"to\":\"2026-01-01\"}}");
        ctl_feed_header a, b, c;
        jc_verrs v;
        char first[256];

        json_object_set_new(h2, "part", json_integer(2));
        jc_verrs_init(&v);
        ctl_feed_header_parse(h1, &a, &v);
        CHECK_INT(jc_verrs_count(&v), 0);
        CHECK_STR(a.campaign_id, "C1");
        CHECK_INT(a.record_count, 3);
        CHECK_INT(a.parts, 2);
        CHECK(a.has_parts);
        CHECK_STR(a.target_groups.data, "{\"a-dagpenge\",\"kontanthjaelp-jobparat\"}");
        ctl_feed_header_parse(h2, &b, &v);
        CHECK_INT(jc_verrs_count(&v), 0);
        CHECK_STR(a.digest, b.digest); /* parts of one feed share the header digest */
        ctl_feed_header_parse(bad, &c, &v);
        jc_verrs_first(&v, first, sizeof(first));
        CHECK_CONTAINS(first, "header.format");
        CHECK_INT(jc_verrs_count(&v), 8); /* format, campaign_id, feed_id, theme, kind, period.to,
                                           * record_count, parts */
        ctl_feed_header_release(&a);
        ctl_feed_header_release(&b);
        ctl_feed_header_release(&c);
        jc_verrs_release(&v);
        json_decref(h1);
        json_decref(h2);
        json_decref(bad);
}

static size_t record_errors(const char *json, const char *theme)
{
        json_t *o = parse(json);
        ctl_feed_record r;
        jc_verrs v;
        size_t n;

        jc_verrs_init(&v);
        ctl_feed_record_parse(o, theme, &r, &v);
        n = jc_verrs_count(&v);
        jc_verrs_release(&v);
        json_decref(o);
        return n;
}

static void test_records(void)
{
        CHECK_INT(record_errors("{\"udk_ref\":\"R1\",\"cpr\":\"010190-1234\",\"evidence\":{\"country\":\"ES\","
                                "\"from\":\"2026-02-01\",\"source\":\"passenger_data\"}}", "udlandsophold"), 0);
        CHECK_INT(record_errors("{\"udk_ref\":\"R1\",\"cpr\":\"0101901234\",\"evidence\":{\"employer_cvr\":"
                                "\"12345678\",\"from\":\"2026-02-01\",\"income_dkk\":100,\"source\":\"skat\"}}",
                                "uoplyst-arbejde"), 0);
        CHECK_INT(record_errors("{\"udk_ref\":\"R1\",\"cpr\":\"0101901234\",\"evidence\":{\"since\":"
                                "\"2026-02-01\",\"co_residents\":2,\"source\":\"bbr\"}}", "samlivsforhold"), 0);
        CHECK_INT(record_errors("{\"udk_ref\":\"R1\",\"cpr\":\"0101901234\",\"evidence\":{\"status\":"
                                "\"abroad\",\"since\":\"2026-02-01\",\"source\":\"other\"}}", "adresse"), 0);
        /* cpr, evidence.country (DK), evidence.to before from, evidence.x */
        CHECK_INT(record_errors("{\"udk_ref\":\"R1\",\"cpr\":\"3213901234\",\"evidence\":{\"country\":\"DK\","
                                "\"from\":\"2026-02-01\",\"to\":\"2026-01-01\",\"source\":\"passenger_data\","
                                "\"x\":1}}", "udlandsophold"), 4);
        /* the evidence of another theme */
        CHECK(record_errors("{\"udk_ref\":\"R1\",\"cpr\":\"0101901234\",\"evidence\":{\"country\":\"ES\","
                            "\"from\":\"2026-02-01\",\"source\":\"passenger_data\"}}", "adresse") >= 3);
        CHECK_INT(record_errors("[]", "adresse"), 1);
        CHECK_INT(record_errors("{}", "adresse"), 3);
}

static void test_cpr(void)
{
        char out[11];

        CHECK_INT(jc_cpr_normalise("010190-1234", out), 0);
        CHECK_STR(out, "0101901234");
        CHECK(jc_cpr_normalise("3213901234", out) != 0);
        CHECK(jc_cpr_normalise("290201123x", out) != 0);
        CHECK(jc_cpr_normalise("2902004234", out) == 0); /* 7th digit 4, year 00: 2000, a leap year */
        CHECK(jc_cpr_normalise("2902001234", out) != 0); /* 7th digit 1: 1900, not a leap year */
        CHECK(ctl_text_has_cpr("Se 0101901234 for detaljer"));
        CHECK(ctl_text_has_cpr("cpr 010190-1234."));
        CHECK(!ctl_text_has_cpr("sag 12345678901"));
        CHECK(!ctl_text_has_cpr("3213901234"));
        CHECK(!ctl_text_has_cpr("Lovlig grund dokumenteret"));
        CHECK(!ctl_text_has_cpr("ref X0101901234"));
}

static void test_rules(void)
{
        ctl_ctx ctx;
        ctl_rate rt;
        ctl_availability_rule ar;
        char err[256], rule_id[80];
        jc_date d2026 = {2026, 3, 3}, d2019 = {2019, 12, 31};
        static const struct {
                long long monthly;
                const char *kind;
                long rate;
        } cases[] = {{0, "sats-1", 200},     {5632, "sats-1", 200},  {5633, "sats-2", 400},
                     {9935, "sats-2", 400},  {9936, "sats-3", 600},  {13519, "sats-3", 600},
                     {13520, "sats-4", 700}, {40000, "sats-4", 700}};

        memset(&ctx, 0, sizeof(ctx));
        CHECK_INT(jc_rulebook_load(&ctx.rules, JC_SOURCE_DIR "/services/control/rules/sanction_rules.json",
                                   NULL, err, sizeof(err)), 0);
        CHECK_INT(ctl_rules_check(&ctx, err, sizeof(err)), 0);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                CHECK_INT(ctl_rules_rate(&ctx, d2026, cases[i].monthly, &rt), 0);
                CHECK_STR(rt.kind, cases[i].kind);
                CHECK_INT(rt.rate_dkk, cases[i].rate);
        }
        CHECK_STR(rt.effective_from, "2021-01-01");
        CHECK_INT(ctl_rules_rate(&ctx, d2019, 9000, &rt), -1); /* no 2021 figures yet */
        CHECK_INT(ctl_rules_consequence(&ctx, "kontanthjaelp-jobparat", d2026, rule_id),
                  CTL_MUNICIPAL_SANCTION);
        CHECK_STR(rule_id, "R54-R56-municipal-sanction");
        CHECK_INT(ctl_rules_consequence(&ctx, "selvforsoergelse-hjemrejse", d2026, NULL),
                  CTL_MUNICIPAL_SANCTION);
        CHECK_INT(ctl_rules_consequence(&ctx, "a-dagpenge", d2026, NULL), CTL_AKASSE_REPORT);
        CHECK_INT(ctl_rules_consequence(&ctx, "ledighedsydelse", d2026, NULL), CTL_MANUAL_ASSESSMENT);
        CHECK_INT(ctl_rules_consequence(&ctx, "ressourceforloeb", d2026, NULL), CTL_MANUAL_ASSESSMENT);
        CHECK_INT(ctl_rules_consequence(&ctx, "kontanthjaelp-jobparat", d2019, NULL),
                  CTL_MANUAL_ASSESSMENT);
        CHECK_INT(ctl_rules_hearing_days(&ctx, d2026), 14);
        CHECK_INT(ctl_rules_availability(&ctx, "a-dagpenge", d2026, &ar), 0);
        CHECK_INT(ar.doubts, 2);
        CHECK_INT(ar.window_days, 90);
        CHECK_INT(ar.contact_every_days, 7);
        CHECK_INT(ctl_rules_availability(&ctx, "sygedagpenge-ledig", d2026, &ar), -1);
        jc_rulebook_release(&ctx.rules);
}

int main(void)
{
        RUN(test_lines);
        RUN(test_header);
        RUN(test_records);
        RUN(test_cpr);
        RUN(test_rules);
        return JC_TEST_RESULT();
}
