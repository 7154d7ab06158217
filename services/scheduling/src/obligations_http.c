/*
 * What the law requires of a case (GET /v1/cases/{id}/obligations) and the
 * search lists across cases (GET /v1/obligations).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/validate.h"
#include "jc/vocab.h"
#include "scheduling.h"

static const char *opt(PGresult *r, int row, int col)
{
        return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

void sched_case_obligations(jc_http_req *req)
{
        jc_service *svc = jc_http_service(req);
        sched_ctx *ctx = svc->ctx;
        const char *case_id = jc_http_uuid_param(req, "case_id");
        json_t *items, *set_info = NULL;
        jc_pg_err e;
        PGresult *c = NULL, *r = NULL;
        PGconn *db;

        if (!case_id)
                return;
        db = jc_http_db(req);
        if (!db)
                return;
        c = jc_pg_exec(db, "sched_case_get", JC_PG_ARGS(case_id), &e);
        if (!c)
                goto db_error;
        if (PQntuples(c) == 0) {
                jc_http_reply_problem(req, 404, "not-found", "Case not found",
                                      "scheduling has no case with this case_id", NULL);
                goto out;
        }
        r = jc_pg_exec(db, "sched_obligations_of_case", JC_PG_ARGS(case_id), &e);
        if (!r)
                goto db_error;
        items = json_array();
        for (int i = 0; i < PQntuples(r); i++)
                json_array_append_new(
                    items,
                    json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:s?,"
                              " s:s?, s:s?, s:s?, s:s?, s:s?}",
                              "obligation_id", PQgetvalue(r, i, 0), "kind", PQgetvalue(r, i, 1),
                              "ordinal", atoi(PQgetvalue(r, i, 2)), "due_date", PQgetvalue(r, i, 3),
                              "responsible", PQgetvalue(r, i, 4), "status", PQgetvalue(r, i, 5),
                              "target_group", PQgetvalue(r, i, 12), "rule_set", PQgetvalue(r, i, 6),
                              "rule", "id", PQgetvalue(r, i, 7), "rule_set", PQgetvalue(r, i, 6),
                              "source", sched_rules_source(ctx, PQgetvalue(r, i, 6), PQgetvalue(r, i, 7)),
                              "fulfilled_by_meeting", opt(r, i, 8), "fulfilled_by", opt(r, i, 9),
                              "fulfilled_on", opt(r, i, 10), "booked_meeting", opt(r, i, 11),
                              "fulfilled_by_offer", opt(r, i, 14), "cancelled_reason",
                              opt(r, i, 13)));
        if (!PQgetisnull(c, 0, 10)) {
                json_t *set = jc_rulebook_set_by_id(&ctx->rules, PQgetvalue(c, 0, 10));

                set_info = json_pack("{s:s, s:O?, s:O?}", "id", PQgetvalue(c, 0, 10), "valid_from",
                                     json_object_get(set, "valid_from"), "description",
                                     json_object_get(set, "description"));
        }
        jc_http_reply_json(req, 200,
                           json_pack("{s:s, s:s, s:s, s:s, s:o?, s:o}", "case_id", case_id,
                                     "target_group", PQgetvalue(c, 0, 2), "start_date",
                                     PQgetvalue(c, 0, 3), "status", PQgetvalue(c, 0, 4),
                                     "rule_set", set_info, "obligations", items));
        goto out;
db_error:
        jc_http_reply_db_error(req, &e);
out:
        PQclear(r);
        PQclear(c);
}

/* GET /v1/obligations?list=due_soon|overdue|open&within_days=14&caseworker_id=
 *   &team_id=&target_group=&limit=50&cursor=… */
void sched_obligations_list(jc_http_req *req)
{
        static const char *const lists[] = {"due_soon", "overdue", "open", NULL};
        jc_service *svc = jc_http_service(req);
        sched_ctx *ctx = svc->ctx;
        const char *list = jc_http_query(req, "list");
        const char *within = jc_http_query(req, "within_days");
        const char *cw = jc_http_query(req, "caseworker_id");
        const char *team = jc_http_query(req, "team_id");
        const char *group = jc_http_query(req, "target_group");
        const char *limit_s = jc_http_query(req, "limit");
        const char *cursor = jc_http_query(req, "cursor");
        char today[JC_DATE_STRLEN], days[24], lim[24], after_d[JC_DATE_STRLEN] = "";
        char after_id[JC_UUID_STRLEN] = "";
        char *end = NULL;
        long n = within ? strtol(within, &end, 10) : ctx->due_soon_days;
        long limit;
        char *lend = NULL;
        json_t *items;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        jc_verrs_init(&v);
        if (!list)
                list = "due_soon";
        if (!jc_vocab_has(lists, list))
                jc_verrs_add(&v, "list", "must be due_soon, overdue or open");
        if (n < 0 || n > 366 || (end && (*end || end == within)))
                jc_verrs_add(&v, "within_days", "must be an integer from 0 to 366");
        limit = limit_s ? strtol(limit_s, &lend, 10) : 50;
        if (limit < 1 || limit > 500 || (lend && (*lend || lend == limit_s)))
                jc_verrs_add(&v, "limit", "must be an integer from 1 to 500");
        if (group && !jc_vocab_has(jc_target_groups, group))
                jc_verrs_add(&v, "target_group", "must be a target group");
        if (cursor) {
                const char *us = strchr(cursor, '_');

                if (!us || us - cursor != 10 || !jc_uuid_is_valid(us + 1))
                        jc_verrs_add(&v, "cursor", "is not a cursor this API returned");
                else {
                        snprintf(after_d, sizeof(after_d), "%.10s", cursor);
                        snprintf(after_id, sizeof(after_id), "%s", us + 1);
                }
        }
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        jc_date_format(jc_service_today(svc), today);
        snprintf(days, sizeof(days), "%ld", n);
        snprintf(lim, sizeof(lim), "%ld", limit + 1);
        r = jc_pg_exec(db, "sched_obligations_list",
                       JC_PG_ARGS(list, today, days, cw, team, group, cursor ? after_d : NULL,
                                  cursor ? after_id : NULL, lim),
                       &e);
        if (!r) {
                if (strncmp(e.sqlstate, "22", 2) == 0)
                        jc_http_reply_field_problem(req, 422, "validation", "Invalid query", "cursor",
                                                    "is not a cursor this API returned");
                else
                        jc_http_reply_db_error(req, &e);
                goto out;
        }
        items = json_array();
        for (int i = 0; i < PQntuples(r) && i < limit; i++)
                json_array_append_new(
                    items, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:i, s:s, s:s, s:s, s:s, s:b}",
                                     "obligation_id", PQgetvalue(r, i, 0), "case_id", PQgetvalue(r, i, 1),
                                     "citizen_ref", PQgetvalue(r, i, 2), "target_group",
                                     PQgetvalue(r, i, 3), "caseworker_id", opt(r, i, 4), "team_id",
                                     opt(r, i, 5), "kind", PQgetvalue(r, i, 6), "ordinal",
                                     atoi(PQgetvalue(r, i, 7)), "due_date", PQgetvalue(r, i, 8),
                                     "status", PQgetvalue(r, i, 9), "rule_set", PQgetvalue(r, i, 10),
                                     "rule", PQgetvalue(r, i, 11), "booked",
                                     strcmp(PQgetvalue(r, i, 12), "t") == 0));
        jc_http_reply_json(req, 200,
                           json_pack("{s:s, s:s, s:o, s:s?}", "list", list, "today", today, "items",
                                     items, "next_cursor",
                                     PQntuples(r) > limit ? PQgetvalue(r, (int)limit - 1, 13) : NULL));
        PQclear(r);
out:
        jc_verrs_release(&v);
}
