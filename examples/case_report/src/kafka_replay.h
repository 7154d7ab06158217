/*
 * Reads a topic from its beginning to its current end as a member of a
 * consumer group, handing every message to a callback, then leaves the group.
 */
#ifndef KAFKA_REPLAY_H
#define KAFKA_REPLAY_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

typedef struct replay_opts {
        const char *bootstrap;    /* bootstrap.servers */
        const char *group;        /* group.id: <team>.<purpose>, e.g. analytics.case-report */
        const char *topic;
        const char *const *props; /* extra librdkafka settings "key=value" (-X), NULL-terminated */
        int timeout_s;            /* give up when the end is not reached within this */
} replay_opts;

typedef struct replay_stats {
        long long messages;
        int partitions;           /* assigned to this member */
} replay_stats;

/* Called for each message; the message belongs to the caller of the callback. */
typedef void (*replay_fn)(void *opaque, const rd_kafka_message_t *m);

/* Returns 0 once every assigned partition has been read to its end, or -1
 * with a message a person can act on in err. */
int kafka_replay(const replay_opts *o, replay_fn fn, void *opaque, replay_stats *st, char *err,
                 size_t errlen);

#endif
