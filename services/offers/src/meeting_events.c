/*
 * Consumed meeting events (jobcenter.meeting.v1). No meeting outcome changes
 * an offer: the meeting contract does not say that an offer was agreed (that
 * is POST /v1/cases/{case_id}/enrolments). offers keeps only the date of the
 * last held meeting, which the weekly review shows next to each citizen
 * without an offer. Other meeting types are recorded as ignored in the inbox.
 */
#include <stdio.h>

#include "jc/validate.h"
#include "offers.h"

jc_handle_result offers_on_meeting_held(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data;
        char held[JC_DATE_STRLEN];
        const char *case_id;
        jc_handle_result res = JC_HANDLE_POISON;
        jc_date held_on;
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        jc_v_date(d, "data", "held_on", 1, &held_on, &v);
        if (jc_verrs_count(&v)) {
                jc_verrs_first(&v, ctx->reason, sizeof(ctx->reason));
                goto out;
        }
        jc_date_format(held_on, held);
        /* The case may not be projected yet: the two topics are not ordered
         * with each other, so the row stands on its own. */
        r = jc_pg_exec(ctx->db, "offers_meeting_held", JC_PG_ARGS(case_id, held), &e);
        if (!r) {
                snprintf(ctx->reason, sizeof(ctx->reason), "%.500s", e.message);
                res = e.transient ? JC_HANDLE_RETRY : JC_HANDLE_POISON;
                goto out;
        }
        PQclear(r);
        res = JC_HANDLE_OK;
out:
        jc_verrs_release(&v);
        return res;
}
