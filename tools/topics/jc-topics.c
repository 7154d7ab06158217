/*
 * jc-topics: the topic catalogue (schemas/events/topics.json) against a real
 * Kafka cluster.
 *
 *   jc-topics list                     the catalogue as a table
 *   jc-topics create [--replication N] create missing topics (idempotent)
 *   jc-topics check                    every topic exists with its partitions
 *
 * Bootstrap from JC_KAFKA_BOOTSTRAP (or --bootstrap), extra librdkafka
 * settings from JC_KAFKA_EXTRA. devbroker creates its own topics (the mock has
 * no CreateTopics), so there only `check` applies.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/config.h"
#include "jc/kafka.h"
#include "jc/topics.h"

#define TIMEOUT_MS 30000

static void topics_list(const jc_topic_catalogue *cat)
{
        printf("%-28s %10s %-8s %14s %s\n", "topic", "partitions", "cleanup", "retention_ms",
               "personal_data");
        for (size_t i = 0; i < cat->ntopics; i++) {
                const jc_topic *t = &cat->topics[i];

                printf("%-28s %10d %-8s %14lld %s\n", t->name, t->partitions,
                       t->cleanup_policy, t->retention_ms, t->personal_data ? "yes" : "no");
        }
}

static rd_kafka_t *topics_client(const char *bootstrap, char *err, size_t errlen)
{
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_t *rk;

        if (jc_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, errlen) ||
            jc_kafka_conf_apply_extra(conf, jc_config_str("JC_KAFKA_EXTRA", NULL), err,
                                      errlen)) {
                rd_kafka_conf_destroy(conf);
                return NULL;
        }
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, errlen);
        if (!rk)
                rd_kafka_conf_destroy(conf);
        return rk;
}

static int topics_create(rd_kafka_t *rk, const jc_topic_catalogue *cat, int replication)
{
        rd_kafka_NewTopic_t **nt = calloc(cat->ntopics, sizeof(*nt));
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        rd_kafka_event_t *ev = NULL;
        const rd_kafka_topic_result_t **res;
        size_t nres;
        char err[512], retention[32];
        int rc = 1;

        for (size_t i = 0; i < cat->ntopics; i++) {
                const jc_topic *t = &cat->topics[i];

                nt[i] = rd_kafka_NewTopic_new(t->name, t->partitions, replication, err,
                                              sizeof(err));
                if (!nt[i]) {
                        fprintf(stderr, "jc-topics: topic %s: %s\n", t->name, err);
                        goto out;
                }
                snprintf(retention, sizeof(retention), "%lld", t->retention_ms);
                rd_kafka_NewTopic_set_config(nt[i], "cleanup.policy", t->cleanup_policy);
                rd_kafka_NewTopic_set_config(nt[i], "retention.ms", retention);
        }
        rd_kafka_CreateTopics(rk, nt, cat->ntopics, NULL, q);
        ev = rd_kafka_queue_poll(q, TIMEOUT_MS + 5000);
        if (!ev || rd_kafka_event_error(ev)) {
                fprintf(stderr, "jc-topics: could not create topics: %s\n",
                        ev ? rd_kafka_event_error_string(ev) : "timed out");
                goto out;
        }
        res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &nres);
        rc = 0;
        for (size_t i = 0; i < nres; i++) {
                rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);

                if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
                        printf("created %s\n", rd_kafka_topic_result_name(res[i]));
                else if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                        printf("exists  %s\n", rd_kafka_topic_result_name(res[i]));
                else {
                        fprintf(stderr, "jc-topics: could not create %s: %s\n",
                                rd_kafka_topic_result_name(res[i]),
                                rd_kafka_topic_result_error_string(res[i]));
                        rc = 1;
                }
        }
out:
        if (ev)
                rd_kafka_event_destroy(ev);
        for (size_t i = 0; i < cat->ntopics; i++)
                if (nt[i])
                        rd_kafka_NewTopic_destroy(nt[i]);
        free(nt);
        rd_kafka_queue_destroy(q);
        return rc;
}

static int topics_check(rd_kafka_t *rk, const jc_topic_catalogue *cat)
{
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e;
        int rc = 0;

        /* One request for all topics: asking per name would auto-create a
         * missing topic on brokers that allow it. */
        e = rd_kafka_metadata(rk, 1, NULL, &md, TIMEOUT_MS);
        if (e) {
                fprintf(stderr, "jc-topics: could not read cluster metadata: %s\n",
                        rd_kafka_err2str(e));
                return 1;
        }
        for (size_t i = 0; i < cat->ntopics; i++) {
                const jc_topic *t = &cat->topics[i];
                int found = -1;

                for (int j = 0; j < md->topic_cnt; j++)
                        if (strcmp(md->topics[j].topic, t->name) == 0)
                                found = j;
                if (found < 0) {
                        fprintf(stderr, "missing  %s\n", t->name);
                        rc = 1;
                } else if (md->topics[found].partition_cnt < t->partitions) {
                        fprintf(stderr, "too few partitions on %s: %d, the catalogue says %d\n",
                                t->name, md->topics[found].partition_cnt, t->partitions);
                        rc = 1;
                } else {
                        printf("ok       %s (%d partitions)\n", t->name,
                               md->topics[found].partition_cnt);
                }
        }
        for (int j = 0; j < md->topic_cnt; j++) {
                const char *name = md->topics[j].topic;

                if (strncmp(name, "__", 2) != 0 && !jc_topics_find(cat, name))
                        printf("unexpected %s (not in the catalogue: a typo?)\n", name);
        }
        rd_kafka_metadata_destroy(md);
        return rc;
}

static void usage(void)
{
        fprintf(stderr, "usage: jc-topics list|create|check [--bootstrap HOST:PORT,...] "
                        "[--replication N]\n");
}

int main(int argc, char **argv)
{
        const char *cmd = argc > 1 ? argv[1] : NULL;
        const char *bootstrap = jc_config_str("JC_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
        int replication = 1, rc = 2;
        jc_topic_catalogue cat;
        rd_kafka_t *rk = NULL;
        char err[512];

        for (int i = 2; i < argc; i++) {
                if (strcmp(argv[i], "--bootstrap") == 0 && i + 1 < argc) {
                        bootstrap = argv[++i];
                } else if (strcmp(argv[i], "--replication") == 0 && i + 1 < argc) {
                        replication = atoi(argv[++i]);
                } else {
                        usage();
                        return 2;
                }
        }
        if (!cmd || replication < 1) {
                usage();
                return 2;
        }
        if (jc_topics_load(&cat, NULL, err, sizeof(err)) != 0) {
                fprintf(stderr, "jc-topics: %s\n", err);
                return 1;
        }
        if (strcmp(cmd, "list") == 0) {
                topics_list(&cat);
                rc = 0;
                goto out;
        }
        if (strcmp(cmd, "create") != 0 && strcmp(cmd, "check") != 0) {
                usage();
                goto out;
        }
        rk = topics_client(bootstrap, err, sizeof(err));
        if (!rk) {
                fprintf(stderr, "jc-topics: %s\n", err);
                rc = 1;
                goto out;
        }
        rc = strcmp(cmd, "create") == 0 ? topics_create(rk, &cat, replication)
                                        : topics_check(rk, &cat);
out:
        if (rk)
                rd_kafka_destroy(rk);
        jc_topics_release(&cat);
        return rc;
}
