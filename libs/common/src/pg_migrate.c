#include <stdio.h>
#include <string.h>

#include "jc/crypto.h"
#include "jc/log.h"
#include "jc/pg.h"

/* The only SQL here that is not in a migration file: the bookkeeping table
 * the migrations themselves are recorded in. */
static const char create_table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " component text NOT NULL,"
    " name text NOT NULL,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (component, name))";

static int exec_params(PGconn *c, const char *sql, int n,
                       const char *const *params, PGresult **out, jc_pg_err *e)
{
        PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
        ExecStatusType st = PQresultStatus(r);

        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
                jc_pg_err_from_result(e, c, r);
                PQclear(r);
                return -1;
        }
        if (out)
                *out = r;
        else
                PQclear(r);
        return 0;
}

static int apply_one(PGconn *c, const char *schema, const char *component,
                     const jc_embedded_file *f, int *applied, jc_pg_err *e)
{
        char sum[65], lockkey[160];
        PGresult *r = NULL;
        int rc = -1;

        if (jc_sha256_hex(f->data, f->len, sum) != 0) {
                jc_pg_err_set(e, 0, "could not checksum migration %s", f->name);
                return -1;
        }
        snprintf(lockkey, sizeof(lockkey), "jc_migrate.%s", schema);
        if (jc_pg_cmd(c, "BEGIN", e) != 0)
                return -1;
        if (exec_params(c, "SELECT pg_advisory_xact_lock(hashtext($1))", 1,
                        (const char *const[]){lockkey}, NULL, e) != 0)
                goto out;
        if (jc_pg_cmd(c, create_table_sql, e) != 0)
                goto out;
        if (exec_params(c,
                        "SELECT checksum FROM schema_migrations"
                        " WHERE component = $1 AND name = $2",
                        2, (const char *const[]){component, f->name}, &r, e) != 0)
                goto out;
        if (PQntuples(r) == 1) {
                if (strcmp(PQgetvalue(r, 0, 0), sum) != 0) {
                        jc_pg_err_set(e, 0,
                                      "migration %s/%s was changed after it was applied "
                                      "(checksum %.12s… in the database, %.12s… now); "
                                      "add a new migration instead of editing an applied one",
                                      component, f->name, PQgetvalue(r, 0, 0), sum);
                        goto out;
                }
                rc = 0;
                goto out;
        }
        if (jc_pg_cmd(c, f->data, e) != 0) {
                jc_pg_err_prefix(e, "migration %s/%s failed", component, f->name);
                goto out;
        }
        if (exec_params(c,
                        "INSERT INTO schema_migrations (component, name, checksum)"
                        " VALUES ($1, $2, $3)",
                        3, (const char *const[]){component, f->name, sum}, NULL,
                        e) != 0)
                goto out;
        *applied = 1;
        rc = 0;
out:
        PQclear(r);
        if (rc == 0 && jc_pg_cmd(c, "COMMIT", e) != 0)
                rc = -1;
        if (rc != 0 && PQstatus(c) == CONNECTION_OK) {
                PGresult *rb = PQexec(c, "ROLLBACK");
                PQclear(rb);
        }
        return rc;
}

int jc_pg_migrate(PGconn *c, const char *schema, const char *component,
                  const jc_embedded_file *files, jc_pg_err *e)
{
        for (const jc_embedded_file *f = files; f && f->name; f++) {
                int applied = 0;

                if (apply_one(c, schema, component, f, &applied, e) != 0)
                        return -1;
                if (applied)
                        jc_log_write(JC_LOG_INFO,
                                     JC_KV({"schema", schema}, {"migration", f->name}),
                                     "applied migration %s/%s", component, f->name);
        }
        return 0;
}
