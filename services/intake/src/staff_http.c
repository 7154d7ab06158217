/*
 * Teams, caseworkers, caseload norms and each caseworker's load against them;
 * the a-kasse register.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake.h"
#include "jc/log.h"
#include "jc/validate.h"
#include "jc/vocab.h"

static int id_ok(const char *s)
{
        return s && *s && strlen(s) <= 40 &&
               strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s);
}

void intake_team_put(jc_http_req *req)
{
        static const char *const fields[] = {"name", NULL};
        const char *team = jc_http_param(req, "team_id"), *name;
        json_t *body = jc_http_json_body(req);
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        if (!body)
                return;
        jc_verrs_init(&v);
        if (!id_ok(team))
                jc_verrs_add(&v, "team_id", "must be 1 to 40 of a-z, 0-9 and -");
        jc_v_no_unknown(body, NULL, fields, &v);
        name = jc_v_str(body, NULL, "name", 1, 1, 100, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        r = jc_pg_exec(db, "intake_team_upsert", JC_PG_ARGS(team, name), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                goto out;
        }
        PQclear(r);
        jc_http_reply_json(req, 200, json_pack("{s:s, s:s}", "team_id", team, "name", name));
out:
        jc_verrs_release(&v);
}

/* PUT /v1/caseworkers/{caseworker_id} {name, team_id, target_groups, active}:
 * creates or updates a caseworker and gives them waiting unassigned cases of
 * their groups at once. */
void intake_caseworker_put(jc_http_req *req)
{
        static const char *const fields[] = {"name", "team_id", "target_groups", "active", NULL};
        jc_service *svc = jc_http_service(req);
        const char *id = jc_http_param(req, "caseworker_id"), *name, *team;
        json_t *body = jc_http_json_body(req), *groups;
        jc_buf arr = JC_BUF_INIT;
        int active = 1, assigned = 0;
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db = NULL;
        size_t i;
        json_t *g;

        if (!body)
                return;
        jc_verrs_init(&v);
        if (!id_ok(id))
                jc_verrs_add(&v, "caseworker_id", "must be 1 to 40 of a-z, 0-9 and -");
        jc_v_no_unknown(body, NULL, fields, &v);
        name = jc_v_str(body, NULL, "name", 1, 1, 100, &v);
        team = jc_v_str(body, NULL, "team_id", 1, 1, 40, &v);
        groups = jc_v_array(body, NULL, "target_groups", 1, 13, &v);
        jc_v_bool(body, NULL, "active", 0, &active, &v);
        json_array_foreach(groups, i, g) {
                char field[40];

                snprintf(field, sizeof(field), "target_groups[%zu]", i);
                if (!json_is_string(g) || !jc_vocab_has(jc_target_groups, json_string_value(g)))
                        jc_verrs_add(&v, field, "must be a target group");
                else
                        jc_pg_array_add(&arr, json_string_value(g));
        }
        jc_pg_array_end(&arr);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        if (jc_pg_cmd(db, "BEGIN", &e) != 0)
                goto db_error;
        r = jc_pg_exec(db, "intake_team_exists", JC_PG_ARGS(team), &e);
        if (!r)
                goto db_error;
        if (PQntuples(r) == 0) {
                PQclear(r);
                jc_pg_rollback(db);
                jc_http_reply_field_problem(req, 422, "validation", "Request body is invalid",
                                            "team_id", "is not a known team");
                goto out;
        }
        PQclear(r);
        r = jc_pg_exec(db, "intake_caseworker_upsert",
                       JC_PG_ARGS(id, name, team, arr.data, active ? "true" : "false"), &e);
        if (!r)
                goto db_error;
        PQclear(r);
        if (active && intake_assign_backlog(svc, db, arr.data, jc_http_principal(req)->principal,
                                            &assigned, &e) != 0)
                goto db_error;
        if (jc_pg_cmd(db, "COMMIT", &e) != 0)
                goto db_error;
        jc_http_reply_json(req, 200,
                           json_pack("{s:s, s:s, s:s, s:O, s:b, s:i}", "caseworker_id", id, "name",
                                     name, "team_id", team, "target_groups", groups, "active",
                                     active, "assigned_waiting_cases", assigned));
        goto out;
db_error:
        jc_pg_rollback(db);
        jc_http_reply_db_error(req, &e);
out:
        jc_buf_release(&arr);
        jc_verrs_release(&v);
}

/* GET /v1/caseworkers[?team_id=]: each caseworker's open cases per target
 * group against the norm, and their load (sum of open/norm: 1.0 = full). */
void intake_caseworkers_list(jc_http_req *req)
{
        const char *team = jc_http_query(req, "team_id");
        json_t *items = json_array(), *cur = NULL, *groups = NULL;
        double load = 0;
        int open = 0;
        jc_pg_err e;
        PGresult *r;
        PGconn *db = jc_http_db(req);

        if (!db) {
                json_decref(items);
                return;
        }
        r = jc_pg_exec(db, "intake_caseworker_loads", JC_PG_ARGS(team), &e);
        if (!r) {
                json_decref(items);
                jc_http_reply_db_error(req, &e);
                return;
        }
        for (int i = 0; i < PQntuples(r); i++) {
                const char *id = PQgetvalue(r, i, 0);

                if (!cur || strcmp(json_string_value(json_object_get(cur, "caseworker_id")), id)) {
                        if (cur) {
                                json_object_set_new(cur, "open_cases", json_integer(open));
                                json_object_set_new(cur, "load", json_real(load));
                                json_object_set_new(cur, "over_norm", json_boolean(load > 1.0));
                                json_array_append_new(items, cur);
                        }
                        groups = json_array();
                        cur = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o}", "caseworker_id", id,
                                        "name", PQgetvalue(r, i, 1), "team_id",
                                        PQgetvalue(r, i, 2), "active",
                                        strcmp(PQgetvalue(r, i, 3), "t") == 0, "target_groups",
                                        json_loads(PQgetvalue(r, i, 4), 0, NULL), "caseload",
                                        groups);
                        load = 0;
                        open = 0;
                }
                if (!PQgetisnull(r, i, 5)) {
                        int n = atoi(PQgetvalue(r, i, 6)), norm = atoi(PQgetvalue(r, i, 7));

                        open += n;
                        load += norm > 0 ? (double)n / norm : 0;
                        json_array_append_new(groups,
                                              json_pack("{s:s, s:i, s:i}", "target_group",
                                                        PQgetvalue(r, i, 5), "open_cases", n,
                                                        "norm", norm));
                }
        }
        if (cur) {
                json_object_set_new(cur, "open_cases", json_integer(open));
                json_object_set_new(cur, "load", json_real(load));
                json_object_set_new(cur, "over_norm", json_boolean(load > 1.0));
                json_array_append_new(items, cur);
        }
        PQclear(r);
        jc_http_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

void intake_norms_get(jc_http_req *req)
{
        json_t *norms = json_object();
        jc_pg_err e;
        PGresult *r;
        PGconn *db = jc_http_db(req);

        if (!db) {
                json_decref(norms);
                return;
        }
        r = jc_pg_exec(db, "intake_norms_list", 0, NULL, &e);
        if (!r) {
                json_decref(norms);
                jc_http_reply_db_error(req, &e);
                return;
        }
        for (int i = 0; i < PQntuples(r); i++)
                json_object_set_new(norms, PQgetvalue(r, i, 0),
                                    json_integer(atoi(PQgetvalue(r, i, 1))));
        PQclear(r);
        jc_http_reply_json(req, 200, json_pack("{s:o}", "norms", norms));
}

void intake_norm_put(jc_http_req *req)
{
        static const char *const fields[] = {"norm", NULL};
        const char *group = jc_http_param(req, "target_group");
        json_t *body = jc_http_json_body(req);
        long long norm = 0;
        char n[24];
        jc_verrs v;
        jc_pg_err e;
        PGresult *r;
        PGconn *db;

        if (!body)
                return;
        jc_verrs_init(&v);
        if (!jc_vocab_has(jc_target_groups, group))
                jc_verrs_add(&v, "target_group", "must be a target group");
        jc_v_no_unknown(body, NULL, fields, &v);
        jc_v_int(body, NULL, "norm", 1, 1, 1000, &norm, &v);
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        snprintf(n, sizeof(n), "%lld", norm);
        r = jc_pg_exec(db, "intake_norm_set", JC_PG_ARGS(group, n), &e);
        if (!r) {
                jc_http_reply_db_error(req, &e);
                goto out;
        }
        PQclear(r);
        jc_http_reply_json(req, 200, json_pack("{s:s, s:I}", "target_group", group, "norm",
                                               (json_int_t)norm));
out:
        jc_verrs_release(&v);
}

void intake_akasser_list(jc_http_req *req)
{
        json_t *items = json_array();
        jc_pg_err e;
        PGresult *r;
        PGconn *db = jc_http_db(req);

        if (!db) {
                json_decref(items);
                return;
        }
        r = jc_pg_exec(db, "intake_akasse_list", 0, NULL, &e);
        if (!r) {
                json_decref(items);
                jc_http_reply_db_error(req, &e);
                return;
        }
        for (int i = 0; i < PQntuples(r); i++)
                json_array_append_new(items, json_pack("{s:s, s:s}", "code", PQgetvalue(r, i, 0),
                                                       "name", PQgetvalue(r, i, 1)));
        PQclear(r);
        jc_http_reply_json(req, 200, json_pack("{s:o}", "items", items));
}
