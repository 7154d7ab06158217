/*
 * jobcenter.offer.v1: the offer letter on offer.assigned.v1 — which offer,
 * from when to when, how many hours a week.
 */
#include <stdio.h>

#include "notifications.h"

jc_handle_result notif_on_offer_assigned(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data, *f = NULL;
        const char *case_id, *ref, *type;
        char start[64], end[64], hours[24];
        long long h = 0;
        jc_date from, to;
        jc_verrs v;
        jc_handle_result res;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        jc_v_uuid(d, "data", "enrolment_id", 1, &v);
        type = jc_v_str(d, "data", "offer_type", 1, 1, 80, &v);
        jc_v_date(d, "data", "planned_start", 1, &from, &v);
        jc_v_date(d, "data", "planned_end", 1, &to, &v);
        jc_v_int(d, "data", "hours_per_week", 1, 1, 37, &h, &v);
        if (jc_verrs_count(&v)) {
                res = notif_invalid(ctx, &v);
                goto out;
        }
        notif_da_date(from, start, sizeof(start));
        notif_da_date(to, end, sizeof(end));
        snprintf(hours, sizeof(hours), "%lld", h);
        f = json_pack("{s:s, s:s, s:s, s:s, s:s}", "case_id", case_id, "offer_name",
                      notif_da_offer_type(type), "planned_start", start, "planned_end", end,
                      "hours_per_week", hours);
        res = notif_message_from_event(ctx, "offer_letter", NOTIF_TO_CITIZEN, ref, case_id, ref, f);
out:
        json_decref(f);
        jc_verrs_release(&v);
        return res;
}
