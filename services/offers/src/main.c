/*
 * offers: the offer catalogue, providers and their places, enrolments of
 * citizens in offers, the offer deadlines (six-month rule, youth, immediate
 * activation), the weekly review list, employer follow-ups, the job-effect
 * report and STAR's active-offer measure.
 *
 * Handlers: providers_http.c, offers_http.c, enrolments_http.c,
 * enrolment_lifecycle_http.c, cases_http.c (case view, work duty,
 * obligations), review_http.c, follow_ups_http.c, report_http.c,
 * measure_http.c (HTTP; POST /v1/admin/sweep comes with .sweep);
 * case_events.c, meeting_events.c (consumed events). Logic: rules.c + deadlines.c (the rulebook),
 * obligations.c, placement_checks.c, enrolment_store.c, follow_ups.c,
 * sweep.c. SQL: ../sql/ and stmts.c. Rules: ../rules/offer_rules.json.
 * Tests: tests/offers/, tests/unit/test_offers_deadlines.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "jc/config.h"
#include "jc/log.h"
#include "offers.h"

extern const jc_embedded_file offers_migrations[];

static const jc_http_route offers_routes[] = {
        /* catalogue, providers, offers */
        {"GET", "/v1/offer-types", "caseworker|admin", offers_types_list, "offer_type_list"},
        {"POST", "/v1/providers", "caseworker|admin", offers_provider_create, "provider_create"},
        {"GET", "/v1/providers", "caseworker|admin", offers_provider_list, "provider_list"},
        {"POST", "/v1/offers", "caseworker|admin", offers_offer_create, "offer_create"},
        {"GET", "/v1/offers", "caseworker|admin", offers_offer_list, "offer_list"},
        {"GET", "/v1/offers/{offer_id}", "caseworker|admin", offers_offer_get, "offer_get"},
        /* cases */
        {"GET", "/v1/cases/{case_id}", "caseworker|admin", offers_case_get, "case_get"},
        {"PUT", "/v1/cases/{case_id}/work-duty", "caseworker", offers_work_duty_set,
         "work_duty_set"},
        {"GET", "/v1/cases/{case_id}/obligations", "caseworker|admin", offers_obligation_list,
         "obligation_list"},
        {"POST", "/v1/cases/{case_id}/enrolments", "caseworker", offers_enrolment_create,
         "enrolment_create"},
        {"GET", "/v1/cases/{case_id}/enrolments", "caseworker|admin", offers_enrolment_list,
         "enrolment_list"},
        /* enrolments */
        {"GET", "/v1/enrolments/{enrolment_id}", "caseworker|admin", offers_enrolment_get,
         "enrolment_get"},
        {"POST", "/v1/enrolments/{enrolment_id}/start", "caseworker", offers_enrolment_start,
         "enrolment_start"},
        {"POST", "/v1/enrolments/{enrolment_id}/attendance", "caseworker", offers_attendance_record,
         "attendance_record"},
        {"POST", "/v1/enrolments/{enrolment_id}/end", "caseworker", offers_enrolment_end,
         "enrolment_end"},
        /* the Friday review, employer follow-ups, reports, the measure */
        {"GET", "/v1/caseworkers/{caseworker_id}/review-list", "caseworker|admin",
         offers_review_list, "review_list"},
        {"GET", "/v1/follow-ups", "caseworker|admin", offers_follow_up_list, "follow_up_list"},
        {"POST", "/v1/follow-ups/{follow_up_id}/result", "caseworker", offers_follow_up_result,
         "follow_up_result"},
        {"GET", "/v1/reports/job-effect", "caseworker|admin", offers_job_effect_report,
         "job_effect_report"},
        {"GET", "/v1/measures/active-offer", "caseworker|admin", offers_measure_active_offer,
         "measure_active_offer"},
        {NULL, NULL, NULL, NULL, NULL},
};

static const char *const offers_topics[] = {OFFERS_CASE_TOPIC, OFFERS_MEETING_TOPIC, NULL};

static const jc_event_handler offers_handlers[] = {
        {OFFERS_CASE_TOPIC, "case.opened.v1", offers_on_case_opened},
        {OFFERS_CASE_TOPIC, "case.caseworker_assigned.v1", offers_on_caseworker_assigned},
        {OFFERS_CASE_TOPIC, "case.target_group_changed.v1", offers_on_target_group_changed},
        {OFFERS_CASE_TOPIC, "case.visitation_changed.v1", offers_on_visitation_changed},
        {OFFERS_CASE_TOPIC, "case.closed.v1", offers_on_case_closed},
        {OFFERS_MEETING_TOPIC, "meeting.held.v1", offers_on_meeting_held},
        {NULL, NULL, NULL},
};

static const jc_config_var offers_config[] = {
        {"JC_OFFERS_RULES_FILE", NULL,
         "offers: rulebook JSON (offer types and effective-dated rule sets) replacing the compiled-in services/offers/rules/offer_rules.json"},
};

static int offers_init(jc_service *svc, char *err, size_t errlen)
{
        offers_ctx *octx = calloc(1, sizeof(*octx));

        if (!octx) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        svc->ctx = octx;
        if (offers_rules_load(&octx->rules, jc_config_str("JC_OFFERS_RULES_FILE", NULL), err,
                              errlen) != 0)
                return -1;
        jc_log_info("rulebook loaded: %zu offer types, %zu rule sets", octx->rules.ntypes,
                    octx->rules.nsets);
        return 0;
}

static void offers_fini(jc_service *svc)
{
        offers_ctx *octx = svc->ctx;

        if (!octx)
                return;
        offers_rules_release(&octx->rules);
        free(octx);
        svc->ctx = NULL;
}

static const jc_service_def offers_def = {
        .name = "offers",
        .default_port = 8083,
        .routes = offers_routes,
        .consume_topics = offers_topics,
        .handlers = offers_handlers,
        .stmts = offers_stmts,
        .migrations = offers_migrations,
        .config = offers_config,
        .nconfig = sizeof(offers_config) / sizeof(offers_config[0]),
        .init = offers_init,
        .fini = offers_fini,
        .sweep = offers_sweep,
};

int main(int argc, char **argv)
{
        return jc_service_main(&offers_def, argc, argv);
}
