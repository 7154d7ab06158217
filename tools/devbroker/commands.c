#include "devbroker.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * The control commands. Every command answers exactly one line: "OK..." or
 * "ERR <reason>" (lowercase, no trailing period).
 */

#define DEVBROKER_MAX_WORDS 8
#define DEVBROKER_MAX_ERROR_COUNT 1000
#define DEVBROKER_MAX_RTT_MS 60000
#define DEVBROKER_TOPICS_TIMEOUT_MS 5000

/* Kafka protocol API keys by their protocol names. */
static const char *const devbroker_api_names[] = {
        "Produce", "Fetch", "ListOffsets", "Metadata", "LeaderAndIsr",
        "StopReplica", "UpdateMetadata", "ControlledShutdown", "OffsetCommit",
        "OffsetFetch", "FindCoordinator", "JoinGroup", "Heartbeat",
        "LeaveGroup", "SyncGroup", "DescribeGroups", "ListGroups",
        "SaslHandshake", "ApiVersions", "CreateTopics", "DeleteTopics",
        "DeleteRecords", "InitProducerId", "OffsetForLeaderEpoch",
        "AddPartitionsToTxn", "AddOffsetsToTxn", "EndTxn", "WriteTxnMarkers",
        "TxnOffsetCommit", "DescribeAcls", "CreateAcls", "DeleteAcls",
        "DescribeConfigs", "AlterConfigs", "AlterReplicaLogDirs",
        "DescribeLogDirs", "SaslAuthenticate", "CreatePartitions",
        "CreateDelegationToken", "RenewDelegationToken",
        "ExpireDelegationToken", "DescribeDelegationToken", "DeleteGroups",
        "ElectLeaders", "IncrementalAlterConfigs",
        "AlterPartitionReassignments", "ListPartitionReassignments",
        "OffsetDelete", "DescribeClientQuotas", "AlterClientQuotas",
        "DescribeUserScramCredentials", "AlterUserScramCredentials",
};

#define DEVBROKER_NAPIS \
        ((int)(sizeof(devbroker_api_names) / sizeof(devbroker_api_names[0])))

static int devbroker_reply(jc_buf *reply, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int devbroker_reply(jc_buf *reply, const char *fmt, ...)
{
        va_list ap;
        int rc;

        jc_buf_reset(reply);
        va_start(ap, fmt);
        rc = jc_buf_vappendf(reply, fmt, ap);
        va_end(ap);
        return rc;
}

/* Parses a whole decimal integer within [min, max]. */
static int devbroker_parse_long(const char *s, long min, long max, long *out)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
                return -1;
        *out = v;
        return 0;
}

/* "Produce", "produce" or "0" → 0. Returns -1 for an unknown name. */
static int devbroker_api_parse(const char *s, int16_t *out)
{
        long v;

        for (int i = 0; i < DEVBROKER_NAPIS; i++) {
                if (strcasecmp(s, devbroker_api_names[i]) == 0) {
                        *out = (int16_t)i;
                        return 0;
                }
        }
        if (devbroker_parse_long(s, 0, INT16_MAX, &v) < 0)
                return -1;
        *out = (int16_t)v;
        return 0;
}

static const char *devbroker_api_name(int16_t api)
{
        return api >= 0 && api < DEVBROKER_NAPIS ? devbroker_api_names[api]
                                                 : "unnamed";
}

/* A broker error as librdkafka names it ("NOT_LEADER_FOR_PARTITION", with
 * or without the RD_KAFKA_RESP_ERR_ prefix, any case) or its number. Only
 * broker errors (code > 0) can be sent by the mock brokers. */
static int devbroker_error_parse(const char *s, rd_kafka_resp_err_t *out)
{
        const struct rd_kafka_err_desc *descs;
        size_t ndescs;
        long code = 0;
        int by_number;

        if (strncasecmp(s, "RD_KAFKA_RESP_ERR_", 18) == 0)
                s += 18;
        by_number = devbroker_parse_long(s, 1, INT_MAX, &code) == 0;
        rd_kafka_get_err_descs(&descs, &ndescs);
        for (size_t i = 0; i < ndescs; i++) {
                if (!descs[i].name || descs[i].code <= 0)
                        continue;
                if (by_number ? (long)descs[i].code == code
                              : strcasecmp(s, descs[i].name) == 0) {
                        *out = descs[i].code;
                        return 0;
                }
        }
        return -1;
}

/* "all" → 0 (meaning every broker), "2" → 2. */
static int devbroker_broker_parse(const devbroker *db, const char *s,
                                  int32_t *out)
{
        long v;

        if (strcmp(s, "all") == 0) {
                *out = 0;
                return 0;
        }
        if (devbroker_parse_long(s, 1, db->nbrokers, &v) < 0)
                return -1;
        *out = (int32_t)v;
        return 0;
}

static int devbroker_command_ping(devbroker *db, char **w, int nw,
                                  jc_buf *reply)
{
        (void)db;
        (void)w;
        if (nw != 1)
                return devbroker_reply(reply, "ERR usage: ping");
        return devbroker_reply(reply, "OK pong");
}

static int devbroker_command_bootstrap(devbroker *db, char **w, int nw,
                                       jc_buf *reply)
{
        (void)w;
        if (nw != 1)
                return devbroker_reply(reply, "ERR usage: bootstrap");
        return devbroker_reply(reply, "OK %s", db->bootstrap);
}

static int devbroker_command_shutdown(devbroker *db, char **w, int nw,
                                      jc_buf *reply)
{
        (void)w;
        if (nw != 1)
                return devbroker_reply(reply, "ERR usage: shutdown");
        jc_log_info("shutdown requested over the control channel");
        db->stop_requested = 1;
        return devbroker_reply(reply, "OK");
}

/* down/up/rtt on one broker or, for "all", on each broker id in turn. */
static int devbroker_command_broker(devbroker *db, char **w, int nw,
                                    jc_buf *reply)
{
        const char *cmd = w[0];
        int is_rtt = strcmp(cmd, "rtt") == 0;
        const char *what;
        int32_t id;
        long rtt = 0;

        if (nw != (is_rtt ? 3 : 2))
                return devbroker_reply(reply, "ERR usage: %s <broker-id|all>%s",
                                       cmd, is_rtt ? " <ms>" : "");
        if (devbroker_broker_parse(db, w[1], &id) < 0)
                return devbroker_reply(reply,
                                       "ERR no broker %s: broker ids are 1..%d "
                                       "or all",
                                       w[1], db->nbrokers);
        if (is_rtt &&
            devbroker_parse_long(w[2], 0, DEVBROKER_MAX_RTT_MS, &rtt) < 0)
                return devbroker_reply(reply,
                                       "ERR rtt must be 0..%d milliseconds, "
                                       "not %s",
                                       DEVBROKER_MAX_RTT_MS, w[2]);
        for (int32_t b = id ? id : 1; b <= (id ? id : db->nbrokers); b++) {
                rd_kafka_resp_err_t e;

                devbroker_mock_wait_turn(db);
                if (is_rtt)
                        e = rd_kafka_mock_broker_set_rtt(db->mcluster, b,
                                                         (int)rtt);
                else if (strcmp(cmd, "down") == 0)
                        e = rd_kafka_mock_broker_set_down(db->mcluster, b);
                else
                        e = rd_kafka_mock_broker_set_up(db->mcluster, b);
                devbroker_mock_done(db);
                if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
                        jc_log_write(JC_LOG_WARN,
                                     JC_KV({"command", cmd}, {"broker", w[1]}),
                                     "fault injection failed on broker %d: %s",
                                     (int)b, rd_kafka_err2str(e));
                        return devbroker_reply(reply,
                                               "ERR %s on broker %d failed: %s",
                                               cmd, (int)b,
                                               rd_kafka_err2str(e));
                }
        }
        if (is_rtt)
                what = "broker round-trip time set";
        else if (strcmp(cmd, "down") == 0)
                what = "broker down";
        else
                what = "broker up";
        jc_log_write(JC_LOG_INFO,
                     JC_KV({"command", cmd}, {"broker", w[1]},
                           {"rtt_ms", is_rtt ? w[2] : NULL}),
                     "fault injection: %s", what);
        return devbroker_reply(reply, "OK");
}

static int devbroker_command_error(devbroker *db, char **w, int nw,
                                   jc_buf *reply)
{
        rd_kafka_resp_err_t errs[DEVBROKER_MAX_ERROR_COUNT];
        rd_kafka_resp_err_t e;
        int16_t api;
        long count = 1;
        char countstr[16];

        if (nw != 3 && nw != 4)
                return devbroker_reply(reply, "ERR usage: error <Api> <Error> "
                                              "[count]");
        if (devbroker_api_parse(w[1], &api) < 0)
                return devbroker_reply(reply,
                                       "ERR unknown Kafka API %s: use a name "
                                       "such as Produce or Metadata, or a key "
                                       "number",
                                       w[1]);
        if (devbroker_error_parse(w[2], &e) < 0)
                return devbroker_reply(reply,
                                       "ERR unknown broker error %s: use a "
                                       "librdkafka name such as "
                                       "NOT_LEADER_FOR_PARTITION, or a code "
                                       "> 0",
                                       w[2]);
        if (nw == 4 && devbroker_parse_long(w[3], 1, DEVBROKER_MAX_ERROR_COUNT,
                                            &count) < 0)
                return devbroker_reply(reply, "ERR count must be 1..%d, not %s",
                                       DEVBROKER_MAX_ERROR_COUNT, w[3]);
        for (long i = 0; i < count; i++)
                errs[i] = e;
        rd_kafka_mock_push_request_errors_array(db->mcluster, api,
                                                (size_t)count, errs);
        snprintf(countstr, sizeof(countstr), "%ld", count);
        jc_log_write(JC_LOG_INFO,
                     JC_KV({"command", "error"},
                           {"api", devbroker_api_name(api)},
                           {"error", rd_kafka_err2name(e)},
                           {"count", countstr}),
                     "fault injection: next %ld %s requests fail with %s",
                     count, devbroker_api_name(api), rd_kafka_err2name(e));
        return devbroker_reply(reply, "OK");
}

static int devbroker_command_clear_errors(devbroker *db, char **w, int nw,
                                          jc_buf *reply)
{
        int16_t api;

        if (nw != 2)
                return devbroker_reply(reply, "ERR usage: clear-errors <Api>");
        if (devbroker_api_parse(w[1], &api) < 0)
                return devbroker_reply(reply,
                                       "ERR unknown Kafka API %s: use a name "
                                       "such as Produce or Metadata, or a key "
                                       "number",
                                       w[1]);
        rd_kafka_mock_clear_request_errors(db->mcluster, api);
        jc_log_write(JC_LOG_INFO,
                     JC_KV({"command", "clear-errors"},
                           {"api", devbroker_api_name(api)}),
                     "fault injection: pending %s errors cleared",
                     devbroker_api_name(api));
        return devbroker_reply(reply, "OK");
}

static int devbroker_command_topics(devbroker *db, char **w, int nw,
                                    jc_buf *reply)
{
        devbroker_topic_state *topics = NULL;
        jc_buf unexpected = JC_BUF_INIT;
        size_t n = 0;
        char err[512];
        int rc = 0;

        (void)w;
        if (nw != 1)
                return devbroker_reply(reply, "ERR usage: topics");
        if (devbroker_cluster_fetch_topics(db, DEVBROKER_TOPICS_TIMEOUT_MS,
                                           &topics, &n, err,
                                           sizeof(err)) < 0) {
                jc_log_write(JC_LOG_WARN, JC_KV({"command", "topics"}), "%s",
                             err);
                return devbroker_reply(reply, "ERR %s", err);
        }
        rc |= devbroker_reply(reply, "OK");
        for (size_t i = 0; i < n; i++)
                rc |= jc_buf_appendf(reply, " %s:%d", topics[i].name,
                                     topics[i].partitions);
        for (size_t i = 0; i < n; i++) {
                if (jc_topics_find(db->cat, topics[i].name))
                        continue;
                rc |= jc_buf_appendf(&unexpected, "%s%s",
                                     unexpected.len ? "," : "",
                                     topics[i].name);
        }
        rc |= jc_buf_appendf(reply, " unexpected=%s", unexpected.data);
        if (unexpected.len > 0)
                jc_log_write(JC_LOG_WARN,
                             JC_KV({"command", "topics"},
                                   {"unexpected", unexpected.data}),
                             "topics outside the catalogue exist (auto-created "
                             "by a metadata request, usually a misspelt name)");
        jc_buf_release(&unexpected);
        devbroker_topic_states_free(topics, n);
        return rc < 0 ? -1 : 0;
}

typedef int (*devbroker_command_fn)(devbroker *db, char **w, int nw,
                                    jc_buf *reply);

static const struct {
        const char *name;
        devbroker_command_fn run;
} devbroker_commands[] = {
        {"ping", devbroker_command_ping},
        {"down", devbroker_command_broker},
        {"up", devbroker_command_broker},
        {"rtt", devbroker_command_broker},
        {"error", devbroker_command_error},
        {"clear-errors", devbroker_command_clear_errors},
        {"topics", devbroker_command_topics},
        {"bootstrap", devbroker_command_bootstrap},
        {"shutdown", devbroker_command_shutdown},
};

int devbroker_control_handle_line(devbroker *db, char *line, jc_buf *reply)
{
        char *w[DEVBROKER_MAX_WORDS];
        char *save = NULL, *tok;
        int nw = 0;

        for (tok = strtok_r(line, " \t\r", &save); tok;
             tok = strtok_r(NULL, " \t\r", &save)) {
                if (nw == DEVBROKER_MAX_WORDS)
                        return devbroker_reply(reply,
                                               "ERR too many words in command "
                                               "%s",
                                               w[0]);
                w[nw++] = tok;
        }
        if (nw == 0)
                return devbroker_reply(reply, "ERR empty command");
        for (size_t i = 0;
             i < sizeof(devbroker_commands) / sizeof(devbroker_commands[0]);
             i++) {
                if (strcmp(w[0], devbroker_commands[i].name) == 0)
                        return devbroker_commands[i].run(db, w, nw, reply);
        }
        return devbroker_reply(reply, "ERR unrecognized command: %s", w[0]);
}
