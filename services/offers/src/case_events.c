/*
 * Consumed case events (jobcenter.case.v1): keep offers' projection of the
 * case, start the offer obligations' clocks, and end everything when the
 * case closes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"
#include "jc/validate.h"
#include "jc/vocab.h"
#include "offers.h"

/* A database failure: transient ones are retried, others dead-lettered. */
static jc_handle_result db_failed(jc_consume_ctx *ctx, const jc_pg_err *e)
{
        snprintf(ctx->reason, sizeof(ctx->reason), "%.500s", e->message);
        return e->transient ? JC_HANDLE_RETRY : JC_HANDLE_POISON;
}

/* The event's data broke its contract: the reason names the field. */
static jc_handle_result invalid(jc_consume_ctx *ctx, const jc_verrs *v)
{
        jc_verrs_first(v, ctx->reason, sizeof(ctx->reason));
        return JC_HANDLE_POISON;
}

static jc_handle_result unknown_case(jc_consume_ctx *ctx)
{
        snprintf(ctx->reason, sizeof(ctx->reason),
                 "data.case_id: no case.opened.v1 was received for this case");
        return JC_HANDLE_POISON;
}

/* Runs a statement returning one count; *count gets it. */
static int exec_count(PGconn *db, const char *stmt, int n, const char *const *params, long *count,
                      jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, stmt, n, params, e);

        if (!r)
                return -1;
        *count = PQntuples(r) ? atol(PQgetvalue(r, 0, 0)) : 0;
        PQclear(r);
        return 0;
}

jc_handle_result offers_on_case_opened(jc_consume_ctx *ctx)
{
        jc_service *svc = ctx->opaque;
        json_t *d = ctx->event->data;
        const char *case_id, *citizen_ref, *group, *opened_at, *visitation, *cw, *team;
        char start[JC_DATE_STRLEN];
        jc_date start_date;
        jc_handle_result res = JC_HANDLE_POISON;
        offers_obligation_plan plan;
        long inserted = 0;
        int planned = 0;
        jc_verrs v;
        jc_pg_err e;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        citizen_ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        group = jc_v_enum(d, "data", "target_group", 1, jc_target_groups, &v);
        jc_v_date(d, "data", "start_date", 1, &start_date, &v);
        opened_at = jc_v_str(d, "data", "opened_at", 1, 20, 40, &v);
        visitation = jc_v_enum(d, "data", "visitation", 0, jc_visitation_categories, &v);
        cw = jc_v_str(d, "data", "caseworker_id", 0, 1, OFFERS_ID_LEN - 1, &v);
        team = jc_v_str(d, "data", "team_id", 0, 1, OFFERS_ID_LEN - 1, &v);
        if (jc_verrs_count(&v)) {
                res = invalid(ctx, &v);
                goto out;
        }
        jc_date_format(start_date, start);
        if (offers_obligations_plan(svc, group, start_date, OFFERS_ON_CASE_OPENED, &plan, &e) != 0) {
                res = db_failed(ctx, &e);
                goto out;
        }
        planned = 1;
        if (exec_count(ctx->db, "offers_case_open",
                       JC_PG_ARGS(case_id, citizen_ref, group, start, visitation, cw, team, opened_at,
                                  ctx->event->id, plan.rule_set, plan.kinds.data, plan.rules.data,
                                  plan.dues.data, plan.warns.data, plan.sats.data, plan.mins.data),
                       &inserted, &e) != 0) {
                res = db_failed(ctx, &e);
                goto out;
        }
        jc_log_write(JC_LOG_DEBUG, JC_KV({"target_group", group}),
                     inserted ? "case projected" : "case already projected");
        res = JC_HANDLE_OK;
out:
        if (planned)
                offers_obligation_plan_release(&plan);
        jc_verrs_release(&v);
        return res;
}

jc_handle_result offers_on_caseworker_assigned(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data;
        const char *case_id, *cw, *team;
        jc_handle_result res = JC_HANDLE_POISON;
        long updated = 0;
        jc_verrs v;
        jc_pg_err e;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        cw = jc_v_str(d, "data", "caseworker_id", 1, 1, OFFERS_ID_LEN - 1, &v);
        team = jc_v_str(d, "data", "team_id", 1, 1, OFFERS_ID_LEN - 1, &v);
        if (jc_verrs_count(&v)) {
                res = invalid(ctx, &v);
                goto out;
        }
        if (exec_count(ctx->db, "offers_case_assign", JC_PG_ARGS(case_id, cw, team, ctx->event->id),
                       &updated, &e) != 0) {
                res = db_failed(ctx, &e);
                goto out;
        }
        res = updated ? JC_HANDLE_OK : unknown_case(ctx);
out:
        jc_verrs_release(&v);
        return res;
}

jc_handle_result offers_on_visitation_changed(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data;
        const char *case_id, *visitation;
        jc_handle_result res = JC_HANDLE_POISON;
        long updated = 0;
        jc_verrs v;
        jc_pg_err e;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        visitation = jc_v_enum(d, "data", "visitation", 1, jc_visitation_categories, &v);
        if (jc_verrs_count(&v)) {
                res = invalid(ctx, &v);
                goto out;
        }
        if (exec_count(ctx->db, "offers_case_visitation",
                       JC_PG_ARGS(case_id, visitation, ctx->event->id), &updated, &e) != 0) {
                res = db_failed(ctx, &e);
                goto out;
        }
        res = updated ? JC_HANDLE_OK : unknown_case(ctx);
out:
        jc_verrs_release(&v);
        return res;
}

/* Locks the case; *found/ *open say what was there. */
static int lock_case(PGconn *db, const char *case_id, int *found, int *open, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "offers_case_lock", JC_PG_ARGS(case_id), e);

        if (!r)
                return -1;
        *found = PQntuples(r) == 1;
        *open = *found && strcmp(PQgetvalue(r, 0, 4), "open") == 0;
        PQclear(r);
        return 0;
}

jc_handle_result offers_on_target_group_changed(jc_consume_ctx *ctx)
{
        jc_service *svc = ctx->opaque;
        json_t *d = ctx->event->data;
        const char *case_id, *group;
        char eff[JC_DATE_STRLEN];
        jc_date effective;
        jc_handle_result res = JC_HANDLE_POISON;
        int found = 0, open = 0;
        long updated = 0;
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        group = jc_v_enum(d, "data", "target_group", 1, jc_target_groups, &v);
        jc_v_date(d, "data", "effective_date", 1, &effective, &v);
        if (jc_verrs_count(&v)) {
                res = invalid(ctx, &v);
                goto out;
        }
        if (lock_case(ctx->db, case_id, &found, &open, &e) != 0) {
                res = db_failed(ctx, &e);
                goto out;
        }
        if (!found) {
                res = unknown_case(ctx);
                goto out;
        }
        jc_date_format(effective, eff);
        if (exec_count(ctx->db, "offers_case_group_change",
                       JC_PG_ARGS(case_id, group, eff, ctx->event->id), &updated, &e) != 0)
                goto db_error;
        if (open) {
                /* The old group's clocks stop; the new group's start at effective_date. */
                r = jc_pg_exec(ctx->db, "offers_obligations_cancel",
                               JC_PG_ARGS(case_id, "target_group_changed"), &e);
                if (!r)
                        goto db_error;
                PQclear(r);
                if (offers_obligations_create(svc, ctx->db, case_id, group, effective,
                                              OFFERS_ON_GROUP_CHANGED, &e) != 0)
                        goto db_error;
        }
        jc_log_write(JC_LOG_INFO, JC_KV({"target_group", group}), "case target group changed");
        res = JC_HANDLE_OK;
        goto out;
db_error:
        res = db_failed(ctx, &e);
out:
        jc_verrs_release(&v);
        return res;
}

/* What a running or planned offer ends with when its case closes. */
static const char *outcome_on_close(const offers_enrolment *en, const char *reason)
{
        if (!en->has_started)
                return "cancelled";
        if (strcmp(reason, "job") == 0)
                return "job";
        if (strcmp(reason, "education") == 0)
                return "education";
        return "ended_early";
}

/* Ends every planned or running enrolment of a closing case. */
static int end_enrolments(jc_service *svc, PGconn *db, const char *case_id, jc_date closed_on,
                          const char *reason, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "offers_enrolments_open_for_case", JC_PG_ARGS(case_id), e);
        int rc = -1;

        if (!r)
                return -1;
        for (int i = 0; i < PQntuples(r); i++) {
                offers_enrolment en;
                jc_date ended_on = closed_on;
                int case_open = 0;

                if (offers_enrolment_lock(db, PQgetvalue(r, i, 0), &en, &case_open, e) !=
                    OFFERS_LOADED)
                        goto out;
                if (en.has_started) {
                        /* within [started_on, planned_end] */
                        if (jc_date_cmp(ended_on, en.planned_end) > 0)
                                ended_on = en.planned_end;
                        if (jc_date_cmp(ended_on, en.started_on) < 0)
                                ended_on = en.started_on;
                }
                if (offers_enrolment_finish(svc, db, &en, ended_on, outcome_on_close(&en, reason),
                                            "case_closed", e) != 0)
                        goto out;
        }
        rc = 0;
out:
        PQclear(r);
        return rc;
}

jc_handle_result offers_on_case_closed(jc_consume_ctx *ctx)
{
        jc_service *svc = ctx->opaque;
        json_t *d = ctx->event->data;
        const char *case_id, *reason;
        char closed[JC_DATE_STRLEN];
        jc_date closed_on;
        jc_handle_result res = JC_HANDLE_POISON;
        int found = 0, open = 0;
        long updated = 0;
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        reason = jc_v_enum(d, "data", "reason", 1, jc_close_reasons, &v);
        jc_v_date(d, "data", "closed_on", 1, &closed_on, &v);
        if (jc_verrs_count(&v)) {
                res = invalid(ctx, &v);
                goto out;
        }
        if (lock_case(ctx->db, case_id, &found, &open, &e) != 0) {
                res = db_failed(ctx, &e);
                goto out;
        }
        if (!found) {
                res = unknown_case(ctx);
                goto out;
        }
        if (!open) { /* closed twice: nothing more ends */
                r = jc_pg_exec(ctx->db, "offers_case_event_insert",
                               JC_PG_ARGS(case_id, ctx->event->id, "case.closed.v1"), &e);
                if (!r)
                        goto db_error;
                PQclear(r);
                res = JC_HANDLE_OK;
                goto out;
        }
        jc_date_format(closed_on, closed);
        if (exec_count(ctx->db, "offers_case_close",
                       JC_PG_ARGS(case_id, closed, reason, ctx->event->id), &updated, &e) != 0)
                goto db_error;
        r = jc_pg_exec(ctx->db, "offers_obligations_cancel", JC_PG_ARGS(case_id, "case_closed"), &e);
        if (!r)
                goto db_error;
        PQclear(r);
        if (end_enrolments(svc, ctx->db, case_id, closed_on, reason, &e) != 0)
                goto db_error;
        jc_log_write(JC_LOG_INFO, JC_KV({"reason", reason}), "case closed: obligations and offers ended");
        res = JC_HANDLE_OK;
        goto out;
db_error:
        res = db_failed(ctx, &e);
out:
        jc_verrs_release(&v);
        return res;
}
