/*
 * jobcenter.case.v1: the case projection, the rights-and-duties letter on
 * case.opened.v1 (R38, seed 002: "Så snart en sag er oprettet, sendes
 * dokument med rettigheder og pligter til borgeren"), and case.closed.v1,
 * after which the case gets no further letters and its pending reminders
 * are cancelled.
 */
#include <stdio.h>
#include <stdlib.h>

#include "jc/log.h"
#include "jc/vocab.h"
#include "notifications.h"

jc_handle_result notif_on_case_opened(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data, *fields = NULL;
        const char *case_id, *citizen_ref, *group, *cw;
        char start[64];
        jc_date start_date;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        jc_handle_result res;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        citizen_ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        group = jc_v_str(d, "data", "target_group", 1, 1, 64, &v);
        jc_v_date(d, "data", "start_date", 1, &start_date, &v);
        cw = jc_v_str(d, "data", "caseworker_id", 0, 1, 64, &v);
        if (jc_verrs_count(&v)) {
                res = notif_invalid(ctx, &v);
                goto out;
        }
        r = jc_pg_exec(ctx->db, "notif_case_upsert", JC_PG_ARGS(case_id, citizen_ref, group, cw), &e);
        if (!r) {
                res = notif_db_failed(ctx, &e);
                goto out;
        }
        PQclear(r);
        notif_da_date(start_date, start, sizeof(start));
        fields = json_pack("{s:s, s:s, s:s}", "case_id", case_id, "target_group_text",
                           notif_da_target_group(group), "start_date", start);
        res = notif_message_from_event(ctx, "rights_and_duties", NOTIF_TO_CITIZEN, citizen_ref,
                                       case_id, citizen_ref, fields);
out:
        json_decref(fields);
        jc_verrs_release(&v);
        return res;
}

/* One field of the case projection from an event: `field` of the event's
 * data (one of `allowed`, or a string of at most 64 characters when NULL)
 * through `stmt` (case_id, citizen_ref, value). */
static jc_handle_result set_projection_field(jc_consume_ctx *ctx, const char *field,
                                             const char *const *allowed, const char *stmt)
{
        json_t *d = ctx->event->data;
        const char *case_id, *citizen_ref, *value;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        jc_handle_result res = JC_HANDLE_OK;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        citizen_ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        value = allowed ? jc_v_enum(d, "data", field, 1, allowed, &v) : jc_v_str(d, "data", field, 1, 1, 64, &v);
        if (jc_verrs_count(&v)) {
                res = notif_invalid(ctx, &v);
                goto out;
        }
        r = jc_pg_exec(ctx->db, stmt, JC_PG_ARGS(case_id, citizen_ref, value), &e);
        if (!r)
                res = notif_db_failed(ctx, &e);
        PQclear(r);
out:
        jc_verrs_release(&v);
        return res;
}

jc_handle_result notif_on_case_caseworker_assigned(jc_consume_ctx *ctx)
{
        return set_projection_field(ctx, "caseworker_id", NULL, "notif_case_set_caseworker");
}

/* case.target_group_changed.v1: the group decides which letters apply (no
 * municipal hearing letter after an a-dagpenge no-show). */
jc_handle_result notif_on_case_target_group_changed(jc_consume_ctx *ctx)
{
        return set_projection_field(ctx, "target_group", jc_target_groups, "notif_case_set_target_group");
}

jc_handle_result notif_on_case_closed(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data;
        const char *case_id, *citizen_ref;
        char closed[JC_DATE_STRLEN], n[24];
        jc_date on;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        long cancelled = 0;
        jc_handle_result res = JC_HANDLE_OK;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        citizen_ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        jc_v_date(d, "data", "closed_on", 1, &on, &v);
        if (jc_verrs_count(&v)) {
                res = notif_invalid(ctx, &v);
                goto out;
        }
        jc_date_format(on, closed);
        r = jc_pg_exec(ctx->db, "notif_case_close", JC_PG_ARGS(case_id, citizen_ref, closed), &e);
        if (!r)
                goto db;
        PQclear(r);
        r = jc_pg_exec(ctx->db, "notif_reminders_cancel_case", JC_PG_ARGS(case_id, "case closed"), &e);
        if (!r)
                goto db;
        cancelled += atol(PQcmdTuples(r));
        PQclear(r);
        r = jc_pg_exec(ctx->db, "notif_messages_cancel_reminders",
                       JC_PG_ARGS(case_id, "meeting_reminder", "case closed"), &e);
        if (!r)
                goto db;
        cancelled += atol(PQcmdTuples(r));
        PQclear(r);
        snprintf(n, sizeof(n), "%ld", cancelled);
        jc_log_write(JC_LOG_INFO, JC_KV({"reminders_cancelled", n}), "case closed: no further letters");
        goto out;
db:
        res = notif_db_failed(ctx, &e);
out:
        jc_verrs_release(&v);
        return res;
}
