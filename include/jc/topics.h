#ifndef JC_TOPICS_H
#define JC_TOPICS_H

#include <stddef.h>

/*
 * The topic catalogue (schemas/events/topics.json): every topic the platform
 * uses, its partitions, retention, whether it carries personal data, and the
 * event types it carries. It is compiled into every binary; services check
 * each topic they produce to or subscribe to against it, because the dev
 * broker (and a misconfigured real Kafka) silently auto-creates a misspelt
 * topic.
 */
typedef struct jc_topic {
        char *name;
        int partitions;
        char *cleanup_policy; /* "delete" or "compact" */
        long long retention_ms; /* -1 = forever */
        int personal_data;
        char **events; /* versioned short type names, e.g. "case.opened.v1" */
        size_t nevents;
} jc_topic;

typedef struct jc_topic_catalogue {
        jc_topic *topics;
        size_t ntopics;
} jc_topic_catalogue;

/* Loads the catalogue from `path`, or the compiled-in copy when `path` is
 * NULL. The catalogue owns everything it points at: release it with
 * jc_topics_release(). Returns 0, or -1 with a message in `err`. */
int jc_topics_load(jc_topic_catalogue *cat, const char *path, char *err,
                   size_t errlen);
void jc_topics_release(jc_topic_catalogue *cat);

/* Borrowed pointer into `cat`, or NULL when `name` is not declared. */
const jc_topic *jc_topics_find(const jc_topic_catalogue *cat,
                               const char *name);
/* 1 when `short_type` (e.g. "case.opened.v1") is declared on `topic`. */
int jc_topic_has_event(const jc_topic *topic, const char *short_type);

#endif
