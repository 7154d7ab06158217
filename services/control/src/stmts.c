/* control's named statements (tables in ../sql/). */
#include <stddef.h>

#include "control.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
/* keyset cursor "<timestamp with microseconds>_<uuid>" */
#define CURSOR(ts, id) \
        "to_char(" ts " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '_' || " id

/* The matched citizen's newest open case (of the campaign's target groups). */
#define OPEN_CASE_OF(ref, groups)                                                           \
        "SELECT p.case_id FROM case_projection p WHERE p.citizen_ref = " ref                \
        " AND p.status = 'open' AND (" groups " IS NULL OR p.target_group = ANY (" groups \
        ")) ORDER BY p.opened_at DESC, p.case_id LIMIT 1"

/* the order of sanctions_http.c's P_* column indexes */
#define PROPOSAL_COLS                                                                        \
        "proposal_id, case_id, citizen_ref, target_group, basis, source_id, source_event_id,"  \
        " meeting_id, enrolment_id, occurred_on::text, status, kind, rate_dkk::text,"          \
        " monthly_benefit_dkk::text, rule_set, rates_effective_from::text,"                    \
        " hearing_started_on::text, hearing_deadline::text, hearing_response_on::text,"        \
        " hearing_response_by, decision, decided_by, " TS("decided_at") ", " TS("created_at")  \
        ", " TS("proposed_at") ", hearing_response, decision_reason, "                         \
        CURSOR("created_at", "proposal_id")

const jc_pg_stmt ctl_stmts[] = {
        /* ---- projection: citizens (keyed hash only) and cases */
        {"ctl_citizen_key_release",
         "DELETE FROM citizen_key WHERE cpr_hmac = $2::bytea AND citizen_ref <> $1::uuid"},
        {"ctl_citizen_key_upsert",
         "INSERT INTO citizen_key (citizen_ref, cpr_hmac) VALUES ($1::uuid, $2::bytea)"
         " ON CONFLICT (citizen_ref) DO UPDATE SET cpr_hmac = EXCLUDED.cpr_hmac, updated_at = now()"},
        {"ctl_citizen_key_delete", "DELETE FROM citizen_key WHERE citizen_ref = $1::uuid"},
        {"ctl_records_erase",
         "UPDATE campaign_record r SET cpr_hmac = NULL, evidence = NULL"
         " WHERE r.citizen_ref = $1::uuid AND (r.cpr_hmac IS NOT NULL OR r.evidence IS NOT NULL)"
         " AND NOT EXISTS (SELECT 1 FROM control_case c WHERE c.campaign_id = r.campaign_id"
         " AND c.citizen_ref = r.citizen_ref AND c.status = 'open')"},
        {"ctl_case_upsert",
         "INSERT INTO case_projection (case_id, citizen_ref, target_group, start_date, opened_at,"
         " visitation, caseworker_id, akasse)"
         " VALUES ($1::uuid, $2::uuid, $3, $4::date, $5::timestamptz, $6, $7, $8)"
         " ON CONFLICT (case_id) DO UPDATE SET citizen_ref = EXCLUDED.citizen_ref,"
         " target_group = EXCLUDED.target_group, start_date = EXCLUDED.start_date,"
         " opened_at = EXCLUDED.opened_at, visitation = EXCLUDED.visitation,"
         " caseworker_id = COALESCE(EXCLUDED.caseworker_id, case_projection.caseworker_id),"
         " akasse = EXCLUDED.akasse, updated_at = now()"},
        {"ctl_case_set_target_group",
         "UPDATE case_projection SET target_group = $2, updated_at = now() WHERE case_id = $1::uuid"},
        {"ctl_case_set_visitation",
         "UPDATE case_projection SET visitation = $2, updated_at = now() WHERE case_id = $1::uuid"},
        {"ctl_case_set_caseworker",
         "UPDATE case_projection SET caseworker_id = $2, updated_at = now() WHERE case_id = $1::uuid"},
        {"ctl_case_close",
         "UPDATE case_projection SET status = 'closed', updated_at = now() WHERE case_id = $1::uuid"},
        {"ctl_case_get",
         "SELECT case_id, citizen_ref, target_group, status, akasse, caseworker_id"
         " FROM case_projection WHERE case_id = $1::uuid"},
        {"ctl_case_basis",
         "SELECT monthly_benefit_dkk, akasse, caseworker_id FROM case_projection"
         " WHERE case_id = $1::uuid"},
        {"ctl_case_set_basis",
         "UPDATE case_projection SET monthly_benefit_dkk = $2::int, benefit_basis_by = $3,"
         " benefit_basis_at = now(), updated_at = now() WHERE case_id = $1::uuid"
         " RETURNING " TS("benefit_basis_at")},

        /* ---- campaigns and feeds */
        {"ctl_campaign_insert",
         "INSERT INTO campaign (campaign_id, theme, kind, period_from, period_to, target_groups)"
         " VALUES ($1, $2, $3, $4::date, $5::date,"
         " (SELECT array_agg(g ORDER BY g) FROM unnest($6::text[]) g))"
         " ON CONFLICT (campaign_id) DO NOTHING"},
        {"ctl_campaign_compare",
         "SELECT theme = $2, kind = $3, period_from = $4::date, period_to = $5::date,"
         " target_groups IS NOT DISTINCT FROM"
         " (SELECT array_agg(g ORDER BY g) FROM unnest($6::text[]) g)"
         " FROM campaign WHERE campaign_id = $1 FOR SHARE"},
        {"ctl_feed_insert",
         "INSERT INTO feed (feed_uuid, campaign_id, feed_id, received_via, principal, header_digest,"
         " parts, record_count, status)"
         " VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::int, $8::int, 'receiving')"
         " ON CONFLICT (campaign_id, feed_id) DO NOTHING RETURNING feed_uuid"},
        {"ctl_feed_lock",
         "SELECT feed_uuid, status, received_via, header_digest, COALESCE(digest, ''), parts,"
         " response_status, response FROM feed WHERE campaign_id = $1 AND feed_id = $2 FOR UPDATE"},
        {"ctl_feed_take_over",
         "UPDATE feed SET received_via = $2, principal = $3, header_digest = $4, digest = NULL,"
         " parts = $5::int, record_count = $6::int, status = 'receiving', refusal_field = NULL,"
         " refusal = NULL, received = 0, valid = 0, invalid = 0, duplicate = 0, matched = 0,"
         " unmatched = 0, actions = 0, response_status = NULL, response = NULL,"
         " received_at = now(), completed_at = NULL WHERE feed_uuid = $1::uuid"},
        {"ctl_feed_errors_delete", "DELETE FROM feed_error WHERE feed_uuid = $1::uuid"},
        {"ctl_feed_parts_delete", "DELETE FROM feed_part WHERE feed_uuid = $1::uuid"},
        {"ctl_feed_find", "SELECT feed_uuid FROM feed WHERE campaign_id = $1 AND feed_id = $2"},
        {"ctl_feed_get",
         "SELECT f.campaign_id, f.feed_id, f.status, f.received_via, c.theme, c.kind,"
         " " TS("f.received_at") ", f.parts,"
         " (SELECT count(*) FROM feed_part p WHERE p.feed_uuid = f.feed_uuid), f.principal,"
         " f.received, f.valid, f.invalid, f.duplicate, f.matched, f.unmatched, f.actions,"
         " " TS("f.completed_at") ", f.refusal_field, f.refusal, f.record_count"
         " FROM feed f JOIN campaign c USING (campaign_id) WHERE f.feed_uuid = $1::uuid"},
        {"ctl_feed_context",
         "SELECT f.campaign_id, f.feed_id, f.record_count, f.received_via, c.kind, c.theme,"
         " c.target_groups::text, f.principal, c.period_from::text, c.period_to::text,"
         " " TS("f.received_at")
         " FROM feed f JOIN campaign c USING (campaign_id) WHERE f.feed_uuid = $1::uuid"},
        {"ctl_feed_http_received",
         "WITH d AS (UPDATE feed SET digest = $2 WHERE feed_uuid = $1::uuid)"
         " INSERT INTO feed_part (feed_uuid, part, digest, lines) VALUES ($1::uuid, 1, $2, $3::int)"},
        {"ctl_feed_part_get",
         "SELECT digest FROM feed_part WHERE feed_uuid = $1::uuid AND part = $2::int"},
        /* true when this part completes the feed (the new row is not yet
         * visible to the count) */
        {"ctl_feed_part_insert",
         "WITH ins AS (INSERT INTO feed_part (feed_uuid, part, digest, lines)"
         " VALUES ($1::uuid, $2::int, $3, $4::int))"
         " SELECT (SELECT count(*) FROM feed_part p WHERE p.feed_uuid = $1::uuid) + 1 >= f.parts"
         " FROM feed f WHERE f.feed_uuid = $1::uuid"},
        {"ctl_feed_rejection_insert",
         "INSERT INTO feed_part_rejection (campaign_id, feed_id, part, key_id, reason,"
         " kafka_partition, kafka_offset) VALUES ($1, $2, $3::int, $4, $5, $6::int, $7::bigint)"},
        {"ctl_feed_rejections",
         "SELECT part, reason, " TS("rejected_at") " FROM feed_part_rejection"
         " WHERE campaign_id = $1 AND feed_id = $2 ORDER BY id"},
        {"ctl_stage_copy",
         "COPY record_stage (feed_uuid, part, line_no, udk_ref, cpr_hmac, evidence, errors)"
         " FROM STDIN"},
        {"ctl_stage_counts",
         "SELECT count(*), count(errors) FROM record_stage WHERE feed_uuid = $1::uuid"},
        {"ctl_stage_errors_move",
         "INSERT INTO feed_error (feed_uuid, part, line_no, udk_ref, errors)"
         " SELECT feed_uuid, part, line_no, udk_ref, errors FROM record_stage"
         " WHERE feed_uuid = $1::uuid AND errors IS NOT NULL"},
        {"ctl_stage_delete", "DELETE FROM record_stage WHERE feed_uuid = $1::uuid"},
        /* Valid records in line order (the first of a repeated udk_ref wins),
         * matched through the keyed hash to a citizen with an open case; the
         * hash and evidence are kept only for matched records. */
        {"ctl_records_insert",
         "INSERT INTO campaign_record (campaign_id, udk_ref, feed_uuid, part, line_no, cpr_hmac,"
         " evidence, citizen_ref, case_id)"
         " SELECT $2, s.udk_ref, s.feed_uuid, s.part, s.line_no,"
         " CASE WHEN m.case_id IS NOT NULL THEN s.cpr_hmac END,"
         " CASE WHEN m.case_id IS NOT NULL THEN s.evidence END,"
         " CASE WHEN m.case_id IS NOT NULL THEN k.citizen_ref END, m.case_id"
         " FROM record_stage s"
         " LEFT JOIN citizen_key k ON k.cpr_hmac = s.cpr_hmac"
         " LEFT JOIN LATERAL (" OPEN_CASE_OF("k.citizen_ref", "$3::text[]") ") m ON true"
         " WHERE s.feed_uuid = $1::uuid AND s.errors IS NULL"
         " ORDER BY s.part, s.line_no"
         " ON CONFLICT (campaign_id, udk_ref) DO NOTHING"},
        {"ctl_duplicates_insert",
         "INSERT INTO feed_error (feed_uuid, part, line_no, udk_ref, errors)"
         " SELECT s.feed_uuid, s.part, s.line_no, s.udk_ref, jsonb_build_array(jsonb_build_object("
         " 'field', 'udk_ref', 'pointer', '#/udk_ref', 'message',"
         " CASE WHEN r.feed_uuid = s.feed_uuid AND r.part = 1 AND s.part = 1"
         "  THEN 'duplicate: repeats the udk_ref of line ' || r.line_no"
         "  WHEN r.feed_uuid = s.feed_uuid"
         "  THEN 'duplicate: repeats the udk_ref of part ' || r.part || ', line ' || r.line_no"
         "  ELSE 'duplicate: the udk_ref was received before, in feed ' || f.feed_id END))"
         " FROM record_stage s"
         " JOIN campaign_record r ON r.campaign_id = $2 AND r.udk_ref = s.udk_ref"
         " JOIN feed f ON f.feed_uuid = r.feed_uuid"
         " WHERE s.feed_uuid = $1::uuid AND s.errors IS NULL"
         " AND (r.feed_uuid, r.part, r.line_no) <> (s.feed_uuid, s.part, s.line_no)"},
        {"ctl_feed_matched",
         "SELECT count(*) FROM campaign_record WHERE feed_uuid = $1::uuid AND case_id IS NOT NULL"},
        /* one control case per matched citizen and campaign, with every
         * record of the citizen as evidence */
        {"ctl_control_cases_from_feed",
         "INSERT INTO control_case (control_case_id, case_id, citizen_ref, theme, origin,"
         " campaign_id, feed_uuid, opened_by)"
         " SELECT gen_random_uuid(), r.case_id, r.citizen_ref, $3, 'campaign', $2, $1::uuid, $4"
         " FROM (SELECT DISTINCT ON (citizen_ref) citizen_ref, case_id FROM campaign_record"
         "       WHERE feed_uuid = $1::uuid AND case_id IS NOT NULL"
         "       ORDER BY citizen_ref, part, line_no) r"
         " ON CONFLICT (campaign_id, citizen_ref) DO NOTHING"},
        {"ctl_control_evidence_from_feed",
         "INSERT INTO control_evidence (control_case_id, kind, campaign_id, udk_ref, added_by)"
         " SELECT c.control_case_id, 'udk_record', r.campaign_id, r.udk_ref, $2"
         " FROM campaign_record r JOIN control_case c"
         " ON c.campaign_id = r.campaign_id AND c.citizen_ref = r.citizen_ref"
         " WHERE r.feed_uuid = $1::uuid AND r.case_id IS NOT NULL"},
        {"ctl_control_cases_of_feed",
         "SELECT c.control_case_id, c.case_id, c.citizen_ref, c.theme, c.campaign_id,"
         " " TS("c.opened_at") ", p.caseworker_id"
         " FROM control_case c LEFT JOIN case_projection p ON p.case_id = c.case_id"
         " WHERE c.feed_uuid = $1::uuid AND c.control_case_id > $2::uuid"
         " ORDER BY c.control_case_id LIMIT 500"},
        {"ctl_information_from_feed",
         "INSERT INTO information_request (request_id, campaign_id, citizen_ref, case_id, feed_uuid)"
         " SELECT gen_random_uuid(), $2, r.citizen_ref, r.case_id, $1::uuid"
         " FROM (SELECT DISTINCT ON (citizen_ref) citizen_ref, case_id FROM campaign_record"
         "       WHERE feed_uuid = $1::uuid AND case_id IS NOT NULL"
         "       ORDER BY citizen_ref, part, line_no) r"
         " ON CONFLICT (campaign_id, citizen_ref) DO NOTHING"},
        {"ctl_information_of_feed",
         "SELECT i.request_id, i.case_id, i.citizen_ref, p.caseworker_id"
         " FROM information_request i LEFT JOIN case_projection p ON p.case_id = i.case_id"
         " WHERE i.feed_uuid = $1::uuid AND i.request_id > $2::uuid ORDER BY i.request_id LIMIT 500"},
        {"ctl_feed_finish",
         "UPDATE feed SET status = $2, refusal_field = $3, refusal = $4, received = $5::int,"
         " valid = $6::int, invalid = $7::int, duplicate = $8::int, matched = $9::int,"
         " unmatched = $10::int, actions = $11::int, completed_at = now()"
         " WHERE feed_uuid = $1::uuid"},
        {"ctl_feed_set_response",
         "UPDATE feed SET response_status = $2::int, response = $3 WHERE feed_uuid = $1::uuid"},
        {"ctl_feed_errors_first",
         "SELECT part, line_no, udk_ref, errors::text, count(*) OVER () FROM feed_error"
         " WHERE feed_uuid = $1::uuid ORDER BY part, line_no LIMIT $2::int"},
        {"ctl_feed_errors_page",
         "SELECT part, line_no, udk_ref, errors::text FROM feed_error"
         " WHERE feed_uuid = $1::uuid AND (part, line_no) > ($2::int, $3::int)"
         " ORDER BY part, line_no LIMIT $4::int"},
        {"ctl_feeds_stale",
         "SELECT f.feed_uuid, f.campaign_id, f.feed_id, f.parts,"
         " (SELECT count(*) FROM feed_part p WHERE p.feed_uuid = f.feed_uuid), c.theme, c.kind"
         " FROM feed f JOIN campaign c USING (campaign_id)"
         " WHERE f.status = 'receiving' AND f.received_at < now() - make_interval(hours => $1::int)"
         " ORDER BY f.received_at FOR UPDATE OF f SKIP LOCKED"},
        {"ctl_feed_expire",
         "UPDATE feed SET status = 'refused', refusal_field = 'header.parts', refusal = $2,"
         " completed_at = now() WHERE feed_uuid = $1::uuid AND status = 'receiving'"},
        {"ctl_campaign_list",
         "SELECT c.campaign_id, c.theme, c.kind, c.period_from::text, c.period_to::text,"
         " array_to_json(c.target_groups)::text, " TS("c.first_received_at") ","
         " fs.feeds, fs.received, fs.valid, fs.matched, cs.opened, cs.closed, cs.consequential,"
         " ls.letters"
         " FROM campaign c"
         " CROSS JOIN LATERAL (SELECT count(*) AS feeds, COALESCE(sum(f.received), 0) AS received,"
         "  COALESCE(sum(f.valid), 0) AS valid, COALESCE(sum(f.matched), 0) AS matched"
         "  FROM feed f WHERE f.campaign_id = c.campaign_id) fs"
         " CROSS JOIN LATERAL (SELECT count(*) AS opened,"
         "  count(*) FILTER (WHERE cc.status = 'closed') AS closed,"
         "  count(*) FILTER (WHERE cc.status = 'closed'"
         "   AND cc.outcome IN ('repayment_claim', 'sanction')) AS consequential"
         "  FROM control_case cc WHERE cc.campaign_id = c.campaign_id) cs"
         " CROSS JOIN LATERAL (SELECT count(*) AS letters FROM information_request i"
         "  WHERE i.campaign_id = c.campaign_id) ls"
         " WHERE ($1::text IS NULL OR c.campaign_id = $1)"
         " AND ($2::text IS NULL OR c.campaign_id > $2)"
         " ORDER BY c.campaign_id LIMIT $3::int"},
        {"ctl_campaign_feeds",
         "SELECT feed_id, status, received_via, " TS("received_at") ", received, valid, invalid,"
         " duplicate, matched, unmatched FROM feed WHERE campaign_id = $1 ORDER BY received_at, feed_id"},
        {"ctl_campaign_outcomes",
         "SELECT outcome, count(*), COALESCE(sum(repayment_dkk), 0)::text FROM control_case"
         " WHERE campaign_id = $1 AND status = 'closed' GROUP BY outcome ORDER BY outcome"},

        /* ---- control cases */
        {"ctl_control_case_insert",
         "INSERT INTO control_case (control_case_id, case_id, citizen_ref, theme, origin, reason,"
         " opened_by) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, 'caseworker', $5, $6)"
         " RETURNING " TS("opened_at")},
        {"ctl_control_case_lock",
         "SELECT control_case_id, case_id, citizen_ref, status, outcome, theme, origin, campaign_id,"
         " repayment_dkk::text FROM control_case WHERE control_case_id = $1::uuid FOR UPDATE"},
        {"ctl_control_case_get",
         "SELECT control_case_id, case_id, citizen_ref, theme, origin, campaign_id, status, reason,"
         " opened_by, " TS("opened_at") ", outcome, outcome_text, repayment_dkk::text, outcome_by,"
         " " TS("outcome_at") ", closed_by, " TS("closed_at")
         " FROM control_case WHERE control_case_id = $1::uuid"},
        {"ctl_control_case_list",
         "SELECT c.control_case_id, c.case_id, c.citizen_ref, c.theme, c.origin, c.campaign_id,"
         " c.status, c.outcome, " TS("c.opened_at") ", " TS("c.closed_at") ","
         " (SELECT count(*) FROM control_evidence e WHERE e.control_case_id = c.control_case_id),"
         " " CURSOR("c.opened_at", "c.control_case_id")
         " FROM control_case c"
         " WHERE ($1::text IS NULL OR c.status = $1) AND ($2::uuid IS NULL OR c.case_id = $2::uuid)"
         " AND ($3::text IS NULL OR c.campaign_id = $3)"
         " AND ($4::timestamptz IS NULL OR (c.opened_at, c.control_case_id) > ($4::timestamptz, $5::uuid))"
         " ORDER BY c.opened_at, c.control_case_id LIMIT $6::int"},
        {"ctl_control_evidence_list",
         "SELECT e.evidence_id, e.kind, e.campaign_id, e.udk_ref, e.description, e.received_on::text,"
         " e.added_by, " TS("e.added_at") ", r.evidence::text"
         " FROM control_evidence e LEFT JOIN campaign_record r"
         " ON r.campaign_id = e.campaign_id AND r.udk_ref = e.udk_ref"
         " WHERE e.control_case_id = $1::uuid ORDER BY e.evidence_id"},
        {"ctl_control_notes_list",
         "SELECT note_id, text, written_by, " TS("written_at") " FROM control_note"
         " WHERE control_case_id = $1::uuid ORDER BY note_id"},
        {"ctl_control_evidence_insert",
         "INSERT INTO control_evidence (control_case_id, kind, description, received_on, added_by)"
         " VALUES ($1::uuid, $2, $3, $4::date, $5) RETURNING evidence_id, " TS("added_at")},
        {"ctl_control_note_insert",
         "INSERT INTO control_note (control_case_id, text, written_by) VALUES ($1::uuid, $2, $3)"
         " RETURNING note_id, " TS("written_at")},
        {"ctl_control_case_set_outcome",
         "UPDATE control_case SET outcome = $2, outcome_text = $3, repayment_dkk = $4::int,"
         " outcome_by = $5, outcome_at = now() WHERE control_case_id = $1::uuid"
         " RETURNING " TS("outcome_at")},
        {"ctl_control_case_close",
         "UPDATE control_case SET status = 'closed', closed_by = $2, closed_at = now()"
         " WHERE control_case_id = $1::uuid"
         " RETURNING " TS("closed_at")},
        {"ctl_audit_insert",
         "INSERT INTO audit_read (principal, resource, resource_id, case_id, citizen_ref, purpose,"
         " route) VALUES ($1, $2, $3::uuid, $4::uuid, $5::uuid, $6, $7)"},

        /* ---- no-shows, sanction proposals, a-kasse reports */
        {"ctl_no_show_insert",
         "INSERT INTO no_show (no_show_id, basis, source_id, occurred_on, case_id, citizen_ref,"
         " target_group, consequence, rule_id, event_id)"
         " VALUES ($1::uuid, $2, $3::uuid, $4::date, $5::uuid, $6::uuid, $7, $8, $9, $10)"
         " ON CONFLICT (basis, source_id, occurred_on) DO NOTHING RETURNING no_show_id"},
        {"ctl_no_show_link",
         "UPDATE no_show SET proposal_id = $2::uuid, report_id = $3::uuid WHERE no_show_id = $1::uuid"},
        {"ctl_no_show_list",
         "SELECT no_show_id, basis, source_id, occurred_on::text, case_id, citizen_ref, target_group,"
         " consequence, proposal_id, report_id, " TS("recorded_at") ", "
         CURSOR("recorded_at", "no_show_id")
         " FROM no_show WHERE ($1::uuid IS NULL OR case_id = $1::uuid)"
         " AND ($2::text IS NULL OR consequence = $2)"
         " AND ($3::timestamptz IS NULL OR (recorded_at, no_show_id) > ($3::timestamptz, $4::uuid))"
         " ORDER BY recorded_at, no_show_id LIMIT $5::int"},
        {"ctl_proposal_insert",
         "INSERT INTO sanction_proposal (proposal_id, case_id, citizen_ref, target_group, basis,"
         " source_id, source_event_id, meeting_id, enrolment_id, occurred_on, status)"
         " VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::uuid, $7, $8::uuid, $9::uuid,"
         " $10::date, 'awaiting_basis')"
         " ON CONFLICT (basis, source_id, occurred_on) DO NOTHING RETURNING proposal_id"},
        {"ctl_proposal_start_hearing",
         "UPDATE sanction_proposal SET status = 'hearing', kind = $2, rate_dkk = $3::int,"
         " monthly_benefit_dkk = $4::int, rule_set = $5, rates_effective_from = $6::date,"
         " hearing_started_on = $7::date, hearing_deadline = $8::date, proposed_at = now()"
         " WHERE proposal_id = $1::uuid RETURNING " TS("proposed_at")},
        {"ctl_proposal_lock",
         "SELECT " PROPOSAL_COLS " FROM sanction_proposal WHERE proposal_id = $1::uuid FOR UPDATE"},
        {"ctl_proposal_get",
         "SELECT " PROPOSAL_COLS " FROM sanction_proposal WHERE proposal_id = $1::uuid"},
        {"ctl_proposal_list",
         "SELECT " PROPOSAL_COLS " FROM sanction_proposal WHERE ($1::text IS NULL OR status = $1)"
         " AND ($2::uuid IS NULL OR case_id = $2::uuid)"
         " AND ($3::timestamptz IS NULL OR (created_at, proposal_id) > ($3::timestamptz, $4::uuid))"
         " ORDER BY created_at, proposal_id LIMIT $5::int"},
        {"ctl_proposal_hearing_response",
         "UPDATE sanction_proposal SET hearing_response = $2, hearing_response_on = $3::date,"
         " hearing_response_by = $4 WHERE proposal_id = $1::uuid"},
        {"ctl_proposal_decide",
         "UPDATE sanction_proposal SET status = 'decided', decision = $2, decision_reason = $3,"
         " decided_by = $4, decided_at = now() WHERE proposal_id = $1::uuid"
         " RETURNING " TS("decided_at")},
        {"ctl_akasse_report_insert",
         "INSERT INTO akasse_report (report_id, case_id, citizen_ref, akasse, status, basis,"
         " source_id, source_event_id, meeting_id, enrolment_id, occurred_on)"
         " VALUES ($1::uuid, $2::uuid, $3::uuid, $4, 'awaiting_akasse', $5, $6::uuid, $7,"
         " $8::uuid, $9::uuid, $10::date)"
         " ON CONFLICT (basis, source_id, occurred_on) DO NOTHING RETURNING report_id"},
        {"ctl_akasse_report_mark",
         "UPDATE akasse_report SET status = 'requested', requested_at = now()"
         " WHERE report_id = $1::uuid AND akasse IS NOT NULL"
         " RETURNING report_id, case_id, citizen_ref, akasse, basis, occurred_on::text,"
         " source_event_id, meeting_id, enrolment_id, " TS("requested_at")},
        {"ctl_akasse_report_lock",
         "SELECT report_id, status FROM akasse_report WHERE report_id = $1::uuid FOR UPDATE"},
        {"ctl_akasse_report_set_akasse",
         "UPDATE akasse_report SET akasse = $2 WHERE report_id = $1::uuid"},
        {"ctl_akasse_report_list",
         "SELECT report_id, case_id, citizen_ref, akasse, status, basis, source_id,"
         " occurred_on::text, " TS("created_at") ", " TS("requested_at") ", "
         CURSOR("created_at", "report_id")
         " FROM akasse_report WHERE ($1::uuid IS NULL OR case_id = $1::uuid)"
         " AND ($2::text IS NULL OR status = $2)"
         " AND ($3::timestamptz IS NULL OR (created_at, report_id) > ($3::timestamptz, $4::uuid))"
         " ORDER BY created_at, report_id LIMIT $5::int"},

        /* ---- availability */
        {"ctl_doubt_insert",
         "INSERT INTO availability_doubt (case_id, observed_on, source, source_id, note,"
         " recorded_by, course_id)"
         " VALUES ($1::uuid, $2::date, $3, $4, $5, $6, (SELECT course_id FROM availability_course"
         " WHERE case_id = $1::uuid AND status = 'open'))"
         " ON CONFLICT (case_id, source, source_id) DO NOTHING RETURNING doubt_id"},
        {"ctl_doubts_uncounted",
         "SELECT count(*) FROM availability_doubt WHERE case_id = $1::uuid AND course_id IS NULL"
         " AND observed_on > $2::date - $3::int"},
        {"ctl_course_insert",
         "INSERT INTO availability_course (course_id, case_id, citizen_ref, target_group, rule_set,"
         " started_on, contact_every_days, window_days, assessment_due, doubts)"
         " VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::date, $7::int, $8::int, $9::date,"
         " $10::int)"
         " ON CONFLICT (case_id) WHERE status = 'open' DO NOTHING RETURNING course_id"},
        {"ctl_doubts_link",
         "UPDATE availability_doubt SET course_id = $2::uuid"
         " WHERE case_id = $1::uuid AND course_id IS NULL"},
        {"ctl_course_lock",
         "SELECT course_id, case_id, citizen_ref, target_group, status FROM availability_course"
         " WHERE course_id = $1::uuid FOR UPDATE"},
        {"ctl_course_assess",
         "UPDATE availability_course SET status = 'assessed', outcome = $2, assessment_note = $3,"
         " assessed_on = $4::date, assessed_by = $5, assessed_at = now(), proposal_id = $6::uuid,"
         " report_id = $7::uuid WHERE course_id = $1::uuid"},
        {"ctl_course_list",
         "SELECT course_id, case_id, citizen_ref, target_group, status, started_on::text,"
         " contact_every_days, window_days, assessment_due::text, doubts, rule_set, outcome,"
         " assessed_on::text, assessed_by, proposal_id, report_id, "
         CURSOR("started_at", "course_id")
         " FROM availability_course WHERE ($1::text IS NULL OR status = $1)"
         " AND ($2::uuid IS NULL OR case_id = $2::uuid)"
         " AND ($3::timestamptz IS NULL OR (started_at, course_id) > ($3::timestamptz, $4::uuid))"
         " ORDER BY started_at, course_id LIMIT $5::int"},
        {NULL, NULL},
};
