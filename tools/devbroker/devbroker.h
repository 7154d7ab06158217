#ifndef DEVBROKER_H
#define DEVBROKER_H

/*
 * devbroker: a Kafka-protocol development broker built on librdkafka's mock
 * cluster. Private header shared by the files of tools/devbroker:
 *
 *   devbroker.c  command line, start-up, publishing the addresses, shutdown
 *   cluster.c    the mock cluster, catalogue topics, metadata look-ups
 *   control.c    the control channel: TCP listener and per-client lines
 *   commands.c   what each control command does
 */

#include <signal.h>
#include <stddef.h>
#include <time.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "jc/buf.h"
#include "jc/log.h"
#include "jc/topics.h"

#define DEVBROKER_MAX_BROKERS 9

typedef struct devbroker {
        rd_kafka_t *host; /* owns the mock cluster's bookkeeping */
        rd_kafka_mock_cluster_t *mcluster;
        int nbrokers; /* broker ids are 1..nbrokers */
        const jc_topic_catalogue *cat;
        const char *bootstrap; /* owned by mcluster */
        int stop_requested; /* set by the `shutdown` control command */
        struct timespec last_mock_cmd; /* CLOCK_MONOTONIC; 0: none yet */
} devbroker;

/* One topic as the brokers report it in a metadata response. */
typedef struct devbroker_topic_state {
        char *name;
        int partitions;
        rd_kafka_resp_err_t err;
} devbroker_topic_state;

/* cluster.c */

/* Creates the mock cluster with `nbrokers` brokers. Returns 0, or -1 with a
 * message in `err`; on failure `db` holds nothing to stop. */
int devbroker_cluster_start(devbroker *db, int nbrokers, jc_log_level level,
                            char *err, size_t errlen);
/* Creates every catalogue topic with its partition count and replication
 * factor min(3, brokers). */
int devbroker_cluster_create_topics(devbroker *db, char *err, size_t errlen);
/* Asks the brokers, from a separate client, for metadata of all topics and
 * checks that every catalogue topic exists with its declared partitions. */
int devbroker_cluster_verify_topics(const devbroker *db, char *err,
                                    size_t errlen);
/* Fetches metadata of all topics from a fresh client; the result is sorted
 * by name and leaves out internal topics (names starting with "__"). Free
 * it with devbroker_topic_states_free(). */
int devbroker_cluster_fetch_topics(const devbroker *db, int timeout_ms,
                                   devbroker_topic_state **out, size_t *nout,
                                   char *err, size_t errlen);
void devbroker_topic_states_free(devbroker_topic_state *topics, size_t n);
/* Destroys the mock cluster and its host client. Safe on a stopped one. */
void devbroker_cluster_stop(devbroker *db);
/* Bracket every mock call that is a command to the mock thread (topic
 * create, broker down/up/rtt, destroy): see cluster.c for why. */
void devbroker_mock_wait_turn(devbroker *db);
void devbroker_mock_done(devbroker *db);

/* control.c */

typedef struct devbroker_control devbroker_control;

/* Listens on 127.0.0.1:`port` (0: the kernel picks). Returns 0, or -1 with a
 * message in `err`. */
int devbroker_control_open(devbroker_control **out, int port, char *err,
                           size_t errlen);
int devbroker_control_port(const devbroker_control *ctl);
/* Serves control clients until `*signalled` becomes non-zero or a client
 * sends `shutdown`. Waits with `waitmask` as the signal mask, so that the
 * termination signals (blocked everywhere else) interrupt the wait.
 * Returns 0, or -1 when the listener fails. */
int devbroker_control_run(devbroker_control *ctl, devbroker *db,
                          volatile sig_atomic_t *signalled,
                          const sigset_t *waitmask);
void devbroker_control_close(devbroker_control *ctl);

/* commands.c */

/* Runs one control command line (no newline; modified in place) and puts
 * the one-line reply, "OK..." or "ERR <reason>", without newline in
 * `reply`. Returns 0, or -1 when the reply could not be built (out of
 * memory). */
int devbroker_control_handle_line(devbroker *db, char *line, jc_buf *reply);

#endif
