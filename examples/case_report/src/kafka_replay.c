/*
 * A consumer-group member that replays a topic from the beginning: every
 * partition it is assigned starts at its first offset (whatever the group
 * committed before, and auto.offset.reset=earliest for a new group), and the
 * replay ends when each assigned partition reports its end (partition EOF).
 * It never commits offsets: its state lives in memory, so it must rebuild
 * from the beginning on every run. See examples/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka_replay.h"

typedef struct replay_run {
        int *at_end;          /* per partition id: 1 when read to its end */
        int size;             /* entries in at_end */
        int assigned;         /* partitions assigned to this member */
        int ended;            /* assigned partitions read to their end */
        char last_error[256]; /* the last error librdkafka reported (for time-outs) */
        char fatal[256];      /* set by the rebalance callback when it cannot go on */
} replay_run;

static double now_s(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
        replay_run *run = opaque;

        (void)rk;
        snprintf(run->last_error, sizeof(run->last_error), "%s: %s",
                 rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

/* Every assigned partition starts from its beginning. */
static void on_assign(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts, replay_run *run)
{
        int max = -1, cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
        rd_kafka_error_t *error = NULL;
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;

        for (int i = 0; i < parts->cnt; i++) {
                parts->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
                if (parts->elems[i].partition > max)
                        max = parts->elems[i].partition;
        }
        if (max >= run->size) {
                int *grown = realloc(run->at_end, (size_t)(max + 1) * sizeof(int));

                if (!grown) {
                        snprintf(run->fatal, sizeof(run->fatal), "out of memory on assignment");
                        return;
                }
                memset(grown + run->size, 0, (size_t)(max + 1 - run->size) * sizeof(int));
                run->at_end = grown;
                run->size = max + 1;
        }
        for (int i = 0; i < parts->cnt; i++) {
                int p = parts->elems[i].partition;

                if (run->at_end[p])
                        run->ended--;
                run->at_end[p] = 0;
        }
        if (cooperative) {
                error = rd_kafka_incremental_assign(rk, parts);
                run->assigned += parts->cnt;
        } else {
                err = rd_kafka_assign(rk, parts);
                run->assigned = parts->cnt;
                run->ended = 0;
        }
        if (error || err)
                snprintf(run->fatal, sizeof(run->fatal), "could not take the assignment: %s",
                         error ? rd_kafka_error_string(error) : rd_kafka_err2str(err));
        rd_kafka_error_destroy(error);
}

static void on_revoke(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts, replay_run *run)
{
        if (strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0) {
                rd_kafka_error_t *error = rd_kafka_incremental_unassign(rk, parts);

                if (error)
                        snprintf(run->fatal, sizeof(run->fatal), "could not give up partitions: %s",
                                 rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
                for (int i = 0; i < parts->cnt; i++) {
                        int p = parts->elems[i].partition;

                        if (p < run->size && run->at_end[p]) {
                                run->at_end[p] = 0;
                                run->ended--;
                        }
                }
                run->assigned -= parts->cnt;
        } else {
                rd_kafka_resp_err_t err = rd_kafka_assign(rk, NULL);

                if (err)
                        snprintf(run->fatal, sizeof(run->fatal), "could not give up the assignment: %s",
                                 rd_kafka_err2str(err));
                if (run->at_end)
                        memset(run->at_end, 0, (size_t)run->size * sizeof(int));
                run->assigned = 0;
                run->ended = 0;
        }
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
                on_assign(rk, parts, opaque);
        else
                on_revoke(rk, parts, opaque);
}

static int set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
               size_t errlen)
{
        char why[256];

        if (rd_kafka_conf_set(conf, key, value, why, sizeof(why)) != RD_KAFKA_CONF_OK) {
                snprintf(err, errlen, "librdkafka setting %s: %s", key, why);
                return -1;
        }
        return 0;
}

/* The consumer configuration: our defaults, then the caller's -X settings.
 * Returns the configuration (the caller hands it to rd_kafka_new or
 * destroys it), or NULL with err. */
static rd_kafka_conf_t *make_conf(const replay_opts *o, replay_run *run, char *err, size_t errlen)
{
        rd_kafka_conf_t *conf = rd_kafka_conf_new();

        if (set(conf, "bootstrap.servers", o->bootstrap, err, errlen) ||
            set(conf, "group.id", o->group, err, errlen) ||
            set(conf, "client.id", o->group, err, errlen) ||
            set(conf, "auto.offset.reset", "earliest", err, errlen) ||
            set(conf, "enable.auto.commit", "false", err, errlen) ||
            set(conf, "enable.auto.offset.store", "false", err, errlen) ||
            set(conf, "enable.partition.eof", "true", err, errlen))
                goto fail;
        for (const char *const *p = o->props; p && *p; p++) {
                char key[128];
                const char *eq = strchr(*p, '=');

                if (!eq || eq == *p || (size_t)(eq - *p) >= sizeof(key)) {
                        snprintf(err, errlen, "-X %s: expected key=value", *p);
                        goto fail;
                }
                memcpy(key, *p, (size_t)(eq - *p));
                key[eq - *p] = '\0';
                if (set(conf, key, eq + 1, err, errlen))
                        goto fail;
        }
        rd_kafka_conf_set_opaque(conf, run);
        rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
        rd_kafka_conf_set_error_cb(conf, on_error);
        return conf;
fail:
        rd_kafka_conf_destroy(conf);
        return NULL;
}

/* Handles one polled message; returns -1 (with err) when the replay cannot go on. */
static int handle(const rd_kafka_message_t *m, replay_run *run, replay_fn fn, void *opaque,
                  replay_stats *st, char *err, size_t errlen)
{
        int p = m->partition;

        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                if (p >= 0 && p < run->size && !run->at_end[p]) {
                        run->at_end[p] = 1;
                        run->ended++;
                }
                return 0;
        }
        if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
            m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
            m->err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED) {
                snprintf(err, errlen, "%s (%s): check the topic name and this client's ACLs",
                         rd_kafka_message_errstr(m), rd_kafka_err2name(m->err));
                return -1;
        }
        if (m->err) {
                snprintf(run->last_error, sizeof(run->last_error), "%s",
                         rd_kafka_message_errstr(m));
                return 0; /* transient: librdkafka retries */
        }
        if (p >= 0 && p < run->size && run->at_end[p]) {
                run->at_end[p] = 0;
                run->ended--;
        }
        st->messages++;
        fn(opaque, m);
        return 0;
}

static void timed_out(const replay_opts *o, const replay_run *run, char *err, size_t errlen)
{
        const char *sep = run->last_error[0] ? "; last error: " : "";

        if (run->assigned)
                snprintf(err, errlen,
                         "did not reach the end of %s within %d s (%d of %d partitions read to "
                         "the end)%s%s", o->topic, o->timeout_s, run->ended, run->assigned, sep,
                         run->last_error);
        else
                snprintf(err, errlen,
                         "no partition of %s was assigned within %d s: is a broker reachable at "
                         "%s?%s%s", o->topic, o->timeout_s, o->bootstrap, sep, run->last_error);
}

int kafka_replay(const replay_opts *o, replay_fn fn, void *opaque, replay_stats *st, char *err,
                 size_t errlen)
{
        replay_run run;
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk = NULL;
        rd_kafka_topic_partition_list_t *subs = NULL;
        rd_kafka_resp_err_t kerr;
        double deadline = now_s() + o->timeout_s;
        char why[512];
        int rc = -1;

        memset(&run, 0, sizeof(run));
        memset(st, 0, sizeof(*st));
        conf = make_conf(o, &run, err, errlen);
        if (!conf)
                goto out;
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof(why));
        if (!rk) {
                rd_kafka_conf_destroy(conf);
                snprintf(err, errlen, "cannot create the Kafka consumer: %s", why);
                goto out;
        }
        rd_kafka_poll_set_consumer(rk);
        subs = rd_kafka_topic_partition_list_new(1);
        if (!subs || !rd_kafka_topic_partition_list_add(subs, o->topic, RD_KAFKA_PARTITION_UA)) {
                snprintf(err, errlen, "out of memory");
                goto out;
        }
        kerr = rd_kafka_subscribe(rk, subs);
        if (kerr) {
                snprintf(err, errlen, "cannot subscribe to %s: %s", o->topic, rd_kafka_err2str(kerr));
                goto out;
        }
        while (run.assigned == 0 || run.ended < run.assigned) {
                rd_kafka_message_t *m;

                if (run.fatal[0]) {
                        snprintf(err, errlen, "%s", run.fatal);
                        goto out;
                }
                if (now_s() > deadline) {
                        timed_out(o, &run, err, errlen);
                        goto out;
                }
                m = rd_kafka_consumer_poll(rk, 200);
                if (!m)
                        continue;
                rc = handle(m, &run, fn, opaque, st, err, errlen);
                rd_kafka_message_destroy(m);
                if (rc != 0)
                        goto out;
                rc = -1;
        }
        st->partitions = run.assigned;
        rc = 0;
out:
        if (subs)
                rd_kafka_topic_partition_list_destroy(subs);
        if (rk) {
                rd_kafka_consumer_close(rk); /* leaves the group at once */
                rd_kafka_destroy(rk);
        }
        free(run.at_end);
        return rc;
}
