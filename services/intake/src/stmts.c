/* intake's named statements (tables in ../sql/). */
#include <stddef.h>

#include "intake.h"

const jc_pg_stmt intake_stmts[] = {
        {"intake_citizen_upsert",
         "INSERT INTO citizen (citizen_ref, cpr, name, digital_post, email, phone)"
         " VALUES ($1::uuid, $2, $3, $4::boolean, $5, $6)"
         " ON CONFLICT (cpr) DO UPDATE SET name = EXCLUDED.name,"
         " digital_post = EXCLUDED.digital_post, email = EXCLUDED.email,"
         " phone = EXCLUDED.phone, updated_at = now()"
         " RETURNING citizen_ref"},
        {"intake_case_insert",
         "INSERT INTO case_file (case_id, citizen_ref, target_group, start_date)"
         " VALUES ($1::uuid, $2::uuid, $3, $4::date)"
         " ON CONFLICT DO NOTHING"
         " RETURNING to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"},
        {"intake_open_case_find",
         "SELECT case_id FROM case_file"
         " WHERE citizen_ref = $1::uuid AND target_group = $2 AND status = 'open'"},
        {"intake_case_get",
         "SELECT case_id, citizen_ref, target_group, status, start_date,"
         " to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
         " close_reason FROM case_file WHERE case_id = $1::uuid"},
        {NULL, NULL},
};
