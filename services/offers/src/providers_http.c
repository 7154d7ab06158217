/*
 * The catalogue of offer types (rule data) and the providers and employers
 * that run offers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"
#include "jc/vocab.h"
#include "offers.h"

static const char *const provider_kinds[] = {"employer", "provider", "municipal", NULL};
static const char *const sectors[] = {"private", "public", NULL};

/* GET /v1/offer-types: the catalogue with each type's rules. */
void offers_types_list(jc_http_req *req)
{
        offers_ctx *octx = jc_http_service(req)->ctx;
        json_t *items = json_array();

        for (size_t i = 0; i < octx->rules.ntypes; i++)
                json_array_append(items, octx->rules.types[i].json);
        jc_http_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

/* POST /v1/providers {kind, name, cvr, sector}; Idempotency-Key optional. */
void offers_provider_create(jc_http_req *req)
{
        static const char *const fields[] = {"kind", "name", "cvr", "sector", NULL};
        const char *principal = jc_http_principal(req)->principal;
        const char *kind, *name, *cvr, *sector;
        char id[JC_UUID_STRLEN], scope[128];
        json_t *body, *resp = NULL;
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        body = offers_body(req, fields, &v);
        if (!body)
                goto out;
        kind = jc_v_enum(body, NULL, "kind", 1, provider_kinds, &v);
        name = jc_v_str(body, NULL, "name", 1, 1, 200, &v);
        cvr = jc_v_str(body, NULL, "cvr", 0, 8, 8, &v);
        if (cvr && strspn(cvr, "0123456789") != 8)
                jc_verrs_add(&v, "cvr", "must be the 8 digits of the company register number");
        sector = jc_v_enum(body, NULL, "sector", 0, sectors, &v);
        if (kind && strcmp(kind, "employer") == 0 &&
            (!json_object_get(body, "sector") || json_is_null(json_object_get(body, "sector"))))
                jc_verrs_add(&v, "sector", "is required for an employer (private or public)");
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
        snprintf(scope, sizeof(scope), "provider_create:%s", principal);
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        if (!offers_idem_begin(req, db, scope, body))
                goto out;
        r = jc_pg_exec(db, "offers_provider_insert", JC_PG_ARGS(id, kind, name, cvr, sector, principal),
                       &e);
        if (!r)
                goto db_error;
        resp = json_pack("{s:s, s:s, s:s, s:s*, s:s*, s:s}", "provider_id", id, "kind", kind, "name",
                         name, "cvr", cvr, "sector", sector, "created_at", PQgetvalue(r, 0, 0));
        PQclear(r);
        if (!resp) {
                jc_pg_err_set(&e, 0, "out of memory");
                goto db_error;
        }
        if (offers_idem_finish(req, db, scope, 201, resp, &e) != 0 ||
            jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        jc_log_write(JC_LOG_INFO, JC_KV({"provider_id", id}, {"kind", kind}), "provider registered");
        jc_http_reply_json(req, 201, resp);
        resp = NULL;
        goto out;
db_error:
        offers_db_fail(req, db, &e);
out:
        json_decref(resp);
        jc_verrs_release(&v);
}

/* GET /v1/providers?kind=&limit=&cursor= (keyset on created_at, provider_id) */
void offers_provider_list(jc_http_req *req)
{
        const char *kind = jc_http_query(req, "kind");
        char key[48], after[JC_UUID_STRLEN], lim[24];
        long limit;
        jc_verrs v;
        PGconn *db;

        jc_verrs_init(&v);
        if (kind && !jc_vocab_has(provider_kinds, kind))
                jc_verrs_add(&v, "kind", "must be employer, provider or municipal");
        offers_query_limit(req, 50, 500, &limit, &v);
        offers_query_cursor(req, key, sizeof(key), after, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        snprintf(lim, sizeof(lim), "%ld", limit + 1);
        offers_list_reply(req, db, "offers_provider_list",
                          JC_PG_ARGS(kind, key[0] ? key : NULL, key[0] ? after : NULL, lim), limit);
out:
        jc_verrs_release(&v);
}
