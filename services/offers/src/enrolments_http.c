/*
 * Assigning an offer to a case, and reading enrolments. Assignment locks the
 * case and then the offer, so concurrent assignments queue on them and each
 * sees the places and hours the others took.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"
#include "offers.h"

#define OFFERS_MAX_PLACEMENT_DAYS 1096 /* three years (vocational education) */

typedef struct enrolment_input {
        const char *offer_id;
        jc_date start, end;
        int has_hours;
        long long hours;
} enrolment_input;

static void enrolment_parse(json_t *body, enrolment_input *in, jc_verrs *v)
{
        int s, t;

        memset(in, 0, sizeof(*in));
        in->offer_id = jc_v_uuid(body, NULL, "offer_id", 1, v);
        s = jc_v_date(body, NULL, "planned_start", 1, &in->start, v);
        t = jc_v_date(body, NULL, "planned_end", 1, &in->end, v);
        in->has_hours = jc_v_int(body, NULL, "hours_per_week", 0, 1, 37, &in->hours, v) == 1;
        if (s == 1 && t == 1) {
                if (jc_date_cmp(in->end, in->start) < 0)
                        jc_verrs_add(v, "planned_end", "must not be before planned_start");
                else if (jc_date_diff_days(in->start, in->end) >= OFFERS_MAX_PLACEMENT_DAYS)
                        jc_verrs_add(v, "planned_end", "must be within %d days of planned_start",
                                     OFFERS_MAX_PLACEMENT_DAYS);
        }
}

/* The locked case, as the assignment needs it. */
typedef struct locked_case {
        char citizen_ref[JC_UUID_STRLEN];
        char target_group[64];
        char caseworker_id[OFFERS_ID_LEN];
        jc_date start_date;
        int work_duty;
} locked_case;

/* Locks the open case. Returns 1, or 0 after replying (rolled back), or -1
 * on a database error. */
static int lock_open_case(jc_http_req *req, PGconn *db, const char *case_id, locked_case *lc,
                          jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "offers_case_lock", JC_PG_ARGS(case_id), e);

        if (!r)
                return -1;
        if (PQntuples(r) == 0 || strcmp(PQgetvalue(r, 0, 4), "open") != 0) {
                int missing = PQntuples(r) == 0;

                PQclear(r);
                jc_pg_rollback(db);
                if (missing)
                        jc_http_reply_problem(req, 404, "not-found", "Case not found",
                                              "offers knows no case with this case_id", NULL);
                else
                        jc_http_reply_problem(req, 409, "case-closed", "Case is closed",
                                              "a closed case gets no offers", NULL);
                return 0;
        }
        memset(lc, 0, sizeof(*lc));
        snprintf(lc->citizen_ref, sizeof(lc->citizen_ref), "%s", PQgetvalue(r, 0, 1));
        snprintf(lc->target_group, sizeof(lc->target_group), "%s", PQgetvalue(r, 0, 2));
        lc->start_date = offers_pq_date(r, 0, 3);
        lc->work_duty = PQgetisnull(r, 0, 5) ? -1 : strcmp(PQgetvalue(r, 0, 5), "t") == 0;
        snprintf(lc->caseworker_id, sizeof(lc->caseworker_id), "%s", PQgetvalue(r, 0, 6));
        PQclear(r);
        return 1;
}

/* The locked offer's facts checked against the request. Returns 1, or 0
 * after replying (rolled back), or -1 on a database error. */
static int lock_offer(jc_http_req *req, PGconn *db, const offers_rulebook *rules,
                      const enrolment_input *in, const offers_type **type, int *capacity,
                      int *hours, char provider_id[JC_UUID_STRLEN], jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "offers_offer_lock", JC_PG_ARGS(in->offer_id), e);
        jc_verrs v;

        if (!r)
                return -1;
        jc_verrs_init(&v);
        if (PQntuples(r) == 0) {
                jc_verrs_add(&v, "offer_id", "is not a known offer");
        } else {
                *type = offers_rules_type(rules, PQgetvalue(r, 0, 1));
                if (!*type)
                        jc_verrs_add(&v, "offer_id", "has an offer type that is no longer in the catalogue");
                if (jc_date_cmp(in->start, offers_pq_date(r, 0, 4)) < 0)
                        jc_verrs_add(&v, "planned_start", "must not be before the offer's available_from");
                if (!PQgetisnull(r, 0, 5) && jc_date_cmp(in->end, offers_pq_date(r, 0, 5)) > 0)
                        jc_verrs_add(&v, "planned_end", "must not be after the offer's available_until");
                *capacity = atoi(PQgetvalue(r, 0, 3));
                *hours = in->has_hours ? (int)in->hours : atoi(PQgetvalue(r, 0, 6));
                snprintf(provider_id, JC_UUID_STRLEN, "%s", PQgetvalue(r, 0, 2));
        }
        PQclear(r);
        if (jc_verrs_count(&v)) {
                jc_pg_rollback(db);
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                jc_verrs_release(&v);
                return 0;
        }
        jc_verrs_release(&v);
        return 1;
}

/* Inserts the enrolment, its employer follow-up and offer.assigned.v1. */
static int enrolment_store(jc_service *svc, PGconn *db, const char *id, const char *case_id,
                           const locked_case *lc, const enrolment_input *in,
                           const offers_type *type, const char *provider_id, int hours,
                           const char *principal, jc_pg_err *e)
{
        char ps[JC_DATE_STRLEN], pe[JC_DATE_STRLEN], h[16];
        json_t *data;
        PGresult *r;

        jc_date_format(in->start, ps);
        jc_date_format(in->end, pe);
        snprintf(h, sizeof(h), "%d", hours);
        r = jc_pg_exec(db, "offers_enrolment_insert",
                       JC_PG_ARGS(id, in->offer_id, case_id, lc->citizen_ref, type->code,
                                  type->active_offer ? "true" : "false",
                                  type->work_duty_hours ? "true" : "false", ps, pe, h, principal),
                       e);
        if (!r)
                return -1;
        PQclear(r);
        if (offers_case_offer_dates(db, case_id, e) != 0)
                return -1;
        if (type->company_oriented &&
            offers_follow_up_create(svc, db, id, case_id, in->start, in->end, e) != 0)
                return -1;
        data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:b, s:s*}",
                         "enrolment_id", id, "case_id", case_id, "citizen_ref", lc->citizen_ref,
                         "offer_id", in->offer_id, "offer_type", type->code, "provider_id",
                         provider_id, "planned_start", ps, "planned_end", pe, "hours_per_week",
                         hours, "counts_as_active_offer", type->active_offer, "company_oriented",
                         type->company_oriented, "caseworker_id",
                         lc->caseworker_id[0] ? lc->caseworker_id : NULL);
        return offers_emit(&svc->emitter, db, case_id, "offer.assigned.v1", data, e);
}

/* POST /v1/cases/{case_id}/enrolments {offer_id, planned_start, planned_end,
 * hours_per_week}; Idempotency-Key optional. */
void offers_enrolment_create(jc_http_req *req)
{
        static const char *const fields[] = {"offer_id", "planned_start", "planned_end",
                                             "hours_per_week", NULL};
        jc_service *svc = jc_http_service(req);
        offers_ctx *octx = svc->ctx;
        const char *principal = jc_http_principal(req)->principal, *case_id;
        char id[JC_UUID_STRLEN], scope[200], provider_id[JC_UUID_STRLEN];
        const offers_type *type = NULL;
        json_t *body, *resp = NULL;
        offers_check_detail d;
        offers_check_result res;
        offers_placement p;
        enrolment_input in;
        locked_case lc;
        int capacity = 0, hours = 0, rc;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        body = offers_body(req, fields, &v);
        if (!body)
                goto out;
        case_id = offers_path_uuid_check(req, "case_id", &v);
        enrolment_parse(body, &in, &v);
        offers_idem_check(req, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        if (jc_uuid_v4(id) != 0) {
                jc_http_reply_problem(req, 500, "internal", "Internal error",
                                      "could not generate an id", NULL);
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        jc_log_ctx_set_case(case_id);
        snprintf(scope, sizeof(scope), "enrolment_create:%s:%s", principal, case_id);
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        if (!offers_idem_begin(req, db, scope, body))
                goto out;
        rc = lock_open_case(req, db, case_id, &lc, &e);
        if (rc < 0)
                goto db_error;
        if (rc == 0)
                goto out;
        if (jc_date_cmp(in.start, lc.start_date) < 0) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "planned_start", "must not be before the case's start date");
                goto out;
        }
        rc = lock_offer(req, db, &octx->rules, &in, &type, &capacity, &hours, provider_id, &e);
        if (rc < 0)
                goto db_error;
        if (rc == 0)
                goto out;
        memset(&p, 0, sizeof(p));
        p.case_id = case_id;
        p.target_group = lc.target_group;
        p.work_duty = lc.work_duty;
        p.offer_id = in.offer_id;
        p.capacity = capacity;
        p.from = in.start;
        p.to = in.end;
        p.hours = hours;
        p.counts_work_duty = type->work_duty_hours;
        res = offers_placement_check(svc, db, &p, &d, &e);
        if (res == OFFERS_CHECK_ERROR)
                goto db_error;
        if (res != OFFERS_CHECK_OK) {
                jc_pg_rollback(db);
                offers_reply_check_failure(req, res, &d);
                goto out;
        }
        if (enrolment_store(svc, db, id, case_id, &lc, &in, type, provider_id, hours, principal,
                            &e) != 0)
                goto db_error;
        resp = offers_enrolment_json(db, id, &e);
        if (!resp || offers_idem_finish(req, db, scope, 201, resp, &e) != 0 ||
            jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        jc_log_write(JC_LOG_INFO, JC_KV({"enrolment_id", id}, {"offer_type", type->code}),
                     "offer assigned");
        jc_http_reply_json(req, 201, resp);
        resp = NULL;
        goto out;
db_error:
        offers_db_fail(req, db, &e);
out:
        json_decref(resp);
        jc_verrs_release(&v);
}

/* GET /v1/cases/{case_id}/enrolments: every enrolment of the case (a case has
 * tens at most, so the list is not paginated). */
void offers_enrolment_list(jc_http_req *req)
{
        const char *case_id = offers_path_uuid(req, "case_id");
        json_t *items;
        PGresult *r, *c;
        jc_pg_err e;
        PGconn *db;

        if (!case_id)
                return;
        db = jc_http_db(req);
        if (!db)
                return;
        c = jc_pg_exec(db, "offers_case_get", JC_PG_ARGS(case_id), &e);
        if (!c) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        if (PQntuples(c) == 0) {
                PQclear(c);
                jc_http_reply_problem(req, 404, "not-found", "Case not found",
                                      "offers knows no case with this case_id", NULL);
                return;
        }
        PQclear(c);
        r = jc_pg_exec(db, "offers_enrolment_list_case", JC_PG_ARGS(case_id), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        items = json_array();
        for (int i = 0; i < PQntuples(r); i++)
                json_array_append_new(items, json_loads(PQgetvalue(r, i, 0), 0, NULL));
        PQclear(r);
        jc_http_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

/* GET /v1/enrolments/{enrolment_id} */
void offers_enrolment_get(jc_http_req *req)
{
        const char *id = offers_path_uuid(req, "enrolment_id");
        PGresult *r;
        jc_pg_err e;
        PGconn *db;

        if (!id)
                return;
        db = jc_http_db(req);
        if (!db)
                return;
        r = jc_pg_exec(db, "offers_enrolment_get", JC_PG_ARGS(id), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        if (PQntuples(r) == 0)
                jc_http_reply_problem(req, 404, "not-found", "Enrolment not found",
                                      "no enrolment with this enrolment_id", NULL);
        else
                jc_http_reply_json(req, 200, json_loads(PQgetvalue(r, 0, 0), 0, NULL));
        PQclear(r);
}
