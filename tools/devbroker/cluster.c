#include "devbroker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How long start-up waits for the brokers to answer the check. */
#define DEVBROKER_VERIFY_TIMEOUT_MS 10000

/*
 * librdkafka 2.0.2's mock thread loses the wake-up of a command issued right
 * after the previous one was answered: one loop iteration serves the command
 * queue, then drains the wake-up pipe, swallowing the byte written for the
 * next command, which then waits for the thread's 1 s poll timeout. (So
 * `down all` took 1 s and start-up sometimes 1-3 s.) Leaving a short gap
 * after each command lets the thread finish its iteration first.
 */
#define DEVBROKER_MOCK_GAP_NS 2000000L

void devbroker_mock_wait_turn(devbroker *db)
{
        struct timespec now, until;

        if (db->last_mock_cmd.tv_sec == 0 && db->last_mock_cmd.tv_nsec == 0)
                return;
        until = db->last_mock_cmd;
        until.tv_nsec += DEVBROKER_MOCK_GAP_NS;
        if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
        }
        if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
                return;
        if (now.tv_sec > until.tv_sec ||
            (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec))
                return;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) ==
               EINTR)
                ;
}

void devbroker_mock_done(devbroker *db)
{
        if (clock_gettime(CLOCK_MONOTONIC, &db->last_mock_cmd) < 0)
                db->last_mock_cmd = (struct timespec){0, 0};
}

/* librdkafka logs (from its own threads) go out as our JSON lines. */
static void devbroker_cluster_log_rdkafka(const rd_kafka_t *rk, int level,
                                          const char *fac, const char *buf)
{
        jc_log_level lvl;

        if (level <= 3)
                lvl = JC_LOG_ERROR;
        else if (level == 4)
                lvl = JC_LOG_WARN;
        else if (level <= 6)
                lvl = JC_LOG_INFO;
        else
                lvl = JC_LOG_DEBUG;
        /* The mock cluster's host client never connects anywhere; its
         * warning about missing bootstrap.servers is expected. The metadata
         * client's connection errors (brokers set down on purpose) are
         * summed up in the one error its caller reports. */
        if ((strcmp(fac, "CONFWARN") == 0 &&
             strncmp(rd_kafka_name(rk), "devbroker-mock", 14) == 0) ||
            strncmp(rd_kafka_name(rk), "devbroker-metadata", 18) == 0)
                lvl = JC_LOG_DEBUG;
        jc_log_write(lvl,
                     JC_KV({"component", "librdkafka"},
                           {"client", rd_kafka_name(rk)}, {"facility", fac}),
                     "%s", buf);
}

static int devbroker_cluster_conf_set(rd_kafka_conf_t *conf, const char *key,
                                      const char *val, char *err,
                                      size_t errlen)
{
        char errstr[512];

        if (rd_kafka_conf_set(conf, key, val, errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK) {
                snprintf(err, errlen, "could not set librdkafka %s=%s: %s",
                         key, val, errstr);
                return -1;
        }
        return 0;
}

int devbroker_cluster_start(devbroker *db, int nbrokers, jc_log_level level,
                            char *err, size_t errlen)
{
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        char errstr[512];
        int rc = -1;

        db->host = NULL;
        db->mcluster = NULL;
        db->bootstrap = NULL;
        db->nbrokers = nbrokers;
        if (!conf) {
                snprintf(err, errlen, "out of memory creating librdkafka "
                                      "configuration");
                goto out;
        }
        rd_kafka_conf_set_log_cb(conf, devbroker_cluster_log_rdkafka);
        if (devbroker_cluster_conf_set(conf, "client.id", "devbroker-mock",
                                       err, errlen) < 0)
                goto out;
        if (level == JC_LOG_DEBUG &&
            devbroker_cluster_conf_set(conf, "debug", "mock", err, errlen) < 0)
                goto out;
        db->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr,
                                sizeof(errstr));
        if (!db->host) {
                snprintf(err, errlen,
                         "could not create the mock cluster's host client: %s",
                         errstr);
                goto out;
        }
        conf = NULL; /* owned by db->host now */
        db->mcluster = rd_kafka_mock_cluster_new(db->host, nbrokers);
        if (!db->mcluster) {
                snprintf(err, errlen,
                         "could not create a mock cluster of %d brokers "
                         "(librdkafka refused; see its log lines above)",
                         nbrokers);
                goto out;
        }
        db->bootstrap = rd_kafka_mock_cluster_bootstraps(db->mcluster);
        if (!db->bootstrap || !*db->bootstrap) {
                snprintf(err, errlen,
                         "the mock cluster reported no bootstrap address");
                goto out;
        }
        rc = 0;
out:
        if (conf)
                rd_kafka_conf_destroy(conf);
        if (rc < 0)
                devbroker_cluster_stop(db);
        return rc;
}

int devbroker_cluster_create_topics(devbroker *db, char *err, size_t errlen)
{
        int rf = db->nbrokers < 3 ? db->nbrokers : 3;

        for (size_t i = 0; i < db->cat->ntopics; i++) {
                const jc_topic *t = &db->cat->topics[i];
                rd_kafka_resp_err_t e;

                devbroker_mock_wait_turn(db);
                e = rd_kafka_mock_topic_create(db->mcluster, t->name,
                                               t->partitions, rf);
                devbroker_mock_done(db);
                if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
                        snprintf(err, errlen,
                                 "could not create topic %s (%d partitions, "
                                 "replication factor %d): %s",
                                 t->name, t->partitions, rf,
                                 rd_kafka_err2str(e));
                        return -1;
                }
                jc_log_write(JC_LOG_DEBUG,
                             JC_KV({"topic", t->name}), "topic created");
        }
        return 0;
}

static int devbroker_topic_state_compare(const void *a, const void *b)
{
        const devbroker_topic_state *x = a, *y = b;

        return strcmp(x->name, y->name);
}

void devbroker_topic_states_free(devbroker_topic_state *topics, size_t n)
{
        if (!topics)
                return;
        for (size_t i = 0; i < n; i++)
                free(topics[i].name);
        free(topics);
}

int devbroker_cluster_fetch_topics(const devbroker *db, int timeout_ms,
                                   devbroker_topic_state **out, size_t *nout,
                                   char *err, size_t errlen)
{
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_t *rk = NULL;
        const struct rd_kafka_metadata *md = NULL;
        devbroker_topic_state *topics = NULL;
        size_t n = 0;
        rd_kafka_resp_err_t e;
        char errstr[512];
        int rc = -1;

        *out = NULL;
        *nout = 0;
        if (!conf) {
                snprintf(err, errlen, "out of memory creating librdkafka "
                                      "configuration");
                goto out;
        }
        rd_kafka_conf_set_log_cb(conf, devbroker_cluster_log_rdkafka);
        if (devbroker_cluster_conf_set(conf, "bootstrap.servers",
                                       db->bootstrap, err, errlen) < 0 ||
            devbroker_cluster_conf_set(conf, "client.id",
                                       "devbroker-metadata", err,
                                       errlen) < 0 ||
            devbroker_cluster_conf_set(conf, "log.connection.close", "false",
                                       err, errlen) < 0)
                goto out;
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                snprintf(err, errlen,
                         "could not create a metadata client for %s: %s",
                         db->bootstrap, errstr);
                goto out;
        }
        conf = NULL; /* owned by rk now */
        e = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
                md = NULL;
                snprintf(err, errlen,
                         "metadata request to %s failed after at most %d "
                         "ms: %s",
                         db->bootstrap, timeout_ms, rd_kafka_err2str(e));
                goto out;
        }
        topics = calloc(md->topic_cnt ? (size_t)md->topic_cnt : 1,
                        sizeof(*topics));
        if (!topics) {
                snprintf(err, errlen, "out of memory reading metadata");
                goto out;
        }
        for (int i = 0; i < md->topic_cnt; i++) {
                const struct rd_kafka_metadata_topic *mt = &md->topics[i];

                if (strncmp(mt->topic, "__", 2) == 0)
                        continue;
                topics[n].name = strdup(mt->topic);
                if (!topics[n].name) {
                        snprintf(err, errlen, "out of memory reading metadata");
                        goto out;
                }
                topics[n].partitions = mt->partition_cnt;
                topics[n].err = mt->err;
                n++;
        }
        qsort(topics, n, sizeof(*topics), devbroker_topic_state_compare);
        *out = topics;
        *nout = n;
        topics = NULL;
        rc = 0;
out:
        devbroker_topic_states_free(topics, n);
        if (md)
                rd_kafka_metadata_destroy(md);
        if (rk)
                rd_kafka_destroy(rk);
        if (conf)
                rd_kafka_conf_destroy(conf);
        return rc;
}

int devbroker_cluster_verify_topics(const devbroker *db, char *err,
                                    size_t errlen)
{
        devbroker_topic_state *topics = NULL;
        size_t n = 0;
        int rc = -1;

        if (devbroker_cluster_fetch_topics(db, DEVBROKER_VERIFY_TIMEOUT_MS,
                                           &topics, &n, err, errlen) < 0)
                goto out;
        for (size_t i = 0; i < db->cat->ntopics; i++) {
                const jc_topic *t = &db->cat->topics[i];
                devbroker_topic_state key = {.name = t->name};
                const devbroker_topic_state *found;

                found = bsearch(&key, topics, n, sizeof(*topics),
                                devbroker_topic_state_compare);
                if (!found) {
                        snprintf(err, errlen,
                                 "topic %s was created but the brokers do not "
                                 "report it in metadata",
                                 t->name);
                        goto out;
                }
                if (found->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                        snprintf(err, errlen,
                                 "the brokers report topic %s with error: %s",
                                 t->name, rd_kafka_err2str(found->err));
                        goto out;
                }
                if (found->partitions != t->partitions) {
                        snprintf(err, errlen,
                                 "the brokers report topic %s with %d "
                                 "partitions, the catalogue declares %d",
                                 t->name, found->partitions, t->partitions);
                        goto out;
                }
        }
        rc = 0;
out:
        devbroker_topic_states_free(topics, n);
        return rc;
}

void devbroker_cluster_stop(devbroker *db)
{
        if (db->mcluster) {
                devbroker_mock_wait_turn(db);
                rd_kafka_mock_cluster_destroy(db->mcluster);
                db->mcluster = NULL;
        }
        if (db->host) {
                rd_kafka_destroy(db->host);
                db->host = NULL;
        }
        db->bootstrap = NULL;
}
