/*
 * Helpers every control HTTP handler uses: transactions, path and query
 * parameters, keyset pages, money amounts, the audit of personal-data reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "jc/audit.h"
#include "jc/idempotency.h"
#include "jc/timeutil.h"

PGconn *ctl_http_begin(jc_http_req *req)
{
        PGconn *db = jc_http_db(req);
        jc_pg_err e;

        if (!db)
                return NULL;
        if (jc_pg_cmd(db, "BEGIN", &e) != 0) {
                jc_http_reply_db_error(req, &e);
                return NULL;
        }
        return db;
}

void ctl_http_fail(jc_http_req *req, PGconn *db, const jc_pg_err *e)
{
        jc_pg_rollback(db);
        jc_http_reply_db_error(req, e);
}

void ctl_http_commit_reply(jc_http_req *req, PGconn *db, int status, json_t *body)
{
        jc_pg_err e;

        if (jc_pg_cmd(db, "COMMIT", &e) != 0) {
                json_decref(body);
                ctl_http_fail(req, db, &e);
                return;
        }
        jc_http_reply_json(req, status, body);
}

const char *ctl_principal(jc_http_req *req)
{
        return jc_http_principal(req)->principal;
}

const char *ctl_path_uuid(jc_http_req *req, const char *name)
{
        const char *v = jc_http_param(req, name);

        if (!jc_uuid_is_valid(v)) {
                jc_http_reply_field_problem(req, 422, "validation", "Invalid path", name,
                                            "must be a UUID");
                return NULL;
        }
        return v;
}

const char *ctl_query_enum(jc_http_req *req, const char *name, const char *const *allowed,
                           jc_verrs *v)
{
        const char *s = jc_http_query(req, name);

        if (!s)
                return NULL;
        for (size_t i = 0; allowed[i]; i++)
                if (strcmp(s, allowed[i]) == 0)
                        return s;
        jc_verrs_add(v, name, "is not one of the allowed values");
        return NULL;
}

const char *ctl_query_uuid(jc_http_req *req, const char *name, jc_verrs *v)
{
        const char *s = jc_http_query(req, name);

        if (s && !jc_uuid_is_valid(s)) {
                jc_verrs_add(v, name, "must be a UUID");
                return NULL;
        }
        return s;
}

void ctl_page_params(jc_http_req *req, long *limit, char cursor_ts[40],
                     char cursor_id[JC_UUID_STRLEN], int *has_cursor, jc_verrs *v)
{
        const char *l = jc_http_query(req, "limit"), *c = jc_http_query(req, "cursor");
        char *end;

        *limit = 50;
        *has_cursor = 0;
        cursor_ts[0] = cursor_id[0] = '\0';
        if (l) {
                long n = strtol(l, &end, 10);

                if (!*l || *end || n < 1 || n > 200)
                        jc_verrs_add(v, "limit", "must be an integer from 1 to 200");
                else
                        *limit = n;
        }
        if (c) {
                const char *sep = strrchr(c, '_');
                size_t tslen = sep ? (size_t)(sep - c) : 0;

                if (!sep || tslen == 0 || tslen >= 40 || !jc_uuid_is_valid(sep + 1)) {
                        jc_verrs_add(v, "cursor", "is not a cursor this service gave out");
                } else {
                        memcpy(cursor_ts, c, tslen);
                        cursor_ts[tslen] = '\0';
                        if (jc_time_check_rfc3339(cursor_ts) != 0) {
                                jc_verrs_add(v, "cursor", "is not a cursor this service gave out");
                                return;
                        }
                        snprintf(cursor_id, JC_UUID_STRLEN, "%s", sep + 1);
                        *has_cursor = 1;
                }
        }
}

int ctl_audit_read(jc_http_req *req, PGconn *db, const char *resource, const char *resource_id,
                   const char *case_id, const char *citizen_ref, jc_pg_err *e)
{
        char p[JC_AUDIT_PURPOSE_LEN];
        PGresult *r;

        jc_audit_purpose(req, p);
        r = jc_pg_exec(db, "ctl_audit_insert",
                       JC_PG_ARGS(ctl_principal(req), resource, resource_id, case_id, citizen_ref, p,
                                  jc_http_path(req)),
                       e);
        if (!r)
                return -1;
        PQclear(r);
        return 0;
}

const char *ctl_col(const PGresult *r, int row, int col)
{
        return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* {"items": items (stolen), "next_cursor"}: a new reference for the reply. */
json_t *ctl_page(json_t *items, const PGresult *r, long limit, int col)
{
        int n = PQntuples(r);

        return json_pack("{s:o, s:s?}", "items", items, "next_cursor",
                         n == limit && n > 0 ? PQgetvalue(r, n - 1, col) : NULL);
}

void ctl_list_reply(jc_http_req *req, const ctl_list_filter *filters, const char *stmt,
                    ctl_row_json_fn row, int cursor_col)
{
        const char *args[CTL_LIST_MAX_FILTERS + 3];
        char limit[16], ts[40], id[JC_UUID_STRLEN];
        long lim;
        int has_cursor, n = 0;
        json_t *items;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        jc_verrs_init(&v);
        for (const ctl_list_filter *f = filters; f->name && n < CTL_LIST_MAX_FILTERS; f++) {
                const char *val = NULL;

                switch (f->kind) {
                case CTL_FILTER_ENUM:
                        val = ctl_query_enum(req, f->name, f->allowed, &v);
                        break;
                case CTL_FILTER_UUID:
                        val = ctl_query_uuid(req, f->name, &v);
                        break;
                case CTL_FILTER_ID:
                        val = jc_http_query(req, f->name);
                        if (val && !ctl_id_ok(val)) {
                                jc_verrs_add(&v, f->name, "may contain only letters, digits and . _ : -");
                                val = NULL;
                        }
                        break;
                }
                args[n++] = val;
        }
        ctl_page_params(req, &lim, ts, id, &has_cursor, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        snprintf(limit, sizeof(limit), "%ld", lim);
        args[n++] = has_cursor ? ts : NULL;
        args[n++] = has_cursor ? id : NULL;
        args[n++] = limit;
        r = jc_pg_exec(db, stmt, n, args, &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                goto out;
        }
        items = json_array();
        for (int i = 0; i < PQntuples(r); i++)
                json_array_append_new(items, row(r, i));
        jc_http_reply_json(req, 200, ctl_page(items, r, lim, cursor_col));
        PQclear(r);
out:
        jc_verrs_release(&v);
}

/* The scope of an Idempotency-Key: who, and which operation on what. */
static void idem_scope(jc_http_req *req, char scope[300])
{
        snprintf(scope, 300, "%s %s:%s", jc_http_method(req), jc_http_path(req), ctl_principal(req));
}

void ctl_idem_check(jc_http_req *req, jc_verrs *v)
{
        const char *key = jc_http_header(req, "Idempotency-Key");

        if (key && (strlen(key) == 0 || strlen(key) > 128))
                jc_verrs_add(v, "Idempotency-Key", "must be 1 to 128 characters");
}

int ctl_idem_claim(jc_http_req *req, PGconn *db, json_t *body, jc_pg_err *e)
{
        const char *key = jc_http_header(req, "Idempotency-Key");
        char scope[300];
        jc_idem_prior prior;

        if (!key)
                return 0;
        idem_scope(req, scope);
        switch (jc_idem_claim(db, scope, key, body, &prior, e)) {
        case JC_IDEM_NEW:
                return 0;
        case JC_IDEM_REPLAY:
                jc_pg_rollback(db);
                jc_http_reply_json(req, prior.status, prior.body);
                return 1;
        case JC_IDEM_CONFLICT:
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 409, "idempotency-conflict", "Idempotency-Key reused",
                                            "Idempotency-Key", "was already used with a different body");
                return 1;
        case JC_IDEM_ERROR:
                break;
        }
        return -1;
}

int ctl_idem_store(jc_http_req *req, PGconn *db, int status, json_t *resp, jc_pg_err *e)
{
        const char *key = jc_http_header(req, "Idempotency-Key");
        char scope[300];

        if (!key)
                return 0;
        idem_scope(req, scope);
        return jc_idem_store(db, scope, key, status, resp, e);
}
