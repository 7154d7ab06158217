/*
 * An enrolment's life: start (fulfils the case's offer obligations),
 * attendance (a missed day goes to control through its event), end with an
 * outcome. Each repeats idempotently: the same request again answers as the
 * first time; a different one for the same step is 409.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"
#include "jc/vocab.h"
#include "offers.h"

static const char *const outcomes[] = {"job", "education", "completed", "ended_early", "no_show",
                                       "cancelled", NULL};
static const char *const miss_reasons[] = {"illness", "childcare", "transport", "other", NULL};

/* Opens the transaction and locks enrolment `id` (validated) of an open
 * case. Returns the connection, or NULL after replying. */
static PGconn *begin_on_enrolment(jc_http_req *req, const char *id, offers_enrolment *en)
{
        int case_open = 0;
        jc_pg_err e;
        PGconn *db;

        db = jc_http_db(req);
        if (!db)
                return NULL;
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        switch (offers_enrolment_lock(db, id, en, &case_open, &e)) {
        case OFFERS_LOADED:
                break;
        case OFFERS_NOT_FOUND:
                jc_pg_rollback(db);
                jc_http_reply_problem(req, 404, "not-found", "Enrolment not found",
                                      "no enrolment with this enrolment_id", NULL);
                return NULL;
        case OFFERS_LOAD_ERROR:
                goto db_error;
        }
        jc_log_ctx_set_case(en->case_id);
        if (!case_open) {
                jc_pg_rollback(db);
                jc_http_reply_problem(req, 409, "case-closed", "Case is closed",
                                      "the case is closed; its offers have ended", NULL);
                return NULL;
        }
        return db;
db_error:
        offers_db_fail(req, db, &e);
        return NULL;
}

static void reply_state(jc_http_req *req, const char *detail)
{
        jc_http_reply_problem(req, 409, "invalid-state", "Enrolment is not in that state", detail,
                              NULL);
}

/* Rolls back and replies the enrolment as it is (an idempotent repeat). */
static void reply_current(jc_http_req *req, PGconn *db, const char *id)
{
        json_t *out;
        jc_pg_err e;

        jc_pg_rollback(db);
        out = offers_enrolment_json(db, id, &e);
        if (out)
                jc_http_reply_json(req, 200, out);
        else
                jc_http_reply_db_error(req, &e);
}

/* COMMIT and reply the enrolment JSON read in the transaction. */
static void commit_reply(jc_http_req *req, PGconn *db, const char *id, int status,
                         const char *what)
{
        json_t *out;
        jc_pg_err e;

        out = offers_enrolment_json(db, id, &e);
        if (!out || jc_pg_cmd(db, "COMMIT", &e) != 0) {
                json_decref(out);
                offers_db_fail(req, db, &e);
                return;
        }
        jc_log_info("%s", what);
        jc_http_reply_json(req, status, out);
}

/* POST /v1/enrolments/{enrolment_id}/start {started_on} */
void offers_enrolment_start(jc_http_req *req)
{
        static const char *const fields[] = {"started_on", NULL};
        jc_service *svc = jc_http_service(req);
        char on[JC_DATE_STRLEN], pe[JC_DATE_STRLEN];
        const char *id;
        json_t *body, *fulfilled = NULL, *data;
        offers_enrolment en;
        jc_date started_on;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        jc_verrs_init(&v);
        body = offers_body(req, fields, &v);
        if (!body)
                goto out;
        id = offers_path_uuid_check(req, "enrolment_id", &v);
        if (jc_v_date(body, NULL, "started_on", 1, &started_on, &v) == 1 &&
            jc_date_cmp(started_on, jc_service_today(svc)) > 0)
                jc_verrs_add(&v, "started_on", "must not be in the future");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = begin_on_enrolment(req, id, &en);
        if (!db)
                goto out;
        if (strcmp(en.status, "started") == 0 && jc_date_cmp(en.started_on, started_on) == 0) {
                reply_current(req, db, en.enrolment_id);
                goto out;
        }
        if (strcmp(en.status, "assigned") != 0) {
                jc_pg_rollback(db);
                reply_state(req, strcmp(en.status, "started") == 0
                                     ? "the offer already started on another day"
                                     : "the offer has ended");
                goto out;
        }
        if (jc_date_cmp(started_on, en.planned_start) < 0 ||
            jc_date_cmp(started_on, en.planned_end) > 0) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "started_on", "must be within the planned period");
                goto out;
        }
        jc_date_format(started_on, on);
        r = jc_pg_exec(db, "offers_enrolment_start", JC_PG_ARGS(en.enrolment_id, on), &e);
        if (!r)
                goto db_error;
        PQclear(r);
        if (offers_case_offer_dates(db, en.case_id, &e) != 0)
                goto db_error;
        fulfilled = json_array();
        if (offers_obligations_fulfil(db, en.case_id, en.enrolment_id, en.offer_type, started_on,
                                      jc_date_diff_days(started_on, en.planned_end) + 1, fulfilled,
                                      &e) != 0)
                goto db_error;
        jc_date_format(en.planned_end, pe);
        data = offers_enrolment_event_base(&en);
        if (data && json_object_update_new(
                        data, json_pack("{s:s, s:s, s:i, s:O}", "started_on", on, "planned_end", pe,
                                        "hours_per_week", en.hours_per_week,
                                        "fulfilled_obligation_ids", fulfilled)) != 0) {
                json_decref(data);
                data = NULL;
        }
        if (offers_emit(&svc->emitter, db, en.case_id, "offer.started.v1", data, &e) != 0)
                goto db_error;
        commit_reply(req, db, en.enrolment_id, 200, "offer started");
        goto out;
db_error:
        offers_db_fail(req, db, &e);
out:
        json_decref(fulfilled);
        jc_verrs_release(&v);
}

typedef struct attendance_input {
        jc_date day;
        int attended;
        int lawful; /* -1 absent */
        const char *reason;
} attendance_input;

static void attendance_parse(json_t *body, jc_date today, attendance_input *in, jc_verrs *v)
{
        int has_att, has_lawful;

        memset(in, 0, sizeof(*in));
        in->lawful = -1;
        if (jc_v_date(body, NULL, "date", 1, &in->day, v) == 1 && jc_date_cmp(in->day, today) > 0)
                jc_verrs_add(v, "date", "must not be in the future");
        has_att = jc_v_bool(body, NULL, "attended", 1, &in->attended, v) == 1;
        has_lawful = jc_v_bool(body, NULL, "lawful_reason", 0, &in->lawful, v);
        in->reason = jc_v_enum(body, NULL, "reason", 0, miss_reasons, v);
        if (has_lawful != 1)
                in->lawful = -1;
        if (has_att && !in->attended && has_lawful == 0)
                jc_verrs_add(v, "lawful_reason", "is required for a missed day");
        if (has_att && in->attended && has_lawful == 1)
                jc_verrs_add(v, "lawful_reason", "is allowed only for a missed day");
        if (in->reason && (in->attended || in->lawful != 1))
                jc_verrs_add(v, "reason", "is allowed only for a missed day with lawful_reason true");
}

/* The recorded day as JSON (new reference). */
static json_t *attendance_json(const char *enrolment_id, const char *day, int attended, int lawful,
                               const char *reason, const char *recorded_at)
{
        json_t *o = json_pack("{s:s, s:s, s:b, s:s}", "enrolment_id", enrolment_id, "date", day,
                              "attended", attended, "recorded_at", recorded_at);

        if (o && lawful >= 0)
                json_object_set_new(o, "lawful_reason", json_boolean(lawful));
        if (o && reason)
                json_object_set_new(o, "reason", json_string(reason));
        return o;
}

/* The day was recorded before: the same registration answers 200, another 409. */
static void attendance_repeat(jc_http_req *req, PGconn *db, const offers_enrolment *en,
                              const char *day, const attendance_input *in)
{
        const char *lawful_s, *reason;
        PGresult *r;
        jc_pg_err e;
        int same, lawful;

        r = jc_pg_exec(db, "offers_attendance_get", JC_PG_ARGS(en->enrolment_id, day), &e);
        jc_pg_rollback(db);
        if (!r || PQntuples(r) == 0) {
                if (r)
                        jc_pg_err_set(&e, 1, "attendance row vanished; retry");
                PQclear(r);
                jc_http_reply_db_error(req, &e);
                return;
        }
        lawful_s = offers_pq_str(r, 0, 1);
        lawful = lawful_s ? strcmp(lawful_s, "t") == 0 : -1;
        reason = offers_pq_str(r, 0, 2);
        same = (strcmp(PQgetvalue(r, 0, 0), "t") == 0) == in->attended && lawful == in->lawful &&
               ((!reason && !in->reason) || (reason && in->reason && strcmp(reason, in->reason) == 0));
        if (same)
                jc_http_reply_json(req, 200,
                                   attendance_json(en->enrolment_id, day, in->attended, lawful,
                                                   reason, PQgetvalue(r, 0, 3)));
        else
                jc_http_reply_field_problem(req, 409, "attendance-recorded",
                                            "Attendance already recorded", "date",
                                            "attendance for this day is already recorded differently");
        PQclear(r);
}

/* POST /v1/enrolments/{enrolment_id}/attendance {date, attended, lawful_reason, reason} */
void offers_attendance_record(jc_http_req *req)
{
        static const char *const fields[] = {"date", "attended", "lawful_reason", "reason", NULL};
        jc_service *svc = jc_http_service(req);
        const char *principal = jc_http_principal(req)->principal;
        const char *id;
        char day[JC_DATE_STRLEN];
        json_t *body, *resp = NULL, *data;
        attendance_input in;
        offers_enrolment en;
        jc_date last;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        jc_verrs_init(&v);
        body = offers_body(req, fields, &v);
        if (!body)
                goto out;
        id = offers_path_uuid_check(req, "enrolment_id", &v);
        attendance_parse(body, jc_service_today(svc), &in, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = begin_on_enrolment(req, id, &en);
        if (!db)
                goto out;
        if (!en.has_started) {
                jc_pg_rollback(db);
                reply_state(req, "the offer has not started");
                goto out;
        }
        last = en.has_ended ? en.ended_on : en.planned_end;
        if (jc_date_cmp(in.day, en.started_on) < 0 || jc_date_cmp(in.day, last) > 0) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "date", "must be a day the citizen was enrolled");
                goto out;
        }
        jc_date_format(in.day, day);
        r = jc_pg_exec(db, "offers_attendance_insert",
                       JC_PG_ARGS(en.enrolment_id, day, in.attended ? "true" : "false",
                                  in.lawful < 0 ? NULL : in.lawful ? "true" : "false", in.reason,
                                  principal),
                       &e);
        if (!r)
                goto db_error;
        if (PQntuples(r) == 0) {
                PQclear(r);
                attendance_repeat(req, db, &en, day, &in);
                goto out;
        }
        resp = attendance_json(en.enrolment_id, day, in.attended, in.lawful, in.reason,
                               PQgetvalue(r, 0, 0));
        PQclear(r);
        if (!in.attended) {
                data = offers_enrolment_event_base(&en);
                if (data && json_object_update_new(
                                data, json_pack("{s:s, s:b, s:s*, s:s, s:s*, s:i}", "date", day,
                                                "lawful_reason", in.lawful == 1, "reason", in.reason,
                                                "target_group", en.target_group, "caseworker_id",
                                                en.caseworker_id[0] ? en.caseworker_id : NULL,
                                                "hours_per_week", en.hours_per_week)) != 0) {
                        json_decref(data);
                        data = NULL;
                }
                if (offers_emit(&svc->emitter, db, en.case_id, "offer.attendance_missed.v1", data,
                                &e) != 0)
                        goto db_error;
        }
        if (!resp || jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        jc_log_write(JC_LOG_INFO, JC_KV({"attended", in.attended ? "true" : "false"}),
                     "attendance recorded");
        jc_http_reply_json(req, 201, resp);
        resp = NULL;
        goto out;
db_error:
        offers_db_fail(req, db, &e);
out:
        json_decref(resp);
        jc_verrs_release(&v);
}

/* POST /v1/enrolments/{enrolment_id}/end {ended_on, outcome} */
void offers_enrolment_end(jc_http_req *req)
{
        static const char *const fields[] = {"ended_on", "outcome", NULL};
        jc_service *svc = jc_http_service(req);
        const char *outcome, *id;
        json_t *body;
        offers_enrolment en;
        jc_date ended_on;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        body = offers_body(req, fields, &v);
        if (!body)
                goto out;
        id = offers_path_uuid_check(req, "enrolment_id", &v);
        outcome = jc_v_enum(body, NULL, "outcome", 1, outcomes, &v);
        if (jc_v_date(body, NULL, "ended_on", 1, &ended_on, &v) == 1 &&
            jc_date_cmp(ended_on, jc_service_today(svc)) > 0)
                jc_verrs_add(&v, "ended_on", "must not be in the future");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = begin_on_enrolment(req, id, &en);
        if (!db)
                goto out;
        if (strcmp(en.status, "ended") == 0) {
                if (strcmp(en.outcome, outcome) == 0 && jc_date_cmp(en.ended_on, ended_on) == 0)
                        reply_current(req, db, en.enrolment_id);
                else {
                        jc_pg_rollback(db);
                        reply_state(req, "the offer has already ended");
                }
                goto out;
        }
        if (!en.has_started && strcmp(outcome, "no_show") != 0 && strcmp(outcome, "cancelled") != 0) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "outcome",
                                            "must be no_show or cancelled for an offer that never started");
                goto out;
        }
        if (en.has_started && strcmp(outcome, "cancelled") == 0) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "outcome", "cancelled is only for an offer that never started");
                goto out;
        }
        if (en.has_started && (jc_date_cmp(ended_on, en.started_on) < 0 ||
                               jc_date_cmp(ended_on, en.planned_end) > 0)) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "ended_on",
                                            "must be within the started period (started_on to planned_end)");
                goto out;
        }
        if (offers_enrolment_finish(svc, db, &en, ended_on, outcome, "caseworker", &e) != 0)
                goto db_error;
        commit_reply(req, db, en.enrolment_id, 200, "offer ended");
        goto out;
db_error:
        offers_db_fail(req, db, &e);
out:
        jc_verrs_release(&v);
}
