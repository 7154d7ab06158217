/*
 * Distribution: new cases go to the least-loaded caseworker who takes the
 * target group, load being open cases weighted by each group's caseload norm
 * (a caseworker with 25 sygedagpenge cases, norm 50, is half full). The open
 * cases per caseworker and group are counted by a trigger (caseworker_load,
 * sql/0003), so a pick costs O(caseworkers). The pick locks the chosen
 * caseworker row until commit and skips locked ones, so concurrent opens take
 * different caseworkers instead of queueing on one; only when every
 * candidate is busy does a pick wait. Ties are broken at random.
 */
#include <stdio.h>
#include <string.h>

#include "intake.h"
#include "jc/log.h"

int intake_pick_caseworker(PGconn *db, const char *target_group,
                           char caseworker_id[INTAKE_ID_LEN], char team_id[INTAKE_ID_LEN],
                           jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "intake_assign_pick", JC_PG_ARGS(target_group), e);

        if (r && PQntuples(r) == 0) {
                PQclear(r);
                r = jc_pg_exec(db, "intake_assign_pick_wait", JC_PG_ARGS(target_group), e);
        }
        if (!r)
                return -1;
        caseworker_id[0] = team_id[0] = '\0';
        if (PQntuples(r) == 1) {
                snprintf(caseworker_id, INTAKE_ID_LEN, "%s", PQgetvalue(r, 0, 0));
                snprintf(team_id, INTAKE_ID_LEN, "%s", PQgetvalue(r, 0, 1));
        }
        PQclear(r);
        return 0;
}

int intake_assign(jc_service *svc, PGconn *db, const char *case_id, const char *citizen_ref,
                  const char *caseworker_id, const char *team_id, const char *previous,
                  const char *reason, const char *principal, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "intake_case_assign", JC_PG_ARGS(case_id, caseworker_id), e);
        char assigned_at[40];

        if (!r)
                return -1;
        snprintf(assigned_at, sizeof(assigned_at), "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        return intake_case_event(
            svc, db, case_id, "case.caseworker_assigned.v1",
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s*}", "case_id", case_id, "citizen_ref",
                      citizen_ref, "caseworker_id", caseworker_id, "team_id", team_id,
                      "assigned_at", assigned_at, "reason", reason,
                      "previous_caseworker_id", previous),
            principal, e);
}

int intake_assign_backlog(jc_service *svc, PGconn *db, const char *groups,
                          const char *principal, int *assigned, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "intake_unassigned_for", JC_PG_ARGS(groups), e);
        int rc = 0;

        *assigned = 0;
        if (!r)
                return -1;
        for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
                char cw[INTAKE_ID_LEN], team[INTAKE_ID_LEN];

                rc = intake_pick_caseworker(db, PQgetvalue(r, i, 2), cw, team, e);
                if (rc == 0 && cw[0]) {
                        jc_log_ctx_set_case(PQgetvalue(r, i, 0));
                        rc = intake_assign(svc, db, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), cw,
                                           team, NULL, "distribution", principal, e);
                        if (rc == 0)
                                (*assigned)++;
                }
        }
        jc_log_ctx_set_case(NULL);
        PQclear(r);
        return rc;
}
