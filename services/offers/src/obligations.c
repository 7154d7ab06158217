/*
 * Offer obligations from the rules: created when a case's clock starts
 * (case opened, target group changed), fulfilled when an offer of a
 * listed type starts. Warnings and misses are the sweep's (sweep.c).
 */
#include <stdio.h>
#include <string.h>

#include "jc/buf.h"
#include "jc/log.h"
#include "offers.h"

/* The rule's offer types as "a,b,c" (the statement splits it). Returns 0,
 * or -1 when out of memory. */
static int satisfied_list(const offers_deadline_rule *rule, jc_buf *out)
{
        jc_buf_reset(out);
        for (size_t i = 0; i < rule->nsatisfied; i++)
                if (jc_buf_appendf(out, "%s%s", i ? "," : "", rule->satisfied_by[i]) != 0)
                        return -1;
        return 0;
}

void offers_obligation_plan_release(offers_obligation_plan *plan)
{
        jc_buf_release(&plan->kinds);
        jc_buf_release(&plan->rules);
        jc_buf_release(&plan->dues);
        jc_buf_release(&plan->warns);
        jc_buf_release(&plan->sats);
        jc_buf_release(&plan->mins);
}

int offers_obligations_plan(jc_service *svc, const char *group, jc_date base,
                            offers_trigger trigger, offers_obligation_plan *plan, jc_pg_err *e)
{
        offers_ctx *octx = svc->ctx;
        const offers_rule_set *set = offers_rules_set_for(&octx->rules, base);
        jc_buf sat = JC_BUF_INIT;
        char base_s[JC_DATE_STRLEN];
        int rc = -1;

        memset(plan, 0, sizeof(*plan));
        plan->kinds = plan->rules = plan->dues = (jc_buf)JC_BUF_INIT;
        plan->warns = plan->sats = plan->mins = (jc_buf)JC_BUF_INIT;
        if (!set) {
                jc_date_format(base, base_s);
                jc_log_write(JC_LOG_INFO, JC_KV({"start_date", base_s}),
                             "no offer rule set is in force on the case's start date: no obligations");
        }
        for (size_t i = 0; set && i < set->ndeadlines; i++) {
                const offers_deadline_rule *rule = &set->deadlines[i];
                char due_s[JC_DATE_STRLEN], warn_s[JC_DATE_STRLEN], min_s[16];
                jc_date due, warn;

                if (!offers_rule_applies(rule, group) ||
                    (trigger == OFFERS_ON_CASE_OPENED && !rule->on_case_opened) ||
                    (trigger == OFFERS_ON_GROUP_CHANGED && !rule->on_group_changed))
                        continue;
                due = offers_period_after(&svc->calendar, base, &rule->due);
                warn = offers_period_before(&svc->calendar, due, &rule->warn);
                if (jc_date_cmp(warn, base) < 0)
                        warn = base;
                jc_date_format(due, due_s);
                jc_date_format(warn, warn_s);
                snprintf(min_s, sizeof(min_s), "%d", rule->min_duration_days);
                if (satisfied_list(rule, &sat) != 0) {
                        jc_pg_err_set(e, 0, "out of memory listing the offer types of rule %s",
                                      rule->id);
                        goto out;
                }
                jc_pg_array_add(&plan->kinds, rule->obligation);
                jc_pg_array_add(&plan->rules, rule->id);
                jc_pg_array_add(&plan->dues, due_s);
                jc_pg_array_add(&plan->warns, warn_s);
                jc_pg_array_add(&plan->sats, sat.data);
                jc_pg_array_add(&plan->mins, min_s);
                plan->n++;
        }
        plan->rule_set = set ? set->id : NULL;
        jc_pg_array_end(&plan->kinds);
        jc_pg_array_end(&plan->rules);
        jc_pg_array_end(&plan->dues);
        jc_pg_array_end(&plan->warns);
        jc_pg_array_end(&plan->sats);
        jc_pg_array_end(&plan->mins);
        rc = 0;
out:
        jc_buf_release(&sat);
        if (rc != 0)
                offers_obligation_plan_release(plan);
        return rc;
}

int offers_obligations_create(jc_service *svc, PGconn *db, const char *case_id, const char *group,
                              jc_date base, offers_trigger trigger, jc_pg_err *e)
{
        offers_obligation_plan plan;
        char base_s[JC_DATE_STRLEN];
        PGresult *r = NULL;
        int rc = -1;

        if (offers_obligations_plan(svc, group, base, trigger, &plan, e) != 0)
                return -1;
        jc_date_format(base, base_s);
        if (plan.n > 0) {
                r = jc_pg_exec(db, "offers_obligations_insert",
                               JC_PG_ARGS(case_id, plan.rule_set, base_s, plan.kinds.data,
                                          plan.rules.data, plan.dues.data, plan.warns.data,
                                          plan.sats.data, plan.mins.data),
                               e);
                if (!r)
                        goto out;
                PQclear(r);
                r = NULL;
        }
        if (trigger == OFFERS_ON_GROUP_CHANGED) {
                r = jc_pg_exec(db, "offers_obligations_fulfil_running", JC_PG_ARGS(case_id), e);
                if (!r)
                        goto out;
        }
        rc = 0;
out:
        PQclear(r);
        offers_obligation_plan_release(&plan);
        return rc;
}

int offers_obligations_fulfil(PGconn *db, const char *case_id, const char *enrolment_id,
                              const char *offer_type, jc_date started_on, int duration_days,
                              json_t *fulfilled, jc_pg_err *e)
{
        char on[JC_DATE_STRLEN], dur[16];
        PGresult *r;

        jc_date_format(started_on, on);
        snprintf(dur, sizeof(dur), "%d", duration_days);
        r = jc_pg_exec(db, "offers_obligations_fulfil",
                       JC_PG_ARGS(case_id, enrolment_id, offer_type, on, dur), e);
        if (!r)
                return -1;
        for (int i = 0; fulfilled && i < PQntuples(r); i++)
                json_array_append_new(fulfilled, json_string(PQgetvalue(r, i, 0)));
        PQclear(r);
        return 0;
}
