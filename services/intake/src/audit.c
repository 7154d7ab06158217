/*
 * Audit of personal-data reads: who (token principal), which citizen, when,
 * why (X-Purpose header), through which route.
 */
#include <string.h>

#include "intake.h"

int intake_audit_read(jc_http_req *req, PGconn *db, const char *citizen_ref,
                      const char *case_id, jc_pg_err *e)
{
        const char *purpose = jc_http_header(req, "X-Purpose");
        char p[121];
        PGresult *r;

        /* Free text from the client: bounded, printable ASCII only. */
        strncpy(p, purpose && *purpose ? purpose : "case-work", sizeof(p) - 1);
        p[sizeof(p) - 1] = '\0';
        for (char *c = p; *c; c++)
                if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                        *c = '?';
        r = jc_pg_exec(db, "intake_audit_insert",
                       JC_PG_ARGS(jc_http_principal(req)->principal, citizen_ref, case_id, p,
                                  jc_http_path(req)),
                       e);
        if (!r)
                return -1;
        PQclear(r);
        return 0;
}
