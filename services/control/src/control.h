#ifndef CONTROL_H
#define CONTROL_H

#include <jansson.h>

#include "jc/buf.h"
#include "jc/consumer.h"
#include "jc/date.h"
#include "jc/http.h"
#include "jc/pg.h"
#include "jc/rules.h"
#include "jc/service.h"
#include "jc/uuid.h"
#include "jc/validate.h"

#define CTL_CONTROL_TOPIC "jobcenter.control.v1"
#define CTL_CASE_TOPIC "jobcenter.case.v1"
#define CTL_CITIZEN_TOPIC "jobcenter.citizen.v1"
#define CTL_MEETING_TOPIC "jobcenter.meeting.v1"
#define CTL_OFFER_TOPIC "jobcenter.offer.v1"
#define CTL_UDK_TOPIC "udk.campaign.v1"

#define CTL_FEED_FORMAT "udk-campaign.v1"
#define CTL_ID_MAX 64                 /* campaign_id, feed_id, udk_ref */
#define CTL_FEED_MAX_RECORDS 10000000LL
#define CTL_FEED_MAX_PARTS 100000LL
#define CTL_FEED_MAX_LINE 16384       /* bytes per line; longer lines are invalid */
#define CTL_FEED_REPORT_ERRORS 100    /* errors listed in a feed report */
#define CTL_TEXT_MAX 4000             /* notes, outcomes, reasons */

/* The service's own state (svc->ctx), set up by ctl_init. */
typedef struct ctl_ctx {
        unsigned char cpr_key[512];   /* JC_CPR_HMAC_KEY */
        size_t cpr_key_len;
        json_t *udk_keys;             /* {"<key id>": "<secret>"}, NULL: Kafka feeds refused */
        jc_rulebook rules;            /* rules/sanction_rules.json */
        long feed_max_bytes;
        long feed_max_invalid_pct;
        long feed_part_timeout_h;
} ctl_ctx;

extern const jc_pg_stmt ctl_stmts[];
extern const char *const ctl_themes[];

/* ---- CPR (cpr.c) ---- */
/* The form check is jc_cpr_normalise (jc/cpr.h). */
/* The keyed hash (HMAC-SHA256, JC_CPR_HMAC_KEY) of a normalised CPR, as 64
 * hex digits. Returns 0 or -1. */
int ctl_cpr_hash(const ctl_ctx *ctx, const char cpr[11], char hex[65]);
/* 1 when `text` contains something shaped like a CPR number (6 digits of a
 * real date, an optional hyphen, 4 digits): free text that leaves control in
 * an event must not carry one. */
int ctl_text_has_cpr(const char *text);

/* ---- the feed format (feed_parse.c, no database) ---- */
typedef int (*ctl_line_fn)(void *opaque, long line_no, const char *line, size_t len,
                           int too_long);

/* Splits a byte stream into lines in bounded memory: a line longer than
 * max_line is handed over empty with too_long set. */
typedef struct ctl_lines {
        jc_buf cur;
        size_t max_line;
        long line_no;
        int too_long;
        ctl_line_fn fn;
        void *opaque;
} ctl_lines;

void ctl_lines_init(ctl_lines *l, size_t max_line, ctl_line_fn fn, void *opaque);
/* Returns -1 when the callback stopped it (or out of memory). */
int ctl_lines_feed(ctl_lines *l, const char *data, size_t len);
/* Hands over a last line that had no newline. */
int ctl_lines_finish(ctl_lines *l);
void ctl_lines_release(ctl_lines *l);
int ctl_line_is_blank(const char *line, size_t len);
/* campaign_id, feed_id, udk_ref: 1..64 of [A-Za-z0-9._:-]. */
int ctl_id_ok(const char *s);

typedef struct ctl_feed_header {
        char campaign_id[CTL_ID_MAX + 1];
        char feed_id[CTL_ID_MAX + 1];
        char theme[24];
        char kind[16];
        jc_date period_from;
        jc_date period_to;
        long long record_count;       /* records in the whole feed (all parts) */
        long long part;               /* 1 and 1 when absent (HTTP) */
        long long parts;
        int has_parts;
        jc_buf target_groups;         /* PostgreSQL array literal; empty: every group */
        char digest[65];              /* canonical header without "part" */
} ctl_feed_header;

/* Checks the header line; every failing field goes into `v` as
 * "header.<field>". Release with ctl_feed_header_release. */
void ctl_feed_header_parse(json_t *obj, ctl_feed_header *h, jc_verrs *v);
void ctl_feed_header_release(ctl_feed_header *h);

typedef struct ctl_feed_record {
        const char *udk_ref;          /* borrowed from the parsed line */
        char cpr[11];                 /* normalised; the caller wipes it after hashing */
        json_t *evidence;             /* borrowed */
} ctl_feed_record;

/* Checks one record line against the campaign's theme. */
void ctl_feed_record_parse(json_t *obj, const char *theme, ctl_feed_record *r, jc_verrs *v);

/* ---- staging a feed's lines (feed_stage.c) ---- */
typedef enum ctl_stage_mode {
        CTL_STAGE_HEADER,             /* waiting for the header line */
        CTL_STAGE_COPY,               /* records go to record_stage by COPY */
        CTL_STAGE_SKIP,               /* records are ignored (replay check, re-sent part) */
} ctl_stage_mode;

typedef struct ctl_stage ctl_stage;

/* Called once with the valid header; it claims the feed and sets the mode
 * (ctl_stage_start_copy, or CTL_STAGE_SKIP). Returns 0, or -1 to stop. */
typedef int (*ctl_header_fn)(ctl_stage *st);

struct ctl_stage {
        jc_service *svc;
        PGconn *db;
        ctl_lines lines;
        ctl_stage_mode mode;
        ctl_feed_header header;
        int have_header;
        jc_verrs header_errors;       /* a refused header: every failing field */
        ctl_header_fn on_header;
        void *channel;                /* the HTTP upload or the Kafka part */
        char feed_uuid[JC_UUID_STRLEN];
        char part_text[24];
        long records;                 /* record lines (not blank, not the header) */
        long invalid;
        int copying;
        jc_buf copy;                  /* COPY rows not yet sent */
        int failed;                   /* database failure, in `err` */
        jc_pg_err err;
};

void ctl_stage_init(ctl_stage *st, jc_service *svc, PGconn *db, ctl_header_fn on_header,
                    void *channel);
/* Feeds bytes; returns -1 when it stopped (header refused, on_header
 * stopped, database failure: st->failed). */
int ctl_stage_feed(ctl_stage *st, const char *data, size_t len);
/* The end of the input: the last line, and the end of the COPY. */
int ctl_stage_finish(ctl_stage *st);
/* Starts COPY into record_stage for st->feed_uuid, part `part`. */
int ctl_stage_start_copy(ctl_stage *st, long long part);
/* Aborts a COPY in progress; frees. */
void ctl_stage_release(ctl_stage *st);

/* ---- feeds: claim and completion (feed_store.c) ---- */
typedef enum ctl_claim {
        CTL_CLAIM_NEW,                /* a new feed (or a refused one taken over): stage it */
        CTL_CLAIM_EXISTS,             /* known: `existing` says what it is */
        CTL_CLAIM_MISMATCH,           /* the campaign was received with other facts */
        CTL_CLAIM_ERROR,
} ctl_claim;

typedef struct ctl_feed_row {
        char feed_uuid[JC_UUID_STRLEN];
        char status[16];
        char received_via[8];
        char header_digest[65];
        char digest[65];              /* "" when none */
        long parts;
        int response_status;
        char *response;               /* malloc'd; ctl_feed_row_release */
        int taken_over;               /* a refused feed reset for this re-send
                                       * (digest and response are the old ones) */
} ctl_feed_row;

void ctl_feed_row_release(ctl_feed_row *r);
/* In the caller's transaction: records the campaign (or checks the header
 * against it: on MISMATCH `field` names the header field) and inserts the
 * feed, or locks the existing one (a refused feed with `take_refused` is
 * reset and taken over as NEW). */
ctl_claim ctl_feed_claim(PGconn *db, const ctl_feed_header *h, const char *via,
                         const char *principal, int take_refused, ctl_feed_row *existing,
                         char field[48], jc_pg_err *e);
/* Resets a feed (refused, or a Kafka feed re-sent) to receive `h` anew. */
int ctl_feed_take_over(PGconn *db, const char *feed_uuid, const ctl_feed_header *h,
                       const char *via, const char *principal, jc_pg_err *e);
/* Accepts or refuses the feed whose lines are all staged: errors and
 * duplicates by line, matching through the keyed hash, control cases or
 * letter requests, the events, the counts. `*answer` gets the HTTP answer
 * (new reference: the report, or for a refused feed a problem+json with the
 * report) and `*http_status` 201 or 422; both are stored for replays. */
int ctl_feed_complete(jc_service *svc, PGconn *db, const char *feed_uuid, json_t **answer,
                      int *http_status, jc_pg_err *e);
/* The report of a feed (new reference), from its row; json_null() when
 * there is no such feed, NULL with `e` set on failure. */
json_t *ctl_feed_report(PGconn *db, const char *feed_uuid, jc_pg_err *e);
/* Refuses feeds still waiting for Kafka parts after `hours` (the sweep). */
int ctl_feed_expire(PGconn *db, long hours, int *expired, jc_pg_err *e);

/* ---- rules (rules.c) ---- */
typedef enum ctl_consequence {
        CTL_MUNICIPAL_SANCTION,
        CTL_AKASSE_REPORT,
        CTL_MANUAL_ASSESSMENT,
} ctl_consequence;

/* What a no-show without lawful reason on `on` leads to for `target_group`;
 * `rule_id` (may be NULL) gets the deciding rule's id. */
ctl_consequence ctl_rules_consequence(const ctl_ctx *ctx, const char *target_group, jc_date on,
                                      char rule_id[80]);
const char *ctl_consequence_name(ctl_consequence c);

typedef struct ctl_rate {
        char kind[16];                /* sats-1 … sats-4 */
        long rate_dkk;
        char rule_set[48];
        char effective_from[JC_DATE_STRLEN];
} ctl_rate;

/* The sanction rate for a monthly benefit (whole DKK) on `on`. Returns 0, or
 * -1 when no rule set or bracket applies. */
int ctl_rules_rate(const ctl_ctx *ctx, jc_date on, long long monthly_dkk, ctl_rate *out);
/* The hearing period in days on `on` (14 when no rule says). */
long ctl_rules_hearing_days(const ctl_ctx *ctx, jc_date on);

typedef struct ctl_availability_rule {
        char rule_set[48];
        long doubts;
        long window_days;
        long contact_every_days;
        long assessment_after_days;
} ctl_availability_rule;

/* The availability-course rule for `target_group` on `on`; -1 when none. */
int ctl_rules_availability(const ctl_ctx *ctx, const char *target_group, jc_date on,
                           ctl_availability_rule *out);
/* Checks the fields control reads from the rule file. Returns 0 or -1. */
int ctl_rules_check(const ctl_ctx *ctx, char *err, size_t errlen);

/* ---- consequences: proposals, a-kasse reports, availability (consequences.c) ---- */
typedef struct ctl_occurrence {
        const char *case_id;
        const char *citizen_ref;
        const char *target_group;
        const char *basis;            /* meeting_no_show | offer_attendance_missed | availability */
        const char *source_id;        /* uuid: meeting, enrolment or availability course */
        const char *source_event_id;  /* the causing event's id (or the course id) */
        const char *meeting_id;       /* may be NULL */
        const char *enrolment_id;     /* may be NULL */
        jc_date occurred_on;
} ctl_occurrence;

/* Opens a sanction proposal. With the case's benefit basis on file the rate
 * is chosen at once, the hearing starts and sanction.proposed.v1 goes out;
 * else it waits (awaiting_basis) for ctl_proposal_publish. `proposal_id` gets
 * its id ("" if the occurrence had one already). */
int ctl_proposal_open(jc_service *svc, PGconn *db, const ctl_occurrence *o,
                      char proposal_id[JC_UUID_STRLEN], jc_pg_err *e);
/* Chooses the rate for `monthly_dkk`, starts the hearing (deadline from the
 * rules) and emits sanction.proposed.v1 for a locked proposal awaiting its
 * basis. Returns 0, 1 when no rate is in force on its day, -1 on error. */
int ctl_proposal_publish(jc_service *svc, PGconn *db, const char *proposal_id,
                         long long monthly_dkk, jc_pg_err *e);
/* Requests a report to the citizen's a-kasse: akasse.report_requested.v1
 * now, or (a-kasse not known) held until a caseworker names it. */
int ctl_akasse_report(jc_service *svc, PGconn *db, const ctl_occurrence *o,
                      char report_id[JC_UUID_STRLEN], jc_pg_err *e);
/* Emits akasse.report_requested.v1 for a stored report with its a-kasse. */
int ctl_akasse_report_emit(jc_service *svc, PGconn *db, const char *report_id, jc_pg_err *e);
/* What the rules give for the occurrence's target group: a proposal, a
 * report, or nothing (manual assessment). */
int ctl_consequence_apply(jc_service *svc, PGconn *db, const ctl_occurrence *o,
                          ctl_consequence *applied, char proposal_id[JC_UUID_STRLEN],
                          char report_id[JC_UUID_STRLEN], jc_pg_err *e);
/* Records a doubt about availability (idempotent on source and source_id);
 * when the rule's count is reached within its window and no course is open,
 * starts a course and emits availability.course_started.v1. `course_id` gets
 * it ("" if none). Returns 0, 1 when the case's target group has no duty to
 * be available (nothing recorded), -1 on error. */
int ctl_availability_doubt(jc_service *svc, PGconn *db, const char *case_id, jc_date observed_on,
                           const char *source, const char *source_id, const char *note,
                           const char *recorded_by, char course_id[JC_UUID_STRLEN], jc_pg_err *e);

/* ---- events (events.c) ---- */
/* Emits `short_type` on jobcenter.control.v1 keyed by `key` (case_id, or the
 * campaign_id for campaign events), `data` stolen. */
int ctl_emit(jc_service *svc, PGconn *db, const char *key, const char *short_type, json_t *data,
             jc_pg_err *e);

/* ---- consumed events ---- */
jc_handle_result ctl_on_citizen_upserted(jc_consume_ctx *ctx);
jc_handle_result ctl_on_citizen_erased(jc_consume_ctx *ctx);
jc_handle_result ctl_on_case_opened(jc_consume_ctx *ctx);
jc_handle_result ctl_on_case_target_group_changed(jc_consume_ctx *ctx);
jc_handle_result ctl_on_case_visitation_changed(jc_consume_ctx *ctx);
jc_handle_result ctl_on_case_caseworker_assigned(jc_consume_ctx *ctx);
jc_handle_result ctl_on_case_closed(jc_consume_ctx *ctx);
jc_handle_result ctl_on_meeting_no_show(jc_consume_ctx *ctx);
jc_handle_result ctl_on_offer_attendance_missed(jc_consume_ctx *ctx);
jc_handle_result ctl_on_udk_feed_part(jc_consume_ctx *ctx);
int ctl_on_dead_letter(jc_consume_ctx *ctx, const char *reason, jc_pg_err *e);

/* ---- HTTP helpers (http_util.c) ---- */
/* A pooled connection inside BEGIN, or NULL after replying. */
PGconn *ctl_http_begin(jc_http_req *req);
/* Rolls back and replies 503/500. */
void ctl_http_fail(jc_http_req *req, PGconn *db, const jc_pg_err *e);
/* COMMIT, then reply `status` with `body` (stolen); on a failed commit
 * replies the database error. */
void ctl_http_commit_reply(jc_http_req *req, PGconn *db, int status, json_t *body);
const char *ctl_principal(jc_http_req *req);
/* The path parameter as a UUID, or NULL after replying 422. */
const char *ctl_path_uuid(jc_http_req *req, const char *name);
/* limit (1..200, default 50) and a keyset cursor "<timestamp>_<uuid>" from
 * the query; errors into `v`. */
void ctl_page_params(jc_http_req *req, long *limit, char cursor_ts[40],
                     char cursor_id[JC_UUID_STRLEN], int *has_cursor, jc_verrs *v);
/* An optional query parameter from `allowed`; errors into `v`. */
const char *ctl_query_enum(jc_http_req *req, const char *name, const char *const *allowed,
                           jc_verrs *v);
/* An optional query parameter that must be a UUID; errors into `v`. */
const char *ctl_query_uuid(jc_http_req *req, const char *name, jc_verrs *v);
/* Writes who read which personal data, when and why (X-Purpose). */
int ctl_audit_read(jc_http_req *req, PGconn *db, const char *resource, const char *resource_id,
                   const char *case_id, const char *citizen_ref, jc_pg_err *e);
/* The value of a nullable column, or NULL. */
const char *ctl_col(const PGresult *r, int row, int col);
/* Idempotency-Key (optional on every create): ctl_idem_check records a
 * malformed key in `v`; ctl_idem_claim, in the transaction, returns 0 to go
 * on, 1 after replying (a replay, or 409 for another body; rolled back), or
 * -1 on a database error; ctl_idem_store keeps the answer for replays. */
void ctl_idem_check(jc_http_req *req, jc_verrs *v);
int ctl_idem_claim(jc_http_req *req, PGconn *db, json_t *body, jc_pg_err *e);
int ctl_idem_store(jc_http_req *req, PGconn *db, int status, json_t *resp, jc_pg_err *e);
/* {"items": items (stolen), "next_cursor": column `col` of the last row when
 * the page is full, else null}: a new reference (caller replies or decrefs). */
json_t *ctl_page(json_t *items, const PGresult *r, long limit, int col);

/* A list endpoint: optional query filters (an enum from `allowed`, a UUID, or
 * an id of letters, digits and . _ : -), then limit and cursor, each error
 * named; runs `stmt` with the filters' values in order, then the cursor's
 * timestamp and id and the limit; replies {"items": [row(r, i)...],
 * "next_cursor"} with the cursor taken from column `cursor_col`. Replies on
 * every error. `filters` ends with a filter whose name is NULL. */
#define CTL_LIST_MAX_FILTERS 4
typedef enum { CTL_FILTER_ENUM, CTL_FILTER_UUID, CTL_FILTER_ID } ctl_filter_kind;
typedef struct ctl_list_filter {
        const char *name;
        ctl_filter_kind kind;
        const char *const *allowed; /* CTL_FILTER_ENUM */
} ctl_list_filter;
/* One row as a new JSON object (the list owns it). */
typedef json_t *(*ctl_row_json_fn)(const PGresult *r, int i);
void ctl_list_reply(jc_http_req *req, const ctl_list_filter *filters, const char *stmt,
                    ctl_row_json_fn row, int cursor_col);

/* ---- HTTP handlers ---- */
void *ctl_feed_upload_begin(jc_http_req *req);
int ctl_feed_upload_chunk(jc_http_req *req, void *state, const char *data, size_t len);
void ctl_feed_upload_end(jc_http_req *req, void *state);
void ctl_feed_upload_release(void *state);
void ctl_feed_get(jc_http_req *req);
void ctl_feed_errors(jc_http_req *req);
void ctl_campaign_list(jc_http_req *req);
void ctl_campaign_get(jc_http_req *req);

void ctl_control_case_create(jc_http_req *req);
void ctl_control_case_list(jc_http_req *req);
void ctl_control_case_get(jc_http_req *req);
void ctl_control_case_evidence(jc_http_req *req);
void ctl_control_case_note(jc_http_req *req);
void ctl_control_case_outcome(jc_http_req *req);
void ctl_control_case_close(jc_http_req *req);

void ctl_proposal_list(jc_http_req *req);
void ctl_proposal_get(jc_http_req *req);
void ctl_proposal_amount_basis(jc_http_req *req);
void ctl_proposal_hearing_response(jc_http_req *req);
void ctl_proposal_decision(jc_http_req *req);
void ctl_benefit_basis_put(jc_http_req *req);
void ctl_akasse_report_list(jc_http_req *req);
void ctl_akasse_report_set_akasse(jc_http_req *req);
void ctl_no_show_list(jc_http_req *req);

void ctl_availability_doubt_post(jc_http_req *req);
void ctl_availability_course_list(jc_http_req *req);
void ctl_availability_assessment(jc_http_req *req);

/* The periodic sweep (sweep.c): Kafka feeds whose parts never all came. */
int ctl_sweep(jc_service *svc, PGconn *db, jc_date today, json_t *report, char *err,
              size_t errlen);

#endif
