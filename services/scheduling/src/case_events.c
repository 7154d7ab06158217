/*
 * Consumed case events: keep the local case projection.
 */
#include <stdio.h>

#include "jc/log.h"
#include "jc/validate.h"
#include "jc/vocab.h"
#include "scheduling.h"

/* A consumer-side failure of the event's contract is poison: reason names
 * the field. A database failure is a retry. */
static jc_handle_result db_failed(jc_consume_ctx *ctx, const jc_pg_err *e)
{
        snprintf(ctx->reason, sizeof(ctx->reason), "%.500s", e->message);
        return e->transient ? JC_HANDLE_RETRY : JC_HANDLE_POISON;
}

jc_handle_result sched_on_case_opened(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data;
        const char *case_id, *citizen_ref, *group, *opened_at;
        char start[JC_DATE_STRLEN];
        jc_date start_date;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        jc_handle_result res = JC_HANDLE_POISON;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        citizen_ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        group = jc_v_enum(d, "data", "target_group", 1, jc_target_groups, &v);
        jc_v_date(d, "data", "start_date", 1, &start_date, &v);
        opened_at = jc_v_str(d, "data", "opened_at", 1, 20, 40, &v);
        if (jc_verrs_count(&v)) {
                jc_verrs_first(&v, ctx->reason, sizeof(ctx->reason));
                goto out;
        }
        jc_date_format(start_date, start);
        r = jc_pg_exec(ctx->db, "sched_case_upsert",
                       JC_PG_ARGS(case_id, citizen_ref, group, start, opened_at), &e);
        if (!r) {
                res = db_failed(ctx, &e);
                goto out;
        }
        PQclear(r);
        r = jc_pg_exec(ctx->db, "sched_case_event_insert",
                       JC_PG_ARGS(case_id, ctx->event->id, ctx->event->short_type), &e);
        if (!r) {
                res = db_failed(ctx, &e);
                goto out;
        }
        PQclear(r);
        jc_log_debug("case projected");
        res = JC_HANDLE_OK;
out:
        jc_verrs_release(&v);
        return res;
}
