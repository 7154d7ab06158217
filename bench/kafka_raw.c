/*
 * bench-kafka-raw: the raw librdkafka limits the pipeline is bounded by.
 * Produces N keyed messages of a given size with the platform's producer
 * settings (idempotent, acks=all, murmur2_random), then consumes them with a
 * consumer group, and prints one JSON line:
 *   {"messages":N,"bytes":B,"produce_per_s":…,"consume_per_s":…}
 *
 *   bench-kafka-raw BOOTSTRAP TOPIC N SIZE
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/kafka.h"
#include "jc/timeutil.h"
#include "jc/uuid.h"

static long delivered, failed;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        (void)rk;
        (void)opaque;
        if (m->err)
                failed++;
        else
                delivered++;
}

static double produce(const char *bootstrap, const char *topic, long n, int size)
{
        char err[512], key[JC_UUID_STRLEN];
        rd_kafka_conf_t *conf = jc_kafka_producer_conf(bootstrap, "bench-raw-producer", NULL,
                                                       err, sizeof(err));
        rd_kafka_t *rk;
        char *value = malloc((size_t)size);
        int64_t t0;

        if (!conf || !value) {
                fprintf(stderr, "bench-kafka-raw: %s\n", conf ? "out of memory" : err);
                exit(1);
        }
        memset(value, 'x', (size_t)size);
        rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
        if (!rk) {
                fprintf(stderr, "bench-kafka-raw: %s\n", err);
                exit(1);
        }
        t0 = jc_time_mono_ms();
        for (long i = 0; i < n; i++) {
                jc_uuid_v4(key);
                while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                         RD_KAFKA_V_KEY(key, strlen(key)),
                                         RD_KAFKA_V_VALUE(value, (size_t)size),
                                         RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                         RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                        rd_kafka_poll(rk, 10);
                rd_kafka_poll(rk, 0);
        }
        rd_kafka_flush(rk, 120000);
        t0 = jc_time_mono_ms() - t0;
        rd_kafka_destroy(rk);
        free(value);
        if (delivered != n) {
                fprintf(stderr, "bench-kafka-raw: delivered %ld of %ld (%ld failed)\n", delivered,
                        n, failed);
                exit(1);
        }
        return (double)n * 1000.0 / (double)(t0 ? t0 : 1);
}

static double consume(const char *bootstrap, const char *topic, long n)
{
        char err[512], group[64], id[JC_UUID_STRLEN];
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        rd_kafka_topic_partition_list_t *subs;
        long got = 0;
        int64_t t0 = 0, deadline;

        jc_uuid_v4(id);
        snprintf(group, sizeof(group), "bench-raw-%.8s", id);
        conf = jc_kafka_consumer_conf(bootstrap, group, "bench-raw-consumer", NULL, 6000, 100,
                                      err, sizeof(err));
        if (!conf) {
                fprintf(stderr, "bench-kafka-raw: %s\n", err);
                exit(1);
        }
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
        if (!rk) {
                fprintf(stderr, "bench-kafka-raw: %s\n", err);
                exit(1);
        }
        rd_kafka_poll_set_consumer(rk);
        subs = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(subs, topic, RD_KAFKA_PARTITION_UA);
        rd_kafka_subscribe(rk, subs);
        rd_kafka_topic_partition_list_destroy(subs);
        deadline = jc_time_mono_ms() + 120000;
        while (got < n && jc_time_mono_ms() < deadline) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);

                if (!m)
                        continue;
                if (!m->err) {
                        if (got == 0)
                                t0 = jc_time_mono_ms(); /* after the group join */
                        got++;
                }
                rd_kafka_message_destroy(m);
        }
        t0 = jc_time_mono_ms() - t0;
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        if (got < n) {
                fprintf(stderr, "bench-kafka-raw: consumed %ld of %ld\n", got, n);
                exit(1);
        }
        return (double)n * 1000.0 / (double)(t0 ? t0 : 1);
}

int main(int argc, char **argv)
{
        long n;
        int size;
        double p, c;

        if (argc != 5) {
                fprintf(stderr, "usage: bench-kafka-raw BOOTSTRAP TOPIC N SIZE\n");
                return 2;
        }
        n = atol(argv[3]);
        size = atoi(argv[4]);
        p = produce(argv[1], argv[2], n, size);
        c = consume(argv[1], argv[2], n);
        printf("{\"messages\":%ld,\"bytes\":%d,\"produce_per_s\":%.0f,\"consume_per_s\":%.0f}\n", n,
               size, p, c);
        return 0;
}
