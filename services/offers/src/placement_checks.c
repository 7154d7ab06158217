/*
 * What must hold before a citizen takes a place (new or extended):
 *   - the offer has a free place on every day of the period (capacity);
 *   - no two full-time offers of the case overlap;
 *   - a citizen covered by the work obligation has at most the ceiling's
 *     hours a week (R68/R69).
 * The rules come from every rule set in force during the period, so a
 * placement running into 2025 meets the 2025 ceiling from 1 January.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offers.h"

int offers_work_duty_covered(const offers_rule_set *set, const char *target_group, int work_duty)
{
        if (!set || !set->work_duty_rule)
                return 0;
        if (work_duty >= 0)
                return work_duty;
        for (size_t i = 0; i < set->nwork_duty_groups; i++)
                if (strcmp(set->work_duty_groups[i], target_group) == 0)
                        return 1;
        return 0;
}

static int peak(PGconn *db, const char *stmt, const char *id, jc_date from, jc_date to,
                const char *self, long *out, jc_pg_err *e)
{
        char f[JC_DATE_STRLEN], t[JC_DATE_STRLEN];
        PGresult *r;

        jc_date_format(from, f);
        jc_date_format(to, t);
        r = jc_pg_exec(db, stmt, JC_PG_ARGS(id, f, t, self), e);
        if (!r)
                return -1;
        *out = atol(PQgetvalue(r, 0, 0));
        PQclear(r);
        return 0;
}

/* The rules of one rule set over [from, to]. */
static offers_check_result check_segment(PGconn *db, const offers_rule_set *set,
                                         const offers_placement *p, jc_date from, jc_date to,
                                         offers_check_detail *d, jc_pg_err *e)
{
        char f[JC_DATE_STRLEN], t[JC_DATE_STRLEN], thr[16];
        long hours = 0;
        PGresult *r;

        if (set->full_time_rule && p->hours >= set->full_time_from_hours) {
                jc_date_format(from, f);
                jc_date_format(to, t);
                snprintf(thr, sizeof(thr), "%d", set->full_time_from_hours);
                r = jc_pg_exec(db, "offers_full_time_overlap",
                               JC_PG_ARGS(p->case_id, f, t, p->self, thr), e);
                if (!r)
                        return OFFERS_CHECK_ERROR;
                if (PQntuples(r) > 0) {
                        snprintf(d->other_enrolment_id, sizeof(d->other_enrolment_id), "%s",
                                 PQgetvalue(r, 0, 0));
                        d->rule_set = set->id;
                        d->rule = set->full_time_rule;
                        PQclear(r);
                        return OFFERS_CHECK_OVERLAP;
                }
                PQclear(r);
        }
        if (p->counts_work_duty && offers_work_duty_covered(set, p->target_group, p->work_duty)) {
                if (peak(db, "offers_hours_peak", p->case_id, from, to, p->self, &hours, e) != 0)
                        return OFFERS_CHECK_ERROR;
                if (hours + p->hours > set->work_duty_max_hours) {
                        d->hours_at_peak = (int)hours + p->hours;
                        d->ceiling = set->work_duty_max_hours;
                        d->rule_set = set->id;
                        d->rule = set->work_duty_rule;
                        return OFFERS_CHECK_CEILING;
                }
        }
        return OFFERS_CHECK_OK;
}

offers_check_result offers_placement_check(jc_service *svc, PGconn *db, const offers_placement *p,
                                           offers_check_detail *d, jc_pg_err *e)
{
        offers_ctx *octx = svc->ctx;
        const offers_rulebook *rules = &octx->rules;
        long places = 0;

        memset(d, 0, sizeof(*d));
        d->capacity = p->capacity;
        if (peak(db, "offers_places_peak", p->offer_id, p->from, p->to, p->self, &places, e) != 0)
                return OFFERS_CHECK_ERROR;
        if (places >= p->capacity)
                return OFFERS_CHECK_FULL;
        for (size_t i = 0; i < rules->nsets; i++) {
                const offers_rule_set *set = &rules->sets[i];
                jc_date from = p->from, to = p->to;
                offers_check_result res;

                if (jc_date_cmp(set->valid_from, from) > 0)
                        from = set->valid_from;
                if (i + 1 < rules->nsets) {
                        jc_date last = jc_date_add_days(rules->sets[i + 1].valid_from, -1);

                        if (jc_date_cmp(last, to) < 0)
                                to = last;
                }
                if (jc_date_cmp(from, to) > 0)
                        continue;
                res = check_segment(db, set, p, from, to, d, e);
                if (res != OFFERS_CHECK_OK)
                        return res;
        }
        return OFFERS_CHECK_OK;
}

void offers_reply_check_failure(jc_http_req *req, offers_check_result res,
                                const offers_check_detail *d)
{
        char detail[256];

        switch (res) {
        case OFFERS_CHECK_FULL:
                snprintf(detail, sizeof(detail),
                         "all %d places of the offer are taken on a day of the period", d->capacity);
                jc_http_reply_problem(req, 409, "offer-full", "No free place on the offer", detail,
                                      json_pack("[{s:s, s:s, s:s}]", "field", "offer_id", "pointer",
                                                "#/offer_id", "message",
                                                "has no free place in the period"));
                return;
        case OFFERS_CHECK_OVERLAP:
                snprintf(detail, sizeof(detail),
                         "full-time enrolment %s overlaps the period (rule %s, %s)",
                         d->other_enrolment_id, d->rule, d->rule_set);
                jc_http_reply_problem(
                    req, 409, "overlapping-offer", "Overlapping full-time offers", detail,
                    json_pack("[{s:s, s:s, s:s, s:s}]", "field", "planned_start", "pointer",
                              "#/planned_start", "message",
                              "the period overlaps another full-time offer of the case",
                              "enrolment_id", d->other_enrolment_id));
                return;
        case OFFERS_CHECK_CEILING:
                snprintf(detail, sizeof(detail),
                         "the citizen would have %d hours a week; the work obligation allows at most %d (rule %s, %s)",
                         d->hours_at_peak, d->ceiling, d->rule, d->rule_set);
                jc_http_reply_problem(req, 409, "work-duty-ceiling", "Work-duty ceiling exceeded",
                                      detail,
                                      json_pack("[{s:s, s:s, s:s}]", "field", "hours_per_week",
                                                "pointer", "#/hours_per_week", "message",
                                                "exceeds the weekly hours the work obligation allows"));
                return;
        case OFFERS_CHECK_OK:
        case OFFERS_CHECK_ERROR:
                break;
        }
        jc_http_reply_problem(req, 500, "internal", "Internal error",
                              "the request could not be completed", NULL);
}
