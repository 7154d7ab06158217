#ifndef INTAKE_H
#define INTAKE_H

#include "jc/http.h"
#include "jc/pg.h"
#include "jc/service.h"

#define INTAKE_CASE_TOPIC "jobcenter.case.v1"
#define INTAKE_CITIZEN_TOPIC "jobcenter.citizen.v1"

extern const jc_pg_stmt intake_stmts[];
extern const char *const intake_target_groups[]; /* NULL-terminated */

/* CPR: 10 digits (a hyphen after the 6th is accepted) whose first six are a
 * real date of birth, the century read from the 7th digit. The modulus-11
 * check is not applied (not valid for all CPR numbers since 2007). Writes the
 * 10 normalised digits to `out`. Returns 0 when valid. */
int intake_cpr_normalise(const char *in, char out[11]);

/* HTTP handlers (cases_http.c). */
void intake_case_create(jc_http_req *req);
void intake_case_get(jc_http_req *req);

#endif
