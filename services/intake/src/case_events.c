/*
 * Case events on jobcenter.case.v1, each with its line in the case history.
 */
#include <stdlib.h>

#include "intake.h"
#include "jc/outbox.h"

int intake_case_event(jc_service *svc, PGconn *db, const char *case_id, const char *short_type,
                      json_t *data, const char *principal, jc_pg_err *e)
{
        char *detail = json_dumps(data, JSON_COMPACT);
        PGresult *r;

        if (!detail) {
                json_decref(data);
                jc_pg_err_set(e, 0, "out of memory encoding %s", short_type);
                return -1;
        }
        r = jc_pg_exec(db, "intake_case_change_insert",
                       JC_PG_ARGS(case_id, short_type, detail, principal), e);
        free(detail);
        if (!r) {
                json_decref(data);
                return -1;
        }
        PQclear(r);
        return jc_emit(&svc->emitter, db, INTAKE_CASE_TOPIC, case_id, short_type, case_id, data,
                       NULL, e);
}
