-- Common reliability tables, created in every service's own schema
-- (component "jc" in schema_migrations). See include/jc/outbox.h and
-- include/jc/consumer.h for how they are used.

-- Transactional outbox: rows are written in the same transaction as the state
-- change they announce; the relay publishes them in id order and marks them
-- only when the broker has acknowledged them.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    event_id     text NOT NULL UNIQUE,
    event_type   text,
    topic        text NOT NULL,
    msg_key      bytea,
    payload      bytea,                       -- NULL = tombstone
    headers      jsonb NOT NULL DEFAULT '[]', -- [[name, value], ...]
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    failed_at    timestamptz,                 -- permanent broker refusal
    last_error   text
);
CREATE INDEX outbox_pending_idx ON outbox (id)
    WHERE published_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_published_idx ON outbox (published_at)
    WHERE published_at IS NOT NULL;

-- One wake-up per writing transaction (identical notifications collapse).
-- A hint only: the relay also polls.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('jc_outbox_' || TG_TABLE_SCHEMA, '');
    RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Inbox: one row per consumed message, written in the same transaction as its
-- effects, keyed by the CloudEvents (source, id) pair (or the Kafka position
-- for messages that are not CloudEvents). A redelivery finds the row and
-- changes nothing.
CREATE TABLE inbox (
    consumer        text NOT NULL,
    source          text NOT NULL,
    event_id        text NOT NULL,
    event_type      text,
    topic           text NOT NULL,
    kafka_partition integer NOT NULL,
    kafka_offset    bigint NOT NULL,
    outcome         text NOT NULL
        CHECK (outcome IN ('applied', 'ignored', 'dead_lettered')),
    received_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, source, event_id)
);
CREATE INDEX inbox_received_idx ON inbox (received_at);

-- Messages a consumer could not process. The original bytes stay here, in the
-- service's own restricted schema; jobcenter.dlq.v1 gets the reason and,
-- for topics without personal data, the original payload.
CREATE TABLE dead_letter (
    id              bigserial PRIMARY KEY,
    consumer        text NOT NULL,
    topic           text NOT NULL,
    kafka_partition integer NOT NULL,
    kafka_offset    bigint NOT NULL,
    msg_key         bytea,
    payload         bytea,
    reason          text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (consumer, topic, kafka_partition, kafka_offset)
);
