/* offers' named statements (tables in ../sql/). */
#include <stddef.h>

#include "offers.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define TS_US(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* An enrolment (alias e) as API JSON text. */
#define ENROLMENT_JSON                                                                          \
        "json_strip_nulls(json_build_object('enrolment_id', e.enrolment_id, 'offer_id', e.offer_id," \
        " 'case_id', e.case_id, 'citizen_ref', e.citizen_ref, 'offer_type', e.offer_type,"        \
        " 'status', e.status, 'planned_start', e.planned_start, 'planned_end', e.planned_end,"    \
        " 'hours_per_week', e.hours_per_week, 'started_on', e.started_on, 'ended_on', e.ended_on," \
        " 'outcome', e.outcome, 'ended_by', e.ended_by, 'counts_as_active_offer', e.counts_active," \
        " 'assigned_at', " TS("e.assigned_at") ","                                                \
        " 'follow_up', (SELECT json_build_object('follow_up_id', f.follow_up_id, 'due_date',"    \
        "   f.due_date, 'status', f.status, 'result', f.result) FROM follow_up f"                \
        "   WHERE f.enrolment_id = e.enrolment_id ORDER BY f.created_at DESC, f.due_date DESC LIMIT 1)))::text"

/* An offer (alias o, with provider p) as API JSON text; $d = the day places are counted on. */
#define OFFER_JSON(d)                                                                           \
        "json_strip_nulls(json_build_object('offer_id', o.offer_id, 'offer_type', o.offer_type,"  \
        " 'provider_id', o.provider_id, 'provider_name', p.name, 'provider_kind', p.kind,"        \
        " 'title', o.title, 'capacity', o.capacity, 'available_from', o.available_from,"          \
        " 'available_until', o.available_until, 'hours_per_week', o.hours_per_week,"              \
        " 'places_in_use', (SELECT count(*) FROM enrolment e WHERE e.offer_id = o.offer_id"       \
        "   AND e.period @> " d "), 'places_counted_on', " d ","                                   \
        " 'created_at', " TS("o.created_at") "))::text"

/* The cases of a target group with what the measure needs (alias m):
 * $1 group, $2 seniority months, $3 the latest date of interest. */
#define MEASURE_CASES                                                                           \
        "WITH m AS (SELECT c.case_id, c.citizen_ref, c.caseworker_id, c.team_id, c.group_since,"  \
        " (c.group_since + make_interval(months => $2::int))::date AS senior_on, c.closed_on,"    \
        " c.first_active_started AS first_started, c.first_active_planned AS first_planned"       \
        " FROM case_projection c WHERE c.target_group = $1 AND c.group_since <= $3::date)"

const jc_pg_stmt offers_stmts[] = {
        /* ---- the case projection (consumed events) */
        /* case.opened.v1 in one round trip: the case, its event row, and the
         * obligations the rules gave it ($10 rule set, $11-$16 arrays as for
         * offers_obligations_insert); a repeat of an opened case adds nothing */
        {"offers_case_open",
         "WITH c AS (INSERT INTO case_projection (case_id, citizen_ref, target_group, start_date,"
         " group_since, visitation, caseworker_id, team_id, opened_at)"
         " VALUES ($1::uuid, $2::uuid, $3, $4::date, $4::date, $5, $6, $7, $8::timestamptz)"
         " ON CONFLICT (case_id) DO NOTHING RETURNING case_id),"
         " ev AS (INSERT INTO case_event (case_id, event_id, event_type)"
         " VALUES ($1::uuid, $9, 'case.opened.v1')),"
         " ob AS (INSERT INTO obligation (obligation_id, case_id, kind, rule_set, rule, base_date,"
         "   due_date, warn_on, satisfied_by, min_duration_days)"
         "   SELECT gen_random_uuid(), c.case_id, t.kind, $10, t.rule, $4::date, t.due, t.warn,"
         "   string_to_array(t.sat, ','), t.mind"
         "   FROM c, unnest($11::text[], $12::text[], $13::date[], $14::date[], $15::text[], $16::int[])"
         "   AS t(kind, rule, due, warn, sat, mind)"
         "   ON CONFLICT (case_id, rule_set, rule, base_date) DO NOTHING)"
         " SELECT count(*) FROM c"},
        {"offers_case_assign",
         "WITH u AS (UPDATE case_projection SET caseworker_id = $2, team_id = $3, updated_at = now()"
         " WHERE case_id = $1::uuid RETURNING case_id),"
         " ev AS (INSERT INTO case_event (case_id, event_id, event_type)"
         " SELECT case_id, $4, 'case.caseworker_assigned.v1' FROM u)"
         " SELECT count(*) FROM u"},
        {"offers_case_visitation",
         "WITH u AS (UPDATE case_projection SET visitation = $2, updated_at = now()"
         " WHERE case_id = $1::uuid RETURNING case_id),"
         " ev AS (INSERT INTO case_event (case_id, event_id, event_type)"
         " SELECT case_id, $3, 'case.visitation_changed.v1' FROM u)"
         " SELECT count(*) FROM u"},
        {"offers_case_lock",
         "SELECT case_id, citizen_ref, target_group, start_date, status, work_duty, caseworker_id,"
         " group_since FROM case_projection WHERE case_id = $1::uuid FOR UPDATE"},
        {"offers_case_group_change",
         "WITH u AS (UPDATE case_projection SET target_group = $2, group_since = $3::date,"
         " updated_at = now() WHERE case_id = $1::uuid RETURNING case_id),"
         " ev AS (INSERT INTO case_event (case_id, event_id, event_type)"
         " SELECT case_id, $4, 'case.target_group_changed.v1' FROM u)"
         " SELECT count(*) FROM u"},
        {"offers_case_close",
         "WITH u AS (UPDATE case_projection SET status = 'closed', closed_on = $2::date,"
         " close_reason = $3, updated_at = now() WHERE case_id = $1::uuid RETURNING case_id),"
         " ev AS (INSERT INTO case_event (case_id, event_id, event_type)"
         " SELECT case_id, $4, 'case.closed.v1' FROM u)"
         " SELECT count(*) FROM u"},
        {"offers_case_event_insert",
         "INSERT INTO case_event (case_id, event_id, event_type) VALUES ($1::uuid, $2, $3)"},
        {"offers_meeting_held",
         "INSERT INTO case_meeting (case_id, last_held_on) VALUES ($1::uuid, $2::date)"
         " ON CONFLICT (case_id) DO UPDATE SET"
         " last_held_on = GREATEST(case_meeting.last_held_on, EXCLUDED.last_held_on), updated_at = now()"},
        {"offers_case_get",
         "SELECT json_strip_nulls(json_build_object('case_id', c.case_id, 'citizen_ref', c.citizen_ref,"
         " 'target_group', c.target_group, 'status', c.status, 'start_date', c.start_date,"
         " 'group_since', c.group_since, 'visitation', c.visitation, 'caseworker_id', c.caseworker_id,"
         " 'team_id', c.team_id, 'closed_on', c.closed_on, 'close_reason', c.close_reason,"
         " 'last_meeting_on', m.last_held_on))::text, c.work_duty, c.target_group, c.work_duty_set_by"
         " FROM case_projection c LEFT JOIN case_meeting m USING (case_id) WHERE c.case_id = $1::uuid"},
        {"offers_case_set_work_duty",
         "UPDATE case_projection SET work_duty = $2::boolean, work_duty_set_by = $3,"
         " work_duty_set_at = now(), updated_at = now() WHERE case_id = $1::uuid"},

        /* ---- providers and offers */
        {"offers_provider_insert",
         "INSERT INTO provider (provider_id, kind, name, cvr, sector, created_by)"
         " VALUES ($1::uuid, $2, $3, $4, $5, $6) RETURNING " TS("created_at")},
        {"offers_provider_get", "SELECT kind, sector, name FROM provider WHERE provider_id = $1::uuid"},
        {"offers_provider_list",
         "SELECT json_strip_nulls(json_build_object('provider_id', provider_id, 'kind', kind,"
         " 'name', name, 'cvr', cvr, 'sector', sector, 'created_at', " TS("created_at") "))::text,"
         " " TS_US("created_at") " || '_' || provider_id"
         " FROM provider WHERE ($1::text IS NULL OR kind = $1)"
         " AND ($2::timestamptz IS NULL OR (created_at, provider_id) > ($2::timestamptz, $3::uuid))"
         " ORDER BY created_at, provider_id LIMIT $4::int"},
        {"offers_offer_insert",
         "INSERT INTO offer (offer_id, offer_type, provider_id, title, capacity, available_from,"
         " available_until, hours_per_week, created_by)"
         " VALUES ($1::uuid, $2, $3::uuid, $4, $5::int, $6::date, $7::date, $8::int, $9)"},
        {"offers_offer_get",
         "SELECT " OFFER_JSON("$2::date") " FROM offer o JOIN provider p USING (provider_id)"
         " WHERE o.offer_id = $1::uuid"},
        {"offers_offer_list",
         "SELECT " OFFER_JSON("$4::date") ", " TS_US("o.created_at") " || '_' || o.offer_id"
         " FROM offer o JOIN provider p USING (provider_id)"
         " WHERE ($1::text IS NULL OR o.offer_type = $1) AND ($2::uuid IS NULL OR o.provider_id = $2::uuid)"
         " AND ($3::date IS NULL OR (o.available_from <= $3::date"
         "      AND (o.available_until IS NULL OR o.available_until >= $3::date)))"
         " AND ($5::timestamptz IS NULL OR (o.created_at, o.offer_id) > ($5::timestamptz, $6::uuid))"
         " ORDER BY o.created_at, o.offer_id LIMIT $7::int"},
        {"offers_offer_lock",
         "SELECT offer_id, offer_type, provider_id, capacity, available_from, available_until,"
         " hours_per_week FROM offer WHERE offer_id = $1::uuid FOR UPDATE"},

        /* ---- placement checks ($1 offer or case, [$2, $3] the period, $4 an enrolment to ignore) */
        /* Most places held on one day of the period: the peak is on its first
         * day or on a day another enrolment starts. */
        {"offers_places_peak",
         "SELECT COALESCE(max(n), 0) FROM (SELECT (SELECT count(*) FROM enrolment e"
         "   WHERE e.offer_id = $1::uuid AND e.period @> p.d"
         "   AND ($4::uuid IS NULL OR e.enrolment_id <> $4::uuid)) AS n"
         " FROM (SELECT $2::date AS d UNION SELECT lower(e.period) FROM enrolment e"
         "   WHERE e.offer_id = $1::uuid AND e.period && daterange($2::date, $3::date, '[]')"
         "   AND lower(e.period) > $2::date) p) x"},
        /* Most hours of the case's work-duty activities on one day of the period. */
        {"offers_hours_peak",
         "SELECT COALESCE(max(h), 0) FROM (SELECT (SELECT COALESCE(sum(e.hours_per_week), 0)"
         "   FROM enrolment e WHERE e.case_id = $1::uuid AND e.work_duty_hours AND e.period @> p.d"
         "   AND ($4::uuid IS NULL OR e.enrolment_id <> $4::uuid)) AS h"
         " FROM (SELECT $2::date AS d UNION SELECT lower(e.period) FROM enrolment e"
         "   WHERE e.case_id = $1::uuid AND e.period && daterange($2::date, $3::date, '[]')"
         "   AND lower(e.period) > $2::date) p) x"},
        {"offers_full_time_overlap",
         "SELECT enrolment_id FROM enrolment WHERE case_id = $1::uuid AND hours_per_week >= $5::int"
         " AND period && daterange($2::date, $3::date, '[]')"
         " AND ($4::uuid IS NULL OR enrolment_id <> $4::uuid) ORDER BY lower(period) LIMIT 1"},

        /* ---- enrolments */
        {"offers_enrolment_insert",
         "INSERT INTO enrolment (enrolment_id, offer_id, case_id, citizen_ref, offer_type,"
         " counts_active, work_duty_hours, planned_start, planned_end, hours_per_week, period,"
         " assigned_by) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6::boolean, $7::boolean,"
         " $8::date, $9::date, $10::int, daterange($8::date, $9::date, '[]'), $11)"},
        {"offers_enrolment_case", "SELECT case_id FROM enrolment WHERE enrolment_id = $1::uuid"},
        {"offers_enrolment_lock",
         "SELECT e.enrolment_id, e.offer_id, e.case_id, e.citizen_ref, e.offer_type, e.status,"
         " e.planned_start, e.planned_end, e.started_on, e.ended_on, e.hours_per_week, e.outcome,"
         " o.provider_id FROM enrolment e JOIN offer o USING (offer_id)"
         " WHERE e.enrolment_id = $1::uuid FOR UPDATE OF e"},
        {"offers_enrolment_get",
         "SELECT " ENROLMENT_JSON " FROM enrolment e WHERE e.enrolment_id = $1::uuid"},
        {"offers_enrolment_list_case",
         "SELECT " ENROLMENT_JSON " FROM enrolment e WHERE e.case_id = $1::uuid"
         " ORDER BY e.planned_start, e.enrolment_id"},
        {"offers_enrolment_start",
         "UPDATE enrolment SET status = 'started', started_on = $2::date,"
         " period = daterange($2::date, planned_end, '[]'), updated_at = now()"
         " WHERE enrolment_id = $1::uuid AND status = 'assigned'"},
        /* ended: the place is held [started_on, ended_on], or not at all */
        {"offers_enrolment_end",
         "UPDATE enrolment SET status = 'ended', ended_on = $2::date, outcome = $3, ended_by = $4,"
         " period = CASE WHEN started_on IS NULL THEN 'empty'::daterange"
         "   ELSE daterange(started_on, $2::date, '[]') END, updated_at = now()"
         " WHERE enrolment_id = $1::uuid AND status <> 'ended'"},
        {"offers_enrolment_extend",
         "UPDATE enrolment SET planned_end = $2::date,"
         " period = daterange(COALESCE(started_on, planned_start), $2::date, '[]'), updated_at = now()"
         " WHERE enrolment_id = $1::uuid AND status IN ('assigned', 'started')"},
        /* the case's offer summary: first active offer started / planned (the
         * measure), planned or running enrolments (the weekly review) */
        {"offers_case_offer_dates",
         "UPDATE case_projection c SET first_active_started = x.s, first_active_planned = x.p,"
         " open_enrolments = x.n"
         " FROM (SELECT min(started_on) FILTER (WHERE counts_active) AS s,"
         "       min(planned_start) FILTER (WHERE counts_active AND status = 'assigned') AS p,"
         "       count(*) FILTER (WHERE status IN ('assigned', 'started')) AS n"
         "       FROM enrolment WHERE case_id = $1::uuid) x"
         " WHERE c.case_id = $1::uuid"},
        {"offers_enrolments_open_for_case",
         "SELECT enrolment_id FROM enrolment WHERE case_id = $1::uuid"
         " AND status IN ('assigned', 'started') ORDER BY planned_start, enrolment_id"},
        {"offers_attendance_insert",
         "INSERT INTO attendance (enrolment_id, day, attended, lawful_reason, reason, recorded_by)"
         " VALUES ($1::uuid, $2::date, $3::boolean, $4::boolean, $5, $6)"
         " ON CONFLICT (enrolment_id, day) DO NOTHING RETURNING " TS("recorded_at")},
        {"offers_attendance_get",
         "SELECT attended, lawful_reason, reason, " TS("recorded_at")
         " FROM attendance WHERE enrolment_id = $1::uuid AND day = $2::date"},

        /* ---- obligations */
        {"offers_obligations_insert",
         "INSERT INTO obligation (obligation_id, case_id, kind, rule_set, rule, base_date, due_date,"
         " warn_on, satisfied_by, min_duration_days)"
         " SELECT gen_random_uuid(), $1::uuid, t.kind, $2, t.rule, $3::date, t.due, t.warn,"
         " string_to_array(t.sat, ','), t.mind"
         " FROM unnest($4::text[], $5::text[], $6::date[], $7::date[], $8::text[], $9::int[])"
         " AS t(kind, rule, due, warn, sat, mind)"
         " ON CONFLICT (case_id, rule_set, rule, base_date) DO NOTHING"},
        /* $2 enrolment, $3 type, $4 started_on, $5 planned duration in days */
        {"offers_obligations_fulfil",
         "UPDATE obligation SET status = 'fulfilled', fulfilled_by = $2::uuid, fulfilled_on = $4::date"
         " WHERE case_id = $1::uuid AND status IN ('open', 'due_soon', 'missed')"
         " AND $3 = ANY (satisfied_by) AND $5::int >= min_duration_days"
         " RETURNING obligation_id"},
        /* after a target-group change: offers running on or after the new clock's start */
        {"offers_obligations_fulfil_running",
         "UPDATE obligation o SET status = 'fulfilled', fulfilled_by = e.enrolment_id,"
         " fulfilled_on = GREATEST(e.started_on, o.base_date)"
         " FROM (SELECT DISTINCT ON (o2.obligation_id) o2.obligation_id, e2.enrolment_id, e2.started_on"
         "       FROM obligation o2 JOIN enrolment e2 ON e2.case_id = o2.case_id"
         "       WHERE o2.case_id = $1::uuid AND o2.status = 'open' AND e2.started_on IS NOT NULL"
         "       AND e2.offer_type = ANY (o2.satisfied_by)"
         "       AND upper(e2.period) > o2.base_date"
         "       AND e2.planned_end - e2.started_on + 1 >= o2.min_duration_days"
         "       ORDER BY o2.obligation_id, e2.started_on) e"
         " WHERE o.obligation_id = e.obligation_id"},
        {"offers_obligations_cancel",
         "UPDATE obligation SET status = 'cancelled', cancelled_reason = $2"
         " WHERE case_id = $1::uuid AND status IN ('open', 'due_soon')"},
        {"offers_obligation_list",
         "SELECT json_strip_nulls(json_build_object('obligation_id', o.obligation_id, 'case_id', o.case_id,"
         " 'kind', o.kind, 'status', o.status, 'base_date', o.base_date, 'due_date', o.due_date,"
         " 'warn_on', o.warn_on, 'rule_set', o.rule_set, 'rule', o.rule, 'satisfied_by', o.satisfied_by,"
         " 'min_duration_days', o.min_duration_days, 'fulfilled_by', o.fulfilled_by,"
         " 'fulfilled_on', o.fulfilled_on,"
         " 'late', CASE WHEN o.fulfilled_on IS NOT NULL THEN o.fulfilled_on > o.due_date END,"
         " 'cancelled_reason', o.cancelled_reason,"
         " 'days_left', CASE WHEN o.status IN ('open', 'due_soon') THEN o.due_date - $2::date END,"
         " 'planned_enrolment_id', CASE WHEN o.status IN ('open', 'due_soon', 'missed') THEN"
         "   (SELECT e.enrolment_id FROM enrolment e WHERE e.case_id = o.case_id AND e.status = 'assigned'"
         "    AND e.offer_type = ANY (o.satisfied_by) ORDER BY e.planned_start LIMIT 1) END))::text,"
         " o.rule_set, o.rule"
         " FROM obligation o WHERE o.case_id = $1::uuid ORDER BY o.due_date, o.created_at, o.obligation_id"},

        /* ---- the sweep ($1 today, $2 batch) */
        /* Warn once, unless a planned offer that would fulfil it starts in time. */
        {"offers_sweep_due_soon",
         "WITH due AS (SELECT o.obligation_id FROM obligation o JOIN case_projection c USING (case_id)"
         "   WHERE o.status = 'open' AND o.warn_on <= $1::date AND o.due_date >= $1::date"
         "   AND c.status = 'open'"
         "   AND NOT EXISTS (SELECT 1 FROM enrolment e WHERE e.case_id = o.case_id"
         "     AND e.status = 'assigned' AND e.offer_type = ANY (o.satisfied_by)"
         "     AND e.planned_start <= o.due_date"
         "     AND e.planned_end - e.planned_start + 1 >= o.min_duration_days)"
         "   ORDER BY o.due_date, o.obligation_id LIMIT $2::int FOR UPDATE OF o SKIP LOCKED)"
         " UPDATE obligation o SET status = 'due_soon', warned_at = now()"
         " FROM due, case_projection c WHERE o.obligation_id = due.obligation_id AND c.case_id = o.case_id"
         " RETURNING o.obligation_id, o.case_id, c.citizen_ref, o.kind, o.due_date, o.rule_set, o.rule,"
         " c.caseworker_id, o.due_date - $1::date"},
        {"offers_sweep_missed",
         "WITH due AS (SELECT o.obligation_id FROM obligation o JOIN case_projection c USING (case_id)"
         "   WHERE o.status IN ('open', 'due_soon') AND o.due_date < $1::date AND c.status = 'open'"
         "   ORDER BY o.due_date, o.obligation_id LIMIT $2::int FOR UPDATE OF o SKIP LOCKED)"
         " UPDATE obligation o SET status = 'missed', missed_at = now()"
         " FROM due, case_projection c WHERE o.obligation_id = due.obligation_id AND c.case_id = o.case_id"
         " RETURNING o.obligation_id, o.case_id, c.citizen_ref, o.kind, o.due_date, o.rule_set, o.rule,"
         " c.caseworker_id"},

        /* ---- follow-ups */
        {"offers_follow_up_insert",
         "INSERT INTO follow_up (follow_up_id, enrolment_id, case_id, due_date, placement_end)"
         " VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3::date, $4::date)"},
        {"offers_follow_up_cancel",
         "UPDATE follow_up SET status = 'cancelled' WHERE enrolment_id = $1::uuid AND status = 'open'"},
        {"offers_follow_up_enrolment", "SELECT enrolment_id FROM follow_up WHERE follow_up_id = $1::uuid"},
        {"offers_follow_up_lock",
         "SELECT status, result, extended_until, recorded_on, enrolment_id"
         " FROM follow_up WHERE follow_up_id = $1::uuid FOR UPDATE"},
        {"offers_follow_up_done",
         "UPDATE follow_up SET status = 'done', result = $2, extended_until = $3::date,"
         " recorded_on = $4::date, recorded_by = $5, recorded_at = now()"
         " WHERE follow_up_id = $1::uuid AND status = 'open'"},
        {"offers_follow_up_get",
         "SELECT json_strip_nulls(json_build_object('follow_up_id', f.follow_up_id,"
         " 'enrolment_id', f.enrolment_id, 'case_id', f.case_id, 'due_date', f.due_date,"
         " 'placement_end', f.placement_end, 'status', f.status, 'result', f.result,"
         " 'extended_until', f.extended_until, 'recorded_on', f.recorded_on))::text"
         " FROM follow_up f WHERE f.follow_up_id = $1::uuid"},
        /* $1 status, $2 due_by, $3 caseworker, $4 case, $5/$6 cursor, $7 limit, $8 today */
        {"offers_follow_up_list",
         "SELECT json_strip_nulls(json_build_object('follow_up_id', f.follow_up_id,"
         " 'enrolment_id', f.enrolment_id, 'case_id', f.case_id, 'citizen_ref', c.citizen_ref,"
         " 'caseworker_id', c.caseworker_id, 'offer_id', e.offer_id, 'offer_type', e.offer_type,"
         " 'provider_id', o.provider_id, 'provider_name', p.name, 'due_date', f.due_date,"
         " 'placement_end', f.placement_end, 'status', f.status, 'result', f.result,"
         " 'extended_until', f.extended_until, 'recorded_on', f.recorded_on,"
         " 'days_left', CASE WHEN f.status = 'open' THEN f.due_date - $8::date END))::text,"
         " f.due_date::text || '_' || f.follow_up_id"
         " FROM follow_up f JOIN enrolment e USING (enrolment_id) JOIN offer o ON o.offer_id = e.offer_id"
         " JOIN provider p ON p.provider_id = o.provider_id JOIN case_projection c ON c.case_id = f.case_id"
         " WHERE f.status = $1 AND ($2::date IS NULL OR f.due_date <= $2::date)"
         " AND ($3::text IS NULL OR c.caseworker_id = $3) AND ($4::uuid IS NULL OR f.case_id = $4::uuid)"
         " AND ($5::date IS NULL OR (f.due_date, f.follow_up_id) > ($5::date, $6::uuid))"
         " ORDER BY f.due_date, f.follow_up_id LIMIT $7::int"},

        /* ---- the weekly review ($1 caseworker, $2 today, $3/$4 cursor, $5 limit) */
        {"offers_review_list",
         "SELECT json_strip_nulls(json_build_object('case_id', c.case_id, 'citizen_ref', c.citizen_ref,"
         " 'target_group', c.target_group, 'start_date', c.start_date, 'group_since', c.group_since,"
         " 'visitation', c.visitation, 'last_meeting_on', m.last_held_on,"
         " 'next_deadline', CASE WHEN o.obligation_id IS NOT NULL THEN json_build_object("
         "   'obligation_id', o.obligation_id, 'kind', o.kind, 'due_date', o.due_date,"
         "   'status', o.status, 'days_left', o.due_date - $2::date) END,"
         " 'last_offer', (SELECT json_build_object('enrolment_id', e.enrolment_id, 'offer_type', e.offer_type,"
         "   'ended_on', e.ended_on, 'outcome', e.outcome) FROM enrolment e WHERE e.case_id = c.case_id"
         "   AND e.status = 'ended' ORDER BY e.ended_on DESC, e.enrolment_id LIMIT 1)))::text,"
         " COALESCE(o.due_date, 'infinity'::date)::text || '_' || c.case_id,"
         " count(*) OVER ()"
         " FROM case_projection c"
         " LEFT JOIN LATERAL (SELECT ob.obligation_id, ob.kind, ob.due_date, ob.status FROM obligation ob"
         "   WHERE ob.case_id = c.case_id AND ob.status IN ('open', 'due_soon', 'missed')"
         "   ORDER BY ob.due_date, ob.obligation_id LIMIT 1) o ON true"
         " LEFT JOIN case_meeting m ON m.case_id = c.case_id"
         " WHERE c.caseworker_id = $1 AND c.status = 'open' AND c.open_enrolments = 0"
         " AND ($3::date IS NULL OR (COALESCE(o.due_date, 'infinity'::date), c.case_id) > ($3::date, $4::uuid))"
         " ORDER BY COALESCE(o.due_date, 'infinity'::date), c.case_id LIMIT $5::int"},

        /* ---- the active-offer measure: $1 group, $2 seniority months, $3 the
         * latest date (8 weeks ahead), $4 as_of, $5 4 weeks ahead */
        {"offers_measure_counts",
         MEASURE_CASES
         " SELECT count(*) FILTER (WHERE senior_on <= $4::date AND (closed_on IS NULL OR closed_on > $4::date)),"
         " count(*) FILTER (WHERE senior_on <= $4::date AND (closed_on IS NULL OR closed_on > $4::date)"
         "   AND (first_started IS NULL OR first_started > $4::date)),"
         " count(*) FILTER (WHERE senior_on <= $5::date AND (closed_on IS NULL OR closed_on > $5::date)),"
         " count(*) FILTER (WHERE senior_on <= $5::date AND (closed_on IS NULL OR closed_on > $5::date)"
         "   AND (first_started IS NULL OR first_started > $5::date)"
         "   AND (first_planned IS NULL OR first_planned > $5::date)),"
         " count(*) FILTER (WHERE senior_on <= $3::date AND (closed_on IS NULL OR closed_on > $3::date)),"
         " count(*) FILTER (WHERE senior_on <= $3::date AND (closed_on IS NULL OR closed_on > $3::date)"
         "   AND (first_started IS NULL OR first_started > $3::date)"
         "   AND (first_planned IS NULL OR first_planned > $3::date))"
         " FROM m"},
        /* The measure's statements scan a target group's cases: a plan for the
         * actual group and dates (a generic plan is half as fast). */
        {"offers_measure_custom_plans", "SET LOCAL plan_cache_mode = force_custom_plan"},
        /* the cases behind it: $1 group, $2 months, $3 as_of, $4/$5 cursor, $6 limit */
        {"offers_measure_list",
         MEASURE_CASES
         /* the page first, then its JSON: only `limit` rows are built */
         " SELECT json_strip_nulls(json_build_object('case_id', case_id, 'citizen_ref', citizen_ref,"
         " 'caseworker_id', caseworker_id, 'team_id', team_id, 'group_since', group_since,"
         " 'senior_on', senior_on, 'days_since_senior', $3::date - senior_on,"
         " 'planned_start', first_planned))::text, senior_on::text || '_' || case_id"
         " FROM (SELECT * FROM m WHERE senior_on <= $3::date"
         "   AND (closed_on IS NULL OR closed_on > $3::date)"
         "   AND (first_started IS NULL OR first_started > $3::date)"
         "   AND ($4::date IS NULL OR (senior_on, case_id) > ($4::date, $5::uuid))"
         "   ORDER BY senior_on, case_id LIMIT $6::int) page ORDER BY senior_on, case_id"},

        /* ---- the job-effect report: $1 from, $2 to, $3 window days, $4 type */
        {"offers_job_effect",
         "WITH x AS (SELECT e.offer_type,"
         "   (e.outcome = 'job' OR EXISTS (SELECT 1 FROM follow_up f WHERE f.enrolment_id = e.enrolment_id"
         "      AND f.result = 'hired')"
         "    OR COALESCE(c.close_reason = 'job' AND c.closed_on BETWEEN e.started_on AND e.ended_on + $3::int,"
         "       false)) AS employed,"
         "   (e.outcome = 'education'"
         "    OR COALESCE(c.close_reason = 'education'"
         "       AND c.closed_on BETWEEN e.started_on AND e.ended_on + $3::int, false)) AS education"
         " FROM enrolment e JOIN case_projection c USING (case_id)"
         " WHERE e.status = 'ended' AND e.started_on IS NOT NULL"
         " AND e.ended_on BETWEEN $1::date AND $2::date AND ($4::text IS NULL OR e.offer_type = $4))"
         " SELECT offer_type, count(*), count(*) FILTER (WHERE employed),"
         " count(*) FILTER (WHERE education AND NOT employed)"
         " FROM x GROUP BY offer_type ORDER BY offer_type"},
        {NULL, NULL},
};
