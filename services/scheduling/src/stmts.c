/* scheduling's named statements (tables in ../sql/). */
#include <stddef.h>

#include "scheduling.h"

#define EPOCH(col) "extract(epoch FROM " col ")::bigint"
#define NOMEETING "'00000000-0000-0000-0000-000000000000'::uuid"

const jc_pg_stmt sched_stmts[] = {
        /* the case projection */
        /* the projection and the event's history row in one round trip */
        {"sched_case_upsert",
         "WITH up AS (INSERT INTO case_projection (case_id, citizen_ref, target_group, start_date,"
         " opened_at, visitation, caseworker_id, team_id, origin, handover)"
         " VALUES ($1::uuid, $2::uuid, $3, $4::date, $5::timestamptz, $6, $7, $8, $9, $10::jsonb)"
         " ON CONFLICT (case_id) DO UPDATE SET citizen_ref = EXCLUDED.citizen_ref,"
         " target_group = EXCLUDED.target_group, start_date = EXCLUDED.start_date,"
         " opened_at = EXCLUDED.opened_at, visitation = EXCLUDED.visitation,"
         " caseworker_id = COALESCE(EXCLUDED.caseworker_id, case_projection.caseworker_id),"
         " team_id = COALESCE(EXCLUDED.team_id, case_projection.team_id),"
         " origin = EXCLUDED.origin, handover = EXCLUDED.handover, updated_at = now()"
         " RETURNING case_id)"
         " INSERT INTO case_event (case_id, event_id, event_type)"
         " SELECT case_id, $11, $12 FROM up"},
        {"sched_case_event_insert",
         "INSERT INTO case_event (case_id, event_id, event_type) VALUES ($1::uuid, $2, $3)"},
        {"sched_case_get",
         "SELECT case_id, citizen_ref, target_group, start_date, status, visitation, caseworker_id,"
         " team_id, origin, handover::text, rule_set FROM case_projection WHERE case_id = $1::uuid"},
        {"sched_case_lock",
         "SELECT case_id, citizen_ref, target_group, start_date, status, visitation, caseworker_id,"
         " team_id, origin, handover::text FROM case_projection WHERE case_id = $1::uuid FOR UPDATE"},
        {"sched_case_set_target_group",
         "UPDATE case_projection SET target_group = $2, updated_at = now() WHERE case_id = $1::uuid"},
        {"sched_case_set_visitation",
         "UPDATE case_projection SET visitation = $2, updated_at = now() WHERE case_id = $1::uuid"},
        {"sched_case_set_caseworker",
         "UPDATE case_projection SET caseworker_id = $2, team_id = $3, updated_at = now()"
         " WHERE case_id = $1::uuid"},
        {"sched_case_close",
         "UPDATE case_projection SET status = 'closed', closed_on = $2::date, updated_at = now()"
         " WHERE case_id = $1::uuid"},

        /* obligations */
        /* every obligation of the case and its rule set in one round trip */
        {"sched_obligations_insert",
         "WITH rs AS (UPDATE case_projection SET rule_set = $3 WHERE case_id = $1::uuid)"
         " INSERT INTO obligation (obligation_id, case_id, target_group, rule_set, kind, ordinal,"
         " due_date, responsible, status, rule_id, fulfilled_by, fulfilled_on, offer_fulfils)"
         " SELECT id, $1::uuid, $2, $3, k, o, d, r, s, rid, fb, fo, off"
         " FROM unnest($4::uuid[], $5::text[], $6::int[], $7::date[], $8::text[], $9::text[],"
         " $10::text[], $11::text[], $12::date[], $13::boolean[])"
         " AS t(id, k, o, d, r, s, rid, fb, fo, off)"
         " ON CONFLICT (case_id, rule_set, rule_id, kind, ordinal) DO NOTHING"},
        {"sched_obligations_cancel_group",
         "UPDATE obligation SET status = 'cancelled', cancelled_reason = $3"
         " WHERE case_id = $1::uuid AND target_group = $2 AND status = 'open'"},
        {"sched_obligations_cancel_open",
         "UPDATE obligation SET status = 'cancelled', cancelled_reason = $2"
         " WHERE case_id = $1::uuid AND status = 'open'"},
        /* visitation change: rules of the case's rule set that no longer apply */
        {"sched_obligations_cancel_rules_except",
         "UPDATE obligation SET status = 'cancelled', cancelled_reason = 'visitation_changed'"
         " WHERE case_id = $1::uuid AND target_group = $2 AND status = 'open'"
         " AND NOT (rule_id = ANY ($3::text[]))"},
        {"sched_obligation_fulfil_id",
         "UPDATE obligation SET status = 'fulfilled', fulfilled_by = 'jobcenter',"
         " fulfilled_by_meeting = $2::uuid, fulfilled_on = $3::date"
         " WHERE obligation_id = $1::uuid AND status IN ('open', 'missed')"
         " RETURNING obligation_id"},
        {"sched_obligation_fulfil_next",
         "UPDATE obligation SET status = 'fulfilled', fulfilled_by = 'jobcenter',"
         " fulfilled_by_meeting = $3::uuid, fulfilled_on = $4::date"
         " WHERE obligation_id = (SELECT obligation_id FROM obligation o"
         "   WHERE case_id = $1::uuid AND status IN ('open', 'missed') AND kind = ANY ($2::text[])"
         "   AND responsible = 'jobcenter' AND NOT EXISTS (SELECT 1 FROM meeting m"
         "     WHERE m.obligation_id = o.obligation_id AND m.status = 'booked'"
         "     AND m.meeting_id <> $3::uuid)"
         "   ORDER BY due_date, ordinal LIMIT 1 FOR UPDATE)"
         " RETURNING obligation_id"},
        /* offer.started: open obligations the rules let an offer fulfil, due
         * on or after the start (a start after the due date is too late) */
        {"sched_obligations_fulfil_by_offer",
         "UPDATE obligation SET status = 'fulfilled', fulfilled_by = 'offer',"
         " fulfilled_by_offer = $2::uuid, fulfilled_on = $3::date"
         " WHERE case_id = $1::uuid AND offer_fulfils AND status = 'open'"
         " AND due_date >= $3::date RETURNING obligation_id"},
        {"sched_obligations_of_case",
         "SELECT o.obligation_id, o.kind, o.ordinal, o.due_date, o.responsible, o.status,"
         " o.rule_set, o.rule_id, o.fulfilled_by_meeting, o.fulfilled_by, o.fulfilled_on,"
         " (SELECT m.meeting_id FROM meeting m WHERE m.obligation_id = o.obligation_id"
         "  AND m.status = 'booked' LIMIT 1), o.target_group, o.cancelled_reason,"
         " o.fulfilled_by_offer"
         " FROM obligation o WHERE o.case_id = $1::uuid ORDER BY o.due_date, o.kind, o.ordinal"},
        {"sched_obligation_for_booking",
         "SELECT status, due_date, kind, responsible FROM obligation"
         " WHERE obligation_id = $1::uuid AND case_id = $2::uuid"},
        {"sched_next_bookable_obligation",
         "SELECT obligation_id, due_date FROM obligation o"
         " WHERE case_id = $1::uuid AND status IN ('open', 'missed') AND kind = ANY ($2::text[])"
         " AND responsible = 'jobcenter' AND NOT EXISTS (SELECT 1 FROM meeting m"
         "   WHERE m.obligation_id = o.obligation_id AND m.status = 'booked'"
         "   AND m.meeting_id <> COALESCE($3::uuid, " NOMEETING "))"
         " ORDER BY due_date, ordinal LIMIT 1"},
        {"sched_obligation_has_booking",
         "SELECT meeting_id FROM meeting WHERE obligation_id = $1::uuid AND status = 'booked'"
         " AND meeting_id <> COALESCE($2::uuid, " NOMEETING ") LIMIT 1"},

        /* meetings and calendars */
        {"sched_calendar_lock_ensure",
         "INSERT INTO calendar_lock (caseworker_id) VALUES ($1) ON CONFLICT DO NOTHING"},
        {"sched_calendar_lock",
         "SELECT caseworker_id FROM calendar_lock WHERE caseworker_id = $1 FOR UPDATE"},
        {"sched_caseworker_busy",
         "SELECT 1 FROM meeting WHERE caseworker_id = $1 AND status IN ('booked', 'held')"
         " AND starts_at < to_timestamp($3::bigint) AND ends_at > to_timestamp($2::bigint)"
         " AND meeting_id <> COALESCE($4::uuid, " NOMEETING ")"
         " UNION ALL SELECT 1 FROM calendar_block WHERE caseworker_id = $1"
         " AND starts_at < to_timestamp($3::bigint) AND ends_at > to_timestamp($2::bigint) LIMIT 1"},
        {"sched_citizen_busy",
         "SELECT 1 FROM meeting m JOIN case_projection c USING (case_id)"
         " WHERE c.citizen_ref = $1::uuid AND m.status = 'booked'"
         " AND m.starts_at < to_timestamp($3::bigint) AND m.ends_at > to_timestamp($2::bigint)"
         " AND m.meeting_id <> COALESCE($4::uuid, " NOMEETING ") LIMIT 1"},
        {"sched_meeting_insert",
         "INSERT INTO meeting (meeting_id, case_id, caseworker_id, starts_at, ends_at, channel,"
         " location, purpose, obligation_id, booked_by)"
         " VALUES ($1::uuid, $2::uuid, $3, to_timestamp($4::bigint), to_timestamp($5::bigint), $6,"
         " $7, $8, $9::uuid, $10)"},
        {"sched_meeting_move",
         "UPDATE meeting SET starts_at = to_timestamp($2::bigint), ends_at = to_timestamp($3::bigint),"
         " obligation_id = $4::uuid, updated_at = now() WHERE meeting_id = $1::uuid"},
        {"sched_meeting_lock",
         "SELECT m.meeting_id, m.case_id, m.caseworker_id, " EPOCH("m.starts_at") ","
         " " EPOCH("m.ends_at") ", m.channel, m.location, m.purpose, m.obligation_id, m.status,"
         " c.citizen_ref FROM meeting m JOIN case_projection c USING (case_id)"
         " WHERE m.meeting_id = $1::uuid FOR UPDATE OF m"},
        {"sched_meeting_set_outcome",
         "UPDATE meeting SET status = $2, held_on = $3::date, lawful_reason = $4::boolean,"
         " no_show_reason = $5, cancel_reason = $6, updated_at = now() WHERE meeting_id = $1::uuid"},
        {"sched_meeting_get",
         "SELECT m.meeting_id, m.case_id, c.citizen_ref, m.caseworker_id, " EPOCH("m.starts_at") ","
         " " EPOCH("m.ends_at") ", m.channel, m.location, m.purpose, m.obligation_id, m.status,"
         " m.booked_by, m.held_on, m.lawful_reason, m.no_show_reason, m.cancel_reason"
         " FROM meeting m JOIN case_projection c USING (case_id) WHERE m.meeting_id = $1::uuid"},
        /* the same, locked for a change in the caller's transaction: two
         * concurrent changes of one meeting serialise and the second sees
         * the first's status */
        {"sched_meeting_get_locked",
         "SELECT m.meeting_id, m.case_id, c.citizen_ref, m.caseworker_id, " EPOCH("m.starts_at") ","
         " " EPOCH("m.ends_at") ", m.channel, m.location, m.purpose, m.obligation_id, m.status,"
         " m.booked_by, m.held_on, m.lawful_reason, m.no_show_reason, m.cancel_reason"
         " FROM meeting m JOIN case_projection c USING (case_id) WHERE m.meeting_id = $1::uuid"
         " FOR UPDATE OF m"},
        {"sched_case_meetings",
         "SELECT m.meeting_id FROM meeting m WHERE m.case_id = $1::uuid ORDER BY m.starts_at"},
        {"sched_case_booked_meetings",
         "SELECT meeting_id FROM meeting WHERE case_id = $1::uuid AND status = 'booked'"
         " ORDER BY starts_at FOR UPDATE"},
        {"sched_busy_intervals",
         "SELECT " EPOCH("starts_at") ", " EPOCH("ends_at") " FROM meeting"
         " WHERE caseworker_id = $1 AND status IN ('booked', 'held')"
         " AND ends_at > to_timestamp($2::bigint) AND starts_at < to_timestamp($3::bigint)"
         " UNION ALL SELECT " EPOCH("starts_at") ", " EPOCH("ends_at") " FROM calendar_block"
         " WHERE caseworker_id = $1 AND ends_at > to_timestamp($2::bigint)"
         " AND starts_at < to_timestamp($3::bigint) ORDER BY 1"},
        {"sched_block_insert",
         "INSERT INTO calendar_block (block_id, caseworker_id, starts_at, ends_at, reason, created_by)"
         " VALUES ($1::uuid, $2, to_timestamp($3::bigint), to_timestamp($4::bigint), $5, $6)"},

        /* search lists: due soon without a booking, overdue, open */
        {"sched_obligations_list",
         "SELECT o.obligation_id, o.case_id, c.citizen_ref, c.target_group, c.caseworker_id,"
         " c.team_id, o.kind, o.ordinal, o.due_date, o.status, o.rule_set, o.rule_id,"
         " EXISTS (SELECT 1 FROM meeting m WHERE m.obligation_id = o.obligation_id"
         "  AND m.status = 'booked'),"
         " o.due_date::text || '_' || o.obligation_id"
         " FROM obligation o JOIN case_projection c USING (case_id)"
         " WHERE c.status = 'open' AND o.responsible = 'jobcenter'"
         " AND CASE $1"
         "  WHEN 'due_soon' THEN o.status = 'open' AND o.due_date >= $2::date"
         "   AND o.due_date <= $2::date + $3::int AND NOT EXISTS (SELECT 1 FROM meeting m"
         "   WHERE m.obligation_id = o.obligation_id AND m.status = 'booked')"
         "  WHEN 'overdue' THEN o.status IN ('open', 'missed') AND o.due_date < $2::date"
         "  ELSE o.status IN ('open', 'missed') END"
         " AND ($4::text IS NULL OR c.caseworker_id = $4)"
         " AND ($5::text IS NULL OR c.team_id = $5)"
         " AND ($6::text IS NULL OR c.target_group = $6)"
         " AND ($7::date IS NULL OR (o.due_date, o.obligation_id) > ($7::date, $8::uuid))"
         " ORDER BY o.due_date, o.obligation_id LIMIT $9::int"},

        /* the timeliness measure: the cohort with six months' seniority, and
         * for each case the meetings held (by the jobcenter, plus those the
         * a-kasse held) and booked up to its six-month date */
        {"sched_measure_cohort",
         "WITH cohort AS ("
         "  SELECT c.case_id, c.caseworker_id, c.start_date,"
         "         (c.start_date + interval '6 months')::date AS six"
         "  FROM case_projection c"
         "  WHERE c.target_group = $1 AND c.start_date <= $2::date"
         "    AND (c.start_date + interval '6 months')::date <= $2::date"
         "    AND ($3 = 'all' OR (c.start_date + interval '6 months')::date"
         "         > ($2::date - interval '1 month')::date)"
         "    AND (c.closed_on IS NULL OR c.closed_on >= (c.start_date + interval '6 months')::date))"
         " SELECT k.case_id, k.caseworker_id, k.six,"
         "  (SELECT count(*) FROM meeting m WHERE m.case_id = k.case_id AND m.status = 'held'"
         "    AND m.held_on BETWEEN k.start_date AND k.six)"
         "  + (SELECT count(*) FROM obligation o WHERE o.case_id = k.case_id"
         "    AND o.fulfilled_by = 'akasse' AND o.fulfilled_on <= k.six),"
         "  (SELECT count(*) FROM meeting m WHERE m.case_id = k.case_id AND m.status = 'booked'"
         "    AND (m.starts_at AT TIME ZONE 'Europe/Copenhagen')::date BETWEEN k.start_date AND k.six)"
         " FROM cohort k ORDER BY k.six, k.case_id"},

        /* the sweep: each warning once (mark and emit in one transaction) */
        {"sched_sweep_due_soon",
         "UPDATE obligation o SET due_soon_sent_at = now() FROM case_projection c"
         " WHERE c.case_id = o.case_id AND o.obligation_id IN ("
         "  SELECT o2.obligation_id FROM obligation o2 JOIN case_projection c2 USING (case_id)"
         "  WHERE c2.status = 'open' AND o2.status = 'open' AND o2.responsible = 'jobcenter'"
         "  AND o2.due_soon_sent_at IS NULL AND o2.due_date >= $1::date"
         "  AND o2.due_date <= $1::date + $2::int AND NOT EXISTS (SELECT 1 FROM meeting m"
         "   WHERE m.obligation_id = o2.obligation_id AND m.status = 'booked')"
         "  ORDER BY o2.due_date LIMIT 500 FOR UPDATE OF o2 SKIP LOCKED)"
         " RETURNING o.obligation_id, o.case_id, c.citizen_ref, o.kind, o.ordinal, o.due_date,"
         " c.caseworker_id, o.rule_set, o.rule_id, o.due_date - $1::date"},
        {"sched_sweep_missed",
         "UPDATE obligation o SET status = 'missed', missed_at = now() FROM case_projection c"
         " WHERE c.case_id = o.case_id AND o.obligation_id IN ("
         "  SELECT o2.obligation_id FROM obligation o2 JOIN case_projection c2 USING (case_id)"
         "  WHERE c2.status = 'open' AND o2.status = 'open' AND o2.responsible = 'jobcenter'"
         "  AND o2.due_date < $1::date"
         "  ORDER BY o2.due_date LIMIT 500 FOR UPDATE OF o2 SKIP LOCKED)"
         " RETURNING o.obligation_id, o.case_id, c.citizen_ref, o.kind, o.ordinal, o.due_date,"
         " c.caseworker_id, o.rule_set, o.rule_id"},
        {NULL, NULL},
};
