/*
 * jobcenter.citizen.v1 (restricted): the only source of names and contact
 * data. citizen.upserted.v1 keeps the latest per citizen and releases the
 * messages that waited for it; a tombstone (no value, key citizen_ref) is
 * an erasure: the citizen's personal data leaves this schema — the contact
 * row, the rendered letters (subject, text, HTML), undelivered messages and
 * reminders (cancelled), and copies of their citizen records in
 * dead_letter. Nothing here is logged but the citizen_ref.
 */
#include <stdio.h>
#include <string.h>

#include "jc/log.h"
#include "notifications.h"

static int key_is(const jc_consume_ctx *ctx, const char *ref)
{
        return ctx->key && ctx->key_len == strlen(ref) && memcmp(ctx->key, ref, ctx->key_len) == 0;
}

static int digits(const char *s, size_t n)
{
        if (!s || strlen(s) != n)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return 0;
        return 1;
}

jc_handle_result notif_on_citizen_upserted(jc_consume_ctx *ctx)
{
        json_t *d = ctx->event->data, *contact, *addr = NULL;
        const char *ref, *cpr, *name, *email = NULL, *phone = NULL;
        const char *street = NULL, *postcode = NULL, *city = NULL;
        int dp = 0;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        jc_handle_result res = JC_HANDLE_OK;

        jc_verrs_init(&v);
        ref = jc_v_uuid(d, "data", "citizen_ref", 1, &v);
        cpr = jc_v_str(d, "data", "cpr", 1, 10, 10, &v);
        if (cpr && !digits(cpr, 10))
                jc_verrs_add(&v, "data.cpr", "must be 10 digits");
        name = jc_v_str(d, "data", "name", 1, 1, 200, &v);
        contact = jc_v_object(d, "data", "contact", 1, &v);
        if (contact) {
                jc_v_bool(contact, "data.contact", "digital_post", 1, &dp, &v);
                email = jc_v_str(contact, "data.contact", "email", 0, 0, 320, &v);
                phone = jc_v_str(contact, "data.contact", "phone", 0, 0, 40, &v);
                addr = jc_v_object(contact, "data.contact", "address", 0, &v);
        }
        if (addr) {
                street = jc_v_str(addr, "data.contact.address", "street", 1, 1, 200, &v);
                postcode = jc_v_str(addr, "data.contact.address", "postcode", 1, 4, 4, &v);
                city = jc_v_str(addr, "data.contact.address", "city", 1, 1, 100, &v);
                if (postcode && !digits(postcode, 4))
                        jc_verrs_add(&v, "data.contact.address.postcode", "must be 4 digits");
        }
        if (ref && ctx->key && !key_is(ctx, ref))
                jc_verrs_add(&v, "data.citizen_ref", "must equal the record's key");
        if (jc_verrs_count(&v)) {
                res = notif_invalid(ctx, &v);
                goto out;
        }
        r = jc_pg_exec(ctx->db, "notif_citizen_upsert",
                       JC_PG_ARGS(ref, cpr, name, dp ? "true" : "false", email && *email ? email : NULL,
                                  phone && *phone ? phone : NULL, street, postcode, city),
                       &e);
        if (!r)
                goto db;
        PQclear(r);
        r = jc_pg_exec(ctx->db, "notif_messages_wake_citizen", JC_PG_ARGS(ref), &e);
        if (!r)
                goto db;
        PQclear(r);
        goto out;
db:
        res = notif_db_failed(ctx, &e);
out:
        jc_verrs_release(&v);
        return res;
}

jc_handle_result notif_on_citizen_tombstone(jc_consume_ctx *ctx)
{
        static const char *const steps[] = {"notif_citizen_erase", "notif_messages_erase",
                                            "notif_messages_cancel_citizen",
                                            "notif_reminders_cancel_citizen",
                                            "notif_dead_letters_erase", NULL};
        char ref[JC_UUID_STRLEN];
        jc_pg_err e;

        if (!ctx->key || ctx->key_len != JC_UUID_STRLEN - 1) {
                snprintf(ctx->reason, sizeof(ctx->reason),
                         "tombstone without a citizen_ref key: nothing to erase");
                return JC_HANDLE_POISON;
        }
        memcpy(ref, ctx->key, JC_UUID_STRLEN - 1);
        ref[JC_UUID_STRLEN - 1] = '\0';
        if (!jc_uuid_is_valid(ref)) {
                snprintf(ctx->reason, sizeof(ctx->reason), "tombstone key is not a citizen_ref (UUID)");
                return JC_HANDLE_POISON;
        }
        for (const char *const *s = steps; *s; s++) {
                PGresult *r = jc_pg_exec(ctx->db, *s, JC_PG_ARGS(ref), &e);

                if (!r)
                        return notif_db_failed(ctx, &e);
                PQclear(r);
        }
        jc_log_write(JC_LOG_INFO, JC_KV({"citizen_ref", ref}), "citizen erased: personal data deleted");
        return JC_HANDLE_OK;
}
