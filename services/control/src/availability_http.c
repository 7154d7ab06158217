/*
 * Availability (R60): a caseworker records a doubt about a citizen's
 * availability; repeated doubts (with no-shows without lawful reason and an
 * a-kasse's concern at handover) start a course with more frequent contact
 * and activation, which ends with the caseworker's assessment. Not available:
 * for insured unemployed a report to the a-kasse (which judges), for the
 * municipal benefits a sanction proposal, else a manual assessment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "jc/log.h"

static const char *const course_statuses[] = {"open", "assessed", NULL};
static const char *const assessments[] = {"available", "not_available", NULL};

void ctl_availability_doubt_post(jc_http_req *req)
{
        static const char *const fields[] = {"observed_on", "note", NULL};
        jc_service *svc = jc_http_service(req);
        const char *case_id = ctl_path_uuid(req, "case_id"), *note, *key;
        char course[JC_UUID_STRLEN], source_id[JC_UUID_STRLEN + 140], on[JC_DATE_STRLEN];
        jc_date observed;
        json_t *body, *resp;
        PGresult *c = NULL;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;
        int rc;

        jc_verrs_init(&v);
        if (!case_id)
                goto out;
        body = jc_http_json_body(req);
        if (!body)
                goto out;
        jc_v_no_unknown(body, NULL, fields, &v);
        if (jc_v_date(body, NULL, "observed_on", 1, &observed, &v) == 1 &&
            jc_date_cmp(observed, jc_service_today(svc)) > 0)
                jc_verrs_add(&v, "observed_on", "must not be in the future");
        note = jc_v_str(body, NULL, "note", 0, 1, CTL_TEXT_MAX, &v);
        ctl_idem_check(req, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = ctl_http_begin(req);
        if (!db)
                goto out;
        rc = ctl_idem_claim(req, db, body, &e);
        if (rc != 0) {
                if (rc < 0)
                        ctl_http_fail(req, db, &e);
                goto out;
        }
        c = jc_pg_exec(db, "ctl_case_get", JC_PG_ARGS(case_id), &e);
        if (!c)
                goto db_error;
        if (PQntuples(c) == 0 || strcmp(PQgetvalue(c, 0, 3), "open") != 0) {
                jc_pg_rollback(db);
                if (PQntuples(c) == 0)
                        jc_http_reply_problem(req, 404, "not-found", "Case not found",
                                              "no case with this case_id is known to control", NULL);
                else
                        jc_http_reply_problem(req, 409, "case-closed", "Case is closed",
                                              "a doubt belongs to an open case", NULL);
                goto out;
        }
        /* The natural id of a caseworker's doubt: the Idempotency-Key when
         * one is sent (a re-send records nothing new), else a fresh one. */
        key = jc_http_header(req, "Idempotency-Key");
        if (key) {
                snprintf(source_id, sizeof(source_id), "%s:%s", ctl_principal(req), key);
        } else if (jc_uuid_v4(source_id) != 0) {
                jc_pg_err_set(&e, 1, "could not generate an id: kernel RNG failed");
                goto db_error;
        }
        rc = ctl_availability_doubt(svc, db, case_id, observed, "caseworker", source_id, note,
                                    ctl_principal(req), course, &e);
        if (rc < 0)
                goto db_error;
        if (rc == 1) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 409, "no-availability-duty", "No availability duty",
                                            "case_id",
                                            "the case's target group has no duty to be available for work (R60)");
                goto out;
        }
        jc_log_ctx_set_case(case_id);
        jc_log_info("availability doubt recorded");
        jc_date_format(observed, on);
        resp = json_pack("{s:s, s:s, s:b, s:s*}", "case_id", case_id, "observed_on", on,
                         "course_started", course[0] != '\0', "course_id",
                         course[0] ? course : NULL);
        if (!resp || ctl_idem_store(req, db, 201, resp, &e) != 0) {
                json_decref(resp);
                goto db_error;
        }
        ctl_http_commit_reply(req, db, 201, resp);
        goto out;
db_error:
        ctl_http_fail(req, db, &e);
out:
        PQclear(c);
        jc_verrs_release(&v);
}

static json_t *course_row(const PGresult *r, int i)
{
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:i, s:s, s:s*, s:s*,"
                         " s:s*, s:s*, s:s*}",
                         "course_id", PQgetvalue(r, i, 0), "case_id", PQgetvalue(r, i, 1),
                         "citizen_ref", PQgetvalue(r, i, 2), "target_group", PQgetvalue(r, i, 3),
                         "status", PQgetvalue(r, i, 4), "started_on", PQgetvalue(r, i, 5),
                         "contact_every_days", atoi(PQgetvalue(r, i, 6)), "window_days",
                         atoi(PQgetvalue(r, i, 7)), "assessment_due", PQgetvalue(r, i, 8),
                         "doubts", atoi(PQgetvalue(r, i, 9)), "rule_set", PQgetvalue(r, i, 10),
                         "outcome", ctl_col(r, i, 11), "assessed_on", ctl_col(r, i, 12),
                         "assessed_by", ctl_col(r, i, 13), "proposal_id", ctl_col(r, i, 14),
                         "report_id", ctl_col(r, i, 15));
}

void ctl_availability_course_list(jc_http_req *req)
{
        static const ctl_list_filter filters[] = {
            {"status", CTL_FILTER_ENUM, course_statuses}, {"case_id", CTL_FILTER_UUID, NULL}, {0}};

        ctl_list_reply(req, filters, "ctl_course_list", course_row, 16);
}

void ctl_availability_assessment(jc_http_req *req)
{
        static const char *const fields[] = {"outcome", "note", NULL};
        jc_service *svc = jc_http_service(req);
        const char *id = ctl_path_uuid(req, "course_id"), *outcome, *note;
        char proposal[JC_UUID_STRLEN] = "", report[JC_UUID_STRLEN] = "", today[JC_DATE_STRLEN];
        ctl_consequence applied;
        json_t *body;
        PGresult *c = NULL, *r = NULL;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (!id)
                goto out;
        body = jc_http_json_body(req);
        if (!body)
                goto out;
        jc_v_no_unknown(body, NULL, fields, &v);
        outcome = jc_v_enum(body, NULL, "outcome", 1, assessments, &v);
        note = jc_v_str(body, NULL, "note", 0, 1, CTL_TEXT_MAX, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = ctl_http_begin(req);
        if (!db)
                goto out;
        c = jc_pg_exec(db, "ctl_course_lock", JC_PG_ARGS(id), &e);
        if (!c)
                goto db_error;
        if (PQntuples(c) == 0 || strcmp(PQgetvalue(c, 0, 4), "open") != 0) {
                int missing = PQntuples(c) == 0;

                jc_pg_rollback(db);
                if (missing)
                        jc_http_reply_problem(req, 404, "not-found", "Course not found",
                                              "no availability course with this id", NULL);
                else
                        jc_http_reply_problem(req, 409, "course-assessed", "Course assessed",
                                              "the course was assessed already", NULL);
                goto out;
        }
        jc_log_ctx_set_case(PQgetvalue(c, 0, 1));
        if (strcmp(outcome, "not_available") == 0) {
                ctl_occurrence o;

                memset(&o, 0, sizeof(o));
                o.case_id = PQgetvalue(c, 0, 1);
                o.citizen_ref = PQgetvalue(c, 0, 2);
                o.target_group = PQgetvalue(c, 0, 3);
                o.basis = "availability";
                o.source_id = id;
                o.source_event_id = id;
                o.occurred_on = jc_service_today(svc);
                if (ctl_consequence_apply(svc, db, &o, &applied, proposal, report, &e) != 0)
                        goto db_error;
        }
        jc_date_format(jc_service_today(svc), today);
        r = jc_pg_exec(db, "ctl_course_assess",
                       JC_PG_ARGS(id, outcome, note, today, ctl_principal(req),
                                  proposal[0] ? proposal : NULL, report[0] ? report : NULL),
                       &e);
        if (!r)
                goto db_error;
        jc_log_write(JC_LOG_INFO, JC_KV({"outcome", outcome}), "availability assessed");
        ctl_http_commit_reply(req, db, 200,
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s*, s:s*}", "course_id", id,
                                        "status", "assessed", "outcome", outcome, "assessed_on",
                                        today, "assessed_by", ctl_principal(req), "proposal_id",
                                        proposal[0] ? proposal : NULL, "report_id",
                                        report[0] ? report : NULL));
        goto out;
db_error:
        ctl_http_fail(req, db, &e);
out:
        PQclear(c);
        PQclear(r);
        jc_verrs_release(&v);
}
