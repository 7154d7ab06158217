/*
 * Feeds as units of record-keeping: claiming a feed (campaign facts checked,
 * re-sends recognised), and completing it once every line is staged: accepted
 * (errors and duplicates by line, matching through the keyed hash, control
 * cases or letter requests, events) or refused as a whole (nothing of it
 * applied), always with its counts. All set-based, in the caller's
 * transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "jc/log.h"

void ctl_feed_row_release(ctl_feed_row *r)
{
        free(r->response);
        r->response = NULL;
}

static int exec_ok(PGconn *db, const char *stmt, int n, const char *const *params, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, stmt, n, params, e);

        if (!r)
                return -1;
        PQclear(r);
        return 0;
}

/* Rows a statement changed. */
static long exec_count(PGconn *db, const char *stmt, int n, const char *const *params,
                       jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, stmt, n, params, e);
        long c;

        if (!r)
                return -1;
        c = atol(PQcmdTuples(r));
        PQclear(r);
        return c;
}

static const char *groups_param(const ctl_feed_header *h)
{
        return h->target_groups.len ? h->target_groups.data : NULL;
}

/* Records the campaign or checks the header against it; on a mismatch
 * writes the differing header field to `field`. */
static ctl_claim campaign_claim(PGconn *db, const ctl_feed_header *h, char field[48],
                                jc_pg_err *e)
{
        static const char *const names[] = {"header.theme", "header.kind", "header.period.from",
                                            "header.period.to", "header.target_groups"};
        char from[JC_DATE_STRLEN], to[JC_DATE_STRLEN];
        PGresult *r;

        jc_date_format(h->period_from, from);
        jc_date_format(h->period_to, to);
        if (exec_ok(db, "ctl_campaign_insert",
                    JC_PG_ARGS(h->campaign_id, h->theme, h->kind, from, to, groups_param(h)),
                    e) != 0)
                return CTL_CLAIM_ERROR;
        r = jc_pg_exec(db, "ctl_campaign_compare",
                       JC_PG_ARGS(h->campaign_id, h->theme, h->kind, from, to, groups_param(h)), e);
        if (!r)
                return CTL_CLAIM_ERROR;
        for (int i = 0; i < 5; i++) {
                if (strcmp(PQgetvalue(r, 0, i), "t") != 0) {
                        snprintf(field, 48, "%s", names[i]);
                        PQclear(r);
                        return CTL_CLAIM_MISMATCH;
                }
        }
        PQclear(r);
        return CTL_CLAIM_NEW;
}

static int load_row(PGconn *db, const ctl_feed_header *h, ctl_feed_row *row, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "ctl_feed_lock", JC_PG_ARGS(h->campaign_id, h->feed_id), e);

        if (!r)
                return -1;
        if (PQntuples(r) != 1) {
                PQclear(r);
                jc_pg_err_set(e, 1, "feed %s vanished while being claimed", h->feed_id);
                return -1;
        }
        snprintf(row->feed_uuid, sizeof(row->feed_uuid), "%s", PQgetvalue(r, 0, 0));
        snprintf(row->status, sizeof(row->status), "%s", PQgetvalue(r, 0, 1));
        snprintf(row->received_via, sizeof(row->received_via), "%s", PQgetvalue(r, 0, 2));
        snprintf(row->header_digest, sizeof(row->header_digest), "%s", PQgetvalue(r, 0, 3));
        snprintf(row->digest, sizeof(row->digest), "%s", PQgetvalue(r, 0, 4));
        row->parts = atol(PQgetvalue(r, 0, 5));
        row->response_status = PQgetisnull(r, 0, 6) ? 0 : atoi(PQgetvalue(r, 0, 6));
        row->response = PQgetisnull(r, 0, 7) ? NULL : strdup(PQgetvalue(r, 0, 7));
        PQclear(r);
        return 0;
}

/* Resets a refused (or Kafka-incomplete) feed so a corrected re-send takes
 * its place: nothing of the refused one was ever applied. */
static int take_over(PGconn *db, const char *feed_uuid, const ctl_feed_header *h, const char *via,
                     const char *principal, jc_pg_err *e)
{
        char parts[24], count[24];

        snprintf(parts, sizeof(parts), "%lld", h->parts);
        snprintf(count, sizeof(count), "%lld", h->record_count);
        if (exec_ok(db, "ctl_feed_take_over",
                    JC_PG_ARGS(feed_uuid, via, principal, h->digest, parts, count), e) != 0 ||
            exec_ok(db, "ctl_feed_errors_delete", JC_PG_ARGS(feed_uuid), e) != 0 ||
            exec_ok(db, "ctl_feed_parts_delete", JC_PG_ARGS(feed_uuid), e) != 0 ||
            exec_ok(db, "ctl_stage_delete", JC_PG_ARGS(feed_uuid), e) != 0)
                return -1;
        return 0;
}

ctl_claim ctl_feed_claim(PGconn *db, const ctl_feed_header *h, const char *via,
                         const char *principal, int take_refused, ctl_feed_row *existing,
                         char field[48], jc_pg_err *e)
{
        char uuid[JC_UUID_STRLEN], parts[24], count[24];
        ctl_claim c;
        PGresult *r;

        memset(existing, 0, sizeof(*existing));
        c = campaign_claim(db, h, field, e);
        if (c != CTL_CLAIM_NEW)
                return c;
        if (jc_uuid_v4(uuid) != 0) {
                jc_pg_err_set(e, 1, "could not generate an id: kernel RNG failed");
                return CTL_CLAIM_ERROR;
        }
        snprintf(parts, sizeof(parts), "%lld", h->parts);
        snprintf(count, sizeof(count), "%lld", h->record_count);
        r = jc_pg_exec(db, "ctl_feed_insert",
                       JC_PG_ARGS(uuid, h->campaign_id, h->feed_id, via, principal, h->digest,
                                  parts, count),
                       e);
        if (!r)
                return CTL_CLAIM_ERROR;
        if (PQntuples(r) == 1) {
                PQclear(r);
                snprintf(existing->feed_uuid, sizeof(existing->feed_uuid), "%s", uuid);
                snprintf(existing->status, sizeof(existing->status), "receiving");
                return CTL_CLAIM_NEW;
        }
        PQclear(r);
        /* Known: wait for whoever holds it, then see what it is. */
        if (load_row(db, h, existing, e) != 0)
                return CTL_CLAIM_ERROR;
        if (take_refused && strcmp(existing->status, "refused") == 0) {
                if (take_over(db, existing->feed_uuid, h, via, principal, e) != 0)
                        return CTL_CLAIM_ERROR;
                existing->taken_over = 1;
                return CTL_CLAIM_NEW;
        }
        return CTL_CLAIM_EXISTS;
}

int ctl_feed_take_over(PGconn *db, const char *feed_uuid, const ctl_feed_header *h,
                       const char *via, const char *principal, jc_pg_err *e)
{
        return take_over(db, feed_uuid, h, via, principal, e);
}

/* ---------------------------------------------------------------- report */

/* The feed's first CTL_FEED_REPORT_ERRORS line errors and their total: a new
 * JSON array (caller decrefs), or NULL with `e` set. */
static json_t *errors_page(PGconn *db, const char *feed_uuid, long *total, jc_pg_err *e)
{
        char limit[16];
        PGresult *r;
        json_t *list;

        snprintf(limit, sizeof(limit), "%d", CTL_FEED_REPORT_ERRORS);
        r = jc_pg_exec(db, "ctl_feed_errors_first", JC_PG_ARGS(feed_uuid, limit), e);
        if (!r)
                return NULL;
        list = json_array();
        for (int i = 0; i < PQntuples(r); i++) {
                json_t *item = json_pack("{s:i, s:i, s:o}", "part", atoi(PQgetvalue(r, i, 0)),
                                         "line", atoi(PQgetvalue(r, i, 1)), "errors",
                                         json_loads(PQgetvalue(r, i, 3), 0, NULL));

                if (item && !PQgetisnull(r, i, 2))
                        json_object_set_new(item, "udk_ref", json_string(PQgetvalue(r, i, 2)));
                json_array_append_new(list, item);
        }
        *total = PQntuples(r) ? atol(PQgetvalue(r, 0, 4)) : 0;
        PQclear(r);
        return list;
}

json_t *ctl_feed_report(PGconn *db, const char *feed_uuid, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "ctl_feed_get", JC_PG_ARGS(feed_uuid), e);
        json_t *report, *errors;
        long total = 0;
        int control;

        if (!r)
                return NULL;
        if (PQntuples(r) == 0) {
                PQclear(r);
                return json_null();
        }
        control = strcmp(PQgetvalue(r, 0, 5), "control") == 0;
        report = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:I,"
            " s:{s:i, s:i, s:i, s:i, s:i, s:i}, s:i, s:i}",
            "feed_uuid", feed_uuid, "campaign_id", PQgetvalue(r, 0, 0), "feed_id",
            PQgetvalue(r, 0, 1), "status", PQgetvalue(r, 0, 2), "received_via", PQgetvalue(r, 0, 3),
            "theme", PQgetvalue(r, 0, 4), "kind", PQgetvalue(r, 0, 5), "received_at",
            PQgetvalue(r, 0, 6), "parts", atoi(PQgetvalue(r, 0, 7)), "parts_received",
            atoi(PQgetvalue(r, 0, 8)), "principal", PQgetvalue(r, 0, 9), "declared_records",
            (json_int_t)atoll(PQgetvalue(r, 0, 20)), "counts", "received",
            atoi(PQgetvalue(r, 0, 10)), "valid", atoi(PQgetvalue(r, 0, 11)), "invalid",
            atoi(PQgetvalue(r, 0, 12)), "duplicate", atoi(PQgetvalue(r, 0, 13)), "matched",
            atoi(PQgetvalue(r, 0, 14)), "unmatched", atoi(PQgetvalue(r, 0, 15)),
            "control_cases_opened", control ? atoi(PQgetvalue(r, 0, 16)) : 0, "letters_requested",
            control ? 0 : atoi(PQgetvalue(r, 0, 16)));
        if (report && !PQgetisnull(r, 0, 17))
                json_object_set_new(report, "completed_at", json_string(PQgetvalue(r, 0, 17)));
        if (report && !PQgetisnull(r, 0, 18))
                json_object_set_new(report, "refusal",
                                    json_pack("{s:s, s:s}", "field", PQgetvalue(r, 0, 18),
                                              "message", PQgetvalue(r, 0, 19)));
        PQclear(r);
        if (!report) {
                jc_pg_err_set(e, 1, "out of memory");
                return NULL;
        }
        errors = errors_page(db, feed_uuid, &total, e);
        if (!errors) {
                json_decref(report);
                return NULL;
        }
        json_object_set_new(report, "errors", errors);
        json_object_set_new(report, "errors_total", json_integer(total));
        json_object_set_new(report, "errors_truncated",
                            json_boolean(total > (long)json_array_size(errors)));
        return report;
}

/* ---------------------------------------------------------------- completion */

typedef struct feed_ctx {
        char campaign_id[CTL_ID_MAX + 1];
        char feed_id[CTL_ID_MAX + 1];
        char kind[16];
        char theme[24];
        char via[8];
        char principal[80];
        char *groups; /* array literal or NULL */
        long record_count;
        char period_from[JC_DATE_STRLEN];
        char period_to[JC_DATE_STRLEN];
        char received_at[40];
} feed_ctx;

static int load_context(PGconn *db, const char *feed_uuid, feed_ctx *f, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "ctl_feed_context", JC_PG_ARGS(feed_uuid), e);

        if (!r)
                return -1;
        if (PQntuples(r) != 1) {
                PQclear(r);
                jc_pg_err_set(e, 0, "feed %s does not exist", feed_uuid);
                return -1;
        }
        snprintf(f->campaign_id, sizeof(f->campaign_id), "%s", PQgetvalue(r, 0, 0));
        snprintf(f->feed_id, sizeof(f->feed_id), "%s", PQgetvalue(r, 0, 1));
        f->record_count = atol(PQgetvalue(r, 0, 2));
        snprintf(f->via, sizeof(f->via), "%s", PQgetvalue(r, 0, 3));
        snprintf(f->kind, sizeof(f->kind), "%s", PQgetvalue(r, 0, 4));
        snprintf(f->theme, sizeof(f->theme), "%s", PQgetvalue(r, 0, 5));
        f->groups = PQgetisnull(r, 0, 6) ? NULL : strdup(PQgetvalue(r, 0, 6));
        snprintf(f->principal, sizeof(f->principal), "%s", PQgetvalue(r, 0, 7));
        snprintf(f->period_from, sizeof(f->period_from), "%s", PQgetvalue(r, 0, 8));
        snprintf(f->period_to, sizeof(f->period_to), "%s", PQgetvalue(r, 0, 9));
        snprintf(f->received_at, sizeof(f->received_at), "%s", PQgetvalue(r, 0, 10));
        PQclear(r);
        return 0;
}

/* Emits control.case_opened.v1 for every control case this feed opened,
 * a page at a time (bounded memory however many matched). */
static int emit_cases_opened(jc_service *svc, PGconn *db, const char *feed_uuid, jc_pg_err *e)
{
        char after[JC_UUID_STRLEN] = "00000000-0000-0000-0000-000000000000";

        for (;;) {
                PGresult *r = jc_pg_exec(db, "ctl_control_cases_of_feed",
                                         JC_PG_ARGS(feed_uuid, after), e);
                int n;

                if (!r)
                        return -1;
                n = PQntuples(r);
                for (int i = 0; i < n; i++) {
                        json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                                              "control_case_id", PQgetvalue(r, i, 0), "case_id",
                                              PQgetvalue(r, i, 1), "citizen_ref",
                                              PQgetvalue(r, i, 2), "theme", PQgetvalue(r, i, 3),
                                              "origin", "campaign", "campaign_id",
                                              PQgetvalue(r, i, 4), "feed_id", feed_uuid,
                                              "opened_at", PQgetvalue(r, i, 5));

                        if (d && !PQgetisnull(r, i, 6))
                                json_object_set_new(d, "caseworker_id",
                                                    json_string(PQgetvalue(r, i, 6)));
                        if (ctl_emit(svc, db, PQgetvalue(r, i, 1), "control.case_opened.v1", d, e) !=
                            0) {
                                PQclear(r);
                                return -1;
                        }
                }
                if (n)
                        snprintf(after, sizeof(after), "%s", PQgetvalue(r, n - 1, 0));
                PQclear(r);
                if (n < 500)
                        return 0;
        }
}

/* Emits control.information_requested.v1 per letter this feed requested. */
static int emit_letters(jc_service *svc, PGconn *db, const char *feed_uuid, const feed_ctx *f,
                        jc_pg_err *e)
{
        char after[JC_UUID_STRLEN] = "00000000-0000-0000-0000-000000000000";

        for (;;) {
                PGresult *r = jc_pg_exec(db, "ctl_information_of_feed",
                                         JC_PG_ARGS(feed_uuid, after), e);
                int n;

                if (!r)
                        return -1;
                n = PQntuples(r);
                for (int i = 0; i < n; i++) {
                        json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "request_id",
                                              PQgetvalue(r, i, 0), "case_id", PQgetvalue(r, i, 1),
                                              "citizen_ref", PQgetvalue(r, i, 2), "campaign_id",
                                              f->campaign_id, "theme", f->theme, "feed_id",
                                              feed_uuid);

                        if (d && !PQgetisnull(r, i, 3))
                                json_object_set_new(d, "caseworker_id",
                                                    json_string(PQgetvalue(r, i, 3)));
                        if (ctl_emit(svc, db, PQgetvalue(r, i, 1),
                                     "control.information_requested.v1", d, e) != 0) {
                                PQclear(r);
                                return -1;
                        }
                }
                if (n)
                        snprintf(after, sizeof(after), "%s", PQgetvalue(r, n - 1, 0));
                PQclear(r);
                if (n < 500)
                        return 0;
        }
}

typedef struct feed_counts {
        long received, valid, invalid, duplicate, matched, unmatched, actions;
} feed_counts;

/* Matches and applies the valid records of an accepted feed. */
static int accept_records(jc_service *svc, PGconn *db, const char *feed_uuid, const feed_ctx *f,
                          feed_counts *c, jc_pg_err *e)
{
        PGresult *r;

        c->valid = exec_count(db, "ctl_records_insert",
                              JC_PG_ARGS(feed_uuid, f->campaign_id, f->groups), e);
        if (c->valid < 0)
                return -1;
        /* Every valid line inserted: no duplicates to look for. */
        c->duplicate = c->valid == c->received - c->invalid
                           ? 0
                           : exec_count(db, "ctl_duplicates_insert",
                                        JC_PG_ARGS(feed_uuid, f->campaign_id), e);
        if (c->duplicate < 0)
                return -1;
        r = jc_pg_exec(db, "ctl_feed_matched", JC_PG_ARGS(feed_uuid), e);
        if (!r)
                return -1;
        c->matched = atol(PQgetvalue(r, 0, 0));
        c->unmatched = c->valid - c->matched;
        PQclear(r);
        if (strcmp(f->kind, "control") == 0) {
                c->actions = exec_count(db, "ctl_control_cases_from_feed",
                                        JC_PG_ARGS(feed_uuid, f->campaign_id, f->theme,
                                                   f->principal),
                                        e);
                if (c->actions < 0 ||
                    exec_ok(db, "ctl_control_evidence_from_feed",
                            JC_PG_ARGS(feed_uuid, f->principal), e) != 0 ||
                    emit_cases_opened(svc, db, feed_uuid, e) != 0)
                        return -1;
        } else {
                c->actions = exec_count(db, "ctl_information_from_feed",
                                        JC_PG_ARGS(feed_uuid, f->campaign_id), e);
                if (c->actions < 0 || emit_letters(svc, db, feed_uuid, f, e) != 0)
                        return -1;
        }
        return 0;
}

/* The problem+json answer to a refused upload, with the feed's report
 * (stolen). New reference: the caller owns it. */
static json_t *refusal_problem(const char *field, const char *message, json_t *report)
{
        char pointer[64];

        snprintf(pointer, sizeof(pointer), "#/%s", field);
        for (char *p = pointer; *p; p++)
                if (*p == '.')
                        *p = '/';
        return json_pack("{s:s, s:s, s:i, s:s, s:s, s:[{s:s, s:s, s:s}], s:o}", "type",
                         "urn:jobcenter:problem:feed-refused", "title", "Feed refused", "status",
                         422, "detail", message, "instance", "/v1/campaign-feeds", "errors",
                         "field", field, "pointer", pointer, "message", message, "feed", report);
}

/* control.campaign_received.v1: the counts of an accepted feed. */
static int emit_received(jc_service *svc, PGconn *db, const char *feed_uuid, const feed_ctx *f,
                         const feed_counts *c, jc_pg_err *e)
{
        json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i,"
                              " s:s}",
                              "feed_id", feed_uuid, "campaign_id", f->campaign_id, "kind", f->kind,
                              "theme", f->theme, "period_from", f->period_from, "period_to",
                              f->period_to, "channel", f->via, "received", (int)c->received,
                              "valid", (int)c->valid, "invalid", (int)c->invalid, "duplicates",
                              (int)c->duplicate, "matched", (int)c->matched, "unmatched",
                              (int)c->unmatched, "received_at", f->received_at);

        return ctl_emit(svc, db, f->campaign_id, "control.campaign_received.v1", d, e);
}

int ctl_feed_complete(jc_service *svc, PGconn *db, const char *feed_uuid, json_t **out,
                      int *http_status, jc_pg_err *e)
{
        ctl_ctx *ctx = svc->ctx;
        feed_ctx f;
        feed_counts c;
        char field[48] = "", message[200] = "", n[7][24], status_text[8];
        const char *status;
        json_t *report = NULL, *answer = NULL;
        char *answer_text = NULL;
        PGresult *r;
        int rc = -1;

        *out = NULL;
        memset(&c, 0, sizeof(c));
        memset(&f, 0, sizeof(f));
        if (load_context(db, feed_uuid, &f, e) != 0)
                return -1;
        r = jc_pg_exec(db, "ctl_stage_counts", JC_PG_ARGS(feed_uuid), e);
        if (!r)
                goto out;
        c.received = atol(PQgetvalue(r, 0, 0));
        c.invalid = atol(PQgetvalue(r, 0, 1));
        PQclear(r);
        if (exec_ok(db, "ctl_stage_errors_move", JC_PG_ARGS(feed_uuid), e) != 0)
                goto out;
        /* One unit of record-keeping: an incomplete or mostly broken feed is
         * refused as a whole (its errors are kept, nothing of it applied). */
        if (c.received != f.record_count) {
                snprintf(field, sizeof(field), "header.record_count");
                snprintf(message, sizeof(message),
                         "the header declares %ld records but %ld arrived: the feed is incomplete "
                         "or inconsistent",
                         f.record_count, c.received);
        } else if (c.received > 0 && c.invalid * 100 > c.received * ctx->feed_max_invalid_pct) {
                snprintf(field, sizeof(field), "(records)");
                snprintf(message, sizeof(message),
                         "%ld of %ld records are invalid, more than the %ld %% a feed may have",
                         c.invalid, c.received, ctx->feed_max_invalid_pct);
        }
        if (!field[0] && accept_records(svc, db, feed_uuid, &f, &c, e) != 0)
                goto out;
        if (exec_ok(db, "ctl_stage_delete", JC_PG_ARGS(feed_uuid), e) != 0)
                goto out;
        status = field[0] ? "refused" : "accepted";
        snprintf(n[0], 24, "%ld", c.received);
        snprintf(n[1], 24, "%ld", c.valid);
        snprintf(n[2], 24, "%ld", c.invalid);
        snprintf(n[3], 24, "%ld", c.duplicate);
        snprintf(n[4], 24, "%ld", c.matched);
        snprintf(n[5], 24, "%ld", c.unmatched);
        snprintf(n[6], 24, "%ld", c.actions);
        if (exec_ok(db, "ctl_feed_finish",
                    JC_PG_ARGS(feed_uuid, status, field[0] ? field : NULL,
                               field[0] ? message : NULL, n[0], n[1], n[2], n[3], n[4], n[5], n[6]),
                    e) != 0)
                goto out;
        report = ctl_feed_report(db, feed_uuid, e);
        if (!report)
                goto out;
        *http_status = field[0] ? 422 : 201;
        answer = field[0] ? refusal_problem(field, message, json_incref(report))
                          : json_incref(report);
        answer_text = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
        snprintf(status_text, sizeof(status_text), "%d", *http_status);
        if (!answer_text) {
                jc_pg_err_set(e, 1, "out of memory");
                goto out;
        }
        if (exec_ok(db, "ctl_feed_set_response", JC_PG_ARGS(feed_uuid, status_text, answer_text),
                    e) != 0)
                goto out;
        if (!field[0] && emit_received(svc, db, feed_uuid, &f, &c, e) != 0)
                goto out;
        jc_log_write(JC_LOG_INFO,
                     JC_KV({"campaign_id", f.campaign_id}, {"feed_id", f.feed_id},
                           {"status", status}, {"received", n[0]}, {"valid", n[1]},
                           {"invalid", n[2]}, {"duplicate", n[3]}, {"matched", n[4]}),
                     "campaign feed %s", status);
        *out = answer;
        answer = NULL;
        rc = 0;
out:
        free(answer_text);
        json_decref(answer);
        json_decref(report);
        free(f.groups);
        return rc;
}

int ctl_feed_expire(PGconn *db, long hours, int *expired, jc_pg_err *e)
{
        char h[24];
        PGresult *r;

        *expired = 0;
        snprintf(h, sizeof(h), "%ld", hours);
        r = jc_pg_exec(db, "ctl_feeds_stale", JC_PG_ARGS(h), e);
        if (!r)
                return -1;
        for (int i = 0; i < PQntuples(r); i++) {
                const char *uuid = PQgetvalue(r, i, 0);
                char msg[200];

                snprintf(msg, sizeof(msg), "only %s of %s parts arrived within %ld hours",
                         PQgetvalue(r, i, 4), PQgetvalue(r, i, 3), hours);
                if (exec_ok(db, "ctl_feed_expire", JC_PG_ARGS(uuid, msg), e) != 0 ||
                    exec_ok(db, "ctl_stage_delete", JC_PG_ARGS(uuid), e) != 0) {
                        PQclear(r);
                        return -1;
                }
                jc_log_write(JC_LOG_INFO,
                             JC_KV({"campaign_id", PQgetvalue(r, i, 1)},
                                   {"feed_id", PQgetvalue(r, i, 2)}),
                             "incomplete Kafka feed refused: %s", msg);
                (*expired)++;
        }
        PQclear(r);
        return 0;
}
