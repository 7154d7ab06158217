/*
 * Consumed case events: keep the local case projection and the obligations
 * the rules derive from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/buf.h"
#include "jc/log.h"
#include "jc/validate.h"
#include "jc/vocab.h"
#include "scheduling.h"

/* A contract failure of the event is poison (the reason names the field);
 * a database failure is a retry. */
jc_handle_result sched_event_failed(jc_consume_ctx *ctx, const jc_pg_err *e)
{
        snprintf(ctx->reason, sizeof(ctx->reason), "%.500s", e->message);
        return e->transient ? JC_HANDLE_RETRY : JC_HANDLE_POISON;
}

jc_handle_result sched_event_invalid(jc_consume_ctx *ctx, jc_verrs *v)
{
        jc_verrs_first(v, ctx->reason, sizeof(ctx->reason));
        return JC_HANDLE_POISON;
}

static int record_event(jc_consume_ctx *ctx, const char *case_id, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(ctx->db, "sched_case_event_insert",
                                 JC_PG_ARGS(case_id, ctx->event->id, ctx->event->short_type), e);

        if (!r)
                return -1;
        PQclear(r);
        return 0;
}

/* The case row, locked; NULL (not poison) when scheduling never saw it. */
static PGresult *lock_case(jc_consume_ctx *ctx, const char *case_id, jc_pg_err *e, int *missing)
{
        PGresult *r = jc_pg_exec(ctx->db, "sched_case_lock", JC_PG_ARGS(case_id), e);

        *missing = r && PQntuples(r) == 0;
        if (*missing) {
                PQclear(r);
                return NULL;
        }
        return r;
}

jc_handle_result sched_on_case_opened(jc_consume_ctx *ctx)
{
        jc_service *svc = ctx->opaque;
        json_t *d = ctx->event->data, *handover;
        const char *case_id, *citizen_ref, *group, *opened_at, *visitation, *cw, *team, *origin;
        char start[JC_DATE_STRLEN], *handover_text = NULL;
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
        visitation = jc_v_enum(d, "data", "visitation", 0, jc_visitation_categories, &v);
        cw = jc_v_str(d, "data", "caseworker_id", 0, 1, 40, &v);
        team = jc_v_str(d, "data", "team_id", 0, 1, 40, &v);
        origin = jc_v_str(d, "data", "origin", 0, 1, 40, &v);
        handover = jc_v_object(d, "data", "handover", 0, &v);
        if (jc_verrs_count(&v)) {
                res = sched_event_invalid(ctx, &v);
                goto out;
        }
        jc_date_format(start_date, start);
        if (handover)
                handover_text = json_dumps(handover, JSON_COMPACT);
        r = jc_pg_exec(ctx->db, "sched_case_upsert",
                       JC_PG_ARGS(case_id, citizen_ref, group, start, opened_at, visitation, cw, team,
                                  origin ? origin : "caseworker", handover_text, ctx->event->id,
                                  ctx->event->short_type),
                       &e);
        if (!r) {
                res = sched_event_failed(ctx, &e);
                goto out;
        }
        PQclear(r);
        if (sched_obligations_derive(svc, ctx->db, case_id, group, visitation, start_date, handover,
                                     &e) != 0) {
                res = sched_event_failed(ctx, &e);
                goto out;
        }
        jc_log_debug("case projected, obligations derived");
        res = JC_HANDLE_OK;
out:
        free(handover_text);
        jc_verrs_release(&v);
        return res;
}

jc_handle_result sched_on_case_target_group_changed(jc_consume_ctx *ctx)
{
        jc_service *svc = ctx->opaque;
        json_t *d = ctx->event->data;
        const char *case_id, *group, *previous;
        jc_date effective;
        jc_verrs v;
        jc_pg_err e;
        PGresult *c = NULL, *r;
        int missing;
        jc_handle_result res = JC_HANDLE_POISON;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        group = jc_v_enum(d, "data", "target_group", 1, jc_target_groups, &v);
        previous = jc_v_enum(d, "data", "previous_target_group", 1, jc_target_groups, &v);
        jc_v_date(d, "data", "effective_date", 1, &effective, &v);
        if (jc_verrs_count(&v)) {
                res = sched_event_invalid(ctx, &v);
                goto out;
        }
        c = lock_case(ctx, case_id, &e, &missing);
        if (missing) {
                snprintf(ctx->reason, sizeof(ctx->reason), "case %s is not known to scheduling",
                         case_id);
                goto out;
        }
        if (!c)
                goto db;
        /* The old group's open obligations end; the new group's rules apply
         * from the effective date (their rule set is the one in force then). */
        r = jc_pg_exec(ctx->db, "sched_obligations_cancel_group",
                       JC_PG_ARGS(case_id, previous, "target_group_changed"), &e);
        if (!r)
                goto db;
        PQclear(r);
        r = jc_pg_exec(ctx->db, "sched_case_set_target_group", JC_PG_ARGS(case_id, group), &e);
        if (!r)
                goto db;
        PQclear(r);
        if (record_event(ctx, case_id, &e) != 0 ||
            sched_obligations_derive(svc, ctx->db, case_id, group,
                                     PQgetisnull(c, 0, 5) ? NULL : PQgetvalue(c, 0, 5), effective,
                                     NULL, &e) != 0)
                goto db;
        res = JC_HANDLE_OK;
        goto out;
db:
        res = sched_event_failed(ctx, &e);
out:
        PQclear(c);
        jc_verrs_release(&v);
        return res;
}

jc_handle_result sched_on_case_visitation_changed(jc_consume_ctx *ctx)
{
        jc_service *svc = ctx->opaque;
        sched_obligation_spec specs[SCHED_MAX_OBLIGATIONS];
        json_t *d = ctx->event->data, *handover = NULL;
        const char *case_id, *visitation;
        char rule_set[48];
        jc_buf keep = JC_BUF_INIT;
        jc_date effective, start;
        jc_verrs v;
        jc_pg_err e;
        PGresult *c = NULL, *r;
        int missing, n;
        jc_handle_result res = JC_HANDLE_POISON;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        visitation = jc_v_enum(d, "data", "visitation", 1, jc_visitation_categories, &v);
        jc_v_date(d, "data", "effective_date", 1, &effective, &v);
        if (jc_verrs_count(&v)) {
                res = sched_event_invalid(ctx, &v);
                goto out;
        }
        c = lock_case(ctx, case_id, &e, &missing);
        if (missing) {
                snprintf(ctx->reason, sizeof(ctx->reason), "case %s is not known to scheduling",
                         case_id);
                goto out;
        }
        if (!c)
                goto db;
        jc_date_parse(PQgetvalue(c, 0, 3), &start);
        r = jc_pg_exec(ctx->db, "sched_case_set_visitation", JC_PG_ARGS(case_id, visitation), &e);
        if (!r)
                goto db;
        PQclear(r);
        /* Rules that no longer apply end; rules that now apply are added. */
        n = sched_rules_derive(svc->ctx, &svc->calendar, PQgetvalue(c, 0, 2), visitation, start,
                               specs, SCHED_MAX_OBLIGATIONS, rule_set);
        for (int i = 0; i < n; i++)
                jc_pg_array_add(&keep, specs[i].rule_id);
        jc_pg_array_end(&keep);
        r = jc_pg_exec(ctx->db, "sched_obligations_cancel_rules_except",
                       JC_PG_ARGS(case_id, PQgetvalue(c, 0, 2), keep.data), &e);
        if (!r)
                goto db;
        PQclear(r);
        if (!PQgetisnull(c, 0, 9))
                handover = json_loads(PQgetvalue(c, 0, 9), 0, NULL);
        if (record_event(ctx, case_id, &e) != 0 ||
            sched_obligations_derive(svc, ctx->db, case_id, PQgetvalue(c, 0, 2), visitation, start,
                                     handover, &e) != 0)
                goto db;
        res = JC_HANDLE_OK;
        goto out;
db:
        res = sched_event_failed(ctx, &e);
out:
        json_decref(handover);
        jc_buf_release(&keep);
        PQclear(c);
        jc_verrs_release(&v);
        return res;
}

jc_handle_result sched_on_case_caseworker_assigned(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data;
        const char *case_id, *cw, *team;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        jc_handle_result res = JC_HANDLE_POISON;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        cw = jc_v_str(d, "data", "caseworker_id", 1, 1, 40, &v);
        team = jc_v_str(d, "data", "team_id", 1, 1, 40, &v);
        if (jc_verrs_count(&v)) {
                res = sched_event_invalid(ctx, &v);
                goto out;
        }
        r = jc_pg_exec(ctx->db, "sched_case_set_caseworker", JC_PG_ARGS(case_id, cw, team), &e);
        if (!r) {
                res = sched_event_failed(ctx, &e);
                goto out;
        }
        PQclear(r);
        if (record_event(ctx, case_id, &e) != 0) {
                res = sched_event_failed(ctx, &e);
                goto out;
        }
        res = JC_HANDLE_OK;
out:
        jc_verrs_release(&v);
        return res;
}

/* A closed case: open obligations end, booked meetings are cancelled (with
 * reason case_closed, so notifications need not write to the citizen). */
jc_handle_result sched_on_case_closed(jc_consume_ctx *ctx)
{
        jc_service *svc = ctx->opaque;
        json_t *d = ctx->event->data;
        const char *case_id;
        char closed_on[JC_DATE_STRLEN];
        jc_date on;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r, *booked = NULL;
        jc_handle_result res = JC_HANDLE_POISON;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        jc_v_date(d, "data", "closed_on", 1, &on, &v);
        if (jc_verrs_count(&v)) {
                res = sched_event_invalid(ctx, &v);
                goto out;
        }
        jc_date_format(on, closed_on);
        r = jc_pg_exec(ctx->db, "sched_case_close", JC_PG_ARGS(case_id, closed_on), &e);
        if (!r)
                goto db;
        PQclear(r);
        r = jc_pg_exec(ctx->db, "sched_obligations_cancel_open", JC_PG_ARGS(case_id, "case_closed"),
                       &e);
        if (!r)
                goto db;
        PQclear(r);
        booked = jc_pg_exec(ctx->db, "sched_case_booked_meetings", JC_PG_ARGS(case_id), &e);
        if (!booked)
                goto db;
        for (int i = 0; i < PQntuples(booked); i++) {
                r = jc_pg_exec(ctx->db, "sched_meeting_set_outcome",
                               JC_PG_ARGS(PQgetvalue(booked, i, 0), "cancelled", NULL, NULL, NULL,
                                          "case_closed"),
                               &e);
                if (!r)
                        goto db;
                PQclear(r);
                if (sched_meeting_emit(svc, ctx->db, PQgetvalue(booked, i, 0), "meeting.cancelled.v1",
                                       json_pack("{s:s, s:s}", "cancelled_by", "system", "reason",
                                                 "case_closed"),
                                       &e) != 0)
                        goto db;
        }
        if (record_event(ctx, case_id, &e) != 0)
                goto db;
        res = JC_HANDLE_OK;
        goto out;
db:
        res = sched_event_failed(ctx, &e);
out:
        PQclear(booked);
        jc_verrs_release(&v);
        return res;
}
