/*
 * What control learns from other services: the keyed hash of each citizen's
 * CPR (jobcenter.citizen.v1; a tombstone erases it) and the cases with their
 * target group and, for a-kasse handovers, the a-kasse (jobcenter.case.v1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/cpr.h"
#include "control.h"
#include "jc/log.h"
#include "jc/vocab.h"

/* A database failure: retry when transient, else poison with the reason. */
static jc_handle_result failed(jc_consume_ctx *ctx, const jc_pg_err *e)
{
        snprintf(ctx->reason, sizeof(ctx->reason), "%.500s", e->message);
        return e->transient ? JC_HANDLE_RETRY : JC_HANDLE_POISON;
}

static jc_handle_result invalid(jc_consume_ctx *ctx, jc_verrs *v)
{
        jc_verrs_first(v, ctx->reason, sizeof(ctx->reason));
        return JC_HANDLE_POISON;
}

static jc_handle_result exec_handled(jc_consume_ctx *ctx, const char *stmt, int n,
                                     const char *const *params, int *changed)
{
        jc_pg_err e;
        PGresult *r = jc_pg_exec(ctx->db, stmt, n, params, &e);

        if (!r)
                return failed(ctx, &e);
        if (changed)
                *changed = atoi(PQcmdTuples(r));
        PQclear(r);
        return JC_HANDLE_OK;
}

jc_handle_result ctl_on_citizen_upserted(jc_consume_ctx *ctx)
{
        jc_service *svc = ctx->opaque;
        json_t *d = ctx->event->data;
        const char *ref, *cpr;
        char norm[11], hex[65], bytea[72];
        jc_handle_result res = JC_HANDLE_POISON;
        jc_verrs v;

        jc_verrs_init(&v);
        ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        cpr = jc_v_str(d, "data", "cpr", 1, 10, 10, &v);
        if (cpr && jc_cpr_normalise(cpr, norm) != 0)
                jc_verrs_add(&v, "data.cpr", "must be 10 digits starting with a real date of birth");
        if (jc_verrs_count(&v)) {
                res = invalid(ctx, &v);
                goto out;
        }
        if (ctl_cpr_hash(svc->ctx, norm, hex) != 0) {
                snprintf(ctx->reason, sizeof(ctx->reason), "could not hash the CPR number");
                res = JC_HANDLE_RETRY;
                goto out;
        }
        snprintf(bytea, sizeof(bytea), "\\x%s", hex);
        /* The newest record for a CPR wins (a re-registered citizen after an
         * erasure gets a new citizen_ref; the old tombstone may come later). */
        res = exec_handled(ctx, "ctl_citizen_key_release", JC_PG_ARGS(ref, bytea), NULL);
        if (res == JC_HANDLE_OK)
                res = exec_handled(ctx, "ctl_citizen_key_upsert", JC_PG_ARGS(ref, bytea), NULL);
out:
        memset(norm, 0, sizeof(norm));
        jc_verrs_release(&v);
        return res;
}

/* A tombstone: the citizen was erased. Drop the hash, and the hash and
 * evidence of their campaign records (kept only where an open control case
 * still holds them as evidence). */
jc_handle_result ctl_on_citizen_erased(jc_consume_ctx *ctx)
{
        char ref[JC_UUID_STRLEN];
        jc_handle_result res;
        int dropped = 0, records = 0;
        char n1[16], n2[16];

        if (!ctx->key || ctx->key_len != JC_UUID_STRLEN - 1) {
                snprintf(ctx->reason, sizeof(ctx->reason), "key: a tombstone's key must be a citizen_ref");
                return JC_HANDLE_POISON;
        }
        memcpy(ref, ctx->key, JC_UUID_STRLEN - 1);
        ref[JC_UUID_STRLEN - 1] = '\0';
        if (!jc_uuid_is_valid(ref)) {
                snprintf(ctx->reason, sizeof(ctx->reason), "key: a tombstone's key must be a citizen_ref");
                return JC_HANDLE_POISON;
        }
        res = exec_handled(ctx, "ctl_citizen_key_delete", JC_PG_ARGS(ref), &dropped);
        if (res == JC_HANDLE_OK)
                res = exec_handled(ctx, "ctl_records_erase", JC_PG_ARGS(ref), &records);
        if (res == JC_HANDLE_OK) {
                snprintf(n1, sizeof(n1), "%d", dropped);
                snprintf(n2, sizeof(n2), "%d", records);
                jc_log_write(JC_LOG_INFO,
                             JC_KV({"citizen_ref", ref}, {"keys", n1}, {"records", n2}),
                             "citizen erased");
        }
        return res;
}

jc_handle_result ctl_on_case_opened(jc_consume_ctx *ctx)
{
        jc_service *svc = ctx->opaque;
        json_t *d = ctx->event->data, *handover;
        const char *case_id, *ref, *group, *opened_at, *visitation, *cw, *akasse = NULL;
        char start[JC_DATE_STRLEN], course[JC_UUID_STRLEN];
        jc_date start_date;
        int concerns = 0;
        jc_handle_result res = JC_HANDLE_POISON;
        jc_verrs v;
        jc_pg_err e;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        group = jc_v_enum(d, "data", "target_group", 1, jc_target_groups, &v);
        jc_v_date(d, "data", "start_date", 1, &start_date, &v);
        opened_at = jc_v_str(d, "data", "opened_at", 1, 20, 40, &v);
        visitation = jc_v_enum(d, "data", "visitation", 0, jc_visitation_categories, &v);
        cw = jc_v_str(d, "data", "caseworker_id", 0, 1, 40, &v);
        handover = jc_v_object(d, "data", "handover", 0, &v);
        if (handover) {
                akasse = jc_v_str(handover, "data.handover", "akasse", 1, 1, 12, &v);
                jc_v_bool(handover, "data.handover", "availability_concerns", 0, &concerns, &v);
        }
        if (jc_verrs_count(&v)) {
                res = invalid(ctx, &v);
                goto out;
        }
        jc_date_format(start_date, start);
        res = exec_handled(ctx, "ctl_case_upsert",
                           JC_PG_ARGS(case_id, ref, group, start, opened_at, visitation, cw, akasse),
                           NULL);
        if (res != JC_HANDLE_OK)
                goto out;
        /* The a-kasse's doubt about availability at handover counts (R60). */
        if (concerns && ctl_availability_doubt(svc, ctx->db, case_id, start_date, "akasse_handover",
                                               case_id, NULL, "akasse-handover", course, &e) < 0)
                res = failed(ctx, &e);
out:
        jc_verrs_release(&v);
        return res;
}

static jc_handle_result case_update(jc_consume_ctx *ctx, const char *field, const char *const *vocab,
                                    const char *stmt)
{
        json_t *d = ctx->event->data;
        const char *case_id, *value;
        jc_handle_result res = JC_HANDLE_POISON;
        jc_verrs v;
        int changed = 0;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        value = vocab ? jc_v_enum(d, "data", field, 1, vocab, &v)
                      : jc_v_str(d, "data", field, 1, 1, 40, &v);
        if (jc_verrs_count(&v)) {
                res = invalid(ctx, &v);
                goto out;
        }
        res = exec_handled(ctx, stmt, JC_PG_ARGS(case_id, value), &changed);
        if (res == JC_HANDLE_OK && changed == 0) {
                snprintf(ctx->reason, sizeof(ctx->reason), "case %s is not known to control",
                         case_id);
                res = JC_HANDLE_POISON;
        }
out:
        jc_verrs_release(&v);
        return res;
}

jc_handle_result ctl_on_case_target_group_changed(jc_consume_ctx *ctx)
{
        return case_update(ctx, "target_group", jc_target_groups, "ctl_case_set_target_group");
}

jc_handle_result ctl_on_case_visitation_changed(jc_consume_ctx *ctx)
{
        return case_update(ctx, "visitation", jc_visitation_categories, "ctl_case_set_visitation");
}

jc_handle_result ctl_on_case_caseworker_assigned(jc_consume_ctx *ctx)
{
        return case_update(ctx, "caseworker_id", NULL, "ctl_case_set_caseworker");
}

jc_handle_result ctl_on_case_closed(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data;
        const char *case_id;
        jc_handle_result res = JC_HANDLE_POISON;
        jc_verrs v;
        int changed = 0;

        jc_verrs_init(&v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        if (jc_verrs_count(&v)) {
                res = invalid(ctx, &v);
                goto out;
        }
        res = exec_handled(ctx, "ctl_case_close", JC_PG_ARGS(case_id), &changed);
        if (res == JC_HANDLE_OK && changed == 0) {
                snprintf(ctx->reason, sizeof(ctx->reason), "case %s is not known to control",
                         case_id);
                res = JC_HANDLE_POISON;
        }
out:
        jc_verrs_release(&v);
        return res;
}
