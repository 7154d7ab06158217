#ifndef JC_CONSUMER_H
#define JC_CONSUMER_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

#include "jc/ce.h"
#include "jc/metrics.h"
#include "jc/outbox.h"
#include "jc/pg.h"
#include "jc/topics.h"

/*
 * The idempotent consumer (inbox pattern).
 *
 * A batch of messages is applied in one transaction. For each message:
 *   1. decode the CloudEvents envelope (or take the raw value, for inbound
 *      topics whose messages are not CloudEvents);
 *   2. the batch's inbox rows (consumer, source, id) are inserted in one
 *      statement; a message whose row existed was applied before: skip it;
 *   3. run the handler; it changes state and may emit events (jc_emit) on
 *      the same connection.
 * Then COMMIT, and only then store the offsets. There are no savepoints on
 * the happy path: when a handler answers POISON the batch is rolled back and
 * replayed with that message dead-lettered instead of applied.
 *
 * A handler answers:
 *   JC_HANDLE_OK     applied (or deliberately ignored);
 *   JC_HANDLE_POISON the message can never be applied (bad shape, violates a
 *                    rule): its effects are undone (batch replay), recorded in
 *                    dead_letter, published to jobcenter.dlq.v1 through the
 *                    outbox with the reason, and the consumer moves on;
 *   JC_HANDLE_RETRY  a transient failure (DB lost, deadlock): the whole batch
 *                    is rolled back and retried with backoff. A message that
 *                    keeps asking for retries while the database is healthy
 *                    is dead-lettered after max_attempts.
 *
 * Undecodable messages and event types the catalogue does not declare for the
 * topic are dead-lettered without reaching a handler. Declared types without
 * a handler are recorded as 'ignored'.
 */
typedef enum jc_handle_result {
        JC_HANDLE_OK = 0,
        JC_HANDLE_POISON = 1,
        JC_HANDLE_RETRY = 2,
} jc_handle_result;

typedef struct jc_consume_ctx {
        PGconn *db;                 /* inside the batch transaction */
        const jc_emitter *emitter;  /* to emit events in the same transaction */
        const char *topic;
        int32_t partition;
        int64_t offset;
        const void *key;            /* may be NULL */
        size_t key_len;
        const jc_ce_event *event;   /* NULL for raw and tombstone messages */
        const void *value;          /* raw value; NULL for a tombstone */
        size_t value_len;
        void *opaque;               /* jc_consumer_def.opaque */
        const rd_kafka_message_t *message; /* the Kafka record (borrowed) */
        char reason[512];           /* a handler returning POISON/RETRY says why here */
} jc_consume_ctx;

typedef jc_handle_result (*jc_event_handler_fn)(jc_consume_ctx *ctx);

/* Copies the last value of Kafka header `name` into `buf` (NUL-terminated,
 * truncated to buflen - 1). Returns 0, or -1 when absent. */
int jc_consume_header(const jc_consume_ctx *ctx, const char *name, char *buf, size_t buflen);

#define JC_TYPE_TOMBSTONE "(tombstone)" /* handler for records with no value */
#define JC_TYPE_RAW "(raw)"             /* handler for a raw (non-CloudEvents) topic */

typedef struct jc_event_handler {
        const char *topic;
        const char *type; /* "case.opened.v1", JC_TYPE_TOMBSTONE or JC_TYPE_RAW */
        jc_event_handler_fn fn;
} jc_event_handler;

typedef struct jc_consumer_config {
        const char *name;          /* inbox consumer name and DLQ header */
        const char *group_id;
        const char *bootstrap;
        const char *client_id;
        const char *kafka_extra;
        int session_timeout_ms;
        int fetch_wait_ms;
        const char *const *topics; /* NULL-terminated */
        const char *const *raw_topics; /* subset whose values are not CloudEvents */
        const jc_event_handler *handlers; /* terminated by {NULL, NULL, NULL} */
        void *opaque;
        const jc_pg_config *db;    /* borrowed */
        const jc_emitter *emitter; /* borrowed */
        const jc_topic_catalogue *catalogue; /* borrowed */
        jc_metrics *metrics;       /* borrowed, may be NULL */
        /* Optional: called in the transaction that records a dead letter, so
         * the service can keep its own record (e.g. a rejected handover the
         * sender can look up). Return 0, or -1 with `e` set to retry. */
        int (*on_dead_letter)(jc_consume_ctx *ctx, const char *reason, jc_pg_err *e);
        int batch_max;             /* messages per transaction */
        int max_attempts;          /* retries before a message is dead-lettered */
} jc_consumer_config;

typedef struct jc_consumer jc_consumer;

/* Subscribes (after checking every topic against the catalogue) and starts
 * the consumer thread. `cfg` is copied; what it points at must outlive the
 * consumer. NULL with `err` set on failure. */
jc_consumer *jc_consumer_start(const jc_consumer_config *cfg, char *err,
                               size_t errlen);
/* Finishes the batch in hand, commits, leaves the group, frees. */
void jc_consumer_stop(jc_consumer *c);
/* 1 while the consumer has a database connection. */
int jc_consumer_ready(jc_consumer *c);

#endif
