/*
 * The weekly review list (seed 002: "every Friday each caseworker checks
 * that all their citizens are linked to a relevant offer"): a caseworker's
 * open cases with no planned or running offer, the closest deadline first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offers.h"

/* GET /v1/caseworkers/{caseworker_id}/review-list?limit=&cursor= */
void offers_review_list(jc_http_req *req)
{
        jc_service *svc = jc_http_service(req);
        const char *cw = jc_http_param(req, "caseworker_id");
        char key[16], after[JC_UUID_STRLEN], today[JC_DATE_STRLEN], lim[24];
        jc_date cursor_date;
        long limit, remaining = 0;
        PGresult *r;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (!cw || !*cw || strlen(cw) > OFFERS_ID_LEN - 1)
                jc_verrs_add(&v, "caseworker_id", "must be 1 to 40 characters");
        offers_query_limit(req, 100, 1000, &limit, &v);
        offers_query_cursor(req, key, sizeof(key), after, &v);
        if (key[0] && strcmp(key, "infinity") != 0 && jc_date_parse(key, &cursor_date) != 0)
                jc_verrs_add(&v, "cursor", "is not a cursor this API returned");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        jc_date_format(jc_service_today(svc), today);
        snprintf(lim, sizeof(lim), "%ld", limit + 1);
        r = jc_pg_exec(db, "offers_review_list",
                       JC_PG_ARGS(cw, today, key[0] ? key : NULL, key[0] ? after : NULL, lim), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                goto out;
        }
        if (PQntuples(r) > 0)
                remaining = atol(PQgetvalue(r, 0, 2));
        offers_reply_page(req, r, limit,
                          json_pack("{s:s, s:s, s:I}", "caseworker_id", cw, "as_of", today,
                                    "remaining", (json_int_t)remaining));
        PQclear(r);
out:
        jc_verrs_release(&v);
}
