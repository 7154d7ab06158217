/* Events on jobcenter.control.v1, in the caller's transaction. */
#include "control.h"
#include "jc/outbox.h"

int ctl_emit(jc_service *svc, PGconn *db, const char *key, const char *short_type, json_t *data,
             jc_pg_err *e)
{
        if (!data) {
                jc_pg_err_set(e, 0, "out of memory building %s", short_type);
                return -1;
        }
        return jc_emit(&svc->emitter, db, CTL_CONTROL_TOPIC, key, short_type, key, data, NULL, e);
}
