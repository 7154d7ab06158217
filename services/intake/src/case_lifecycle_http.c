/*
 * Case lifecycle: change target group, change visitation, (re)assign, close.
 * Each change locks the case row, emits its event on jobcenter.case.v1 and
 * records who made it, in one transaction.
 */
#include <stdio.h>
#include <string.h>

#include "intake.h"
#include "jc/log.h"
#include "jc/validate.h"
#include "jc/vocab.h"

typedef struct locked_case {
        char case_id[JC_UUID_STRLEN];
        char citizen_ref[JC_UUID_STRLEN];
        char target_group[64];
        char visitation[64];
        char caseworker_id[INTAKE_ID_LEN];
} locked_case;

/* Validates the path, opens the transaction and locks the open case.
 * Returns the connection, or NULL after replying. */
static PGconn *begin_on_open_case(jc_http_req *req, locked_case *lc)
{
        const char *case_id = jc_http_uuid_param(req, "case_id");
        PGconn *db;
        PGresult *r;
        jc_pg_err e;

        if (!case_id)
                return NULL;
        db = jc_http_db(req);
        if (!db)
                return NULL;
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        r = jc_pg_exec(db, "intake_case_lock", JC_PG_ARGS(case_id), &e);
        if (!r)
                goto db_error;
        if (PQntuples(r) == 0 || strcmp(PQgetvalue(r, 0, 3), "open") != 0) {
                int missing = PQntuples(r) == 0;

                PQclear(r);
                jc_pg_rollback(db);
                if (missing)
                        jc_http_reply_problem(req, 404, "not-found", "Case not found",
                                              "no case with this case_id", NULL);
                else
                        jc_http_reply_problem(req, 409, "case-closed", "Case is closed",
                                              "a closed case cannot be changed", NULL);
                return NULL;
        }
        memset(lc, 0, sizeof(*lc));
        snprintf(lc->case_id, sizeof(lc->case_id), "%s", PQgetvalue(r, 0, 0));
        snprintf(lc->citizen_ref, sizeof(lc->citizen_ref), "%s", PQgetvalue(r, 0, 1));
        snprintf(lc->target_group, sizeof(lc->target_group), "%s", PQgetvalue(r, 0, 2));
        snprintf(lc->visitation, sizeof(lc->visitation), "%s", PQgetvalue(r, 0, 4));
        snprintf(lc->caseworker_id, sizeof(lc->caseworker_id), "%s", PQgetvalue(r, 0, 5));
        PQclear(r);
        jc_log_ctx_set_case(lc->case_id);
        return db;
db_error:
        jc_pg_rollback(db);
        jc_http_reply_db_error(req, &e);
        return NULL;
}

/* COMMIT and reply with the case as it is now. */
static void commit_and_reply(jc_http_req *req, PGconn *db, const char *case_id, const char *what)
{
        jc_pg_err e;
        PGresult *r;

        if (jc_pg_cmd(db, "COMMIT", &e) != 0) {
                jc_pg_rollback(db);
                jc_http_reply_db_error(req, &e);
                return;
        }
        jc_log_info("%s", what);
        r = jc_pg_exec(db, "intake_case_get", JC_PG_ARGS(case_id), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        jc_http_reply_json(
            req, 200,
            json_pack("{s:s, s:s, s:s, s:s, s:s*, s:s*, s:s*, s:s*}", "case_id", PQgetvalue(r, 0, 0),
                      "citizen_ref", PQgetvalue(r, 0, 1), "target_group", PQgetvalue(r, 0, 2),
                      "status", PQgetvalue(r, 0, 3), "visitation",
                      PQgetisnull(r, 0, 6) ? NULL : PQgetvalue(r, 0, 6), "caseworker_id",
                      PQgetisnull(r, 0, 7) ? NULL : PQgetvalue(r, 0, 7), "close_reason",
                      PQgetisnull(r, 0, 8) ? NULL : PQgetvalue(r, 0, 8), "closed_on",
                      PQgetisnull(r, 0, 9) ? NULL : PQgetvalue(r, 0, 9)));
        PQclear(r);
}

static int parse_body(jc_http_req *req, json_t **body, const char *const *fields, jc_verrs *v)
{
        *body = jc_http_json_body(req);
        if (!*body)
                return -1;
        jc_v_no_unknown(*body, NULL, fields, v);
        return 0;
}

static void fail(jc_http_req *req, PGconn *db, const jc_pg_err *e)
{
        jc_pg_rollback(db);
        jc_http_reply_db_error(req, e);
}

void intake_case_change_target_group(jc_http_req *req)
{
        static const char *const fields[] = {"target_group", "effective_date", NULL};
        jc_service *svc = jc_http_service(req);
        const char *principal = jc_http_principal(req)->principal;
        char eff[JC_DATE_STRLEN], cw[INTAKE_ID_LEN], team[INTAKE_ID_LEN];
        const char *group;
        locked_case lc;
        jc_date effective;
        json_t *body;
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (parse_body(req, &body, fields, &v) != 0)
                goto out;
        group = jc_v_enum(body, NULL, "target_group", 1, jc_target_groups, &v);
        jc_v_date(body, NULL, "effective_date", 1, &effective, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = begin_on_open_case(req, &lc);
        if (!db)
                goto out;
        if (strcmp(group, lc.target_group) == 0) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "target_group", "is already the case's target group");
                goto out;
        }
        r = jc_pg_exec(db, "intake_case_set_target_group", JC_PG_ARGS(lc.case_id, group), &e);
        if (!r) {
                if (strcmp(e.sqlstate, "23505") == 0) { /* one open case per group */
                        jc_pg_rollback(db);
                        jc_http_reply_field_problem(req, 409, "open-case-exists",
                                                    "Open case exists", "target_group",
                                                    "the citizen already has an open case of this target group");
                } else {
                        fail(req, db, &e);
                }
                goto out;
        }
        PQclear(r);
        jc_date_format(effective, eff);
        if (intake_case_event(svc, db, lc.case_id, "case.target_group_changed.v1",
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "case_id", lc.case_id,
                                        "citizen_ref", lc.citizen_ref, "previous_target_group",
                                        lc.target_group, "target_group", group, "effective_date",
                                        eff),
                              principal, &e) != 0) {
                fail(req, db, &e);
                goto out;
        }
        /* Keep the caseworker when they take the new group; else redistribute. */
        r = jc_pg_exec(db, "intake_caseworker_get", JC_PG_ARGS(lc.caseworker_id, group), &e);
        if (!r) {
                fail(req, db, &e);
                goto out;
        }
        if (PQntuples(r) == 0 || strcmp(PQgetvalue(r, 0, 3), "t") != 0 ||
            strcmp(PQgetvalue(r, 0, 2), "t") != 0) {
                if (intake_pick_caseworker(db, group, cw, team, &e) != 0 ||
                    (cw[0] && intake_assign(svc, db, lc.case_id, lc.citizen_ref, cw, team,
                                            lc.caseworker_id[0] ? lc.caseworker_id : NULL,
                                            "target-group-change", principal, &e) != 0)) {
                        PQclear(r);
                        fail(req, db, &e);
                        goto out;
                }
        }
        PQclear(r);
        commit_and_reply(req, db, lc.case_id, "case target group changed");
out:
        jc_verrs_release(&v);
}

void intake_case_change_visitation(jc_http_req *req)
{
        static const char *const fields[] = {"visitation", "effective_date", NULL};
        jc_service *svc = jc_http_service(req);
        const char *visitation;
        char eff[JC_DATE_STRLEN];
        locked_case lc;
        jc_date effective;
        json_t *body;
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (parse_body(req, &body, fields, &v) != 0)
                goto out;
        visitation = jc_v_enum(body, NULL, "visitation", 1, jc_visitation_categories, &v);
        jc_v_date(body, NULL, "effective_date", 1, &effective, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = begin_on_open_case(req, &lc);
        if (!db)
                goto out;
        jc_date_format(effective, eff);
        r = jc_pg_exec(db, "intake_case_set_visitation", JC_PG_ARGS(lc.case_id, visitation), &e);
        if (!r) {
                fail(req, db, &e);
                goto out;
        }
        PQclear(r);
        if (intake_case_event(svc, db, lc.case_id, "case.visitation_changed.v1",
                              json_pack("{s:s, s:s, s:s*, s:s, s:s}", "case_id", lc.case_id,
                                        "citizen_ref", lc.citizen_ref, "previous_visitation",
                                        lc.visitation[0] ? lc.visitation : NULL, "visitation",
                                        visitation, "effective_date", eff),
                              jc_http_principal(req)->principal, &e) != 0) {
                fail(req, db, &e);
                goto out;
        }
        commit_and_reply(req, db, lc.case_id, "case visitation changed");
out:
        jc_verrs_release(&v);
}

void intake_case_assign_http(jc_http_req *req)
{
        static const char *const fields[] = {"caseworker_id", NULL};
        jc_service *svc = jc_http_service(req);
        char team[INTAKE_ID_LEN];
        const char *cw;
        locked_case lc;
        json_t *body;
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;
        int ok;

        jc_verrs_init(&v);
        if (parse_body(req, &body, fields, &v) != 0)
                goto out;
        cw = jc_v_str(body, NULL, "caseworker_id", 1, 1, 40, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = begin_on_open_case(req, &lc);
        if (!db)
                goto out;
        r = jc_pg_exec(db, "intake_caseworker_get", JC_PG_ARGS(cw, lc.target_group), &e);
        if (!r) {
                fail(req, db, &e);
                goto out;
        }
        ok = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 2), "t") == 0 &&
             strcmp(PQgetvalue(r, 0, 3), "t") == 0;
        if (ok)
                snprintf(team, sizeof(team), "%s", PQgetvalue(r, 0, 1));
        PQclear(r);
        if (!ok) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "caseworker_id",
                                            "must be an active caseworker who takes the case's target group");
                goto out;
        }
        if (intake_assign(svc, db, lc.case_id, lc.citizen_ref, cw, team,
                          lc.caseworker_id[0] ? lc.caseworker_id : NULL, "manual",
                          jc_http_principal(req)->principal, &e) != 0) {
                fail(req, db, &e);
                goto out;
        }
        commit_and_reply(req, db, lc.case_id, "case assigned");
out:
        jc_verrs_release(&v);
}

void intake_case_close_http(jc_http_req *req)
{
        static const char *const fields[] = {"reason", "closed_on", NULL};
        jc_service *svc = jc_http_service(req);
        char closed_on[JC_DATE_STRLEN], closed_at[40];
        const char *reason;
        locked_case lc;
        jc_date on;
        json_t *body;
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (parse_body(req, &body, fields, &v) != 0)
                goto out;
        reason = jc_v_enum(body, NULL, "reason", 1, jc_close_reasons, &v);
        jc_v_date(body, NULL, "closed_on", 1, &on, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = begin_on_open_case(req, &lc);
        if (!db)
                goto out;
        jc_date_format(on, closed_on);
        r = jc_pg_exec(db, "intake_case_close", JC_PG_ARGS(lc.case_id, reason, closed_on), &e);
        if (!r) {
                fail(req, db, &e);
                goto out;
        }
        snprintf(closed_at, sizeof(closed_at), "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        if (intake_case_event(svc, db, lc.case_id, "case.closed.v1",
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "case_id", lc.case_id,
                                        "citizen_ref", lc.citizen_ref, "target_group",
                                        lc.target_group, "reason", reason, "closed_on", closed_on,
                                        "closed_at", closed_at),
                              jc_http_principal(req)->principal, &e) != 0) {
                fail(req, db, &e);
                goto out;
        }
        commit_and_reply(req, db, lc.case_id, "case closed");
out:
        jc_verrs_release(&v);
}
