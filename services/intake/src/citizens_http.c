/*
 * Citizens: read (personal data, audited) and erasure.
 */
#include <stdio.h>
#include <string.h>

#include "intake.h"
#include "jc/log.h"
#include "jc/outbox.h"

void intake_citizen_get(jc_http_req *req)
{
        const char *ref = jc_http_uuid_param(req, "citizen_ref");
        PGresult *c = NULL, *cases = NULL;
        json_t *list, *out;
        jc_pg_err e;
        PGconn *db;

        if (!ref)
                return;
        db = jc_http_db(req);
        if (!db)
                return;
        c = jc_pg_exec(db, "intake_citizen_get", JC_PG_ARGS(ref), &e);
        if (!c)
                goto db_error;
        if (PQntuples(c) == 0) {
                jc_http_reply_problem(req, 404, "not-found", "Citizen not found",
                                      "no citizen with this citizen_ref", NULL);
                goto out;
        }
        cases = jc_pg_exec(db, "intake_citizen_cases", JC_PG_ARGS(ref), &e);
        if (!cases || jc_audit_read(req, db, "intake_audit_insert", ref, NULL, &e) != 0)
                goto db_error;
        list = json_array();
        for (int i = 0; i < PQntuples(cases); i++)
                json_array_append_new(
                    list, json_pack("{s:s, s:s, s:s, s:s, s:s*}", "case_id", PQgetvalue(cases, i, 0),
                                    "target_group", PQgetvalue(cases, i, 1), "status",
                                    PQgetvalue(cases, i, 2), "start_date",
                                    PQgetvalue(cases, i, 3), "caseworker_id",
                                    PQgetisnull(cases, i, 4) ? NULL : PQgetvalue(cases, i, 4)));
        out = json_pack("{s:s, s:s?, s:s?, s:o, s:s*, s:o}", "citizen_ref", ref, "cpr",
                        PQgetisnull(c, 0, 1) ? NULL : PQgetvalue(c, 0, 1), "name",
                        PQgetisnull(c, 0, 2) ? NULL : PQgetvalue(c, 0, 2), "contact",
                        intake_contact_from_row(c, 0), "erased_at",
                        PQgetisnull(c, 0, 6) ? NULL : PQgetvalue(c, 0, 6), "cases", list);
        jc_http_reply_json(req, 200, out);
        goto out;
db_error:
        jc_http_reply_db_error(req, &e);
out:
        PQclear(c);
        PQclear(cases);
}

/* POST /v1/citizens/{citizen_ref}/erasure (admin): removes CPR, name and
 * contact details from intake (also the citizen's records in intake's outbox),
 * keeps the pseudonymous citizen_ref (cases stay countable), and publishes a
 * tombstone on jobcenter.citizen.v1 so the services that hold the citizen's
 * data drop it. Refused while a case is open. */
void intake_citizen_erase(jc_http_req *req)
{
        jc_service *svc = jc_http_service(req);
        const char *ref = jc_http_uuid_param(req, "citizen_ref");
        PGresult *r = NULL;
        jc_pg_err e;
        PGconn *db;

        if (!ref)
                return;
        db = jc_http_db(req);
        if (!db)
                return;
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        r = jc_pg_exec(db, "intake_citizen_open_cases", JC_PG_ARGS(ref), &e);
        if (!r)
                goto db_error;
        if (strcmp(PQgetvalue(r, 0, 0), "0") != 0) {
                jc_pg_rollback(db);
                jc_http_reply_problem(req, 409, "open-cases", "Citizen has open cases",
                                      "close the citizen's cases before erasing their data", NULL);
                goto out;
        }
        PQclear(r);
        r = jc_pg_exec(db, "intake_citizen_erase", JC_PG_ARGS(ref), &e);
        if (!r)
                goto db_error;
        if (strcmp(PQcmdTuples(r), "1") != 0) {
                jc_pg_rollback(db);
                jc_http_reply_problem(req, 404, "not-found", "Citizen not found",
                                      "no citizen with this citizen_ref whose data is still held",
                                      NULL);
                goto out;
        }
        PQclear(r);
        r = jc_pg_exec(db, "intake_citizen_outbox_erase", JC_PG_ARGS(ref, INTAKE_CITIZEN_TOPIC), &e);
        if (!r || jc_emit_tombstone(&svc->emitter, db, INTAKE_CITIZEN_TOPIC, ref, &e) != 0 ||
            jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        jc_log_write(JC_LOG_INFO, JC_KV({"citizen_ref", ref}), "citizen data erased");
        jc_http_reply_json(req, 200, json_pack("{s:s, s:s}", "citizen_ref", ref, "status", "erased"));
        goto out;
db_error:
        jc_pg_rollback(db);
        jc_http_reply_db_error(req, &e);
out:
        PQclear(r);
}
