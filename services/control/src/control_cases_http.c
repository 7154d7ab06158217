/*
 * Control cases (scope caseworker): open, evidence, notes, outcome (no basis,
 * repayment claim, sanction, report to the police as a text outcome), close.
 * Reading one (evidence and notes are personal data) is audited; the list
 * carries no personal data. A closed case cannot change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "jc/log.h"

static const char *const case_themes[] = {"udlandsophold", "uoplyst-arbejde", "samlivsforhold",
                                          "adresse", "andet", NULL};
static const char *const outcomes[] = {"no_basis", "repayment_claim", "sanction", "police_report",
                                       NULL};
static const char *const evidence_kinds[] = {"document", "register_extract", "statement", "other",
                                             NULL};
static const char *const statuses[] = {"open", "closed", NULL};

/* The JSON body (borrowed: freed with the request), unknown fields recorded
 * in `v`; NULL after replying 400/415. */
static json_t *body_with(jc_http_req *req, const char *const *fields, jc_verrs *v)
{
        json_t *body = jc_http_json_body(req);

        if (body)
                jc_v_no_unknown(body, NULL, fields, v);
        return body;
}

/* Locks the open control case: the row (caller PQclear()s), or NULL after
 * rolling back and replying (404, 409 closed). */
static PGresult *lock_open(jc_http_req *req, PGconn *db, const char *id)
{
        jc_pg_err e;
        PGresult *r = jc_pg_exec(db, "ctl_control_case_lock", JC_PG_ARGS(id), &e);

        if (!r) {
                ctl_http_fail(req, db, &e);
                return NULL;
        }
        if (PQntuples(r) == 0 || strcmp(PQgetvalue(r, 0, 3), "open") != 0) {
                int missing = PQntuples(r) == 0;

                PQclear(r);
                jc_pg_rollback(db);
                if (missing)
                        jc_http_reply_problem(req, 404, "not-found", "Control case not found",
                                              "no control case with this id", NULL);
                else
                        jc_http_reply_problem(req, 409, "control-case-closed",
                                              "Control case is closed",
                                              "a closed control case cannot be changed", NULL);
                return NULL;
        }
        jc_log_ctx_set_case(PQgetvalue(r, 0, 1));
        return r;
}

void ctl_control_case_create(jc_http_req *req)
{
        static const char *const fields[] = {"case_id", "theme", "reason", NULL};
        jc_service *svc = jc_http_service(req);
        const char *case_id, *theme, *reason;
        char id[JC_UUID_STRLEN];
        json_t *body, *resp = NULL, *ev;
        PGresult *c = NULL, *r = NULL;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;
        int rc;

        jc_verrs_init(&v);
        body = body_with(req, fields, &v);
        if (!body)
                goto out;
        case_id = jc_v_uuid(body, NULL, "case_id", 1, &v);
        theme = jc_v_enum(body, NULL, "theme", 1, case_themes, &v);
        reason = jc_v_str(body, NULL, "reason", 0, 1, CTL_TEXT_MAX, &v);
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
                jc_http_reply_field_problem(req, PQntuples(c) == 0 ? 404 : 409,
                                            PQntuples(c) == 0 ? "not-found" : "case-closed",
                                            PQntuples(c) == 0 ? "Case not found" : "Case is closed",
                                            "case_id",
                                            PQntuples(c) == 0 ? "no case with this case_id is known to control"
                                                              : "the case is closed");
                goto out;
        }
        if (jc_uuid_v4(id) != 0) {
                jc_pg_err_set(&e, 1, "could not generate an id: kernel RNG failed");
                goto db_error;
        }
        r = jc_pg_exec(db, "ctl_control_case_insert",
                       JC_PG_ARGS(id, case_id, PQgetvalue(c, 0, 1), theme, reason, ctl_principal(req)),
                       &e);
        if (!r)
                goto db_error;
        resp = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "control_case_id", id,
                         "case_id", case_id, "citizen_ref", PQgetvalue(c, 0, 1), "theme", theme,
                         "origin", "caseworker", "status", "open", "opened_by", ctl_principal(req),
                         "opened_at", PQgetvalue(r, 0, 0));
        ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "control_case_id", id, "case_id",
                       case_id, "citizen_ref", PQgetvalue(c, 0, 1), "theme", theme, "origin",
                       "caseworker", "opened_at", PQgetvalue(r, 0, 0));
        if (ev && !PQgetisnull(c, 0, 5))
                json_object_set_new(ev, "caseworker_id", json_string(PQgetvalue(c, 0, 5)));
        if (!resp || ctl_emit(svc, db, case_id, "control.case_opened.v1", ev, &e) != 0 ||
            ctl_idem_store(req, db, 201, resp, &e) != 0)
                goto db_error;
        jc_log_ctx_set_case(case_id);
        jc_log_info("control case opened");
        ctl_http_commit_reply(req, db, 201, resp);
        resp = NULL;
        goto out;
db_error:
        ctl_http_fail(req, db, &e);
out:
        json_decref(resp);
        PQclear(c);
        PQclear(r);
        jc_verrs_release(&v);
}

static json_t *control_case_row(const PGresult *r, int i)
{
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s*, s:s, s:s*, s:s, s:s*, s:i}",
                         "control_case_id", PQgetvalue(r, i, 0), "case_id", PQgetvalue(r, i, 1),
                         "citizen_ref", PQgetvalue(r, i, 2), "theme", PQgetvalue(r, i, 3), "origin",
                         PQgetvalue(r, i, 4), "campaign_id", ctl_col(r, i, 5), "status",
                         PQgetvalue(r, i, 6), "outcome", ctl_col(r, i, 7), "opened_at",
                         PQgetvalue(r, i, 8), "closed_at", ctl_col(r, i, 9), "evidence_count",
                         atoi(PQgetvalue(r, i, 10)));
}

void ctl_control_case_list(jc_http_req *req)
{
        static const ctl_list_filter filters[] = {{"status", CTL_FILTER_ENUM, statuses},
                                                  {"case_id", CTL_FILTER_UUID, NULL},
                                                  {"campaign_id", CTL_FILTER_ID, NULL},
                                                  {0}};

        ctl_list_reply(req, filters, "ctl_control_case_list", control_case_row, 11);
}

void ctl_control_case_get(jc_http_req *req)
{
        const char *id = ctl_path_uuid(req, "control_case_id");
        PGresult *c = NULL, *ev = NULL, *notes = NULL;
        json_t *out, *evidence, *nl;
        jc_pg_err e;
        PGconn *db;

        if (!id)
                return;
        db = jc_http_db(req);
        if (!db)
                return;
        c = jc_pg_exec(db, "ctl_control_case_get", JC_PG_ARGS(id), &e);
        if (!c)
                goto db_error;
        if (PQntuples(c) == 0) {
                jc_http_reply_problem(req, 404, "not-found", "Control case not found",
                                      "no control case with this id", NULL);
                goto out;
        }
        ev = jc_pg_exec(db, "ctl_control_evidence_list", JC_PG_ARGS(id), &e);
        notes = ev ? jc_pg_exec(db, "ctl_control_notes_list", JC_PG_ARGS(id), &e) : NULL;
        if (!notes || ctl_audit_read(req, db, "control_case", id, PQgetvalue(c, 0, 1),
                                     PQgetvalue(c, 0, 2), &e) != 0)
                goto db_error;
        evidence = json_array();
        for (int i = 0; i < PQntuples(ev); i++) {
                json_t *item = json_pack("{s:I, s:s, s:s, s:s}", "evidence_id",
                                         (json_int_t)atoll(PQgetvalue(ev, i, 0)), "kind",
                                         PQgetvalue(ev, i, 1), "added_by", PQgetvalue(ev, i, 6),
                                         "added_at", PQgetvalue(ev, i, 7));

                if (!PQgetisnull(ev, i, 2))
                        json_object_set_new(item, "campaign_id", json_string(PQgetvalue(ev, i, 2)));
                if (!PQgetisnull(ev, i, 3))
                        json_object_set_new(item, "udk_ref", json_string(PQgetvalue(ev, i, 3)));
                if (!PQgetisnull(ev, i, 4))
                        json_object_set_new(item, "description", json_string(PQgetvalue(ev, i, 4)));
                if (!PQgetisnull(ev, i, 5))
                        json_object_set_new(item, "received_on", json_string(PQgetvalue(ev, i, 5)));
                if (!PQgetisnull(ev, i, 8))
                        json_object_set_new(item, "udk_evidence",
                                            json_loads(PQgetvalue(ev, i, 8), 0, NULL));
                json_array_append_new(evidence, item);
        }
        nl = json_array();
        for (int i = 0; i < PQntuples(notes); i++)
                json_array_append_new(nl, json_pack("{s:I, s:s, s:s, s:s}", "note_id",
                                                    (json_int_t)atoll(PQgetvalue(notes, i, 0)),
                                                    "text", PQgetvalue(notes, i, 1), "written_by",
                                                    PQgetvalue(notes, i, 2), "written_at",
                                                    PQgetvalue(notes, i, 3)));
        out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s*, s:s, s:s*, s:s, s:s, s:o, s:o}",
                        "control_case_id", PQgetvalue(c, 0, 0), "case_id", PQgetvalue(c, 0, 1),
                        "citizen_ref", PQgetvalue(c, 0, 2), "theme", PQgetvalue(c, 0, 3), "origin",
                        PQgetvalue(c, 0, 4), "campaign_id", ctl_col(c, 0, 5), "status",
                        PQgetvalue(c, 0, 6), "reason", ctl_col(c, 0, 7), "opened_by",
                        PQgetvalue(c, 0, 8), "opened_at", PQgetvalue(c, 0, 9), "evidence", evidence,
                        "notes", nl);
        if (!PQgetisnull(c, 0, 10)) { /* the outcome, flat as in the list */
                json_object_set_new(out, "outcome", json_string(PQgetvalue(c, 0, 10)));
                json_object_set_new(out, "outcome_by", json_string(PQgetvalue(c, 0, 13)));
                json_object_set_new(out, "outcome_at", json_string(PQgetvalue(c, 0, 14)));
                if (!PQgetisnull(c, 0, 11))
                        json_object_set_new(out, "outcome_text", json_string(PQgetvalue(c, 0, 11)));
                if (!PQgetisnull(c, 0, 12))
                        json_object_set_new(out, "repayment_dkk",
                                            json_integer(atoll(PQgetvalue(c, 0, 12))));
        }
        if (!PQgetisnull(c, 0, 15)) {
                json_object_set_new(out, "closed_by", json_string(PQgetvalue(c, 0, 15)));
                json_object_set_new(out, "closed_at", json_string(PQgetvalue(c, 0, 16)));
        }
        jc_http_reply_json(req, 200, out);
        goto out;
db_error:
        jc_http_reply_db_error(req, &e);
out:
        PQclear(c);
        PQclear(ev);
        PQclear(notes);
}

/* Evidence and notes: an append to an open control case. */
static void append(jc_http_req *req, int evidence)
{
        static const char *const ev_fields[] = {"kind", "description", "received_on", NULL};
        static const char *const note_fields[] = {"text", NULL};
        const char *id = ctl_path_uuid(req, "control_case_id"), *kind = NULL, *text;
        char on[JC_DATE_STRLEN];
        jc_date received;
        json_t *body, *resp = NULL;
        PGresult *c = NULL, *r = NULL;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;
        int rc;

        jc_verrs_init(&v);
        if (!id)
                goto out;
        body = body_with(req, evidence ? ev_fields : note_fields, &v);
        if (!body)
                goto out;
        if (evidence) {
                kind = jc_v_enum(body, NULL, "kind", 1, evidence_kinds, &v);
                text = jc_v_str(body, NULL, "description", 1, 1, CTL_TEXT_MAX, &v);
                if (jc_v_date(body, NULL, "received_on", 1, &received, &v) == 1 &&
                    jc_date_cmp(received, jc_service_today(jc_http_service(req))) > 0)
                        jc_verrs_add(&v, "received_on", "must not be in the future");
        } else {
                text = jc_v_str(body, NULL, "text", 1, 1, CTL_TEXT_MAX, &v);
        }
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
        c = lock_open(req, db, id);
        if (!c)
                goto out;
        if (evidence) {
                jc_date_format(received, on);
                r = jc_pg_exec(db, "ctl_control_evidence_insert",
                               JC_PG_ARGS(id, kind, text, on, ctl_principal(req)), &e);
                resp = r ? json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "control_case_id", id,
                                     "evidence_id", (json_int_t)atoll(PQgetvalue(r, 0, 0)), "kind",
                                     kind, "received_on", on, "added_by", ctl_principal(req),
                                     "added_at", PQgetvalue(r, 0, 1))
                         : NULL;
        } else {
                r = jc_pg_exec(db, "ctl_control_note_insert", JC_PG_ARGS(id, text, ctl_principal(req)),
                               &e);
                resp = r ? json_pack("{s:s, s:I, s:s, s:s}", "control_case_id", id, "note_id",
                                     (json_int_t)atoll(PQgetvalue(r, 0, 0)), "written_by",
                                     ctl_principal(req), "written_at", PQgetvalue(r, 0, 1))
                         : NULL;
        }
        if (!r || !resp || ctl_idem_store(req, db, 201, resp, &e) != 0) {
                if (r && !resp)
                        jc_pg_err_set(&e, 0, "out of memory");
                ctl_http_fail(req, db, &e);
                goto out;
        }
        ctl_http_commit_reply(req, db, 201, resp);
        resp = NULL;
out:
        json_decref(resp);
        PQclear(c);
        PQclear(r);
        jc_verrs_release(&v);
}

void ctl_control_case_evidence(jc_http_req *req)
{
        append(req, 1);
}

void ctl_control_case_note(jc_http_req *req)
{
        append(req, 0);
}

void ctl_control_case_outcome(jc_http_req *req)
{
        static const char *const fields[] = {"outcome", "repayment_dkk", "text", NULL};
        const char *id = ctl_path_uuid(req, "control_case_id"), *outcome, *text;
        char amount[24] = "";
        long long repayment = 0;
        int have_amount;
        json_t *body;
        PGresult *c = NULL, *r = NULL;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (!id)
                goto out;
        body = body_with(req, fields, &v);
        if (!body)
                goto out;
        outcome = jc_v_enum(body, NULL, "outcome", 1, outcomes, &v);
        text = jc_v_str(body, NULL, "text", 0, 1, CTL_TEXT_MAX, &v);
        have_amount = jc_v_int(body, NULL, "repayment_dkk", 0, 1, 100000000, &repayment, &v);
        if (outcome && strcmp(outcome, "repayment_claim") == 0 && have_amount == 0)
                jc_verrs_add(&v, "repayment_dkk", "is required for a repayment claim");
        else if (outcome && strcmp(outcome, "repayment_claim") != 0 && have_amount == 1)
                jc_verrs_add(&v, "repayment_dkk", "belongs only to a repayment claim");
        if (outcome && strcmp(outcome, "police_report") == 0 && !text && !jc_verrs_count(&v))
                jc_verrs_add(&v, "text",
                             "is required for a report to the police (what was reported, when, to whom)");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        if (have_amount == 1)
                snprintf(amount, sizeof(amount), "%lld", repayment);
        db = ctl_http_begin(req);
        if (!db)
                goto out;
        c = lock_open(req, db, id);
        if (!c)
                goto out;
        r = jc_pg_exec(db, "ctl_control_case_set_outcome",
                       JC_PG_ARGS(id, outcome, text, amount[0] ? amount : NULL, ctl_principal(req)),
                       &e);
        if (!r) {
                ctl_http_fail(req, db, &e);
                goto out;
        }
        ctl_http_commit_reply(req, db, 200,
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "control_case_id", id,
                                        "status", "open", "outcome", outcome, "outcome_by",
                                        ctl_principal(req), "outcome_at", PQgetvalue(r, 0, 0)));
out:
        PQclear(c);
        PQclear(r);
        jc_verrs_release(&v);
}

void ctl_control_case_close(jc_http_req *req)
{
        static const char *const fields[] = {NULL};
        jc_service *svc = jc_http_service(req);
        const char *id = ctl_path_uuid(req, "control_case_id");
        json_t *body, *d;
        PGresult *c = NULL, *r = NULL;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (!id)
                goto out;
        body = body_with(req, fields, &v);
        if (!body)
                goto out;
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = ctl_http_begin(req);
        if (!db)
                goto out;
        c = lock_open(req, db, id);
        if (!c)
                goto out;
        if (PQgetisnull(c, 0, 4)) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 409, "outcome-missing", "Outcome missing", "outcome",
                                            "record the outcome before closing the control case");
                goto out;
        }
        r = jc_pg_exec(db, "ctl_control_case_close", JC_PG_ARGS(id, ctl_principal(req)), &e);
        if (!r)
                goto db_error;
        d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "control_case_id", id, "case_id",
                      PQgetvalue(c, 0, 1), "citizen_ref", PQgetvalue(c, 0, 2), "outcome",
                      PQgetvalue(c, 0, 4), "closed_by", ctl_principal(req), "closed_at",
                      PQgetvalue(r, 0, 0));
        if (d && !PQgetisnull(c, 0, 7))
                json_object_set_new(d, "campaign_id", json_string(PQgetvalue(c, 0, 7)));
        if (d && !PQgetisnull(c, 0, 8))
                json_object_set_new(d, "repayment_dkk", json_integer(atoll(PQgetvalue(c, 0, 8))));
        if (ctl_emit(svc, db, PQgetvalue(c, 0, 1), "control.case_closed.v1", d, &e) != 0)
                goto db_error;
        jc_log_info("control case closed");
        ctl_http_commit_reply(req, db, 200,
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "control_case_id", id, "status",
                                        "closed", "outcome", PQgetvalue(c, 0, 4), "closed_by",
                                        ctl_principal(req), "closed_at", PQgetvalue(r, 0, 0)));
        goto out;
db_error:
        ctl_http_fail(req, db, &e);
out:
        PQclear(c);
        PQclear(r);
        jc_verrs_release(&v);
}
