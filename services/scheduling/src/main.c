/*
 * scheduling: the legal contact cadence of every case, caseworker calendars,
 * booking and self-booking, meeting outcomes, search lists, the timeliness
 * measure.
 *
 * Consumed events: case_events.c, offer_events.c. HTTP: meetings_http.c (booking, portal,
 * calendar), obligations_http.c, measure_http.c. Core: rules.c (rule data in
 * ../rules/), obligations.c, meetings.c, hours.c, sweep.c. SQL: ../sql/ and
 * stmts.c. Tests: tests/scheduling/.
 */
#include <stdio.h>
#include <stdlib.h>

#include "jc/config.h"
#include "scheduling.h"

extern const jc_embedded_file scheduling_migrations[];
extern const jc_embedded_file scheduling_rules[];

static const jc_http_route sched_routes[] = {
        {"GET", "/v1/cases/{case_id}/obligations", "caseworker|admin", sched_case_obligations,
         "case_obligations"},
        {"GET", "/v1/obligations", "caseworker|admin", sched_obligations_list, "obligations_list"},
        {"GET", "/v1/measures/timeliness", "caseworker|admin", sched_measure_timeliness,
         "measure_timeliness"},
        {"GET", "/v1/cases/{case_id}/meetings", "caseworker", sched_case_meetings_list,
         "case_meetings"},
        {"GET", "/v1/cases/{case_id}/slots", "caseworker", sched_case_slots, "case_slots"},
        {"POST", "/v1/cases/{case_id}/meetings", "caseworker", sched_case_meeting_book,
         "meeting_book"},
        {"POST", "/v1/meetings/{meeting_id}/reschedule", "caseworker", sched_meeting_reschedule,
         "meeting_reschedule"},
        {"POST", "/v1/meetings/{meeting_id}/cancel", "caseworker", sched_meeting_cancel,
         "meeting_cancel"},
        {"POST", "/v1/meetings/{meeting_id}/outcome", "caseworker", sched_meeting_outcome,
         "meeting_outcome"},
        {"POST", "/v1/caseworkers/{caseworker_id}/blocks", "caseworker|admin", sched_calendar_block,
         "calendar_block"},
        {"GET", "/v1/portal/cases/{case_id}/slots", "portal", sched_portal_slots, "portal_slots"},
        {"POST", "/v1/portal/cases/{case_id}/meetings", "portal", sched_portal_book,
         "portal_book"},
        {"POST", "/v1/portal/meetings/{meeting_id}/reschedule", "portal", sched_portal_reschedule,
         "portal_reschedule"},
        {"POST", "/v1/portal/meetings/{meeting_id}/cancel", "portal", sched_portal_cancel,
         "portal_cancel"},
        {NULL, NULL, NULL, NULL, NULL},
};

static const char *const sched_topics[] = {SCHED_CASE_TOPIC, SCHED_OFFER_TOPIC, NULL};

static const jc_event_handler sched_handlers[] = {
        {SCHED_CASE_TOPIC, "case.opened.v1", sched_on_case_opened},
        {SCHED_CASE_TOPIC, "case.target_group_changed.v1", sched_on_case_target_group_changed},
        {SCHED_CASE_TOPIC, "case.visitation_changed.v1", sched_on_case_visitation_changed},
        {SCHED_CASE_TOPIC, "case.caseworker_assigned.v1", sched_on_case_caseworker_assigned},
        {SCHED_CASE_TOPIC, "case.closed.v1", sched_on_case_closed},
        {SCHED_OFFER_TOPIC, "offer.started.v1", sched_on_offer_started},
        {NULL, NULL, NULL},
};

static const jc_config_var sched_config[] = {
        {"JC_OPENING_HOURS", "mon-wed 08:00-15:30; thu 08:00-17:00; fri 08:00-12:00",
         "scheduling: when meetings can be booked (Europe/Copenhagen); public holidays and JC_CLOSED_DAYS are closed"},
        {"JC_MEETING_MINUTES", "30", "scheduling: default meeting length and the slot grid"},
        {"JC_DUE_SOON_DAYS", "14",
         "scheduling: obligation.due_soon this many days before the due date when nothing is booked"},
        {"JC_SELF_BOOKING_LEAD_HOURS", "24",
         "scheduling: how soon from now a citizen can self-book"},
        {"JC_CONTACT_RULES_FILE", NULL,
         "scheduling: a contact rulebook to use instead of the built-in services/scheduling/rules/contact_rules.json"},
};

static int sched_init(jc_service *svc, char *err, size_t errlen)
{
        sched_ctx *ctx = calloc(1, sizeof(*ctx));

        if (!ctx) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        svc->ctx = ctx;
        if (jc_config_long("JC_MEETING_MINUTES", 30, 10, 240, &ctx->meeting_minutes, err, errlen) ||
            jc_config_long("JC_DUE_SOON_DAYS", 14, 0, 180, &ctx->due_soon_days, err, errlen) ||
            jc_config_long("JC_SELF_BOOKING_LEAD_HOURS", 24, 0, 720, &ctx->booking_lead_hours, err,
                           errlen) ||
            sched_hours_parse(&ctx->hours,
                              jc_config_str("JC_OPENING_HOURS",
                                            "mon-wed 08:00-15:30; thu 08:00-17:00; fri 08:00-12:00"),
                              err, errlen) ||
            jc_rulebook_load(&ctx->rules, jc_config_str("JC_CONTACT_RULES_FILE", NULL),
                             scheduling_rules, err, errlen) ||
            sched_rules_check(&ctx->rules, err, errlen))
                return -1;
        return 0;
}

static void sched_fini(jc_service *svc)
{
        sched_ctx *ctx = svc->ctx;

        if (!ctx)
                return;
        jc_rulebook_release(&ctx->rules);
        free(ctx);
        svc->ctx = NULL;
}

static const jc_service_def sched_def = {
        .name = "scheduling",
        .default_port = 8082,
        .routes = sched_routes,
        .consume_topics = sched_topics,
        .handlers = sched_handlers,
        .stmts = sched_stmts,
        .migrations = scheduling_migrations,
        .config = sched_config,
        .nconfig = sizeof(sched_config) / sizeof(sched_config[0]),
        .init = sched_init,
        .fini = sched_fini,
        .sweep = sched_sweep,
};

int main(int argc, char **argv)
{
        return jc_service_main(&sched_def, argc, argv);
}
