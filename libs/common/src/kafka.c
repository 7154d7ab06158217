#include "jc/kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"

int jc_kafka_conf_set(rd_kafka_conf_t *conf, const char *key,
                      const char *value, char *err, size_t errlen)
{
        char kerr[256];

        if (rd_kafka_conf_set(conf, key, value, kerr, sizeof(kerr)) !=
            RD_KAFKA_CONF_OK) {
                snprintf(err, errlen, "invalid Kafka setting %s: %s", key, kerr);
                return -1;
        }
        return 0;
}

int jc_kafka_conf_apply_extra(rd_kafka_conf_t *conf, const char *extra,
                              char *err, size_t errlen)
{
        char *copy, *save = NULL, *item;
        int rc = 0;

        if (!extra || !*extra)
                return 0;
        copy = strdup(extra);
        if (!copy) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        for (item = strtok_r(copy, ";", &save); item && rc == 0;
             item = strtok_r(NULL, ";", &save)) {
                char *eq = strchr(item, '=');

                if (!eq || eq == item) {
                        snprintf(err, errlen,
                                 "invalid JC_KAFKA_EXTRA entry \"%.60s\": expected key=value",
                                 item);
                        rc = -1;
                        break;
                }
                *eq = '\0';
                rc = jc_kafka_conf_set(conf, item, eq + 1, err, errlen);
        }
        free(copy);
        return rc;
}

/* librdkafka's own log lines, as JSON lines (levels are syslog levels). */
static void kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac,
                         const char *buf)
{
        jc_log_level lvl = level <= 3 ? JC_LOG_ERROR :
                           level <= 4 ? JC_LOG_WARN :
                           level <= 6 ? JC_LOG_INFO : JC_LOG_DEBUG;

        jc_log_write(lvl, JC_KV({"component", "librdkafka"},
                                {"client", rd_kafka_name(rk)}, {"facility", fac}),
                     "%s", buf);
}

static void kafka_error_cb(rd_kafka_t *rk, int err, const char *reason,
                           void *opaque)
{
        (void)opaque;
        jc_log_write(err == RD_KAFKA_RESP_ERR__FATAL ? JC_LOG_ERROR : JC_LOG_WARN,
                     JC_KV({"component", "librdkafka"}, {"client", rd_kafka_name(rk)},
                           {"error", rd_kafka_err2name((rd_kafka_resp_err_t)err)}),
                     "kafka client error: %s", reason);
}

static rd_kafka_conf_t *base_conf(const char *bootstrap, const char *client_id,
                                  char *err, size_t errlen)
{
        rd_kafka_conf_t *conf = rd_kafka_conf_new();

        if (!conf) {
                snprintf(err, errlen, "out of memory");
                return NULL;
        }
        rd_kafka_conf_set_log_cb(conf, kafka_log_cb);
        rd_kafka_conf_set_error_cb(conf, kafka_error_cb);
        if (jc_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, errlen) ||
            jc_kafka_conf_set(conf, "client.id", client_id, err, errlen) ||
            jc_kafka_conf_set(conf, "log.connection.close", "false", err, errlen)) {
                rd_kafka_conf_destroy(conf);
                return NULL;
        }
        return conf;
}

rd_kafka_conf_t *jc_kafka_producer_conf(const char *bootstrap,
                                        const char *client_id,
                                        const char *extra, char *err,
                                        size_t errlen)
{
        rd_kafka_conf_t *conf = base_conf(bootstrap, client_id, err, errlen);

        if (!conf)
                return NULL;
        if (jc_kafka_conf_set(conf, "enable.idempotence", "true", err, errlen) ||
            jc_kafka_conf_set(conf, "acks", "all", err, errlen) ||
            jc_kafka_conf_set(conf, "partitioner", "murmur2_random", err, errlen) ||
            jc_kafka_conf_set(conf, "message.timeout.ms", "0", err, errlen) ||
            jc_kafka_conf_set(conf, "linger.ms", "5", err, errlen) ||
            jc_kafka_conf_set(conf, "compression.codec", "none", err, errlen) ||
            jc_kafka_conf_apply_extra(conf, extra, err, errlen)) {
                rd_kafka_conf_destroy(conf);
                return NULL;
        }
        return conf;
}

rd_kafka_conf_t *jc_kafka_consumer_conf(const char *bootstrap,
                                        const char *group_id,
                                        const char *client_id,
                                        const char *extra,
                                        int session_timeout_ms,
                                        int fetch_wait_ms, char *err,
                                        size_t errlen)
{
        rd_kafka_conf_t *conf = base_conf(bootstrap, client_id, err, errlen);
        char st[16], fw[16];

        if (!conf)
                return NULL;
        snprintf(st, sizeof(st), "%d", session_timeout_ms);
        snprintf(fw, sizeof(fw), "%d", fetch_wait_ms);
        if (jc_kafka_conf_set(conf, "group.id", group_id, err, errlen) ||
            jc_kafka_conf_set(conf, "enable.auto.offset.store", "false", err, errlen) ||
            jc_kafka_conf_set(conf, "enable.auto.commit", "true", err, errlen) ||
            jc_kafka_conf_set(conf, "auto.commit.interval.ms", "1000", err, errlen) ||
            jc_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, errlen) ||
            jc_kafka_conf_set(conf, "enable.partition.eof", "false", err, errlen) ||
            jc_kafka_conf_set(conf, "session.timeout.ms", st, err, errlen) ||
            jc_kafka_conf_set(conf, "fetch.wait.max.ms", fw, err, errlen) ||
            jc_kafka_conf_apply_extra(conf, extra, err, errlen)) {
                rd_kafka_conf_destroy(conf);
                return NULL;
        }
        return conf;
}

int jc_kafka_ping(rd_kafka_t *rk, int timeout_ms)
{
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t err;

        err = rd_kafka_metadata(rk, 0, NULL, &md, timeout_ms);
        if (md)
                rd_kafka_metadata_destroy(md);
        return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}
