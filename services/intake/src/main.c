/*
 * intake: citizens, cases, the a-kasse handover, distribution to caseworkers.
 *
 * Handlers: cases_http.c, case_lifecycle_http.c, citizens_http.c,
 * staff_http.c, handovers_http.c (HTTP); handover_kafka.c (akasse.handover.v1).
 * Shared logic: case_store.c (opening a case), handover.c (validation),
 * distribution.c, case_events.c, audit.c. SQL: ../sql/ and stmts.c.
 * Tests: tests/intake/, tests/integration/.
 */
#include <stdio.h>
#include <stdlib.h>

#include "intake.h"
#include "jc/config.h"

extern const jc_embedded_file intake_migrations[];

static const jc_http_route intake_routes[] = {
        /* a-kasser */
        {"POST", "/v1/handovers", "akasse:*", intake_handover_post, "handover_create"},
        {"GET", "/v1/handovers/{handover_id}", "akasse:*", intake_handover_get, "handover_get"},
        /* caseworkers */
        {"POST", "/v1/cases", "caseworker", intake_case_create, "case_create"},
        {"GET", "/v1/cases", "caseworker|admin", intake_case_list, "case_list"},
        {"GET", "/v1/cases/{case_id}", "caseworker", intake_case_get, "case_get"},
        {"POST", "/v1/cases/{case_id}/target-group", "caseworker", intake_case_change_target_group,
         "case_target_group"},
        {"POST", "/v1/cases/{case_id}/visitation", "caseworker", intake_case_change_visitation,
         "case_visitation"},
        {"POST", "/v1/cases/{case_id}/assignment", "caseworker", intake_case_assign_http,
         "case_assignment"},
        {"POST", "/v1/cases/{case_id}/close", "caseworker", intake_case_close_http, "case_close"},
        {"GET", "/v1/citizens/{citizen_ref}", "caseworker", intake_citizen_get, "citizen_get"},
        {"POST", "/v1/citizens/{citizen_ref}/erasure", "admin", intake_citizen_erase,
         "citizen_erase"},
        {"GET", "/v1/caseworkers", "caseworker|admin", intake_caseworkers_list, "caseworker_list"},
        {"PUT", "/v1/caseworkers/{caseworker_id}", "admin", intake_caseworker_put,
         "caseworker_put"},
        {"PUT", "/v1/teams/{team_id}", "admin", intake_team_put, "team_put"},
        {"GET", "/v1/caseload-norms", "caseworker|admin", intake_norms_get, "norms_get"},
        {"PUT", "/v1/caseload-norms/{target_group}", "admin", intake_norm_put, "norm_put"},
        {"GET", "/v1/akasser", "caseworker|admin|akasse:*", intake_akasser_list, "akasse_list"},
        {NULL, NULL, NULL, NULL, NULL},
};

static const char *const intake_topics[] = {INTAKE_HANDOVER_TOPIC, NULL};
static const char *const intake_raw_topics[] = {INTAKE_HANDOVER_TOPIC, NULL};

static const jc_event_handler intake_handlers[] = {
        {INTAKE_HANDOVER_TOPIC, JC_TYPE_RAW, intake_on_handover_message},
        {NULL, NULL, NULL},
};

static const jc_config_var intake_config[] = {
        {"JC_HANDOVER_TOLERANCE_DAYS", "14",
         "intake: how far a handover_date may be from unemployed_since + 3 months"},
        {"JC_AKASSE_KEYS_FILE", NULL,
         "intake: JSON {\"keys\": {\"<a-kasse code>\": \"<secret>\"}} verifying signed handovers on akasse.handover.v1 (unset: all Kafka handovers are refused)"},
};

static int intake_init(jc_service *svc, char *err, size_t errlen)
{
        intake_ctx *ictx = calloc(1, sizeof(*ictx));
        const char *keys = jc_config_str("JC_AKASSE_KEYS_FILE", NULL);
        json_error_t jerr;

        if (!ictx) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        svc->ctx = ictx;
        if (jc_config_long("JC_HANDOVER_TOLERANCE_DAYS", 14, 0, 60, &ictx->handover_tolerance_days,
                           err, errlen) != 0)
                return -1;
        if (keys) {
                json_t *root = json_load_file(keys, JSON_REJECT_DUPLICATES, &jerr);

                ictx->akasse_keys = json_incref(json_object_get(root, "keys"));
                json_decref(root);
                if (!json_is_object(ictx->akasse_keys)) {
                        snprintf(err, errlen,
                                 "could not read a-kasse keys from %s: expected {\"keys\": {...}}",
                                 keys);
                        return -1;
                }
        }
        return 0;
}

static void intake_fini(jc_service *svc)
{
        intake_ctx *ictx = svc->ctx;

        if (!ictx)
                return;
        json_decref(ictx->akasse_keys);
        free(ictx);
        svc->ctx = NULL;
}

static const jc_service_def intake_def = {
        .name = "intake",
        .default_port = 8081,
        .routes = intake_routes,
        .consume_topics = intake_topics,
        .raw_topics = intake_raw_topics,
        .handlers = intake_handlers,
        .on_dead_letter = intake_on_dead_letter,
        .stmts = intake_stmts,
        .migrations = intake_migrations,
        .config = intake_config,
        .nconfig = sizeof(intake_config) / sizeof(intake_config[0]),
        .init = intake_init,
        .fini = intake_fini,
};

int main(int argc, char **argv)
{
        return jc_service_main(&intake_def, argc, argv);
}
