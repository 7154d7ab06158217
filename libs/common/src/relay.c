/*
 * The outbox relay: publishes committed outbox rows in id order and marks
 * each one only after the broker acknowledged it (delivery report).
 *
 * One relay per service publishes at a time (session advisory lock), so one
 * case's events cannot overtake each other. The relay sleeps on LISTEN
 * jc_outbox_<schema> and polls every poll_interval_ms as a fallback, since
 * notifications sent while it was disconnected are lost.
 */
#include <endian.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/buf.h"
#include "jc/kafka.h"
#include "jc/log.h"
#include "jc/outbox.h"
#include "jc/timeutil.h"

#define STOP_GRACE_MS 10000

typedef struct relay_slot {
        int64_t id;
        int done;
        rd_kafka_resp_err_t err;
} relay_slot;

struct jc_relay {
        jc_relay_config cfg;
        char channel[96];
        char lock_key[96];
        pthread_t thread;
        atomic_int stop;
        atomic_int ready;
        rd_kafka_t *rk;
        PGconn *db;
        int have_lock;
        int outstanding;
        int64_t last_prune_ms;
        int64_t last_inbox_prune_ms;
        int64_t last_backlog_ms;
        int64_t last_db_error_log_ms;
};

static void relay_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque)
{
        jc_relay *r = opaque;
        relay_slot *s = m->_private;

        (void)rk;
        if (s) {
                s->err = m->err;
                s->done = 1;
        }
        r->outstanding--;
}

static int relay_producer_new(jc_relay *r, char *err, size_t errlen)
{
        rd_kafka_conf_t *conf;
        char kerr[256];

        conf = jc_kafka_producer_conf(r->cfg.bootstrap, r->cfg.client_id,
                                      r->cfg.kafka_extra, err, errlen);
        if (!conf)
                return -1;
        rd_kafka_conf_set_opaque(conf, r);
        rd_kafka_conf_set_dr_msg_cb(conf, relay_dr_cb);
        r->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, kerr, sizeof(kerr));
        if (!r->rk) {
                rd_kafka_conf_destroy(conf);
                snprintf(err, errlen, "could not create Kafka producer: %s", kerr);
                return -1;
        }
        return 0;
}

/* Drops the producer; undelivered rows stay unmarked and are sent again. */
static void relay_producer_destroy(jc_relay *r)
{
        if (!r->rk)
                return;
        rd_kafka_purge(r->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(r->rk, 0);
        rd_kafka_destroy(r->rk);
        r->rk = NULL;
        r->outstanding = 0;
}

static void relay_db_close(jc_relay *r)
{
        if (r->db)
                PQfinish(r->db);
        r->db = NULL;
        r->have_lock = 0;
        atomic_store(&r->ready, 0);
}

static void relay_log_db_error(jc_relay *r, const char *what, const jc_pg_err *e)
{
        if (!jc_log_due(&r->last_db_error_log_ms, 10000))
                return;
        jc_log_write(JC_LOG_WARN, JC_KV({"component", "outbox-relay"},
                                        {"sqlstate", e->sqlstate}),
                     "%s: %s", what, e->message);
}

static int relay_db_connect(jc_relay *r)
{
        jc_pg_err e;
        char listen[128];

        r->db = jc_pg_open(r->cfg.db, &e);
        if (!r->db) {
                relay_log_db_error(r, "outbox relay could not connect", &e);
                return -1;
        }
        snprintf(listen, sizeof(listen), "LISTEN %s", r->channel);
        if (jc_pg_cmd(r->db, listen, &e) != 0) {
                relay_log_db_error(r, "outbox relay could not LISTEN", &e);
                relay_db_close(r);
                return -1;
        }
        return 0;
}

static int relay_try_lock(jc_relay *r)
{
        jc_pg_err e;
        PGresult *res = jc_pg_exec(r->db, "jc_relay_lock", JC_PG_ARGS(r->lock_key), &e);

        if (!res) {
                relay_log_db_error(r, "outbox relay could not take its lock", &e);
                relay_db_close(r);
                return -1;
        }
        r->have_lock = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        PQclear(res);
        if (r->have_lock)
                jc_log_write(JC_LOG_INFO, JC_KV({"component", "outbox-relay"}),
                             "outbox relay is the active publisher for schema %s",
                             r->cfg.schema);
        return r->have_lock ? 0 : -1;
}

/* Sleeps until a NOTIFY arrives, `timeout_ms` passes, or stop is set,
 * serving producer callbacks meanwhile. */
static void relay_wait(jc_relay *r, int timeout_ms)
{
        int64_t deadline = jc_time_mono_ms() + timeout_ms;

        while (!atomic_load(&r->stop)) {
                int64_t left = deadline - jc_time_mono_ms();
                struct pollfd pfd;
                PGnotify *n;
                int woke = 0;

                if (left <= 0)
                        return;
                if (r->rk)
                        rd_kafka_poll(r->rk, 0);
                if (!r->db) {
                        jc_time_sleep_ms(left < 200 ? left : 200);
                        continue;
                }
                pfd.fd = PQsocket(r->db);
                pfd.events = POLLIN;
                pfd.revents = 0;
                if (pfd.fd < 0 || poll(&pfd, 1, left < 200 ? (int)left : 200) < 0)
                        return;
                if (pfd.revents && PQconsumeInput(r->db) == 0) {
                        relay_db_close(r);
                        return;
                }
                while ((n = PQnotifies(r->db)) != NULL) {
                        woke = 1;
                        PQfreemem(n);
                }
                if (woke)
                        return;
        }
}

static int64_t be64(const char *p)
{
        uint64_t v;

        memcpy(&v, p, 8);
        return (int64_t)be64toh(v);
}

static rd_kafka_headers_t *relay_headers(const char *json_text)
{
        json_t *arr = json_loads(json_text, 0, NULL);
        rd_kafka_headers_t *h = NULL;
        size_t i;
        json_t *pair;

        if (!json_is_array(arr) || json_array_size(arr) == 0)
                goto out;
        h = rd_kafka_headers_new(json_array_size(arr));
        json_array_foreach(arr, i, pair) {
                const char *k = json_string_value(json_array_get(pair, 0));
                const char *v = json_string_value(json_array_get(pair, 1));

                if (k && v)
                        rd_kafka_header_add(h, k, -1, v, -1);
        }
out:
        json_decref(arr);
        return h;
}

static int relay_produce_row(jc_relay *r, PGresult *res, int row, relay_slot *slot)
{
        const char *topic = PQgetvalue(res, row, 1);
        rd_kafka_headers_t *h = relay_headers(PQgetvalue(res, row, 4));
        char *key = PQgetisnull(res, row, 2) ? NULL : PQgetvalue(res, row, 2);
        char *value = PQgetisnull(res, row, 3) ? NULL : PQgetvalue(res, row, 3);
        rd_kafka_resp_err_t err;

        for (;;) {
                err = rd_kafka_producev(
                    r->rk, RD_KAFKA_V_TOPIC(topic),
                    RD_KAFKA_V_KEY(key, (size_t)PQgetlength(res, row, 2)),
                    RD_KAFKA_V_VALUE(value, (size_t)PQgetlength(res, row, 3)),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                    RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(slot), RD_KAFKA_V_END);
                if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || atomic_load(&r->stop))
                        break;
                rd_kafka_poll(r->rk, 50);
        }
        if (err) {
                if (h)
                        rd_kafka_headers_destroy(h);
                slot->done = 1;
                slot->err = err;
                return -1;
        }
        r->outstanding++;
        return 0;
}

/* Errors after which the row is sent again later rather than marked failed. */
static int relay_err_retriable(rd_kafka_resp_err_t err)
{
        return err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
               err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT ||
               err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT ||
               err == RD_KAFKA_RESP_ERR__QUEUE_FULL ||
               err == RD_KAFKA_RESP_ERR__FATAL ||
               err == RD_KAFKA_RESP_ERR__TIMED_OUT;
}

static void relay_mark(jc_relay *r, relay_slot *slots, int n)
{
        jc_buf ids = JC_BUF_INIT;
        int nok = 0, nfail = 0;
        jc_pg_err e;
        PGresult *res;

        jc_buf_appends(&ids, "{");
        for (int i = 0; i < n; i++) {
                if (!slots[i].done || slots[i].err)
                        continue;
                jc_buf_appendf(&ids, "%s%lld", nok ? "," : "", (long long)slots[i].id);
                nok++;
        }
        jc_buf_appends(&ids, "}");
        if (nok > 0) {
                res = jc_pg_exec(r->db, "jc_relay_mark", JC_PG_ARGS(ids.data), &e);
                if (!res) {
                        relay_log_db_error(r, "outbox relay could not mark rows published "
                                              "(they will be sent again)", &e);
                        relay_db_close(r);
                        goto out;
                }
                PQclear(res);
        }
        for (int i = 0; i < n && r->db; i++) {
                char id[24];

                if (!slots[i].done || !slots[i].err || relay_err_retriable(slots[i].err))
                        continue;
                snprintf(id, sizeof(id), "%lld", (long long)slots[i].id);
                jc_log_write(JC_LOG_ERROR, JC_KV({"component", "outbox-relay"},
                                                 {"outbox_id", id},
                                                 {"error", rd_kafka_err2name(slots[i].err)}),
                             "broker refused outbox row %s permanently: %s; marked failed "
                             "(clear failed_at to retry)", id, rd_kafka_err2str(slots[i].err));
                res = jc_pg_exec(r->db, "jc_relay_fail",
                                 JC_PG_ARGS(id, rd_kafka_err2str(slots[i].err)), &e);
                if (!res) {
                        relay_db_close(r);
                        break;
                }
                PQclear(res);
                nfail++;
        }
        jc_metrics_counter_add(r->cfg.metrics, "jc_outbox_published_total",
                               "Outbox rows acknowledged by the broker", "", nok);
        if (nfail)
                jc_metrics_counter_add(r->cfg.metrics, "jc_outbox_failed_total",
                                       "Outbox rows the broker refused permanently",
                                       "", nfail);
out:
        jc_buf_release(&ids);
}

/* Publishes one batch. Returns the number of rows fetched (0 = idle). */
static int relay_publish_batch(jc_relay *r)
{
        char limit[16];
        jc_pg_err e;
        PGresult *res;
        relay_slot *slots = NULL;
        int n;
        int64_t start = jc_time_mono_ms(), stop_deadline = 0;

        snprintf(limit, sizeof(limit), "%d", r->cfg.batch_size);
        res = jc_pg_exec_bin(r->db, "jc_relay_fetch", 1, (const char *const[]){limit},
                             NULL, NULL, 1, &e);
        if (!res) {
                relay_log_db_error(r, "outbox relay could not read the outbox", &e);
                relay_db_close(r);
                return 0;
        }
        n = PQntuples(res);
        if (n == 0)
                goto out;
        slots = calloc((size_t)n, sizeof(*slots));
        if (!slots)
                goto out;
        for (int i = 0; i < n; i++) {
                slots[i].id = be64(PQgetvalue(res, i, 0));
                if (relay_produce_row(r, res, i, &slots[i]) != 0 &&
                    atomic_load(&r->stop))
                        break;
        }
        while (r->outstanding > 0) {
                rd_kafka_poll(r->rk, 100);
                if (atomic_load(&r->stop)) {
                        if (!stop_deadline)
                                stop_deadline = jc_time_mono_ms() + STOP_GRACE_MS;
                        else if (jc_time_mono_ms() > stop_deadline)
                                break;
                }
        }
        relay_mark(r, slots, n);
        jc_metrics_observe(r->cfg.metrics, "jc_outbox_batch_seconds",
                           "Time to publish and acknowledge one outbox batch", "",
                           (double)(jc_time_mono_ms() - start) / 1000.0);
out:
        free(slots);
        PQclear(res);
        return n;
}

static void relay_housekeeping(jc_relay *r)
{
        int64_t now = jc_time_mono_ms();
        jc_pg_err e;
        PGresult *res;

        if (!r->db)
                return;
        if (now - r->last_backlog_ms >= 5000) {
                r->last_backlog_ms = now;
                res = jc_pg_exec(r->db, "jc_outbox_backlog", 0, NULL, &e);
                if (res) {
                        jc_metrics_gauge_set(r->cfg.metrics, "jc_outbox_pending",
                                             "Outbox rows not yet acknowledged by the broker",
                                             "", atof(PQgetvalue(res, 0, 0)));
                        jc_metrics_gauge_set(r->cfg.metrics, "jc_outbox_oldest_pending_seconds",
                                             "Age of the oldest unpublished outbox row", "",
                                             atof(PQgetvalue(res, 0, 1)));
                        PQclear(res);
                }
        }
        if (r->cfg.retention_hours > 0 && now - r->last_prune_ms >= 60000) {
                char hours[16];

                r->last_prune_ms = now;
                snprintf(hours, sizeof(hours), "%d", r->cfg.retention_hours);
                res = jc_pg_exec(r->db, "jc_relay_prune", JC_PG_ARGS(hours), &e);
                if (res)
                        PQclear(res);
        }
        /* The inbox guards against redelivery, which comes within minutes
         * (rebalance, crash); a deliberate replay from the beginning relies
         * on the handlers being idempotent, so old rows can go. */
        if (r->cfg.inbox_retention_days > 0 && now - r->last_inbox_prune_ms >= 600000) {
                char days[16];

                r->last_inbox_prune_ms = now;
                snprintf(days, sizeof(days), "%d", r->cfg.inbox_retention_days);
                res = jc_pg_exec(r->db, "jc_inbox_prune", JC_PG_ARGS(days), &e);
                if (res)
                        PQclear(res);
        }
}

static void *relay_main(void *arg)
{
        jc_relay *r = arg;
        int64_t backoff = 100;
        char err[256];

        jc_log_ctx_clear();
        while (!atomic_load(&r->stop)) {
                if (!r->rk && relay_producer_new(r, err, sizeof(err)) != 0) {
                        jc_log_write(JC_LOG_ERROR, JC_KV({"component", "outbox-relay"}),
                                     "%s", err);
                        relay_wait(r, 5000);
                        continue;
                }
                if (rd_kafka_fatal_error(r->rk, err, sizeof(err))) {
                        jc_log_write(JC_LOG_ERROR, JC_KV({"component", "outbox-relay"}),
                                     "producer hit a fatal error (%s); recreating it", err);
                        relay_producer_destroy(r);
                        continue;
                }
                if (!r->db && relay_db_connect(r) != 0) {
                        relay_wait(r, (int)backoff);
                        backoff = backoff * 2 > 5000 ? 5000 : backoff * 2;
                        continue;
                }
                backoff = 100;
                if (!r->have_lock && relay_try_lock(r) != 0) {
                        /* another relay of this service is active: stand by */
                        relay_wait(r, r->cfg.poll_interval_ms);
                        continue;
                }
                atomic_store(&r->ready, 1);
                relay_housekeeping(r);
                if (relay_publish_batch(r) == 0 && r->db)
                        relay_wait(r, r->cfg.poll_interval_ms);
        }
        relay_producer_destroy(r);
        relay_db_close(r);
        return NULL;
}

jc_relay *jc_relay_start(const jc_relay_config *cfg, char *err, size_t errlen)
{
        jc_relay *r = calloc(1, sizeof(*r));

        if (!r) {
                snprintf(err, errlen, "out of memory");
                return NULL;
        }
        r->cfg = *cfg;
        if (r->cfg.batch_size <= 0)
                r->cfg.batch_size = 500;
        if (r->cfg.poll_interval_ms <= 0)
                r->cfg.poll_interval_ms = 1000;
        snprintf(r->channel, sizeof(r->channel), "jc_outbox_%s", cfg->schema);
        snprintf(r->lock_key, sizeof(r->lock_key), "jc_outbox_relay.%s", cfg->schema);
        if (relay_producer_new(r, err, errlen) != 0) {
                free(r);
                return NULL;
        }
        if (pthread_create(&r->thread, NULL, relay_main, r) != 0) {
                snprintf(err, errlen, "could not start the outbox relay thread");
                relay_producer_destroy(r);
                free(r);
                return NULL;
        }
        return r;
}

void jc_relay_stop(jc_relay *r)
{
        if (!r)
                return;
        atomic_store(&r->stop, 1);
        pthread_join(r->thread, NULL);
        free(r);
}

int jc_relay_ready(jc_relay *r)
{
        return r && atomic_load(&r->ready);
}
