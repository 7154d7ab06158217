/*
 * Employer follow-ups over HTTP: the due list, and recording the result
 * (hired, extended with a new end date, ended).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"
#include "jc/vocab.h"
#include "offers.h"

static const char *const follow_up_statuses[] = {"open", "done", "cancelled", NULL};
static const char *const follow_up_results[] = {"hired", "extended", "ended", NULL};

/* GET /v1/follow-ups?status=open&due_by=&caseworker_id=&case_id=&limit=&cursor= */
void offers_follow_up_list(jc_http_req *req)
{
        jc_service *svc = jc_http_service(req);
        const char *status = jc_http_query(req, "status");
        const char *cw = jc_http_query(req, "caseworker_id");
        const char *case_id = jc_http_query(req, "case_id");
        char key[16], after[JC_UUID_STRLEN], due_s[JC_DATE_STRLEN], today_s[JC_DATE_STRLEN],
            lim[24];
        jc_date due_by, after_date;
        long limit;
        int has_due;
        jc_verrs v;
        PGconn *db;

        jc_verrs_init(&v);
        if (status && !jc_vocab_has(follow_up_statuses, status))
                jc_verrs_add(&v, "status", "must be open, done or cancelled");
        if (cw && (!*cw || strlen(cw) > OFFERS_ID_LEN - 1))
                jc_verrs_add(&v, "caseworker_id", "must be 1 to 40 characters");
        if (case_id && !jc_uuid_is_valid(case_id))
                jc_verrs_add(&v, "case_id", "must be a UUID");
        has_due = offers_query_date(req, "due_by", &due_by, &v);
        offers_query_limit(req, 50, 500, &limit, &v);
        offers_query_cursor(req, key, sizeof(key), after, &v);
        if (key[0] && jc_date_parse(key, &after_date) != 0)
                jc_verrs_add(&v, "cursor", "is not a cursor this API returned");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        if (has_due == 1)
                jc_date_format(due_by, due_s);
        jc_date_format(jc_service_today(svc), today_s);
        snprintf(lim, sizeof(lim), "%ld", limit + 1);
        offers_list_reply(req, db, "offers_follow_up_list",
                          JC_PG_ARGS(status ? status : "open", has_due == 1 ? due_s : NULL, cw,
                                     case_id, key[0] ? key : NULL, key[0] ? after : NULL, lim,
                                     today_s),
                          limit);
out:
        jc_verrs_release(&v);
}

typedef struct result_input {
        const char *result;
        jc_date recorded_on;
        int has_until;
        jc_date extended_until;
} result_input;

static void result_parse(json_t *body, jc_date today, result_input *in, jc_verrs *v)
{
        int until;

        memset(in, 0, sizeof(*in));
        in->result = jc_v_enum(body, NULL, "result", 1, follow_up_results, v);
        if (jc_v_date(body, NULL, "recorded_on", 1, &in->recorded_on, v) == 1 &&
            jc_date_cmp(in->recorded_on, today) > 0)
                jc_verrs_add(v, "recorded_on", "must not be in the future");
        until = jc_v_date(body, NULL, "extended_until", 0, &in->extended_until, v);
        in->has_until = until == 1;
        if (in->result && strcmp(in->result, "extended") == 0 && until == 0)
                jc_verrs_add(v, "extended_until", "is required when result is extended");
        if (in->result && strcmp(in->result, "extended") != 0 && in->has_until)
                jc_verrs_add(v, "extended_until", "is allowed only when result is extended");
}

/* The follow-up (with its enrolment) as JSON: new reference or NULL. */
static json_t *follow_up_json(PGconn *db, const char *id, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "offers_follow_up_get", JC_PG_ARGS(id), e);
        json_t *out = NULL, *en;

        if (!r)
                return NULL;
        if (PQntuples(r) == 1)
                out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
        PQclear(r);
        if (!out) {
                jc_pg_err_set(e, 0, "could not read follow-up %s back", id);
                return NULL;
        }
        en = offers_enrolment_json(db, json_string_value(json_object_get(out, "enrolment_id")), e);
        if (!en) {
                json_decref(out);
                return NULL;
        }
        json_object_set_new(out, "enrolment", en);
        return out;
}

/* Extends the placement to `until`: the new days must have a place, respect
 * the full-time and work-duty rules, and fall within the offer's dates. A new
 * follow-up prepares the new end. Returns 1 done, 0 replied, -1 db error. */
static int extend_placement(jc_http_req *req, jc_service *svc, PGconn *db,
                            const offers_enrolment *en, jc_date until, jc_pg_err *e)
{
        offers_ctx *octx = svc->ctx;
        const offers_type *type = offers_rules_type(&octx->rules, en->offer_type);
        char until_s[JC_DATE_STRLEN];
        offers_check_detail d;
        offers_check_result res;
        offers_placement p;
        PGresult *r;

        if (strcmp(en->status, "ended") == 0) {
                jc_pg_rollback(db);
                jc_http_reply_problem(req, 409, "invalid-state", "Placement has ended",
                                      "an ended placement cannot be extended", NULL);
                return 0;
        }
        if (jc_date_cmp(until, en->planned_end) <= 0) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "extended_until",
                                            "must be after the placement's planned end");
                return 0;
        }
        r = jc_pg_exec(db, "offers_offer_lock", JC_PG_ARGS(en->offer_id), e);
        if (!r)
                return -1;
        if (!PQgetisnull(r, 0, 5) && jc_date_cmp(until, offers_pq_date(r, 0, 5)) > 0) {
                PQclear(r);
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "extended_until", "must be within the offer's dates");
                return 0;
        }
        memset(&p, 0, sizeof(p));
        p.case_id = en->case_id;
        p.target_group = en->target_group;
        p.work_duty = en->work_duty;
        p.offer_id = en->offer_id;
        p.capacity = atoi(PQgetvalue(r, 0, 3));
        p.self = en->enrolment_id;
        p.from = jc_date_add_days(en->planned_end, 1);
        p.to = until;
        p.hours = en->hours_per_week;
        p.counts_work_duty = type ? type->work_duty_hours : 1;
        PQclear(r);
        res = offers_placement_check(svc, db, &p, &d, e);
        if (res == OFFERS_CHECK_ERROR)
                return -1;
        if (res != OFFERS_CHECK_OK) {
                jc_pg_rollback(db);
                offers_reply_check_failure(req, res, &d);
                return 0;
        }
        jc_date_format(until, until_s);
        r = jc_pg_exec(db, "offers_enrolment_extend", JC_PG_ARGS(en->enrolment_id, until_s), e);
        if (!r)
                return -1;
        PQclear(r);
        if (offers_follow_up_create(svc, db, en->enrolment_id, en->case_id,
                                    jc_date_add_days(en->planned_end, 1), until, e) != 0)
                return -1;
        return 1;
}

/* POST /v1/follow-ups/{follow_up_id}/result {result, recorded_on, extended_until} */
void offers_follow_up_result(jc_http_req *req)
{
        static const char *const fields[] = {"result", "recorded_on", "extended_until", NULL};
        jc_service *svc = jc_http_service(req);
        const char *id;
        char until_s[JC_DATE_STRLEN], rec_s[JC_DATE_STRLEN], enrolment_id[JC_UUID_STRLEN];
        json_t *body, *resp = NULL;
        offers_enrolment en;
        result_input in;
        int case_open = 0, rc;
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        body = offers_body(req, fields, &v);
        if (!body)
                goto out;
        id = offers_path_uuid_check(req, "follow_up_id", &v);
        result_parse(body, jc_service_today(svc), &in, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        r = jc_pg_exec(db, "offers_follow_up_enrolment", JC_PG_ARGS(id), &e);
        if (!r)
                goto db_error;
        if (PQntuples(r) == 0) {
                PQclear(r);
                jc_pg_rollback(db);
                jc_http_reply_problem(req, 404, "not-found", "Follow-up not found",
                                      "no follow-up with this follow_up_id", NULL);
                goto out;
        }
        snprintf(enrolment_id, sizeof(enrolment_id), "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        switch (offers_enrolment_lock(db, enrolment_id, &en, &case_open, &e)) {
        case OFFERS_LOADED:
                break;
        case OFFERS_NOT_FOUND:
                jc_pg_err_set(&e, 0, "follow-up %s has no enrolment", id);
                goto db_error;
        case OFFERS_LOAD_ERROR:
                goto db_error;
        }
        r = jc_pg_exec(db, "offers_follow_up_lock", JC_PG_ARGS(id), &e);
        if (!r)
                goto db_error;
        jc_date_format(in.recorded_on, rec_s);
        if (in.has_until)
                jc_date_format(in.extended_until, until_s);
        if (strcmp(PQgetvalue(r, 0, 0), "open") != 0) {
                /* The same result again answers as the first time. */
                int same = strcmp(PQgetvalue(r, 0, 0), "done") == 0 &&
                           strcmp(PQgetvalue(r, 0, 1), in.result) == 0 &&
                           strcmp(PQgetvalue(r, 0, 3), rec_s) == 0 &&
                           (in.has_until ? strcmp(PQgetvalue(r, 0, 2), until_s) == 0
                                         : PQgetisnull(r, 0, 2));
                char detail[96];

                snprintf(detail, sizeof(detail), "the follow-up is %s", PQgetvalue(r, 0, 0));
                PQclear(r);
                jc_pg_rollback(db);
                if (!same) {
                        jc_http_reply_problem(req, 409, "follow-up-closed",
                                              "Follow-up already closed", detail, NULL);
                        goto out;
                }
                resp = follow_up_json(db, id, &e);
                if (!resp)
                        goto db_error;
                jc_http_reply_json(req, 200, resp);
                resp = NULL;
                goto out;
        }
        PQclear(r);
        jc_log_ctx_set_case(en.case_id);
        if (strcmp(in.result, "extended") == 0) {
                rc = extend_placement(req, svc, db, &en, in.extended_until, &e);
                if (rc < 0)
                        goto db_error;
                if (rc == 0)
                        goto out;
        }
        r = jc_pg_exec(db, "offers_follow_up_done",
                       JC_PG_ARGS(id, in.result, in.has_until ? until_s : NULL, rec_s,
                                  jc_http_principal(req)->principal),
                       &e);
        if (!r)
                goto db_error;
        PQclear(r);
        resp = follow_up_json(db, id, &e);
        if (!resp || jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        jc_log_write(JC_LOG_INFO, JC_KV({"result", in.result}), "employer follow-up recorded");
        jc_http_reply_json(req, 200, resp);
        resp = NULL;
        goto out;
db_error:
        offers_db_fail(req, db, &e);
out:
        json_decref(resp);
        jc_verrs_release(&v);
}
