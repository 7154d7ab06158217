/*
 * Opening a case: the one path for caseworker registrations and a-kasse
 * handovers.
 */
#include <stdio.h>
#include <string.h>

#include "intake.h"
#include "jc/log.h"
#include "jc/outbox.h"

static int citizen_upsert(jc_service *svc, PGconn *db, const intake_case_new *in,
                          char citizen_ref[JC_UUID_STRLEN], jc_pg_err *e)
{
        char new_ref[JC_UUID_STRLEN];
        json_t *contact, *data;
        PGresult *r;

        if (jc_uuid_v4(new_ref) != 0) {
                jc_pg_err_set(e, 1, "kernel RNG failed");
                return -1;
        }
        r = jc_pg_exec(db, "intake_citizen_upsert",
                       JC_PG_ARGS(new_ref, in->cpr, in->name,
                                  in->contact.digital_post ? "true" : "false", in->contact.email,
                                  in->contact.phone, in->contact.street, in->contact.postcode,
                                  in->contact.city),
                       e);
        if (!r)
                return -1;
        snprintf(citizen_ref, JC_UUID_STRLEN, "%s", PQgetvalue(r, 0, 0));
        /* The personal data goes only to the restricted, compacted topic. */
        contact = intake_contact_from_row(r, 0);
        PQclear(r);
        data = json_pack("{s:s, s:s, s:s, s:o}", "citizen_ref", citizen_ref, "cpr", in->cpr,
                         "name", in->name, "contact", contact);
        return jc_emit(&svc->emitter, db, INTAKE_CITIZEN_TOPIC, citizen_ref,
                       "citizen.upserted.v1", citizen_ref, data, NULL, e);
}

/* The explicitly requested caseworker must exist, be active and take the group. */
static int caseworker_ok(PGconn *db, const char *caseworker_id, const char *group,
                         char team_id[INTAKE_ID_LEN], int *ok, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "intake_caseworker_get", JC_PG_ARGS(caseworker_id, group), e);

        if (!r)
                return -1;
        *ok = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 2), "t") == 0 &&
              strcmp(PQgetvalue(r, 0, 3), "t") == 0;
        if (*ok)
                snprintf(team_id, INTAKE_ID_LEN, "%s", PQgetvalue(r, 0, 1));
        PQclear(r);
        return 0;
}

intake_open_result intake_case_open(jc_service *svc, PGconn *db, const intake_case_new *in,
                                    intake_case_opened *out, jc_pg_err *e)
{
        char start[JC_DATE_STRLEN];
        json_t *data;
        PGresult *r;
        int ok;

        memset(out, 0, sizeof(*out));
        if (jc_uuid_v4(out->case_id) != 0) {
                jc_pg_err_set(e, 1, "kernel RNG failed");
                return INTAKE_ERROR;
        }
        if (in->caseworker_id) {
                if (caseworker_ok(db, in->caseworker_id, in->target_group, out->team_id, &ok, e))
                        return INTAKE_ERROR;
                if (!ok)
                        return INTAKE_BAD_CASEWORKER;
                snprintf(out->caseworker_id, INTAKE_ID_LEN, "%s", in->caseworker_id);
        }
        if (citizen_upsert(svc, db, in, out->citizen_ref, e) != 0)
                return INTAKE_ERROR;
        jc_date_format(in->start_date, start);
        /* ON CONFLICT DO NOTHING on the one-open-case-per-group index: a
         * concurrent open of the same group waits for us, then gets no row. */
        r = jc_pg_exec(db, "intake_case_insert",
                       JC_PG_ARGS(out->case_id, out->citizen_ref, in->target_group, start,
                                  in->visitation, in->origin),
                       e);
        if (!r)
                return INTAKE_ERROR;
        if (PQntuples(r) == 0) {
                PQclear(r);
                r = jc_pg_exec(db, "intake_open_case_find",
                               JC_PG_ARGS(out->citizen_ref, in->target_group), e);
                if (!r)
                        return INTAKE_ERROR;
                snprintf(out->existing_case_id, JC_UUID_STRLEN, "%s",
                         PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
                PQclear(r);
                return INTAKE_OPEN_CASE_EXISTS;
        }
        snprintf(out->opened_at, sizeof(out->opened_at), "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        jc_log_ctx_set_case(out->case_id);

        if (!in->caseworker_id &&
            intake_pick_caseworker(db, in->target_group, out->caseworker_id, out->team_id, e))
                return INTAKE_ERROR;
        if (out->caseworker_id[0]) {
                r = jc_pg_exec(db, "intake_case_assign",
                               JC_PG_ARGS(out->case_id, out->caseworker_id), e);
                if (!r)
                        return INTAKE_ERROR;
                PQclear(r);
        } else {
                jc_log_write(JC_LOG_WARN, JC_KV({"target_group", in->target_group}),
                             "no active caseworker takes this target group; case waits unassigned");
        }
        data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s*, s:s*, s:s*, s:O*}", "case_id",
                         out->case_id, "citizen_ref", out->citizen_ref, "target_group",
                         in->target_group, "start_date", start, "opened_at", out->opened_at,
                         "origin", in->origin, "visitation", in->visitation, "caseworker_id",
                         out->caseworker_id[0] ? out->caseworker_id : NULL, "team_id",
                         out->team_id[0] ? out->team_id : NULL, "handover", in->handover);
        if (intake_case_event(svc, db, out->case_id, "case.opened.v1", data, in->principal, e))
                return INTAKE_ERROR;
        return INTAKE_OPENED;
}
