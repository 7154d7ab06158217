#ifndef JC_AUDIT_H
#define JC_AUDIT_H

#include <libpq-fe.h>

#include "jc/http.h"
#include "jc/pg.h"

/*
 * Audit of personal-data reads: who (the token's principal), which citizen
 * and case, why (the X-Purpose header, "case-work" when absent), through which
 * path, written in the reading service's own schema in the request's
 * transaction or connection.
 */

#define JC_AUDIT_PURPOSE_LEN 121

/* The request's X-Purpose: free text from the client, so bounded to 120
 * bytes and printable ASCII only (anything else becomes '?'). */
void jc_audit_purpose(jc_http_req *req, char out[JC_AUDIT_PURPOSE_LEN]);

/* Runs the service's named statement `stmt`, which takes (principal,
 * citizen_ref, case_id, purpose, path) and inserts the audit row. 0, or -1
 * with `e` set. */
int jc_audit_read(jc_http_req *req, PGconn *db, const char *stmt, const char *citizen_ref,
                  const char *case_id, jc_pg_err *e);

#endif
