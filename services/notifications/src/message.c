/*
 * Creating messages: one per (triggering event, recipient, template), in the
 * consumer's (or the sweep's) transaction. Rendering and delivery happen
 * later, in the delivery workers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"
#include "notifications.h"

jc_handle_result notif_invalid(jc_consume_ctx *ctx, jc_verrs *v)
{
        jc_verrs_first(v, ctx->reason, sizeof(ctx->reason));
        return JC_HANDLE_POISON;
}

jc_handle_result notif_db_failed(jc_consume_ctx *ctx, const jc_pg_err *e)
{
        snprintf(ctx->reason, sizeof(ctx->reason), "%.500s", e->message);
        return e->transient ? JC_HANDLE_RETRY : JC_HANDLE_POISON;
}

int notif_message_create(jc_service *svc, PGconn *db, const notif_new_message *m,
                         char message_id[JC_UUID_STRLEN], jc_pg_err *e)
{
        notif_ctx *ctx = svc->ctx;
        const notif_template *t = notif_templates_latest(&ctx->templates, m->template_id);
        char id[JC_UUID_STRLEN], recipient[160], version[16], part[16], off[24];
        char *fields = NULL;
        PGresult *r;
        int rc = -1;

        if (message_id)
                message_id[0] = '\0';
        if (!t) { /* the start-up check makes this unreachable */
                jc_pg_err_set(e, 0, "no template %s is installed", m->template_id);
                return -1;
        }
        if (jc_uuid_v4(id) != 0) {
                jc_pg_err_set(e, 1, "the kernel random generator failed");
                return -1;
        }
        snprintf(recipient, sizeof(recipient), "%s:%s", notif_recipient_kind_name(m->kind),
                 m->recipient_id);
        snprintf(version, sizeof(version), "%d", t->version);
        snprintf(part, sizeof(part), "%d", m->origin_partition);
        snprintf(off, sizeof(off), "%lld", (long long)m->origin_offset);
        fields = json_dumps(m->fields, JSON_COMPACT | JSON_SORT_KEYS);
        if (!fields) {
                jc_pg_err_set(e, 1, "out of memory");
                return -1;
        }
        r = jc_pg_exec(db, "notif_message_insert",
                       JC_PG_ARGS(id, m->event_id, recipient, m->template_id, version, m->trigger,
                                  notif_recipient_kind_name(m->kind), m->recipient_id, m->case_id,
                                  m->citizen_ref, fields, m->origin_topic, part, off, m->origin_key,
                                  m->event_time,
                                  m->kind == NOTIF_TO_AKASSE ? "false" : "true",
                                  notif_needs_citizen(m->kind) ? "true" : "false"),
                       e);
        if (!r)
                goto out;
        if (PQntuples(r) == 1) {
                if (message_id)
                        snprintf(message_id, JC_UUID_STRLEN, "%s", id);
                jc_log_write(JC_LOG_DEBUG,
                             JC_KV({"message_id", id}, {"template", m->template_id},
                                   {"status", PQgetvalue(r, 0, 1)}),
                             "message created");
        }
        PQclear(r);
        rc = 0;
out:
        free(fields);
        return rc;
}

jc_handle_result notif_message_from_event(jc_consume_ctx *ctx, const char *template_id,
                                          notif_recipient_kind kind, const char *recipient_id,
                                          const char *case_id, const char *citizen_ref,
                                          json_t *fields)
{
        char key[256];
        notif_new_message m;
        jc_pg_err e;

        snprintf(key, sizeof(key), "%.*s", ctx->key_len < sizeof(key) ? (int)ctx->key_len : 255,
                 ctx->key ? (const char *)ctx->key : "");
        memset(&m, 0, sizeof(m));
        m.template_id = template_id;
        m.event_id = ctx->event->id;
        m.trigger = ctx->event->short_type;
        m.kind = kind;
        m.recipient_id = recipient_id;
        m.case_id = case_id;
        m.citizen_ref = citizen_ref;
        m.fields = fields;
        m.event_time = ctx->event->time;
        m.origin_topic = ctx->topic;
        m.origin_partition = ctx->partition;
        m.origin_offset = ctx->offset;
        m.origin_key = ctx->key ? key : NULL;
        if (notif_message_create(ctx->opaque, ctx->db, &m, NULL, &e) != 0)
                return notif_db_failed(ctx, &e);
        return JC_HANDLE_OK;
}
