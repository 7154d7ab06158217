/*
 * Caseworker case API: register, read (audited), list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/cpr.h"
#include "intake.h"
#include "jc/idempotency.h"
#include "jc/log.h"
#include "jc/validate.h"
#include "jc/vocab.h"

static const char *const case_create_fields[] = {
        "cpr", "name", "target_group", "start_date", "visitation", "caseworker_id",
        "digital_post", "email", "phone", "address", NULL,
};

/* Validates the body into `in` (strings borrowed from `body`); every failing
 * field goes into `v`. */
static void case_input_parse(json_t *body, intake_case_new *in, char cpr[11], jc_verrs *v)
{
        const char *raw;

        memset(in, 0, sizeof(*in));
        jc_v_no_unknown(body, NULL, case_create_fields, v);
        raw = jc_v_str(body, NULL, "cpr", 1, 10, 11, v);
        if (raw && jc_cpr_normalise(raw, cpr) != 0)
                jc_verrs_add(v, "cpr",
                             "must be 10 digits (DDMMYYSSSS) starting with a real date of birth");
        in->cpr = cpr;
        in->name = jc_v_str(body, NULL, "name", 1, 1, 200, v);
        in->target_group = jc_v_enum(body, NULL, "target_group", 1, jc_target_groups, v);
        jc_v_date(body, NULL, "start_date", 1, &in->start_date, v);
        in->visitation = jc_v_enum(body, NULL, "visitation", 0, jc_visitation_categories, v);
        in->caseworker_id = jc_v_str(body, NULL, "caseworker_id", 0, 1, 40, v);
        intake_contact_parse(body, &in->contact, v);
        in->origin = "caseworker";
}

void intake_case_create(jc_http_req *req)
{
        jc_service *svc = jc_http_service(req);
        const char *idem_key = jc_http_header(req, "Idempotency-Key");
        const char *principal = jc_http_principal(req)->principal;
        json_t *body = jc_http_json_body(req), *resp = NULL;
        char scope[128], cpr[11], start[JC_DATE_STRLEN], detail[160];
        intake_case_opened out;
        intake_case_new in;
        jc_idem_prior prior;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (!body)
                goto out;
        case_input_parse(body, &in, cpr, &v);
        if (idem_key && (strlen(idem_key) == 0 || strlen(idem_key) > 128))
                jc_verrs_add(&v, "Idempotency-Key", "must be 1 to 128 characters");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        in.principal = principal;
        db = jc_http_db(req);
        if (!db)
                goto out;
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        snprintf(scope, sizeof(scope), "case_create:%s", principal);
        if (idem_key) {
                switch (jc_idem_claim(db, scope, idem_key, body, &prior, &e)) {
                case JC_IDEM_NEW:
                        break;
                case JC_IDEM_REPLAY:
                        jc_pg_rollback(db);
                        jc_http_reply_json(req, prior.status, prior.body);
                        goto out;
                case JC_IDEM_CONFLICT:
                        jc_pg_rollback(db);
                        jc_http_reply_field_problem(req, 409, "idempotency-conflict",
                                                    "Idempotency-Key reused", "Idempotency-Key",
                                                    "was already used with a different body");
                        goto out;
                case JC_IDEM_ERROR:
                        goto db_error;
                }
        }
        switch (intake_case_open(svc, db, &in, &out, &e)) {
        case INTAKE_OPENED:
                break;
        case INTAKE_OPEN_CASE_EXISTS:
                jc_pg_rollback(db);
                snprintf(detail, sizeof(detail), "the citizen already has an open %s case: %s",
                         in.target_group, out.existing_case_id);
                jc_http_reply_problem(req, 409, "open-case-exists", "Open case exists", detail,
                                      json_pack("[{s:s, s:s, s:s, s:s}]", "field", "target_group",
                                                "pointer", "#/target_group", "message",
                                                "an open case of this target group exists",
                                                "case_id", out.existing_case_id));
                goto out;
        case INTAKE_BAD_CASEWORKER:
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "caseworker_id",
                                            "must be an active caseworker who takes this target group");
                goto out;
        case INTAKE_ERROR:
                goto db_error;
        }
        jc_date_format(in.start_date, start);
        resp = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s*, s:s*, s:s*}", "case_id",
                         out.case_id, "citizen_ref", out.citizen_ref, "status", "open",
                         "target_group", in.target_group, "start_date", start, "opened_at",
                         out.opened_at, "visitation", in.visitation, "caseworker_id",
                         out.caseworker_id[0] ? out.caseworker_id : NULL, "team_id",
                         out.team_id[0] ? out.team_id : NULL);
        if (!resp) {
                jc_pg_err_set(&e, 0, "out of memory");
                goto db_error;
        }
        if (idem_key && jc_idem_store(db, scope, idem_key, 201, resp, &e) != 0)
                goto db_error;
        if (jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        jc_log_write(JC_LOG_INFO, JC_KV({"target_group", in.target_group}), "case opened");
        jc_http_reply_json(req, 201, resp);
        resp = NULL;
        goto out;
db_error:
        jc_pg_rollback(db);
        jc_http_reply_db_error(req, &e);
out:
        json_decref(resp);
        jc_verrs_release(&v);
}

/* A case as JSON from an intake_case_get row. */
static json_t *case_json(PGresult *r, int row)
{
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s*, s:s*, s:s*, s:s*, s:s}", "case_id",
                         PQgetvalue(r, row, 0), "citizen_ref", PQgetvalue(r, row, 1),
                         "target_group", PQgetvalue(r, row, 2), "status", PQgetvalue(r, row, 3),
                         "start_date", PQgetvalue(r, row, 4), "opened_at", PQgetvalue(r, row, 5),
                         "visitation", PQgetisnull(r, row, 6) ? NULL : PQgetvalue(r, row, 6),
                         "caseworker_id", PQgetisnull(r, row, 7) ? NULL : PQgetvalue(r, row, 7),
                         "close_reason", PQgetisnull(r, row, 8) ? NULL : PQgetvalue(r, row, 8),
                         "closed_on", PQgetisnull(r, row, 9) ? NULL : PQgetvalue(r, row, 9),
                         "origin", PQgetvalue(r, row, 10));
}

void intake_case_get(jc_http_req *req)
{
        const char *case_id = jc_http_uuid_param(req, "case_id");
        PGresult *r = NULL, *c = NULL;
        json_t *out;
        jc_pg_err e;
        PGconn *db;

        if (!case_id)
                return;
        db = jc_http_db(req);
        if (!db)
                return;
        r = jc_pg_exec(db, "intake_case_get", JC_PG_ARGS(case_id), &e);
        if (!r)
                goto db_error;
        if (PQntuples(r) == 0) {
                jc_http_reply_problem(req, 404, "not-found", "Case not found",
                                      "no case with this case_id", NULL);
                goto out;
        }
        c = jc_pg_exec(db, "intake_citizen_get", JC_PG_ARGS(PQgetvalue(r, 0, 1)), &e);
        if (!c || jc_audit_read(req, db, "intake_audit_insert", PQgetvalue(r, 0, 1), case_id, &e) != 0)
                goto db_error;
        out = case_json(r, 0);
        json_object_set_new(
            out, "citizen",
            json_pack("{s:s, s:s*, s:s*, s:o}", "citizen_ref", PQgetvalue(c, 0, 0), "cpr",
                      PQgetisnull(c, 0, 1) ? NULL : PQgetvalue(c, 0, 1), "name",
                      PQgetisnull(c, 0, 2) ? NULL : PQgetvalue(c, 0, 2), "contact",
                      intake_contact_from_row(c, 0)));
        jc_http_reply_json(req, 200, out);
        goto out;
db_error:
        jc_http_reply_db_error(req, &e);
out:
        PQclear(r);
        PQclear(c);
}

/* GET /v1/cases?citizen_ref=&caseworker_id=&status=&target_group=&unassigned=true
 *   &limit=50&cursor=…  ->  {"items":[…], "next_cursor": "…"|null}
 * No personal data in the list. The cursor (opaque to clients, URL-safe) is
 * the last row's opened_at and case_id: keyset pagination, stable while
 * cases are added. */
void intake_case_list(jc_http_req *req)
{
        static const char *const statuses[] = {"open", "closed", NULL};
        const char *citizen = jc_http_query(req, "citizen_ref");
        const char *cw = jc_http_query(req, "caseworker_id");
        const char *status = jc_http_query(req, "status");
        const char *group = jc_http_query(req, "target_group");
        const char *unassigned = jc_http_query(req, "unassigned");
        const char *cursor = jc_http_query(req, "cursor");
        const char *limit_s = jc_http_query(req, "limit");
        char after_ts[48] = "", after_id[JC_UUID_STRLEN] = "", limit[24];
        char *end = NULL;
        long lim = limit_s ? strtol(limit_s, &end, 10) : 50;
        json_t *items = NULL;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        jc_verrs_init(&v);
        if (citizen && !jc_uuid_is_valid(citizen))
                jc_verrs_add(&v, "citizen_ref", "must be a UUID");
        if (status && !jc_vocab_has(statuses, status))
                jc_verrs_add(&v, "status", "must be open or closed");
        if (group && !jc_vocab_has(jc_target_groups, group))
                jc_verrs_add(&v, "target_group", "must be a target group");
        if (unassigned && strcmp(unassigned, "true") != 0 && strcmp(unassigned, "false") != 0)
                jc_verrs_add(&v, "unassigned", "must be true or false");
        if (lim < 1 || lim > 500 || (end && *end))
                jc_verrs_add(&v, "limit", "must be an integer from 1 to 500");
        if (cursor) {
                const char *bar = strchr(cursor, '_');

                if (!bar || (size_t)(bar - cursor) >= sizeof(after_ts) || !jc_uuid_is_valid(bar + 1))
                        jc_verrs_add(&v, "cursor", "is not a cursor this API returned");
                else {
                        snprintf(after_ts, sizeof(after_ts), "%.*s", (int)(bar - cursor), cursor);
                        snprintf(after_id, sizeof(after_id), "%s", bar + 1);
                }
        }
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        snprintf(limit, sizeof(limit), "%ld", lim + 1);
        r = jc_pg_exec(db, "intake_case_list",
                       JC_PG_ARGS(citizen, cw, status, group,
                                  unassigned && strcmp(unassigned, "true") == 0 ? "true" : "false",
                                  cursor ? after_ts : NULL, cursor ? after_id : NULL, limit),
                       &e);
        if (!r) {
                /* a cursor with a valid shape but a bad timestamp */
                if (strcmp(e.sqlstate, "22007") == 0 || strcmp(e.sqlstate, "22008") == 0)
                        jc_http_reply_field_problem(req, 422, "validation", "Invalid query",
                                                    "cursor", "is not a cursor this API returned");
                else
                        jc_http_reply_db_error(req, &e);
                goto out;
        }
        items = json_array();
        for (int i = 0; i < PQntuples(r) && i < lim; i++)
                json_array_append_new(
                    items,
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s*, s:s*, s:s*}", "case_id",
                              PQgetvalue(r, i, 0), "citizen_ref", PQgetvalue(r, i, 1),
                              "target_group", PQgetvalue(r, i, 2), "status", PQgetvalue(r, i, 3),
                              "start_date", PQgetvalue(r, i, 4), "opened_at", PQgetvalue(r, i, 5),
                              "visitation", PQgetisnull(r, i, 6) ? NULL : PQgetvalue(r, i, 6),
                              "caseworker_id", PQgetisnull(r, i, 7) ? NULL : PQgetvalue(r, i, 7),
                              "close_reason", PQgetisnull(r, i, 8) ? NULL : PQgetvalue(r, i, 8)));
        jc_http_reply_json(req, 200,
                           json_pack("{s:o, s:s?}", "items", items, "next_cursor",
                                     PQntuples(r) > lim ? PQgetvalue(r, (int)lim - 1, 9) : NULL));
        items = NULL;
        PQclear(r);
out:
        json_decref(items);
        jc_verrs_release(&v);
}
