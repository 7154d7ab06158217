/* intake's named statements (tables in ../sql/). */
#include <stddef.h>

#include "intake.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

const jc_pg_stmt intake_stmts[] = {
        /* citizens */
        {"intake_citizen_upsert",
         "INSERT INTO citizen (citizen_ref, cpr, name, digital_post, email, phone, street,"
         " postcode, city)"
         " VALUES ($1::uuid, $2, $3, $4::boolean, $5, $6, $7, $8, $9)"
         /* a field left out keeps what is known (the address as a unit) */
         " ON CONFLICT (cpr) DO UPDATE SET name = EXCLUDED.name,"
         " digital_post = EXCLUDED.digital_post,"
         " email = COALESCE(EXCLUDED.email, citizen.email),"
         " phone = COALESCE(EXCLUDED.phone, citizen.phone),"
         " street = CASE WHEN EXCLUDED.street IS NULL THEN citizen.street ELSE EXCLUDED.street END,"
         " postcode = CASE WHEN EXCLUDED.street IS NULL THEN citizen.postcode ELSE EXCLUDED.postcode END,"
         " city = CASE WHEN EXCLUDED.street IS NULL THEN citizen.city ELSE EXCLUDED.city END,"
         " updated_at = now()"
         /* the columns of intake_citizen_get, for intake_contact_from_row */
         " RETURNING citizen_ref, cpr, name, digital_post, email, phone, NULL, street, postcode,"
         " city"},
        {"intake_citizen_get",
         "SELECT citizen_ref, cpr, name, digital_post, email, phone, " TS("erased_at") ","
         " street, postcode, city"
         " FROM citizen WHERE citizen_ref = $1::uuid"},
        {"intake_citizen_cases",
         "SELECT case_id, target_group, status, start_date, caseworker_id FROM case_file"
         " WHERE citizen_ref = $1::uuid ORDER BY opened_at"},
        {"intake_citizen_erase",
         "UPDATE citizen SET cpr = NULL, name = NULL, email = NULL, phone = NULL, street = NULL,"
         " postcode = NULL, city = NULL,"
         " erased_at = now(), updated_at = now()"
         " WHERE citizen_ref = $1::uuid AND erased_at IS NULL"},
        /* The citizen's records in our own outbox ($2: the citizen topic; the
         * tombstone that follows supersedes them, published or not). */
        {"intake_citizen_outbox_erase",
         "DELETE FROM outbox WHERE topic = $2 AND msg_key = convert_to($1, 'UTF8')"
         " AND payload IS NOT NULL"},
        {"intake_citizen_open_cases",
         "SELECT count(*) FROM case_file WHERE citizen_ref = $1::uuid AND status = 'open'"},

        /* cases */
        {"intake_case_insert",
         "INSERT INTO case_file (case_id, citizen_ref, target_group, start_date, visitation, origin)"
         " VALUES ($1::uuid, $2::uuid, $3, $4::date, $5, $6)"
         " ON CONFLICT DO NOTHING RETURNING " TS("opened_at")},
        {"intake_open_case_find",
         "SELECT case_id FROM case_file"
         " WHERE citizen_ref = $1::uuid AND target_group = $2 AND status = 'open'"},
        {"intake_case_get",
         "SELECT case_id, citizen_ref, target_group, status, start_date, " TS("opened_at") ","
         " visitation, caseworker_id, close_reason, closed_on, origin"
         " FROM case_file WHERE case_id = $1::uuid"},
        {"intake_case_lock",
         "SELECT case_id, citizen_ref, target_group, status, visitation, caseworker_id"
         " FROM case_file WHERE case_id = $1::uuid FOR UPDATE"},
        {"intake_case_set_target_group",
         "UPDATE case_file SET target_group = $2 WHERE case_id = $1::uuid"},
        {"intake_case_set_visitation",
         "UPDATE case_file SET visitation = $2 WHERE case_id = $1::uuid"},
        {"intake_case_assign",
         "UPDATE case_file SET caseworker_id = $2, assigned_at = now()"
         " WHERE case_id = $1::uuid RETURNING " TS("assigned_at")},
        {"intake_case_close",
         "UPDATE case_file SET status = 'closed', close_reason = $2, closed_on = $3::date,"
         " closed_at = now() WHERE case_id = $1::uuid AND status = 'open'"
         " RETURNING " TS("closed_at")},
        {"intake_case_change_insert",
         "INSERT INTO case_change (case_id, change, detail, principal)"
         " VALUES ($1::uuid, $2, $3::jsonb, $4)"},
        /* keyset pagination on (opened_at, case_id); every filter optional */
        {"intake_case_list",
         "SELECT case_id, citizen_ref, target_group, status, start_date, " TS("opened_at") ","
         " visitation, caseworker_id, close_reason,"
         " to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '_' || case_id"
         " FROM case_file"
         " WHERE ($1::uuid IS NULL OR citizen_ref = $1::uuid)"
         " AND ($2::text IS NULL OR caseworker_id = $2)"
         " AND ($3::text IS NULL OR status = $3)"
         " AND ($4::text IS NULL OR target_group = $4)"
         " AND (NOT $5::boolean OR (caseworker_id IS NULL AND status = 'open'))"
         " AND ($6::timestamptz IS NULL OR (opened_at, case_id) > ($6::timestamptz, $7::uuid))"
         " ORDER BY opened_at, case_id LIMIT $8::int"},

        /* distribution */
        /* SKIP LOCKED: concurrent opens take different caseworkers instead of
         * queueing on the least loaded one; the lock lasts until commit. */
        {"intake_assign_pick",
         "SELECT c.caseworker_id, c.team_id FROM caseworker c"
         " WHERE c.active AND $1 = ANY (c.target_groups)"
         " ORDER BY (SELECT COALESCE(sum(l.open_cases::numeric / n.norm), 0)"
         "           FROM caseworker_load l JOIN caseload_norm n USING (target_group)"
         "           WHERE l.caseworker_id = c.caseworker_id),"
         " random() LIMIT 1 FOR UPDATE OF c SKIP LOCKED"},
        /* every candidate is busy with another open: wait for the least loaded */
        {"intake_assign_pick_wait",
         "SELECT c.caseworker_id, c.team_id FROM caseworker c"
         " WHERE c.active AND $1 = ANY (c.target_groups)"
         " ORDER BY (SELECT COALESCE(sum(l.open_cases::numeric / n.norm), 0)"
         "           FROM caseworker_load l JOIN caseload_norm n USING (target_group)"
         "           WHERE l.caseworker_id = c.caseworker_id),"
         " random() LIMIT 1 FOR UPDATE OF c"},
        {"intake_caseworker_get",
         "SELECT caseworker_id, team_id, active, $2 = ANY (target_groups)"
         " FROM caseworker WHERE caseworker_id = $1"},
        {"intake_unassigned_for",
         "SELECT case_id, citizen_ref, target_group FROM case_file"
         " WHERE status = 'open' AND caseworker_id IS NULL"
         " AND target_group = ANY ($1::text[]) ORDER BY opened_at"
         " LIMIT 2000 FOR UPDATE SKIP LOCKED"},
        {"intake_team_upsert",
         "INSERT INTO team (team_id, name) VALUES ($1, $2)"
         " ON CONFLICT (team_id) DO UPDATE SET name = EXCLUDED.name"},
        {"intake_caseworker_upsert",
         "INSERT INTO caseworker (caseworker_id, name, team_id, target_groups, active)"
         " VALUES ($1, $2, $3, $4::text[], $5::boolean)"
         " ON CONFLICT (caseworker_id) DO UPDATE SET name = EXCLUDED.name,"
         " team_id = EXCLUDED.team_id, target_groups = EXCLUDED.target_groups,"
         " active = EXCLUDED.active"},
        {"intake_team_exists", "SELECT 1 FROM team WHERE team_id = $1"},
        /* one row per caseworker and target group of their open cases */
        {"intake_caseworker_loads",
         "SELECT c.caseworker_id, c.name, c.team_id, c.active,"
         " array_to_json(c.target_groups)::text, l.target_group, l.open_cases, n.norm"
         " FROM caseworker c"
         " LEFT JOIN caseworker_load l ON l.caseworker_id = c.caseworker_id AND l.open_cases > 0"
         " LEFT JOIN caseload_norm n ON n.target_group = l.target_group"
         " WHERE ($1::text IS NULL OR c.team_id = $1)"
         " ORDER BY c.caseworker_id, l.target_group"},
        {"intake_norms_list", "SELECT target_group, norm FROM caseload_norm ORDER BY target_group"},
        {"intake_norm_set",
         "INSERT INTO caseload_norm (target_group, norm) VALUES ($1, $2::int)"
         " ON CONFLICT (target_group) DO UPDATE SET norm = EXCLUDED.norm"},

        /* a-kasse handovers */
        {"intake_akasse_active", "SELECT name FROM akasse WHERE code = $1 AND active"},
        {"intake_akasse_list", "SELECT code, name FROM akasse WHERE active ORDER BY code"},
        {"intake_handover_insert",
         "INSERT INTO handover (akasse, handover_id, request_hash, case_id, citizen_ref,"
         " unemployed_since, handover_date, cv_on_jobnet, availability_concerns,"
         " received_via, response)"
         " VALUES ($1, $2, $3, $4::uuid, $5::uuid, $6::date, $7::date, $8::boolean,"
         " $9::boolean, $10, $11)"},
        {"intake_handover_contacts_insert",
         "INSERT INTO handover_contact (akasse, handover_id, ordinal, held_on, kind, channel)"
         " SELECT $1, $2, o, d, k, c FROM unnest($3::int[], $4::date[], $5::text[], $6::text[])"
         " AS t(o, d, k, c)"},
        {"intake_handover_get",
         "SELECT h.handover_id, h.akasse, h.case_id, h.citizen_ref, h.received_via,"
         " " TS("h.received_at") ", f.status, h.unemployed_since, h.handover_date,"
         " (SELECT count(*) FROM handover_contact c WHERE c.akasse = h.akasse"
         "  AND c.handover_id = h.handover_id)"
         " FROM handover h JOIN case_file f ON f.case_id = h.case_id"
         " WHERE h.akasse = $1 AND h.handover_id = $2"},
        {"intake_handover_rejection_insert",
         "INSERT INTO handover_rejection (akasse, handover_id, reason) VALUES ($1, $2, $3)"},
        {"intake_handover_rejection_get",
         "SELECT reason, " TS("rejected_at") " FROM handover_rejection"
         " WHERE akasse = $1 AND handover_id = $2 ORDER BY rejected_at DESC LIMIT 1"},

        /* audit */
        {"intake_audit_insert",
         "INSERT INTO audit_read (principal, citizen_ref, case_id, purpose, route)"
         " VALUES ($1, $2::uuid, $3::uuid, $4, $5)"},
        {NULL, NULL},
};
