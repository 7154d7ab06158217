#ifndef OFFERS_H
#define OFFERS_H

#include <jansson.h>

#include "jc/buf.h"
#include "jc/calendar.h"
#include "jc/consumer.h"
#include "jc/date.h"
#include "jc/http.h"
#include "jc/pg.h"
#include "jc/rules.h"
#include "jc/service.h"
#include "jc/uuid.h"
#include "jc/validate.h"

#define OFFERS_CASE_TOPIC "jobcenter.case.v1"
#define OFFERS_MEETING_TOPIC "jobcenter.meeting.v1"
#define OFFERS_TOPIC "jobcenter.offer.v1"
#define OFFERS_ID_LEN 41 /* caseworker / team ids: 40 chars + NUL */
#define OFFERS_MAX_GROUPS 16
#define OFFERS_MAX_TYPES 64
#define OFFERS_MAX_KINDS 4

/* ---------------------------------------------------------------- rules
 * The rulebook (rules/offer_rules.json, or JC_OFFERS_RULES_FILE) compiled
 * into structs at start-up (rules.c). Every string is borrowed from the
 * rulebook's JSON, which lives as long as the service. */

typedef enum offers_unit {
        OFFERS_DAYS,
        OFFERS_WORKING_DAYS,
        OFFERS_MONTHS,
} offers_unit;

typedef enum offers_roll {
        OFFERS_ROLL_KEEP,     /* a closed day stays the deadline */
        OFFERS_ROLL_PREVIOUS, /* the last working day on or before it */
        OFFERS_ROLL_NEXT,     /* the first working day on or after it */
} offers_roll;

/* "6 months", "30 working days", "14 days". */
typedef struct offers_period {
        offers_unit unit;
        int n;
        offers_roll roll;
} offers_period;

/* An offer type of the catalogue. */
typedef struct offers_type {
        const char *code;
        const char *category;
        int company_oriented; /* gets an employer follow-up (R24) */
        int active_offer;     /* counts in the active-offer measure (R22, R77) */
        int work_duty_hours;  /* counts toward the work-duty ceiling (R69) */
        const char *provider_kinds[OFFERS_MAX_KINDS];
        size_t nprovider_kinds;
        const char *employer_sector; /* "private", "public" or NULL */
        json_t *json;                /* the catalogue entry, for GET /v1/offer-types */
} offers_type;

/* A deadline: "an offer of these types has started by due". */
typedef struct offers_deadline_rule {
        const char *id;
        const char *obligation; /* active_offer | youth_offer | immediate_activation */
        const char *description;
        const char *source;
        const char *target_groups[OFFERS_MAX_GROUPS];
        size_t ngroups;
        int on_case_opened;
        int on_group_changed;
        offers_period due;
        offers_period warn;
        const char *satisfied_by[OFFERS_MAX_TYPES];
        size_t nsatisfied;
        int min_duration_days;
} offers_deadline_rule;

typedef struct offers_rule_set {
        const char *id;
        jc_date valid_from;
        offers_deadline_rule *deadlines;
        size_t ndeadlines;
        /* work duty (absent before 2025: no ceiling) */
        const char *work_duty_rule;     /* NULL when the set has none */
        int work_duty_max_hours;
        const char *work_duty_groups[OFFERS_MAX_GROUPS];
        size_t nwork_duty_groups;
        /* full-time offers may not overlap */
        const char *full_time_rule;     /* NULL: no limit */
        int full_time_from_hours;
        /* employer follow-up lead time */
        const char *follow_up_rule;     /* NULL: no follow-ups */
        int follow_up_lead_working_days;
        /* the active-offer measure */
        const char *measure_rule;       /* NULL: the measure is not defined */
        int measure_seniority_months;
        double measure_threshold;
        int measure_min_population;
        /* the job-effect report */
        const char *job_effect_rule;
        int job_effect_window_days;
} offers_rule_set;

typedef struct offers_rulebook {
        jc_rulebook book;       /* owns the JSON */
        offers_type *types;
        size_t ntypes;
        offers_rule_set *sets;  /* ascending valid_from */
        size_t nsets;
} offers_rulebook;

/* Loads `path`, or the compiled-in rulebook when NULL, and checks every rule
 * (unknown kinds, target groups, offer types, periods are errors naming the
 * rule). Release with offers_rules_release(). Returns 0, or -1 with `err`. */
int offers_rules_load(offers_rulebook *r, const char *path, char *err, size_t errlen);
void offers_rules_release(offers_rulebook *r);
/* The set in force on `d`, or NULL before the first one. Borrowed. */
const offers_rule_set *offers_rules_set_for(const offers_rulebook *r, jc_date d);
const offers_type *offers_rules_type(const offers_rulebook *r, const char *code);
/* The deadline rule `rule_id` of set `set_id`, or NULL (rules file changed). */
const offers_deadline_rule *offers_rules_deadline(const offers_rulebook *r, const char *set_id,
                                                  const char *rule_id);
/* 1 when `group` is in the rule's target groups. */
int offers_rule_applies(const offers_deadline_rule *rule, const char *group);

/* ---------------------------------------------------------------- dates (deadlines.c) */

/* `base` moved by `p` (working days from the day after `base`, months with
 * the month end clamped), then rolled off a closed day as `p` says. */
jc_date offers_period_after(const jc_calendar *cal, jc_date base, const offers_period *p);
/* `due` moved back by `p`, rolled back to a working day. */
jc_date offers_period_before(const jc_calendar *cal, jc_date due, const offers_period *p);
/* Parses {"months"|"days"|"working_days": n, "if_not_working_day": …}.
 * Returns 0, or -1 with `err` naming the problem. */
int offers_period_parse(json_t *spec, offers_roll default_roll, offers_period *out, char *err,
                        size_t errlen);

/* ---------------------------------------------------------------- the service */

/* The service's own state (svc->ctx). "Today" is jc_service_today(svc). */
typedef struct offers_ctx {
        offers_rulebook rules;
} offers_ctx;

extern const jc_pg_stmt offers_stmts[];

/* ---------------------------------------------------------------- obligations (obligations.c) */

typedef enum offers_trigger {
        OFFERS_ON_CASE_OPENED,
        OFFERS_ON_GROUP_CHANGED,
} offers_trigger;

/* The obligations the rules give a case of `group` whose clock starts at
 * `base` (rule set in force on `base`), as PostgreSQL array literals for the
 * set-based inserts. Release with offers_obligation_plan_release(), also
 * after an error. */
typedef struct offers_obligation_plan {
        const char *rule_set;   /* NULL: no rule set in force on `base` */
        int n;                  /* obligations in the arrays */
        jc_buf kinds, rules, dues, warns, sats, mins;
} offers_obligation_plan;

int offers_obligations_plan(jc_service *svc, const char *group, jc_date base,
                            offers_trigger trigger, offers_obligation_plan *plan, jc_pg_err *e);
void offers_obligation_plan_release(offers_obligation_plan *plan);

/* Creates the case's offer obligations for `group` with the clock starting
 * at `base` (rule set in force on `base`), and fulfils them at once from
 * enrolments already started. Idempotent. Returns 0 or -1. */
int offers_obligations_create(jc_service *svc, PGconn *db, const char *case_id, const char *group,
                              jc_date base, offers_trigger trigger, jc_pg_err *e);
/* Marks the case's open obligations fulfilled by a started enrolment; the
 * fulfilled ids are appended to `fulfilled` (may be NULL). */
int offers_obligations_fulfil(PGconn *db, const char *case_id, const char *enrolment_id,
                              const char *offer_type, jc_date started_on, int duration_days,
                              json_t *fulfilled, jc_pg_err *e);

/* ---------------------------------------------------------------- events (offer_events.c) */

/* Emits `short_type` on jobcenter.offer.v1 keyed by case_id with `data`
 * (stolen). Returns 0 or -1. */
int offers_emit(const jc_emitter *em, PGconn *db, const char *case_id, const char *short_type,
                json_t *data, jc_pg_err *e);

/* ---------------------------------------------------------------- enrolments (enrolment_store.c) */

/* An enrolment row as read by offers_enrolment_load (FOR UPDATE). */
typedef struct offers_enrolment {
        char enrolment_id[JC_UUID_STRLEN];
        char offer_id[JC_UUID_STRLEN];
        char case_id[JC_UUID_STRLEN];
        char citizen_ref[JC_UUID_STRLEN];
        char offer_type[64];
        char status[16];
        char provider_id[JC_UUID_STRLEN];
        jc_date planned_start, planned_end;
        int has_started, has_ended;
        jc_date started_on, ended_on;
        int hours_per_week;
        char outcome[24];
        /* from the case */
        char target_group[64];
        int work_duty;           /* 1, 0, or -1 = the rule set's default */
        char caseworker_id[OFFERS_ID_LEN];
} offers_enrolment;

typedef enum offers_load_result {
        OFFERS_LOADED,
        OFFERS_NOT_FOUND,
        OFFERS_LOAD_ERROR,
} offers_load_result;

/* Locks the enrolment's case and then the enrolment (the platform's lock
 * order: case, offer, enrolment). */
offers_load_result offers_enrolment_lock(PGconn *db, const char *enrolment_id,
                                         offers_enrolment *out, int *case_open, jc_pg_err *e);
/* The enrolment as API JSON (new reference, caller decrefs), or NULL with `e`. */
json_t *offers_enrolment_json(PGconn *db, const char *enrolment_id, jc_pg_err *e);
/* The common event fields of an enrolment (new reference, caller decrefs). */
json_t *offers_enrolment_event_base(const offers_enrolment *en);
/* Sets the case's offer summary (first started and first planned active
 * offer, planned or running enrolments) from its enrolments, after any of
 * them changed. Returns 0 or -1. */
int offers_case_offer_dates(PGconn *db, const char *case_id, jc_pg_err *e);
/* Ends a started or planned enrolment (outcome, ended_on), cancels its open
 * follow-up when the outcome makes it pointless, emits offer.ended.v1. */
int offers_enrolment_finish(jc_service *svc, PGconn *db, const offers_enrolment *en,
                            jc_date ended_on, const char *outcome, const char *ended_by,
                            jc_pg_err *e);

/* ---------------------------------------------------------------- placement checks (placement_checks.c) */

typedef enum offers_check_result {
        OFFERS_CHECK_OK,
        OFFERS_CHECK_FULL,        /* no free place on the offer in the period */
        OFFERS_CHECK_OVERLAP,     /* another full-time offer overlaps */
        OFFERS_CHECK_CEILING,     /* the work-duty ceiling would be exceeded */
        OFFERS_CHECK_ERROR,
} offers_check_result;

typedef struct offers_check_detail {
        char other_enrolment_id[JC_UUID_STRLEN];
        int hours_at_peak;       /* CEILING: the week's hours with this offer */
        int ceiling;
        int capacity;
        const char *rule_set;
        const char *rule;
} offers_check_detail;

/* A period of an enrolment to check: new, or an extension of `self`. */
typedef struct offers_placement {
        const char *case_id;
        const char *target_group;
        int work_duty;           /* the case's flag: 1, 0, or -1 = the rule set's default */
        const char *offer_id;
        int capacity;
        const char *self;        /* enrolment being extended, or NULL */
        jc_date from, to;
        int hours;
        int counts_work_duty;    /* the offer type counts toward the ceiling */
} offers_placement;

/* Checks capacity, full-time overlap and the work-duty ceiling for every
 * rule set in force during [from, to]. The caller holds the case and offer
 * row locks, so concurrent assignments see each other's result. */
offers_check_result offers_placement_check(jc_service *svc, PGconn *db, const offers_placement *p,
                                           offers_check_detail *d, jc_pg_err *e);
/* 1 when the case is covered by the work obligation under `set`. */
int offers_work_duty_covered(const offers_rule_set *set, const char *target_group, int work_duty);
/* Replies the 409 for a failed check. */
void offers_reply_check_failure(jc_http_req *req, offers_check_result res,
                                const offers_check_detail *d);

/* ---------------------------------------------------------------- follow-ups (follow_ups.c) */

/* Creates the employer follow-up of a company-oriented enrolment ending on
 * `planned_end`. Returns 0 or -1. */
int offers_follow_up_create(jc_service *svc, PGconn *db, const char *enrolment_id,
                            const char *case_id, jc_date planned_start, jc_date planned_end,
                            jc_pg_err *e);

/* ---------------------------------------------------------------- the sweep (sweep.c) */

/* The service's jc_service_def.sweep: emits offer.due_soon.v1 for
 * obligations whose warning date has come and offer.missed.v1 for those past
 * due on `today`, each exactly once (the row is marked and the event written
 * in one transaction per batch, rows claimed FOR UPDATE SKIP LOCKED). Adds
 * {"due_soon": n, "missed": n} to `report`. Returns 0, or -1 with `err`. */
int offers_sweep(jc_service *svc, PGconn *db, jc_date today, json_t *report, char *err,
                 size_t errlen);

/* ---------------------------------------------------------------- HTTP helpers (http_util.c) */

/* The body as a JSON object (borrowed: freed with the request), unknown
 * fields recorded in `v`; NULL after replying 400/415. */
json_t *offers_body(jc_http_req *req, const char *const *fields, jc_verrs *v);
/* A path UUID parameter, or NULL after replying 422. */
const char *offers_path_uuid(jc_http_req *req, const char *name);
/* A path UUID parameter, or NULL with an error in v (for handlers that also
 * validate a body, so one 422 names every failing field). */
const char *offers_path_uuid_check(jc_http_req *req, const char *name, jc_verrs *v);
/* Query "limit" (default 50, 1..500) into *limit; errors into v. */
void offers_query_limit(jc_http_req *req, long def, long max, long *limit, jc_verrs *v);
/* Query "cursor" "<key>_<uuid>": key into `key` (at most keylen-1), uuid
 * into `id`. Absent: both "". Malformed: an error in v. */
void offers_query_cursor(jc_http_req *req, char *key, size_t keylen, char id[JC_UUID_STRLEN],
                         jc_verrs *v);
/* Query date `name`: 1 found, 0 absent, -1 invalid (error in v). */
int offers_query_date(jc_http_req *req, const char *name, jc_date *out, jc_verrs *v);
/* ROLLBACK and reply the database error. */
void offers_db_fail(jc_http_req *req, PGconn *db, const jc_pg_err *e);
/* Claims an Idempotency-Key (if sent) in the open transaction. Returns 1
 * to go on, 0 when it replied (replay, conflict, error; rolled back). */
int offers_idem_begin(jc_http_req *req, PGconn *db, const char *scope, json_t *body);
/* Stores the answer under the key (if sent). Returns 0 or -1. */
int offers_idem_finish(jc_http_req *req, PGconn *db, const char *scope, int status, json_t *resp,
                       jc_pg_err *e);
/* 1 when the Idempotency-Key header (if sent) is 1-128 characters; else an
 * error in v. */
void offers_idem_check(jc_http_req *req, jc_verrs *v);
/* Replies 200 {"items": column 0 (JSON text) of the first `limit` rows,
 * "next_cursor": column 1 of row limit-1 when `r` has more rows (list
 * statements ask for limit + 1), else null} merged into `extra` (stolen; may
 * be NULL). */
void offers_reply_page(jc_http_req *req, const PGresult *r, long limit, json_t *extra);
/* Runs list statement `stmt` and replies its page; a cursor the statement
 * cannot parse (SQLSTATE 22) is 422 naming "cursor". */
void offers_list_reply(jc_http_req *req, PGconn *db, const char *stmt, int nparams,
                       const char *const *params, long limit);
/* Text of a PGresult value, or NULL when SQL NULL. */
const char *offers_pq_str(const PGresult *r, int row, int col);
/* Parses a DATE column. */
jc_date offers_pq_date(const PGresult *r, int row, int col);

/* ---------------------------------------------------------------- HTTP handlers */
void offers_types_list(jc_http_req *req);
void offers_provider_create(jc_http_req *req);
void offers_provider_list(jc_http_req *req);
void offers_offer_create(jc_http_req *req);
void offers_offer_list(jc_http_req *req);
void offers_offer_get(jc_http_req *req);
void offers_case_get(jc_http_req *req);
void offers_work_duty_set(jc_http_req *req);
void offers_enrolment_create(jc_http_req *req);
void offers_enrolment_list(jc_http_req *req);
void offers_enrolment_get(jc_http_req *req);
void offers_enrolment_start(jc_http_req *req);
void offers_attendance_record(jc_http_req *req);
void offers_enrolment_end(jc_http_req *req);
void offers_obligation_list(jc_http_req *req);
void offers_review_list(jc_http_req *req);
void offers_follow_up_list(jc_http_req *req);
void offers_follow_up_result(jc_http_req *req);
void offers_job_effect_report(jc_http_req *req);
void offers_measure_active_offer(jc_http_req *req);

/* ---------------------------------------------------------------- consumed events */
jc_handle_result offers_on_case_opened(jc_consume_ctx *ctx);
jc_handle_result offers_on_caseworker_assigned(jc_consume_ctx *ctx);
jc_handle_result offers_on_target_group_changed(jc_consume_ctx *ctx);
jc_handle_result offers_on_visitation_changed(jc_consume_ctx *ctx);
jc_handle_result offers_on_case_closed(jc_consume_ctx *ctx);
jc_handle_result offers_on_meeting_held(jc_consume_ctx *ctx);

#endif
