#ifndef NOTIFICATIONS_H
#define NOTIFICATIONS_H

#include <jansson.h>
#include <stdint.h>

#include "jc/buf.h"
#include "jc/consumer.h"
#include "jc/date.h"
#include "jc/service.h"
#include "jc/uuid.h"
#include "jc/validate.h"

#define NOTIF_CASE_TOPIC "jobcenter.case.v1"
#define NOTIF_CITIZEN_TOPIC "jobcenter.citizen.v1"
#define NOTIF_MEETING_TOPIC "jobcenter.meeting.v1"
#define NOTIF_OFFER_TOPIC "jobcenter.offer.v1"
#define NOTIF_CONTROL_TOPIC "jobcenter.control.v1"
#define NOTIF_OUT_TOPIC "jobcenter.notification.v1"
#define NOTIF_DLQ_TOPIC "jobcenter.dlq.v1"
#define NOTIF_DELIVERY_CONSUMER "notifications-delivery"
#define NOTIF_REMINDER_TRIGGER "meeting.reminder"

/* ---- who a message goes to, and how (spec.c) ---- */
typedef enum notif_recipient_kind {
        NOTIF_TO_CITIZEN,
        NOTIF_TO_AKASSE,
        NOTIF_TO_CASEWORKER,
} notif_recipient_kind;

/* How the channel is chosen when the message is rendered:
 *   LETTER   Digital Post when the citizen has it, else a physical letter;
 *   NOTICE   SMS when there is a phone number, else e-mail, else as LETTER;
 *   AKASSE   the a-kasse's webhook;
 *   INTERNAL the caseworkers' internal queue. */
typedef enum notif_channel_class {
        NOTIF_CLASS_LETTER,
        NOTIF_CLASS_NOTICE,
        NOTIF_CLASS_AKASSE,
        NOTIF_CLASS_INTERNAL,
} notif_channel_class;

/* One template and what its trigger provides: a template file may use
 * exactly these placeholders (checked at start-up). */
typedef struct notif_template_spec {
        const char *id;                 /* "meeting_invitation" */
        const char *trigger;            /* "meeting.booked.v1" */
        notif_recipient_kind recipient;
        notif_channel_class cls;
        const char *const *fields;      /* NULL-terminated, set by the event handler */
} notif_template_spec;

extern const notif_template_spec notif_specs[]; /* ends with {NULL} */
const notif_template_spec *notif_spec_find(const char *id);
/* The fields added when the message is rendered (name, sender, letter_date). */
const char *const *notif_render_fields(notif_recipient_kind k);
const char *notif_recipient_kind_name(notif_recipient_kind k);
/* 1 when the recipient kind needs the citizen's data to render. */
int notif_needs_citizen(notif_recipient_kind k);

/* ---- the template language (template.c) ----
 * Text with {{field}} placeholders (field: [a-z0-9_]+, spaces allowed
 * inside the braces). No logic, no code: a value is inserted as it is in
 * plain text and HTML-escaped in HTML. */
typedef int (*notif_placeholder_fn)(const char *name, void *arg);
/* Calls fn for every placeholder. Returns 0; -1 with err ("line N: ...")
 * for a syntax error or when fn returns non-zero (fn writes err via arg). */
int notif_tmpl_scan(const char *src, notif_placeholder_fn fn, void *arg, char *err, size_t errlen);
/* Renders `src` with string values from `values`. Returns a malloc'd string
 * (caller frees), or NULL with err naming a missing field. */
char *notif_tmpl_render(const char *src, json_t *values, int html, char *err, size_t errlen);
/* Appends `s` HTML-escaped (& < > " ') to `b`. */
int notif_html_escape(jc_buf *b, const char *s);

/* ---- the installed templates (templates.c) ----
 * Files <id>.v<N>.txt (first line "Emne: <subject>", a blank line, the
 * body) and <id>.v<N>.html, built in from ../templates/ or read from
 * JC_NOTIFY_TEMPLATES_DIR. New messages use the highest version of a
 * template; a message keeps the version it was created with. */
typedef struct notif_template {
        char id[48];
        int version;
        const notif_template_spec *spec;
        char *subject; /* owned */
        char *text;    /* owned */
        char *html;    /* owned */
} notif_template;

typedef struct notif_templates {
        notif_template *items;
        size_t n;
} notif_templates;

/* Loads and checks every template: file names, both parts present, subject
 * line, placeholders against the spec. Returns 0, or -1 with err naming the
 * file and the field. Release with notif_templates_release(). */
int notif_templates_load(notif_templates *t, const char *dir, const jc_embedded_file *embedded,
                         char *err, size_t errlen);
void notif_templates_release(notif_templates *t);
const notif_template *notif_templates_latest(const notif_templates *t, const char *id);
const notif_template *notif_templates_get(const notif_templates *t, const char *id, int version);

/* ---- Danish wording (danish.c) ---- */
/* "mandag den 2. marts 2026" */
void notif_da_long_date(jc_date d, char *out, size_t outlen);
/* "2. marts 2026" */
void notif_da_date(jc_date d, char *out, size_t outlen);
/* From an RFC 3339 time: the Copenhagen date (long form) and "HH:MM".
 * Returns 0, or -1 when `rfc3339` is invalid. */
int notif_da_date_time(const char *rfc3339, char *date, size_t datelen, char *hhmm, size_t hhmmlen,
                       jc_date *local_date);
const char *notif_da_channel(const char *channel);
const char *notif_da_place(const char *channel);
const char *notif_da_target_group(const char *group);
const char *notif_da_offer_type(const char *code);
const char *notif_da_cancel_reason(const char *reason);
const char *notif_da_obligation_kind(const char *kind);
const char *notif_da_theme(const char *theme);
const char *notif_da_basis(const char *basis);
const char *notif_da_akasse_reason(const char *reason);
const char *notif_da_sanction_rate(const char *kind);

/* ---- a-kasse webhooks (akasse_hooks.c) ----
 * JC_NOTIFY_AKASSE_WEBHOOKS_FILE:
 *   {"webhooks": {"3F": {"url": "http://…/reports", "secret": "…"},
 *                 "*":  {"url": "http://…/akasse/{akasse}/reports"}}}
 * "*" is the fallback for codes not listed ({akasse} is replaced by the
 * code); "secret" (optional) signs the body: header
 * jc-signature: sha256=<hex HMAC-SHA256>. */
typedef struct notif_akasse_hooks {
        json_t *root; /* owned; NULL when no file */
} notif_akasse_hooks;

int notif_akasse_hooks_load(notif_akasse_hooks *h, const char *path, char *err, size_t errlen);
void notif_akasse_hooks_release(notif_akasse_hooks *h);
/* The URL for `code` in `url` and its secret (borrowed, may be NULL).
 * Returns 0, or -1 when no webhook is configured for the code. */
int notif_akasse_hook(const notif_akasse_hooks *h, const char *code, char *url, size_t urllen,
                      const char **secret);

/* ---- the service's state (svc->ctx) ---- */
typedef struct notif_delivery notif_delivery;

typedef struct notif_ctx {
        notif_templates templates;
        notif_akasse_hooks hooks;
        const char *digital_post_url;
        const char *email_url;
        const char *sms_url;
        const char *spool_dir;
        const char *sender;          /* the jobcentre's name in letters */
        long retry_base_ms;
        long retry_cap_ms;
        long max_attempts;
        long connect_timeout_ms;
        long timeout_ms;
        long reminder_lead_hours;
        long contact_wait_hours;
        long hearing_days;
        long workers;
        long poll_ms;
        notif_delivery *delivery;    /* the worker threads, NULL when workers == 0 */
} notif_ctx;

extern const jc_pg_stmt notif_stmts[];

/* ---- creating messages (message.c) ---- */
typedef struct notif_new_message {
        const char *template_id;
        const char *event_id;          /* CloudEvents id (or the reminder's key) */
        const char *trigger;           /* event type */
        notif_recipient_kind kind;
        const char *recipient_id;      /* citizen_ref / a-kasse code / caseworker id */
        const char *case_id;
        const char *citizen_ref;       /* may be NULL for caseworker messages */
        json_t *fields;                /* borrowed */
        const char *event_time;        /* RFC 3339, may be NULL */
        const char *origin_topic;
        int origin_partition;
        int64_t origin_offset;
        const char *origin_key;        /* may be NULL */
} notif_new_message;

/* Inserts the message unless (event, recipient, template) exists. Citizen
 * and caseworker messages of a closed case, and messages to an erased
 * citizen, are stored cancelled; without the citizen's data yet they wait
 * (awaiting_contact). `message_id` (may be NULL) gets the id when created,
 * "" when the message existed. Returns 0, or -1 with e set. */
int notif_message_create(jc_service *svc, PGconn *db, const notif_new_message *m,
                         char message_id[JC_UUID_STRLEN], jc_pg_err *e);
/* The same from a consumed event: origin and event id/time from ctx. */
jc_handle_result notif_message_from_event(jc_consume_ctx *ctx, const char *template_id,
                                          notif_recipient_kind kind, const char *recipient_id,
                                          const char *case_id, const char *citizen_ref,
                                          json_t *fields);
/* Handler helpers: a contract failure is poison (reason names the field), a
 * database failure a retry. */
jc_handle_result notif_invalid(jc_consume_ctx *ctx, jc_verrs *v);
jc_handle_result notif_db_failed(jc_consume_ctx *ctx, const jc_pg_err *e);

/* ---- outcomes (outcome.c): events, dead letters ---- */
typedef struct notif_msg_ref {
        const char *message_id;
        const char *case_id;
        const char *citizen_ref;       /* may be NULL */
        const char *recipient_kind;
        const char *recipient_id;
        const char *template_id;
        int template_version;
        const char *trigger;
        const char *event_id;
        const char *channel;           /* may be NULL (failed before a channel was chosen) */
        const char *origin_topic;
        int origin_partition;
        int64_t origin_offset;
        const char *origin_key;        /* may be NULL */
} notif_msg_ref;

/* Emits notification.sent.v1 in the caller's transaction. */
int notif_emit_sent(jc_service *svc, PGconn *db, const notif_msg_ref *m, int attempts,
                    jc_pg_err *e);
/* Marks the message failed with `reason` (no personal data in it), records
 * the dead letter and emits deadletter.recorded.v1 and
 * notification.failed.v1, all in the caller's transaction. */
int notif_fail(jc_service *svc, PGconn *db, const notif_msg_ref *m, int attempts,
               int http_status, const char *reason, jc_pg_err *e);

/* ---- consumed events ---- */
jc_handle_result notif_on_case_opened(jc_consume_ctx *ctx);
jc_handle_result notif_on_case_caseworker_assigned(jc_consume_ctx *ctx);
jc_handle_result notif_on_case_target_group_changed(jc_consume_ctx *ctx);
jc_handle_result notif_on_case_closed(jc_consume_ctx *ctx);
jc_handle_result notif_on_citizen_upserted(jc_consume_ctx *ctx);
jc_handle_result notif_on_citizen_tombstone(jc_consume_ctx *ctx);
jc_handle_result notif_on_meeting_booked(jc_consume_ctx *ctx);
jc_handle_result notif_on_meeting_rescheduled(jc_consume_ctx *ctx);
jc_handle_result notif_on_meeting_cancelled(jc_consume_ctx *ctx);
jc_handle_result notif_on_meeting_no_show(jc_consume_ctx *ctx);
jc_handle_result notif_on_obligation_due_soon(jc_consume_ctx *ctx);
jc_handle_result notif_on_offer_assigned(jc_consume_ctx *ctx);
jc_handle_result notif_on_sanction_proposed(jc_consume_ctx *ctx);
jc_handle_result notif_on_sanction_decided(jc_consume_ctx *ctx);
jc_handle_result notif_on_akasse_report_requested(jc_consume_ctx *ctx);
jc_handle_result notif_on_information_requested(jc_consume_ctx *ctx);

/* ---- rendering (render.c) ---- */
typedef struct notif_contact {
        int present;
        const char *cpr, *name, *email, *phone, *street, *postcode, *city;
        int digital_post;
} notif_contact;

typedef struct notif_rendered {
        char channel[24];
        char *subject, *text, *html; /* malloc'd; notif_rendered_release */
        char reason[256];            /* why it cannot be rendered (permanent) */
} notif_rendered;

/* Chooses the channel and renders the template. Returns 0; 1 when the
 * message can never be sent as it is (reason set); -1 out of memory. */
int notif_render(const jc_service *svc, const notif_template *t, json_t *fields,
                 const notif_contact *c, notif_rendered *out);
void notif_rendered_release(notif_rendered *r);

/* ---- channels (channels.c) ---- */
typedef enum notif_outcome {
        NOTIF_SENT,
        NOTIF_TRANSIENT,   /* retry later */
        NOTIF_PERMANENT,   /* never going to work */
} notif_outcome;

typedef struct notif_outgoing {
        const char *message_id;
        const char *channel;
        const char *template_id;
        int template_version;
        const char *case_id;
        const char *recipient_id;
        const char *subject, *text, *html;
        const notif_contact *contact;
        json_t *fields;
} notif_outgoing;

typedef struct notif_send_result {
        notif_outcome outcome;
        int http_status;         /* 0 when no HTTP answer */
        char error[256];         /* no personal data, no response body */
} notif_send_result;

/* Delivers one rendered message on its channel. `db` is the worker's
 * connection inside the claim transaction (the internal queue writes
 * there). Returns 0 with r filled, -1 on a database error (e set). */
int notif_channel_send(jc_service *svc, PGconn *db, const notif_outgoing *m, notif_send_result *r,
                       jc_pg_err *e);

/* ---- delivery workers (delivery.c) ---- */
int notif_delivery_start(jc_service *svc, char *err, size_t errlen);
void notif_delivery_stop(jc_service *svc);
/* Exponential backoff with jitter for the attempt just failed (1-based):
 * half of min(cap, base * 2^(attempt-1)) plus a random part of that half. */
long notif_backoff_ms(long base_ms, long cap_ms, int attempt);

/* ---- HTTP (messages_http.c) ---- */
void notif_case_messages(jc_http_req *req);
void notif_message_get(jc_http_req *req);
void notif_message_resend(jc_http_req *req);
void notif_messages_list(jc_http_req *req);
void notif_caseworker_reminders(jc_http_req *req);

/* ---- the sweep (sweep.c): reminders due, contact data that never came ---- */
int notif_sweep(jc_service *svc, PGconn *db, jc_date today, json_t *report, char *err,
                size_t errlen);

#endif
