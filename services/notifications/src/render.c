/*
 * Rendering a message: choose its channel from the template's channel class
 * and the citizen's contact data, then fill the template's subject, text
 * and HTML with the trigger's fields plus the name, the sender and the
 * letter date. CPR is never a template field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notifications.h"

static int has(const char *s)
{
        return s && *s;
}

/* The channel for `cls`; "" with out->reason when there is none. */
static void choose_channel(const notif_ctx *ctx, notif_channel_class cls, const notif_contact *c,
                           notif_rendered *out)
{
        switch (cls) {
        case NOTIF_CLASS_AKASSE:
                snprintf(out->channel, sizeof(out->channel), "akasse_webhook");
                return;
        case NOTIF_CLASS_INTERNAL:
                snprintf(out->channel, sizeof(out->channel), "internal");
                return;
        case NOTIF_CLASS_NOTICE:
                if (has(c->phone) && has(ctx->sms_url)) {
                        snprintf(out->channel, sizeof(out->channel), "sms");
                        return;
                }
                if (has(c->email) && has(ctx->email_url)) {
                        snprintf(out->channel, sizeof(out->channel), "email");
                        return;
                }
                /* no phone or e-mail: as a letter */
                __attribute__((fallthrough));
        case NOTIF_CLASS_LETTER:
                if (c->digital_post) {
                        snprintf(out->channel, sizeof(out->channel), "digital_post");
                        return;
                }
                if (has(c->street) && has(c->postcode) && has(c->city)) {
                        snprintf(out->channel, sizeof(out->channel), "physical_letter");
                        return;
                }
                snprintf(out->reason, sizeof(out->reason),
                         "the citizen has no Digital Post and no postal address: a physical "
                         "letter cannot be addressed");
                return;
        }
}

int notif_render(const jc_service *svc, const notif_template *t, json_t *fields,
                 const notif_contact *c, notif_rendered *out)
{
        const notif_ctx *ctx = svc->ctx;
        json_t *values = json_deep_copy(fields);
        char date[64], err[256];
        int rc = -1;

        memset(out, 0, sizeof(*out));
        if (!values)
                return -1;
        choose_channel(ctx, t->spec->cls, c, out);
        if (!out->channel[0]) {
                rc = 1;
                goto out;
        }
        notif_da_date(jc_service_today(svc), date, sizeof(date));
        json_object_set_new(values, "sender", json_string(ctx->sender));
        json_object_set_new(values, "letter_date", json_string(date));
        if (notif_needs_citizen(t->spec->recipient))
                json_object_set_new(values, "name", json_string(c->name ? c->name : ""));
        out->subject = notif_tmpl_render(t->subject, values, 0, err, sizeof(err));
        out->text = out->subject ? notif_tmpl_render(t->text, values, 0, err, sizeof(err)) : NULL;
        out->html = out->text ? notif_tmpl_render(t->html, values, 1, err, sizeof(err)) : NULL;
        if (!out->html) {
                snprintf(out->reason, sizeof(out->reason), "template %.48s.v%d cannot be rendered: %.150s",
                         t->id, t->version, err);
                notif_rendered_release(out);
                rc = strcmp(err, "out of memory") == 0 ? -1 : 1;
                goto out;
        }
        rc = 0;
out:
        json_decref(values);
        return rc;
}

void notif_rendered_release(notif_rendered *r)
{
        free(r->subject);
        free(r->text);
        free(r->html);
        r->subject = r->text = r->html = NULL;
}
