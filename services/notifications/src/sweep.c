/*
 * The sweep (the service framework runs it every JC_SWEEP_INTERVAL_S, and
 * POST /v1/admin/sweep?today= on demand):
 *
 *   1. meeting reminders whose time has come (JC_NOTIFY_REMINDER_LEAD_HOURS
 *      before the start): the reminder row is marked and its message
 *      created in one transaction, rows claimed with SKIP LOCKED, and the
 *      message's key (reminder:<meeting>:<start>) makes a second sweep, or
 *      a concurrent one, create nothing more: each reminder exactly once;
 *   2. reminders of meetings that started without one are expired;
 *   3. messages still waiting for the citizen's contact data after
 *      JC_NOTIFY_CONTACT_WAIT_HOURS fail (dead letter, notification.failed).
 *
 * "Now" is the wall clock, or noon of `today` when the date is pinned
 * (JC_TODAY) or the sweep is asked about another day.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"
#include "jc/timeutil.h"
#include "notifications.h"

static int64_t sweep_now(const jc_service *svc, jc_date today)
{
        if (svc->today_pinned || jc_date_cmp(today, jc_date_today_copenhagen()) != 0)
                return jc_time_from_copenhagen(today, 12 * 60);
        return jc_time_wall_ms() / 1000;
}

/* Creates the claimed reminders' messages; counts the new ones. */
static int create_reminders(jc_service *svc, PGconn *db, PGresult *r, long *created, jc_pg_err *e)
{
        for (int i = 0; i < PQntuples(r); i++) {
                char event_id[96], id[JC_UUID_STRLEN];
                json_t *fields = json_loads(PQgetvalue(r, i, 4), 0, NULL);
                notif_new_message m;
                PGresult *u;
                int rc;

                if (!fields) {
                        jc_pg_err_set(e, 0, "reminder %s has unreadable fields", PQgetvalue(r, i, 0));
                        return -1;
                }
                snprintf(event_id, sizeof(event_id), "reminder:%s:%s", PQgetvalue(r, i, 0),
                         PQgetvalue(r, i, 3));
                memset(&m, 0, sizeof(m));
                m.template_id = "meeting_reminder";
                m.event_id = event_id;
                m.trigger = NOTIF_REMINDER_TRIGGER;
                m.kind = NOTIF_TO_CITIZEN;
                m.recipient_id = PQgetvalue(r, i, 2);
                m.case_id = PQgetvalue(r, i, 1);
                m.citizen_ref = PQgetvalue(r, i, 2);
                m.fields = fields;
                m.origin_topic = PQgetvalue(r, i, 5);
                m.origin_partition = atoi(PQgetvalue(r, i, 6));
                m.origin_offset = atoll(PQgetvalue(r, i, 7));
                m.origin_key = m.case_id;
                rc = notif_message_create(svc, db, &m, id, e);
                json_decref(fields);
                if (rc != 0)
                        return -1;
                if (!id[0])
                        continue; /* sent before (a replayed booking re-armed the row) */
                (*created)++;
                u = jc_pg_exec(db, "notif_reminder_set_message", JC_PG_ARGS(PQgetvalue(r, i, 0), id), e);
                if (!u)
                        return -1;
                PQclear(u);
        }
        return 0;
}

static int fail_waiting(jc_service *svc, PGconn *db, PGresult *r, void *arg, jc_pg_err *e)
{
        long hours = *(const long *)arg;
        char reason[160];

        snprintf(reason, sizeof(reason),
                 "no contact data for the citizen arrived on jobcenter.citizen.v1 within %ld hours",
                 hours);
        for (int i = 0; i < PQntuples(r); i++) {
                notif_msg_ref ref;

                memset(&ref, 0, sizeof(ref));
                ref.message_id = PQgetvalue(r, i, 0);
                ref.case_id = PQgetvalue(r, i, 1);
                ref.citizen_ref = PQgetisnull(r, i, 2) ? NULL : PQgetvalue(r, i, 2);
                ref.recipient_kind = PQgetvalue(r, i, 3);
                ref.recipient_id = PQgetvalue(r, i, 4);
                ref.template_id = PQgetvalue(r, i, 5);
                ref.template_version = atoi(PQgetvalue(r, i, 6));
                ref.trigger = PQgetvalue(r, i, 7);
                ref.event_id = PQgetvalue(r, i, 8);
                ref.origin_topic = PQgetvalue(r, i, 9);
                ref.origin_partition = atoi(PQgetvalue(r, i, 10));
                ref.origin_offset = atoll(PQgetvalue(r, i, 11));
                if (notif_fail(svc, db, &ref, atoi(PQgetvalue(r, i, 12)), 0, reason, e) != 0)
                        return -1;
        }
        return 0;
}

typedef int (*batch_fn)(jc_service *svc, PGconn *db, PGresult *r, void *arg, jc_pg_err *e);

static int reminders_batch(jc_service *svc, PGconn *db, PGresult *r, void *arg, jc_pg_err *e)
{
        return create_reminders(svc, db, r, arg, e);
}

/* Repeats claim (statement) + fn in transactions until nothing is left. */
static int in_batches(jc_service *svc, PGconn *db, const char *stmt, int n,
                      const char *const *params, batch_fn fn, void *arg, long *total, jc_pg_err *e)
{
        for (;;) {
                PGresult *r;
                int rows;

                if (jc_pg_cmd(db, "BEGIN", e) != 0)
                        return -1;
                r = jc_pg_exec(db, stmt, n, params, e);
                if (!r || fn(svc, db, r, arg, e) != 0) {
                        PQclear(r);
                        jc_pg_rollback(db);
                        return -1;
                }
                rows = PQntuples(r);
                PQclear(r);
                if (jc_pg_cmd(db, "COMMIT", e) != 0) {
                        jc_pg_rollback(db);
                        return -1;
                }
                *total += rows;
                if (rows == 0)
                        return 0;
        }
}

int notif_sweep(jc_service *svc, PGconn *db, jc_date today, json_t *report, char *err,
                size_t errlen)
{
        notif_ctx *ctx = svc->ctx;
        char now[24], lead[24], hours[24];
        long claimed = 0, sent = 0, expired = 0, timed_out = 0;
        jc_pg_err e;
        PGresult *r;

        snprintf(now, sizeof(now), "%lld", (long long)sweep_now(svc, today));
        snprintf(lead, sizeof(lead), "%ld", ctx->reminder_lead_hours * 3600);
        snprintf(hours, sizeof(hours), "%ld", ctx->contact_wait_hours);
        if (in_batches(svc, db, "notif_reminders_due", JC_PG_ARGS(now, lead), reminders_batch, &sent,
                       &claimed, &e) != 0)
                goto fail;
        r = jc_pg_exec(db, "notif_reminders_expire", JC_PG_ARGS(now), &e);
        if (!r)
                goto fail;
        expired = atol(PQcmdTuples(r));
        PQclear(r);
        if (in_batches(svc, db, "notif_awaiting_expired", JC_PG_ARGS(hours),
                       fail_waiting, &ctx->contact_wait_hours, &timed_out, &e) != 0)
                goto fail;
        json_object_set_new(report, "reminders_sent", json_integer(sent));
        json_object_set_new(report, "reminders_expired", json_integer(expired));
        json_object_set_new(report, "contact_wait_expired", json_integer(timed_out));
        if (sent || expired || timed_out)
                jc_log_write(JC_LOG_INFO, JC_KV({"component", "sweep"}),
                             "sweep: %ld reminders, %ld expired, %ld gave up waiting for contact data",
                             sent, expired, timed_out);
        return 0;
fail:
        snprintf(err, errlen, "%s", e.message);
        return -1;
}
