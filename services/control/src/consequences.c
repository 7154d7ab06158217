/*
 * What a no-show without lawful reason (or a failed availability assessment)
 * leads to, by the rules in force on the day: a municipal sanction proposal
 * (kontanthjælp, uddannelseshjælp, selvforsørgelses- og hjemrejseydelse,
 * R54-R56), a report to the a-kasse for insured unemployed (R59-R61, R63), or
 * a caseworker's manual assessment (R57). And the availability course after
 * repeated doubts (R60).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "jc/log.h"

/* The case's benefit basis (whole DKK, -1 when none), a-kasse code ("" when
 * none) and caseworker (""). */
typedef struct case_facts {
        long long monthly_dkk;
        char akasse[40];
        char caseworker_id[64];
} case_facts;

static int case_facts_get(PGconn *db, const char *case_id, case_facts *f, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "ctl_case_basis", JC_PG_ARGS(case_id), e);

        if (!r)
                return -1;
        memset(f, 0, sizeof(*f));
        f->monthly_dkk = -1;
        if (PQntuples(r) == 1) {
                if (!PQgetisnull(r, 0, 0))
                        f->monthly_dkk = atoll(PQgetvalue(r, 0, 0));
                if (!PQgetisnull(r, 0, 1))
                        snprintf(f->akasse, sizeof(f->akasse), "%s", PQgetvalue(r, 0, 1));
                if (!PQgetisnull(r, 0, 2))
                        snprintf(f->caseworker_id, sizeof(f->caseworker_id), "%s",
                                 PQgetvalue(r, 0, 2));
        }
        PQclear(r);
        return 0;
}

static int new_id(char id[JC_UUID_STRLEN], jc_pg_err *e)
{
        if (jc_uuid_v4(id) != 0) {
                jc_pg_err_set(e, 1, "could not generate an id: kernel RNG failed");
                return -1;
        }
        return 0;
}

int ctl_proposal_publish(jc_service *svc, PGconn *db, const char *proposal_id,
                         long long monthly_dkk, jc_pg_err *e)
{
        ctl_ctx *ctx = svc->ctx;
        char today_s[JC_DATE_STRLEN], deadline[JC_DATE_STRLEN], rate[24], monthly[24];
        jc_date today = jc_service_today(svc), occurred;
        ctl_rate rt;
        case_facts cf;
        json_t *d;
        PGresult *p, *r;
        int rc = -1;

        p = jc_pg_exec(db, "ctl_proposal_get", JC_PG_ARGS(proposal_id), e);
        if (!p)
                return -1;
        if (PQntuples(p) != 1) {
                PQclear(p);
                jc_pg_err_set(e, 0, "sanction proposal %s does not exist", proposal_id);
                return -1;
        }
        jc_date_parse(PQgetvalue(p, 0, 9), &occurred);
        if (ctl_rules_rate(ctx, occurred, monthly_dkk, &rt) != 0) {
                PQclear(p);
                return 1;
        }
        if (case_facts_get(db, PQgetvalue(p, 0, 1), &cf, e) != 0)
                goto out;
        jc_date_format(today, today_s);
        jc_date_format(jc_date_add_days(today, (int32_t)ctl_rules_hearing_days(ctx, today)),
                       deadline);
        snprintf(rate, sizeof(rate), "%ld", rt.rate_dkk);
        snprintf(monthly, sizeof(monthly), "%lld", monthly_dkk);
        r = jc_pg_exec(db, "ctl_proposal_start_hearing",
                       JC_PG_ARGS(proposal_id, rt.kind, rate, monthly, rt.rule_set,
                                  rt.effective_from, today_s, deadline),
                       e);
        if (!r)
                goto out;
        d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:I, s:i, s:s}, s:s, s:s}",
                      "proposal_id", proposal_id, "case_id", PQgetvalue(p, 0, 1), "citizen_ref",
                      PQgetvalue(p, 0, 2), "target_group", PQgetvalue(p, 0, 3), "kind", rt.kind,
                      "basis", PQgetvalue(p, 0, 4), "source_event_id", PQgetvalue(p, 0, 6),
                      "occurred_on", PQgetvalue(p, 0, 9), "amount_basis", "monthly_benefit_dkk",
                      (json_int_t)monthly_dkk, "rate_dkk", (int)rt.rate_dkk,
                      "rates_effective_from", rt.effective_from, "hearing_deadline", deadline,
                      "proposed_at", PQgetvalue(r, 0, 0));
        PQclear(r);
        if (d && !PQgetisnull(p, 0, 7))
                json_object_set_new(d, "meeting_id", json_string(PQgetvalue(p, 0, 7)));
        if (d && !PQgetisnull(p, 0, 8))
                json_object_set_new(d, "enrolment_id", json_string(PQgetvalue(p, 0, 8)));
        if (d && cf.caseworker_id[0])
                json_object_set_new(d, "caseworker_id", json_string(cf.caseworker_id));
        if (ctl_emit(svc, db, PQgetvalue(p, 0, 1), "sanction.proposed.v1", d, e) != 0)
                goto out;
        jc_log_write(JC_LOG_INFO, JC_KV({"proposal_id", proposal_id}, {"kind", rt.kind}),
                     "sanction proposed, hearing until %s", deadline);
        rc = 0;
out:
        PQclear(p);
        return rc;
}

int ctl_proposal_open(jc_service *svc, PGconn *db, const ctl_occurrence *o,
                      char proposal_id[JC_UUID_STRLEN], jc_pg_err *e)
{
        char on[JC_DATE_STRLEN];
        case_facts cf;
        PGresult *r;
        int rc;

        proposal_id[0] = '\0';
        if (case_facts_get(db, o->case_id, &cf, e) != 0 || new_id(proposal_id, e) != 0)
                return -1;
        jc_date_format(o->occurred_on, on);
        r = jc_pg_exec(db, "ctl_proposal_insert",
                       JC_PG_ARGS(proposal_id, o->case_id, o->citizen_ref, o->target_group,
                                  o->basis, o->source_id, o->source_event_id, o->meeting_id,
                                  o->enrolment_id, on),
                       e);
        if (!r)
                return -1;
        if (PQntuples(r) == 0) { /* proposed before for the same occurrence */
                PQclear(r);
                proposal_id[0] = '\0';
                return 0;
        }
        PQclear(r);
        if (cf.monthly_dkk < 0) {
                jc_log_write(JC_LOG_INFO, JC_KV({"proposal_id", proposal_id}),
                             "sanction proposal awaits the case's benefit basis");
                return 0;
        }
        rc = ctl_proposal_publish(svc, db, proposal_id, cf.monthly_dkk, e);
        if (rc == 1) /* no rate in force on the day: a caseworker looks at it */
                jc_log_write(JC_LOG_WARN, JC_KV({"proposal_id", proposal_id}),
                             "no sanction rates are in force on %s; the proposal waits", on);
        return rc < 0 ? -1 : 0;
}

static const char *report_reason(const char *basis)
{
        if (strcmp(basis, "meeting_no_show") == 0)
                return "no_show_without_lawful_reason";
        if (strcmp(basis, "offer_attendance_missed") == 0)
                return "offer_absence_without_lawful_reason";
        return "availability_doubt";
}

int ctl_akasse_report_emit(jc_service *svc, PGconn *db, const char *report_id, jc_pg_err *e)
{
        case_facts cf;
        json_t *d;
        PGresult *r = jc_pg_exec(db, "ctl_akasse_report_mark", JC_PG_ARGS(report_id), e);
        int rc = -1;

        if (!r)
                return -1;
        if (PQntuples(r) != 1) {
                PQclear(r);
                jc_pg_err_set(e, 0, "a-kasse report %s cannot be requested", report_id);
                return -1;
        }
        if (case_facts_get(db, PQgetvalue(r, 0, 1), &cf, e) != 0)
                goto out;
        d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "report_id", report_id,
                      "case_id", PQgetvalue(r, 0, 1), "citizen_ref", PQgetvalue(r, 0, 2), "akasse",
                      PQgetvalue(r, 0, 3), "reason", report_reason(PQgetvalue(r, 0, 4)), "basis",
                      PQgetvalue(r, 0, 4), "occurred_on", PQgetvalue(r, 0, 5), "source_event_id",
                      PQgetvalue(r, 0, 6), "requested_at", PQgetvalue(r, 0, 9));
        if (d && !PQgetisnull(r, 0, 7))
                json_object_set_new(d, "meeting_id", json_string(PQgetvalue(r, 0, 7)));
        if (d && !PQgetisnull(r, 0, 8))
                json_object_set_new(d, "enrolment_id", json_string(PQgetvalue(r, 0, 8)));
        if (d && cf.caseworker_id[0])
                json_object_set_new(d, "caseworker_id", json_string(cf.caseworker_id));
        if (ctl_emit(svc, db, PQgetvalue(r, 0, 1), "akasse.report_requested.v1", d, e) != 0)
                goto out;
        jc_log_write(JC_LOG_INFO, JC_KV({"report_id", report_id}, {"akasse", PQgetvalue(r, 0, 3)}),
                     "a-kasse report requested");
        rc = 0;
out:
        PQclear(r);
        return rc;
}

int ctl_akasse_report(jc_service *svc, PGconn *db, const ctl_occurrence *o,
                      char report_id[JC_UUID_STRLEN], jc_pg_err *e)
{
        char on[JC_DATE_STRLEN];
        case_facts cf;
        PGresult *r;

        report_id[0] = '\0';
        if (case_facts_get(db, o->case_id, &cf, e) != 0 || new_id(report_id, e) != 0)
                return -1;
        jc_date_format(o->occurred_on, on);
        r = jc_pg_exec(db, "ctl_akasse_report_insert",
                       JC_PG_ARGS(report_id, o->case_id, o->citizen_ref,
                                  cf.akasse[0] ? cf.akasse : NULL, o->basis, o->source_id,
                                  o->source_event_id, o->meeting_id, o->enrolment_id, on),
                       e);
        if (!r)
                return -1;
        if (PQntuples(r) == 0) {
                PQclear(r);
                report_id[0] = '\0';
                return 0;
        }
        PQclear(r);
        if (!cf.akasse[0]) { /* not handed over by an a-kasse: a caseworker names it */
                jc_log_write(JC_LOG_INFO, JC_KV({"report_id", report_id}),
                             "a-kasse report awaits the citizen's a-kasse");
                return 0;
        }
        return ctl_akasse_report_emit(svc, db, report_id, e);
}

int ctl_consequence_apply(jc_service *svc, PGconn *db, const ctl_occurrence *o,
                          ctl_consequence *applied, char proposal_id[JC_UUID_STRLEN],
                          char report_id[JC_UUID_STRLEN], jc_pg_err *e)
{
        proposal_id[0] = report_id[0] = '\0';
        *applied = ctl_rules_consequence(svc->ctx, o->target_group, o->occurred_on, NULL);
        switch (*applied) {
        case CTL_MUNICIPAL_SANCTION:
                return ctl_proposal_open(svc, db, o, proposal_id, e);
        case CTL_AKASSE_REPORT:
                return ctl_akasse_report(svc, db, o, report_id, e);
        case CTL_MANUAL_ASSESSMENT:
                break;
        }
        return 0;
}

/* Starts the course when the uncounted doubts reach the rule's count. */
static int maybe_start_course(jc_service *svc, PGconn *db, const char *case_id,
                              const char *citizen_ref, const char *target_group, jc_date on,
                              char course_id[JC_UUID_STRLEN], jc_pg_err *e)
{
        ctl_availability_rule rule;
        char day[JC_DATE_STRLEN], window[24], due[JC_DATE_STRLEN], every[24], n[24];
        jc_date today = jc_service_today(svc);
        case_facts cf;
        long doubts;
        json_t *d;
        PGresult *r;

        if (ctl_rules_availability(svc->ctx, target_group, on, &rule) != 0)
                return 0; /* the group need not be available for work */
        jc_date_format(on, day);
        snprintf(window, sizeof(window), "%ld", rule.window_days);
        r = jc_pg_exec(db, "ctl_doubts_uncounted", JC_PG_ARGS(case_id, day, window), e);
        if (!r)
                return -1;
        doubts = atol(PQgetvalue(r, 0, 0));
        PQclear(r);
        if (doubts < rule.doubts)
                return 0;
        if (new_id(course_id, e) != 0 || case_facts_get(db, case_id, &cf, e) != 0)
                return -1;
        jc_date_format(today, day);
        jc_date_format(jc_date_add_days(today, (int32_t)rule.assessment_after_days), due);
        snprintf(every, sizeof(every), "%ld", rule.contact_every_days);
        snprintf(n, sizeof(n), "%ld", doubts);
        r = jc_pg_exec(db, "ctl_course_insert",
                       JC_PG_ARGS(course_id, case_id, citizen_ref, target_group, rule.rule_set, day,
                                  every, window, due, n),
                       e);
        if (!r)
                return -1;
        if (PQntuples(r) == 0) { /* one is open already */
                PQclear(r);
                course_id[0] = '\0';
                return 0;
        }
        PQclear(r);
        r = jc_pg_exec(db, "ctl_doubts_link", JC_PG_ARGS(case_id, course_id), e);
        if (!r)
                return -1;
        PQclear(r);
        d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i}", "course_id", course_id,
                      "case_id", case_id, "citizen_ref", citizen_ref, "target_group", target_group,
                      "started_on", day, "assessment_due", due, "doubts", (int)doubts,
                      "window_days", (int)rule.window_days, "contact_every_days",
                      (int)rule.contact_every_days);
        if (d && cf.caseworker_id[0])
                json_object_set_new(d, "caseworker_id", json_string(cf.caseworker_id));
        if (ctl_emit(svc, db, case_id, "availability.course_started.v1", d, e) != 0)
                return -1;
        jc_log_write(JC_LOG_INFO, JC_KV({"course_id", course_id}), "availability course started");
        return 0;
}

int ctl_availability_doubt(jc_service *svc, PGconn *db, const char *case_id, jc_date observed_on,
                           const char *source, const char *source_id, const char *note,
                           const char *recorded_by, char course_id[JC_UUID_STRLEN], jc_pg_err *e)
{
        char on[JC_DATE_STRLEN], citizen_ref[JC_UUID_STRLEN], group[64];
        ctl_availability_rule rule;
        PGresult *r;
        int open;

        course_id[0] = '\0';
        r = jc_pg_exec(db, "ctl_case_get", JC_PG_ARGS(case_id), e);
        if (!r)
                return -1;
        if (PQntuples(r) == 0) {
                PQclear(r);
                jc_pg_err_set(e, 0, "case %s is not known to control", case_id);
                return -1;
        }
        snprintf(citizen_ref, sizeof(citizen_ref), "%s", PQgetvalue(r, 0, 1));
        snprintf(group, sizeof(group), "%s", PQgetvalue(r, 0, 2));
        open = strcmp(PQgetvalue(r, 0, 3), "open") == 0;
        PQclear(r);
        if (ctl_rules_availability(svc->ctx, group, observed_on, &rule) != 0)
                return 1; /* the group has no duty to be available: nothing to record */
        jc_date_format(observed_on, on);
        r = jc_pg_exec(db, "ctl_doubt_insert",
                       JC_PG_ARGS(case_id, on, source, source_id, note, recorded_by), e);
        if (!r)
                return -1;
        if (PQntuples(r) == 0 || !open) { /* recorded before, or the case is closed */
                PQclear(r);
                return 0;
        }
        PQclear(r);
        return maybe_start_course(svc, db, case_id, citizen_ref, group, observed_on, course_id, e);
}
