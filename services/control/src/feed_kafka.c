/*
 * udk.campaign.v1: the same feed format by Kafka, for feeds of any size
 * within Kafka's message limits. A feed is sent as one or more parts, each
 * one message keyed by campaign_id and each a complete NDJSON document: the
 * feed's header line (with "part" and "parts") followed by that part's
 * records. Errors are reported by part and line within the part. The feed is
 * completed (accepted or refused as one unit) in the transaction that stages
 * its last missing part; parts may arrive in any order.
 *
 * A consumer cannot see who produced a record, so UDK signs each message:
 *   jc-udk-key:   the key id (JC_UDK_KEYS_FILE {"keys": {"<id>": "<secret>"}})
 *   jc-signature: sha256=<hex HMAC-SHA256 of the value with that key>
 * Unsigned, forged or malformed parts go to the dead-letter topic with the
 * reason (never their content: personal data); correctly signed ones that
 * are refused stay visible to UDK at GET /v1/campaigns/{c}/feeds/{f}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "jc/crypto.h"
#include "jc/log.h"

typedef struct kafka_part {
        jc_consume_ctx *ctx;
        char principal[80];
        char digest[65];
        ctl_feed_row existing;
        int done;                     /* a re-sent part: nothing to do */
} kafka_part;

/* The key id when the signature checks out, else NULL with the reason. */
static const char *authenticate(jc_consume_ctx *ctx, char key_id[65], char *why, size_t whylen)
{
        jc_service *svc = ctx->opaque;
        ctl_ctx *cctx = svc->ctx;
        char sig[80], mac[65];
        const char *key;

        if (jc_consume_header(ctx, "jc-udk-key", key_id, 65) != 0) {
                snprintf(why, whylen, "header jc-udk-key is missing");
                return NULL;
        }
        key = json_string_value(json_object_get(cctx->udk_keys, key_id));
        if (!key) {
                snprintf(why, whylen, "no signing key is configured for key id \"%.32s\"", key_id);
                return NULL;
        }
        if (jc_consume_header(ctx, "jc-signature", sig, sizeof(sig)) != 0 ||
            strncmp(sig, "sha256=", 7) != 0 || strlen(sig) != 71) {
                snprintf(why, whylen, "header jc-signature is missing or not sha256=<64 hex>");
                return NULL;
        }
        if (jc_hmac_sha256_hex(key, strlen(key), ctx->value, ctx->value_len, mac) != 0 ||
            !jc_ct_equal(mac, sig + 7, 64)) {
                snprintf(why, whylen, "signature does not match the message and key");
                return NULL;
        }
        return key_id;
}

static int part_stop(ctl_stage *st, const char *fmt, const char *arg)
{
        kafka_part *k = st->channel;

        snprintf(k->ctx->reason, sizeof(k->ctx->reason), fmt, arg);
        return -1;
}

/* The part's header is valid: find or create its feed, decide what to do. */
static int part_on_header(ctl_stage *st)
{
        kafka_part *k = st->channel;
        const ctl_feed_header *h = &st->header;
        char field[48] = "", part[24];
        jc_pg_err e;
        PGresult *r;

        if (!h->has_parts)
                return part_stop(st, "%s", "header.part: is required on Kafka (each message is one "
                                           "part of the feed: part and parts)");
        switch (ctl_feed_claim(st->db, h, "kafka", k->principal, 0, &k->existing, field, &e)) {
        case CTL_CLAIM_NEW:
                snprintf(st->feed_uuid, sizeof(st->feed_uuid), "%s", k->existing.feed_uuid);
                return ctl_stage_start_copy(st, h->part);
        case CTL_CLAIM_MISMATCH:
                return part_stop(st, "%s: the campaign was first received with another value",
                                 field);
        case CTL_CLAIM_ERROR:
                st->err = e;
                st->failed = 1;
                return -1;
        case CTL_CLAIM_EXISTS:
                break;
        }
        snprintf(st->feed_uuid, sizeof(st->feed_uuid), "%s", k->existing.feed_uuid);
        snprintf(part, sizeof(part), "%lld", h->part);
        r = jc_pg_exec(st->db, "ctl_feed_part_get", JC_PG_ARGS(st->feed_uuid, part), &e);
        if (!r) {
                st->err = e;
                st->failed = 1;
                return -1;
        }
        if (PQntuples(r) == 1) {
                int same = jc_ct_equal(PQgetvalue(r, 0, 0), k->digest, 64);

                PQclear(r);
                if (same) { /* the same part again: already staged or applied */
                        k->done = 1;
                        st->mode = CTL_STAGE_SKIP;
                        return 0;
                }
                if (strcmp(k->existing.status, "refused") != 0)
                        return part_stop(st, "%s", "header.part: this part of the feed was received "
                                                   "before with different content");
        } else {
                PQclear(r);
                if (strcmp(k->existing.status, "accepted") == 0)
                        return part_stop(st, "%s", "header.feed_id: the feed is complete and "
                                                   "accepted; send changes under a new feed_id");
                if (strcmp(k->existing.status, "receiving") == 0) {
                        if (strcmp(k->existing.header_digest, h->digest) != 0)
                                return part_stop(st, "%s", "header: differs from the header of "
                                                           "this feed's earlier parts");
                        return ctl_stage_start_copy(st, h->part);
                }
        }
        /* A corrected re-send of a refused feed replaces it. */
        if (ctl_feed_take_over(st->db, st->feed_uuid, h, "kafka", k->principal, &e) != 0) {
                st->err = e;
                st->failed = 1;
                return -1;
        }
        return ctl_stage_start_copy(st, h->part);
}

/* The header's errors, joined (field names and messages, never values). */
static void join_errors(jc_verrs *v, char *out, size_t outlen)
{
        size_t o = (size_t)snprintf(out, outlen, "invalid feed header: ");
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

/* After staging: record the part, and complete the feed when it was the last. */
static jc_handle_result part_received(jc_consume_ctx *ctx, ctl_stage *st, kafka_part *k)
{
        char part[24], lines[24];
        json_t *answer = NULL;
        jc_pg_err e;
        PGresult *r;
        int status, complete;

        snprintf(part, sizeof(part), "%lld", st->header.part);
        snprintf(lines, sizeof(lines), "%ld", st->lines.line_no);
        r = jc_pg_exec(ctx->db, "ctl_feed_part_insert",
                       JC_PG_ARGS(st->feed_uuid, part, k->digest, lines), &e);
        if (!r)
                goto db;
        complete = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
        PQclear(r);
        if (!complete)
                return JC_HANDLE_OK;
        if (ctl_feed_complete(ctx->opaque, ctx->db, st->feed_uuid, &answer, &status, &e) != 0)
                goto db;
        json_decref(answer);
        return JC_HANDLE_OK;
db:
        snprintf(ctx->reason, sizeof(ctx->reason), "%.500s", e.message);
        return e.transient ? JC_HANDLE_RETRY : JC_HANDLE_POISON;
}

jc_handle_result ctl_on_udk_feed_part(jc_consume_ctx *ctx)
{
        kafka_part k;
        ctl_stage st;
        char key_id[65];
        jc_handle_result res = JC_HANDLE_POISON;

        memset(&k, 0, sizeof(k));
        k.ctx = ctx;
        if (!ctx->value || ctx->value_len == 0) {
                snprintf(ctx->reason, sizeof(ctx->reason), "empty message");
                return JC_HANDLE_POISON;
        }
        if (!authenticate(ctx, key_id, ctx->reason, sizeof(ctx->reason)))
                return JC_HANDLE_POISON;
        snprintf(k.principal, sizeof(k.principal), "udk-kafka:%s", key_id);
        if (jc_sha256_hex(ctx->value, ctx->value_len, k.digest) != 0) {
                snprintf(ctx->reason, sizeof(ctx->reason), "could not hash the message");
                return JC_HANDLE_RETRY;
        }
        ctl_stage_init(&st, ctx->opaque, ctx->db, part_on_header, &k);
        if (ctl_stage_feed(&st, ctx->value, ctx->value_len) != 0 || ctl_stage_finish(&st) != 0) {
                if (st.failed) {
                        snprintf(ctx->reason, sizeof(ctx->reason), "%.500s", st.err.message);
                        res = st.err.transient ? JC_HANDLE_RETRY : JC_HANDLE_POISON;
                } else if (jc_verrs_count(&st.header_errors)) {
                        join_errors(&st.header_errors, ctx->reason, sizeof(ctx->reason));
                }
                goto out;
        }
        if (!st.have_header) {
                snprintf(ctx->reason, sizeof(ctx->reason),
                         "header: the message is empty: the first line must be the feed header");
                goto out;
        }
        res = k.done ? JC_HANDLE_OK : part_received(ctx, &st, &k);
out:
        ctl_stage_release(&st);
        ctl_feed_row_release(&k.existing);
        return res;
}

/* A refused part stays visible to UDK when it was correctly signed. */
int ctl_on_dead_letter(jc_consume_ctx *ctx, const char *reason, jc_pg_err *e)
{
        char key_id[65], why[160], part[24] = "", partition[16], offset[24];
        const char *campaign = NULL, *feed = NULL;
        const char *nl;
        json_t *header = NULL;
        PGresult *r;
        int rc = 0;

        if (strcmp(ctx->topic, CTL_UDK_TOPIC) != 0 || !ctx->value ||
            !authenticate(ctx, key_id, why, sizeof(why)))
                return 0;
        nl = memchr(ctx->value, '\n', ctx->value_len);
        header = json_loadb(ctx->value, nl ? (size_t)(nl - (const char *)ctx->value) : ctx->value_len,
                            0, NULL);
        campaign = json_string_value(json_object_get(header, "campaign_id"));
        feed = json_string_value(json_object_get(header, "feed_id"));
        if (json_is_integer(json_object_get(header, "part")))
                snprintf(part, sizeof(part), "%lld",
                         (long long)json_integer_value(json_object_get(header, "part")));
        if (campaign && !ctl_id_ok(campaign))
                campaign = NULL;
        if (feed && !ctl_id_ok(feed))
                feed = NULL;
        snprintf(partition, sizeof(partition), "%d", (int)ctx->partition);
        snprintf(offset, sizeof(offset), "%lld", (long long)ctx->offset);
        r = jc_pg_exec(ctx->db, "ctl_feed_rejection_insert",
                       JC_PG_ARGS(campaign, feed, part[0] ? part : NULL, key_id, reason, partition,
                                  offset),
                       e);
        if (!r)
                rc = -1;
        PQclear(r);
        json_decref(header);
        return rc;
}
