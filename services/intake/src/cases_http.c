/*
 * Caseworker case API: register a case, read a case.
 */
#include <stdio.h>
#include <string.h>

#include "intake.h"
#include "jc/idempotency.h"
#include "jc/log.h"
#include "jc/uuid.h"
#include "jc/validate.h"

static const char *const case_create_fields[] = {
        "cpr", "name", "target_group", "start_date", "digital_post", "email", "phone", NULL,
};

typedef struct case_input {
        char cpr[11];
        const char *name;
        const char *target_group;
        jc_date start_date;
        int digital_post;
        const char *email;
        const char *phone;
} case_input;

/* Validates the body; every failing field goes into `v`. */
static void case_input_parse(json_t *body, case_input *in, jc_verrs *v)
{
        const char *cpr;

        memset(in, 0, sizeof(*in));
        jc_v_no_unknown(body, NULL, case_create_fields, v);
        cpr = jc_v_str(body, NULL, "cpr", 1, 10, 11, v);
        if (cpr && intake_cpr_normalise(cpr, in->cpr) != 0)
                jc_verrs_add(v, "cpr",
                             "must be 10 digits (DDMMYYSSSS) starting with a real date of birth");
        in->name = jc_v_str(body, NULL, "name", 1, 1, 200, v);
        in->target_group = jc_v_enum(body, NULL, "target_group", 1, intake_target_groups, v);
        jc_v_date(body, NULL, "start_date", 1, &in->start_date, v);
        in->digital_post = 1;
        jc_v_bool(body, NULL, "digital_post", 0, &in->digital_post, v);
        in->email = jc_v_str(body, NULL, "email", 0, 3, 254, v);
        if (in->email && !strchr(in->email, '@'))
                jc_verrs_add(v, "email", "must be an e-mail address");
        in->phone = jc_v_str(body, NULL, "phone", 0, 8, 20, v);
        if (in->phone && strspn(in->phone, "+0123456789 ") != strlen(in->phone))
                jc_verrs_add(v, "phone", "may contain only digits, spaces and a leading +");
}

static int emit_case_opened(jc_service *svc, PGconn *db, const case_input *in,
                            const char *case_id, const char *citizen_ref,
                            const char *opened_at, jc_pg_err *e)
{
        char start[JC_DATE_STRLEN];
        json_t *contact, *citizen, *opened;

        jc_date_format(in->start_date, start);
        contact = json_pack("{s:b, s:s*, s:s*}", "digital_post", in->digital_post,
                            "email", in->email, "phone", in->phone);
        citizen = json_pack("{s:s, s:s, s:s, s:o}", "citizen_ref", citizen_ref, "cpr",
                            in->cpr, "name", in->name, "contact", contact);
        if (jc_emit(&svc->emitter, db, INTAKE_CITIZEN_TOPIC, citizen_ref,
                    "citizen.upserted.v1", citizen_ref, citizen, NULL, e) != 0)
                return -1;
        opened = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "case_id", case_id,
                           "citizen_ref", citizen_ref, "target_group", in->target_group,
                           "start_date", start, "opened_at", opened_at, "origin",
                           "caseworker");
        return jc_emit(&svc->emitter, db, INTAKE_CASE_TOPIC, case_id, "case.opened.v1",
                       case_id, opened, NULL, e);
}

void intake_case_create(jc_http_req *req)
{
        jc_service *svc = jc_http_service(req);
        const char *idem_key = jc_http_header(req, "Idempotency-Key");
        char case_id[JC_UUID_STRLEN], new_ref[JC_UUID_STRLEN], citizen_ref[JC_UUID_STRLEN];
        char scope[128], opened_at[40], start[JC_DATE_STRLEN];
        json_t *body = jc_http_json_body(req), *resp = NULL;
        PGresult *r = NULL;
        jc_idem_prior prior;
        case_input in;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db = NULL;
        int in_tx = 0;

        jc_verrs_init(&v);
        if (!body)
                goto out;
        case_input_parse(body, &in, &v);
        if (idem_key && (strlen(idem_key) == 0 || strlen(idem_key) > 128))
                jc_verrs_add(&v, "Idempotency-Key", "must be 1 to 128 characters");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        if (jc_uuid_v4(case_id) != 0 || jc_uuid_v4(new_ref) != 0) {
                jc_pg_err_set(&e, 1, "kernel RNG failed");
                goto db_error;
        }
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        in_tx = 1;
        snprintf(scope, sizeof(scope), "case_create:%s", jc_http_principal(req)->principal);
        if (idem_key) {
                switch (jc_idem_claim(db, scope, idem_key, body, &prior, &e)) {
                case JC_IDEM_NEW:
                        break;
                case JC_IDEM_REPLAY:
                        jc_http_reply_json(req, prior.status, prior.body);
                        goto out;
                case JC_IDEM_CONFLICT:
                        jc_http_reply_problem(req, 409, "idempotency-conflict",
                                              "Idempotency-Key reused",
                                              "this Idempotency-Key was used with a different body",
                                              NULL);
                        goto out;
                case JC_IDEM_ERROR:
                        goto db_error;
                }
        }
        jc_date_format(in.start_date, start);
        r = jc_pg_exec(db, "intake_citizen_upsert",
                       JC_PG_ARGS(new_ref, in.cpr, in.name, in.digital_post ? "true" : "false",
                                  in.email, in.phone),
                       &e);
        if (!r)
                goto db_error;
        snprintf(citizen_ref, sizeof(citizen_ref), "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        r = jc_pg_exec(db, "intake_case_insert",
                       JC_PG_ARGS(case_id, citizen_ref, in.target_group, start), &e);
        if (!r)
                goto db_error;
        if (PQntuples(r) == 0) {
                char detail[160];
                json_t *errors;

                PQclear(r);
                r = jc_pg_exec(db, "intake_open_case_find",
                               JC_PG_ARGS(citizen_ref, in.target_group), &e);
                if (!r)
                        goto db_error;
                snprintf(detail, sizeof(detail),
                         "the citizen already has an open %s case: %s", in.target_group,
                         PQntuples(r) ? PQgetvalue(r, 0, 0) : "(closing)");
                errors = json_pack("[{s:s, s:s, s:s, s:s}]", "field", "target_group",
                                   "pointer", "#/target_group", "message",
                                   "an open case of this target group exists", "case_id",
                                   PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
                jc_http_reply_problem(req, 409, "open-case-exists", "Open case exists",
                                      detail, errors);
                goto out;
        }
        snprintf(opened_at, sizeof(opened_at), "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        r = NULL;
        jc_log_ctx_set_case(case_id);
        if (emit_case_opened(svc, db, &in, case_id, citizen_ref, opened_at, &e) != 0)
                goto db_error;
        resp = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "case_id", case_id,
                         "citizen_ref", citizen_ref, "status", "open", "target_group",
                         in.target_group, "start_date", start, "opened_at", opened_at);
        if (!resp) {
                jc_pg_err_set(&e, 0, "out of memory");
                goto db_error;
        }
        if (idem_key && jc_idem_store(db, scope, idem_key, 201, resp, &e) != 0)
                goto db_error;
        if (jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        in_tx = 0;
        jc_log_write(JC_LOG_INFO, JC_KV({"target_group", in.target_group}), "case opened");
        jc_http_reply_json(req, 201, resp);
        resp = NULL;
        goto out;
db_error:
        jc_http_reply_db_error(req, &e);
out:
        if (in_tx && db && PQstatus(db) == CONNECTION_OK) {
                PGresult *rb = PQexec(db, "ROLLBACK");
                PQclear(rb);
        }
        PQclear(r);
        json_decref(resp);
        jc_verrs_release(&v);
}

void intake_case_get(jc_http_req *req)
{
        const char *case_id = jc_http_param(req, "case_id");
        PGresult *r = NULL;
        jc_pg_err e;
        PGconn *db;

        if (!jc_uuid_is_valid(case_id)) {
                jc_http_reply_invalid(req, json_pack("[{s:s, s:s, s:s}]", "field", "case_id",
                                                     "pointer", "#/case_id", "message",
                                                     "must be a UUID"));
                return;
        }
        db = jc_http_db(req);
        if (!db)
                return;
        r = jc_pg_exec(db, "intake_case_get", JC_PG_ARGS(case_id), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        if (PQntuples(r) == 0) {
                jc_http_reply_problem(req, 404, "not-found", "Case not found",
                                      "no case with this case_id", NULL);
        } else {
                jc_http_reply_json(
                    req, 200,
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?}", "case_id",
                              PQgetvalue(r, 0, 0), "citizen_ref", PQgetvalue(r, 0, 1),
                              "target_group", PQgetvalue(r, 0, 2), "status",
                              PQgetvalue(r, 0, 3), "start_date", PQgetvalue(r, 0, 4),
                              "opened_at", PQgetvalue(r, 0, 5), "close_reason",
                              PQgetisnull(r, 0, 6) ? NULL : PQgetvalue(r, 0, 6)));
        }
        PQclear(r);
}
