/*
 * The a-kasse handover after three months: one validation and one apply for
 * both channels (POST /v1/handovers and akasse.handover.v1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/cpr.h"
#include "intake.h"
#include "jc/crypto.h"
#include "jc/idempotency.h"
#include "jc/validate.h"

static const char *const handover_fields[] = {
        "handover_id", "akasse", "cpr", "name", "unemployed_since", "handover_date",
        "contact_history", "cv_on_jobnet", "availability_concerns", "digital_post", "email",
        "phone", "address", NULL,
};
static const char *const contact_fields[] = {"date", "kind", "channel", NULL};
static const char *const contact_kinds[] = {"individual", "group", NULL};
static const char *const contact_channels[] = {"in_person", "phone", "video", NULL};

static int id_chars_ok(const char *s)
{
        return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:") ==
               strlen(s);
}

static void parse_contacts(json_t *body, intake_handover *h, jc_verrs *v)
{
        json_t *arr = jc_v_array(body, NULL, "contact_history", 1, INTAKE_MAX_CONTACTS, v);
        size_t i;
        json_t *item;

        h->ncontacts = 0;
        json_array_foreach(arr, i, item) {
                char prefix[40];

                snprintf(prefix, sizeof(prefix), "contact_history[%zu]", i);
                if (!json_is_object(item)) {
                        jc_verrs_add(v, prefix, "must be an object");
                        continue;
                }
                jc_v_no_unknown(item, prefix, contact_fields, v);
                jc_v_date(item, prefix, "date", 1, &h->contacts[i].held_on, v);
                h->contacts[i].kind = jc_v_enum(item, prefix, "kind", 1, contact_kinds, v);
                h->contacts[i].channel = jc_v_enum(item, prefix, "channel", 0, contact_channels, v);
                h->ncontacts = i + 1;
        }
}

void intake_handover_parse(json_t *body, intake_handover *h, long tolerance_days, jc_date today,
                           jc_verrs *v)
{
        const char *cpr;
        int have_since, have_date;

        memset(h, 0, sizeof(*h));
        jc_v_no_unknown(body, NULL, handover_fields, v);
        h->handover_id = jc_v_str(body, NULL, "handover_id", 1, 1, 64, v);
        if (h->handover_id && !id_chars_ok(h->handover_id))
                jc_verrs_add(v, "handover_id", "may contain only letters, digits and - _ . :");
        h->akasse = jc_v_str(body, NULL, "akasse", 1, 2, 12, v);
        cpr = jc_v_str(body, NULL, "cpr", 1, 10, 11, v);
        if (cpr && jc_cpr_normalise(cpr, h->cpr) != 0)
                jc_verrs_add(v, "cpr",
                             "must be 10 digits (DDMMYYSSSS) starting with a real date of birth");
        h->name = jc_v_str(body, NULL, "name", 1, 1, 200, v);
        have_since = jc_v_date(body, NULL, "unemployed_since", 1, &h->unemployed_since, v) == 1;
        have_date = jc_v_date(body, NULL, "handover_date", 1, &h->handover_date, v) == 1;
        jc_v_bool(body, NULL, "cv_on_jobnet", 1, &h->cv_on_jobnet, v);
        jc_v_bool(body, NULL, "availability_concerns", 1, &h->availability_concerns, v);
        intake_contact_parse(body, &h->contact, v);
        parse_contacts(body, h, v);

        /* Cross-field checks only on dates that passed their own. */
        if (have_since && jc_date_cmp(h->unemployed_since, today) > 0) {
                jc_verrs_add(v, "unemployed_since", "must not be in the future");
                have_since = 0;
        }
        if (have_date && jc_date_cmp(h->handover_date, today) > 0) {
                jc_verrs_add(v, "handover_date", "must not be in the future");
                have_date = 0;
        }
        if (have_since && have_date) {
                jc_date due = jc_date_add_months(h->unemployed_since, 3);
                long off = (long)jc_date_diff_days(due, h->handover_date);

                if (jc_date_cmp(h->handover_date, h->unemployed_since) <= 0)
                        jc_verrs_add(v, "handover_date", "must be after unemployed_since");
                else if (off < -tolerance_days || off > tolerance_days)
                        jc_verrs_add(v, "handover_date",
                                     "must be about three months after unemployed_since "
                                     "(within %ld days of it; this is %ld days %s)",
                                     tolerance_days, off < 0 ? -off : off,
                                     off < 0 ? "early" : "late");
                for (size_t i = 0; i < h->ncontacts; i++) {
                        char field[48];

                        if (!h->contacts[i].kind)
                                continue; /* already reported */
                        snprintf(field, sizeof(field), "contact_history[%zu].date", i);
                        if (jc_date_cmp(h->contacts[i].held_on, h->unemployed_since) < 0 ||
                            jc_date_cmp(h->contacts[i].held_on, h->handover_date) > 0)
                                jc_verrs_add(v, field,
                                             "must be between unemployed_since and handover_date");
                }
        }
}

static json_t *handover_summary(const intake_handover *h)
{
        char since[JC_DATE_STRLEN], date[JC_DATE_STRLEN];
        json_t *contacts = json_array();

        for (size_t i = 0; i < h->ncontacts; i++) {
                char d[JC_DATE_STRLEN];

                jc_date_format(h->contacts[i].held_on, d);
                json_array_append_new(contacts,
                                      json_pack("{s:s, s:s, s:s*}", "date", d, "kind",
                                                h->contacts[i].kind, "channel",
                                                h->contacts[i].channel));
        }
        jc_date_format(h->unemployed_since, since);
        jc_date_format(h->handover_date, date);
        return json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:b}", "handover_id", h->handover_id,
                         "akasse", h->akasse, "unemployed_since", since, "handover_date", date,
                         "contact_history", contacts, "cv_on_jobnet", h->cv_on_jobnet,
                         "availability_concerns", h->availability_concerns);
}

static int store_contacts(PGconn *db, const intake_handover *h, jc_pg_err *e)
{
        jc_buf ord = JC_BUF_INIT, dates = JC_BUF_INIT, kinds = JC_BUF_INIT, chans = JC_BUF_INIT;
        PGresult *r = NULL;
        int rc = 0;

        if (h->ncontacts == 0)
                return 0;
        for (size_t i = 0; i < h->ncontacts; i++) {
                char n[24], d[JC_DATE_STRLEN];

                snprintf(n, sizeof(n), "%zu", i + 1);
                jc_date_format(h->contacts[i].held_on, d);
                jc_pg_array_add(&ord, n);
                jc_pg_array_add(&dates, d);
                jc_pg_array_add(&kinds, h->contacts[i].kind);
                jc_pg_array_add(&chans, h->contacts[i].channel);
        }
        jc_pg_array_end(&ord);
        jc_pg_array_end(&dates);
        jc_pg_array_end(&kinds);
        jc_pg_array_end(&chans);
        r = jc_pg_exec(db, "intake_handover_contacts_insert",
                       JC_PG_ARGS(h->akasse, h->handover_id, ord.data, dates.data, kinds.data,
                                  chans.data),
                       e);
        if (!r)
                rc = -1;
        PQclear(r);
        jc_buf_release(&ord);
        jc_buf_release(&dates);
        jc_buf_release(&kinds);
        jc_buf_release(&chans);
        return rc;
}

intake_handover_result intake_handover_apply(jc_service *svc, PGconn *db, const intake_handover *h,
                                             json_t *body, const char *via, const char *principal,
                                             json_t **response,
                                             char existing_case_id[JC_UUID_STRLEN], jc_pg_err *e)
{
        char scope[64], since[JC_DATE_STRLEN], date[JC_DATE_STRLEN], hash[65];
        intake_case_new in;
        intake_case_opened opened;
        jc_idem_prior prior;
        json_t *summary = NULL;
        char *resp_text = NULL, *canon = NULL;
        PGresult *r;
        intake_handover_result res = HANDOVER_ERROR;

        *response = NULL;
        r = jc_pg_exec(db, "intake_akasse_active", JC_PG_ARGS(h->akasse), e);
        if (!r)
                return HANDOVER_ERROR;
        if (PQntuples(r) == 0) {
                PQclear(r);
                return HANDOVER_UNKNOWN_AKASSE;
        }
        PQclear(r);
        /* (akasse, handover_id) is the natural idempotency key, whichever
         * channel it came by. */
        snprintf(scope, sizeof(scope), "handover:%s", h->akasse);
        switch (jc_idem_claim(db, scope, h->handover_id, body, &prior, e)) {
        case JC_IDEM_NEW:
                break;
        case JC_IDEM_REPLAY:
                *response = prior.body;
                return HANDOVER_REPLAY;
        case JC_IDEM_CONFLICT:
                return HANDOVER_CONFLICT;
        case JC_IDEM_ERROR:
                return HANDOVER_ERROR;
        }
        summary = handover_summary(h);
        memset(&in, 0, sizeof(in));
        in.cpr = h->cpr;
        in.name = h->name;
        in.contact = h->contact;
        in.target_group = "a-dagpenge";
        in.start_date = h->unemployed_since;
        in.visitation = "jobparat";
        in.origin = "akasse-handover";
        in.handover = summary;
        in.principal = principal;
        switch (intake_case_open(svc, db, &in, &opened, e)) {
        case INTAKE_OPENED:
                break;
        case INTAKE_OPEN_CASE_EXISTS:
                snprintf(existing_case_id, JC_UUID_STRLEN, "%s", opened.existing_case_id);
                res = HANDOVER_OPEN_CASE;
                goto out;
        case INTAKE_BAD_CASEWORKER:
        case INTAKE_ERROR:
                goto out;
        }
        *response = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s*}", "handover_id",
                              h->handover_id, "akasse", h->akasse, "status", "accepted", "case_id",
                              opened.case_id, "citizen_ref", opened.citizen_ref, "received_at",
                              opened.opened_at, "caseworker_id",
                              opened.caseworker_id[0] ? opened.caseworker_id : NULL);
        resp_text = json_dumps(*response, JSON_COMPACT);
        canon = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        if (!*response || !resp_text || !canon || jc_sha256_hex(canon, strlen(canon), hash)) {
                jc_pg_err_set(e, 0, "out of memory");
                goto out;
        }
        jc_date_format(h->unemployed_since, since);
        jc_date_format(h->handover_date, date);
        r = jc_pg_exec(db, "intake_handover_insert",
                       JC_PG_ARGS(h->akasse, h->handover_id, hash, opened.case_id,
                                  opened.citizen_ref, since, date,
                                  h->cv_on_jobnet ? "true" : "false",
                                  h->availability_concerns ? "true" : "false", via, resp_text),
                       e);
        if (!r || store_contacts(db, h, e) != 0 ||
            jc_idem_store(db, scope, h->handover_id, 201, *response, e) != 0) {
                PQclear(r);
                goto out;
        }
        PQclear(r);
        res = HANDOVER_CREATED;
out:
        if (res != HANDOVER_CREATED && res != HANDOVER_REPLAY) {
                json_decref(*response);
                *response = NULL;
        }
        json_decref(summary);
        free(resp_text);
        free(canon);
        return res;
}
