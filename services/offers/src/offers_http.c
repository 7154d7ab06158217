/*
 * Offers: a provider's places of one offer type over a span of dates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"
#include "offers.h"

typedef struct offer_input {
        const offers_type *type;
        const char *type_code;
        const char *provider_id;
        const char *title;
        long long capacity;
        long long hours;
        jc_date from;
        int has_until;
        jc_date until;
} offer_input;

static void offer_parse(const offers_rulebook *rules, json_t *body, offer_input *in, jc_verrs *v)
{
        int from, until;

        memset(in, 0, sizeof(*in));
        in->type_code = jc_v_str(body, NULL, "offer_type", 1, 1, 60, v);
        in->type = offers_rules_type(rules, in->type_code);
        if (in->type_code && !in->type)
                jc_verrs_add(v, "offer_type", "must be an offer type of the catalogue (GET /v1/offer-types)");
        in->provider_id = jc_v_uuid(body, NULL, "provider_id", 1, v);
        in->title = jc_v_str(body, NULL, "title", 1, 1, 200, v);
        jc_v_int(body, NULL, "capacity", 1, 1, 10000, &in->capacity, v);
        jc_v_int(body, NULL, "hours_per_week", 1, 1, 37, &in->hours, v);
        from = jc_v_date(body, NULL, "available_from", 1, &in->from, v);
        until = jc_v_date(body, NULL, "available_until", 0, &in->until, v);
        in->has_until = until == 1;
        if (in->has_until && from == 1 && jc_date_cmp(in->until, in->from) < 0)
                jc_verrs_add(v, "available_until", "must not be before available_from");
}

/* Whether a provider of `kind` and `sector` may run offers of `type`; on
 * refusal the message says what it must be. */
static int provider_fits(const offers_type *type, const char *kind, const char *sector, char *msg,
                         size_t msglen)
{
        int kind_ok = 0;

        for (size_t i = 0; i < type->nprovider_kinds; i++)
                if (strcmp(type->provider_kinds[i], kind) == 0)
                        kind_ok = 1;
        if (!kind_ok) {
                snprintf(msg, msglen, "must be a provider of a kind that runs %s", type->code);
                return 0;
        }
        if (type->employer_sector && strcmp(kind, "employer") == 0 &&
            (!sector || strcmp(sector, type->employer_sector) != 0)) {
                snprintf(msg, msglen, "must be a %s employer for %s", type->employer_sector,
                         type->code);
                return 0;
        }
        if (type->employer_sector && strcmp(kind, "municipal") == 0 &&
            strcmp(type->employer_sector, "public") != 0) {
                snprintf(msg, msglen, "must be a %s employer for %s", type->employer_sector,
                         type->code);
                return 0;
        }
        return 1;
}

/* The offer as JSON with places counted on `on` (new reference) or NULL. */
static json_t *offer_json(PGconn *db, const char *offer_id, jc_date on, jc_pg_err *e, int *found)
{
        char on_s[JC_DATE_STRLEN];
        json_t *out = NULL;
        PGresult *r;

        memset(e, 0, sizeof(*e));
        *found = 0;
        jc_date_format(on, on_s);
        r = jc_pg_exec(db, "offers_offer_get", JC_PG_ARGS(offer_id, on_s), e);
        if (!r)
                return NULL;
        *found = PQntuples(r) == 1;
        if (*found)
                out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
        PQclear(r);
        if (*found && !out)
                jc_pg_err_set(e, 0, "could not read offer %s", offer_id);
        return out;
}

/* POST /v1/offers; Idempotency-Key optional. */
void offers_offer_create(jc_http_req *req)
{
        static const char *const fields[] = {"offer_type", "provider_id", "title", "capacity",
                                             "hours_per_week", "available_from", "available_until",
                                             NULL};
        jc_service *svc = jc_http_service(req);
        offers_ctx *octx = svc->ctx;
        const char *principal = jc_http_principal(req)->principal;
        char id[JC_UUID_STRLEN], scope[128], cap[24], hours[24], from[JC_DATE_STRLEN],
            until[JC_DATE_STRLEN], msg[160];
        json_t *body, *resp = NULL;
        offer_input in;
        int found = 0, fits;
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        body = offers_body(req, fields, &v);
        if (!body)
                goto out;
        offer_parse(&octx->rules, body, &in, &v);
        offers_idem_check(req, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        if (jc_uuid_v4(id) != 0) {
                jc_http_reply_problem(req, 500, "internal", "Internal error",
                                      "could not generate an id", NULL);
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        snprintf(scope, sizeof(scope), "offer_create:%s", principal);
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        if (!offers_idem_begin(req, db, scope, body))
                goto out;
        r = jc_pg_exec(db, "offers_provider_get", JC_PG_ARGS(in.provider_id), &e);
        if (!r)
                goto db_error;
        if (PQntuples(r) == 0) {
                PQclear(r);
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "provider_id", "is not a known provider");
                goto out;
        }
        fits = provider_fits(in.type, PQgetvalue(r, 0, 0), offers_pq_str(r, 0, 1), msg, sizeof(msg));
        PQclear(r);
        if (!fits) {
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "provider_id", msg);
                goto out;
        }
        snprintf(cap, sizeof(cap), "%lld", in.capacity);
        snprintf(hours, sizeof(hours), "%lld", in.hours);
        jc_date_format(in.from, from);
        if (in.has_until)
                jc_date_format(in.until, until);
        r = jc_pg_exec(db, "offers_offer_insert",
                       JC_PG_ARGS(id, in.type->code, in.provider_id, in.title, cap, from,
                                  in.has_until ? until : NULL, hours, principal),
                       &e);
        if (!r)
                goto db_error;
        PQclear(r);
        resp = offer_json(db, id, jc_service_today(svc), &e, &found);
        if (!resp || offers_idem_finish(req, db, scope, 201, resp, &e) != 0 ||
            jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        jc_log_write(JC_LOG_INFO, JC_KV({"offer_id", id}, {"offer_type", in.type->code}),
                     "offer registered");
        jc_http_reply_json(req, 201, resp);
        resp = NULL;
        goto out;
db_error:
        offers_db_fail(req, db, &e);
out:
        json_decref(resp);
        jc_verrs_release(&v);
}

/* GET /v1/offers/{offer_id}?on=YYYY-MM-DD (places in use that day; default today) */
void offers_offer_get(jc_http_req *req)
{
        jc_service *svc = jc_http_service(req);
        const char *id = offers_path_uuid(req, "offer_id");
        jc_date on = jc_service_today(svc);
        json_t *out;
        int found = 0;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (!id)
                goto done;
        offers_query_date(req, "on", &on, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto done;
        }
        db = jc_http_db(req);
        if (!db)
                goto done;
        out = offer_json(db, id, on, &e, &found);
        if (out)
                jc_http_reply_json(req, 200, out);
        else if (!found && !e.message[0])
                jc_http_reply_problem(req, 404, "not-found", "Offer not found",
                                      "no offer with this offer_id", NULL);
        else
                jc_http_reply_db_error(req, &e);
done:
        jc_verrs_release(&v);
}

/* GET /v1/offers?offer_type=&provider_id=&available_on=&limit=&cursor= */
void offers_offer_list(jc_http_req *req)
{
        jc_service *svc = jc_http_service(req);
        offers_ctx *octx = svc->ctx;
        const char *type = jc_http_query(req, "offer_type");
        const char *provider = jc_http_query(req, "provider_id");
        char key[48], after[JC_UUID_STRLEN], lim[24], on_s[JC_DATE_STRLEN];
        jc_date on = jc_service_today(svc);
        int has_on;
        long limit;
        jc_verrs v;
        PGconn *db;

        jc_verrs_init(&v);
        if (type && !offers_rules_type(&octx->rules, type))
                jc_verrs_add(&v, "offer_type", "must be an offer type of the catalogue");
        if (provider && !jc_uuid_is_valid(provider))
                jc_verrs_add(&v, "provider_id", "must be a UUID");
        has_on = offers_query_date(req, "available_on", &on, &v);
        offers_query_limit(req, 50, 500, &limit, &v);
        offers_query_cursor(req, key, sizeof(key), after, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        jc_date_format(on, on_s);
        snprintf(lim, sizeof(lim), "%ld", limit + 1);
        offers_list_reply(req, db, "offers_offer_list",
                          JC_PG_ARGS(type, provider, has_on == 1 ? on_s : NULL, on_s,
                                     key[0] ? key : NULL, key[0] ? after : NULL, lim),
                          limit);
out:
        jc_verrs_release(&v);
}
