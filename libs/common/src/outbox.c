#include "jc/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/ce.h"
#include "jc/log.h"

/* Kafka's default message.max.bytes is about 1 MB; refuse before the broker
 * would, so a too-large event fails its transaction instead of the relay. */
#define JC_OUTBOX_MAX_PAYLOAD (900 * 1024)

int jc_outbox_add(PGconn *db, const jc_outbox_msg *m, jc_pg_err *e)
{
        char *headers = NULL;
        const char *params[6];
        int lengths[6] = {0}, formats[6] = {0, 0, 0, 1, 1, 0};
        PGresult *r;

        if (m->payload_len > JC_OUTBOX_MAX_PAYLOAD) {
                jc_pg_err_set(e, 0, "event %s is %zu bytes, over the %d byte limit",
                              m->event_type ? m->event_type : "(raw)",
                              m->payload_len, JC_OUTBOX_MAX_PAYLOAD);
                return -1;
        }
        if (m->headers) {
                headers = json_dumps(m->headers, JSON_COMPACT);
                if (!headers) {
                        jc_pg_err_set(e, 0, "out of memory encoding headers");
                        return -1;
                }
        }
        params[0] = m->event_id;
        params[1] = m->event_type;
        params[2] = m->topic;
        params[3] = m->key;
        lengths[3] = (int)m->key_len;
        params[4] = m->payload;
        lengths[4] = (int)m->payload_len;
        params[5] = headers ? headers : "[]";
        r = jc_pg_exec_bin(db, "jc_outbox_insert", 6, params, lengths, formats, 0, e);
        free(headers);
        if (!r)
                return -1;
        PQclear(r);
        return 0;
}

static int check_catalogue(const jc_emitter *em, const char *topic,
                           const char *short_type, jc_pg_err *e)
{
        const jc_topic *t = jc_topics_find(em->catalogue, topic);

        if (!t) {
                jc_pg_err_set(e, 0, "topic \"%s\" is not in the topic catalogue",
                              topic);
                return -1;
        }
        if (short_type && !jc_topic_has_event(t, short_type)) {
                jc_pg_err_set(e, 0,
                              "event type \"%s\" is not declared for topic \"%s\" "
                              "in schemas/events/topics.json",
                              short_type, topic);
                return -1;
        }
        return 0;
}

int jc_emit(const jc_emitter *em, PGconn *db, const char *topic,
            const char *key, const char *short_type, const char *subject,
            json_t *data, char event_id_out[JC_UUID_STRLEN], jc_pg_err *e)
{
        return jc_emit_ex(em, db, topic, key, key ? strlen(key) : 0, short_type,
                          subject, data, NULL, event_id_out, e);
}

int jc_emit_ex(const jc_emitter *em, PGconn *db, const char *topic,
               const void *key, size_t key_len, const char *short_type,
               const char *subject, json_t *data, json_t *extra_headers,
               char event_id_out[JC_UUID_STRLEN], jc_pg_err *e)
{
        char err[256], traceparent[JC_TRACEPARENT_LEN];
        const char *trace_id = jc_log_ctx_trace_id();
        json_t *ev = NULL, *headers = NULL;
        char *payload = NULL;
        jc_outbox_msg m;
        int rc = -1;

        if (check_catalogue(em, topic, short_type, e) != 0) {
                json_decref(data);
                return -1;
        }
        /* Continue the thread's trace (HTTP request or consumed event). */
        if (trace_id && *trace_id) {
                char incoming[JC_TRACEPARENT_LEN];

                snprintf(incoming, sizeof(incoming), "00-%.32s-0000000000000001-01",
                         trace_id);
                jc_trace_continue(incoming, traceparent);
        } else {
                jc_trace_new(traceparent);
        }
        ev = jc_ce_build(em->source, short_type, subject, traceparent, data, err,
                         sizeof(err));
        if (!ev) {
                jc_pg_err_set(e, 0, "%s", err);
                return -1;
        }
        payload = json_dumps(ev, JSON_COMPACT);
        headers = json_pack("[[s,s],[s,s],[s,s],[s,s],[s,s]]", "content-type",
                            JC_CE_CONTENT_TYPE, "ce_specversion", "1.0", "ce_id",
                            json_string_value(json_object_get(ev, "id")), "ce_type",
                            json_string_value(json_object_get(ev, "type")),
                            "ce_source", em->source);
        if (!payload || !headers ||
            (extra_headers && json_array_extend(headers, extra_headers) != 0)) {
                jc_pg_err_set(e, 0, "out of memory encoding event");
                goto out;
        }
        memset(&m, 0, sizeof(m));
        m.topic = topic;
        m.event_id = json_string_value(json_object_get(ev, "id"));
        m.event_type = short_type;
        m.key = key;
        m.key_len = key_len;
        m.payload = payload;
        m.payload_len = strlen(payload);
        m.headers = headers;
        if (jc_outbox_add(db, &m, e) != 0)
                goto out;
        if (event_id_out)
                snprintf(event_id_out, JC_UUID_STRLEN, "%s", m.event_id);
        rc = 0;
out:
        free(payload);
        json_decref(headers);
        json_decref(ev);
        return rc;
}

int jc_emit_tombstone(const jc_emitter *em, PGconn *db, const char *topic,
                      const char *key, jc_pg_err *e)
{
        char id[JC_UUID_STRLEN];
        const jc_topic *t;
        jc_outbox_msg m;

        if (check_catalogue(em, topic, NULL, e) != 0)
                return -1;
        t = jc_topics_find(em->catalogue, topic);
        if (strcmp(t->cleanup_policy, "compact") != 0) {
                jc_pg_err_set(e, 0, "tombstones only belong on compacted topics, not \"%s\"",
                              topic);
                return -1;
        }
        if (jc_uuid_v4(id) != 0) {
                jc_pg_err_set(e, 0, "could not generate id: kernel RNG failed");
                return -1;
        }
        memset(&m, 0, sizeof(m));
        m.topic = topic;
        m.event_id = id;
        m.key = key;
        m.key_len = strlen(key);
        return jc_outbox_add(db, &m, e);
}
