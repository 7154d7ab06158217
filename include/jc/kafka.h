#ifndef JC_KAFKA_H
#define JC_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

/*
 * librdkafka configuration shared by every service.
 *
 * Producer: enable.idempotence=true (acks=all, ordered, no duplicates from
 * retries), partitioner=murmur2_random (same partition as Java clients for
 * the same key), message.timeout.ms=0 (keep retrying through a broker outage;
 * the outbox row stays unmarked until the broker acknowledges).
 *
 * Consumer: enable.auto.offset.store=false (the consumer stores an offset
 * only after the transaction with its effects committed),
 * enable.auto.commit=true (stored offsets are committed in the background),
 * auto.offset.reset=earliest, allow.auto.create.topics=false.
 *
 * `extra` is "key=value;key=value" appended last, for what real Kafka needs
 * (security.protocol, sasl.*, ssl.*) — from JC_KAFKA_EXTRA.
 *
 * Both return a conf the caller passes to rd_kafka_new() (which takes it) or
 * destroys with rd_kafka_conf_destroy(); NULL with `err` set on failure.
 */
rd_kafka_conf_t *jc_kafka_producer_conf(const char *bootstrap,
                                        const char *client_id,
                                        const char *extra, char *err,
                                        size_t errlen);
rd_kafka_conf_t *jc_kafka_consumer_conf(const char *bootstrap,
                                        const char *group_id,
                                        const char *client_id,
                                        const char *extra,
                                        int session_timeout_ms,
                                        int fetch_wait_ms, char *err,
                                        size_t errlen);

/* Sets one property; on failure `err` names the property. */
int jc_kafka_conf_set(rd_kafka_conf_t *conf, const char *key,
                      const char *value, char *err, size_t errlen);
/* Applies "key=value;key=value". */
int jc_kafka_conf_apply_extra(rd_kafka_conf_t *conf, const char *extra,
                              char *err, size_t errlen);

/* 1 when a broker answered a metadata request within `timeout_ms`. */
int jc_kafka_ping(rd_kafka_t *rk, int timeout_ms);

#endif
