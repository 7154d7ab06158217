/*
 * Small helpers every offers HTTP handler uses: body and query parsing,
 * cursors, idempotency, database failures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/idempotency.h"
#include "offers.h"

json_t *offers_body(jc_http_req *req, const char *const *fields, jc_verrs *v)
{
        json_t *body = jc_http_json_body(req);

        if (body)
                jc_v_no_unknown(body, NULL, fields, v);
        return body;
}

const char *offers_path_uuid(jc_http_req *req, const char *name)
{
        const char *id = jc_http_param(req, name);

        if (!jc_uuid_is_valid(id)) {
                jc_http_reply_field_problem(req, 422, "validation", "Invalid path", name,
                                            "must be a UUID");
                return NULL;
        }
        return id;
}

const char *offers_path_uuid_check(jc_http_req *req, const char *name, jc_verrs *v)
{
        const char *id = jc_http_param(req, name);

        if (jc_uuid_is_valid(id))
                return id;
        jc_verrs_add(v, name, "must be a UUID");
        return NULL;
}

void offers_query_limit(jc_http_req *req, long def, long max, long *limit, jc_verrs *v)
{
        const char *s = jc_http_query(req, "limit");
        char *end = NULL;

        *limit = def;
        if (!s)
                return;
        *limit = strtol(s, &end, 10);
        if (!*s || *end || *limit < 1 || *limit > max) {
                jc_verrs_add(v, "limit", "must be an integer from 1 to %ld", max);
                *limit = def;
        }
}

void offers_query_cursor(jc_http_req *req, char *key, size_t keylen, char id[JC_UUID_STRLEN],
                         jc_verrs *v)
{
        const char *cursor = jc_http_query(req, "cursor");
        const char *bar;

        key[0] = '\0';
        id[0] = '\0';
        if (!cursor)
                return;
        bar = strrchr(cursor, '_');
        if (!bar || bar == cursor || (size_t)(bar - cursor) >= keylen || !jc_uuid_is_valid(bar + 1)) {
                jc_verrs_add(v, "cursor", "is not a cursor this API returned");
                return;
        }
        snprintf(key, keylen, "%.*s", (int)(bar - cursor), cursor);
        snprintf(id, JC_UUID_STRLEN, "%s", bar + 1);
}

int offers_query_date(jc_http_req *req, const char *name, jc_date *out, jc_verrs *v)
{
        const char *s = jc_http_query(req, name);

        if (!s)
                return 0;
        if (jc_date_parse(s, out) != 0) {
                jc_verrs_add(v, name, "must be a calendar date YYYY-MM-DD");
                return -1;
        }
        return 1;
}

void offers_db_fail(jc_http_req *req, PGconn *db, const jc_pg_err *e)
{
        jc_pg_rollback(db);
        jc_http_reply_db_error(req, e);
}

void offers_idem_check(jc_http_req *req, jc_verrs *v)
{
        const char *key = jc_http_header(req, "Idempotency-Key");

        if (key && (strlen(key) == 0 || strlen(key) > 128))
                jc_verrs_add(v, "Idempotency-Key", "must be 1 to 128 characters");
}

int offers_idem_begin(jc_http_req *req, PGconn *db, const char *scope, json_t *body)
{
        const char *key = jc_http_header(req, "Idempotency-Key");
        jc_idem_prior prior;
        jc_pg_err e;

        if (!key)
                return 1;
        switch (jc_idem_claim(db, scope, key, body, &prior, &e)) {
        case JC_IDEM_NEW:
                return 1;
        case JC_IDEM_REPLAY:
                jc_pg_rollback(db);
                jc_http_reply_json(req, prior.status, prior.body);
                return 0;
        case JC_IDEM_CONFLICT:
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 409, "idempotency-conflict", "Idempotency-Key reused",
                                            "Idempotency-Key",
                                            "was already used with a different body");
                return 0;
        case JC_IDEM_ERROR:
                break;
        }
        offers_db_fail(req, db, &e);
        return 0;
}

int offers_idem_finish(jc_http_req *req, PGconn *db, const char *scope, int status, json_t *resp,
                       jc_pg_err *e)
{
        const char *key = jc_http_header(req, "Idempotency-Key");

        if (!key)
                return 0;
        return jc_idem_store(db, scope, key, status, resp, e);
}

void offers_reply_page(jc_http_req *req, const PGresult *r, long limit, json_t *extra)
{
        json_t *items = json_array(), *out = extra ? extra : json_object();

        for (int i = 0; i < PQntuples(r) && i < limit; i++)
                json_array_append_new(items, json_loads(PQgetvalue(r, i, 0), 0, NULL));
        json_object_set_new(out, "items", items);
        json_object_set_new(out, "next_cursor", PQntuples(r) > limit
                                                    ? json_string(PQgetvalue(r, (int)limit - 1, 1))
                                                    : json_null());
        jc_http_reply_json(req, 200, out);
}

void offers_list_reply(jc_http_req *req, PGconn *db, const char *stmt, int nparams,
                       const char *const *params, long limit)
{
        PGresult *r;
        jc_pg_err e;

        r = jc_pg_exec(db, stmt, nparams, params, &e);
        if (!r) {
                if (strncmp(e.sqlstate, "22", 2) == 0) /* a cursor with a bad key */
                        jc_http_reply_field_problem(req, 422, "validation", "Invalid query", "cursor",
                                                    "is not a cursor this API returned");
                else
                        jc_http_reply_db_error(req, &e);
                return;
        }
        offers_reply_page(req, r, limit, NULL);
        PQclear(r);
}

const char *offers_pq_str(const PGresult *r, int row, int col)
{
        return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

jc_date offers_pq_date(const PGresult *r, int row, int col)
{
        jc_date d = {1970, 1, 1};

        if (!PQgetisnull(r, row, col))
                jc_date_parse(PQgetvalue(r, row, col), &d);
        return d;
}
