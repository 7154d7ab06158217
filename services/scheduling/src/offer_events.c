/*
 * Consumed offer events: an offer started fulfils the open obligations whose
 * rule says an offer does (rule data "fulfilled_by_offer"; the under-18
 * contact duty in the built-in rules, domain.md R46/R47). Meeting
 * obligations are not touched: an offer does not replace a jobsamtale.
 */
#include <stdio.h>

#include "jc/log.h"
#include "jc/validate.h"
#include "scheduling.h"

jc_handle_result sched_on_offer_started(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data;
        const char *case_id, *enrolment_id;
        char started[JC_DATE_STRLEN];
        jc_date started_on;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        jc_handle_result res = JC_HANDLE_POISON;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        enrolment_id = jc_v_uuid(d, "data", "enrolment_id", 1, &v);
        jc_v_date(d, "data", "started_on", 1, &started_on, &v);
        if (jc_verrs_count(&v)) {
                res = sched_event_invalid(ctx, &v);
                goto out;
        }
        jc_date_format(started_on, started);
        /* a case scheduling never saw has no obligations: nothing matches */
        r = jc_pg_exec(ctx->db, "sched_obligations_fulfil_by_offer",
                       JC_PG_ARGS(case_id, enrolment_id, started), &e);
        if (!r) {
                res = sched_event_failed(ctx, &e);
                goto out;
        }
        if (PQntuples(r) > 0)
                jc_log_write(JC_LOG_INFO, JC_KV({"case_id", case_id}, {"enrolment_id", enrolment_id}),
                             "offer started on %s fulfilled %d obligation(s)", started,
                             PQntuples(r));
        PQclear(r);
        res = JC_HANDLE_OK;
out:
        jc_verrs_release(&v);
        return res;
}
