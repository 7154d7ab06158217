/* notifications' named statements (tables in ../sql/). */
#include <stddef.h>

#include "notifications.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* The columns messages_http.c's message_item() reads, 0..16. */
#define MESSAGE_COLS                                                                           \
        "m.message_id, m.case_id, m.trigger, m.template, m.template_version, m.recipient_kind," \
        " m.recipient_id, m.channel, m.status, m.attempts, " TS("m.created_at") ","            \
        " " TS("m.sent_at") ", " TS("m.failed_at") ","                                          \
        " CASE WHEN m.status = 'pending' THEN " TS("m.next_attempt_at") " END,"                 \
        " m.failure_reason, m.cancelled_reason, m.last_error"

/* The first attempt stores the rendering (its parameters are NULL later). */
#define RENDERING(subject, text, html)                                                          \
        ", channel = $3, subject = COALESCE(" subject ", subject),"                             \
        " body_text = COALESCE(" text ", body_text), body_html = COALESCE(" html ", body_html),"  \
        " rendered_at = COALESCE(rendered_at, CASE WHEN " subject " IS NOT NULL THEN now() END)"

#define ATTEMPT_INSERT(outcome)                                                                 \
        "INSERT INTO delivery_attempt (message_id, round, attempt, channel, outcome,"          \
        " http_status, error, duration_ms)"                                                    \
        " SELECT $1::uuid, resends, $2::int, $3, " outcome

const jc_pg_stmt notif_stmts[] = {
        /* the case projection */
        {"notif_case_upsert",
         "INSERT INTO case_projection (case_id, citizen_ref, target_group, caseworker_id)"
         " VALUES ($1::uuid, $2::uuid, $3, $4)"
         " ON CONFLICT (case_id) DO UPDATE SET citizen_ref = EXCLUDED.citizen_ref,"
         " target_group = EXCLUDED.target_group,"
         " caseworker_id = COALESCE(EXCLUDED.caseworker_id, case_projection.caseworker_id),"
         " updated_at = now()"},
        {"notif_case_set_caseworker",
         "INSERT INTO case_projection (case_id, citizen_ref, caseworker_id)"
         " VALUES ($1::uuid, $2::uuid, $3)"
         " ON CONFLICT (case_id) DO UPDATE SET caseworker_id = EXCLUDED.caseworker_id,"
         " updated_at = now()"},
        {"notif_case_set_target_group",
         "INSERT INTO case_projection (case_id, citizen_ref, target_group)"
         " VALUES ($1::uuid, $2::uuid, $3)"
         " ON CONFLICT (case_id) DO UPDATE SET target_group = EXCLUDED.target_group,"
         " updated_at = now()"},
        {"notif_case_close",
         "INSERT INTO case_projection (case_id, citizen_ref, status, closed_on)"
         " VALUES ($1::uuid, $2::uuid, 'closed', $3::date)"
         " ON CONFLICT (case_id) DO UPDATE SET status = 'closed', closed_on = EXCLUDED.closed_on,"
         " updated_at = now()"},
        {"notif_case_get",
         "SELECT case_id, citizen_ref, caseworker_id, status, target_group FROM case_projection"
         " WHERE case_id = $1::uuid"},

        /* citizens (personal data) */
        {"notif_citizen_upsert",
         "WITH back AS (DELETE FROM citizen_erasure WHERE citizen_ref = $1::uuid)"
         " INSERT INTO citizen (citizen_ref, cpr, name, digital_post, email, phone, street,"
         " postcode, city) VALUES ($1::uuid, $2, $3, $4::boolean, $5, $6, $7, $8, $9)"
         " ON CONFLICT (citizen_ref) DO UPDATE SET cpr = EXCLUDED.cpr, name = EXCLUDED.name,"
         " digital_post = EXCLUDED.digital_post, email = EXCLUDED.email, phone = EXCLUDED.phone,"
         " street = EXCLUDED.street, postcode = EXCLUDED.postcode, city = EXCLUDED.city,"
         " updated_at = now()"},
        {"notif_messages_wake_citizen",
         "UPDATE message SET status = 'pending', next_attempt_at = now()"
         " WHERE citizen_ref = $1::uuid AND status = 'awaiting_contact'"},
        {"notif_citizen_erase",
         "WITH gone AS (DELETE FROM citizen WHERE citizen_ref = $1::uuid)"
         " INSERT INTO citizen_erasure (citizen_ref) VALUES ($1::uuid) ON CONFLICT DO NOTHING"},
        {"notif_messages_erase",
         "UPDATE message SET subject = NULL, body_text = NULL, body_html = NULL,"
         " erased_at = COALESCE(erased_at, now()) WHERE citizen_ref = $1::uuid"},
        {"notif_messages_cancel_citizen",
         "UPDATE message SET status = 'cancelled', cancelled_reason = 'citizen erased'"
         " WHERE citizen_ref = $1::uuid AND status IN ('awaiting_contact', 'pending')"},
        {"notif_reminders_cancel_citizen",
         "UPDATE meeting_reminder SET status = 'cancelled', cancelled_reason = 'citizen erased',"
         " updated_at = now() WHERE citizen_ref = $1::uuid AND status = 'scheduled'"},
        {"notif_dead_letters_erase",
         "UPDATE dead_letter SET payload = NULL WHERE topic = 'jobcenter.citizen.v1'"
         " AND msg_key = convert_to($1, 'UTF8') AND payload IS NOT NULL"},

        /* messages */
        /* $17: closed cases get none (citizen and caseworker messages);
         * $18: needs the citizen's data to render */
        {"notif_message_insert",
         "INSERT INTO message (message_id, event_id, recipient, template, template_version,"
         " trigger, recipient_kind, recipient_id, case_id, citizen_ref, fields, origin_topic,"
         " origin_partition, origin_offset, origin_key, event_time, status, cancelled_reason)"
         " SELECT $1::uuid, $2, $3, $4, $5::int, $6, $7, $8, $9::uuid, $10::uuid, $11::jsonb, $12,"
         " $13::int, $14::bigint, $15, $16::timestamptz,"
         " CASE WHEN $17::boolean AND cp.status = 'closed' THEN 'cancelled'"
         "      WHEN $18::boolean AND c.citizen_ref IS NULL AND er.citizen_ref IS NOT NULL"
         "        THEN 'cancelled'"
         "      WHEN $18::boolean AND c.citizen_ref IS NULL THEN 'awaiting_contact'"
         "      ELSE 'pending' END,"
         " CASE WHEN $17::boolean AND cp.status = 'closed' THEN 'case closed'"
         "      WHEN $18::boolean AND c.citizen_ref IS NULL AND er.citizen_ref IS NOT NULL"
         "        THEN 'citizen erased' END"
         " FROM (SELECT 1) one"
         " LEFT JOIN case_projection cp ON cp.case_id = $9::uuid"
         " LEFT JOIN citizen c ON c.citizen_ref = $10::uuid"
         " LEFT JOIN citizen_erasure er ON er.citizen_ref = $10::uuid"
         " ON CONFLICT (event_id, recipient, template) DO NOTHING RETURNING message_id, status"},
        {"notif_messages_cancel_reminders",
         "UPDATE message SET status = 'cancelled', cancelled_reason = $3"
         " WHERE case_id = $1::uuid AND template = $2 AND status IN ('awaiting_contact', 'pending')"},
        {"notif_proposal_fields",
         "SELECT fields::text FROM message WHERE case_id = $1::uuid"
         " AND trigger = 'sanction.proposed.v1' AND fields->>'proposal_id' = $2 LIMIT 1"},

        /* meeting reminders */
        {"notif_reminder_upsert",
         "INSERT INTO meeting_reminder (meeting_id, case_id, citizen_ref, starts_at, fields,"
         " origin_topic, origin_partition, origin_offset, status, cancelled_reason)"
         " SELECT $1::uuid, $2::uuid, $3::uuid, $4::timestamptz, $5::jsonb, $6, $7::int, $8::bigint,"
         " CASE WHEN cp.status = 'closed' THEN 'cancelled' ELSE 'scheduled' END,"
         " CASE WHEN cp.status = 'closed' THEN 'case closed' END"
         " FROM (SELECT 1) one LEFT JOIN case_projection cp ON cp.case_id = $2::uuid"
         " ON CONFLICT (meeting_id) DO UPDATE SET starts_at = EXCLUDED.starts_at,"
         " fields = EXCLUDED.fields, origin_topic = EXCLUDED.origin_topic,"
         " origin_partition = EXCLUDED.origin_partition, origin_offset = EXCLUDED.origin_offset,"
         " status = CASE WHEN meeting_reminder.starts_at = EXCLUDED.starts_at"
         "   THEN meeting_reminder.status ELSE EXCLUDED.status END,"
         " cancelled_reason = CASE WHEN meeting_reminder.starts_at = EXCLUDED.starts_at"
         "   THEN meeting_reminder.cancelled_reason ELSE EXCLUDED.cancelled_reason END,"
         " updated_at = now()"
         " WHERE meeting_reminder.status <> 'cancelled'"},
        /* the meeting's reminder, and its message if created but not yet sent */
        {"notif_reminder_cancel",
         "WITH m AS (UPDATE message SET status = 'cancelled', cancelled_reason = $2"
         "   WHERE case_id = $3::uuid AND template = 'meeting_reminder'"
         "   AND status IN ('awaiting_contact', 'pending') AND fields->>'meeting_id' = $1)"
         " UPDATE meeting_reminder SET status = 'cancelled', cancelled_reason = $2,"
         " updated_at = now() WHERE meeting_id = $1::uuid AND status = 'scheduled'"},
        {"notif_reminders_cancel_case",
         "UPDATE meeting_reminder SET status = 'cancelled', cancelled_reason = $2,"
         " updated_at = now() WHERE case_id = $1::uuid AND status = 'scheduled'"},
        /* $1 now (Unix seconds), $2 lead time (seconds) */
        {"notif_reminders_due",
         "WITH due AS (SELECT meeting_id FROM meeting_reminder WHERE status = 'scheduled'"
         "   AND starts_at > to_timestamp($1::bigint)"
         "   AND starts_at - make_interval(secs => $2::bigint) <= to_timestamp($1::bigint)"
         "   ORDER BY starts_at LIMIT 500 FOR UPDATE SKIP LOCKED)"
         " UPDATE meeting_reminder r SET status = 'sent', updated_at = now() FROM due"
         " WHERE r.meeting_id = due.meeting_id"
         " RETURNING r.meeting_id, r.case_id, r.citizen_ref,"
         " extract(epoch FROM r.starts_at)::bigint, r.fields::text, r.origin_topic,"
         " r.origin_partition, r.origin_offset"},
        {"notif_reminder_set_message",
         "UPDATE meeting_reminder SET message_id = $2::uuid WHERE meeting_id = $1::uuid"},
        {"notif_reminders_expire",
         "UPDATE meeting_reminder SET status = 'expired', updated_at = now()"
         " WHERE status = 'scheduled' AND starts_at <= to_timestamp($1::bigint)"},
        {"notif_awaiting_expired",
         "SELECT message_id, case_id, citizen_ref, recipient_kind, recipient_id, template,"
         " template_version, trigger, event_id, origin_topic, origin_partition, origin_offset,"
         " attempts FROM message WHERE status = 'awaiting_contact'"
         " AND created_at < now() - make_interval(hours => $1::int)"
         " ORDER BY created_at LIMIT 200 FOR UPDATE SKIP LOCKED"},

        /* delivery (columns: see the enum in delivery.c) */
        {"notif_claim",
         "SELECT m.message_id, m.template, m.template_version, m.recipient_kind, m.recipient_id,"
         " m.case_id, m.citizen_ref, m.fields::text, m.channel, m.subject, m.body_text,"
         " m.body_html, m.attempts, m.trigger, m.event_id, m.origin_topic, m.origin_partition,"
         " m.origin_offset, m.origin_key, c.cpr, c.name, c.digital_post, c.email, c.phone,"
         " c.street, c.postcode, c.city, c.citizen_ref IS NOT NULL, er.citizen_ref IS NOT NULL"
         " FROM message m LEFT JOIN citizen c ON c.citizen_ref = m.citizen_ref"
         " LEFT JOIN citizen_erasure er ON er.citizen_ref = m.citizen_ref"
         " WHERE m.status = 'pending' AND m.next_attempt_at <= now()"
         " ORDER BY m.next_attempt_at LIMIT 1 FOR UPDATE OF m SKIP LOCKED"},
        {"notif_next_due",
         "SELECT (extract(epoch FROM min(next_attempt_at) - clock_timestamp()) * 1000)::bigint"
         " FROM message WHERE status = 'pending'"},
        {"notif_message_park",
         "UPDATE message SET status = $2, cancelled_reason = $3 WHERE message_id = $1::uuid"},
        {"notif_message_rendered",
         "UPDATE message SET channel = $2, subject = $3, body_text = $4, body_html = $5,"
         " rendered_at = now() WHERE message_id = $1::uuid"},
        {"notif_message_sent",
         "WITH a AS (" ATTEMPT_INSERT("'sent', $4::int, NULL, $5::int")
         "   FROM message WHERE message_id = $1::uuid)"
         " UPDATE message SET status = 'sent', attempts = $2::int, sent_at = clock_timestamp(),"
         " last_error = NULL" RENDERING("$6", "$7", "$8") " WHERE message_id = $1::uuid"},
        {"notif_message_retry",
         "WITH a AS (" ATTEMPT_INSERT("'transient', $4::int, $5, $6::int")
         "   FROM message WHERE message_id = $1::uuid)"
         " UPDATE message SET attempts = $2::int, last_error = $5,"
         " next_attempt_at = clock_timestamp() + make_interval(secs => $7::double precision / 1000)"
         RENDERING("$8", "$9", "$10") " WHERE message_id = $1::uuid"},
        {"notif_attempt_insert",
         ATTEMPT_INSERT("$4, $5::int, $6, $7::int") " FROM message WHERE message_id = $1::uuid"},
        {"notif_message_fail",
         "UPDATE message SET status = 'failed', failed_at = clock_timestamp(), failure_reason = $2,"
         " last_error = COALESCE(last_error, $2), attempts = GREATEST(attempts, $3::int)"
         " WHERE message_id = $1::uuid"},
        /* one dead letter per message (consumer notifications-delivery:<id>); a
         * failure after a resend updates it */
        {"notif_dead_letter_upsert",
         "INSERT INTO dead_letter (consumer, topic, kafka_partition, kafka_offset, reason)"
         " VALUES ($1, $2, $3::int, $4::bigint, $5)"
         " ON CONFLICT (consumer, topic, kafka_partition, kafka_offset)"
         " DO UPDATE SET reason = EXCLUDED.reason, created_at = now() RETURNING id"},
        {"notif_internal_insert",
         "INSERT INTO caseworker_reminder (message_id, caseworker_id, case_id, subject, body)"
         " VALUES ($1::uuid, $2, $3::uuid, $4, $5) ON CONFLICT DO NOTHING"},

        /* the API */
        {"notif_audit_insert",
         "INSERT INTO audit_read (principal, citizen_ref, case_id, purpose, route)"
         " VALUES ($1, $2::uuid, $3::uuid, $4, $5)"},
        {"notif_case_messages",
         "SELECT " MESSAGE_COLS ", m.subject, m.body_text, m.citizen_ref, m.seq"
         " FROM message m WHERE m.case_id = $1::uuid AND m.seq > $2::bigint"
         " ORDER BY m.seq LIMIT $3::int"},
        {"notif_messages_by_status",
         "SELECT " MESSAGE_COLS ", m.seq FROM message m"
         " WHERE m.status = $1 AND m.seq > $2::bigint ORDER BY m.status, m.seq LIMIT $3::int"},
        {"notif_message_get",
         "SELECT " MESSAGE_COLS ", m.event_id, m.resends, m.citizen_ref FROM message m"
         " WHERE m.message_id = $1::uuid"},
        {"notif_message_attempts",
         "SELECT round, attempt, channel, " TS("at") ", outcome, http_status, error, duration_ms"
         " FROM delivery_attempt WHERE message_id = $1::uuid ORDER BY round, attempt"},
        {"notif_message_lock",
         "SELECT status, erased_at FROM message WHERE message_id = $1::uuid FOR UPDATE"},
        {"notif_message_resend",
         "UPDATE message SET status = 'pending', attempts = 0, next_attempt_at = now(),"
         " failure_reason = NULL, failed_at = NULL, last_error = NULL, channel = NULL,"
         " subject = NULL, body_text = NULL, body_html = NULL, rendered_at = NULL,"
         " resends = resends + 1 WHERE message_id = $1::uuid RETURNING resends"},
        {"notif_caseworker_reminders",
         "SELECT r.message_id, r.case_id, r.subject, r.body, " TS("r.created_at") ", m.seq"
         " FROM caseworker_reminder r JOIN message m ON m.message_id = r.message_id"
         " WHERE r.caseworker_id = $1 AND m.seq > $2::bigint ORDER BY m.seq LIMIT $3::int"},
        {NULL, NULL},
};
