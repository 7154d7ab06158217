/*
 * The booking core, shared by caseworker booking and citizen self-booking:
 * inside opening hours, before the obligation's due date, never two meetings
 * at once for a caseworker or a citizen (checked under a lock on the
 * caseworker's calendar row), one booking per obligation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/calendar.h"
#include "jc/log.h"
#include "jc/outbox.h"
#include "jc/timeutil.h"
#include "scheduling.h"

static const char *kinds_for(const char *purpose)
{
        return strcmp(purpose, "reassessment") == 0 ? "{reassessment}" : "{meeting,youth_contact}";
}

/* 1 when an obligation of `kind` can be met by a meeting for `purpose`. */
static int purpose_covers(const char *purpose, const char *kind)
{
        return strcmp(purpose, "reassessment") == 0 ? strcmp(kind, "reassessment") == 0
                                                    : strcmp(kind, "reassessment") != 0;
}

int sched_meeting_emit(jc_service *svc, PGconn *db, const char *meeting_id,
                       const char *short_type, json_t *extra, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "sched_meeting_get", JC_PG_ARGS(meeting_id), e);
        char starts[40], ends[40];
        json_t *data;

        if (!r) {
                json_decref(extra);
                return -1;
        }
        jc_time_format_copenhagen(atoll(PQgetvalue(r, 0, 4)), starts, sizeof(starts));
        jc_time_format_copenhagen(atoll(PQgetvalue(r, 0, 5)), ends, sizeof(ends));
        data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "meeting_id", PQgetvalue(r, 0, 0),
                         "case_id", PQgetvalue(r, 0, 1), "citizen_ref", PQgetvalue(r, 0, 2),
                         "caseworker_id", PQgetvalue(r, 0, 3), "starts_at", starts, "channel",
                         PQgetvalue(r, 0, 6));
        /* booked / rescheduled carry the full booking */
        if (strcmp(short_type, "meeting.booked.v1") == 0 ||
            strcmp(short_type, "meeting.rescheduled.v1") == 0) {
                json_object_set_new(data, "ends_at", json_string(ends));
                if (!PQgetisnull(r, 0, 7))
                        json_object_set_new(data, "location", json_string(PQgetvalue(r, 0, 7)));
                if (!PQgetisnull(r, 0, 9))
                        json_object_set_new(data, "obligation_id", json_string(PQgetvalue(r, 0, 9)));
        }
        if (extra)
                json_object_update(data, extra);
        json_decref(extra);
        {
                char case_id[JC_UUID_STRLEN];

                snprintf(case_id, sizeof(case_id), "%s", PQgetvalue(r, 0, 1));
                PQclear(r);
                return jc_emit(&svc->emitter, db, SCHED_MEETING_TOPIC, case_id, short_type, case_id,
                               data, NULL, e);
        }
}

static int exists(PGconn *db, const char *stmt, int n, const char *const *params, int *found,
                  jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, stmt, n, params, e);

        if (!r)
                return -1;
        *found = PQntuples(r) > 0;
        PQclear(r);
        return 0;
}

sched_book_result sched_meeting_book(jc_service *svc, PGconn *db, const sched_booking *b,
                                     char meeting_id[JC_UUID_STRLEN], char *detail,
                                     size_t detaillen, jc_pg_err *e)
{
        sched_ctx *ctx = svc->ctx;
        char cw[48] = "", obligation[JC_UUID_STRLEN] = "", start_s[24], end_s[24];
        char citizen[JC_UUID_STRLEN], prev_starts[40] = "";
        int64_t end = b->starts_at + b->minutes * 60;
        jc_date starts_on, due;
        int busy, minute;
        PGresult *c = NULL, *r = NULL;
        sched_book_result res = SCHED_BOOK_ERROR;

        detail[0] = '\0';
        c = jc_pg_exec(db, "sched_case_lock", JC_PG_ARGS(b->case_id), e);
        if (!c)
                goto out;
        if (PQntuples(c) == 0 || strcmp(PQgetvalue(c, 0, 4), "open") != 0 ||
            (b->citizen_ref && strcmp(PQgetvalue(c, 0, 1), b->citizen_ref) != 0)) {
                res = SCHED_NO_CASE;
                goto out;
        }
        snprintf(citizen, sizeof(citizen), "%s", PQgetvalue(c, 0, 1));
        /* a move: the meeting is locked first and must still be booked (a
         * concurrent cancel or outcome wins, and this one is refused) */
        if (b->reschedule_of) {
                r = jc_pg_exec(db, "sched_meeting_lock", JC_PG_ARGS(b->reschedule_of), e);
                if (!r)
                        goto out;
                if (PQntuples(r) == 0 || strcmp(PQgetvalue(r, 0, 9), "booked") != 0) {
                        res = SCHED_NOT_BOOKED;
                        goto out;
                }
                jc_time_format_copenhagen(atoll(PQgetvalue(r, 0, 3)), prev_starts,
                                          sizeof(prev_starts));
                PQclear(r);
                r = NULL;
        }
        snprintf(cw, sizeof(cw), "%s", b->caseworker_id ? b->caseworker_id
                                       : PQgetisnull(c, 0, 6) ? "" : PQgetvalue(c, 0, 6));
        if (!cw[0]) {
                res = SCHED_NO_CASEWORKER;
                goto out;
        }
        if (!sched_hours_fits(&ctx->hours, &svc->calendar, b->starts_at, b->minutes)) {
                res = SCHED_OUTSIDE_HOURS;
                goto out;
        }
        jc_time_copenhagen_local(b->starts_at, &starts_on, &minute);
        if (b->already_held) {
                jc_date start;

                if (jc_date_parse(PQgetvalue(c, 0, 3), &start) == 0 && jc_date_cmp(starts_on, start) < 0) {
                        res = SCHED_BEFORE_START;
                        goto out;
                }
        }
        /* the obligation the meeting is for: given (a move: the one it was
         * for, while still open), or the next one open (a meeting held: the
         * one it fulfils is chosen when it is recorded, below) */
        if (b->obligation_id) {
                int usable;

                r = jc_pg_exec(db, "sched_obligation_for_booking",
                               JC_PG_ARGS(b->obligation_id, b->case_id), e);
                if (!r)
                        goto out;
                usable = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 3), "jobcenter") == 0 &&
                         (strcmp(PQgetvalue(r, 0, 0), "open") == 0 ||
                          strcmp(PQgetvalue(r, 0, 0), "missed") == 0) &&
                         purpose_covers(b->purpose, PQgetvalue(r, 0, 2));
                if (usable) {
                        snprintf(obligation, sizeof(obligation), "%s", b->obligation_id);
                        jc_date_parse(PQgetvalue(r, 0, 1), &due);
                } else if (!b->reschedule_of) {
                        res = SCHED_BAD_OBLIGATION;
                        goto out;
                }
        }
        if (!obligation[0] && !b->already_held) {
                PQclear(r);
                r = jc_pg_exec(db, "sched_next_bookable_obligation",
                               JC_PG_ARGS(b->case_id, kinds_for(b->purpose), b->reschedule_of), e);
                if (!r)
                        goto out;
                if (PQntuples(r) == 1) {
                        snprintf(obligation, sizeof(obligation), "%s", PQgetvalue(r, 0, 0));
                        jc_date_parse(PQgetvalue(r, 0, 1), &due);
                }
        }
        PQclear(r);
        r = NULL;
        /* Self-booking must fulfil the obligation in time; a caseworker may
         * book a late meeting for an overdue obligation. */
        if (obligation[0] && b->citizen_ref && jc_date_cmp(starts_on, due) > 0) {
                char d[JC_DATE_STRLEN];

                jc_date_format(due, d);
                snprintf(detail, detaillen, "the meeting must be on or before the due date %s", d);
                res = SCHED_AFTER_DUE;
                goto out;
        }
        if (obligation[0] && !b->already_held &&
            exists(db, "sched_obligation_has_booking", JC_PG_ARGS(obligation, b->reschedule_of),
                   &busy, e) == 0 && busy) {
                res = SCHED_ALREADY_BOOKED;
                goto out;
        }
        /* the caseworker's calendar row serialises bookings for them */
        r = jc_pg_exec(db, "sched_calendar_lock_ensure", JC_PG_ARGS(cw), e);
        if (!r)
                goto out;
        PQclear(r);
        r = jc_pg_exec(db, "sched_calendar_lock", JC_PG_ARGS(cw), e);
        if (!r)
                goto out;
        PQclear(r);
        r = NULL;
        snprintf(start_s, sizeof(start_s), "%lld", (long long)b->starts_at);
        snprintf(end_s, sizeof(end_s), "%lld", (long long)end);
        if (exists(db, "sched_caseworker_busy", JC_PG_ARGS(cw, start_s, end_s, b->reschedule_of),
                   &busy, e) != 0)
                goto out;
        if (!busy && exists(db, "sched_citizen_busy",
                            JC_PG_ARGS(citizen, start_s, end_s, b->reschedule_of), &busy, e) != 0)
                goto out;
        if (busy) {
                res = SCHED_SLOT_TAKEN;
                goto out;
        }
        if (b->reschedule_of) {
                r = jc_pg_exec(db, "sched_meeting_move",
                               JC_PG_ARGS(b->reschedule_of, start_s, end_s,
                                          obligation[0] ? obligation : NULL),
                               e);
                if (!r)
                        goto out;
                snprintf(meeting_id, JC_UUID_STRLEN, "%s", b->reschedule_of);
        } else {
                if (jc_uuid_v4(meeting_id) != 0) {
                        jc_pg_err_set(e, 1, "kernel RNG failed");
                        goto out;
                }
                r = jc_pg_exec(db, "sched_meeting_insert",
                               JC_PG_ARGS(meeting_id, b->case_id, cw, start_s, end_s, b->channel,
                                          b->location, b->purpose, obligation[0] ? obligation : NULL,
                                          b->booked_by),
                               e);
                if (!r)
                        goto out;
        }
        PQclear(r);
        r = NULL;
        if (b->already_held) {
                char held_s[JC_DATE_STRLEN], fulfilled[JC_UUID_STRLEN];

                jc_date_format(starts_on, held_s);
                r = jc_pg_exec(db, "sched_meeting_set_outcome",
                               JC_PG_ARGS(meeting_id, "held", held_s, NULL, NULL, NULL), e);
                if (!r)
                        goto out;
                PQclear(r);
                r = NULL;
                if (sched_obligation_fulfil(db, b->case_id, meeting_id,
                                            obligation[0] ? obligation : NULL, b->purpose,
                                            starts_on, fulfilled, e) != 0 ||
                    sched_meeting_emit(svc, db, meeting_id, "meeting.held.v1",
                                       json_pack("{s:s, s:s*}", "held_on", held_s,
                                                 "fulfilled_obligation_id",
                                                 fulfilled[0] ? fulfilled : NULL),
                                       e) != 0)
                        goto out;
        } else if (b->reschedule_of) {
                if (sched_meeting_emit(svc, db, meeting_id, "meeting.rescheduled.v1",
                                       json_pack("{s:s, s:s}", "previous_starts_at", prev_starts,
                                                 "rescheduled_by", b->booked_by),
                                       e) != 0)
                        goto out;
        } else if (sched_meeting_emit(svc, db, meeting_id, "meeting.booked.v1",
                                      json_pack("{s:s}", "booked_by", b->booked_by), e) != 0) {
                goto out;
        }
        res = SCHED_BOOKED;
out:
        PQclear(r);
        PQclear(c);
        return res;
}

json_t *sched_free_slots(jc_service *svc, PGconn *db, const char *caseworker_id,
                         int64_t earliest, jc_date until, size_t limit, jc_pg_err *e)
{
        sched_ctx *ctx = svc->ctx;
        char from_s[24], to_s[24];
        jc_date day;
        int minute;
        json_t *slots = json_array();
        PGresult *busy;
        int64_t horizon = jc_time_from_copenhagen(jc_date_add_days(until, 1), 0);

        snprintf(from_s, sizeof(from_s), "%lld", (long long)earliest);
        snprintf(to_s, sizeof(to_s), "%lld", (long long)horizon);
        busy = jc_pg_exec(db, "sched_busy_intervals", JC_PG_ARGS(caseworker_id, from_s, to_s), e);
        if (!busy) {
                json_decref(slots);
                return NULL;
        }
        jc_time_copenhagen_local(earliest, &day, &minute);
        for (; jc_date_cmp(day, until) <= 0 && json_array_size(slots) < limit;
             day = jc_date_add_days(day, 1)) {
                int wd = jc_date_weekday(day);

                if (!jc_calendar_is_working_day(&svc->calendar, day) || !ctx->hours.close[wd])
                        continue;
                for (int m = ctx->hours.open[wd]; m + ctx->meeting_minutes <= ctx->hours.close[wd] &&
                                                  json_array_size(slots) < limit;
                     m += (int)ctx->meeting_minutes) {
                        int64_t s = jc_time_from_copenhagen(day, m);
                        int64_t end = s + ctx->meeting_minutes * 60;
                        int taken = 0;
                        char text[40];

                        if (s < earliest)
                                continue;
                        for (int i = 0; i < PQntuples(busy) && !taken; i++)
                                taken = atoll(PQgetvalue(busy, i, 0)) < end &&
                                        atoll(PQgetvalue(busy, i, 1)) > s;
                        if (taken)
                                continue;
                        jc_time_format_copenhagen(s, text, sizeof(text));
                        json_array_append_new(slots, json_string(text));
                }
        }
        PQclear(busy);
        return slots;
}
