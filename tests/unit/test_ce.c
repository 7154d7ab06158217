/* CloudEvents envelope: build, parse, strict decode naming the failing field. */
#include <stdlib.h>

#include "jc/ce.h"
#include "jc/uuid.h"
#include "jc_test.h"

static int decode(const char *json, char *err, size_t errlen)
{
        jc_ce_event ev;
        int rc = jc_ce_decode(json, strlen(json), &ev, err, errlen);

        if (rc == 0)
                jc_ce_event_release(&ev);
        return rc;
}

static void test_build_and_decode(void)
{
        char err[256] = "", tp[JC_TRACEPARENT_LEN];
        json_t *ev;
        char *s;
        jc_ce_event d;

        jc_trace_new(tp);
        ev = jc_ce_build("/jobcenter/intake", "case.opened.v1", "c-1", tp,
                         json_pack("{s:s}", "case_id", "c-1"), err, sizeof(err));
        CHECK(ev != NULL);
        s = json_dumps(ev, JSON_COMPACT);
        CHECK_INT(jc_ce_decode(s, strlen(s), &d, err, sizeof(err)), 0);
        CHECK_STR(d.type, "dk.jobcenter.case.opened.v1");
        CHECK_STR(d.short_type, "case.opened.v1");
        CHECK_STR(d.source, "/jobcenter/intake");
        CHECK_STR(d.subject, "c-1");
        CHECK_STR(d.traceparent, tp);
        CHECK(jc_uuid_is_valid(d.id));
        CHECK_STR(json_string_value(json_object_get(d.data, "case_id")), "c-1");
        CHECK_STR(json_string_value(json_object_get(d.root, "partitionkey")), "c-1");
        CHECK_STR(json_string_value(json_object_get(d.root, "dataschema")),
                  "urn:jobcenter:schema:case.opened.v1");
        jc_ce_event_release(&d);
        free(s);
        json_decref(ev);
}

static void test_build_refuses_bad_input(void)
{
        char err[256] = "";

        CHECK(jc_ce_build("/x", "Case.Opened", NULL, NULL, json_object(), err, sizeof(err)) == NULL);
        CHECK_CONTAINS(err, "invalid event type");
        CHECK(jc_ce_build("/x", "case.opened.v1", NULL, NULL, json_array(), err, sizeof(err)) == NULL);
        CHECK_CONTAINS(err, "must be a JSON object");
}

#define OK_ENV "\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"/s\",\"type\":\"dk.jobcenter.case.opened.v1\""

static void test_strict_envelope_errors(void)
{
        char err[256];

        CHECK_INT(decode("{" OK_ENV ",\"data\":{}}", err, sizeof(err)), 0);
        /* Extensions and unknown attributes are forward compatible. */
        CHECK_INT(decode("{" OK_ENV ",\"data\":{},\"myext\":1,\"partitionkey\":\"k\"}", err,
                         sizeof(err)), 0);
        CHECK_INT(decode("{\"id\":\"e1\",\"source\":\"/s\",\"type\":\"dk.jobcenter.a.v1\",\"data\":{}}",
                         err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "'specversion'");
        CHECK_INT(decode("{\"specversion\":\"0.3\",\"id\":\"e\",\"source\":\"/s\",\"type\":\"dk.jobcenter.a.v1\",\"data\":{}}",
                         err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "'specversion'");
        CHECK_INT(decode("{\"specversion\":\"1.0\",\"id\":\"\",\"source\":\"/s\",\"type\":\"dk.jobcenter.a.v1\",\"data\":{}}",
                         err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "'id'");
        CHECK_INT(decode("{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":7,\"type\":\"dk.jobcenter.a.v1\",\"data\":{}}",
                         err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "'source'");
        CHECK_INT(decode("{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"/s\",\"type\":\"com.other.a.v1\",\"data\":{}}",
                         err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "'type'");
        CHECK_INT(decode("{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"/s\",\"type\":\"dk.jobcenter.case.opened\",\"data\":{}}",
                         err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "'type'");
        CHECK_INT(decode("{" OK_ENV ",\"time\":\"yesterday\",\"data\":{}}", err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "'time'");
        CHECK_INT(decode("{" OK_ENV ",\"time\":\"2026-03-02T09:15:00+01:00\",\"data\":{}}", err,
                         sizeof(err)), 0);
        CHECK_INT(decode("{" OK_ENV ",\"datacontenttype\":\"text/xml\",\"data\":{}}", err,
                         sizeof(err)), -1);
        CHECK_CONTAINS(err, "'datacontenttype'");
        CHECK_INT(decode("{" OK_ENV ",\"data\":[1]}", err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "'data'");
        CHECK_INT(decode("{" OK_ENV "}", err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "'data'");
        CHECK_INT(decode("{" OK_ENV ",\"subject\":5,\"data\":{}}", err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "'subject'");
        CHECK_INT(decode("[1,2]", err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "JSON object");
        CHECK_INT(decode("{" OK_ENV ",\"id\":\"dup\",\"data\":{}}", err, sizeof(err)), -1);
        CHECK_INT(decode("", err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "empty message");
}

static void test_parse_error_does_not_quote_input(void)
{
        char err[256];

        /* A CPR-looking token in broken JSON must not reach the reason text. */
        CHECK_INT(decode("{\"cpr\": 0101901234x}", err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "invalid JSON");
        CHECK(strstr(err, "0101901234") == NULL);
}

static void test_short_type(void)
{
        char out[96];

        CHECK_INT(jc_ce_short_type("dk.jobcenter.meeting.no_show.v1", out, sizeof(out)), 0);
        CHECK_STR(out, "meeting.no_show.v1");
        CHECK_INT(jc_ce_short_type("dk.jobcenter..v1", out, sizeof(out)), -1);
        CHECK_INT(jc_ce_short_type("dk.jobcenter.a.v", out, sizeof(out)), -1);
        CHECK_INT(jc_ce_short_type("dk.jobcenter.a.vx1", out, sizeof(out)), -1);
        CHECK_INT(jc_ce_short_type("dk.jobcenter.A.v1", out, sizeof(out)), -1);
}

static void test_trace(void)
{
        char a[JC_TRACEPARENT_LEN], b[JC_TRACEPARENT_LEN], ida[33], idb[33];

        jc_trace_new(a);
        CHECK_INT(strlen(a), 55);
        jc_trace_continue(a, b);
        jc_trace_id(a, ida);
        jc_trace_id(b, idb);
        CHECK_STR(ida, idb);
        CHECK(strcmp(a, b) != 0); /* new span id */
        jc_trace_continue("garbage", b);
        CHECK_INT(strlen(b), 55);
        jc_trace_id("00-00000000000000000000000000000000-0000000000000001-01", ida);
        CHECK_STR(ida, ""); /* all-zero trace id is invalid */
}

int main(void)
{
        RUN(test_build_and_decode);
        RUN(test_build_refuses_bad_input);
        RUN(test_strict_envelope_errors);
        RUN(test_parse_error_does_not_quote_input);
        RUN(test_short_type);
        RUN(test_trace);
        return JC_TEST_RESULT();
}
