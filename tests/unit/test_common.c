/* Buffers, JSON escaping, field validation, topic catalogue, metrics, rulebooks. */
#include <stdlib.h>

#include "jc/buf.h"
#include "jc/metrics.h"
#include "jc/outbox.h"
#include "jc/pg.h"
#include "jc/rules.h"
#include "jc/topics.h"
#include "jc/uuid.h"
#include "jc/validate.h"
#include "jc_test.h"

static void test_buf(void)
{
        jc_buf b = JC_BUF_INIT;
        char *s;
        size_t n;

        CHECK_STR(b.data, "");
        jc_buf_appendf(&b, "%d-%s", 42, "x");
        jc_buf_append_json_str(&b, "a\"b\\c\n\x01");
        CHECK_STR(b.data, "42-x\"a\\\"b\\\\c\\n\\u0001\"");
        for (int i = 0; i < 1000; i++)
                jc_buf_appends(&b, "0123456789");
        CHECK_INT(b.len, 10000 + 21);
        s = jc_buf_detach(&b, &n);
        CHECK_INT(n, 10021);
        CHECK_STR(b.data, "");
        free(s);
        jc_buf_release(&b);
}

static void test_uuid(void)
{
        char a[JC_UUID_STRLEN], b[JC_UUID_STRLEN];

        CHECK_INT(jc_uuid_v4(a), 0);
        CHECK_INT(jc_uuid_v4(b), 0);
        CHECK(jc_uuid_is_valid(a));
        CHECK(strcmp(a, b) != 0);
        CHECK(a[14] == '4');
        CHECK(!jc_uuid_is_valid("not-a-uuid"));
        CHECK(!jc_uuid_is_valid("0123456789abcdef0123456789abcdef0123"));
        CHECK(!jc_uuid_is_valid(NULL));
}

static void test_validate(void)
{
        static const char *const groups[] = {"a", "b", NULL};
        static const char *const known[] = {"name", "group", "when", "n", "ok", "list", NULL};
        json_t *o = json_loads("{\"name\":\"\",\"group\":\"c\",\"when\":\"2026-02-30\","
                               "\"n\":7,\"ok\":\"yes\",\"list\":{},\"extra\":1}", 0, NULL);
        jc_date d;
        long long n;
        int b;
        jc_verrs v;
        json_t *errs;
        char first[256];

        jc_verrs_init(&v);
        CHECK(jc_v_str(o, NULL, "name", 1, 1, 10, &v) == NULL);
        CHECK(jc_v_enum(o, NULL, "group", 1, groups, &v) == NULL);
        CHECK_INT(jc_v_date(o, NULL, "when", 1, &d, &v), -1);
        CHECK_INT(jc_v_int(o, NULL, "n", 1, 0, 5, &n, &v), -1);
        CHECK_INT(jc_v_bool(o, NULL, "ok", 1, &b, &v), -1);
        CHECK(jc_v_array(o, NULL, "list", 1, 10, &v) == NULL);
        CHECK(jc_v_str(o, NULL, "missing", 1, 1, 10, &v) == NULL);
        CHECK(jc_v_str(o, NULL, "optional", 0, 1, 10, &v) == NULL);
        jc_v_no_unknown(o, NULL, known, &v);
        CHECK_INT(jc_verrs_count(&v), 8);
        jc_verrs_first(&v, first, sizeof(first));
        CHECK_STR(first, "name: must be at least 1 characters long");
        errs = jc_verrs_take(&v);
        CHECK_STR(json_string_value(json_object_get(json_array_get(errs, 6), "field")), "missing");
        CHECK_STR(json_string_value(json_object_get(json_array_get(errs, 7), "field")), "extra");
        CHECK_STR(json_string_value(json_object_get(json_array_get(errs, 2), "pointer")), "#/when");
        json_decref(errs);
        jc_verrs_release(&v);
        json_decref(o);

        o = json_loads("{\"data\":{\"history\":[{\"date\":\"x\"}]}}", 0, NULL);
        jc_verrs_init(&v);
        jc_v_date(json_array_get(json_object_get(json_object_get(o, "data"), "history"), 0),
                  "data.history[0]", "date", 1, &d, &v);
        errs = jc_verrs_take(&v);
        CHECK_STR(json_string_value(json_object_get(json_array_get(errs, 0), "field")),
                  "data.history[0].date");
        CHECK_STR(json_string_value(json_object_get(json_array_get(errs, 0), "pointer")),
                  "#/data/history/0/date");
        json_decref(errs);
        jc_verrs_release(&v);
        json_decref(o);
}

static void test_catalogue(void)
{
        jc_topic_catalogue cat;
        char err[256];
        const jc_topic *t;

        CHECK_INT(jc_topics_load(&cat, NULL, err, sizeof(err)), 0);
        CHECK(cat.ntopics >= 9);
        t = jc_topics_find(&cat, "jobcenter.case.v1");
        CHECK(t != NULL);
        CHECK(t && !t->personal_data && t->partitions > 1);
        CHECK(t && jc_topic_has_event(t, "case.opened.v1"));
        CHECK(t && !jc_topic_has_event(t, "case.opened"));
        t = jc_topics_find(&cat, "jobcenter.citizen.v1");
        CHECK(t && t->personal_data && strcmp(t->cleanup_policy, "compact") == 0);
        CHECK(jc_topics_find(&cat, "jobcenter.cases.v1") == NULL);
        jc_topics_release(&cat);
        CHECK_INT(jc_topics_load(&cat, "/nonexistent.json", err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "/nonexistent.json");
}

static void test_metrics(void)
{
        jc_metrics *m = jc_metrics_new();
        jc_buf out = JC_BUF_INIT;

        jc_metrics_counter_add(m, "jc_x_total", "X", "route=\"a\"", 2);
        jc_metrics_counter_add(m, "jc_y_total", "Y", "", 1);
        jc_metrics_counter_add(m, "jc_x_total", "X", "route=\"b\"", 1);
        jc_metrics_counter_add(m, "jc_x_total", "X", "route=\"a\"", 1);
        jc_metrics_observe(m, "jc_d_seconds", "D", "", 0.003);
        jc_metrics_gauge_set(m, "jc_g", "G", "", 5);
        jc_metrics_render(m, &out);
        CHECK_CONTAINS(out.data, "# TYPE jc_x_total counter\njc_x_total{route=\"a\"} 3\njc_x_total{route=\"b\"} 1\n");
        CHECK_CONTAINS(out.data, "jc_y_total 1\n");
        CHECK_CONTAINS(out.data, "jc_d_seconds_bucket{le=\"0.0025\"} 0\njc_d_seconds_bucket{le=\"0.005\"} 1\n");
        CHECK_CONTAINS(out.data, "jc_d_seconds_bucket{le=\"+Inf\"} 1\n");
        CHECK_CONTAINS(out.data, "jc_d_seconds_count 1\n");
        CHECK_CONTAINS(out.data, "# TYPE jc_g gauge\njc_g 5\n");
        jc_buf_release(&out);
        jc_metrics_free(m);
}

static void test_emit_refuses_names_outside_the_catalogue(void)
{
        jc_topic_catalogue cat;
        jc_emitter em;
        jc_pg_err e;
        char err[256];

        CHECK_INT(jc_topics_load(&cat, NULL, err, sizeof(err)), 0);
        em.source = "/jobcenter/test";
        em.catalogue = &cat;
        /* Refused before the database is touched (db NULL). */
        CHECK_INT(jc_emit(&em, NULL, "jobcenter.cases.v1", "k", "case.opened.v1", "k",
                          json_object(), NULL, &e), -1);
        CHECK_CONTAINS(e.message, "topic \"jobcenter.cases.v1\" is not in the topic catalogue");
        CHECK_INT(jc_emit(&em, NULL, "jobcenter.case.v1", "k", "case.closed.v9", "k",
                          json_object(), NULL, &e), -1);
        CHECK_CONTAINS(e.message, "is not declared for topic");
        CHECK_INT(jc_emit_tombstone(&em, NULL, "jobcenter.case.v1", "k", &e), -1);
        CHECK_CONTAINS(e.message, "compacted");
        jc_topics_release(&cat);
}

static void test_pg_array_literal(void)
{
        jc_buf b = JC_BUF_INIT;

        jc_pg_array_end(&b);
        CHECK_STR(b.data, "{}");
        jc_buf_reset(&b);
        b.len = 0;
        jc_pg_array_add(&b, "a");
        jc_pg_array_add(&b, NULL);
        jc_pg_array_add(&b, "q\"u\\o,{}");
        jc_pg_array_end(&b);
        CHECK_STR(b.data, "{\"a\",NULL,\"q\\\"u\\\\o,{}\"}");
        jc_buf_release(&b);
}

/* Loads `text` as an embedded rulebook; returns the load's result. */
static int load_rules(jc_rulebook *rb, const char *text, char *err, size_t errlen)
{
        jc_embedded_file f = {"test_rules.json", text, strlen(text)};

        return jc_rulebook_load(rb, NULL, &f, err, errlen);
}

static void test_rulebook(void)
{
        jc_rulebook rb;
        char err[256];
        jc_date d;

        CHECK(load_rules(&rb,
                         "{\"rule_sets\": [{\"id\": \"a\", \"valid_from\": \"2020-01-01\", \"rules\": "
                         "[{\"id\": \"r1\"}]}, {\"id\": \"b\", \"valid_from\": \"2024-01-01\", "
                         "\"rules\": [{\"id\": \"r1\"}, {\"id\": \"r2\"}]}]}",
                         err, sizeof(err)) == 0);
        jc_date_parse("2019-12-31", &d);
        CHECK(jc_rulebook_set_for(&rb, d) == NULL);
        jc_date_parse("2020-01-01", &d);
        CHECK(strcmp(json_string_value(json_object_get(jc_rulebook_set_for(&rb, d), "id")), "a") == 0);
        jc_date_parse("2023-12-31", &d);
        CHECK(strcmp(json_string_value(json_object_get(jc_rulebook_set_for(&rb, d), "id")), "a") == 0);
        jc_date_parse("2024-01-01", &d);
        CHECK(strcmp(json_string_value(json_object_get(jc_rulebook_set_for(&rb, d), "id")), "b") == 0);
        CHECK(jc_rulebook_set_by_id(&rb, "b") != NULL);
        CHECK(jc_rulebook_set_by_id(&rb, "c") == NULL);
        jc_rulebook_release(&rb);

        CHECK(load_rules(&rb, "{\"rule_sets\": []}", err, sizeof(err)) == -1);
        CHECK(strstr(err, "non-empty") != NULL);
        CHECK(load_rules(&rb, "{\"rule_sets\": [", err, sizeof(err)) == -1);
        CHECK(strstr(err, "test_rules.json") != NULL);
        CHECK(load_rules(&rb,
                         "{\"rule_sets\": [{\"id\": \"b\", \"valid_from\": \"2024-01-01\", \"rules\": []},"
                         " {\"id\": \"a\", \"valid_from\": \"2020-01-01\", \"rules\": []}]}",
                         err, sizeof(err)) == -1);
        CHECK(strstr(err, "valid_from in order") != NULL);
        CHECK(load_rules(&rb,
                         "{\"rule_sets\": [{\"id\": \"a\", \"valid_from\": \"2020-01-01\", \"rules\": []},"
                         " {\"id\": \"a\", \"valid_from\": \"2024-01-01\", \"rules\": []}]}",
                         err, sizeof(err)) == -1);
        CHECK(strstr(err, "two rule sets have id \"a\"") != NULL);
        CHECK(load_rules(&rb,
                         "{\"rule_sets\": [{\"id\": \"a\", \"valid_from\": \"2020-01-01\", \"rules\": "
                         "[{\"id\": \"r1\"}, {\"id\": \"r1\"}]}]}",
                         err, sizeof(err)) == -1);
        CHECK(strstr(err, "two rules with id \"r1\"") != NULL);
        CHECK(load_rules(&rb,
                         "{\"rule_sets\": [{\"id\": \"a\", \"valid_from\": \"2020-02-30\", \"rules\": []}]}",
                         err, sizeof(err)) == -1);
        CHECK(strstr(err, "valid_from (YYYY-MM-DD)") != NULL);
        CHECK(load_rules(&rb,
                         "{\"rule_sets\": [{\"id\": \"a\", \"valid_from\": \"2020-01-01\", \"rules\": "
                         "[{\"source\": \"x\"}]}]}",
                         err, sizeof(err)) == -1);
        CHECK(strstr(err, "rules[0] has no id") != NULL);
}

int main(void)
{
        RUN(test_emit_refuses_names_outside_the_catalogue);
        RUN(test_pg_array_literal);
        RUN(test_buf);
        RUN(test_uuid);
        RUN(test_validate);
        RUN(test_catalogue);
        RUN(test_metrics);
        RUN(test_rulebook);
        return JC_TEST_RESULT();
}
