/* Named statements of the common library, prepared on every connection of
 * every service (tables from libs/common/sql/). */
#include "jc/outbox.h"

const jc_pg_stmt jc_common_stmts[] = {
        {"jc_outbox_insert",
         "INSERT INTO outbox (event_id, event_type, topic, msg_key, payload, headers)"
         " VALUES ($1, $2, $3, $4::bytea, $5::bytea, $6::jsonb)"},
        {"jc_relay_lock", "SELECT pg_try_advisory_lock(hashtext($1))"},
        {"jc_relay_fetch",
         "SELECT id, topic, msg_key, payload, headers::text FROM outbox"
         " WHERE published_at IS NULL AND failed_at IS NULL"
         " ORDER BY id LIMIT $1::int"},
        {"jc_relay_mark",
         "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"},
        {"jc_relay_fail",
         "UPDATE outbox SET failed_at = now(), last_error = $2 WHERE id = $1::bigint"},
        {"jc_relay_prune",
         "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
         " WHERE published_at < now() - make_interval(hours => $1::int) LIMIT 10000)"},
        {"jc_outbox_backlog",
         "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)"
         " FROM outbox WHERE published_at IS NULL AND failed_at IS NULL"},
        /* One statement per batch; RETURNING says which messages are new. */
        {"jc_inbox_insert_batch",
         "INSERT INTO inbox (consumer, source, event_id, event_type, topic,"
         " kafka_partition, kafka_offset, outcome)"
         " SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[],"
         " $6::int[], $7::bigint[], $8::text[])"
         " ON CONFLICT DO NOTHING RETURNING source, event_id"},
        {"jc_inbox_prune",
         "DELETE FROM inbox WHERE ctid IN (SELECT ctid FROM inbox"
         " WHERE received_at < now() - make_interval(days => $1::int) LIMIT 10000)"},
        {"jc_dead_letter_insert",
         "INSERT INTO dead_letter (consumer, topic, kafka_partition, kafka_offset,"
         " msg_key, payload, reason)"
         " VALUES ($1, $2, $3::int, $4::bigint, $5::bytea, $6::bytea, $7)"
         " ON CONFLICT DO NOTHING RETURNING id"},
        {NULL, NULL},
};
