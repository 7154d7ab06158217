/*
 * akasse.handover.v1: a-kasser that integrate by Kafka send the same JSON as
 * POST /v1/handovers, with two headers that authenticate the a-kasse (a Kafka
 * consumer cannot see which principal produced a record):
 *
 *   jc-akasse:    the a-kasse code (must equal the body's "akasse")
 *   jc-signature: sha256=<hex HMAC-SHA256 of the value with the a-kasse's key>
 *
 * Keys: JC_AKASSE_KEYS_FILE, {"keys": {"3F": "<secret>", …}}. Invalid
 * messages go to the dead-letter topic with the reason, and the a-kasse sees
 * the reason at GET /v1/handovers/{handover_id}.
 */
#include <stdio.h>
#include <string.h>

#include "intake.h"
#include "jc/crypto.h"
#include "jc/log.h"
#include "jc/validate.h"

/* Returns the a-kasse code when the message's signature checks out, else
 * NULL with the reason in `why`. */
static const char *authenticate(jc_consume_ctx *ctx, char code[16], char *why, size_t whylen)
{
        jc_service *svc = ctx->opaque;
        intake_ctx *ictx = svc->ctx;
        char sig[80], mac[65];
        const char *key;

        if (jc_consume_header(ctx, "jc-akasse", code, 16) != 0) {
                snprintf(why, whylen, "header jc-akasse is missing");
                return NULL;
        }
        key = json_string_value(json_object_get(ictx->akasse_keys, code));
        if (!key) {
                snprintf(why, whylen, "no signing key is configured for a-kasse \"%.12s\"", code);
                return NULL;
        }
        if (jc_consume_header(ctx, "jc-signature", sig, sizeof(sig)) != 0 ||
            strncmp(sig, "sha256=", 7) != 0 || strlen(sig) != 71) {
                snprintf(why, whylen, "header jc-signature is missing or not sha256=<64 hex>");
                return NULL;
        }
        if (jc_hmac_sha256_hex(key, strlen(key), ctx->value, ctx->value_len, mac) != 0 ||
            !jc_ct_equal(mac, sig + 7, 64)) {
                snprintf(why, whylen, "signature does not match the message and a-kasse key");
                return NULL;
        }
        return code;
}

static void join_errors(jc_verrs *v, char *out, size_t outlen)
{
        size_t o = (size_t)snprintf(out, outlen, "invalid handover: ");
        size_t i;
        json_t *err;

        json_array_foreach(v->list, i, err) {
                if (o >= outlen)
                        break;
                o += (size_t)snprintf(out + o, outlen - o, "%s%s: %s", i ? "; " : "",
                                      json_string_value(json_object_get(err, "field")),
                                      json_string_value(json_object_get(err, "message")));
        }
}

jc_handle_result intake_on_handover_message(jc_consume_ctx *ctx)
{
        jc_service *svc = ctx->opaque;
        intake_ctx *ictx = svc->ctx;
        char code[16], principal[40], existing[JC_UUID_STRLEN];
        json_t *body = NULL, *resp = NULL;
        const char *akasse;
        intake_handover h;
        json_error_t jerr;
        jc_verrs v;
        jc_pg_err e;
        jc_handle_result res = JC_HANDLE_POISON;

        jc_verrs_init(&v);
        if (!ctx->value) {
                snprintf(ctx->reason, sizeof(ctx->reason), "empty message");
                goto out;
        }
        if (!authenticate(ctx, code, ctx->reason, sizeof(ctx->reason)))
                goto out;
        body = json_loadb(ctx->value, ctx->value_len, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(body)) {
                char safe[160];

                jc_json_error_safe(&jerr, safe, sizeof(safe));
                snprintf(ctx->reason, sizeof(ctx->reason), "not a JSON object%s%s",
                         body ? "" : ": ", body ? "" : safe);
                goto out;
        }
        akasse = json_string_value(json_object_get(body, "akasse"));
        if (akasse && strcmp(akasse, code) != 0) {
                snprintf(ctx->reason, sizeof(ctx->reason),
                         "akasse: must equal the jc-akasse header of the signed message");
                goto out;
        }
        intake_handover_parse(body, &h, ictx->handover_tolerance_days,
                              jc_service_today(svc), &v);
        if (jc_verrs_count(&v)) {
                join_errors(&v, ctx->reason, sizeof(ctx->reason));
                goto out;
        }
        snprintf(principal, sizeof(principal), "akasse-kafka:%s", code);
        switch (intake_handover_apply(svc, ctx->db, &h, body, "kafka", principal, &resp, existing,
                                      &e)) {
        case HANDOVER_CREATED:
                jc_log_write(JC_LOG_INFO, JC_KV({"akasse", code}), "handover accepted");
                res = JC_HANDLE_OK;
                break;
        case HANDOVER_REPLAY:
                res = JC_HANDLE_OK;
                break;
        case HANDOVER_CONFLICT:
                snprintf(ctx->reason, sizeof(ctx->reason),
                         "handover_id: was already used for a handover with a different body");
                break;
        case HANDOVER_OPEN_CASE:
                snprintf(ctx->reason, sizeof(ctx->reason),
                         "the citizen already has an open a-dagpenge case: %s", existing);
                break;
        case HANDOVER_UNKNOWN_AKASSE:
                snprintf(ctx->reason, sizeof(ctx->reason), "akasse: is not a known a-kasse");
                break;
        case HANDOVER_ERROR:
                snprintf(ctx->reason, sizeof(ctx->reason), "%.500s", e.message);
                res = e.transient ? JC_HANDLE_RETRY : JC_HANDLE_POISON;
                break;
        }
out:
        json_decref(resp);
        json_decref(body);
        jc_verrs_release(&v);
        return res;
}

/* A refused handover stays visible to its (authenticated) a-kasse. */
int intake_on_dead_letter(jc_consume_ctx *ctx, const char *reason, jc_pg_err *e)
{
        char code[16], why[160];
        const char *id;
        json_t *body;
        PGresult *r;
        int rc = 0;

        if (strcmp(ctx->topic, INTAKE_HANDOVER_TOPIC) != 0 || !ctx->value ||
            !authenticate(ctx, code, why, sizeof(why)))
                return 0;
        body = json_loadb(ctx->value, ctx->value_len, 0, NULL);
        id = json_string_value(json_object_get(body, "handover_id"));
        if (id && strlen(id) <= 64) {
                r = jc_pg_exec(ctx->db, "intake_handover_rejection_insert",
                               JC_PG_ARGS(code, id, reason), e);
                if (!r)
                        rc = -1;
                PQclear(r);
        }
        json_decref(body);
        return rc;
}
