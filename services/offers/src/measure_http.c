/*
 * STAR's active-offer measure (R77, R78): of the cases with six months'
 * seniority on as_of, the share that never had an active offer; a breach
 * above the threshold (20%) when the population is large enough; the cases
 * behind it; and the projection 4 and 8 weeks ahead counting planned offers.
 * The definition (seniority, threshold, minimum population) is the rule set
 * in force on as_of.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/vocab.h"
#include "offers.h"

/* {as_of, cohort, without_active_offer, share, breach} (new reference). */
static json_t *figure(const offers_rule_set *set, jc_date on, long cohort, long without)
{
        char on_s[JC_DATE_STRLEN];
        double share = cohort ? (double)without / (double)cohort : 0.0;
        int counted = cohort >= set->measure_min_population;

        jc_date_format(on, on_s);
        return json_pack("{s:s, s:I, s:I, s:f, s:b, s:b}", "as_of", on_s, "cohort",
                         (json_int_t)cohort, "without_active_offer", (json_int_t)without, "share",
                         share, "breach", counted && share > set->measure_threshold,
                         "population_sufficient", counted);
}

/* GET /v1/measures/active-offer?target_group=a-dagpenge&as_of=&limit=&cursor= */
void offers_measure_active_offer(jc_http_req *req)
{
        jc_service *svc = jc_http_service(req);
        offers_ctx *octx = svc->ctx;
        const char *group = jc_http_query(req, "target_group");
        char key[16], after[JC_UUID_STRLEN], as_s[JC_DATE_STRLEN], f4_s[JC_DATE_STRLEN],
            f8_s[JC_DATE_STRLEN], months[8], lim[24];
        const offers_rule_set *set;
        json_t *cases = NULL, *out = NULL, *proj;
        jc_date as_of = jc_service_today(svc), cursor_date, f4, f8;
        long limit, n[6];
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (!group)
                group = "a-dagpenge";
        if (!jc_vocab_has(jc_target_groups, group))
                jc_verrs_add(&v, "target_group", "must be a target group");
        offers_query_date(req, "as_of", &as_of, &v);
        offers_query_limit(req, 100, 1000, &limit, &v);
        offers_query_cursor(req, key, sizeof(key), after, &v);
        if (key[0] && jc_date_parse(key, &cursor_date) != 0)
                jc_verrs_add(&v, "cursor", "is not a cursor this API returned");
        set = offers_rules_set_for(&octx->rules, as_of);
        if (!set || !set->measure_rule)
                jc_verrs_add(&v, "as_of", "no rule set in force on this date defines the measure");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        f4 = jc_date_add_weeks(as_of, 4);
        f8 = jc_date_add_weeks(as_of, 8);
        jc_date_format(as_of, as_s);
        jc_date_format(f4, f4_s);
        jc_date_format(f8, f8_s);
        snprintf(months, sizeof(months), "%d", set->measure_seniority_months);
        snprintf(lim, sizeof(lim), "%ld", limit + 1);
        /* One snapshot for the figures and the list. */
        if (jc_pg_cmd(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", &e) != 0)
                goto db_error;
        r = jc_pg_exec(db, "offers_measure_custom_plans", 0, NULL, &e);
        if (!r)
                goto db_error;
        PQclear(r);
        r = jc_pg_exec(db, "offers_measure_counts", JC_PG_ARGS(group, months, f8_s, as_s, f4_s), &e);
        if (!r)
                goto db_error;
        for (int i = 0; i < 6; i++)
                n[i] = atol(PQgetvalue(r, 0, i));
        PQclear(r);
        r = jc_pg_exec(db, "offers_measure_list",
                       JC_PG_ARGS(group, months, as_s, key[0] ? key : NULL, key[0] ? after : NULL, lim),
                       &e);
        if (!r)
                goto db_error;
        jc_pg_rollback(db);
        cases = json_array();
        for (int i = 0; i < PQntuples(r) && i < limit; i++)
                json_array_append_new(cases, json_loads(PQgetvalue(r, i, 0), 0, NULL));
        out = figure(set, as_of, n[0], n[1]);
        proj = json_pack("[{s:i, s:o}, {s:i, s:o}]", "weeks_ahead", 4, "figure",
                         figure(set, f4, n[2], n[3]), "weeks_ahead", 8, "figure",
                         figure(set, f8, n[4], n[5]));
        if (!out || !proj) {
                json_decref(proj);
                PQclear(r);
                jc_pg_err_set(&e, 0, "out of memory building the measure");
                goto db_error;
        }
        json_object_set_new(out, "measure", json_string("active-offer"));
        json_object_set_new(out, "target_group", json_string(group));
        json_object_set_new(out, "rule_set", json_string(set->id));
        json_object_set_new(out, "rule", json_string(set->measure_rule));
        json_object_set_new(out, "seniority_months", json_integer(set->measure_seniority_months));
        json_object_set_new(out, "threshold", json_real(set->measure_threshold));
        json_object_set_new(out, "min_population", json_integer(set->measure_min_population));
        json_object_set_new(out, "projection", proj);
        json_object_set_new(out, "cases", cases);
        cases = NULL;
        json_object_set_new(out, "next_cursor",
                            PQntuples(r) > limit ? json_string(PQgetvalue(r, (int)limit - 1, 1))
                                                 : json_null());
        PQclear(r);
        jc_http_reply_json(req, 200, out);
        out = NULL;
        goto out;
db_error:
        offers_db_fail(req, db, &e);
out:
        json_decref(out);
        json_decref(cases);
        jc_verrs_release(&v);
}
