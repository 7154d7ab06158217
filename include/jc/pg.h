#ifndef JC_PG_H
#define JC_PG_H

#include <libpq-fe.h>
#include <stddef.h>

#include "jc/buf.h"
#include "jc/embed.h"

/*
 * PostgreSQL access: one connection per thread, every statement prepared by
 * name right after connecting (SQL text lives in the service's statement
 * table, never built from input), errors classified so callers can tell
 * "retry later" (connection lost, serialization failure, deadlock, server
 * shutting down) from "this request is wrong".
 */
typedef struct jc_pg_err {
        char sqlstate[6];  /* "" when not from the server */
        char message[512]; /* primary message, PostgreSQL's own words */
        int connection_lost;
        int transient;     /* retrying the same work may succeed */
} jc_pg_err;

typedef struct jc_pg_stmt {
        const char *name; /* NULL terminates a table */
        const char *sql;
} jc_pg_stmt;

typedef struct jc_pg_config {
        const char *conninfo;         /* libpq connection string or URI */
        const char *schema;           /* search_path for every session */
        const char *application_name;
        const jc_pg_stmt *const *stmt_tables; /* NULL-terminated */
} jc_pg_config;

/* Builds a jc_pg_err from a failed result or a connection. */
void jc_pg_err_from_result(jc_pg_err *e, PGconn *c, const PGresult *r);
void jc_pg_err_set(jc_pg_err *e, int transient, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefixes e->message with context: "could not X: <message>". */
void jc_pg_err_prefix(jc_pg_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* 1 for SQLSTATE classes worth retrying (08, 40001, 40P01, 53, 57P0x). */
int jc_pg_sqlstate_is_transient(const char *sqlstate);

/* Connects, sets search_path and application_name, prepares every statement.
 * Returns a connection the caller PQfinish()es, or NULL with `e` set. */
PGconn *jc_pg_open(const jc_pg_config *cfg, jc_pg_err *e);

/* Runs prepared statement `stmt` with text parameters (NULL = SQL NULL).
 * Returns the result (caller PQclear()s) when it is COMMAND_OK/TUPLES_OK,
 * else NULL with `e` set. */
PGresult *jc_pg_exec(PGconn *c, const char *stmt, int nparams,
                     const char *const *params, jc_pg_err *e);
/* Same with per-parameter lengths and formats (1 = binary, e.g. bytea);
 * `binary_result` asks for every result column in binary format. */
PGresult *jc_pg_exec_bin(PGconn *c, const char *stmt, int nparams,
                         const char *const *params, const int *lengths,
                         const int *formats, int binary_result, jc_pg_err *e);
/* Runs a fixed SQL command without parameters (BEGIN, COMMIT, SAVEPOINT …).
 * Returns 0, or -1 with `e` set. */
int jc_pg_cmd(PGconn *c, const char *sql, jc_pg_err *e);

/* ROLLBACK when the connection is in a transaction; errors are ignored
 * (the connection may be gone). */
void jc_pg_rollback(PGconn *c);

/* JC_PG_ARGS("a", "b") expands to `2, (const char *const[]){"a", "b"}`. */
#define JC_PG_ARGS(...)                                                     \
        (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)), \
                (const char *const[]){__VA_ARGS__}

/* PostgreSQL array literals for set-based statements (… unnest($1::text[]) …):
 *   jc_buf b = JC_BUF_INIT; jc_pg_array_add(&b, "a"); jc_pg_array_add(&b, NULL);
 *   jc_pg_array_end(&b);   -> {"a",NULL}
 * Elements are quoted and escaped, so any text is safe. */
void jc_pg_array_add(jc_buf *b, const char *elem);
void jc_pg_array_end(jc_buf *b);

/* 1 when the connection is usable: checks input without blocking, so a
 * server restart is noticed before the next query. */
int jc_pg_alive(PGconn *c);

/*
 * A fixed-size pool for HTTP worker threads. Connections open lazily, are
 * checked with jc_pg_alive() on checkout and reopened after a restart.
 */
typedef struct jc_pg_pool jc_pg_pool;

/* `cfg` is borrowed and must outlive the pool. Free with jc_pg_pool_free(). */
jc_pg_pool *jc_pg_pool_new(const jc_pg_config *cfg, size_t size);
/* Waits up to `timeout_ms` for a connection. NULL with `e` set on failure. */
PGconn *jc_pg_pool_get(jc_pg_pool *pool, int timeout_ms, jc_pg_err *e);
/* Returns a connection; an open transaction is rolled back, a broken
 * connection closed. */
void jc_pg_pool_put(jc_pg_pool *pool, PGconn *c);
void jc_pg_pool_free(jc_pg_pool *pool);

/*
 * Migrations: files named NNNN_description.sql applied in name order, each in
 * its own transaction, recorded in <schema>.schema_migrations with a SHA-256
 * checksum (a changed, already applied file is an error). `component`
 * separates tracks in one schema ("jc" for the common outbox/inbox tables,
 * the service name for its own). Concurrent starters serialise on an
 * advisory lock. Returns 0, or -1 with `e` set.
 */
int jc_pg_migrate(PGconn *c, const char *schema, const char *component,
                  const jc_embedded_file *files, jc_pg_err *e);

#endif
