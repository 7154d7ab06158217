#include "jc/idempotency.h"

#include <stdlib.h>
#include <string.h>

#include "jc/crypto.h"

const jc_pg_stmt jc_idem_stmts[] = {
        {"jc_idem_claim",
         "INSERT INTO idempotency (scope, idem_key, request_hash) VALUES ($1, $2, $3)"
         " ON CONFLICT DO NOTHING"},
        {"jc_idem_get",
         "SELECT request_hash, status, response FROM idempotency"
         " WHERE scope = $1 AND idem_key = $2"},
        {"jc_idem_store",
         "UPDATE idempotency SET status = $3::int, response = $4"
         " WHERE scope = $1 AND idem_key = $2"},
        {NULL, NULL},
};

jc_idem_result jc_idem_claim(PGconn *db, const char *scope, const char *key,
                             json_t *request, jc_idem_prior *prior, jc_pg_err *e)
{
        char *canon = json_dumps(request, JSON_COMPACT | JSON_SORT_KEYS);
        char hash[65];
        PGresult *r = NULL;
        jc_idem_result res = JC_IDEM_ERROR;

        memset(prior, 0, sizeof(*prior));
        if (!canon || jc_sha256_hex(canon, strlen(canon), hash) != 0) {
                jc_pg_err_set(e, 0, "could not hash the request");
                goto out;
        }
        r = jc_pg_exec(db, "jc_idem_claim", JC_PG_ARGS(scope, key, hash), e);
        if (!r)
                goto out;
        if (strcmp(PQcmdTuples(r), "1") == 0) {
                res = JC_IDEM_NEW;
                goto out;
        }
        PQclear(r);
        r = jc_pg_exec(db, "jc_idem_get", JC_PG_ARGS(scope, key), e);
        if (!r)
                goto out;
        if (PQntuples(r) != 1 || PQgetisnull(r, 0, 1)) {
                jc_pg_err_set(e, 1, "idempotency record for this key is incomplete");
                goto out;
        }
        if (strcmp(PQgetvalue(r, 0, 0), hash) != 0) {
                res = JC_IDEM_CONFLICT;
                goto out;
        }
        prior->status = atoi(PQgetvalue(r, 0, 1));
        prior->body = json_loads(PQgetvalue(r, 0, 2), 0, NULL);
        res = JC_IDEM_REPLAY;
out:
        PQclear(r);
        free(canon);
        return res;
}

int jc_idem_store(PGconn *db, const char *scope, const char *key, int status,
                  json_t *body, jc_pg_err *e)
{
        char st[16], *s = json_dumps(body, JSON_COMPACT);
        PGresult *r;

        if (!s) {
                jc_pg_err_set(e, 0, "could not encode the response");
                return -1;
        }
        snprintf(st, sizeof(st), "%d", status);
        r = jc_pg_exec(db, "jc_idem_store", JC_PG_ARGS(scope, key, st, s), e);
        free(s);
        if (!r)
                return -1;
        PQclear(r);
        return 0;
}
