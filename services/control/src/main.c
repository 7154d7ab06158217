/*
 * control: Udbetaling Danmark campaign feeds (HTTP upload and Kafka), matching
 * through a keyed hash of the CPR, control cases, no-shows, sanctions with
 * hearing and decision, reports to the a-kasse, availability courses.
 *
 * HTTP: feed_http.c (the streamed upload, feed reports), campaigns_http.c,
 * control_cases_http.c, sanctions_http.c, availability_http.c; helpers in
 * http_util.c. Kafka: feed_kafka.c (udk.campaign.v1), projection.c (citizens,
 * cases), noshow_events.c (meetings, offers). Core: feed_parse.c (the feed
 * format), feed_stage.c (lines to COPY), feed_store.c (claim, completion,
 * matching), consequences.c (sanction / a-kasse report / availability),
 * rules.c (../rules/), cpr.c, events.c, sweep.c. SQL: ../sql/ and stmts.c.
 * Tests: tests/control/, tests/unit/test_control_feed.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "jc/config.h"

extern const jc_embedded_file control_migrations[];
extern const jc_embedded_file control_rules[];

static const jc_http_route ctl_routes[] = {
        /* Udbetaling Danmark and the control team */
        {"GET", "/v1/campaigns", "caseworker|admin", ctl_campaign_list, "campaign_list"},
        {"GET", "/v1/campaigns/{campaign_id}", "caseworker|admin", ctl_campaign_get, "campaign_get"},
        {"GET", "/v1/campaigns/{campaign_id}/feeds/{feed_id}", "udk:feed|caseworker|admin",
         ctl_feed_get, "feed_get"},
        {"GET", "/v1/campaigns/{campaign_id}/feeds/{feed_id}/errors", "udk:feed|caseworker|admin",
         ctl_feed_errors, "feed_errors"},
        /* control cases */
        {"POST", "/v1/control-cases", "caseworker", ctl_control_case_create, "control_case_create"},
        {"GET", "/v1/control-cases", "caseworker|admin", ctl_control_case_list, "control_case_list"},
        {"GET", "/v1/control-cases/{control_case_id}", "caseworker", ctl_control_case_get,
         "control_case_get"},
        {"POST", "/v1/control-cases/{control_case_id}/evidence", "caseworker",
         ctl_control_case_evidence, "control_case_evidence"},
        {"POST", "/v1/control-cases/{control_case_id}/notes", "caseworker", ctl_control_case_note,
         "control_case_note"},
        {"POST", "/v1/control-cases/{control_case_id}/outcome", "caseworker",
         ctl_control_case_outcome, "control_case_outcome"},
        {"POST", "/v1/control-cases/{control_case_id}/close", "caseworker", ctl_control_case_close,
         "control_case_close"},
        /* sanction proposals, the benefit basis, a-kasse reports, no-shows */
        {"GET", "/v1/sanction-proposals", "caseworker|admin", ctl_proposal_list, "proposal_list"},
        {"GET", "/v1/sanction-proposals/{proposal_id}", "caseworker", ctl_proposal_get,
         "proposal_get"},
        {"POST", "/v1/sanction-proposals/{proposal_id}/amount-basis", "caseworker",
         ctl_proposal_amount_basis, "proposal_amount_basis"},
        {"POST", "/v1/sanction-proposals/{proposal_id}/hearing-response", "caseworker",
         ctl_proposal_hearing_response, "proposal_hearing_response"},
        {"POST", "/v1/sanction-proposals/{proposal_id}/decision", "caseworker",
         ctl_proposal_decision, "proposal_decision"},
        {"PUT", "/v1/cases/{case_id}/benefit-basis", "caseworker", ctl_benefit_basis_put,
         "benefit_basis_put"},
        {"GET", "/v1/akasse-reports", "caseworker|admin", ctl_akasse_report_list,
         "akasse_report_list"},
        {"PUT", "/v1/akasse-reports/{report_id}/akasse", "caseworker", ctl_akasse_report_set_akasse,
         "akasse_report_set_akasse"},
        {"GET", "/v1/no-shows", "caseworker|admin", ctl_no_show_list, "no_show_list"},
        /* availability */
        {"POST", "/v1/cases/{case_id}/availability-doubts", "caseworker",
         ctl_availability_doubt_post, "availability_doubt_create"},
        {"GET", "/v1/availability-courses", "caseworker|admin", ctl_availability_course_list,
         "availability_course_list"},
        {"POST", "/v1/availability-courses/{course_id}/assessment", "caseworker",
         ctl_availability_assessment, "availability_assessment"},
        {NULL, NULL, NULL, NULL, NULL},
};

static const jc_http_stream_route ctl_stream_routes[] = {
        {"POST", "/v1/campaign-feeds", "udk:feed", "feed_upload", ctl_feed_upload_begin,
         ctl_feed_upload_chunk, ctl_feed_upload_end, ctl_feed_upload_release},
        {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const char *const ctl_topics[] = {CTL_CITIZEN_TOPIC, CTL_CASE_TOPIC, CTL_MEETING_TOPIC,
                                         CTL_OFFER_TOPIC, CTL_UDK_TOPIC, NULL};
static const char *const ctl_raw_topics[] = {CTL_UDK_TOPIC, NULL};

static const jc_event_handler ctl_handlers[] = {
        {CTL_CITIZEN_TOPIC, "citizen.upserted.v1", ctl_on_citizen_upserted},
        {CTL_CITIZEN_TOPIC, JC_TYPE_TOMBSTONE, ctl_on_citizen_erased},
        {CTL_CASE_TOPIC, "case.opened.v1", ctl_on_case_opened},
        {CTL_CASE_TOPIC, "case.target_group_changed.v1", ctl_on_case_target_group_changed},
        {CTL_CASE_TOPIC, "case.visitation_changed.v1", ctl_on_case_visitation_changed},
        {CTL_CASE_TOPIC, "case.caseworker_assigned.v1", ctl_on_case_caseworker_assigned},
        {CTL_CASE_TOPIC, "case.closed.v1", ctl_on_case_closed},
        {CTL_MEETING_TOPIC, "meeting.no_show.v1", ctl_on_meeting_no_show},
        {CTL_OFFER_TOPIC, "offer.attendance_missed.v1", ctl_on_offer_attendance_missed},
        {CTL_UDK_TOPIC, JC_TYPE_RAW, ctl_on_udk_feed_part},
        {NULL, NULL, NULL},
};

static const jc_config_var ctl_config[] = {
        {"JC_CPR_HMAC_KEY", NULL,
         "control: secret key (at least 32 bytes) of the keyed hash (HMAC-SHA256) that stands in for CPR numbers; required, or JC_CPR_HMAC_KEY_FILE"},
        {"JC_CPR_HMAC_KEY_FILE", NULL,
         "control: a file holding the CPR hash key (a compose or Kubernetes secret), instead of JC_CPR_HMAC_KEY"},
        {"JC_UDK_KEYS_FILE", NULL,
         "control: JSON {\"keys\": {\"<key id>\": \"<secret>\"}} verifying signed feed parts on udk.campaign.v1 (unset: all Kafka feeds are refused)"},
        {"JC_FEED_MAX_BYTES", "1073741824", "control: largest campaign feed upload in bytes"},
        {"JC_FEED_MAX_INVALID_PERCENT", "50",
         "control: a feed with a larger share of invalid records is refused as a whole"},
        {"JC_FEED_PART_TIMEOUT_H", "24",
         "control: a Kafka feed whose parts have not all arrived this many hours after the first is refused"},
        {"JC_SANCTION_RULES_FILE", NULL,
         "control: a sanction rulebook to use instead of the built-in services/control/rules/sanction_rules.json"},
};

/* Reads the CPR hash key from the variable or its file (trailing newline
 * and spaces dropped). */
static int load_cpr_key(ctl_ctx *ctx, char *err, size_t errlen)
{
        const char *key = jc_config_str("JC_CPR_HMAC_KEY", NULL);
        const char *path = jc_config_str("JC_CPR_HMAC_KEY_FILE", NULL);
        size_t n = 0;

        if (key && path) {
                snprintf(err, errlen, "set JC_CPR_HMAC_KEY or JC_CPR_HMAC_KEY_FILE, not both");
                return -1;
        }
        if (key) {
                n = strlen(key);
                if (n > sizeof(ctx->cpr_key))
                        n = sizeof(ctx->cpr_key) + 1; /* reported below */
                else
                        memcpy(ctx->cpr_key, key, n);
        } else if (path) {
                FILE *f = fopen(path, "rb");

                if (!f) {
                        snprintf(err, errlen, "could not open JC_CPR_HMAC_KEY_FILE %s", path);
                        return -1;
                }
                n = fread(ctx->cpr_key, 1, sizeof(ctx->cpr_key), f);
                if (!feof(f))
                        n = sizeof(ctx->cpr_key) + 1;
                fclose(f);
                while (n > 0 && n <= sizeof(ctx->cpr_key) &&
                       (ctx->cpr_key[n - 1] == '\n' || ctx->cpr_key[n - 1] == '\r' ||
                        ctx->cpr_key[n - 1] == ' '))
                        n--;
        } else {
                snprintf(err, errlen,
                         "JC_CPR_HMAC_KEY (or JC_CPR_HMAC_KEY_FILE) is required: control keeps only a "
                         "keyed hash of CPR numbers");
                return -1;
        }
        if (n < 32 || n > sizeof(ctx->cpr_key)) {
                snprintf(err, errlen, "the CPR hash key must be 32 to %zu bytes long",
                         sizeof(ctx->cpr_key));
                return -1;
        }
        ctx->cpr_key_len = n;
        return 0;
}

static int load_udk_keys(ctl_ctx *ctx, char *err, size_t errlen)
{
        const char *path = jc_config_str("JC_UDK_KEYS_FILE", NULL);
        json_error_t jerr;
        json_t *root;

        if (!path)
                return 0;
        root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        ctx->udk_keys = json_incref(json_object_get(root, "keys"));
        json_decref(root);
        if (!json_is_object(ctx->udk_keys)) {
                snprintf(err, errlen, "could not read UDK keys from %s: expected {\"keys\": {...}}",
                         path);
                return -1;
        }
        return 0;
}

static int ctl_init(jc_service *svc, char *err, size_t errlen)
{
        ctl_ctx *ctx = calloc(1, sizeof(*ctx));

        if (!ctx) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        svc->ctx = ctx;
        if (load_cpr_key(ctx, err, errlen) != 0 || load_udk_keys(ctx, err, errlen) != 0 ||
            jc_config_long("JC_FEED_MAX_BYTES", 1073741824L, 1024, 1L << 40, &ctx->feed_max_bytes,
                           err, errlen) != 0 ||
            jc_config_long("JC_FEED_MAX_INVALID_PERCENT", 50, 0, 100, &ctx->feed_max_invalid_pct,
                           err, errlen) != 0 ||
            jc_config_long("JC_FEED_PART_TIMEOUT_H", 24, 1, 24 * 365, &ctx->feed_part_timeout_h,
                           err, errlen) != 0 ||
            jc_rulebook_load(&ctx->rules, jc_config_str("JC_SANCTION_RULES_FILE", NULL),
                             control_rules, err, errlen) != 0 ||
            ctl_rules_check(ctx, err, errlen) != 0)
                return -1;
        return 0;
}

static void ctl_fini(jc_service *svc)
{
        ctl_ctx *ctx = svc->ctx;

        if (!ctx)
                return;
        memset(ctx->cpr_key, 0, sizeof(ctx->cpr_key));
        json_decref(ctx->udk_keys);
        jc_rulebook_release(&ctx->rules);
        free(ctx);
        svc->ctx = NULL;
}

static const jc_service_def ctl_def = {
        .name = "control",
        .default_port = 8084,
        .routes = ctl_routes,
        .stream_routes = ctl_stream_routes,
        .consume_topics = ctl_topics,
        .raw_topics = ctl_raw_topics,
        .handlers = ctl_handlers,
        .on_dead_letter = ctl_on_dead_letter,
        .stmts = ctl_stmts,
        .migrations = control_migrations,
        .config = ctl_config,
        .nconfig = sizeof(ctl_config) / sizeof(ctl_config[0]),
        .init = ctl_init,
        .fini = ctl_fini,
        .sweep = ctl_sweep,
};

int main(int argc, char **argv)
{
        return jc_service_main(&ctl_def, argc, argv);
}
