/*
 * GET /v1/campaigns and GET /v1/campaigns/{campaign_id} (caseworker, admin):
 * the campaigns with the funnel STAR benchmarks (R66): records received and
 * matched, control cases opened and closed by outcome, letters requested.
 * No personal data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

/* Row i of ctl_campaign_list as JSON (new reference: the caller owns it). */
static json_t *campaign_json(const PGresult *r, int i)
{
        json_t *c = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:o, s:s, s:{s:i, s:i, s:i, s:i, s:i,"
                              " s:i, s:i, s:i}}",
                              "campaign_id", PQgetvalue(r, i, 0), "theme", PQgetvalue(r, i, 1),
                              "kind", PQgetvalue(r, i, 2), "period", "from", PQgetvalue(r, i, 3),
                              "to", PQgetvalue(r, i, 4), "target_groups",
                              PQgetisnull(r, i, 5) ? json_null()
                                                   : json_loads(PQgetvalue(r, i, 5), 0, NULL),
                              "first_received_at", PQgetvalue(r, i, 6), "funnel", "feeds",
                              atoi(PQgetvalue(r, i, 7)), "records_received",
                              atoi(PQgetvalue(r, i, 8)), "records_valid", atoi(PQgetvalue(r, i, 9)),
                              "records_matched", atoi(PQgetvalue(r, i, 10)),
                              "control_cases_opened", atoi(PQgetvalue(r, i, 11)),
                              "control_cases_closed", atoi(PQgetvalue(r, i, 12)),
                              "control_cases_with_claim_or_sanction", atoi(PQgetvalue(r, i, 13)),
                              "letters_requested", atoi(PQgetvalue(r, i, 14)));
        return c;
}

void ctl_campaign_list(jc_http_req *req)
{
        const char *cursor = jc_http_query(req, "cursor"), *lq = jc_http_query(req, "limit");
        char limit[16];
        long lim = 50;
        json_t *items;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        jc_verrs_init(&v);
        if (lq) {
                char *end;

                lim = strtol(lq, &end, 10);
                if (!*lq || *end || lim < 1 || lim > 200)
                        jc_verrs_add(&v, "limit", "must be an integer from 1 to 200");
        }
        if (cursor && !ctl_id_ok(cursor))
                jc_verrs_add(&v, "cursor", "is not a cursor this service gave out");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                jc_verrs_release(&v);
                return;
        }
        jc_verrs_release(&v);
        db = jc_http_db(req);
        if (!db)
                return;
        snprintf(limit, sizeof(limit), "%ld", lim);
        r = jc_pg_exec(db, "ctl_campaign_list", JC_PG_ARGS(NULL, cursor, limit), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                return;
        }
        items = json_array();
        for (int i = 0; i < PQntuples(r); i++)
                json_array_append_new(items, campaign_json(r, i));
        jc_http_reply_json(req, 200,
                           json_pack("{s:o, s:s?}", "items", items, "next_cursor",
                                     PQntuples(r) == lim ? PQgetvalue(r, PQntuples(r) - 1, 0)
                                                         : NULL));
        PQclear(r);
}

void ctl_campaign_get(jc_http_req *req)
{
        const char *id = jc_http_param(req, "campaign_id");
        json_t *c, *feeds, *outcomes;
        PGresult *r = NULL, *f = NULL, *o = NULL;
        jc_pg_err e;
        PGconn *db;

        if (!ctl_id_ok(id)) {
                jc_http_reply_field_problem(req, 422, "validation", "Invalid path", "campaign_id",
                                            "may contain only letters, digits and . _ : -");
                return;
        }
        db = jc_http_db(req);
        if (!db)
                return;
        r = jc_pg_exec(db, "ctl_campaign_list", JC_PG_ARGS(id, NULL, "1"), &e);
        if (!r)
                goto db_error;
        if (PQntuples(r) == 0) {
                jc_http_reply_problem(req, 404, "not-found", "Campaign not found",
                                      "no campaign with this campaign_id", NULL);
                goto out;
        }
        f = jc_pg_exec(db, "ctl_campaign_feeds", JC_PG_ARGS(id), &e);
        o = f ? jc_pg_exec(db, "ctl_campaign_outcomes", JC_PG_ARGS(id), &e) : NULL;
        if (!o)
                goto db_error;
        c = campaign_json(r, 0);
        feeds = json_array();
        for (int i = 0; i < PQntuples(f); i++)
                json_array_append_new(
                    feeds, json_pack("{s:s, s:s, s:s, s:s, s:{s:i, s:i, s:i, s:i, s:i, s:i}}",
                                     "feed_id", PQgetvalue(f, i, 0), "status", PQgetvalue(f, i, 1),
                                     "received_via", PQgetvalue(f, i, 2), "received_at",
                                     PQgetvalue(f, i, 3), "counts", "received",
                                     atoi(PQgetvalue(f, i, 4)), "valid", atoi(PQgetvalue(f, i, 5)),
                                     "invalid", atoi(PQgetvalue(f, i, 6)), "duplicate",
                                     atoi(PQgetvalue(f, i, 7)), "matched", atoi(PQgetvalue(f, i, 8)),
                                     "unmatched", atoi(PQgetvalue(f, i, 9))));
        outcomes = json_object();
        for (int i = 0; i < PQntuples(o); i++)
                json_object_set_new(outcomes, PQgetvalue(o, i, 0),
                                    json_pack("{s:i, s:s}", "count", atoi(PQgetvalue(o, i, 1)),
                                              "repayment_dkk", PQgetvalue(o, i, 2)));
        json_object_set_new(c, "feeds", feeds);
        json_object_set_new(c, "closed_by_outcome", outcomes);
        jc_http_reply_json(req, 200, c);
        goto out;
db_error:
        jc_http_reply_db_error(req, &e);
out:
        PQclear(r);
        PQclear(f);
        PQclear(o);
}
