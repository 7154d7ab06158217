/*
 * A-kasse API: POST /v1/handovers, GET /v1/handovers/{handover_id}.
 * Scope akasse:<code>; an a-kasse sees and creates only its own handovers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake.h"
#include "jc/log.h"
#include "jc/validate.h"

void intake_handover_post(jc_http_req *req)
{
        jc_service *svc = jc_http_service(req);
        intake_ctx *ictx = svc->ctx;
        const char *own = jc_token_akasse_code(jc_http_principal(req));
        json_t *body = jc_http_json_body(req), *resp = NULL, *akasse;
        char existing[JC_UUID_STRLEN], detail[200];
        intake_handover h;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (!body)
                goto out;
        akasse = json_object_get(body, "akasse");
        if (json_is_string(akasse) && strcmp(json_string_value(akasse), own) != 0) {
                jc_http_reply_field_problem(req, 403, "forbidden", "Forbidden", "akasse",
                                            "must be the a-kasse of your token");
                goto out;
        }
        intake_handover_parse(body, &h, ictx->handover_tolerance_days, jc_service_today(svc),
                              &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        if (jc_pg_cmd(db, "BEGIN", &e) != 0) {
                jc_http_reply_db_error(req, &e);
                goto out;
        }
        switch (intake_handover_apply(svc, db, &h, body, "http", jc_http_principal(req)->principal,
                                      &resp, existing, &e)) {
        case HANDOVER_CREATED:
                if (jc_pg_cmd(db, "COMMIT", &e) != 0) {
                        jc_http_reply_db_error(req, &e);
                        break;
                }
                jc_log_write(JC_LOG_INFO, JC_KV({"akasse", h.akasse}), "handover accepted");
                jc_http_reply_json(req, 201, resp);
                resp = NULL;
                break;
        case HANDOVER_REPLAY:
                jc_pg_rollback(db);
                jc_http_reply_json(req, 201, resp);
                resp = NULL;
                break;
        case HANDOVER_CONFLICT:
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 409, "idempotency-conflict",
                                            "Handover id reused", "handover_id",
                                            "was already used for a handover with a different body");
                break;
        case HANDOVER_OPEN_CASE:
                jc_pg_rollback(db);
                snprintf(detail, sizeof(detail), "the citizen already has an open a-dagpenge case: %s",
                         existing);
                jc_http_reply_problem(req, 409, "open-case-exists", "Open case exists", detail,
                                      json_pack("[{s:s, s:s, s:s, s:s}]", "field", "cpr",
                                                "pointer", "#/cpr", "message",
                                                "the citizen already has an open a-dagpenge case",
                                                "case_id", existing));
                break;
        case HANDOVER_UNKNOWN_AKASSE:
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "akasse", "is not a known a-kasse");
                break;
        case HANDOVER_ERROR:
                jc_pg_rollback(db);
                jc_http_reply_db_error(req, &e);
                break;
        }
out:
        json_decref(resp);
        jc_verrs_release(&v);
}

void intake_handover_get(jc_http_req *req)
{
        const char *own = jc_token_akasse_code(jc_http_principal(req));
        const char *id = jc_http_param(req, "handover_id");
        PGresult *r;
        jc_pg_err e;
        PGconn *db = jc_http_db(req);

        if (!db)
                return;
        r = jc_pg_exec(db, "intake_handover_get", JC_PG_ARGS(own, id), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        if (PQntuples(r) == 1) {
                jc_http_reply_json(req, 200,
                                   json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}",
                                             "handover_id", PQgetvalue(r, 0, 0), "akasse",
                                             PQgetvalue(r, 0, 1), "status", "accepted", "case_id",
                                             PQgetvalue(r, 0, 2), "citizen_ref",
                                             PQgetvalue(r, 0, 3), "received_via",
                                             PQgetvalue(r, 0, 4), "received_at",
                                             PQgetvalue(r, 0, 5), "case_status",
                                             PQgetvalue(r, 0, 6), "unemployed_since",
                                             PQgetvalue(r, 0, 7), "handover_date",
                                             PQgetvalue(r, 0, 8), "contacts_recorded",
                                             atoi(PQgetvalue(r, 0, 9))));
                PQclear(r);
                return;
        }
        PQclear(r);
        /* Refused on the Kafka channel: say why. */
        r = jc_pg_exec(db, "intake_handover_rejection_get", JC_PG_ARGS(own, id), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        if (PQntuples(r) == 1)
                jc_http_reply_json(req, 200,
                                   json_pack("{s:s, s:s, s:s, s:s, s:s}", "handover_id", id,
                                             "akasse", own, "status", "rejected", "reason",
                                             PQgetvalue(r, 0, 0), "rejected_at",
                                             PQgetvalue(r, 0, 1)));
        else
                jc_http_reply_problem(req, 404, "not-found", "Handover not found",
                                      "your a-kasse has no handover with this id", NULL);
        PQclear(r);
}
