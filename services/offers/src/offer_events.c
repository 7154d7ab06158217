/*
 * Events on jobcenter.offer.v1, keyed by case_id so all of a case's offer
 * events stay in order.
 */
#include "jc/outbox.h"
#include "offers.h"

int offers_emit(const jc_emitter *em, PGconn *db, const char *case_id, const char *short_type,
                json_t *data, jc_pg_err *e)
{
        if (!data) {
                jc_pg_err_set(e, 0, "out of memory building %s", short_type);
                return -1;
        }
        return jc_emit(em, db, OFFERS_TOPIC, case_id, short_type, case_id, data, NULL, e);
}
