/*
 * The job effect of placements: of the enrolments that started and ended in
 * [from, to], per offer type, the share in employment afterwards (ended with
 * a job, the employer follow-up recorded a hire, or the case closed with
 * reason job within the rule set's window after the end).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offers.h"

/* GET /v1/reports/job-effect?from=&to=&offer_type= (to defaults to today,
 * from to a year before it) */
void offers_job_effect_report(jc_http_req *req)
{
        jc_service *svc = jc_http_service(req);
        offers_ctx *octx = svc->ctx;
        const char *type = jc_http_query(req, "offer_type");
        char from_s[JC_DATE_STRLEN], to_s[JC_DATE_STRLEN], window[16];
        const offers_rule_set *set;
        jc_date to = jc_service_today(svc), from;
        json_t *items = NULL;
        int has_from;
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (type && !offers_rules_type(&octx->rules, type))
                jc_verrs_add(&v, "offer_type", "must be an offer type of the catalogue");
        offers_query_date(req, "to", &to, &v);
        has_from = offers_query_date(req, "from", &from, &v);
        if (has_from == 0)
                from = jc_date_add_months(to, -12);
        if (has_from == 1 && jc_date_cmp(from, to) > 0)
                jc_verrs_add(&v, "from", "must not be after to");
        set = offers_rules_set_for(&octx->rules, to);
        if (!set || !set->job_effect_rule)
                jc_verrs_add(&v, "to", "no rule set in force on this date defines the job effect");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        jc_date_format(from, from_s);
        jc_date_format(to, to_s);
        snprintf(window, sizeof(window), "%d", set->job_effect_window_days);
        r = jc_pg_exec(db, "offers_job_effect", JC_PG_ARGS(from_s, to_s, window, type), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                goto out;
        }
        items = json_array();
        for (int i = 0; i < PQntuples(r); i++) {
                const offers_type *t = offers_rules_type(&octx->rules, PQgetvalue(r, i, 0));
                long ended = atol(PQgetvalue(r, i, 1)), employed = atol(PQgetvalue(r, i, 2)),
                     education = atol(PQgetvalue(r, i, 3));

                json_array_append_new(
                    items, json_pack("{s:s, s:b, s:I, s:I, s:I, s:f, s:f}", "offer_type",
                                     PQgetvalue(r, i, 0), "company_oriented",
                                     t ? t->company_oriented : 0, "ended", (json_int_t)ended,
                                     "in_employment", (json_int_t)employed, "in_education",
                                     (json_int_t)education, "employment_share",
                                     ended ? (double)employed / (double)ended : 0.0,
                                     "education_share",
                                     ended ? (double)education / (double)ended : 0.0));
        }
        PQclear(r);
        jc_http_reply_json(req, 200,
                           json_pack("{s:s, s:s, s:s, s:s, s:i, s:o}", "from", from_s, "to", to_s,
                                     "rule_set", set->id, "rule", set->job_effect_rule,
                                     "window_days", set->job_effect_window_days, "items", items));
        items = NULL;
out:
        json_decref(items);
        jc_verrs_release(&v);
}
