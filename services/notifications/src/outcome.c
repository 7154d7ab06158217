/*
 * What a delivery outcome leaves behind, in the same transaction as the
 * message's new state: notification.sent.v1 / notification.failed.v1 on
 * jobcenter.notification.v1, and for a failure a dead letter (a row in
 * dead_letter and deadletter.recorded.v1 on jobcenter.dlq.v1) naming the
 * triggering event's position and the reason. None of them carries CPR,
 * names, addresses or the letter's text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"
#include "jc/outbox.h"
#include "jc/timeutil.h"
#include "notifications.h"

/* The fields both outcome events share. Returns a new object or NULL. */
static json_t *outcome_data(const notif_msg_ref *m, int attempts)
{
        json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i}", "message_id",
                              m->message_id, "case_id", m->case_id, "recipient_kind",
                              m->recipient_kind, "recipient_id", m->recipient_id, "template",
                              m->template_id, "template_version", m->template_version, "trigger",
                              m->trigger, "event_id", m->event_id, "attempts", attempts);

        if (d && m->citizen_ref)
                json_object_set_new(d, "citizen_ref", json_string(m->citizen_ref));
        if (d && m->channel)
                json_object_set_new(d, "channel", json_string(m->channel));
        return d;
}

int notif_emit_sent(jc_service *svc, PGconn *db, const notif_msg_ref *m, int attempts,
                    jc_pg_err *e)
{
        json_t *d = outcome_data(m, attempts);
        char now[40];

        if (!d) {
                jc_pg_err_set(e, 1, "out of memory");
                return -1;
        }
        jc_time_now_rfc3339(now, sizeof(now));
        json_object_set_new(d, "sent_at", json_string(now));
        return jc_emit(&svc->emitter, db, NOTIF_OUT_TOPIC, m->case_id, "notification.sent.v1",
                       m->case_id, d, NULL, e);
}

static int dead_letter(jc_service *svc, PGconn *db, const notif_msg_ref *m, const char *reason,
                       jc_pg_err *e)
{
        char consumer[96], part[16], off[24];
        json_t *data, *headers;
        PGresult *r;
        int rc;

        snprintf(consumer, sizeof(consumer), "%s:%s", NOTIF_DELIVERY_CONSUMER, m->message_id);
        snprintf(part, sizeof(part), "%d", m->origin_partition);
        snprintf(off, sizeof(off), "%lld", (long long)m->origin_offset);
        r = jc_pg_exec(db, "notif_dead_letter_upsert",
                       JC_PG_ARGS(consumer, m->origin_topic, part, off, reason), e);
        if (!r)
                return -1;
        data = json_pack("{s:s, s:s, s:i, s:I, s:s, s:I, s:b}", "consumer", consumer, "topic",
                         m->origin_topic, "partition", m->origin_partition, "offset",
                         (json_int_t)m->origin_offset, "reason", reason, "dead_letter_id",
                         (json_int_t)atoll(PQgetvalue(r, 0, 0)), "payload_included", 0);
        PQclear(r);
        headers = json_pack("[[s,s],[s,s],[s,s],[s,s],[s,s]]", "jc_dlq_topic", m->origin_topic,
                            "jc_dlq_partition", part, "jc_dlq_offset", off, "jc_dlq_consumer",
                            consumer, "jc_dlq_error", reason);
        if (!data || !headers) {
                json_decref(data);
                json_decref(headers);
                jc_pg_err_set(e, 1, "out of memory");
                return -1;
        }
        rc = jc_emit_ex(&svc->emitter, db, NOTIF_DLQ_TOPIC, m->case_id, strlen(m->case_id),
                        "deadletter.recorded.v1", NULL, data, headers, NULL, e);
        json_decref(headers);
        return rc;
}

int notif_fail(jc_service *svc, PGconn *db, const notif_msg_ref *m, int attempts,
               int http_status, const char *reason, jc_pg_err *e)
{
        char now[40], att[16];
        PGresult *r;
        json_t *d;

        snprintf(att, sizeof(att), "%d", attempts);
        r = jc_pg_exec(db, "notif_message_fail", JC_PG_ARGS(m->message_id, reason, att), e);
        if (!r)
                return -1;
        PQclear(r);
        if (dead_letter(svc, db, m, reason, e) != 0)
                return -1;
        d = outcome_data(m, attempts);
        if (!d) {
                jc_pg_err_set(e, 1, "out of memory");
                return -1;
        }
        jc_time_now_rfc3339(now, sizeof(now));
        json_object_set_new(d, "reason", json_string(reason));
        json_object_set_new(d, "failed_at", json_string(now));
        if (http_status > 0)
                json_object_set_new(d, "http_status", json_integer(http_status));
        jc_log_write(JC_LOG_WARN,
                     JC_KV({"message_id", m->message_id}, {"template", m->template_id},
                           {"channel", m->channel}),
                     "message failed: %s", reason);
        return jc_emit(&svc->emitter, db, NOTIF_OUT_TOPIC, m->case_id, "notification.failed.v1",
                       m->case_id, d, NULL, e);
}
