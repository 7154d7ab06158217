#ifndef JC_IDEMPOTENCY_H
#define JC_IDEMPOTENCY_H

#include <jansson.h>

#include "jc/pg.h"

/*
 * Idempotent creates. Inside the handler's transaction:
 *
 *   switch (jc_idem_claim(db, scope, key, request, &prior, &e)) {
 *   case JC_IDEM_NEW:      ... do the work ...; jc_idem_store(db, scope, key, 201, body, &e); COMMIT
 *   case JC_IDEM_REPLAY:   ROLLBACK; reply prior.status with prior.body
 *   case JC_IDEM_CONFLICT: ROLLBACK; 409
 *   case JC_IDEM_ERROR:    ROLLBACK; jc_http_reply_db_error
 *   }
 *
 * Two identical requests at once: the second blocks on the first's row
 * until it commits, then replays its answer, so exactly one create happens.
 */
typedef enum jc_idem_result {
        JC_IDEM_NEW,
        JC_IDEM_REPLAY,
        JC_IDEM_CONFLICT,
        JC_IDEM_ERROR,
} jc_idem_result;

typedef struct jc_idem_prior {
        int status;
        json_t *body; /* new reference when REPLAY: caller decrefs */
} jc_idem_prior;

/* `request` is hashed in canonical form (sorted keys), so key order and
 * whitespace do not make two equal bodies differ. */
jc_idem_result jc_idem_claim(PGconn *db, const char *scope, const char *key,
                             json_t *request, jc_idem_prior *prior,
                             jc_pg_err *e);
/* Stores the answer (borrowed) for replays. Returns 0 or -1. */
int jc_idem_store(PGconn *db, const char *scope, const char *key, int status,
                  json_t *body, jc_pg_err *e);

extern const jc_pg_stmt jc_idem_stmts[];

#endif
