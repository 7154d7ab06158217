/*
 * Sanction proposals (scope caseworker). A no-show without lawful reason of
 * a citizen on a municipal benefit opens a proposal with one of the four
 * rates (R56), chosen by the monthly benefit: the case's basis on file, or
 * the one a caseworker gives for a proposal awaiting it. With its rate the
 * proposal goes out (sanction.proposed.v1: notifications sends the hearing
 * letter, partshøring) with a hearing deadline from the rules. A caseworker
 * decides (approve, or reject with a reason) once the citizen has answered
 * or the deadline has passed; who and when are recorded. Also the benefit
 * basis of a case, the reports to the a-kasse (and naming the a-kasse when
 * the case did not come from a handover), and the recorded no-shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "jc/log.h"

static const char *const proposal_statuses[] = {"awaiting_basis", "hearing", "decided", NULL};
static const char *const decisions[] = {"approve", "reject", NULL};
static const char *const consequences[] = {"municipal_sanction", "akasse_report",
                                           "manual_assessment", NULL};
static const char *const report_statuses[] = {"awaiting_akasse", "requested", NULL};

/* Column indexes of the proposal statements (stmts.c, PROPOSAL_COLS). */
enum {
        P_ID, P_CASE, P_CITIZEN, P_GROUP, P_BASIS, P_SOURCE, P_EVENT, P_MEETING, P_ENROLMENT,
        P_OCCURRED, P_STATUS, P_KIND, P_RATE, P_MONTHLY, P_RULE_SET, P_RATES_FROM, P_HEARING_ON,
        P_DEADLINE, P_RESPONSE_ON, P_RESPONSE_BY, P_DECISION, P_DECIDED_BY, P_DECIDED_AT,
        P_CREATED, P_PROPOSED, P_RESPONSE, P_REASON, P_CURSOR,
};

/* Locks the proposal: the row (caller PQclear()s), or NULL after rolling
 * back and replying (404, 503). */
static PGresult *lock_proposal(jc_http_req *req, PGconn *db, const char *id)
{
        jc_pg_err e;
        PGresult *r = jc_pg_exec(db, "ctl_proposal_lock", JC_PG_ARGS(id), &e);

        if (!r) {
                ctl_http_fail(req, db, &e);
                return NULL;
        }
        if (PQntuples(r) == 0) {
                PQclear(r);
                jc_pg_rollback(db);
                jc_http_reply_problem(req, 404, "not-found", "Sanction proposal not found",
                                      "no sanction proposal with this id", NULL);
                return NULL;
        }
        jc_log_ctx_set_case(PQgetvalue(r, 0, P_CASE));
        return r;
}

static void wrong_state(jc_http_req *req, PGconn *db, const char *slug, const char *title,
                        const char *detail)
{
        jc_pg_rollback(db);
        jc_http_reply_problem(req, 409, slug, title, detail, NULL);
}

/* The proposal as JSON (new reference: the caller owns it); the citizen's
 * hearing response and the decision's reason (personal data) only when
 * `full` (an audited read). */
static json_t *proposal_json(const PGresult *r, int i, int full)
{
        static const struct {
                const char *name;
                int col;
                int number;
        } opt[] = {
                {"meeting_id", P_MEETING, 0},       {"enrolment_id", P_ENROLMENT, 0},
                {"kind", P_KIND, 0},                {"rate_dkk", P_RATE, 1},
                {"monthly_benefit_dkk", P_MONTHLY, 1}, {"rule_set", P_RULE_SET, 0},
                {"rates_effective_from", P_RATES_FROM, 0}, {"hearing_started_on", P_HEARING_ON, 0},
                {"hearing_deadline", P_DEADLINE, 0}, {"hearing_response_on", P_RESPONSE_ON, 0},
                {"hearing_response_by", P_RESPONSE_BY, 0}, {"decision", P_DECISION, 0},
                {"decided_by", P_DECIDED_BY, 0},    {"decided_at", P_DECIDED_AT, 0},
                {"proposed_at", P_PROPOSED, 0},     {"hearing_response", P_RESPONSE, 0},
                {"decision_reason", P_REASON, 0},
        };
        json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "proposal_id",
                              PQgetvalue(r, i, P_ID), "case_id", PQgetvalue(r, i, P_CASE),
                              "citizen_ref", PQgetvalue(r, i, P_CITIZEN), "target_group",
                              PQgetvalue(r, i, P_GROUP), "basis", PQgetvalue(r, i, P_BASIS),
                              "source_id", PQgetvalue(r, i, P_SOURCE), "source_event_id",
                              PQgetvalue(r, i, P_EVENT), "occurred_on",
                              PQgetvalue(r, i, P_OCCURRED), "status", PQgetvalue(r, i, P_STATUS),
                              "created_at", PQgetvalue(r, i, P_CREATED));

        for (size_t k = 0; p && k < sizeof(opt) / sizeof(opt[0]); k++) {
                const char *v = ctl_col(r, i, opt[k].col);

                if (!v || (!full && (opt[k].col == P_RESPONSE || opt[k].col == P_REASON)))
                        continue;
                json_object_set_new(p, opt[k].name,
                                    opt[k].number ? json_integer(atoll(v)) : json_string(v));
        }
        return p;
}

static json_t *proposal_row(const PGresult *r, int i)
{
        return proposal_json(r, i, 0);
}

void ctl_proposal_list(jc_http_req *req)
{
        static const ctl_list_filter filters[] = {
            {"status", CTL_FILTER_ENUM, proposal_statuses}, {"case_id", CTL_FILTER_UUID, NULL}, {0}};

        ctl_list_reply(req, filters, "ctl_proposal_list", proposal_row, P_CURSOR);
}

void ctl_proposal_get(jc_http_req *req)
{
        const char *id = ctl_path_uuid(req, "proposal_id");
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        if (!id)
                return;
        db = jc_http_db(req);
        if (!db)
                return;
        r = jc_pg_exec(db, "ctl_proposal_get", JC_PG_ARGS(id), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        if (PQntuples(r) == 0) {
                PQclear(r);
                jc_http_reply_problem(req, 404, "not-found", "Sanction proposal not found",
                                      "no sanction proposal with this id", NULL);
                return;
        }
        if (ctl_audit_read(req, db, "sanction_proposal", id, PQgetvalue(r, 0, P_CASE),
                           PQgetvalue(r, 0, P_CITIZEN), &e) != 0) {
                PQclear(r);
                jc_http_reply_db_error(req, &e);
                return;
        }
        jc_http_reply_json(req, 200, proposal_json(r, 0, 1));
        PQclear(r);
}

/* Replies with the proposal as it now is (after COMMIT). */
static void commit_reply_proposal(jc_http_req *req, PGconn *db, const char *id)
{
        jc_pg_err e;
        PGresult *r;

        if (jc_pg_cmd(db, "COMMIT", &e) != 0) {
                ctl_http_fail(req, db, &e);
                return;
        }
        r = jc_pg_exec(db, "ctl_proposal_get", JC_PG_ARGS(id), &e);
        if (!r || PQntuples(r) != 1) {
                if (!r)
                        jc_http_reply_db_error(req, &e);
                else
                        jc_http_reply_problem(req, 500, "internal", "Internal error",
                                              "the proposal vanished", NULL);
                PQclear(r);
                return;
        }
        jc_http_reply_json(req, 200, proposal_json(r, 0, 0));
        PQclear(r);
}

void ctl_proposal_amount_basis(jc_http_req *req)
{
        static const char *const fields[] = {"monthly_benefit_dkk", NULL};
        jc_service *svc = jc_http_service(req);
        const char *id = ctl_path_uuid(req, "proposal_id");
        char detail[160];
        long long monthly = 0;
        json_t *body;
        PGresult *p = NULL;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;
        int rc;

        jc_verrs_init(&v);
        if (!id)
                goto out;
        body = jc_http_json_body(req);
        if (!body)
                goto out;
        jc_v_no_unknown(body, NULL, fields, &v);
        jc_v_int(body, NULL, "monthly_benefit_dkk", 1, 0, 1000000, &monthly, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = ctl_http_begin(req);
        if (!db)
                goto out;
        p = lock_proposal(req, db, id);
        if (!p)
                goto out;
        if (strcmp(PQgetvalue(p, 0, P_STATUS), "awaiting_basis") != 0) {
                wrong_state(req, db, "proposal-state", "Basis already set",
                            "the proposal has its rate and went out to the citizen already");
                goto out;
        }
        rc = ctl_proposal_publish(svc, db, id, monthly, &e);
        if (rc < 0) {
                ctl_http_fail(req, db, &e);
                goto out;
        }
        if (rc == 1) {
                snprintf(detail, sizeof(detail), "no sanction rates are in force on %s",
                         PQgetvalue(p, 0, P_OCCURRED));
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "no-rule", "No rule in force",
                                            "occurred_on", detail);
                goto out;
        }
        commit_reply_proposal(req, db, id);
out:
        PQclear(p);
        jc_verrs_release(&v);
}

void ctl_proposal_hearing_response(jc_http_req *req)
{
        static const char *const fields[] = {"received_on", "summary", NULL};
        jc_service *svc = jc_http_service(req);
        const char *id = ctl_path_uuid(req, "proposal_id"), *summary;
        char on[JC_DATE_STRLEN];
        jc_date received, started;
        json_t *body;
        PGresult *p = NULL, *r = NULL;
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
        summary = jc_v_str(body, NULL, "summary", 1, 1, CTL_TEXT_MAX, &v);
        if (jc_v_date(body, NULL, "received_on", 1, &received, &v) == 1 &&
            jc_date_cmp(received, jc_service_today(svc)) > 0)
                jc_verrs_add(&v, "received_on", "must not be in the future");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = ctl_http_begin(req);
        if (!db)
                goto out;
        p = lock_proposal(req, db, id);
        if (!p)
                goto out;
        if (strcmp(PQgetvalue(p, 0, P_STATUS), "hearing") != 0) {
                wrong_state(req, db, "proposal-state", "No hearing running",
                            "a response belongs to a proposal whose hearing is running");
                goto out;
        }
        jc_date_parse(PQgetvalue(p, 0, P_HEARING_ON), &started);
        if (jc_date_cmp(received, started) < 0) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "received_on", "must not be before the hearing started");
                goto out;
        }
        jc_date_format(received, on);
        r = jc_pg_exec(db, "ctl_proposal_hearing_response",
                       JC_PG_ARGS(id, summary, on, ctl_principal(req)), &e);
        if (!r) {
                ctl_http_fail(req, db, &e);
                goto out;
        }
        commit_reply_proposal(req, db, id);
out:
        PQclear(p);
        PQclear(r);
        jc_verrs_release(&v);
}

void ctl_proposal_decision(jc_http_req *req)
{
        static const char *const fields[] = {"decision", "reason", NULL};
        jc_service *svc = jc_http_service(req);
        const char *id = ctl_path_uuid(req, "proposal_id"), *decision, *reason, *verdict;
        char detail[200];
        jc_date deadline;
        json_t *body, *d;
        PGresult *p = NULL, *r = NULL;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;
        int answered;

        jc_verrs_init(&v);
        if (!id)
                goto out;
        body = jc_http_json_body(req);
        if (!body)
                goto out;
        jc_v_no_unknown(body, NULL, fields, &v);
        decision = jc_v_enum(body, NULL, "decision", 1, decisions, &v);
        reason = jc_v_str(body, NULL, "reason", 0, 1, 2000, &v);
        if (decision && strcmp(decision, "reject") == 0 && !reason && jc_verrs_count(&v) == 0)
                jc_verrs_add(&v, "reason", "is required when rejecting a proposed sanction");
        /* The reason goes to the citizen's decision letter through an event:
         * it must not carry a CPR number. */
        if (reason && ctl_text_has_cpr(reason))
                jc_verrs_add(&v, "reason", "must not contain a CPR number");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = ctl_http_begin(req);
        if (!db)
                goto out;
        p = lock_proposal(req, db, id);
        if (!p)
                goto out;
        if (strcmp(PQgetvalue(p, 0, P_STATUS), "awaiting_basis") == 0) {
                wrong_state(req, db, "hearing-required", "Hearing required",
                            "the citizen must be heard (partshøring) before a decision: give the "
                            "proposal its benefit basis so it goes out");
                goto out;
        }
        if (strcmp(PQgetvalue(p, 0, P_STATUS), "decided") == 0) {
                wrong_state(req, db, "proposal-state", "Already decided",
                            "the proposal was decided already");
                goto out;
        }
        answered = !PQgetisnull(p, 0, P_RESPONSE_ON);
        jc_date_parse(PQgetvalue(p, 0, P_DEADLINE), &deadline);
        if (!answered && jc_date_cmp(jc_service_today(svc), deadline) <= 0) {
                snprintf(detail, sizeof(detail),
                         "the hearing period runs until %s: decide when the citizen has answered "
                         "or from the day after",
                         PQgetvalue(p, 0, P_DEADLINE));
                wrong_state(req, db, "hearing-period-running", "Hearing period running", detail);
                goto out;
        }
        verdict = strcmp(decision, "approve") == 0 ? "approved" : "rejected";
        r = jc_pg_exec(db, "ctl_proposal_decide",
                       JC_PG_ARGS(id, verdict, reason, ctl_principal(req)), &e);
        if (!r)
                goto db_error;
        d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "proposal_id", id,
                      "case_id", PQgetvalue(p, 0, P_CASE), "citizen_ref",
                      PQgetvalue(p, 0, P_CITIZEN), "decision", verdict, "decided_by",
                      ctl_principal(req), "decided_at", PQgetvalue(r, 0, 0), "kind",
                      PQgetvalue(p, 0, P_KIND), "basis", PQgetvalue(p, 0, P_BASIS),
                      "hearing_answered", answered);
        if (d && reason)
                json_object_set_new(d, "reason", json_string(reason));
        if (ctl_emit(svc, db, PQgetvalue(p, 0, P_CASE), "sanction.decided.v1", d, &e) != 0)
                goto db_error;
        jc_log_write(JC_LOG_INFO, JC_KV({"proposal_id", id}, {"decision", verdict}),
                     "sanction decided");
        commit_reply_proposal(req, db, id);
        goto out;
db_error:
        ctl_http_fail(req, db, &e);
out:
        PQclear(p);
        PQclear(r);
        jc_verrs_release(&v);
}

void ctl_benefit_basis_put(jc_http_req *req)
{
        static const char *const fields[] = {"monthly_benefit_dkk", NULL};
        const char *case_id = ctl_path_uuid(req, "case_id");
        char monthly_s[24];
        long long monthly = 0;
        json_t *body;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        jc_verrs_init(&v);
        if (!case_id)
                goto out;
        body = jc_http_json_body(req);
        if (!body)
                goto out;
        jc_v_no_unknown(body, NULL, fields, &v);
        jc_v_int(body, NULL, "monthly_benefit_dkk", 1, 0, 1000000, &monthly, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        snprintf(monthly_s, sizeof(monthly_s), "%lld", monthly);
        db = jc_http_db(req);
        if (!db)
                goto out;
        r = jc_pg_exec(db, "ctl_case_set_basis", JC_PG_ARGS(case_id, monthly_s, ctl_principal(req)),
                       &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                goto out;
        }
        if (PQntuples(r) == 0)
                jc_http_reply_problem(req, 404, "not-found", "Case not found",
                                      "no case with this case_id is known to control", NULL);
        else
                jc_http_reply_json(req, 200,
                                   json_pack("{s:s, s:I, s:s, s:s}", "case_id", case_id,
                                             "monthly_benefit_dkk", (json_int_t)monthly,
                                             "recorded_by", ctl_principal(req), "recorded_at",
                                             PQgetvalue(r, 0, 0)));
        PQclear(r);
out:
        jc_verrs_release(&v);
}

static json_t *akasse_report_row(const PGresult *r, int i)
{
        return json_pack("{s:s, s:s, s:s, s:s*, s:s, s:s, s:s, s:s, s:s, s:s*}", "report_id",
                         PQgetvalue(r, i, 0), "case_id", PQgetvalue(r, i, 1), "citizen_ref",
                         PQgetvalue(r, i, 2), "akasse", ctl_col(r, i, 3), "status", PQgetvalue(r, i, 4),
                         "basis", PQgetvalue(r, i, 5), "source_id", PQgetvalue(r, i, 6), "occurred_on",
                         PQgetvalue(r, i, 7), "created_at", PQgetvalue(r, i, 8), "requested_at",
                         ctl_col(r, i, 9));
}

void ctl_akasse_report_list(jc_http_req *req)
{
        static const ctl_list_filter filters[] = {
            {"case_id", CTL_FILTER_UUID, NULL}, {"status", CTL_FILTER_ENUM, report_statuses}, {0}};

        ctl_list_reply(req, filters, "ctl_akasse_report_list", akasse_report_row, 10);
}

/* PUT /v1/akasse-reports/{report_id}/akasse: names the a-kasse of a report
 * held because the case did not come from an a-kasse handover; the report
 * then goes out. */
void ctl_akasse_report_set_akasse(jc_http_req *req)
{
        static const char *const fields[] = {"akasse", NULL};
        jc_service *svc = jc_http_service(req);
        const char *id = ctl_path_uuid(req, "report_id"), *akasse;
        json_t *body;
        PGresult *r = NULL;
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
        akasse = jc_v_str(body, NULL, "akasse", 1, 1, 32, &v);
        if (akasse && (akasse[0] == '-' ||
                       strspn(akasse, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") !=
                           strlen(akasse)))
                jc_verrs_add(&v, "akasse", "must be an a-kasse code (letters, digits, -)");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = ctl_http_begin(req);
        if (!db)
                goto out;
        r = jc_pg_exec(db, "ctl_akasse_report_lock", JC_PG_ARGS(id), &e);
        if (!r)
                goto db_error;
        if (PQntuples(r) == 0) {
                jc_pg_rollback(db);
                jc_http_reply_problem(req, 404, "not-found", "Report not found",
                                      "no a-kasse report with this id", NULL);
                goto out;
        }
        if (strcmp(PQgetvalue(r, 0, 1), "awaiting_akasse") != 0) {
                wrong_state(req, db, "report-state", "Report sent",
                            "the report went to its a-kasse already");
                goto out;
        }
        PQclear(r);
        r = jc_pg_exec(db, "ctl_akasse_report_set_akasse", JC_PG_ARGS(id, akasse), &e);
        if (!r || ctl_akasse_report_emit(svc, db, id, &e) != 0)
                goto db_error;
        ctl_http_commit_reply(req, db, 200,
                              json_pack("{s:s, s:s, s:s}", "report_id", id, "akasse", akasse,
                                        "status", "requested"));
        goto out;
db_error:
        ctl_http_fail(req, db, &e);
out:
        PQclear(r);
        jc_verrs_release(&v);
}

static json_t *no_show_row(const PGresult *r, int i)
{
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s*, s:s*, s:s}", "no_show_id",
                         PQgetvalue(r, i, 0), "basis", PQgetvalue(r, i, 1), "source_id",
                         PQgetvalue(r, i, 2), "occurred_on", PQgetvalue(r, i, 3), "case_id",
                         PQgetvalue(r, i, 4), "citizen_ref", PQgetvalue(r, i, 5), "target_group",
                         PQgetvalue(r, i, 6), "consequence", PQgetvalue(r, i, 7), "proposal_id",
                         ctl_col(r, i, 8), "report_id", ctl_col(r, i, 9), "recorded_at",
                         PQgetvalue(r, i, 10));
}

void ctl_no_show_list(jc_http_req *req)
{
        static const ctl_list_filter filters[] = {
            {"case_id", CTL_FILTER_UUID, NULL}, {"consequence", CTL_FILTER_ENUM, consequences}, {0}};

        ctl_list_reply(req, filters, "ctl_no_show_list", no_show_row, 11);
}
