/*
 * jobcenter.meeting.v1: the invitation (meeting.booked.v1), the change
 * letter (meeting.rescheduled.v1) and the cancellation letter
 * (meeting.cancelled.v1, none when the case was closed), each with time,
 * place and channel; the reminder the sweep sends before the meeting; the
 * hearing letter on a no-show without lawful reason (meeting.no_show.v1; not
 * for a-dagpenge, where the a-kasse hears the citizen);
 * and the caseworker's internal reminder (obligation.due_soon.v1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notifications.h"

static const char *const meeting_channels[] = {"in_person", "phone", "video", NULL};

/* The time fields of a meeting start into `f`. 0, or -1 (reason set). */
static int add_start(jc_consume_ctx *ctx, json_t *f, const char *src_field, const char *starts_at,
                     const char *date_key, const char *time_key, jc_date *local)
{
        char date[64], hhmm[8];

        if (notif_da_date_time(starts_at, date, sizeof(date), hhmm, sizeof(hhmm), local) != 0) {
                snprintf(ctx->reason, sizeof(ctx->reason), "data.%s: must be an RFC 3339 date-time",
                         src_field);
                return -1;
        }
        json_object_set_new(f, date_key, json_string(date));
        json_object_set_new(f, time_key, json_string(hhmm));
        return 0;
}

typedef struct meeting_in {
        const char *meeting_id, *case_id, *citizen_ref, *starts_at, *ends_at, *channel, *location;
        const char *previous;
} meeting_in;

/* Validates a booked/rescheduled meeting and builds its letter's fields
 * (new reference) and the reminder's. NULL with the result in *res. */
static json_t *meeting_fields(jc_consume_ctx *ctx, meeting_in *m, int rescheduled,
                              json_t **reminder, jc_handle_result *res)
{
        json_t *d = ctx->event->data, *f;
        char end_date[64], end_time[8];
        jc_verrs v;

        jc_verrs_init(&v);
        m->meeting_id = jc_v_uuid(d, "data", "meeting_id", 1, &v);
        m->case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        m->citizen_ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        m->starts_at = jc_v_str(d, "data", "starts_at", 1, 20, 40, &v);
        m->ends_at = jc_v_str(d, "data", "ends_at", 1, 20, 40, &v);
        m->channel = jc_v_enum(d, "data", "channel", 1, meeting_channels, &v);
        m->location = jc_v_str(d, "data", "location", 0, 0, 300, &v);
        m->previous = rescheduled ? jc_v_str(d, "data", "previous_starts_at", 1, 20, 40, &v) : NULL;
        if (jc_verrs_count(&v)) {
                *res = notif_invalid(ctx, &v);
                jc_verrs_release(&v);
                return NULL;
        }
        jc_verrs_release(&v);
        f = json_pack("{s:s, s:s, s:s, s:s}", "case_id", m->case_id, "meeting_id", m->meeting_id,
                      "channel_text", notif_da_channel(m->channel), "place",
                      strcmp(m->channel, "in_person") == 0 && m->location && *m->location
                          ? m->location
                          : notif_da_place(m->channel));
        if (!f) {
                jc_pg_err e;

                jc_pg_err_set(&e, 1, "out of memory");
                *res = notif_db_failed(ctx, &e);
                return NULL;
        }
        if (notif_da_date_time(m->ends_at, end_date, sizeof(end_date), end_time, sizeof(end_time),
                               NULL) != 0)
                snprintf(ctx->reason, sizeof(ctx->reason), "data.ends_at: must be an RFC 3339 date-time");
        if (notif_da_date_time(m->ends_at, end_date, sizeof(end_date), end_time, sizeof(end_time),
                               NULL) != 0 ||
            add_start(ctx, f, "starts_at", m->starts_at, "meeting_date", "meeting_time", NULL) != 0 ||
            (m->previous &&
             add_start(ctx, f, "previous_starts_at", m->previous, "previous_date", "previous_time", NULL) != 0)) {
                json_decref(f);
                *res = JC_HANDLE_POISON;
                return NULL;
        }
        json_object_set_new(f, "end_time", json_string(end_time));
        *reminder = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "case_id",
                              json_object_get(f, "case_id"), "meeting_id",
                              json_object_get(f, "meeting_id"), "meeting_date",
                              json_object_get(f, "meeting_date"), "meeting_time",
                              json_object_get(f, "meeting_time"), "channel_text",
                              json_object_get(f, "channel_text"), "place",
                              json_object_get(f, "place"));
        return f;
}

static int schedule_reminder(jc_consume_ctx *ctx, const meeting_in *m, json_t *reminder,
                             jc_pg_err *e)
{
        char *fields = json_dumps(reminder, JSON_COMPACT | JSON_SORT_KEYS);
        char part[16], off[24];
        PGresult *r;

        if (!fields) {
                jc_pg_err_set(e, 1, "out of memory");
                return -1;
        }
        snprintf(part, sizeof(part), "%d", ctx->partition);
        snprintf(off, sizeof(off), "%lld", (long long)ctx->offset);
        r = jc_pg_exec(ctx->db, "notif_reminder_upsert",
                       JC_PG_ARGS(m->meeting_id, m->case_id, m->citizen_ref, m->starts_at, fields,
                                  ctx->topic, part, off),
                       e);
        free(fields);
        PQclear(r);
        return r ? 0 : -1;
}

static jc_handle_result booked_or_moved(jc_consume_ctx *ctx, int rescheduled)
{
        meeting_in m;
        json_t *reminder = NULL, *f;
        jc_handle_result res = JC_HANDLE_POISON;
        jc_pg_err e;

        f = meeting_fields(ctx, &m, rescheduled, &reminder, &res);
        if (!f)
                return res;
        if (!reminder) {
                jc_pg_err_set(&e, 1, "out of memory");
                res = notif_db_failed(ctx, &e);
                goto out;
        }
        if (schedule_reminder(ctx, &m, reminder, &e) != 0) {
                res = notif_db_failed(ctx, &e);
                goto out;
        }
        res = notif_message_from_event(ctx, rescheduled ? "meeting_changed" : "meeting_invitation",
                                       NOTIF_TO_CITIZEN, m.citizen_ref, m.case_id, m.citizen_ref, f);
out:
        json_decref(reminder);
        json_decref(f);
        return res;
}

jc_handle_result notif_on_meeting_booked(jc_consume_ctx *ctx)
{
        return booked_or_moved(ctx, 0);
}

jc_handle_result notif_on_meeting_rescheduled(jc_consume_ctx *ctx)
{
        return booked_or_moved(ctx, 1);
}

jc_handle_result notif_on_meeting_cancelled(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data, *f = NULL;
        const char *meeting_id, *case_id, *ref, *starts, *channel, *reason;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        jc_handle_result res = JC_HANDLE_OK;

        jc_verrs_init(&v);
        meeting_id = jc_v_uuid(d, "data", "meeting_id", 1, &v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        starts = jc_v_str(d, "data", "starts_at", 1, 20, 40, &v);
        channel = jc_v_str(d, "data", "channel", 0, 1, 40, &v);
        reason = jc_v_str(d, "data", "reason", 0, 1, 60, &v);
        if (jc_verrs_count(&v)) {
                res = notif_invalid(ctx, &v);
                goto out;
        }
        r = jc_pg_exec(ctx->db, "notif_reminder_cancel",
                       JC_PG_ARGS(meeting_id, reason && strcmp(reason, "case_closed") == 0
                                                  ? "case closed"
                                                  : "meeting cancelled",
                                  case_id),
                       &e);
        if (!r) {
                res = notif_db_failed(ctx, &e);
                goto out;
        }
        PQclear(r);
        /* A case closed: the citizen gets no letter about its meetings. */
        if (reason && strcmp(reason, "case_closed") == 0)
                goto out;
        f = json_pack("{s:s, s:s, s:s, s:s}", "case_id", case_id, "meeting_id", meeting_id,
                      "channel_text", notif_da_channel(channel), "cancel_reason_text",
                      notif_da_cancel_reason(reason));
        if (!f || add_start(ctx, f, "starts_at", starts, "meeting_date", "meeting_time", NULL) != 0) {
                res = JC_HANDLE_POISON;
                goto out;
        }
        res = notif_message_from_event(ctx, "meeting_cancelled", NOTIF_TO_CITIZEN, ref, case_id, ref, f);
out:
        json_decref(f);
        jc_verrs_release(&v);
        return res;
}

jc_handle_result notif_on_meeting_no_show(jc_consume_ctx *ctx)
{
        notif_ctx *nctx = ((jc_service *)ctx->opaque)->ctx;
        json_t *d = ctx->event->data, *f = NULL;
        const char *meeting_id, *case_id, *ref, *starts, *channel;
        char reply[64];
        int lawful = 0;
        jc_date day;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r = NULL;
        jc_handle_result res = JC_HANDLE_OK;

        jc_verrs_init(&v);
        meeting_id = jc_v_uuid(d, "data", "meeting_id", 1, &v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        starts = jc_v_str(d, "data", "starts_at", 1, 20, 40, &v);
        channel = jc_v_str(d, "data", "channel", 1, 1, 40, &v);
        jc_v_bool(d, "data", "lawful_reason", 1, &lawful, &v);
        if (jc_verrs_count(&v)) {
                res = notif_invalid(ctx, &v);
                goto out;
        }
        if (lawful) /* a lawful reason: nothing to hear the citizen about */
                goto out;
        /* An insured unemployed citizen (a-dagpenge) is heard and decided on by the a-kasse, which
         * gets control's report (R59, R61): the jobcentre sends no hearing letter of its own. */
        r = jc_pg_exec(ctx->db, "notif_case_get", JC_PG_ARGS(case_id), &e);
        if (!r) {
                res = notif_db_failed(ctx, &e);
                goto out;
        }
        if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 4) && strcmp(PQgetvalue(r, 0, 4), "a-dagpenge") == 0)
                goto out;
        f = json_pack("{s:s, s:s, s:s}", "case_id", case_id, "meeting_id", meeting_id,
                      "channel_text", notif_da_channel(channel));
        if (!f || add_start(ctx, f, "starts_at", starts, "meeting_date", "meeting_time", &day) != 0) {
                res = JC_HANDLE_POISON;
                goto out;
        }
        notif_da_date(jc_date_add_days(day, (int32_t)nctx->hearing_days), reply, sizeof(reply));
        json_object_set_new(f, "reply_by", json_string(reply));
        res = notif_message_from_event(ctx, "no_show_hearing", NOTIF_TO_CITIZEN, ref, case_id, ref, f);
out:
        PQclear(r);
        json_decref(f);
        jc_verrs_release(&v);
        return res;
}

/* The internal reminder goes to the obligation's caseworker, else the
 * case's, else the queue "unassigned". */
jc_handle_result notif_on_obligation_due_soon(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data, *f = NULL;
        const char *case_id, *kind, *rule, *cw;
        long long ordinal = 0, days_left = 0;
        char due_s[64], what[96], days[24], to[65];
        jc_date due;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r = NULL;
        jc_handle_result res;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        jc_v_uuid(d, "data", "obligation_id", 1, &v);
        kind = jc_v_str(d, "data", "kind", 1, 1, 40, &v);
        jc_v_int(d, "data", "ordinal", 1, 1, 1000, &ordinal, &v);
        jc_v_date(d, "data", "due_date", 1, &due, &v);
        jc_v_int(d, "data", "days_left", 1, -100000, 100000, &days_left, &v);
        rule = jc_v_str(d, "data", "rule", 1, 1, 120, &v);
        cw = jc_v_str(d, "data", "caseworker_id", 0, 1, 64, &v);
        if (jc_verrs_count(&v)) {
                res = notif_invalid(ctx, &v);
                goto out;
        }
        if (!cw) {
                r = jc_pg_exec(ctx->db, "notif_case_get", JC_PG_ARGS(case_id), &e);
                if (!r) {
                        res = notif_db_failed(ctx, &e);
                        goto out;
                }
                if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 2))
                        cw = PQgetvalue(r, 0, 2);
        }
        snprintf(to, sizeof(to), "%s", cw ? cw : "unassigned");
        if (strcmp(kind, "meeting") == 0)
                snprintf(what, sizeof(what), "%lld. samtale", ordinal);
        else
                snprintf(what, sizeof(what), "%s", notif_da_obligation_kind(kind));
        notif_da_date(due, due_s, sizeof(due_s));
        snprintf(days, sizeof(days), "%lld", days_left);
        f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "case_id", case_id, "caseworker_id", to,
                      "obligation_text", what, "due_date", due_s, "days_left", days, "rule", rule);
        res = notif_message_from_event(ctx, "caseworker_reminder", NOTIF_TO_CASEWORKER, to, case_id,
                                       NULL, f);
out:
        PQclear(r);
        json_decref(f);
        jc_verrs_release(&v);
        return res;
}
