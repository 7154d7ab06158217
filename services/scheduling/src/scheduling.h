#ifndef SCHEDULING_H
#define SCHEDULING_H

#include <jansson.h>

#include "jc/consumer.h"
#include "jc/date.h"
#include "jc/rules.h"
#include "jc/service.h"
#include "jc/uuid.h"
#include "jc/validate.h"

#define SCHED_CASE_TOPIC "jobcenter.case.v1"
#define SCHED_MEETING_TOPIC "jobcenter.meeting.v1"
#define SCHED_OFFER_TOPIC "jobcenter.offer.v1"
#define SCHED_MAX_OBLIGATIONS 32

/* Opening hours per ISO weekday (1 = Monday … 7 = Sunday), minutes of the
 * day in Europe/Copenhagen; close == 0: closed. */
typedef struct sched_hours {
        int open[8];
        int close[8];
} sched_hours;

/* The service's own state (svc->ctx). */
typedef struct sched_ctx {
        jc_rulebook rules;
        sched_hours hours;
        long meeting_minutes;   /* default meeting length, and the slot grid */
        long due_soon_days;     /* lead time of obligation.due_soon */
        long booking_lead_hours;/* earliest a citizen can self-book from now */
} sched_ctx;

extern const jc_pg_stmt sched_stmts[];

/* ---- opening hours (hours.c) ---- */
/* Parses "mon-wed 08:00-15:30; thu 08:00-17:00; fri 08:00-12:00". */
int sched_hours_parse(sched_hours *h, const char *spec, char *err, size_t errlen);
/* 1 when [start, start + minutes) lies inside the opening hours of a working
 * day (public holidays and configured closing days are closed). */
int sched_hours_fits(const sched_hours *h, const jc_calendar *cal, int64_t start_unix,
                     long minutes);

/* ---- rules (rules.c) ---- */
typedef struct sched_obligation_spec {
        char kind[16];          /* meeting | reassessment | youth_contact */
        int ordinal;
        jc_date due;
        char responsible[12];   /* jobcenter | akasse */
        char rule_id[80];
        int akasse_meetings;    /* the rule lets a-kasse meetings fulfil it */
        int offer_fulfils;      /* an offer started by the due date fulfils it */
        char roll[24];
} sched_obligation_spec;

/* The obligations the rule set in force on `start` requires of a case of
 * `target_group` (and `visitation`, may be NULL). Writes at most `max` specs
 * and the rule set id; returns how many, or -1 when no rule set is in force. */
int sched_rules_derive(const sched_ctx *ctx, const jc_calendar *cal, const char *target_group,
                       const char *visitation, jc_date start, sched_obligation_spec *out,
                       size_t max, char rule_set[48]);
/* Checks what the envelope check of jc/rules.h leaves to the service: each
 * rule's target groups, roll, and obligations (kind, ordinal, due offset,
 * responsible, fulfilled_by_offer). Returns 0, or -1 with `err` naming the
 * rule set, rule and field. */
int sched_rules_check(const jc_rulebook *rb, char *err, size_t errlen);
/* A rule's "source" text (borrowed), for the obligations API; "" if none. */
const char *sched_rules_source(const sched_ctx *ctx, const char *rule_set, const char *rule_id);
/* Moves `d` to a working day as `roll` says. */
jc_date sched_roll(const jc_calendar *cal, jc_date d, const char *roll);

/* ---- obligations (obligations.c) ---- */
/* Derives and stores the case's obligations (idempotent: existing ones are
 * kept), counting a handover's a-kasse meetings. `start` chooses the rule
 * set; `handover` may be NULL. */
int sched_obligations_derive(jc_service *svc, PGconn *db, const char *case_id,
                             const char *target_group, const char *visitation, jc_date start,
                             json_t *handover, jc_pg_err *e);
/* Fulfils the meeting's obligation (or the case's earliest open one of a
 * kind the meeting's purpose covers). Writes the fulfilled id ("" if none). */
int sched_obligation_fulfil(PGconn *db, const char *case_id, const char *meeting_id,
                            const char *obligation_id, const char *purpose, jc_date held_on,
                            char fulfilled_id[JC_UUID_STRLEN], jc_pg_err *e);

/* ---- consumed events (case_events.c) ---- */
/* A handler's failure: a database error is a retry when transient, else
 * poison; a contract failure of the event is poison naming the field. */
jc_handle_result sched_event_failed(jc_consume_ctx *ctx, const jc_pg_err *e);
jc_handle_result sched_event_invalid(jc_consume_ctx *ctx, jc_verrs *v);
jc_handle_result sched_on_case_opened(jc_consume_ctx *ctx);
jc_handle_result sched_on_case_target_group_changed(jc_consume_ctx *ctx);
jc_handle_result sched_on_case_visitation_changed(jc_consume_ctx *ctx);
jc_handle_result sched_on_case_caseworker_assigned(jc_consume_ctx *ctx);
jc_handle_result sched_on_case_closed(jc_consume_ctx *ctx);
/* offer.started.v1 (offer_events.c) */
jc_handle_result sched_on_offer_started(jc_consume_ctx *ctx);

/* ---- meetings (meetings.c: the booking core; *_http.c the APIs) ---- */
typedef struct sched_booking {
        const char *case_id;
        const char *caseworker_id;   /* NULL: the case's caseworker (a move keeps the meeting's) */
        int64_t starts_at;           /* Unix seconds */
        long minutes;
        const char *channel;
        const char *location;        /* may be NULL */
        const char *purpose;         /* meeting | reassessment | youth_contact */
        const char *obligation_id;   /* NULL: the next open one the purpose covers */
        const char *booked_by;       /* caseworker | citizen */
        const char *citizen_ref;     /* portal: must own the case */
        const char *reschedule_of;   /* meeting id being moved, or NULL */
        int already_held;            /* registering a meeting held in the past (caseworker) */
} sched_booking;

typedef enum sched_book_result {
        SCHED_BOOKED,
        SCHED_NO_CASE,          /* no such open case (or not the citizen's) */
        SCHED_NO_CASEWORKER,    /* the case has no caseworker yet */
        SCHED_OUTSIDE_HOURS,
        SCHED_IN_PAST,          /* before the earliest bookable time */
        SCHED_AFTER_DUE,        /* after the obligation's due date */
        SCHED_BAD_OBLIGATION,   /* not an open obligation of the case */
        SCHED_SLOT_TAKEN,       /* the caseworker or the citizen is busy */
        SCHED_ALREADY_BOOKED,   /* the obligation already has a booking */
        SCHED_NOT_BOOKED,       /* the meeting being moved is no longer booked */
        SCHED_BEFORE_START,     /* a held meeting before the case's start date */
        SCHED_BOOK_ERROR,
} sched_book_result;

/* Books (or moves) a meeting in the caller's transaction; emits
 * meeting.booked.v1 or meeting.rescheduled.v1. With `already_held` it
 * records a meeting that took place (registered afterwards, e.g. a phone
 * meeting): stored as held, fulfilling the obligation given or the case's
 * next open one, and emits meeting.held.v1 only. `meeting_id` gets the id;
 * `detail` a human explanation for refusals (e.g. the due date). */
sched_book_result sched_meeting_book(jc_service *svc, PGconn *db, const sched_booking *b,
                                     char meeting_id[JC_UUID_STRLEN], char *detail,
                                     size_t detaillen, jc_pg_err *e);
/* Free slots of `caseworker_id` between `from` and `until` (inclusive dates),
 * inside opening hours, not booked or blocked. Returns a new JSON array of
 * RFC 3339 start times (caller decrefs), or NULL with `e` set. */
json_t *sched_free_slots(jc_service *svc, PGconn *db, const char *caseworker_id,
                         int64_t earliest, jc_date until, size_t limit, jc_pg_err *e);
/* Emits a meeting event of `short_type` for the meeting's current row. */
int sched_meeting_emit(jc_service *svc, PGconn *db, const char *meeting_id,
                       const char *short_type, json_t *extra, jc_pg_err *e);

/* HTTP handlers */
void sched_case_meeting_book(jc_http_req *req);
void sched_case_meetings_list(jc_http_req *req);
void sched_meeting_reschedule(jc_http_req *req);
void sched_meeting_cancel(jc_http_req *req);
void sched_meeting_outcome(jc_http_req *req);
void sched_case_slots(jc_http_req *req);
void sched_portal_slots(jc_http_req *req);
void sched_portal_book(jc_http_req *req);
void sched_portal_reschedule(jc_http_req *req);
void sched_portal_cancel(jc_http_req *req);
void sched_calendar_block(jc_http_req *req);
void sched_case_obligations(jc_http_req *req);
void sched_obligations_list(jc_http_req *req);
void sched_measure_timeliness(jc_http_req *req);

/* The periodic sweep (sweep.c): obligation.due_soon / obligation.missed. */
int sched_sweep(jc_service *svc, PGconn *db, jc_date today, json_t *report, char *err,
                size_t errlen);

#endif
