#include "jc/pg.h"

#include "jc/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void jc_pg_err_set(jc_pg_err *e, int transient, const char *fmt, ...)
{
        va_list ap;

        if (!e)
                return;
        memset(e, 0, sizeof(*e));
        e->transient = transient;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof(e->message), fmt, ap);
        va_end(ap);
}

void jc_pg_err_prefix(jc_pg_err *e, const char *fmt, ...)
{
        char prefix[256], old[sizeof(e->message)];
        va_list ap;

        if (!e)
                return;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        memcpy(old, e->message, sizeof(old));
        snprintf(e->message, sizeof(e->message), "%.250s: %.250s", prefix, old);
}

int jc_pg_sqlstate_is_transient(const char *s)
{
        return strncmp(s, "08", 2) == 0 ||       /* connection exception */
               strcmp(s, "40001") == 0 ||        /* serialization failure */
               strcmp(s, "40P01") == 0 ||        /* deadlock detected */
               strncmp(s, "53", 2) == 0 ||       /* insufficient resources */
               strcmp(s, "57P01") == 0 ||        /* admin shutdown */
               strcmp(s, "57P02") == 0 ||        /* crash shutdown */
               strcmp(s, "57P03") == 0 ||        /* cannot connect now */
               strcmp(s, "55P03") == 0;          /* lock not available */
}

static void copy_trimmed(char *dst, size_t dstlen, const char *src)
{
        size_t n;

        snprintf(dst, dstlen, "%s", src ? src : "");
        n = strlen(dst);
        while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
                dst[--n] = '\0';
}

void jc_pg_err_from_result(jc_pg_err *e, PGconn *c, const PGresult *r)
{
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

        if (!e)
                return;
        memset(e, 0, sizeof(*e));
        snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", state ? state : "");
        if (msg)
                copy_trimmed(e->message, sizeof(e->message), msg);
        else if (r && *PQresultErrorMessage(r))
                copy_trimmed(e->message, sizeof(e->message), PQresultErrorMessage(r));
        else
                copy_trimmed(e->message, sizeof(e->message),
                             c ? PQerrorMessage(c) : "no connection");
        e->connection_lost = !c || PQstatus(c) == CONNECTION_BAD;
        e->transient = e->connection_lost ||
                       (state && jc_pg_sqlstate_is_transient(state));
}

/* Server notices (e.g. "relation ... already exists, skipping") become
 * debug log lines instead of raw text on stderr. */
static void pg_notice(void *arg, const char *message)
{
        char m[512];
        size_t n;

        (void)arg;
        snprintf(m, sizeof(m), "%s", message);
        n = strlen(m);
        while (n > 0 && m[n - 1] == '\n')
                m[--n] = '\0';
        jc_log_write(JC_LOG_DEBUG, JC_KV({"component", "postgres"}), "%s", m);
}

PGconn *jc_pg_open(const jc_pg_config *cfg, jc_pg_err *e)
{
        const char *keys[] = {"dbname", "application_name", "options", NULL};
        const char *vals[4];
        char options[160];
        PGconn *c;
        PGresult *r;

        /* dbname may be a full connection string; expand_dbname=1 parses it.
         * search_path comes from the startup packet, so it also holds for
         * statements prepared below. */
        snprintf(options, sizeof(options), "-c search_path=%s", cfg->schema);
        vals[0] = cfg->conninfo;
        vals[1] = cfg->application_name ? cfg->application_name : "jobcenter";
        vals[2] = options;
        vals[3] = NULL;
        c = PQconnectdbParams(keys, vals, 1);
        if (!c) {
                jc_pg_err_set(e, 1, "could not allocate a PostgreSQL connection");
                return NULL;
        }
        if (PQstatus(c) != CONNECTION_OK) {
                jc_pg_err_from_result(e, c, NULL);
                jc_pg_err_prefix(e, "could not connect to PostgreSQL");
                e->connection_lost = 1;
                e->transient = 1;
                PQfinish(c);
                return NULL;
        }
        PQsetNoticeProcessor(c, pg_notice, NULL);
        for (size_t t = 0; cfg->stmt_tables && cfg->stmt_tables[t]; t++) {
                for (const jc_pg_stmt *s = cfg->stmt_tables[t]; s->name; s++) {
                        r = PQprepare(c, s->name, s->sql, 0, NULL);
                        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
                                jc_pg_err_from_result(e, c, r);
                                jc_pg_err_prefix(e, "could not prepare statement \"%s\"",
                                                 s->name);
                                PQclear(r);
                                PQfinish(c);
                                return NULL;
                        }
                        PQclear(r);
                }
        }
        return c;
}

static PGresult *check_result(PGconn *c, PGresult *r, jc_pg_err *e)
{
        ExecStatusType st = PQresultStatus(r);

        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
                return r;
        jc_pg_err_from_result(e, c, r);
        PQclear(r);
        return NULL;
}

PGresult *jc_pg_exec(PGconn *c, const char *stmt, int nparams,
                     const char *const *params, jc_pg_err *e)
{
        return check_result(c, PQexecPrepared(c, stmt, nparams, params, NULL,
                                              NULL, 0),
                            e);
}

PGresult *jc_pg_exec_bin(PGconn *c, const char *stmt, int nparams,
                         const char *const *params, const int *lengths,
                         const int *formats, int binary_result, jc_pg_err *e)
{
        return check_result(c, PQexecPrepared(c, stmt, nparams, params, lengths,
                                              formats, binary_result ? 1 : 0),
                            e);
}

int jc_pg_cmd(PGconn *c, const char *sql, jc_pg_err *e)
{
        PGresult *r = check_result(c, PQexec(c, sql), e);

        if (!r)
                return -1;
        PQclear(r);
        return 0;
}

int jc_pg_alive(PGconn *c)
{
        if (!c || PQstatus(c) != CONNECTION_OK)
                return 0;
        if (PQconsumeInput(c) == 0)
                return 0;
        return PQstatus(c) == CONNECTION_OK;
}

void jc_pg_array_add(jc_buf *b, const char *elem)
{
        jc_buf_appends(b, b->len == 0 ? "{" : ",");
        if (!elem) {
                jc_buf_appends(b, "NULL");
                return;
        }
        jc_buf_appends(b, "\"");
        for (const char *p = elem; *p; p++) {
                if (*p == '"' || *p == '\\')
                        jc_buf_appends(b, "\\");
                jc_buf_append(b, p, 1);
        }
        jc_buf_appends(b, "\"");
}

void jc_pg_array_end(jc_buf *b)
{
        jc_buf_appends(b, b->len == 0 ? "{}" : "}");
}

void jc_pg_rollback(PGconn *c)
{
        if (c && PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) != PQTRANS_IDLE) {
                PGresult *r = PQexec(c, "ROLLBACK");
                PQclear(r);
        }
}
