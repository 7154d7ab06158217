#include "jc/topics.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/embed.h"

extern const jc_embedded_file jc_embedded_catalogue[];

static int load_topic(jc_topic *t, json_t *jt, size_t idx, char *err,
                      size_t errlen)
{
        json_t *name = json_object_get(jt, "name");
        json_t *parts = json_object_get(jt, "partitions");
        json_t *policy = json_object_get(jt, "cleanup_policy");
        json_t *ret = json_object_get(jt, "retention_ms");
        json_t *pd = json_object_get(jt, "personal_data");
        json_t *events = json_object_get(jt, "events");
        size_t i;

        if (!json_is_string(name) || !json_is_integer(parts) ||
            json_integer_value(parts) < 1 || !json_is_string(policy) ||
            !json_is_integer(ret) || !json_is_boolean(pd) ||
            !json_is_array(events)) {
                snprintf(err, errlen,
                         "topic catalogue entry %zu: needs name, partitions >= 1, "
                         "cleanup_policy, retention_ms, personal_data, events",
                         idx);
                return -1;
        }
        t->name = strdup(json_string_value(name));
        t->partitions = (int)json_integer_value(parts);
        t->cleanup_policy = strdup(json_string_value(policy));
        t->retention_ms = json_integer_value(ret);
        t->personal_data = json_is_true(pd);
        t->nevents = json_array_size(events);
        t->events = calloc(t->nevents ? t->nevents : 1, sizeof(char *));
        if (!t->name || !t->cleanup_policy || !t->events) {
                snprintf(err, errlen, "out of memory loading topic catalogue");
                return -1;
        }
        for (i = 0; i < t->nevents; i++) {
                json_t *e = json_array_get(events, i);

                if (!json_is_string(e)) {
                        snprintf(err, errlen,
                                 "topic '%s': events[%zu] is not a string",
                                 t->name, i);
                        return -1;
                }
                t->events[i] = strdup(json_string_value(e));
                if (!t->events[i]) {
                        snprintf(err, errlen, "out of memory");
                        return -1;
                }
        }
        return 0;
}

int jc_topics_load(jc_topic_catalogue *cat, const char *path, char *err,
                   size_t errlen)
{
        json_error_t jerr;
        json_t *root = NULL, *topics;
        int rc = -1;

        memset(cat, 0, sizeof(*cat));
        if (path)
                root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        else
                root = json_loadb(jc_embedded_catalogue[0].data,
                                  jc_embedded_catalogue[0].len,
                                  JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                snprintf(err, errlen,
                         "could not parse topic catalogue %s: %s (line %d)",
                         path ? path : "(built in)", jerr.text, jerr.line);
                goto out;
        }
        topics = json_object_get(root, "topics");
        if (!json_is_array(topics) || json_array_size(topics) == 0) {
                snprintf(err, errlen, "topic catalogue has no \"topics\" array");
                goto out;
        }
        cat->topics = calloc(json_array_size(topics), sizeof(jc_topic));
        if (!cat->topics) {
                snprintf(err, errlen, "out of memory");
                goto out;
        }
        for (size_t i = 0; i < json_array_size(topics); i++) {
                cat->ntopics = i + 1;
                if (load_topic(&cat->topics[i], json_array_get(topics, i), i,
                               err, errlen) != 0)
                        goto out;
                for (size_t j = 0; j < i; j++) {
                        if (strcmp(cat->topics[j].name, cat->topics[i].name) == 0) {
                                snprintf(err, errlen,
                                         "topic '%s' is declared twice",
                                         cat->topics[i].name);
                                goto out;
                        }
                }
        }
        rc = 0;
out:
        if (rc != 0)
                jc_topics_release(cat);
        json_decref(root);
        return rc;
}

void jc_topics_release(jc_topic_catalogue *cat)
{
        for (size_t i = 0; i < cat->ntopics; i++) {
                jc_topic *t = &cat->topics[i];

                for (size_t j = 0; j < t->nevents && t->events; j++)
                        free(t->events[j]);
                free(t->events);
                free(t->name);
                free(t->cleanup_policy);
        }
        free(cat->topics);
        memset(cat, 0, sizeof(*cat));
}

const jc_topic *jc_topics_find(const jc_topic_catalogue *cat, const char *name)
{
        for (size_t i = 0; i < cat->ntopics; i++)
                if (strcmp(cat->topics[i].name, name) == 0)
                        return &cat->topics[i];
        return NULL;
}

int jc_topic_has_event(const jc_topic *topic, const char *short_type)
{
        for (size_t i = 0; i < topic->nevents; i++)
                if (strcmp(topic->events[i], short_type) == 0)
                        return 1;
        return 0;
}
