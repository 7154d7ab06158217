/*
 * The API:
 *   GET  /v1/cases/{case_id}/messages          caseworker: a case's letters with their text (audited)
 *   GET  /v1/messages/{message_id}             caseworker|admin: status and every attempt (no text)
 *   POST /v1/messages/{message_id}/resend      admin: send a failed message again
 *   GET  /v1/messages?status=failed            caseworker|admin: messages by status (the failed list)
 *   GET  /v1/caseworkers/{caseworker_id}/reminders  caseworker|admin: the internal queue
 * Lists page with limit (1..500) and cursor (next_cursor of the last page).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/audit.h"
#include "jc/log.h"
#include "jc/validate.h"
#include "jc/vocab.h"
#include "notifications.h"

static const char *opt(PGresult *r, int row, int col)
{
        return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static json_t *int_or_null(PGresult *r, int row, int col)
{
        return PQgetisnull(r, row, col) ? json_null() : json_integer(atoll(PQgetvalue(r, row, col)));
}

/* limit and cursor query parameters; errors go to v. */
static void paging(jc_http_req *req, long *limit, char cursor[24], jc_verrs *v)
{
        const char *l = jc_http_query(req, "limit"), *c = jc_http_query(req, "cursor");
        char *end = NULL;

        *limit = l ? strtol(l, &end, 10) : 100;
        if (*limit < 1 || *limit > 500 || (end && *end) || (l && !*l))
                jc_verrs_add(v, "limit", "must be an integer from 1 to 500");
        snprintf(cursor, 24, "0");
        if (c) {
                long long n = strtoll(c, &end, 10);

                if (!*c || *end || n < 0 || strlen(c) > 18)
                        jc_verrs_add(v, "cursor", "is not a cursor this API returned");
                else
                        snprintf(cursor, 24, "%lld", n);
        }
}

/* The common start of a list: paging parameters (errors added to v, then
 * every error of v is answered as one 422) and a connection. Returns the
 * connection with `limit_plus_one` for the query, or NULL when it replied. */
static PGconn *list_begin(jc_http_req *req, jc_verrs *v, long *limit, char cursor[24],
                          char limit_plus_one[24])
{
        paging(req, limit, cursor, v);
        if (jc_verrs_count(v)) {
                jc_http_reply_invalid(req, jc_verrs_take(v));
                return NULL;
        }
        snprintf(limit_plus_one, 24, "%ld", *limit + 1);
        return jc_http_db(req);
}

/* A connection for a request on /v1/messages/{message_id}, or NULL when it
 * replied (422 naming message_id, or 503). */
static PGconn *message_db(jc_http_req *req)
{
        if (!jc_uuid_is_valid(jc_http_param(req, "message_id"))) {
                jc_http_reply_field_problem(req, 422, "validation", "Invalid path", "message_id",
                                            "must be a UUID");
                return NULL;
        }
        return jc_http_db(req);
}

static void reply_no_message(jc_http_req *req)
{
        jc_http_reply_problem(req, 404, "not-found", "Message not found",
                              "no message with this message_id", NULL);
}

static int audit(jc_http_req *req, PGconn *db, const char *citizen_ref, const char *case_id,
                 jc_pg_err *e)
{
        return jc_audit_read(req, db, "notif_audit_insert", citizen_ref, case_id, e);
}

/* Columns of notif_case_messages / notif_messages_by_status (see stmts.c). */
static json_t *message_item(PGresult *r, int i, int with_text)
{
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:s, s:i, s:{s:s, s:s}, s:s?, s:s, s:i, s:s, s:s?, s:s?, s:s?, s:s?,"
            " s:s?, s:s?}",
            "message_id", PQgetvalue(r, i, 0), "case_id", PQgetvalue(r, i, 1), "trigger",
            PQgetvalue(r, i, 2), "template", PQgetvalue(r, i, 3), "template_version",
            atoi(PQgetvalue(r, i, 4)), "recipient", "kind", PQgetvalue(r, i, 5), "id",
            PQgetvalue(r, i, 6), "channel", opt(r, i, 7), "status", PQgetvalue(r, i, 8), "attempts",
            atoi(PQgetvalue(r, i, 9)), "created_at", PQgetvalue(r, i, 10), "sent_at", opt(r, i, 11),
            "failed_at", opt(r, i, 12), "next_attempt_at", opt(r, i, 13), "failure_reason",
            opt(r, i, 14), "cancelled_reason", opt(r, i, 15), "last_error", opt(r, i, 16));

        if (o && with_text) {
                json_object_set_new(o, "subject", opt(r, i, 17) ? json_string(opt(r, i, 17)) : json_null());
                json_object_set_new(o, "text", opt(r, i, 18) ? json_string(opt(r, i, 18)) : json_null());
        }
        return o;
}

/* The page's items and next_cursor (the seq column `seq_col`). */
static json_t *page(PGresult *r, long limit, int seq_col, int with_text, json_t **next)
{
        json_t *items = json_array();
        int n = PQntuples(r);

        for (int i = 0; i < n && i < limit; i++)
                json_array_append_new(items, message_item(r, i, with_text));
        *next = n > limit ? json_string(PQgetvalue(r, (int)limit - 1, seq_col)) : json_null();
        return items;
}

void notif_case_messages(jc_http_req *req)
{
        const char *case_id = jc_http_param(req, "case_id");
        char cursor[24], lim[24];
        const char *citizen_ref = NULL;
        long limit;
        json_t *items, *next;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r = NULL, *c = NULL;
        PGconn *db;

        jc_verrs_init(&v);
        if (!jc_uuid_is_valid(case_id))
                jc_verrs_add(&v, "case_id", "must be a UUID");
        db = list_begin(req, &v, &limit, cursor, lim);
        if (!db)
                goto out;
        c = jc_pg_exec(db, "notif_case_get", JC_PG_ARGS(case_id), &e);
        r = c ? jc_pg_exec(db, "notif_case_messages", JC_PG_ARGS(case_id, cursor, lim), &e) : NULL;
        if (!r)
                goto db_error;
        if (PQntuples(c) == 1)
                citizen_ref = PQgetvalue(c, 0, 1);
        else if (PQntuples(r) > 0)
                citizen_ref = opt(r, 0, 19);
        else if (strcmp(cursor, "0") == 0) {
                jc_http_reply_problem(req, 404, "not-found", "Case not found",
                                      "notifications has no case and no messages with this case_id",
                                      NULL);
                goto out;
        }
        if (audit(req, db, citizen_ref, case_id, &e) != 0)
                goto db_error;
        items = page(r, limit, 20, 1, &next);
        jc_http_reply_json(req, 200,
                           json_pack("{s:s, s:o, s:o}", "case_id", case_id, "messages", items,
                                     "next_cursor", next));
        goto out;
db_error:
        jc_http_reply_db_error(req, &e);
out:
        PQclear(r);
        PQclear(c);
        jc_verrs_release(&v);
}

void notif_message_get(jc_http_req *req)
{
        const char *id = jc_http_param(req, "message_id");
        json_t *attempts, *out;
        jc_pg_err e;
        PGresult *r = NULL, *a = NULL;
        PGconn *db;

        db = message_db(req);
        if (!db)
                return;
        r = jc_pg_exec(db, "notif_message_get", JC_PG_ARGS(id), &e);
        if (!r)
                goto db_error;
        if (PQntuples(r) == 0) {
                reply_no_message(req);
                goto out;
        }
        a = jc_pg_exec(db, "notif_message_attempts", JC_PG_ARGS(id), &e);
        if (!a)
                goto db_error;
        attempts = json_array();
        for (int i = 0; i < PQntuples(a); i++)
                json_array_append_new(
                    attempts, json_pack("{s:i, s:i, s:s, s:s, s:s, s:o, s:s?, s:i}", "round",
                                        atoi(PQgetvalue(a, i, 0)), "attempt", atoi(PQgetvalue(a, i, 1)),
                                        "channel", PQgetvalue(a, i, 2), "at", PQgetvalue(a, i, 3),
                                        "outcome", PQgetvalue(a, i, 4), "http_status",
                                        int_or_null(a, i, 5), "error", opt(a, i, 6), "duration_ms",
                                        atoi(PQgetvalue(a, i, 7))));
        out = message_item(r, 0, 0);
        json_object_set_new(out, "event_id", json_string(PQgetvalue(r, 0, 17)));
        json_object_set_new(out, "resends", json_integer(atoi(PQgetvalue(r, 0, 18))));
        json_object_set_new(out, "citizen_ref",
                            opt(r, 0, 19) ? json_string(opt(r, 0, 19)) : json_null());
        json_object_set_new(out, "delivery_attempts", attempts);
        jc_http_reply_json(req, 200, out);
        goto out;
db_error:
        jc_http_reply_db_error(req, &e);
out:
        PQclear(a);
        PQclear(r);
}

void notif_message_resend(jc_http_req *req)
{
        const char *id = jc_http_param(req, "message_id");
        char detail[160];
        jc_pg_err e;
        PGresult *r = NULL;
        PGconn *db;

        db = message_db(req);
        if (!db)
                return;
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        r = jc_pg_exec(db, "notif_message_lock", JC_PG_ARGS(id), &e);
        if (!r)
                goto db_error;
        if (PQntuples(r) == 0) {
                jc_pg_rollback(db);
                reply_no_message(req);
                goto out;
        }
        if (strcmp(PQgetvalue(r, 0, 0), "failed") != 0 || !PQgetisnull(r, 0, 1)) {
                jc_pg_rollback(db);
                if (!PQgetisnull(r, 0, 1))
                        snprintf(detail, sizeof(detail),
                                 "the citizen's data was erased; this message cannot be sent");
                else
                        snprintf(detail, sizeof(detail), "only a failed message can be resent; this one is %s",
                                 PQgetvalue(r, 0, 0));
                jc_http_reply_problem(req, 409, "not-resendable", "Message cannot be resent", detail,
                                      json_pack("[{s:s, s:s, s:s}]", "field", "status", "pointer",
                                                "#/status", "message", detail));
                goto out;
        }
        PQclear(r);
        r = jc_pg_exec(db, "notif_message_resend", JC_PG_ARGS(id), &e);
        if (!r || jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        jc_log_write(JC_LOG_INFO,
                     JC_KV({"message_id", id}, {"principal", jc_http_principal(req)->principal}),
                     "message resent by an operator");
        jc_http_reply_json(req, 202,
                           json_pack("{s:s, s:s, s:i}", "message_id", id, "status", "pending",
                                     "resends", atoi(PQgetvalue(r, 0, 0))));
        goto out;
db_error:
        jc_pg_rollback(db);
        jc_http_reply_db_error(req, &e);
out:
        PQclear(r);
}

void notif_messages_list(jc_http_req *req)
{
        static const char *const statuses[] = {"failed", "pending", "awaiting_contact", "sent",
                                               "cancelled", NULL};
        const char *status = jc_http_query(req, "status");
        char cursor[24], lim[24];
        long limit;
        json_t *items, *next;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        jc_verrs_init(&v);
        if (!status)
                status = "failed";
        if (!jc_vocab_has(statuses, status))
                jc_verrs_add(&v, "status",
                             "must be failed, pending, awaiting_contact, sent or cancelled");
        db = list_begin(req, &v, &limit, cursor, lim);
        if (!db)
                goto out;
        r = jc_pg_exec(db, "notif_messages_by_status", JC_PG_ARGS(status, cursor, lim), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                goto out;
        }
        items = page(r, limit, 17, 0, &next);
        PQclear(r);
        jc_http_reply_json(req, 200,
                           json_pack("{s:s, s:o, s:o}", "status", status, "messages", items,
                                     "next_cursor", next));
out:
        jc_verrs_release(&v);
}

static int valid_caseworker_id(const char *s)
{
        size_t n = s ? strlen(s) : 0;

        if (n == 0 || n > 64)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
                        return 0;
        return 1;
}

void notif_caseworker_reminders(jc_http_req *req)
{
        const char *cw = jc_http_param(req, "caseworker_id");
        char cursor[24], lim[24];
        long limit;
        json_t *items;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;
        int n;

        jc_verrs_init(&v);
        if (!valid_caseworker_id(cw))
                jc_verrs_add(&v, "caseworker_id", "must be 1-64 letters, digits, '-', '_' or '.'");
        db = list_begin(req, &v, &limit, cursor, lim);
        if (!db)
                goto out;
        r = jc_pg_exec(db, "notif_caseworker_reminders", JC_PG_ARGS(cw, cursor, lim), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                goto out;
        }
        items = json_array();
        n = PQntuples(r);
        for (int i = 0; i < n && i < limit; i++)
                json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s}", "message_id",
                                                       PQgetvalue(r, i, 0), "case_id", PQgetvalue(r, i, 1),
                                                       "subject", PQgetvalue(r, i, 2), "body",
                                                       PQgetvalue(r, i, 3), "created_at",
                                                       PQgetvalue(r, i, 4)));
        jc_http_reply_json(req, 200,
                           json_pack("{s:s, s:o, s:o}", "caseworker_id", cw, "reminders", items,
                                     "next_cursor",
                                     n > limit ? json_string(PQgetvalue(r, (int)limit - 1, 5))
                                               : json_null()));
        PQclear(r);
out:
        jc_verrs_release(&v);
}
