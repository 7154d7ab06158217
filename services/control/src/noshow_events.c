/*
 * meeting.no_show.v1 (scheduling) and offer.attendance_missed.v1 (offers):
 * without a lawful reason each opens what the rules say for the case's
 * target group (sanction proposal, a-kasse report, or manual assessment) and
 * counts as a doubt about availability; with a lawful reason, nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "jc/log.h"
#include "jc/timeutil.h"
#include "jc/vocab.h"

static jc_handle_result failed(jc_consume_ctx *ctx, const jc_pg_err *e)
{
        snprintf(ctx->reason, sizeof(ctx->reason), "%.500s", e->message);
        return e->transient ? JC_HANDLE_RETRY : JC_HANDLE_POISON;
}

/* Records the no-show and applies its consequence and the availability doubt. */
static jc_handle_result no_show(jc_consume_ctx *ctx, ctl_occurrence *o)
{
        jc_service *svc = ctx->opaque;
        char id[JC_UUID_STRLEN], on[JC_DATE_STRLEN], rule_id[80], proposal[JC_UUID_STRLEN],
            report[JC_UUID_STRLEN], course[JC_UUID_STRLEN];
        ctl_consequence c;
        PGresult *r;
        jc_pg_err e;

        if (jc_uuid_v4(id) != 0) {
                snprintf(ctx->reason, sizeof(ctx->reason), "kernel RNG failed");
                return JC_HANDLE_RETRY;
        }
        jc_date_format(o->occurred_on, on);
        c = ctl_rules_consequence(svc->ctx, o->target_group, o->occurred_on, rule_id);
        r = jc_pg_exec(ctx->db, "ctl_no_show_insert",
                       JC_PG_ARGS(id, o->basis, o->source_id, on, o->case_id, o->citizen_ref,
                                  o->target_group, ctl_consequence_name(c),
                                  rule_id[0] ? rule_id : NULL, ctx->event->id),
                       &e);
        if (!r)
                return failed(ctx, &e);
        if (PQntuples(r) == 0) { /* recorded before (the same no-show re-sent) */
                PQclear(r);
                return JC_HANDLE_OK;
        }
        PQclear(r);
        if (ctl_consequence_apply(svc, ctx->db, o, &c, proposal, report, &e) != 0)
                return failed(ctx, &e);
        r = jc_pg_exec(ctx->db, "ctl_no_show_link",
                       JC_PG_ARGS(id, proposal[0] ? proposal : NULL, report[0] ? report : NULL), &e);
        if (!r)
                return failed(ctx, &e);
        PQclear(r);
        if (ctl_availability_doubt(svc, ctx->db, o->case_id, o->occurred_on, o->basis,
                                   o->source_id, NULL, "system", course, &e) < 0)
                return failed(ctx, &e);
        jc_log_write(JC_LOG_INFO, JC_KV({"consequence", ctl_consequence_name(c)}),
                     "no-show without lawful reason recorded");
        return JC_HANDLE_OK;
}

/* The case's target group and citizen from the projection; RETRY when the
 * case event has not arrived yet (other topic, other partition). */
static jc_handle_result known_case(jc_consume_ctx *ctx, const char *case_id, char group[64],
                                   char citizen_ref[JC_UUID_STRLEN])
{
        jc_pg_err e;
        PGresult *r = jc_pg_exec(ctx->db, "ctl_case_get", JC_PG_ARGS(case_id), &e);

        if (!r)
                return failed(ctx, &e);
        if (PQntuples(r) == 0) {
                PQclear(r);
                snprintf(ctx->reason, sizeof(ctx->reason),
                         "case %s is not known to control (yet)", case_id);
                return JC_HANDLE_RETRY;
        }
        snprintf(citizen_ref, JC_UUID_STRLEN, "%s", PQgetvalue(r, 0, 1));
        snprintf(group, 64, "%s", PQgetvalue(r, 0, 2));
        PQclear(r);
        return JC_HANDLE_OK;
}

jc_handle_result ctl_on_meeting_no_show(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data;
        const char *meeting_id, *case_id, *ref, *starts_at;
        char group[64], known_ref[JC_UUID_STRLEN];
        int lawful = 0;
        int64_t t;
        ctl_occurrence o;
        jc_handle_result res = JC_HANDLE_POISON;
        jc_verrs v;

        jc_verrs_init(&v);
        meeting_id = jc_v_uuid(d, "data", "meeting_id", 1, &v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        starts_at = jc_v_str(d, "data", "starts_at", 1, 20, 40, &v);
        if (starts_at && jc_time_parse_rfc3339(starts_at, &t) != 0)
                jc_verrs_add(&v, "data.starts_at", "must be an RFC 3339 date-time");
        jc_v_bool(d, "data", "lawful_reason", 1, &lawful, &v);
        if (jc_verrs_count(&v)) {
                jc_verrs_first(&v, ctx->reason, sizeof(ctx->reason));
                goto out;
        }
        if (lawful) { /* a lawful reason ('lovlig grund'): nothing follows */
                res = JC_HANDLE_OK;
                goto out;
        }
        res = known_case(ctx, case_id, group, known_ref);
        if (res != JC_HANDLE_OK)
                goto out;
        memset(&o, 0, sizeof(o));
        o.case_id = case_id;
        o.citizen_ref = ref;
        o.target_group = group;
        o.basis = "meeting_no_show";
        o.source_id = meeting_id;
        o.source_event_id = ctx->event->id;
        o.meeting_id = meeting_id;
        o.occurred_on = jc_date_copenhagen_from_unix(t);
        res = no_show(ctx, &o);
out:
        jc_verrs_release(&v);
        return res;
}

jc_handle_result ctl_on_offer_attendance_missed(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data;
        const char *enrolment_id, *case_id, *ref, *group;
        int lawful = 0;
        ctl_occurrence o;
        jc_handle_result res = JC_HANDLE_POISON;
        jc_verrs v;

        memset(&o, 0, sizeof(o));
        jc_verrs_init(&v);
        enrolment_id = jc_v_uuid(d, "data", "enrolment_id", 1, &v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        group = jc_v_enum(d, "data", "target_group", 1, jc_target_groups, &v);
        jc_v_date(d, "data", "date", 1, &o.occurred_on, &v);
        jc_v_bool(d, "data", "lawful_reason", 1, &lawful, &v);
        if (jc_verrs_count(&v)) {
                jc_verrs_first(&v, ctx->reason, sizeof(ctx->reason));
                goto out;
        }
        if (lawful) {
                res = JC_HANDLE_OK;
                goto out;
        }
        /* The event names the target group that decides (offers knows it at
         * the time); the projection must know the case for the a-kasse and
         * the availability course. */
        {
                char known_group[64], known_ref[JC_UUID_STRLEN];

                res = known_case(ctx, case_id, known_group, known_ref);
                if (res != JC_HANDLE_OK)
                        goto out;
        }
        o.case_id = case_id;
        o.citizen_ref = ref;
        o.target_group = group;
        o.basis = "offer_attendance_missed";
        o.source_id = enrolment_id;
        o.source_event_id = ctx->event->id;
        o.enrolment_id = enrolment_id;
        res = no_show(ctx, &o);
out:
        jc_verrs_release(&v);
        return res;
}
