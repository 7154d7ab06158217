/*
 * The delivery workers: JC_NOTIFY_DELIVERY_WORKERS threads, each with its
 * own database connection, claiming one due message at a time with
 * FOR UPDATE SKIP LOCKED.
 *
 * Per message, in one transaction that holds the message's row lock:
 *   claim -> render (the first time: channel and text) -> send on the
 *   channel (Idempotency-Key = message_id) -> mark sent / retry later with
 *   backoff / failed (dead letter + notification.failed), storing the
 *   rendering with the outcome -> COMMIT.
 *
 * Exactly-once towards the receiver as far as HTTP allows: the only window
 * in which a delivered message can be sent again is between the
 * receiver's answer and our COMMIT (a crash there releases the lock and
 * another worker sends the same message again with the same
 * Idempotency-Key), and a timeout that hides a success. A receiver that
 * deduplicates on the key shows the message once; one that does not may
 * show it twice in those windows (at-least-once).
 *
 * Idle workers sleep on LISTEN notifications_delivery (a trigger on the
 * message table) or until the next retry is due, polling as a fallback.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jc/log.h"
#include "jc/timeutil.h"
#include "notifications.h"

struct notif_delivery {
        jc_service *svc;
        pthread_t *threads;
        long started;
        int wake[2];    /* written at stop: every worker's poll wakes */
        int stop;       /* read and written with __atomic builtins */
};

typedef struct worker {
        struct notif_delivery *d;
        long index;
        PGconn *db;
        int64_t last_error_log;
} worker;

enum { C_ID, C_TEMPLATE, C_VERSION, C_KIND, C_RECIPIENT, C_CASE, C_CITIZEN, C_FIELDS, C_CHANNEL,
       C_SUBJECT, C_TEXT, C_HTML, C_ATTEMPTS, C_TRIGGER, C_EVENT, C_OTOPIC, C_OPART, C_OOFF,
       C_OKEY, C_CPR, C_NAME, C_DP, C_EMAIL, C_PHONE, C_STREET, C_POSTCODE, C_CITY, C_HAS_CITIZEN,
       C_ERASED };

static int stopping(const struct notif_delivery *d)
{
        return __atomic_load_n(&d->stop, __ATOMIC_ACQUIRE);
}

static const char *opt(PGresult *r, int col)
{
        return PQgetisnull(r, 0, col) ? NULL : PQgetvalue(r, 0, col);
}

static int exec_ok(PGconn *db, const char *stmt, int n, const char *const *params, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, stmt, n, params, e);

        PQclear(r);
        return r ? 0 : -1;
}

static void count(jc_service *svc, const char *channel, const char *outcome)
{
        char labels[96];

        snprintf(labels, sizeof(labels), "channel=\"%s\",outcome=\"%s\"", channel ? channel : "none",
                 outcome);
        jc_metrics_counter_add(svc->metrics, "notifications_delivery_attempts_total",
                               "Delivery attempts by channel and outcome", labels, 1);
}

/* Records the attempt and the message's new state after a send, and the
 * rendering when it is new (`fresh`, else NULL), in one statement. */
static int settle(jc_service *svc, PGconn *db, const notif_msg_ref *ref, int attempt,
                  const notif_send_result *sr, int64_t duration_ms, const notif_rendered *fresh,
                  jc_pg_err *e)
{
        notif_ctx *ctx = svc->ctx;
        char att[16], status[16], dur[24], delay[24], reason[400];
        const char *http = sr->http_status ? status : NULL;
        const char *subj = fresh ? fresh->subject : NULL, *text = fresh ? fresh->text : NULL;
        const char *html = fresh ? fresh->html : NULL;

        snprintf(att, sizeof(att), "%d", attempt);
        snprintf(status, sizeof(status), "%d", sr->http_status);
        snprintf(dur, sizeof(dur), "%lld", (long long)duration_ms);
        if (sr->outcome == NOTIF_SENT) {
                count(svc, ref->channel, "sent");
                jc_log_write(JC_LOG_DEBUG, JC_KV({"message_id", ref->message_id}, {"channel", ref->channel}),
                             "message sent");
                return exec_ok(db, "notif_message_sent",
                               JC_PG_ARGS(ref->message_id, att, ref->channel, http, dur, subj, text,
                                          html),
                               e) != 0 ||
                               notif_emit_sent(svc, db, ref, attempt, e) != 0
                           ? -1
                           : 0;
        }
        if (sr->outcome == NOTIF_TRANSIENT && attempt < ctx->max_attempts) {
                count(svc, ref->channel, "transient");
                snprintf(delay, sizeof(delay), "%ld",
                         notif_backoff_ms(ctx->retry_base_ms, ctx->retry_cap_ms, attempt));
                jc_log_write(JC_LOG_INFO,
                             JC_KV({"message_id", ref->message_id}, {"channel", ref->channel},
                                   {"attempt", att}, {"retry_in_ms", delay}),
                             "delivery failed, will retry: %s", sr->error);
                return exec_ok(db, "notif_message_retry",
                               JC_PG_ARGS(ref->message_id, att, ref->channel, http, sr->error, dur,
                                          delay, subj, text, html),
                               e);
        }
        count(svc, ref->channel, sr->outcome == NOTIF_TRANSIENT ? "gave_up" : "permanent");
        if (sr->outcome == NOTIF_TRANSIENT)
                snprintf(reason, sizeof(reason), "gave up after %d attempts; last: %s", attempt,
                         sr->error);
        else
                snprintf(reason, sizeof(reason), "permanent failure: %s", sr->error);
        if (fresh && exec_ok(db, "notif_message_rendered",
                             JC_PG_ARGS(ref->message_id, ref->channel, subj, text, html), e) != 0)
                return -1;
        if (exec_ok(db, "notif_attempt_insert",
                    JC_PG_ARGS(ref->message_id, att, ref->channel,
                               sr->outcome == NOTIF_TRANSIENT ? "transient" : "permanent", http,
                               sr->error, dur),
                    e) != 0)
                return -1;
        return notif_fail(svc, db, ref, attempt, sr->http_status, reason, e);
}

/* Renders the claimed message (stored with the attempt's outcome). Returns
 * 0 with `out` filled, 1 when it failed permanently (already marked), -1
 * error. */
static int render_message(jc_service *svc, PGconn *db, PGresult *r, const notif_msg_ref *ref,
                            const notif_contact *c, notif_rendered *out, jc_pg_err *e)
{
        notif_ctx *ctx = svc->ctx;
        const notif_template *t = notif_templates_get(&ctx->templates, ref->template_id,
                                                      ref->template_version);
        json_t *fields;
        int rc;

        memset(out, 0, sizeof(*out));
        if (!t) {
                char reason[160];

                snprintf(reason, sizeof(reason), "template %s.v%d is no longer installed",
                         ref->template_id, ref->template_version);
                return notif_fail(svc, db, ref, atoi(PQgetvalue(r, 0, C_ATTEMPTS)), 0, reason, e) == 0
                           ? 1
                           : -1;
        }
        fields = json_loads(PQgetvalue(r, 0, C_FIELDS), 0, NULL);
        if (!fields) {
                jc_pg_err_set(e, 1, "could not read the message's fields");
                return -1;
        }
        rc = notif_render(svc, t, fields, c, out);
        json_decref(fields);
        if (rc < 0) {
                jc_pg_err_set(e, 1, "out of memory rendering");
                return -1;
        }
        if (rc == 1) {
                notif_msg_ref failed = *ref;

                failed.channel = out->channel[0] ? out->channel : NULL;
                count(svc, failed.channel, "unrenderable");
                rc = notif_fail(svc, db, &failed, atoi(PQgetvalue(r, 0, C_ATTEMPTS)), 0, out->reason,
                                e);
                notif_rendered_release(out);
                return rc == 0 ? 1 : -1;
        }
        return 0;
}

/* Delivers one due message. 1 something was done, 0 nothing due, -1 error. */
static int deliver_one(worker *w, jc_pg_err *e)
{
        jc_service *svc = w->d->svc;
        PGconn *db = w->db;
        notif_rendered rend = {0};
        notif_contact c;
        notif_msg_ref ref;
        notif_outgoing out;
        notif_send_result sr;
        json_t *fields = NULL;
        PGresult *r;
        int64_t t0;
        int rc = -1, attempt;

        if (jc_pg_cmd(db, "BEGIN", e) != 0)
                return -1;
        r = jc_pg_exec(db, "notif_claim", 0, NULL, e);
        if (!r)
                goto fail;
        if (PQntuples(r) == 0) {
                PQclear(r);
                jc_pg_rollback(db);
                return 0;
        }
        jc_log_ctx_set(NULL, PQgetvalue(r, 0, C_CASE), PQgetvalue(r, 0, C_EVENT));
        memset(&ref, 0, sizeof(ref));
        ref.message_id = PQgetvalue(r, 0, C_ID);
        ref.case_id = PQgetvalue(r, 0, C_CASE);
        ref.citizen_ref = opt(r, C_CITIZEN);
        ref.recipient_kind = PQgetvalue(r, 0, C_KIND);
        ref.recipient_id = PQgetvalue(r, 0, C_RECIPIENT);
        ref.template_id = PQgetvalue(r, 0, C_TEMPLATE);
        ref.template_version = atoi(PQgetvalue(r, 0, C_VERSION));
        ref.trigger = PQgetvalue(r, 0, C_TRIGGER);
        ref.event_id = PQgetvalue(r, 0, C_EVENT);
        ref.channel = opt(r, C_CHANNEL);
        ref.origin_topic = PQgetvalue(r, 0, C_OTOPIC);
        ref.origin_partition = atoi(PQgetvalue(r, 0, C_OPART));
        ref.origin_offset = atoll(PQgetvalue(r, 0, C_OOFF));
        ref.origin_key = opt(r, C_OKEY);
        memset(&c, 0, sizeof(c));
        c.present = strcmp(PQgetvalue(r, 0, C_HAS_CITIZEN), "t") == 0;
        c.cpr = opt(r, C_CPR);
        c.name = opt(r, C_NAME);
        c.digital_post = c.present && strcmp(PQgetvalue(r, 0, C_DP), "t") == 0;
        c.email = opt(r, C_EMAIL);
        c.phone = opt(r, C_PHONE);
        c.street = opt(r, C_STREET);
        c.postcode = opt(r, C_POSTCODE);
        c.city = opt(r, C_CITY);

        if (strcmp(ref.recipient_kind, "caseworker") != 0 && !c.present) {
                /* the citizen's data went away (erasure) after the message was queued */
                int erased = strcmp(PQgetvalue(r, 0, C_ERASED), "t") == 0;

                if (exec_ok(db, "notif_message_park",
                            JC_PG_ARGS(ref.message_id, erased ? "cancelled" : "awaiting_contact",
                                       erased ? "citizen erased" : NULL),
                            e) != 0)
                        goto fail;
                rc = 1;
                goto commit;
        }
        if (!ref.channel) {
                int rr = render_message(svc, db, r, &ref, &c, &rend, e);

                if (rr < 0)
                        goto fail;
                if (rr == 1) {
                        rc = 1;
                        goto commit;
                }
                ref.channel = rend.channel;
        }
        fields = json_loads(PQgetvalue(r, 0, C_FIELDS), 0, NULL);
        memset(&out, 0, sizeof(out));
        out.message_id = ref.message_id;
        out.channel = ref.channel;
        out.template_id = ref.template_id;
        out.template_version = ref.template_version;
        out.case_id = ref.case_id;
        out.recipient_id = ref.recipient_id;
        out.subject = rend.subject ? rend.subject : opt(r, C_SUBJECT);
        out.text = rend.text ? rend.text : opt(r, C_TEXT);
        out.html = rend.html ? rend.html : opt(r, C_HTML);
        out.contact = &c;
        out.fields = fields;
        if (!out.subject || !out.text || !out.html) {
                /* rendered once, then erased: nothing left to send */
                if (exec_ok(db, "notif_message_park",
                            JC_PG_ARGS(ref.message_id, "cancelled", "citizen erased"), e) != 0)
                        goto fail;
                rc = 1;
                goto commit;
        }
        attempt = atoi(PQgetvalue(r, 0, C_ATTEMPTS)) + 1;
        t0 = jc_time_mono_ms();
        if (notif_channel_send(svc, db, &out, &sr, e) != 0)
                goto fail;
        if (settle(svc, db, &ref, attempt, &sr, jc_time_mono_ms() - t0, rend.subject ? &rend : NULL,
                   e) != 0)
                goto fail;
        rc = 1;
commit:
        if (jc_pg_cmd(db, "COMMIT", e) != 0)
                rc = -1;
        goto out;
fail:
        jc_pg_rollback(db);
        rc = -1;
out:
        json_decref(fields);
        notif_rendered_release(&rend);
        PQclear(r);
        jc_log_ctx_clear();
        return rc;
}

/* Sleeps until a NOTIFY, the stop signal, the next retry or the poll
 * interval. Returns -1 when the connection broke. */
static int wait_for_work(worker *w)
{
        notif_ctx *ctx = w->d->svc->ctx;
        long ms = ctx->poll_ms;
        jc_pg_err e;
        PGresult *r = jc_pg_exec(w->db, "notif_next_due", 0, NULL, &e);
        struct pollfd pfd[2];
        PGnotify *n;

        if (!r)
                return -1;
        if (!PQgetisnull(r, 0, 0)) {
                long due = atol(PQgetvalue(r, 0, 0));

                if (due < 20)
                        due = 20; /* due but locked by another worker: do not spin */
                if (due < ms)
                        ms = due;
        }
        PQclear(r);
        pfd[0] = (struct pollfd){.fd = PQsocket(w->db), .events = POLLIN};
        pfd[1] = (struct pollfd){.fd = w->d->wake[0], .events = POLLIN};
        if (poll(pfd, 2, (int)ms) < 0 && errno != EINTR)
                return -1;
        if (PQconsumeInput(w->db) != 1)
                return -1;
        while ((n = PQnotifies(w->db)))
                PQfreemem(n);
        return 0;
}

static void *worker_main(void *arg)
{
        worker *w = arg;
        jc_service *svc = w->d->svc;
        char idx[16];

        snprintf(idx, sizeof(idx), "%ld", w->index);
        while (!stopping(w->d)) {
                jc_pg_err e;
                int rc;

                if (!w->db) {
                        w->db = jc_pg_open(&svc->db, &e);
                        if (!w->db || jc_pg_cmd(w->db, "LISTEN notifications_delivery", &e) != 0) {
                                if (jc_log_due(&w->last_error_log, 10000))
                                        jc_log_write(JC_LOG_WARN,
                                                     JC_KV({"component", "delivery"}, {"worker", idx}),
                                                     "delivery worker has no database: %s", e.message);
                                if (w->db)
                                        PQfinish(w->db);
                                w->db = NULL;
                                jc_time_sleep_ms(500);
                                continue;
                        }
                }
                rc = deliver_one(w, &e);
                if (rc > 0)
                        continue;
                if (rc < 0) {
                        if (jc_log_due(&w->last_error_log, 10000))
                                jc_log_write(JC_LOG_WARN,
                                             JC_KV({"component", "delivery"}, {"worker", idx}),
                                             "delivery failed, retrying: %s", e.message);
                        if (e.connection_lost || !jc_pg_alive(w->db)) {
                                PQfinish(w->db);
                                w->db = NULL;
                        }
                        jc_time_sleep_ms(200);
                        continue;
                }
                if (wait_for_work(w) != 0) {
                        PQfinish(w->db);
                        w->db = NULL;
                }
        }
        if (w->db)
                PQfinish(w->db);
        free(w);
        return NULL;
}

int notif_delivery_start(jc_service *svc, char *err, size_t errlen)
{
        notif_ctx *ctx = svc->ctx;
        struct notif_delivery *d;

        if (ctx->workers <= 0)
                return 0;
        d = calloc(1, sizeof(*d));
        if (!d || pipe2(d->wake, O_CLOEXEC) != 0) {
                free(d);
                snprintf(err, errlen, "could not set up the delivery workers: %s", strerror(errno));
                return -1;
        }
        d->svc = svc;
        d->threads = calloc((size_t)ctx->workers, sizeof(pthread_t));
        ctx->delivery = d;
        if (!d->threads) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        for (long i = 0; i < ctx->workers; i++) {
                worker *w = calloc(1, sizeof(*w));

                if (!w) {
                        snprintf(err, errlen, "out of memory");
                        return -1;
                }
                w->d = d;
                w->index = i;
                if (pthread_create(&d->threads[i], NULL, worker_main, w) != 0) {
                        free(w);
                        snprintf(err, errlen, "could not start delivery worker %ld", i);
                        return -1;
                }
                d->started++;
        }
        jc_log_write(JC_LOG_INFO, JC_KV({"component", "delivery"}), "%ld delivery workers started",
                     d->started);
        return 0;
}

void notif_delivery_stop(jc_service *svc)
{
        notif_ctx *ctx = svc->ctx;
        struct notif_delivery *d = ctx ? ctx->delivery : NULL;

        if (!d)
                return;
        __atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
        if (write(d->wake[1], "x", 1) < 0)
                jc_log_warn("could not wake the delivery workers: %s", strerror(errno));
        for (long i = 0; i < d->started; i++)
                pthread_join(d->threads[i], NULL);
        close(d->wake[0]);
        close(d->wake[1]);
        free(d->threads);
        free(d);
        ctx->delivery = NULL;
}
