/*
 * The channels behind one interface (notif_channel_send):
 *
 *   digital_post     HTTP POST to JC_NOTIFY_DIGITAL_POST_URL
 *   email            HTTP POST to JC_NOTIFY_EMAIL_URL (the e-mail gateway)
 *   sms              HTTP POST to JC_NOTIFY_SMS_URL (the SMS gateway)
 *   akasse_webhook   HTTP POST to the a-kasse's URL (JC_NOTIFY_AKASSE_WEBHOOKS_FILE)
 *   physical_letter  a rendered file <message_id>.txt in JC_NOTIFY_SPOOL_DIR
 *   internal         a row in caseworker_reminder (the caseworkers' queue)
 *
 * Every HTTP request carries "Idempotency-Key: <message_id>", so a gateway
 * that deduplicates on it never shows a retried message twice. CPR leaves
 * only where the channel needs it to address the recipient: Digital Post's
 * recipient field and the a-kasse report's member field, never a subject
 * or text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jc/crypto.h"
#include "jc/http_client.h"
#include "notifications.h"

static const char *str(json_t *fields, const char *key)
{
        return json_string_value(json_object_get(fields, key));
}

/* The request body for an HTTP channel; NULL when out of memory. */
static json_t *http_payload(const notif_ctx *ctx, const notif_outgoing *m)
{
        const notif_contact *c = m->contact;
        char tmpl[64];

        snprintf(tmpl, sizeof(tmpl), "%s.v%d", m->template_id, m->template_version);
        if (strcmp(m->channel, "digital_post") == 0)
                return json_pack("{s:s, s:{s:s}, s:s, s:s, s:s, s:s, s:s, s:s}", "message_id",
                                 m->message_id, "recipient", "cpr", c->cpr, "sender", ctx->sender,
                                 "subject", m->subject, "text", m->text, "html", m->html,
                                 "case_id", m->case_id, "template", tmpl);
        if (strcmp(m->channel, "email") == 0)
                return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "message_id", m->message_id,
                                 "to", c->email, "from_name", ctx->sender, "subject", m->subject,
                                 "text", m->text, "html", m->html);
        if (strcmp(m->channel, "sms") == 0)
                return json_pack("{s:s, s:s, s:s, s:s}", "message_id", m->message_id, "to",
                                 c->phone, "sender", ctx->sender, "text", m->text);
        /* akasse_webhook: the structured report and its rendered text */
        return json_pack("{s:s, s:s?, s:s, s:s, s:s?, s:{s:s, s:s}, s:s?, s:s?, s:s?, s:s, s:s, s:s}",
                         "message_id", m->message_id, "report_id", str(m->fields, "report_id"),
                         "akasse", m->recipient_id, "case_id", m->case_id, "citizen_ref",
                         str(m->fields, "citizen_ref"), "member", "cpr", c->cpr,
                         "name", c->name, "reason", str(m->fields, "reason"), "basis",
                         str(m->fields, "basis"), "occurred_on", str(m->fields, "occurred_on_date"),
                         "sender", ctx->sender, "subject", m->subject, "text", m->text);
}

static void http_send(const notif_ctx *ctx, const notif_outgoing *m, notif_send_result *r)
{
        char url[1024], sig[80], mac[65];
        const char *secret = NULL;
        jc_http_client_header h[2];
        size_t nh = 0, len;
        jc_http_response resp;
        json_t *payload;
        char *body;

        if (strcmp(m->channel, "akasse_webhook") == 0) {
                if (notif_akasse_hook(&ctx->hooks, m->recipient_id, url, sizeof(url), &secret) != 0) {
                        r->outcome = NOTIF_PERMANENT;
                        snprintf(r->error, sizeof(r->error),
                                 "no webhook is configured for a-kasse %s", m->recipient_id);
                        return;
                }
        } else {
                snprintf(url, sizeof(url), "%s",
                         strcmp(m->channel, "digital_post") == 0 ? ctx->digital_post_url
                         : strcmp(m->channel, "email") == 0      ? ctx->email_url
                                                                 : ctx->sms_url);
        }
        payload = http_payload(ctx, m);
        body = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
        json_decref(payload);
        if (!body) {
                r->outcome = NOTIF_TRANSIENT;
                snprintf(r->error, sizeof(r->error), "out of memory building the request");
                return;
        }
        len = strlen(body);
        h[nh++] = (jc_http_client_header){"Idempotency-Key", m->message_id};
        if (secret) {
                if (jc_hmac_sha256_hex(secret, strlen(secret), body, len, mac) != 0) {
                        free(body);
                        r->outcome = NOTIF_TRANSIENT;
                        snprintf(r->error, sizeof(r->error), "could not sign the report");
                        return;
                }
                snprintf(sig, sizeof(sig), "sha256=%s", mac);
                h[nh++] = (jc_http_client_header){"jc-signature", sig};
        }
        jc_http_post(url, h, nh, "application/json", body, len, (int)ctx->connect_timeout_ms,
                     (int)ctx->timeout_ms, &resp);
        free(body);
        r->http_status = resp.status;
        if (resp.error == JC_HTTPC_OK && resp.status >= 200 && resp.status < 300)
                r->outcome = NOTIF_SENT;
        else
                r->outcome = jc_http_response_transient(&resp) ? NOTIF_TRANSIENT : NOTIF_PERMANENT;
        if (r->outcome != NOTIF_SENT) {
                if (resp.error == JC_HTTPC_OK)
                        snprintf(r->error, sizeof(r->error), "%s answered HTTP %d", m->channel,
                                 resp.status);
                else
                        snprintf(r->error, sizeof(r->error), "%s: %s (%.180s)", m->channel,
                                 jc_http_client_error_name(resp.error), resp.message);
        }
        jc_http_response_release(&resp);
}

/* Writes the letter to <spool>/<message_id>.txt through a temporary file,
 * so the print service never sees half a letter and a retry rewrites the
 * same file. */
static void spool_letter(const notif_ctx *ctx, const notif_outgoing *m, notif_send_result *r)
{
        const notif_contact *c = m->contact;
        char path[4096], tmp[4200];
        jc_buf b = JC_BUF_INIT;
        int fd = -1;
        ssize_t w;

        snprintf(path, sizeof(path), "%s/%s.txt", ctx->spool_dir, m->message_id);
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        if (jc_buf_appendf(&b, "%s\n%s\n%s %s\n\n%s\n\nEmne: %s\n\n%s", c->name, c->street,
                           c->postcode, c->city, ctx->sender, m->subject, m->text) != 0) {
                r->outcome = NOTIF_TRANSIENT;
                snprintf(r->error, sizeof(r->error), "out of memory writing the letter");
                return;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        if (fd < 0)
                goto io;
        w = write(fd, b.data, b.len);
        if (w != (ssize_t)b.len || fsync(fd) != 0)
                goto io;
        if (close(fd) != 0) {
                fd = -1;
                goto io;
        }
        fd = -1;
        if (rename(tmp, path) != 0)
                goto io;
        r->outcome = NOTIF_SENT;
        jc_buf_release(&b);
        return;
io:
        r->outcome = NOTIF_TRANSIENT; /* a full or read-only disk can be fixed */
        snprintf(r->error, sizeof(r->error), "physical_letter: could not write to the spool directory: %s",
                 strerror(errno));
        if (fd >= 0)
                close(fd);
        unlink(tmp);
        jc_buf_release(&b);
}

int notif_channel_send(jc_service *svc, PGconn *db, const notif_outgoing *m, notif_send_result *r,
                       jc_pg_err *e)
{
        const notif_ctx *ctx = svc->ctx;

        memset(r, 0, sizeof(*r));
        if (strcmp(m->channel, "internal") == 0) {
                PGresult *res = jc_pg_exec(db, "notif_internal_insert",
                                           JC_PG_ARGS(m->message_id, m->recipient_id, m->case_id,
                                                      m->subject, m->text),
                                           e);

                if (!res)
                        return -1;
                PQclear(res);
                r->outcome = NOTIF_SENT;
                return 0;
        }
        if (strcmp(m->channel, "physical_letter") == 0) {
                spool_letter(ctx, m, r);
                return 0;
        }
        http_send(ctx, m, r);
        return 0;
}
