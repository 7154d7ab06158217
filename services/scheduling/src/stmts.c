/* scheduling's named statements (tables in ../sql/). */
#include <stddef.h>

#include "scheduling.h"

const jc_pg_stmt sched_stmts[] = {
        {"sched_case_upsert",
         "INSERT INTO case_projection (case_id, citizen_ref, target_group, start_date,"
         " opened_at) VALUES ($1::uuid, $2::uuid, $3, $4::date, $5::timestamptz)"
         " ON CONFLICT (case_id) DO UPDATE SET citizen_ref = EXCLUDED.citizen_ref,"
         " target_group = EXCLUDED.target_group, start_date = EXCLUDED.start_date,"
         " opened_at = EXCLUDED.opened_at, updated_at = now()"},
        {"sched_case_event_insert",
         "INSERT INTO case_event (case_id, event_id, event_type) VALUES ($1::uuid, $2, $3)"},
        {NULL, NULL},
};
