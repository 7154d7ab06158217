/*
 * offers' view of a case: its projection, work-duty coverage (settable by a
 * caseworker), and its offer obligations with the rules that produced them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"
#include "offers.h"

/* {"covered", "source", "rule_set", "rule", "max_hours_per_week"} under the
 * rule set in force on `on` (new reference). */
static json_t *work_duty_json(const offers_rulebook *rules, jc_date on, const char *group, int flag,
                              const char *set_by)
{
        const offers_rule_set *set = offers_rules_set_for(rules, on);
        int covered = offers_work_duty_covered(set, group, flag);
        json_t *o = json_pack("{s:b, s:s}", "covered", covered, "source",
                              flag >= 0 ? "caseworker" : "rule_set");

        if (!o)
                return NULL;
        if (flag >= 0)
                json_object_set_new(o, "flag", json_boolean(flag));
        if (set_by)
                json_object_set_new(o, "set_by", json_string(set_by));
        if (set && set->work_duty_rule) {
                json_object_set_new(o, "rule_set", json_string(set->id));
                json_object_set_new(o, "rule", json_string(set->work_duty_rule));
                if (covered)
                        json_object_set_new(o, "max_hours_per_week",
                                            json_integer(set->work_duty_max_hours));
        }
        return o;
}

/* The case JSON with work duty as of today; 0 found, 1 not found, -1 error. */
static int case_json(jc_service *svc, PGconn *db, const char *case_id, json_t **out, jc_pg_err *e)
{
        offers_ctx *octx = svc->ctx;
        PGresult *r = jc_pg_exec(db, "offers_case_get", JC_PG_ARGS(case_id), e);
        int flag;

        *out = NULL;
        if (!r)
                return -1;
        if (PQntuples(r) == 0) {
                PQclear(r);
                return 1;
        }
        *out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
        flag = PQgetisnull(r, 0, 1) ? -1 : strcmp(PQgetvalue(r, 0, 1), "t") == 0;
        if (*out)
                json_object_set_new(*out, "work_duty",
                                    work_duty_json(&octx->rules, jc_service_today(svc),
                                                   PQgetvalue(r, 0, 2), flag, offers_pq_str(r, 0, 3)));
        PQclear(r);
        if (!*out) {
                jc_pg_err_set(e, 0, "could not read case %s", case_id);
                return -1;
        }
        return 0;
}

static void reply_case_not_found(jc_http_req *req)
{
        jc_http_reply_problem(req, 404, "not-found", "Case not found",
                              "offers knows no case with this case_id", NULL);
}

/* GET /v1/cases/{case_id} */
void offers_case_get(jc_http_req *req)
{
        const char *case_id = offers_path_uuid(req, "case_id");
        json_t *out;
        jc_pg_err e;
        PGconn *db;
        int rc;

        if (!case_id)
                return;
        db = jc_http_db(req);
        if (!db)
                return;
        rc = case_json(jc_http_service(req), db, case_id, &out, &e);
        if (rc == 0)
                jc_http_reply_json(req, 200, out);
        else if (rc == 1)
                reply_case_not_found(req);
        else
                jc_http_reply_db_error(req, &e);
}

/* PUT /v1/cases/{case_id}/work-duty {"covered": true|false|null}: whether the
 * citizen is covered by the work obligation (R69 depends on residence and
 * employment history this system does not hold); null returns to the rule
 * set's default for the target group. */
void offers_work_duty_set(jc_http_req *req)
{
        static const char *const fields[] = {"covered", NULL};
        jc_service *svc = jc_http_service(req);
        const char *case_id;
        json_t *body, *covered, *out = NULL;
        const char *flag = NULL;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;
        int rc;

        jc_verrs_init(&v);
        body = offers_body(req, fields, &v);
        if (!body)
                goto out;
        case_id = offers_path_uuid_check(req, "case_id", &v);
        covered = json_object_get(body, "covered");
        if (!covered)
                jc_verrs_add(&v, "covered", "is required (true, false, or null for the rule set's default)");
        else if (json_is_boolean(covered))
                flag = json_is_true(covered) ? "true" : "false";
        else if (!json_is_null(covered))
                jc_verrs_add(&v, "covered", "must be true, false or null");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        jc_log_ctx_set_case(case_id);
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        r = jc_pg_exec(db, "offers_case_set_work_duty",
                       JC_PG_ARGS(case_id, flag, flag ? jc_http_principal(req)->principal : NULL),
                       &e);
        if (!r)
                goto db_error;
        if (strcmp(PQcmdTuples(r), "0") == 0) {
                PQclear(r);
                jc_pg_rollback(db);
                reply_case_not_found(req);
                goto out;
        }
        PQclear(r);
        rc = case_json(svc, db, case_id, &out, &e);
        if (rc != 0 || jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        jc_log_write(JC_LOG_INFO, JC_KV({"covered", flag ? flag : "default"}),
                     "work-duty coverage set");
        jc_http_reply_json(req, 200, out);
        out = NULL;
        goto out;
db_error:
        offers_db_fail(req, db, &e);
out:
        json_decref(out);
        jc_verrs_release(&v);
}

/* GET /v1/cases/{case_id}/obligations: every offer obligation of the case
 * (tens at most: not paginated), in due-date order. */
void offers_obligation_list(jc_http_req *req)
{
        jc_service *svc = jc_http_service(req);
        offers_ctx *octx = svc->ctx;
        const char *case_id = offers_path_uuid(req, "case_id");
        char today[JC_DATE_STRLEN];
        json_t *items, *c = NULL;
        PGresult *r;
        jc_pg_err e;
        PGconn *db;
        int rc;

        if (!case_id)
                return;
        db = jc_http_db(req);
        if (!db)
                return;
        rc = case_json(svc, db, case_id, &c, &e);
        if (rc != 0) {
                if (rc == 1)
                        reply_case_not_found(req);
                else
                        jc_http_reply_db_error(req, &e);
                return;
        }
        jc_date_format(jc_service_today(svc), today);
        r = jc_pg_exec(db, "offers_obligation_list", JC_PG_ARGS(case_id, today), &e);
        if (!r) {
                json_decref(c);
                jc_http_reply_db_error(req, &e);
                return;
        }
        items = json_array();
        for (int i = 0; i < PQntuples(r); i++) {
                json_t *o = json_loads(PQgetvalue(r, i, 0), 0, NULL);
                const offers_deadline_rule *rule =
                    offers_rules_deadline(&octx->rules, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));

                if (o && rule) {
                        json_object_set_new(o, "rule_description", json_string(rule->description));
                        json_object_set_new(o, "rule_source", json_string(rule->source));
                }
                json_array_append_new(items, o);
        }
        PQclear(r);
        jc_http_reply_json(req, 200,
                           json_pack("{s:s, s:O, s:O, s:s, s:o}", "case_id", case_id, "target_group",
                                     json_object_get(c, "target_group"), "status",
                                     json_object_get(c, "status"), "as_of", today, "items", items));
        json_decref(c);
}
