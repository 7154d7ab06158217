-- Idempotent creates (jc/idempotency.h): the first request with a key is
-- processed and its answer stored in the same transaction; a replay with the
-- same body gets that answer; the same key with another body is a conflict.
CREATE TABLE idempotency (
    scope        text NOT NULL,   -- operation and caller, e.g. "handover:akasse:3F"
    idem_key     text NOT NULL,
    request_hash text NOT NULL,   -- SHA-256 of the canonical request
    status       integer,
    response     text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_created_idx ON idempotency (created_at);
