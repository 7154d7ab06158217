/*
 * notifications: turns events into letters and messages for citizens,
 * a-kasser and caseworkers, and delivers each exactly once as far as the
 * receiving channel allows.
 *
 * Consumed events: case_events.c, citizen_events.c (restricted topic),
 * meeting_events.c, offer_events.c, control_events.c -> message.c (one
 * message per event, recipient and template). Templates: spec.c (what each
 * trigger provides), template.c (the renderer), templates.c (loading and
 * start-up checks), ../templates/. Delivery: delivery.c (workers),
 * render.c, channels.c, outcome.c (events, dead letters). sweep.c: meeting
 * reminders. HTTP: messages_http.c. SQL: ../sql/ and stmts.c. Tests:
 * tests/notifications/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jc/config.h"
#include "notifications.h"

extern const jc_embedded_file notifications_migrations[];
extern const jc_embedded_file notifications_templates[];

static const jc_http_route notif_routes[] = {
        {"GET", "/v1/cases/{case_id}/messages", "caseworker", notif_case_messages, "case_messages"},
        {"GET", "/v1/messages", "caseworker|admin", notif_messages_list, "messages_list"},
        {"GET", "/v1/messages/{message_id}", "caseworker|admin", notif_message_get, "message_get"},
        {"POST", "/v1/messages/{message_id}/resend", "admin", notif_message_resend,
         "message_resend"},
        {"GET", "/v1/caseworkers/{caseworker_id}/reminders", "caseworker|admin",
         notif_caseworker_reminders, "caseworker_reminders"},
        {NULL, NULL, NULL, NULL, NULL},
};

static const char *const notif_topics[] = {NOTIF_CASE_TOPIC, NOTIF_CITIZEN_TOPIC,
                                           NOTIF_MEETING_TOPIC, NOTIF_OFFER_TOPIC,
                                           NOTIF_CONTROL_TOPIC, NULL};

static const jc_event_handler notif_handlers[] = {
        {NOTIF_CASE_TOPIC, "case.opened.v1", notif_on_case_opened},
        {NOTIF_CASE_TOPIC, "case.caseworker_assigned.v1", notif_on_case_caseworker_assigned},
        {NOTIF_CASE_TOPIC, "case.target_group_changed.v1", notif_on_case_target_group_changed},
        {NOTIF_CASE_TOPIC, "case.closed.v1", notif_on_case_closed},
        {NOTIF_CITIZEN_TOPIC, "citizen.upserted.v1", notif_on_citizen_upserted},
        {NOTIF_CITIZEN_TOPIC, JC_TYPE_TOMBSTONE, notif_on_citizen_tombstone},
        {NOTIF_MEETING_TOPIC, "meeting.booked.v1", notif_on_meeting_booked},
        {NOTIF_MEETING_TOPIC, "meeting.rescheduled.v1", notif_on_meeting_rescheduled},
        {NOTIF_MEETING_TOPIC, "meeting.cancelled.v1", notif_on_meeting_cancelled},
        {NOTIF_MEETING_TOPIC, "meeting.no_show.v1", notif_on_meeting_no_show},
        {NOTIF_MEETING_TOPIC, "obligation.due_soon.v1", notif_on_obligation_due_soon},
        {NOTIF_OFFER_TOPIC, "offer.assigned.v1", notif_on_offer_assigned},
        {NOTIF_CONTROL_TOPIC, "sanction.proposed.v1", notif_on_sanction_proposed},
        {NOTIF_CONTROL_TOPIC, "sanction.decided.v1", notif_on_sanction_decided},
        {NOTIF_CONTROL_TOPIC, "akasse.report_requested.v1", notif_on_akasse_report_requested},
        {NOTIF_CONTROL_TOPIC, "control.information_requested.v1", notif_on_information_requested},
        {NULL, NULL, NULL},
};

#define DEF_DIGITAL_POST "http://127.0.0.1:8090/digital-post/messages"
#define DEF_EMAIL "http://127.0.0.1:8090/email/messages"
#define DEF_SMS "http://127.0.0.1:8090/sms/messages"
#define DEF_SPOOL "/tmp/jobcenter-letters"
#define DEF_SENDER "Ishøj Jobcenter"

static const jc_config_var notif_config[] = {
        {"JC_NOTIFY_DIGITAL_POST_URL", DEF_DIGITAL_POST,
         "notifications: Digital Post endpoint (HTTP POST, JSON; the dev stack's postreceiver)"},
        {"JC_NOTIFY_EMAIL_URL", DEF_EMAIL,
         "notifications: e-mail gateway endpoint (`none`: no e-mail channel)"},
        {"JC_NOTIFY_SMS_URL", DEF_SMS, "notifications: SMS gateway endpoint (`none`: no SMS channel)"},
        {"JC_NOTIFY_AKASSE_WEBHOOKS_FILE", NULL,
         "notifications: JSON `{\"webhooks\": {\"<code>\": {\"url\": …, \"secret\": …}, \"*\": {\"url\": \"…/{akasse}/…\"}}}` (unset: a-kasse reports fail)"},
        {"JC_NOTIFY_SPOOL_DIR", DEF_SPOOL,
         "notifications: where physical letters are written (<message_id>.txt) for the print service"},
        {"JC_NOTIFY_SENDER", DEF_SENDER, "notifications: the sender named in letters"},
        {"JC_NOTIFY_TEMPLATES_DIR", NULL,
         "notifications: a template directory to use instead of the built-in services/notifications/templates/"},
        {"JC_NOTIFY_DELIVERY_WORKERS", "4",
         "notifications: delivery worker threads in this process (0: this process does not deliver)"},
        {"JC_NOTIFY_POLL_MS", "500", "notifications: idle delivery workers look for due messages this often"},
        {"JC_NOTIFY_RETRY_BASE_MS", "1000", "notifications: first retry delay (doubles per attempt, with jitter)"},
        {"JC_NOTIFY_RETRY_CAP_MS", "300000", "notifications: longest retry delay"},
        {"JC_NOTIFY_MAX_ATTEMPTS", "10",
         "notifications: attempts before a transient failure becomes a failed message (dead letter)"},
        {"JC_NOTIFY_CONNECT_TIMEOUT_MS", "2000", "notifications: HTTP connect timeout of the channels"},
        {"JC_NOTIFY_TIMEOUT_MS", "10000", "notifications: HTTP answer timeout of the channels"},
        {"JC_NOTIFY_REMINDER_LEAD_HOURS", "24", "notifications: meeting reminders go out this long before the start"},
        {"JC_NOTIFY_CONTACT_WAIT_HOURS", "72",
         "notifications: a message waiting this long for the citizen's contact data fails"},
        {"JC_NOTIFY_HEARING_DAYS", "14",
         "notifications: days after a no-show the hearing letter gives the citizen to answer"},
};

static const char *url_or_null(const char *name, const char *def)
{
        const char *v = jc_config_str(name, def);

        return strcmp(v, "none") == 0 ? NULL : v;
}

/* A channel URL the HTTP client can use (checked at start, not per message). */
static int check_url(const char *name, const char *url, char *err, size_t errlen)
{
        if (!url || (strncmp(url, "http://", 7) == 0 && url[7] && !strchr(url, ' ')))
                return 0;
        snprintf(err, errlen, "%s must be an http:// URL (for https put a TLS egress proxy in front)",
                 name);
        return -1;
}

static int make_spool(const char *dir, char *err, size_t errlen)
{
        char path[4096];

        snprintf(path, sizeof(path), "%s", dir);
        for (char *p = path + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(path, 0750) != 0 && errno != EEXIST)
                        goto fail;
                *p = '/';
        }
        if (mkdir(path, 0750) != 0 && errno != EEXIST)
                goto fail;
        return 0;
fail:
        snprintf(err, errlen, "JC_NOTIFY_SPOOL_DIR: cannot create %s: %s", path, strerror(errno));
        return -1;
}

static int notif_init(jc_service *svc, char *err, size_t errlen)
{
        notif_ctx *ctx = calloc(1, sizeof(*ctx));

        if (!ctx) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        svc->ctx = ctx;
        ctx->digital_post_url = jc_config_str("JC_NOTIFY_DIGITAL_POST_URL", DEF_DIGITAL_POST);
        ctx->email_url = url_or_null("JC_NOTIFY_EMAIL_URL", DEF_EMAIL);
        ctx->sms_url = url_or_null("JC_NOTIFY_SMS_URL", DEF_SMS);
        ctx->spool_dir = jc_config_str("JC_NOTIFY_SPOOL_DIR", DEF_SPOOL);
        ctx->sender = jc_config_str("JC_NOTIFY_SENDER", DEF_SENDER);
        if (jc_config_long("JC_NOTIFY_DELIVERY_WORKERS", 4, 0, 64, &ctx->workers, err, errlen) ||
            jc_config_long("JC_NOTIFY_POLL_MS", 500, 10, 60000, &ctx->poll_ms, err, errlen) ||
            jc_config_long("JC_NOTIFY_RETRY_BASE_MS", 1000, 1, 3600000, &ctx->retry_base_ms, err,
                           errlen) ||
            jc_config_long("JC_NOTIFY_RETRY_CAP_MS", 300000, 1, 86400000, &ctx->retry_cap_ms, err,
                           errlen) ||
            jc_config_long("JC_NOTIFY_MAX_ATTEMPTS", 10, 1, 1000, &ctx->max_attempts, err, errlen) ||
            jc_config_long("JC_NOTIFY_CONNECT_TIMEOUT_MS", 2000, 10, 600000, &ctx->connect_timeout_ms,
                           err, errlen) ||
            jc_config_long("JC_NOTIFY_TIMEOUT_MS", 10000, 10, 600000, &ctx->timeout_ms, err,
                           errlen) ||
            jc_config_long("JC_NOTIFY_REMINDER_LEAD_HOURS", 24, 1, 24 * 60, &ctx->reminder_lead_hours,
                           err, errlen) ||
            jc_config_long("JC_NOTIFY_CONTACT_WAIT_HOURS", 72, 1, 24 * 365,
                           &ctx->contact_wait_hours, err, errlen) ||
            jc_config_long("JC_NOTIFY_HEARING_DAYS", 14, 1, 365, &ctx->hearing_days, err, errlen))
                return -1;
        if (ctx->retry_cap_ms < ctx->retry_base_ms) {
                snprintf(err, errlen, "JC_NOTIFY_RETRY_CAP_MS must not be below JC_NOTIFY_RETRY_BASE_MS");
                return -1;
        }
        if (check_url("JC_NOTIFY_DIGITAL_POST_URL", ctx->digital_post_url, err, errlen) ||
            check_url("JC_NOTIFY_EMAIL_URL", ctx->email_url, err, errlen) ||
            check_url("JC_NOTIFY_SMS_URL", ctx->sms_url, err, errlen))
                return -1;
        if (notif_templates_load(&ctx->templates, jc_config_str("JC_NOTIFY_TEMPLATES_DIR", NULL),
                                 notifications_templates, err, errlen) != 0 ||
            notif_akasse_hooks_load(&ctx->hooks, jc_config_str("JC_NOTIFY_AKASSE_WEBHOOKS_FILE", NULL),
                                    err, errlen) != 0 ||
            make_spool(ctx->spool_dir, err, errlen) != 0)
                return -1;
        return notif_delivery_start(svc, err, errlen);
}

static void notif_fini(jc_service *svc)
{
        notif_ctx *ctx = svc->ctx;

        if (!ctx)
                return;
        notif_delivery_stop(svc);
        notif_templates_release(&ctx->templates);
        notif_akasse_hooks_release(&ctx->hooks);
        free(ctx);
        svc->ctx = NULL;
}

static const jc_service_def notif_def = {
        .name = "notifications",
        .default_port = 8085,
        .routes = notif_routes,
        .consume_topics = notif_topics,
        .handlers = notif_handlers,
        .stmts = notif_stmts,
        .migrations = notifications_migrations,
        .config = notif_config,
        .nconfig = sizeof(notif_config) / sizeof(notif_config[0]),
        .init = notif_init,
        .fini = notif_fini,
        .sweep = notif_sweep,
};

int main(int argc, char **argv)
{
        return jc_service_main(&notif_def, argc, argv);
}
