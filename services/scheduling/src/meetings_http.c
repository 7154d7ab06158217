/*
 * Meetings over HTTP: caseworker booking, reschedule, cancel, outcome,
 * slots; and the citizen's self-booking through the portal client
 * (scope portal, the citizen identified by the X-Citizen-Ref header the
 * portal sets after authenticating the citizen).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"
#include "jc/timeutil.h"
#include "jc/validate.h"
#include "scheduling.h"

static const char *const channels[] = {"in_person", "phone", "video", NULL};
static const char *const purposes[] = {"meeting", "reassessment", "youth_contact", NULL};

/* "Now": the wall clock, or noon of the JC_TODAY date (deterministic for
 * tests and demos). */
static int64_t sched_now(const jc_service *svc)
{
        if (!svc->today_pinned)
                return jc_time_wall_ms() / 1000;
        return jc_time_from_copenhagen(svc->today, 12 * 60);
}

static int64_t earliest_bookable(const jc_service *svc, int citizen)
{
        const sched_ctx *ctx = svc->ctx;

        return sched_now(svc) + (citizen ? ctx->booking_lead_hours * 3600 : 0);
}

/* Replies for a refused booking; returns 0 when `res` was SCHED_BOOKED. */
static void reply_not_booked(jc_http_req *req)
{
        jc_http_reply_problem(req, 409, "meeting-not-booked", "Meeting is not booked",
                              "only a booked meeting can be changed", NULL);
}

static int reply_book_result(jc_http_req *req, sched_book_result res, const char *detail,
                             const jc_pg_err *e)
{
        switch (res) {
        case SCHED_BOOKED:
                return 0;
        case SCHED_NO_CASE:
                jc_http_reply_problem(req, 404, "not-found", "Case not found",
                                      "no open case with this case_id for you", NULL);
                break;
        case SCHED_NO_CASEWORKER:
                jc_http_reply_problem(req, 409, "no-caseworker", "Case has no caseworker",
                                      "the case has no caseworker yet; assign one first", NULL);
                break;
        case SCHED_OUTSIDE_HOURS:
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "starts_at",
                                            "is outside the jobcentre's opening hours or on a day it is closed");
                break;
        case SCHED_IN_PAST:
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "starts_at", "must be later than the earliest bookable time");
                break;
        case SCHED_AFTER_DUE:
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "starts_at", detail);
                break;
        case SCHED_BAD_OBLIGATION:
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "obligation_id",
                                            "is not an open obligation of this case that the jobcenter holds");
                break;
        case SCHED_SLOT_TAKEN:
                jc_http_reply_field_problem(req, 409, "slot-taken", "Time is taken", "starts_at",
                                            "the caseworker or the citizen has another meeting then");
                break;
        case SCHED_ALREADY_BOOKED:
                jc_http_reply_field_problem(req, 409, "already-booked", "Already booked",
                                            "obligation_id",
                                            "a meeting is already booked for this obligation: move it instead");
                break;
        case SCHED_NOT_BOOKED:
                reply_not_booked(req);
                break;
        case SCHED_BEFORE_START:
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "starts_at", "must not be before the case's start date");
                break;
        case SCHED_BOOK_ERROR:
                jc_http_reply_db_error(req, e);
                break;
        }
        return -1;
}

/* The meeting as JSON (new reference), or NULL. */
static json_t *meeting_json(PGconn *db, const char *meeting_id, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "sched_meeting_get", JC_PG_ARGS(meeting_id), e);
        char starts[40], ends[40];
        json_t *m;

        if (!r)
                return NULL;
        if (PQntuples(r) == 0) {
                PQclear(r);
                return NULL;
        }
        jc_time_format_copenhagen(atoll(PQgetvalue(r, 0, 4)), starts, sizeof(starts));
        jc_time_format_copenhagen(atoll(PQgetvalue(r, 0, 5)), ends, sizeof(ends));
        m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s*, s:s, s:s*, s:s, s:s, s:s*}",
                      "meeting_id", PQgetvalue(r, 0, 0), "case_id", PQgetvalue(r, 0, 1),
                      "citizen_ref", PQgetvalue(r, 0, 2), "caseworker_id", PQgetvalue(r, 0, 3),
                      "starts_at", starts, "ends_at", ends, "channel", PQgetvalue(r, 0, 6),
                      "location", PQgetisnull(r, 0, 7) ? NULL : PQgetvalue(r, 0, 7), "purpose",
                      PQgetvalue(r, 0, 8), "obligation_id",
                      PQgetisnull(r, 0, 9) ? NULL : PQgetvalue(r, 0, 9), "status",
                      PQgetvalue(r, 0, 10), "booked_by", PQgetvalue(r, 0, 11), "held_on",
                      PQgetisnull(r, 0, 12) ? NULL : PQgetvalue(r, 0, 12));
        if (m && !PQgetisnull(r, 0, 13))
                json_object_set_new(m, "lawful_reason",
                                    json_boolean(strcmp(PQgetvalue(r, 0, 13), "t") == 0));
        PQclear(r);
        return m;
}

/* Runs a booking in its own transaction and replies (201/200 or a problem). */
static void book_and_reply(jc_http_req *req, const sched_booking *b, int created)
{
        jc_service *svc = jc_http_service(req);
        char meeting_id[JC_UUID_STRLEN], detail[160];
        sched_book_result res;
        json_t *m;
        jc_pg_err e;
        PGconn *db = jc_http_db(req);

        if (!db)
                return;
        if (b->already_held) {
                if (b->starts_at + b->minutes * 60 > sched_now(svc)) {
                        jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                                    "starts_at",
                                                    "a meeting registered as held must have ended");
                        return;
                }
        } else if (b->starts_at < earliest_bookable(svc, b->citizen_ref != NULL)) {
                reply_book_result(req, SCHED_IN_PAST, "", NULL);
                return;
        }
        if (jc_pg_cmd(db, "BEGIN", &e) != 0) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        jc_log_ctx_set_case(b->case_id);
        res = sched_meeting_book(svc, db, b, meeting_id, detail, sizeof(detail), &e);
        if (res == SCHED_BOOKED && jc_pg_cmd(db, "COMMIT", &e) != 0)
                res = SCHED_BOOK_ERROR;
        if (res != SCHED_BOOKED) {
                jc_pg_rollback(db);
                reply_book_result(req, res, detail, &e);
                return;
        }
        jc_log_info("%s", b->already_held ? "held meeting registered"
                          : created       ? "meeting booked"
                                          : "meeting rescheduled");
        m = meeting_json(db, meeting_id, &e);
        if (!m) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        jc_http_reply_json(req, created ? 201 : 200, m);
}

/* Body of a booking: starts_at, channel, location, purpose, obligation_id,
 * duration_minutes, caseworker_id (the last two for caseworkers only). */
static int parse_booking(jc_http_req *req, json_t *body, sched_booking *b, int citizen, jc_verrs *v)
{
        static const char *const cw_fields[] = {"starts_at", "channel", "location", "purpose",
                                                "obligation_id", "duration_minutes",
                                                "caseworker_id", "outcome", NULL};
        static const char *const held_only[] = {"held", NULL};
        static const char *const citizen_fields[] = {"starts_at", "channel", "obligation_id", NULL};
        sched_ctx *ctx = jc_http_service(req)->ctx;
        const char *starts;
        long long minutes = ctx->meeting_minutes;

        jc_v_no_unknown(body, NULL, citizen ? citizen_fields : cw_fields, v);
        starts = jc_v_str(body, NULL, "starts_at", 1, 20, 40, v);
        if (starts && jc_time_parse_rfc3339(starts, &b->starts_at) != 0)
                jc_verrs_add(v, "starts_at", "must be an RFC 3339 date-time with an offset");
        b->channel = jc_v_enum(body, NULL, "channel", 1, channels, v);
        b->obligation_id = jc_v_uuid(body, NULL, "obligation_id", 0, v);
        if (!citizen) {
                b->location = jc_v_str(body, NULL, "location", 0, 1, 200, v);
                b->purpose = jc_v_enum(body, NULL, "purpose", 0, purposes, v);
                jc_v_int(body, NULL, "duration_minutes", 0, 10, 240, &minutes, v);
                b->caseworker_id = jc_v_str(body, NULL, "caseworker_id", 0, 1, 40, v);
                /* "outcome": "held" registers a meeting that already took place */
                b->already_held = jc_v_enum(body, NULL, "outcome", 0, held_only, v) != NULL;
        }
        if (!b->purpose)
                b->purpose = "meeting";
        b->minutes = (long)minutes;
        b->booked_by = citizen ? "citizen" : "caseworker";
        return jc_verrs_count(v) ? -1 : 0;
}

void sched_case_meeting_book(jc_http_req *req)
{
        json_t *body = jc_http_json_body(req);
        sched_booking b;
        jc_verrs v;

        if (!body)
                return;
        memset(&b, 0, sizeof(b));
        jc_verrs_init(&v);
        b.case_id = jc_http_param(req, "case_id");
        if (!jc_uuid_is_valid(b.case_id))
                jc_verrs_add(&v, "case_id", "must be a UUID");
        if (parse_booking(req, body, &b, 0, &v) != 0)
                jc_http_reply_invalid(req, jc_verrs_take(&v));
        else
                book_and_reply(req, &b, 1);
        jc_verrs_release(&v);
}

/* The portal's citizen: the X-Citizen-Ref header; replies 400 when absent. */
static const char *portal_citizen(jc_http_req *req)
{
        const char *ref = jc_http_header(req, "X-Citizen-Ref");

        if (!jc_uuid_is_valid(ref)) {
                jc_http_reply_field_problem(req, 400, "missing-citizen", "Citizen not identified",
                                            "X-Citizen-Ref",
                                            "the portal must send the authenticated citizen's citizen_ref");
                return NULL;
        }
        return ref;
}

void sched_portal_book(jc_http_req *req)
{
        const char *citizen = portal_citizen(req);
        json_t *body;
        sched_booking b;
        jc_verrs v;

        if (!citizen || !(body = jc_http_json_body(req)))
                return;
        memset(&b, 0, sizeof(b));
        jc_verrs_init(&v);
        b.case_id = jc_http_param(req, "case_id");
        b.citizen_ref = citizen;
        if (!jc_uuid_is_valid(b.case_id))
                jc_verrs_add(&v, "case_id", "must be a UUID");
        if (parse_booking(req, body, &b, 1, &v) != 0)
                jc_http_reply_invalid(req, jc_verrs_take(&v));
        else
                book_and_reply(req, &b, 1);
        jc_verrs_release(&v);
}

/* Loads a booked meeting for a change; for the portal, only the citizen's own.
 * `locked`: inside the caller's transaction, the row locked until it ends.
 * Returns 0 with `b` filled (strings in `store`), or -1 after replying. */
static int load_booked(jc_http_req *req, PGconn *db, const char *citizen, int locked,
                       sched_booking *b, char store[6][64])
{
        const char *id = jc_http_uuid_param(req, "meeting_id");
        PGresult *r;
        jc_pg_err e;

        if (!id)
                return -1;
        r = jc_pg_exec(db, locked ? "sched_meeting_get_locked" : "sched_meeting_get", JC_PG_ARGS(id),
                       &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return -1;
        }
        if (PQntuples(r) == 0 || (citizen && strcmp(PQgetvalue(r, 0, 2), citizen) != 0)) {
                PQclear(r);
                jc_http_reply_problem(req, 404, "not-found", "Meeting not found",
                                      "no meeting with this meeting_id for you", NULL);
                return -1;
        }
        if (strcmp(PQgetvalue(r, 0, 10), "booked") != 0) {
                PQclear(r);
                reply_not_booked(req);
                return -1;
        }
        memset(b, 0, sizeof(*b));
        snprintf(store[0], 64, "%s", PQgetvalue(r, 0, 0));
        snprintf(store[1], 64, "%s", PQgetvalue(r, 0, 1));
        snprintf(store[2], 64, "%s", PQgetvalue(r, 0, 6));
        snprintf(store[3], 64, "%s", PQgetvalue(r, 0, 8));
        snprintf(store[4], 64, "%s", PQgetvalue(r, 0, 3));
        snprintf(store[5], 64, "%s", PQgetisnull(r, 0, 9) ? "" : PQgetvalue(r, 0, 9));
        b->caseworker_id = store[4];   /* a move stays in the same calendar */
        b->obligation_id = store[5][0] ? store[5] : NULL;
        b->starts_at = atoll(PQgetvalue(r, 0, 4));
        b->reschedule_of = store[0];
        b->case_id = store[1];
        b->channel = store[2];
        b->purpose = store[3];
        b->minutes = (long)((atoll(PQgetvalue(r, 0, 5)) - atoll(PQgetvalue(r, 0, 4))) / 60);
        b->citizen_ref = citizen;
        b->booked_by = citizen ? "citizen" : "caseworker";
        PQclear(r);
        return 0;
}

static void reschedule(jc_http_req *req, const char *citizen)
{
        static const char *const fields[] = {"starts_at", NULL};
        json_t *body = jc_http_json_body(req);
        char store[6][64];
        const char *starts;
        sched_booking b;
        jc_verrs v;
        PGconn *db;
        int64_t t = 0;

        if (!body)
                return;
        jc_verrs_init(&v);
        jc_v_no_unknown(body, NULL, fields, &v);
        starts = jc_v_str(body, NULL, "starts_at", 1, 20, 40, &v);
        if (starts && jc_time_parse_rfc3339(starts, &t) != 0)
                jc_verrs_add(&v, "starts_at", "must be an RFC 3339 date-time with an offset");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db || load_booked(req, db, citizen, 0, &b, store) != 0)
                goto out;
        b.starts_at = t;
        book_and_reply(req, &b, 0);
out:
        jc_verrs_release(&v);
}

void sched_meeting_reschedule(jc_http_req *req)
{
        reschedule(req, NULL);
}

void sched_portal_reschedule(jc_http_req *req)
{
        const char *citizen = portal_citizen(req);

        if (citizen)
                reschedule(req, citizen);
}

static void cancel(jc_http_req *req, const char *citizen)
{
        static const char *const reasons[] = {"citizen_request", "caseworker_unavailable", "other",
                                              NULL};
        static const char *const citizen_reasons[] = {"citizen_request", NULL};
        static const char *const fields[] = {"reason", NULL};
        jc_service *svc = jc_http_service(req);
        json_t *body = jc_http_json_body(req), *m;
        const char *reason = citizen ? "citizen_request" : NULL;
        char store[6][64];
        sched_booking b;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        if (!body)
                return;
        jc_verrs_init(&v);
        jc_v_no_unknown(body, NULL, fields, &v);
        if (!citizen)
                reason = jc_v_enum(body, NULL, "reason", 1, reasons, &v);
        else    /* a citizen's cancellation is always at their request */
                jc_v_enum(body, NULL, "reason", 0, citizen_reasons, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        if (load_booked(req, db, citizen, 1, &b, store) != 0) {
                jc_pg_rollback(db);
                goto out;
        }
        r = jc_pg_exec(db, "sched_meeting_set_outcome",
                       JC_PG_ARGS(b.reschedule_of, "cancelled", NULL, NULL, NULL, reason), &e);
        if (!r)
                goto db_error;
        PQclear(r);
        if (sched_meeting_emit(svc, db, b.reschedule_of, "meeting.cancelled.v1",
                               json_pack("{s:s, s:s}", "cancelled_by",
                                         citizen ? "citizen" : "caseworker", "reason", reason),
                               &e) != 0 ||
            jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        m = meeting_json(db, b.reschedule_of, &e);
        if (!m)
                goto db_error;
        jc_http_reply_json(req, 200, m);
        goto out;
db_error:
        jc_pg_rollback(db);
        jc_http_reply_db_error(req, &e);
out:
        jc_verrs_release(&v);
}

void sched_meeting_cancel(jc_http_req *req)
{
        cancel(req, NULL);
}

void sched_portal_cancel(jc_http_req *req)
{
        const char *citizen = portal_citizen(req);

        if (citizen)
                cancel(req, citizen);
}

/* POST /v1/meetings/{id}/outcome {"outcome": "held"|"no_show", "held_on",
 * "lawful_reason", "reason"}: a held meeting fulfils the obligation it was
 * booked for, or the case's earliest open one its purpose covers. */
void sched_meeting_outcome(jc_http_req *req)
{
        static const char *const fields[] = {"outcome", "held_on", "lawful_reason", "reason", NULL};
        static const char *const outcomes[] = {"held", "no_show", NULL};
        static const char *const reasons[] = {"illness", "childcare", "transport", "other", NULL};
        jc_service *svc = jc_http_service(req);
        json_t *body = jc_http_json_body(req), *m, *extra;
        const char *outcome, *reason;
        char store[6][64], held_s[JC_DATE_STRLEN], fulfilled[JC_UUID_STRLEN];
        int lawful = 0, have_lawful;
        jc_date held_on, meeting_day;
        int minute, have_held;
        sched_booking b;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        if (!body)
                return;
        jc_verrs_init(&v);
        jc_v_no_unknown(body, NULL, fields, &v);
        outcome = jc_v_enum(body, NULL, "outcome", 1, outcomes, &v);
        have_held = jc_v_date(body, NULL, "held_on", 0, &held_on, &v);
        have_lawful = jc_v_bool(body, NULL, "lawful_reason", 0, &lawful, &v);
        reason = jc_v_enum(body, NULL, "reason", 0, reasons, &v);
        if (outcome && strcmp(outcome, "no_show") == 0 && have_lawful == 0)
                jc_verrs_add(&v, "lawful_reason", "is required for a no-show");
        if (outcome && strcmp(outcome, "held") == 0 && (have_lawful == 1 || reason))
                jc_verrs_add(&v, have_lawful == 1 ? "lawful_reason" : "reason",
                             "applies only to a no-show");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        if (load_booked(req, db, NULL, 1, &b, store) != 0) {
                jc_pg_rollback(db);
                goto out;
        }
        if (b.starts_at > sched_now(svc)) {
                jc_pg_rollback(db);
                jc_http_reply_problem(req, 409, "meeting-not-started", "Meeting has not started",
                                      "an outcome can be recorded once the meeting has started",
                                      NULL);
                goto out;
        }
        jc_time_copenhagen_local(b.starts_at, &meeting_day, &minute);
        if (have_held != 1)
                held_on = meeting_day;
        if (jc_date_cmp(held_on, meeting_day) < 0 ||
            jc_date_cmp(held_on, jc_service_today(svc)) > 0) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "held_on",
                                            "must be between the meeting's day and today");
                goto out;
        }
        jc_date_format(held_on, held_s);
        jc_log_ctx_set_case(b.case_id);
        if (strcmp(outcome, "held") == 0) {
                r = jc_pg_exec(db, "sched_meeting_set_outcome",
                               JC_PG_ARGS(b.reschedule_of, "held", held_s, NULL, NULL, NULL), &e);
                if (!r)
                        goto db_error;
                PQclear(r);
                if (sched_obligation_fulfil(db, b.case_id, b.reschedule_of, b.obligation_id,
                                            b.purpose, held_on, fulfilled, &e) != 0)
                        goto db_error;
                extra = json_pack("{s:s, s:s*}", "held_on", held_s, "fulfilled_obligation_id",
                                  fulfilled[0] ? fulfilled : NULL);
                if (sched_meeting_emit(svc, db, b.reschedule_of, "meeting.held.v1", extra, &e) != 0)
                        goto db_error;
        } else {
                r = jc_pg_exec(db, "sched_meeting_set_outcome",
                               JC_PG_ARGS(b.reschedule_of, "no_show", NULL, lawful ? "true" : "false",
                                          reason, NULL),
                               &e);
                if (!r)
                        goto db_error;
                PQclear(r);
                extra = json_pack("{s:b, s:s*}", "lawful_reason", lawful, "reason", reason);
                if (sched_meeting_emit(svc, db, b.reschedule_of, "meeting.no_show.v1", extra, &e) != 0)
                        goto db_error;
        }
        if (jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        jc_log_info("meeting outcome recorded: %s", outcome);
        m = meeting_json(db, b.reschedule_of, &e);
        if (!m)
                goto db_error;
        jc_http_reply_json(req, 200, m);
        goto out;
db_error:
        jc_pg_rollback(db);
        jc_http_reply_db_error(req, &e);
out:
        jc_verrs_release(&v);
}

void sched_case_meetings_list(jc_http_req *req)
{
        const char *case_id = jc_http_uuid_param(req, "case_id");
        json_t *items;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        if (!case_id)
                return;
        db = jc_http_db(req);
        if (!db)
                return;
        r = jc_pg_exec(db, "sched_case_get", JC_PG_ARGS(case_id), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        if (PQntuples(r) == 0) {
                PQclear(r);
                jc_http_reply_problem(req, 404, "not-found", "Case not found",
                                      "scheduling has no case with this case_id", NULL);
                return;
        }
        PQclear(r);
        r = jc_pg_exec(db, "sched_case_meetings", JC_PG_ARGS(case_id), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        items = json_array();
        for (int i = 0; i < PQntuples(r); i++) {
                json_t *m = meeting_json(db, PQgetvalue(r, i, 0), &e);

                if (m)
                        json_array_append_new(items, m);
        }
        PQclear(r);
        jc_http_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

/* Slots of the case's caseworker (at most 200) from the earliest bookable
 * time up to the due date of the obligation (given, or the next open one);
 * caseworkers may pass ?from= and ?until= dates. */
static void slots(jc_http_req *req, const char *citizen)
{
        jc_service *svc = jc_http_service(req);
        const char *case_id = jc_http_param(req, "case_id");
        const char *ob = jc_http_query(req, "obligation_id");
        const char *until_q = citizen ? NULL : jc_http_query(req, "until");
        const char *from_q = citizen ? NULL : jc_http_query(req, "from");
        int64_t earliest = earliest_bookable(svc, citizen != NULL);
        jc_date from;
        char due_s[JC_DATE_STRLEN] = "", ob_id[JC_UUID_STRLEN] = "";
        jc_date until;
        json_t *list;
        jc_pg_err e;
        PGresult *c = NULL, *r = NULL;
        PGconn *db;

        if (!jc_uuid_is_valid(case_id) || (ob && !jc_uuid_is_valid(ob)) ||
            (until_q && jc_date_parse(until_q, &until) != 0) ||
            (from_q && jc_date_parse(from_q, &from) != 0)) {
                jc_http_reply_field_problem(req, 422, "validation", "Invalid query",
                                            !jc_uuid_is_valid(case_id)                  ? "case_id"
                                            : ob && !jc_uuid_is_valid(ob)               ? "obligation_id"
                                            : until_q && jc_date_parse(until_q, &until) ? "until"
                                                                                        : "from",
                                            "is not valid");
                return;
        }
        if (from_q && jc_time_from_copenhagen(from, 0) > earliest)
                earliest = jc_time_from_copenhagen(from, 0);
        db = jc_http_db(req);
        if (!db)
                return;
        c = jc_pg_exec(db, "sched_case_get", JC_PG_ARGS(case_id), &e);
        if (!c)
                goto db_error;
        if (PQntuples(c) == 0 || strcmp(PQgetvalue(c, 0, 4), "open") != 0 ||
            (citizen && strcmp(PQgetvalue(c, 0, 1), citizen) != 0)) {
                jc_http_reply_problem(req, 404, "not-found", "Case not found",
                                      "no open case with this case_id for you", NULL);
                goto out;
        }
        if (PQgetisnull(c, 0, 6)) {
                jc_http_reply_problem(req, 409, "no-caseworker", "Case has no caseworker",
                                      "the case has no caseworker yet", NULL);
                goto out;
        }
        if (ob)
                r = jc_pg_exec(db, "sched_obligation_for_booking", JC_PG_ARGS(ob, case_id), &e);
        else    /* a citizen books meetings; a caseworker also reassessments */
                r = jc_pg_exec(db, "sched_next_bookable_obligation",
                               JC_PG_ARGS(case_id,
                                          citizen ? "{meeting,youth_contact}"
                                                  : "{meeting,youth_contact,reassessment}",
                                          NULL),
                               &e);
        if (!r)
                goto db_error;
        if (ob && PQntuples(r) == 1 &&
            (strcmp(PQgetvalue(r, 0, 3), "jobcenter") != 0 ||
             (strcmp(PQgetvalue(r, 0, 0), "open") != 0 && strcmp(PQgetvalue(r, 0, 0), "missed") != 0))) {
                jc_http_reply_field_problem(req, 422, "validation", "Invalid query", "obligation_id",
                                            "is not an open obligation of this case that the jobcenter holds");
                goto out;
        }
        if (PQntuples(r) == 1) {
                snprintf(due_s, sizeof(due_s), "%s", PQgetvalue(r, 0, 1));
                if (!ob)
                        snprintf(ob_id, sizeof(ob_id), "%s", PQgetvalue(r, 0, 0));
        } else if (ob) {
                jc_http_reply_field_problem(req, 422, "validation", "Invalid query", "obligation_id",
                                            "is not an obligation of this case");
                goto out;
        }
        if (!until_q) {
                if (!due_s[0] || jc_date_parse(due_s, &until) != 0)
                        until = jc_date_add_days(jc_service_today(svc), 28);
        }
        list = sched_free_slots(svc, db, PQgetvalue(c, 0, 6), earliest, until, 200, &e);
        if (!list)
                goto db_error;
        {
                char u[JC_DATE_STRLEN];

                jc_date_format(until, u);
                jc_http_reply_json(req, 200,
                                   json_pack("{s:s, s:s, s:s*, s:s*, s:o}", "case_id", case_id,
                                             "caseworker_id", PQgetvalue(c, 0, 6), "obligation_id",
                                             ob ? ob : (ob_id[0] ? ob_id : NULL), "until", u,
                                             "slots", list));
        }
        goto out;
db_error:
        jc_http_reply_db_error(req, &e);
out:
        PQclear(r);
        PQclear(c);
}

void sched_case_slots(jc_http_req *req)
{
        slots(req, NULL);
}

void sched_portal_slots(jc_http_req *req)
{
        const char *citizen = portal_citizen(req);

        if (citizen)
                slots(req, citizen);
}

/* POST /v1/caseworkers/{caseworker_id}/blocks {starts_at, ends_at, reason} */
void sched_calendar_block(jc_http_req *req)
{
        static const char *const fields[] = {"starts_at", "ends_at", "reason", NULL};
        const char *cw = jc_http_param(req, "caseworker_id"), *s, *en, *reason;
        json_t *body = jc_http_json_body(req);
        char id[JC_UUID_STRLEN], a[24], z[24], a_s[40], z_s[40];
        int64_t from = 0, to = 0;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        if (!body)
                return;
        jc_verrs_init(&v);
        /* intake's caseworker ids */
        if (!cw || !*cw || strlen(cw) > 40 ||
            strspn(cw, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(cw))
                jc_verrs_add(&v, "caseworker_id", "must be 1 to 40 of a-z, 0-9 and -");
        jc_v_no_unknown(body, NULL, fields, &v);
        s = jc_v_str(body, NULL, "starts_at", 1, 20, 40, &v);
        en = jc_v_str(body, NULL, "ends_at", 1, 20, 40, &v);
        reason = jc_v_str(body, NULL, "reason", 1, 1, 200, &v);
        if (s && jc_time_parse_rfc3339(s, &from) != 0)
                jc_verrs_add(&v, "starts_at", "must be an RFC 3339 date-time with an offset");
        if (en && jc_time_parse_rfc3339(en, &to) != 0)
                jc_verrs_add(&v, "ends_at", "must be an RFC 3339 date-time with an offset");
        else if (s && en && to <= from)
                jc_verrs_add(&v, "ends_at", "must be after starts_at");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        jc_uuid_v4(id);
        snprintf(a, sizeof(a), "%lld", (long long)from);
        snprintf(z, sizeof(z), "%lld", (long long)to);
        r = jc_pg_exec(db, "sched_block_insert",
                       JC_PG_ARGS(id, cw, a, z, reason, jc_http_principal(req)->principal), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                goto out;
        }
        PQclear(r);
        jc_time_format_copenhagen(from, a_s, sizeof(a_s));
        jc_time_format_copenhagen(to, z_s, sizeof(z_s));
        jc_http_reply_json(req, 201, json_pack("{s:s, s:s, s:s, s:s}", "block_id", id,
                                               "caseworker_id", cw, "starts_at", a_s, "ends_at",
                                               z_s));
out:
        jc_verrs_release(&v);
}
