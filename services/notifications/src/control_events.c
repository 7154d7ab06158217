/*
 * jobcenter.control.v1: the sanction hearing letter (sanction.proposed.v1,
 * partshøring), the decision letter (sanction.decided.v1, approved or
 * rejected), the report to the citizen's a-kasse over its webhook
 * (akasse.report_requested.v1) and the information letter of a control
 * campaign (control.information_requested.v1).
 */
#include <stdio.h>
#include <string.h>

#include "notifications.h"

static const char *const rates[] = {"sats-1", "sats-2", "sats-3", "sats-4", NULL};
static const char *const decisions[] = {"approved", "rejected", NULL};

static int valid_code(const char *s)
{
        size_t n = s ? strlen(s) : 0;

        if (n == 0 || n > 32)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
                      (s[i] >= '0' && s[i] <= '9') || (i > 0 && s[i] == '-')))
                        return 0;
        return 1;
}

jc_handle_result notif_on_sanction_proposed(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data, *f = NULL, *amount;
        const char *proposal, *case_id, *ref, *kind, *basis;
        char occurred_s[64], deadline_s[64], amount_s[96];
        long long rate = -1;
        jc_date occurred, deadline;
        jc_verrs v;
        jc_handle_result res;

        jc_verrs_init(&v);
        proposal = jc_v_uuid(d, "data", "proposal_id", 1, &v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        kind = jc_v_enum(d, "data", "kind", 1, rates, &v);
        basis = jc_v_str(d, "data", "basis", 1, 1, 60, &v);
        jc_v_date(d, "data", "occurred_on", 1, &occurred, &v);
        jc_v_date(d, "data", "hearing_deadline", 1, &deadline, &v);
        amount = jc_v_object(d, "data", "amount_basis", 0, &v);
        if (amount)
                jc_v_int(amount, "data.amount_basis", "rate_dkk", 1, 0, 1000000, &rate, &v);
        if (jc_verrs_count(&v)) {
                res = notif_invalid(ctx, &v);
                goto out;
        }
        notif_da_date(occurred, occurred_s, sizeof(occurred_s));
        notif_da_date(deadline, deadline_s, sizeof(deadline_s));
        if (rate >= 0)
                snprintf(amount_s, sizeof(amount_s), "%lld kr.", rate);
        else
                snprintf(amount_s, sizeof(amount_s), "beløbet for %s", notif_da_sanction_rate(kind));
        f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "case_id", case_id, "proposal_id",
                      proposal, "basis_text", notif_da_basis(basis), "occurred_on", occurred_s,
                      "rate_text", notif_da_sanction_rate(kind), "amount_text", amount_s,
                      "hearing_deadline", deadline_s);
        res = notif_message_from_event(ctx, "sanction_hearing", NOTIF_TO_CITIZEN, ref, case_id, ref, f);
out:
        json_decref(f);
        jc_verrs_release(&v);
        return res;
}

/* The decision letter repeats the proposal's amount and basis when the
 * hearing letter went through notifications. */
jc_handle_result notif_on_sanction_decided(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data, *f = NULL, *proposed = NULL;
        const char *proposal, *case_id, *ref, *decision, *kind, *reason, *basis;
        const char *amount = NULL, *basis_text = NULL;
        char amount_s[96];
        jc_verrs v;
        jc_pg_err e;
        PGresult *r = NULL;
        jc_handle_result res;

        jc_verrs_init(&v);
        proposal = jc_v_uuid(d, "data", "proposal_id", 1, &v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        decision = jc_v_enum(d, "data", "decision", 1, decisions, &v);
        kind = jc_v_enum(d, "data", "kind", 1, rates, &v);
        reason = jc_v_str(d, "data", "reason", 0, 1, 2000, &v);
        basis = jc_v_str(d, "data", "basis", 0, 1, 60, &v);
        if (jc_verrs_count(&v)) {
                res = notif_invalid(ctx, &v);
                goto out;
        }
        r = jc_pg_exec(ctx->db, "notif_proposal_fields", JC_PG_ARGS(case_id, proposal), &e);
        if (!r) {
                res = notif_db_failed(ctx, &e);
                goto out;
        }
        if (PQntuples(r) == 1)
                proposed = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
        amount = json_string_value(json_object_get(proposed, "amount_text"));
        basis_text = json_string_value(json_object_get(proposed, "basis_text"));
        if (!amount) {
                snprintf(amount_s, sizeof(amount_s), "beløbet for %s", notif_da_sanction_rate(kind));
                amount = amount_s;
        }
        if (basis)
                basis_text = notif_da_basis(basis);
        if (!basis_text)
                basis_text = "Den forseelse, vi skrev til dig om i partshøringen";
        f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "case_id", case_id, "proposal_id", proposal,
                      "basis_text", basis_text, "rate_text", notif_da_sanction_rate(kind),
                      "amount_text", amount, "reason_text",
                      reason ? reason : "Vi har ikke fået oplysninger, der ændrer vurderingen.");
        res = notif_message_from_event(ctx,
                                       strcmp(decision, "approved") == 0
                                           ? "sanction_decision_approved"
                                           : "sanction_decision_rejected",
                                       NOTIF_TO_CITIZEN, ref, case_id, ref, f);
out:
        PQclear(r);
        json_decref(proposed);
        json_decref(f);
        jc_verrs_release(&v);
        return res;
}

jc_handle_result notif_on_akasse_report_requested(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data, *f = NULL;
        const char *report, *case_id, *ref, *akasse, *reason, *basis;
        char occurred_s[64], occurred_iso[JC_DATE_STRLEN];
        jc_date occurred;
        jc_verrs v;
        jc_handle_result res;

        jc_verrs_init(&v);
        report = jc_v_uuid(d, "data", "report_id", 1, &v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        akasse = jc_v_str(d, "data", "akasse", 1, 1, 32, &v);
        if (akasse && !valid_code(akasse))
                jc_verrs_add(&v, "data.akasse", "must be an a-kasse code (letters, digits, -)");
        reason = jc_v_str(d, "data", "reason", 1, 1, 60, &v);
        basis = jc_v_str(d, "data", "basis", 1, 1, 60, &v);
        jc_v_date(d, "data", "occurred_on", 1, &occurred, &v);
        if (jc_verrs_count(&v)) {
                res = notif_invalid(ctx, &v);
                goto out;
        }
        notif_da_date(occurred, occurred_s, sizeof(occurred_s));
        jc_date_format(occurred, occurred_iso);
        f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "case_id", case_id,
                      "report_id", report, "akasse", akasse, "citizen_ref", ref, "reason_text",
                      notif_da_akasse_reason(reason), "basis_text", notif_da_basis(basis),
                      "occurred_on", occurred_s, "reason", reason, "basis", basis,
                      "occurred_on_date", occurred_iso);
        res = notif_message_from_event(ctx, "akasse_report", NOTIF_TO_AKASSE, akasse, case_id, ref, f);
out:
        json_decref(f);
        jc_verrs_release(&v);
        return res;
}

jc_handle_result notif_on_information_requested(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data, *f = NULL;
        const char *case_id, *ref, *campaign, *theme;
        jc_verrs v;
        jc_handle_result res;

        jc_verrs_init(&v);
        jc_v_uuid(d, "data", "request_id", 1, &v);
        case_id = jc_v_uuid(d, "data", "case_id", 1, &v);
        ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        campaign = jc_v_str(d, "data", "campaign_id", 1, 1, 64, &v);
        theme = jc_v_str(d, "data", "theme", 1, 1, 40, &v);
        if (jc_verrs_count(&v)) {
                res = notif_invalid(ctx, &v);
                goto out;
        }
        f = json_pack("{s:s, s:s, s:s}", "case_id", case_id, "campaign_id", campaign, "theme_text",
                      notif_da_theme(theme));
        res = notif_message_from_event(ctx, "information_letter", NOTIF_TO_CITIZEN, ref, case_id, ref,
                                       f);
out:
        json_decref(f);
        jc_verrs_release(&v);
        return res;
}
