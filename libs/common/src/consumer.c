/*
 * The idempotent consumer runner: see include/jc/consumer.h for the contract.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/buf.h"
#include "jc/consumer.h"
#include "jc/kafka.h"
#include "jc/log.h"
#include "jc/timeutil.h"

struct jc_consumer {
        jc_consumer_config cfg;
        rd_kafka_t *rk;
        PGconn *db;
        pthread_t thread;
        atomic_int stop;
        atomic_int ready;
        int64_t last_err_log_ms;
        char labels[128]; /* metrics labels: consumer="<name>" */
};

static void consumer_log_db_error(jc_consumer *c, const char *what,
                                  const jc_pg_err *e)
{
        if (!jc_log_due(&c->last_err_log_ms, 10000))
                return;
        jc_log_write(JC_LOG_WARN, JC_KV({"component", "consumer"},
                                        {"consumer", c->cfg.name},
                                        {"sqlstate", e->sqlstate}),
                     "%s: %s", what, e->message);
}

static void consumer_db_close(jc_consumer *c)
{
        if (c->db)
                PQfinish(c->db);
        c->db = NULL;
        atomic_store(&c->ready, 0);
}

static void consumer_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                                  rd_kafka_topic_partition_list_t *parts,
                                  void *opaque)
{
        jc_consumer *c = opaque;
        int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
        char n[16];

        snprintf(n, sizeof(n), "%d", parts->cnt);
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                jc_log_write(JC_LOG_INFO, JC_KV({"component", "consumer"},
                                                {"consumer", c->cfg.name}, {"partitions", n}),
                             "partitions assigned");
                if (cooperative)
                        rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
                else
                        rd_kafka_assign(rk, parts);
        } else {
                /* Offsets stored so far are committed by librdkafka on revoke;
                 * anything in flight is redelivered to the new owner and the
                 * inbox absorbs the repeat. */
                jc_log_write(JC_LOG_INFO, JC_KV({"component", "consumer"},
                                                {"consumer", c->cfg.name}, {"partitions", n}),
                             "partitions revoked%s",
                             rd_kafka_assignment_lost(rk) ? " (lost)" : "");
                if (cooperative)
                        rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
                else
                        rd_kafka_assign(rk, NULL);
        }
}

static int is_raw_topic(const jc_consumer *c, const char *topic)
{
        for (size_t i = 0; c->cfg.raw_topics && c->cfg.raw_topics[i]; i++)
                if (strcmp(c->cfg.raw_topics[i], topic) == 0)
                        return 1;
        return 0;
}

static jc_event_handler_fn find_handler(const jc_consumer *c, const char *topic,
                                        const char *type)
{
        for (const jc_event_handler *h = c->cfg.handlers; h && h->topic; h++)
                if (strcmp(h->topic, topic) == 0 && strcmp(h->type, type) == 0)
                        return h->fn;
        return NULL;
}

static int is_valid_utf8_text(const void *p, size_t n)
{
        json_t *s = json_stringn(p, n); /* NULL when not valid UTF-8 */
        int ok = s != NULL;

        json_decref(s);
        return ok;
}

/* Records the message as a dead letter: the original bytes in dead_letter,
 * and an event on jobcenter.dlq.v1 via the outbox, in this transaction. */
static int dead_letter(jc_consumer *c, jc_consume_ctx *ctx, const char *reason,
                       char dlid[24], jc_pg_err *e)
{
        char part[16], off[24];
        const jc_topic *t = jc_topics_find(c->cfg.catalogue, ctx->topic);
        int personal = !t || t->personal_data;
        const char *params[7];
        int lengths[7] = {0}, formats[7] = {0, 0, 0, 0, 1, 1, 0};
        json_t *data = NULL, *headers = NULL;
        PGresult *r;
        int rc = -1;

        snprintf(part, sizeof(part), "%d", ctx->partition);
        snprintf(off, sizeof(off), "%lld", (long long)ctx->offset);
        params[0] = c->cfg.name;
        params[1] = ctx->topic;
        params[2] = part;
        params[3] = off;
        params[4] = ctx->key;
        lengths[4] = (int)ctx->key_len;
        params[5] = ctx->value;
        lengths[5] = (int)ctx->value_len;
        params[6] = reason;
        r = jc_pg_exec_bin(ctx->db, "jc_dead_letter_insert", 7, params, lengths,
                           formats, 0, e);
        if (!r)
                return -1;
        if (PQntuples(r) == 0) { /* recorded before: already published */
                PQclear(r);
                return 0;
        }
        snprintf(dlid, 24, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        if (c->cfg.on_dead_letter && c->cfg.on_dead_letter(ctx, reason, e) != 0)
                return -1;

        data = json_pack("{s:s, s:s, s:i, s:I, s:s, s:I, s:b}", "consumer", c->cfg.name,
                         "topic", ctx->topic, "partition", (int)ctx->partition,
                         "offset", (json_int_t)ctx->offset, "reason", reason,
                         "dead_letter_id", (json_int_t)atoll(dlid),
                         "payload_included", !personal);
        if (data && !personal && ctx->value &&
            is_valid_utf8_text(ctx->value, ctx->value_len))
                json_object_set_new(data, "payload",
                                    json_stringn(ctx->value, ctx->value_len));
        else if (data)
                json_object_set_new(data, "payload_included", json_false());
        if (data && !personal && ctx->key && is_valid_utf8_text(ctx->key, ctx->key_len))
                json_object_set_new(data, "key", json_stringn(ctx->key, ctx->key_len));
        headers = json_pack("[[s,s],[s,s],[s,s],[s,s],[s,s]]", "jc_dlq_topic", ctx->topic,
                            "jc_dlq_partition", part, "jc_dlq_offset", off,
                            "jc_dlq_consumer", c->cfg.name, "jc_dlq_error", reason);
        if (!data || !headers) {
                json_decref(data);
                jc_pg_err_set(e, 1, "out of memory building dead letter");
                goto out;
        }
        if (jc_emit_ex(c->cfg.emitter, ctx->db, "jobcenter.dlq.v1",
                       personal ? c->cfg.name : (const char *)ctx->key,
                       personal ? strlen(c->cfg.name) : ctx->key_len,
                       "deadletter.recorded.v1", NULL, data, headers, NULL, e) != 0)
                goto out;
        rc = 0;
out:
        json_decref(headers);
        return rc;
}

/* What the batch knows about one message, decoded once per batch. */
typedef struct msg_meta {
        const rd_kafka_message_t *m;
        jc_ce_event ev;
        int decoded;
        char source[300];
        char id[160];
        char type[JC_CE_MAX_TYPE + 1];
        char reason[600];      /* set: dead-letter it instead of applying */
        char dlid[24];         /* dead_letter row written in this attempt */
        jc_event_handler_fn fn;
        int fresh;             /* not in the inbox before this attempt */
} msg_meta;

static void meta_init(jc_consumer *c, msg_meta *mm, const rd_kafka_message_t *m)
{
        const char *topic = rd_kafka_topic_name(m->rkt);
        char reason[512] = "";

        memset(mm, 0, sizeof(*mm));
        mm->m = m;
        /* Anything that is not a decodable CloudEvent is keyed by its Kafka
         * position, which a redelivery repeats. */
        snprintf(mm->source, sizeof(mm->source), "kafka:%s/%d", topic, (int)m->partition);
        snprintf(mm->id, sizeof(mm->id), "%lld", (long long)m->offset);
        if (!m->payload) {
                snprintf(mm->type, sizeof(mm->type), "%s", JC_TYPE_TOMBSTONE);
        } else if (is_raw_topic(c, topic)) {
                snprintf(mm->type, sizeof(mm->type), "%s", JC_TYPE_RAW);
        } else if (jc_ce_decode(m->payload, m->len, &mm->ev, reason, sizeof(reason)) != 0) {
                snprintf(mm->type, sizeof(mm->type), "(undecodable)");
                snprintf(mm->reason, sizeof(mm->reason), "%s", reason);
                return;
        } else {
                const jc_topic *t = jc_topics_find(c->cfg.catalogue, topic);

                mm->decoded = 1;
                snprintf(mm->source, sizeof(mm->source), "%s", mm->ev.source);
                snprintf(mm->id, sizeof(mm->id), "%s", mm->ev.id);
                snprintf(mm->type, sizeof(mm->type), "%s", mm->ev.short_type);
                if (!t || !jc_topic_has_event(t, mm->ev.short_type)) {
                        snprintf(mm->reason, sizeof(mm->reason),
                                 "event type \"%s\" is not declared for topic %s",
                                 mm->ev.short_type, topic);
                        return;
                }
        }
        mm->fn = find_handler(c, topic, mm->type);
}

static void meta_release(msg_meta *mm)
{
        if (mm->decoded)
                jc_ce_event_release(&mm->ev);
}

static void ctx_init(jc_consumer *c, jc_consume_ctx *ctx, msg_meta *mm)
{
        memset(ctx, 0, sizeof(*ctx));
        ctx->db = c->db;
        ctx->emitter = c->cfg.emitter;
        ctx->topic = rd_kafka_topic_name(mm->m->rkt);
        ctx->partition = mm->m->partition;
        ctx->offset = mm->m->offset;
        ctx->key = mm->m->key;
        ctx->key_len = mm->m->key_len;
        ctx->event = mm->decoded ? &mm->ev : NULL;
        ctx->value = mm->m->payload;
        ctx->value_len = mm->m->len;
        ctx->opaque = c->cfg.opaque;
        ctx->message = mm->m;
}

int jc_consume_header(const jc_consume_ctx *ctx, const char *name, char *buf, size_t buflen)
{
        rd_kafka_headers_t *hdrs = NULL;
        const void *val;
        size_t len;

        if (!ctx->message || rd_kafka_message_headers(ctx->message, &hdrs) != 0 ||
            rd_kafka_header_get_last(hdrs, name, &val, &len) != 0 || !val)
                return -1;
        if (len >= buflen)
                len = buflen - 1;
        memcpy(buf, val, len);
        buf[len] = '\0';
        return 0;
}

/* Inserts every message's inbox row in one statement and marks the messages
 * that were not there before (the first of any repeats within the batch). */
static int inbox_insert_batch(jc_consumer *c, msg_meta *mm, int n, jc_pg_err *e)
{
        jc_buf a[7] = {JC_BUF_INIT, JC_BUF_INIT, JC_BUF_INIT, JC_BUF_INIT,
                       JC_BUF_INIT, JC_BUF_INIT, JC_BUF_INIT};
        const char *params[8];
        PGresult *r;
        int rc = -1;

        for (int i = 0; i < n; i++) {
                char part[16], off[24];

                snprintf(part, sizeof(part), "%d", (int)mm[i].m->partition);
                snprintf(off, sizeof(off), "%lld", (long long)mm[i].m->offset);
                jc_pg_array_add(&a[0], mm[i].source);
                jc_pg_array_add(&a[1], mm[i].id);
                jc_pg_array_add(&a[2], mm[i].type);
                jc_pg_array_add(&a[3], rd_kafka_topic_name(mm[i].m->rkt));
                jc_pg_array_add(&a[4], part);
                jc_pg_array_add(&a[5], off);
                jc_pg_array_add(&a[6], mm[i].reason[0] ? "dead_lettered"
                                       : mm[i].fn      ? "applied"
                                                       : "ignored");
                mm[i].fresh = 0;
                mm[i].dlid[0] = '\0';
        }
        params[0] = c->cfg.name;
        for (int k = 0; k < 7; k++) {
                jc_pg_array_end(&a[k]);
                params[k + 1] = a[k].data;
        }
        r = jc_pg_exec(c->db, "jc_inbox_insert_batch", 8, params, e);
        if (!r)
                goto out;
        for (int row = 0; row < PQntuples(r); row++) {
                const char *src = PQgetvalue(r, row, 0), *id = PQgetvalue(r, row, 1);

                for (int i = 0; i < n; i++) {
                        if (strcmp(mm[i].source, src) == 0 && strcmp(mm[i].id, id) == 0) {
                                mm[i].fresh = 1;
                                break;
                        }
                }
        }
        PQclear(r);
        rc = 0;
out:
        for (int k = 0; k < 7; k++)
                jc_buf_release(&a[k]);
        return rc;
}

typedef enum attempt_result {
        ATTEMPT_COMMITTED,
        ATTEMPT_POISON, /* a handler refused a message: replay without it */
        ATTEMPT_RETRY,  /* transient: back off and replay */
} attempt_result;

static void rollback(jc_consumer *c)
{
        if (c->db && PQstatus(c->db) == CONNECTION_OK) {
                PGresult *r = PQexec(c->db, "ROLLBACK");
                PQclear(r);
        } else {
                consumer_db_close(c);
        }
}

/*
 * One attempt at the whole batch in one transaction. Handlers run without
 * savepoints: when one answers POISON the transaction is rolled back and the
 * batch replayed with that message marked for the dead-letter topic (handlers
 * are deterministic on the same state, and poison is rare).
 */
static attempt_result apply_batch(jc_consumer *c, msg_meta *mm, int n, int *failed_idx,
                                  char *why, size_t whylen, int *applied)
{
        jc_pg_err e;

        *applied = 0;
        *failed_idx = -1;
        if (jc_pg_cmd(c->db, "BEGIN", &e) != 0 || inbox_insert_batch(c, mm, n, &e) != 0)
                goto db_error;
        for (int i = 0; i < n; i++) {
                jc_consume_ctx ctx;
                jc_handle_result hr;
                char trace_id[33] = "";
                int rc = 0;

                if (!mm[i].fresh || (!mm[i].reason[0] && !mm[i].fn))
                        continue;
                ctx_init(c, &ctx, &mm[i]);
                if (mm[i].decoded) {
                        jc_trace_id(mm[i].ev.traceparent, trace_id);
                        jc_log_ctx_set(trace_id, mm[i].ev.subject, mm[i].ev.id);
                }
                if (mm[i].reason[0]) {
                        rc = dead_letter(c, &ctx, mm[i].reason, mm[i].dlid, &e);
                        jc_log_ctx_clear();
                        if (rc != 0)
                                goto db_error;
                        continue;
                }
                hr = mm[i].fn(&ctx);
                jc_log_ctx_clear();
                if (hr == JC_HANDLE_OK) {
                        (*applied)++;
                        continue;
                }
                *failed_idx = i;
                snprintf(why, whylen, "%.500s",
                         ctx.reason[0]             ? ctx.reason
                         : hr == JC_HANDLE_POISON ? "rejected by handler"
                                                  : "handler asked for a retry");
                rollback(c);
                if (hr == JC_HANDLE_POISON && c->db)
                        return ATTEMPT_POISON;
                return ATTEMPT_RETRY;
        }
        if (jc_pg_cmd(c->db, "COMMIT", &e) != 0)
                goto db_error;
        return ATTEMPT_COMMITTED;
db_error:
        snprintf(why, whylen, "%.500s", e.message);
        consumer_log_db_error(c, "consumer transaction failed", &e);
        rollback(c);
        return ATTEMPT_RETRY;
}

static void store_offsets(jc_consumer *c, rd_kafka_message_t **msgs, int n)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
        rd_kafka_resp_err_t err;

        for (int i = 0; i < n; i++) {
                const char *topic = rd_kafka_topic_name(msgs[i]->rkt);
                rd_kafka_topic_partition_t *p =
                    rd_kafka_topic_partition_list_find(l, topic, msgs[i]->partition);

                if (!p)
                        p = rd_kafka_topic_partition_list_add(l, topic, msgs[i]->partition);
                if (msgs[i]->offset + 1 > p->offset)
                        p->offset = msgs[i]->offset + 1;
        }
        err = rd_kafka_offsets_store(c->rk, l);
        /* __STATE: a partition was revoked meanwhile; its new owner gets the
         * messages again and the inbox skips them. */
        if (err && err != RD_KAFKA_RESP_ERR__STATE)
                jc_log_write(JC_LOG_WARN, JC_KV({"component", "consumer"},
                                                {"consumer", c->cfg.name}),
                             "could not store offsets: %s", rd_kafka_err2str(err));
        rd_kafka_topic_partition_list_destroy(l);
}

static int ensure_db(jc_consumer *c)
{
        jc_pg_err e;

        if (c->db && PQstatus(c->db) == CONNECTION_OK)
                return 0;
        consumer_db_close(c);
        c->db = jc_pg_open(c->cfg.db, &e);
        if (!c->db) {
                consumer_log_db_error(c, "consumer could not connect to PostgreSQL", &e);
                return -1;
        }
        atomic_store(&c->ready, 1);
        return 0;
}

/* Logged and counted only once the transaction that recorded it committed. */
static void log_dead_letter(jc_consumer *c, const msg_meta *mm)
{
        char part[16], off[24];

        snprintf(part, sizeof(part), "%d", (int)mm->m->partition);
        snprintf(off, sizeof(off), "%lld", (long long)mm->m->offset);
        jc_log_write(JC_LOG_WARN, JC_KV({"component", "consumer"}, {"consumer", c->cfg.name},
                                        {"topic", rd_kafka_topic_name(mm->m->rkt)},
                                        {"partition", part}, {"offset", off},
                                        {"dead_letter_id", mm->dlid}),
                     "dead-lettered message: %s", mm->reason);
        jc_metrics_counter_add(c->cfg.metrics, "jc_consumer_dead_letters_total",
                               "Messages sent to the dead-letter topic", c->labels, 1);
}

static void process_batch(jc_consumer *c, rd_kafka_message_t **msgs, int n)
{
        msg_meta *mm = calloc((size_t)n, sizeof(*mm));
        int attempt = 0, applied = 0;
        int64_t backoff = 100;
        char why[600];

        if (!mm) {
                jc_log_error("consumer %s: out of memory; batch left for redelivery", c->cfg.name);
                return;
        }
        for (int i = 0; i < n; i++)
                meta_init(c, &mm[i], msgs[i]);
        for (;;) {
                int failed_idx = -1, fresh = 0;
                attempt_result ar;

                if (ensure_db(c) != 0) {
                        ar = ATTEMPT_RETRY;
                } else {
                        ar = apply_batch(c, mm, n, &failed_idx, why, sizeof(why), &applied);
                }
                if (ar == ATTEMPT_COMMITTED) {
                        for (int i = 0; i < n; i++) {
                                fresh += mm[i].fresh;
                                if (mm[i].dlid[0])
                                        log_dead_letter(c, &mm[i]);
                        }
                        store_offsets(c, msgs, n);
                        jc_metrics_counter_add(c->cfg.metrics, "jc_consumer_applied_total",
                                               "Messages applied by handlers", c->labels,
                                               applied);
                        if (n > fresh)
                                jc_metrics_counter_add(c->cfg.metrics,
                                                       "jc_consumer_duplicates_total",
                                                       "Redelivered messages skipped by the inbox",
                                                       c->labels, n - fresh);
                        break;
                }
                if (ar == ATTEMPT_POISON) {
                        /* Replay at once, that message now a dead letter. */
                        snprintf(mm[failed_idx].reason, sizeof(mm[failed_idx].reason), "%s", why);
                        continue;
                }
                attempt++;
                jc_metrics_counter_add(c->cfg.metrics, "jc_consumer_retries_total",
                                       "Batches rolled back and retried", c->labels, 1);
                /* The database is fine but this message keeps failing: stop
                 * blocking the partition and dead-letter it. */
                if (failed_idx >= 0 && c->db && attempt >= c->cfg.max_attempts) {
                        snprintf(mm[failed_idx].reason, sizeof(mm[failed_idx].reason),
                                 "gave up after %d attempts: %.500s", attempt, why);
                        attempt = 0;
                        backoff = 100;
                        continue;
                }
                if (atomic_load(&c->stop))
                        break; /* offsets not stored: redelivered after restart */
                jc_time_sleep_ms(backoff);
                backoff = backoff * 2 > 5000 ? 5000 : backoff * 2;
        }
        for (int i = 0; i < n; i++)
                meta_release(&mm[i]);
        free(mm);
}

static void *consumer_main(void *arg)
{
        jc_consumer *c = arg;
        rd_kafka_message_t **msgs = calloc((size_t)c->cfg.batch_max, sizeof(*msgs));

        if (!msgs) {
                jc_log_error("consumer %s: out of memory", c->cfg.name);
                return NULL;
        }
        while (!atomic_load(&c->stop)) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, 200);
                int n = 0;

                while (m) {
                        if (m->err) {
                                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                                        jc_log_write(JC_LOG_WARN,
                                                     JC_KV({"component", "consumer"},
                                                           {"consumer", c->cfg.name}),
                                                     "consume error: %s",
                                                     rd_kafka_message_errstr(m));
                                rd_kafka_message_destroy(m);
                        } else {
                                msgs[n++] = m;
                        }
                        if (n == c->cfg.batch_max)
                                break;
                        m = rd_kafka_consumer_poll(c->rk, 0);
                }
                if (n > 0)
                        process_batch(c, msgs, n);
                for (int i = 0; i < n; i++)
                        rd_kafka_message_destroy(msgs[i]);
                if (!c->db)
                        ensure_db(c); /* keep readiness honest while idle */
        }
        free(msgs);
        return NULL;
}

jc_consumer *jc_consumer_start(const jc_consumer_config *cfg, char *err,
                               size_t errlen)
{
        jc_consumer *c = calloc(1, sizeof(*c));
        rd_kafka_topic_partition_list_t *subs = NULL;
        rd_kafka_conf_t *conf = NULL;
        rd_kafka_resp_err_t kerr;
        char kerrstr[256];

        if (!c) {
                snprintf(err, errlen, "out of memory");
                return NULL;
        }
        c->cfg = *cfg;
        if (c->cfg.batch_max <= 0)
                c->cfg.batch_max = 200;
        if (c->cfg.max_attempts <= 0)
                c->cfg.max_attempts = 5;
        snprintf(c->labels, sizeof(c->labels), "consumer=\"%s\"", cfg->name);
        subs = rd_kafka_topic_partition_list_new(4);
        for (size_t i = 0; cfg->topics[i]; i++) {
                if (!jc_topics_find(cfg->catalogue, cfg->topics[i])) {
                        snprintf(err, errlen,
                                 "consumer %s: topic \"%s\" is not in the topic catalogue",
                                 cfg->name, cfg->topics[i]);
                        goto fail;
                }
                rd_kafka_topic_partition_list_add(subs, cfg->topics[i],
                                                  RD_KAFKA_PARTITION_UA);
        }
        conf = jc_kafka_consumer_conf(cfg->bootstrap, cfg->group_id, cfg->client_id,
                                      cfg->kafka_extra, cfg->session_timeout_ms,
                                      cfg->fetch_wait_ms > 0 ? cfg->fetch_wait_ms : 100, err,
                                      errlen);
        if (!conf)
                goto fail;
        rd_kafka_conf_set_opaque(conf, c);
        rd_kafka_conf_set_rebalance_cb(conf, consumer_rebalance_cb);
        c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, kerrstr, sizeof(kerrstr));
        if (!c->rk) {
                snprintf(err, errlen, "could not create Kafka consumer: %s", kerrstr);
                rd_kafka_conf_destroy(conf);
                goto fail;
        }
        rd_kafka_poll_set_consumer(c->rk);
        kerr = rd_kafka_subscribe(c->rk, subs);
        if (kerr) {
                snprintf(err, errlen, "could not subscribe: %s", rd_kafka_err2str(kerr));
                goto fail;
        }
        rd_kafka_topic_partition_list_destroy(subs);
        subs = NULL;
        if (pthread_create(&c->thread, NULL, consumer_main, c) != 0) {
                snprintf(err, errlen, "could not start the consumer thread");
                goto fail;
        }
        return c;
fail:
        if (subs)
                rd_kafka_topic_partition_list_destroy(subs);
        if (c->rk) {
                rd_kafka_consumer_close(c->rk);
                rd_kafka_destroy(c->rk);
        }
        free(c);
        return NULL;
}

void jc_consumer_stop(jc_consumer *c)
{
        if (!c)
                return;
        atomic_store(&c->stop, 1);
        pthread_join(c->thread, NULL);
        rd_kafka_consumer_close(c->rk); /* commits stored offsets, leaves the group */
        rd_kafka_destroy(c->rk);
        consumer_db_close(c);
        free(c);
}

int jc_consumer_ready(jc_consumer *c)
{
        return c && atomic_load(&c->ready);
}
