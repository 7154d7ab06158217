/*
 * Audit of personal-data reads (include/jc/audit.h).
 */
#include <stdio.h>

#include "jc/audit.h"
#include "jc/auth.h"

void jc_audit_purpose(jc_http_req *req, char out[JC_AUDIT_PURPOSE_LEN])
{
        const char *purpose = jc_http_header(req, "X-Purpose");

        snprintf(out, JC_AUDIT_PURPOSE_LEN, "%s", purpose && *purpose ? purpose : "case-work");
        for (char *c = out; *c; c++)
                if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                        *c = '?';
}

int jc_audit_read(jc_http_req *req, PGconn *db, const char *stmt, const char *citizen_ref,
                  const char *case_id, jc_pg_err *e)
{
        const jc_token *who = jc_http_principal(req);
        char purpose[JC_AUDIT_PURPOSE_LEN];
        PGresult *r;

        jc_audit_purpose(req, purpose);
        r = jc_pg_exec(db, stmt,
                       JC_PG_ARGS(who ? who->principal : "anonymous", citizen_ref, case_id, purpose,
                                  jc_http_path(req)),
                       e);
        if (!r)
                return -1;
        PQclear(r);
        return 0;
}
