#ifndef JC_OUTBOX_H
#define JC_OUTBOX_H

#include <jansson.h>
#include <stddef.h>

#include "jc/metrics.h"
#include "jc/pg.h"
#include "jc/topics.h"
#include "jc/uuid.h"

/*
 * Transactional outbox.
 *
 * A handler changes its state and calls jc_emit() on the same connection,
 * inside the same transaction: either both commit or neither does. The relay
 * (jc_relay_start) publishes committed rows in id order with an idempotent
 * producer and marks each row only in its delivery report. At-least-once:
 * a crash between delivery and marking republishes, and consumers dedupe on
 * the CloudEvents id (jc/consumer.h).
 */

/* Statements the outbox, relay and consumer use; add this table to every
 * service's jc_pg_config.stmt_tables. */
extern const jc_pg_stmt jc_common_stmts[];
/* The common migrations (outbox, inbox, dead_letter), component "jc". */
extern const jc_embedded_file jc_common_migrations[];

typedef struct jc_outbox_msg {
        const char *topic;
        const char *event_id;   /* unique per message */
        const char *event_type; /* short type, or NULL */
        const void *key;
        size_t key_len;
        const void *payload;    /* NULL = tombstone */
        size_t payload_len;
        json_t *headers;        /* borrowed: [[name, value], ...] or NULL */
} jc_outbox_msg;

/* Inserts one row in the caller's transaction. Returns 0 or -1. */
int jc_outbox_add(PGconn *db, const jc_outbox_msg *m, jc_pg_err *e);

/* What a service needs to emit events: its CloudEvents source and the topic
 * catalogue (both borrowed, owned by the service). */
typedef struct jc_emitter {
        const char *source; /* "/jobcenter/intake" */
        const jc_topic_catalogue *catalogue;
} jc_emitter;

/*
 * Builds a CloudEvent of `short_type` ("case.opened.v1") with `data` (stolen),
 * subject and partitionkey `subject`, the calling thread's trace context, and
 * adds it to the outbox for `topic` keyed by `key`. Refuses a topic or type
 * the catalogue does not declare. `event_id_out` (optional) receives the id.
 * Returns 0, or -1 with `e` set.
 */
int jc_emit(const jc_emitter *em, PGconn *db, const char *topic,
            const char *key, const char *short_type, const char *subject,
            json_t *data, char event_id_out[JC_UUID_STRLEN], jc_pg_err *e);

/* jc_emit with a binary key and extra Kafka headers ([[name, value], ...],
 * borrowed, may be NULL). */
int jc_emit_ex(const jc_emitter *em, PGconn *db, const char *topic,
               const void *key, size_t key_len, const char *short_type,
               const char *subject, json_t *data, json_t *extra_headers,
               char event_id_out[JC_UUID_STRLEN], jc_pg_err *e);

/* Adds a tombstone (no value) for `key` on a compacted topic. */
int jc_emit_tombstone(const jc_emitter *em, PGconn *db, const char *topic,
                      const char *key, jc_pg_err *e);

/* The relay: one thread per service process. */
typedef struct jc_relay_config {
        const jc_pg_config *db; /* borrowed */
        const char *schema;
        const char *bootstrap;
        const char *client_id;
        const char *kafka_extra; /* "key=value;key=value" for real Kafka */
        int batch_size;
        int poll_interval_ms;    /* fallback when no NOTIFY arrives */
        int retention_hours;     /* published rows kept this long */
        int inbox_retention_days;/* inbox rows (redelivery guard) kept this long; 0 = forever */
        jc_metrics *metrics;     /* borrowed, may be NULL */
} jc_relay_config;

typedef struct jc_relay jc_relay;

/* Starts the relay thread. `cfg` is copied; the strings it points at must
 * outlive the relay. Returns NULL with `err` set on failure. */
jc_relay *jc_relay_start(const jc_relay_config *cfg, char *err, size_t errlen);
/* Stops taking new rows, waits up to 10 s for outstanding deliveries, marks
 * what was delivered, and frees the relay. */
void jc_relay_stop(jc_relay *r);
/* 1 once the relay holds the leader lock and has a broker connection. */
int jc_relay_ready(jc_relay *r);

#endif
