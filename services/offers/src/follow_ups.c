/*
 * Employer follow-ups (R24, R25): every company-oriented placement gets a
 * task the rule set's lead time (working days) before it ends.
 */
#include <stdio.h>

#include "offers.h"

int offers_follow_up_create(jc_service *svc, PGconn *db, const char *enrolment_id,
                            const char *case_id, jc_date planned_start, jc_date planned_end,
                            jc_pg_err *e)
{
        offers_ctx *octx = svc->ctx;
        const offers_rule_set *set = offers_rules_set_for(&octx->rules, planned_start);
        char due_s[JC_DATE_STRLEN], end_s[JC_DATE_STRLEN];
        jc_date due;
        PGresult *r;

        if (!set || !set->follow_up_rule)
                return 0;
        due = jc_calendar_add_working_days(&svc->calendar, planned_end,
                                           -set->follow_up_lead_working_days);
        due = jc_calendar_prev_working_day(&svc->calendar, due);
        /* A placement shorter than the lead time is followed up as it starts. */
        if (jc_date_cmp(due, planned_start) < 0)
                due = planned_start;
        jc_date_format(due, due_s);
        jc_date_format(planned_end, end_s);
        r = jc_pg_exec(db, "offers_follow_up_insert", JC_PG_ARGS(enrolment_id, case_id, due_s, end_s),
                       e);
        if (!r)
                return -1;
        PQclear(r);
        return 0;
}
