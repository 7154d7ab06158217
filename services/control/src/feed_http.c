/*
 * POST /v1/campaign-feeds (scope udk:feed): the campaign feed as one streamed
 * upload of newline-delimited JSON, any size in bounded memory. The body is
 * hashed and staged by COPY as it arrives, in one transaction that also
 * completes the feed, so a feed is accepted or refused as one unit; a client
 * that goes away mid-body leaves nothing. A re-sent feed (same campaign_id,
 * feed_id and bytes) gets the first answer; other bytes under the same ids
 * are a conflict, unless the first was refused (then the new one replaces it).
 *
 * GET /v1/campaigns/{campaign_id}/feeds/{feed_id} and …/errors: the report.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "control.h"
#include "jc/crypto.h"
#include "jc/log.h"

typedef struct feed_upload {
        ctl_stage st;
        jc_http_req *req;
        EVP_MD_CTX *sha;
        unsigned long long bytes;
        ctl_feed_row existing;        /* a known feed: the replay check at the end */
} feed_upload;

static int content_type_ok(const char *ct)
{
        static const char *const types[] = {"application/x-ndjson", "application/ndjson",
                                            "application/jsonl", NULL};

        for (size_t i = 0; ct && types[i]; i++) {
                size_t n = strlen(types[i]);

                if (strncasecmp(ct, types[i], n) == 0 && (ct[n] == '\0' || ct[n] == ';' ||
                                                          ct[n] == ' '))
                        return 1;
        }
        return 0;
}

static void reply_too_large(jc_http_req *req, long max)
{
        char detail[128];

        snprintf(detail, sizeof(detail), "a feed upload may be at most %ld bytes", max);
        jc_http_reply_problem(req, 413, "body-too-large", "Request body too large", detail, NULL);
}

/* The header is valid: claim the feed for this upload. */
static int upload_on_header(ctl_stage *st)
{
        feed_upload *u = st->channel;
        jc_http_req *req = u->req;
        char field[48] = "", detail[200];
        jc_pg_err e;

        if (st->header.has_parts && st->header.parts != 1) {
                jc_verrs_add(&st->header_errors, "header.parts",
                             "must be 1 in an HTTP upload (parts are for Kafka)");
                return -1;
        }
        switch (ctl_feed_claim(st->db, &st->header, "http", ctl_principal(req), 1, &u->existing,
                               field, &e)) {
        case CTL_CLAIM_NEW:
                snprintf(st->feed_uuid, sizeof(st->feed_uuid), "%s", u->existing.feed_uuid);
                return ctl_stage_start_copy(st, 1);
        case CTL_CLAIM_EXISTS:
                if (strcmp(u->existing.status, "receiving") == 0) {
                        jc_http_reply_field_problem(req, 409, "feed-in-progress",
                                                    "Feed is being received", "header.feed_id",
                                                    "this feed is still arriving in parts over Kafka");
                        return -1;
                }
                st->mode = CTL_STAGE_SKIP; /* read on: replay or conflict at the end */
                return 0;
        case CTL_CLAIM_MISMATCH:
                snprintf(detail, sizeof(detail),
                         "campaign %s was first received with another value of this field",
                         st->header.campaign_id);
                jc_http_reply_field_problem(req, 409, "campaign-mismatch", "Campaign mismatch",
                                            field, detail);
                return -1;
        case CTL_CLAIM_ERROR:
                break;
        }
        st->err = e;
        st->failed = 1;
        return -1;
}

void *ctl_feed_upload_begin(jc_http_req *req)
{
        ctl_ctx *ctx = jc_http_service(req)->ctx;
        const char *cl = jc_http_header(req, "Content-Length");
        feed_upload *u;
        PGconn *db;

        if (!content_type_ok(jc_http_header(req, "Content-Type"))) {
                jc_http_reply_problem(req, 415, "unsupported-media-type", "Unsupported media type",
                                      "send the feed as application/x-ndjson", NULL);
                return NULL;
        }
        if (cl && strtoull(cl, NULL, 10) > (unsigned long long)ctx->feed_max_bytes) {
                reply_too_large(req, ctx->feed_max_bytes);
                return NULL;
        }
        db = ctl_http_begin(req);
        if (!db)
                return NULL;
        u = calloc(1, sizeof(*u));
        if (u)
                u->sha = EVP_MD_CTX_new();
        if (!u || !u->sha || EVP_DigestInit_ex(u->sha, EVP_sha256(), NULL) != 1) {
                if (u)
                        EVP_MD_CTX_free(u->sha);
                free(u);
                jc_pg_rollback(db);
                jc_http_reply_problem(req, 500, "internal", "Internal error", "out of memory", NULL);
                return NULL;
        }
        u->req = req;
        ctl_stage_init(&u->st, jc_http_service(req), db, upload_on_header, u);
        return u;
}

/* The stage stopped: say why (unless the claim already replied). */
static void reply_stopped(jc_http_req *req, feed_upload *u)
{
        if (u->st.failed) {
                jc_pg_rollback(u->st.db);
                jc_http_reply_db_error(req, &u->st.err);
        } else if (jc_verrs_count(&u->st.header_errors)) {
                jc_http_reply_invalid(req, jc_verrs_take(&u->st.header_errors));
        }
}

int ctl_feed_upload_chunk(jc_http_req *req, void *state, const char *data, size_t len)
{
        ctl_ctx *ctx = jc_http_service(req)->ctx;
        feed_upload *u = state;

        u->bytes += len;
        if (u->bytes > (unsigned long long)ctx->feed_max_bytes) {
                reply_too_large(req, ctx->feed_max_bytes);
                return -1;
        }
        if (EVP_DigestUpdate(u->sha, data, len) != 1) {
                jc_http_reply_problem(req, 500, "internal", "Internal error", "hashing failed", NULL);
                return -1;
        }
        if (ctl_stage_feed(&u->st, data, len) != 0) {
                reply_stopped(req, u);
                return -1;
        }
        return 0;
}

/* Replies with a stored answer (JSON text), as it was given the first time. */
static void reply_stored(jc_http_req *req, int status, const char *text)
{
        jc_http_reply_text(req, status, status >= 400 ? "application/problem+json" : "application/json",
                           text, strlen(text));
}

void ctl_feed_upload_end(jc_http_req *req, void *state)
{
        feed_upload *u = state;
        ctl_stage *st = &u->st;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        char digest[65], lines[24];
        json_t *answer = NULL;
        int status = 0;
        jc_pg_err e;
        PGresult *r;

        if (ctl_stage_finish(st) != 0) {
                reply_stopped(req, u);
                return;
        }
        if (!st->have_header) {
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "header",
                                            "the body is empty: the first line must be the feed header");
                return;
        }
        if (EVP_DigestFinal_ex(u->sha, md, &mdlen) != 1 || mdlen != 32) {
                jc_http_reply_problem(req, 500, "internal", "Internal error", "hashing failed", NULL);
                return;
        }
        for (unsigned i = 0; i < mdlen; i++)
                snprintf(digest + 2 * i, 3, "%02x", md[i]);
        if (st->mode == CTL_STAGE_SKIP) {
                jc_pg_rollback(st->db);
                if (u->existing.digest[0] && u->existing.response &&
                    jc_ct_equal(u->existing.digest, digest, 64)) {
                        reply_stored(req, u->existing.response_status, u->existing.response);
                        return;
                }
                jc_http_reply_field_problem(req, 409, "idempotency-conflict", "Feed id reused",
                                            "header.feed_id",
                                            "was already used for a feed with different content");
                return;
        }
        /* The same bytes as a refused feed: its refusal again, unchanged. */
        if (u->existing.taken_over && u->existing.response && u->existing.digest[0] &&
            jc_ct_equal(u->existing.digest, digest, 64)) {
                jc_pg_rollback(st->db);
                reply_stored(req, u->existing.response_status, u->existing.response);
                return;
        }
        snprintf(lines, sizeof(lines), "%ld", st->lines.line_no);
        r = jc_pg_exec(st->db, "ctl_feed_http_received",
                       JC_PG_ARGS(st->feed_uuid, digest, lines), &e);
        if (!r || ctl_feed_complete(jc_http_service(req), st->db, st->feed_uuid, &answer, &status,
                                    &e) != 0) {
                PQclear(r);
                ctl_http_fail(req, st->db, &e);
                return;
        }
        PQclear(r);
        if (jc_pg_cmd(st->db, "COMMIT", &e) != 0) {
                json_decref(answer);
                ctl_http_fail(req, st->db, &e);
                return;
        }
        if (status == 201) {
                jc_http_reply_json(req, 201, answer);
        } else {
                char *text = json_dumps(answer, JSON_COMPACT);

                json_decref(answer);
                if (text)
                        reply_stored(req, status, text);
                else
                        jc_http_reply_problem(req, 500, "internal", "Internal error",
                                              "out of memory", NULL);
                free(text);
        }
}

void ctl_feed_upload_release(void *state)
{
        feed_upload *u = state;

        ctl_stage_release(&u->st);
        jc_pg_rollback(u->st.db);
        ctl_feed_row_release(&u->existing);
        EVP_MD_CTX_free(u->sha);
        free(u);
}

/* ---------------------------------------------------------------- reading */

/* The feed's uuid from the path, or "" (after replying 404/422/503). */
static int find_feed(jc_http_req *req, PGconn *db, char uuid[JC_UUID_STRLEN])
{
        const char *campaign = jc_http_param(req, "campaign_id"), *feed = jc_http_param(req, "feed_id");
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;

        jc_verrs_init(&v);
        if (!ctl_id_ok(campaign))
                jc_verrs_add(&v, "campaign_id", "may contain only letters, digits and . _ : -");
        if (!ctl_id_ok(feed))
                jc_verrs_add(&v, "feed_id", "may contain only letters, digits and . _ : -");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                jc_verrs_release(&v);
                return -1;
        }
        jc_verrs_release(&v);
        r = jc_pg_exec(db, "ctl_feed_find", JC_PG_ARGS(campaign, feed), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return -1;
        }
        if (PQntuples(r) == 0) {
                PQclear(r);
                return 0;
        }
        snprintf(uuid, JC_UUID_STRLEN, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        return 1;
}

/* Parts refused on the Kafka channel, oldest first: a new JSON array (caller
 * decrefs), or NULL with `e` set. */
static json_t *rejections(PGconn *db, const char *campaign, const char *feed, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "ctl_feed_rejections", JC_PG_ARGS(campaign, feed), e);
        json_t *list;

        if (!r)
                return NULL;
        list = json_array();
        for (int i = 0; i < PQntuples(r); i++) {
                json_t *item = json_pack("{s:s, s:s}", "reason", PQgetvalue(r, i, 1),
                                         "rejected_at", PQgetvalue(r, i, 2));

                if (item && !PQgetisnull(r, i, 0))
                        json_object_set_new(item, "part", json_integer(atoi(PQgetvalue(r, i, 0))));
                json_array_append_new(list, item);
        }
        PQclear(r);
        return list;
}

void ctl_feed_get(jc_http_req *req)
{
        const char *campaign = jc_http_param(req, "campaign_id"), *feed = jc_http_param(req, "feed_id");
        char uuid[JC_UUID_STRLEN];
        json_t *report = NULL, *rej;
        jc_pg_err e;
        PGconn *db = jc_http_db(req);
        int found;

        if (!db)
                return;
        found = find_feed(req, db, uuid);
        if (found < 0)
                return;
        rej = rejections(db, campaign, feed, &e);
        if (!rej) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        if (found) {
                report = ctl_feed_report(db, uuid, &e);
                if (!report) {
                        json_decref(rej);
                        jc_http_reply_db_error(req, &e);
                        return;
                }
        } else if (json_array_size(rej)) {
                /* Never accepted as a feed: only its refused parts. */
                report = json_pack("{s:s, s:s, s:s}", "campaign_id", campaign, "feed_id", feed,
                                   "status", "rejected");
        } else {
                json_decref(rej);
                jc_http_reply_problem(req, 404, "not-found", "Feed not found",
                                      "no feed with this campaign_id and feed_id", NULL);
                return;
        }
        json_object_set_new(report, "rejected_parts", rej);
        jc_http_reply_json(req, 200, report);
}

void ctl_feed_errors(jc_http_req *req)
{
        const char *cursor = jc_http_query(req, "cursor"), *limit_q = jc_http_query(req, "limit");
        char uuid[JC_UUID_STRLEN], part[16] = "0", line[16] = "0", limit[16] = "100", next[40];
        long after_part = 0, after_line = 0, lim = 100;
        json_t *items;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;
        int n;

        jc_verrs_init(&v);
        if (limit_q) {
                char *end;

                lim = strtol(limit_q, &end, 10);
                if (!*limit_q || *end || lim < 1 || lim > 1000)
                        jc_verrs_add(&v, "limit", "must be an integer from 1 to 1000");
        }
        if (cursor && (sscanf(cursor, "%ld.%ld%n", &after_part, &after_line, &n) != 2 ||
                       (size_t)n != strlen(cursor) || after_part < 0 || after_line < 0))
                jc_verrs_add(&v, "cursor", "is not a cursor this service gave out");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                jc_verrs_release(&v);
                return;
        }
        jc_verrs_release(&v);
        db = jc_http_db(req);
        if (!db || (n = find_feed(req, db, uuid)) < 0)
                return;
        if (n == 0) {
                jc_http_reply_problem(req, 404, "not-found", "Feed not found",
                                      "no feed with this campaign_id and feed_id", NULL);
                return;
        }
        snprintf(part, sizeof(part), "%ld", after_part);
        snprintf(line, sizeof(line), "%ld", after_line);
        snprintf(limit, sizeof(limit), "%ld", lim);
        r = jc_pg_exec(db, "ctl_feed_errors_page", JC_PG_ARGS(uuid, part, line, limit), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        items = json_array();
        for (int i = 0; i < PQntuples(r); i++) {
                json_t *item = json_pack("{s:i, s:i, s:o}", "part", atoi(PQgetvalue(r, i, 0)),
                                         "line", atoi(PQgetvalue(r, i, 1)), "errors",
                                         json_loads(PQgetvalue(r, i, 3), 0, NULL));

                if (item && !PQgetisnull(r, i, 2))
                        json_object_set_new(item, "udk_ref", json_string(PQgetvalue(r, i, 2)));
                json_array_append_new(items, item);
        }
        next[0] = '\0';
        if (PQntuples(r) == lim)
                snprintf(next, sizeof(next), "%s.%s", PQgetvalue(r, PQntuples(r) - 1, 0),
                         PQgetvalue(r, PQntuples(r) - 1, 1));
        PQclear(r);
        jc_http_reply_json(req, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor",
                                               next[0] ? next : NULL));
}
