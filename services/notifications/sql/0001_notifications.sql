-- notifications: the letters and messages the platform sends, their delivery,
-- and what it needs to address them (a projection of cases and the citizens'
-- contact data from the restricted topic jobcenter.citizen.v1).

-- The cases notifications has heard of (jobcenter.case.v1): a closed case
-- gets no further letters, and caseworker reminders go to its caseworker.
CREATE TABLE case_projection (
    case_id       uuid PRIMARY KEY,
    citizen_ref   uuid NOT NULL,
    target_group  text,
    caseworker_id text,
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_on     date,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- PERSONAL DATA: the latest citizen.upserted.v1 per citizen. A tombstone on
-- jobcenter.citizen.v1 deletes the row (and the rendered letters to them).
CREATE TABLE citizen (
    citizen_ref  uuid PRIMARY KEY,
    cpr          text NOT NULL,
    name         text NOT NULL,
    digital_post boolean NOT NULL,
    email        text,
    phone        text,
    street       text,
    postcode     text,
    city         text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Citizens erased by a tombstone (no personal data: the pseudonymous ref and
-- when). Messages for them are cancelled instead of waiting for contact data.
CREATE TABLE citizen_erasure (
    citizen_ref uuid PRIMARY KEY,
    erased_at   timestamptz NOT NULL DEFAULT now()
);

-- One message per (triggering event, recipient, template): the unique key
-- makes a redelivered or replayed event a no-op. message_id is the
-- Idempotency-Key the receiving gateway deduplicates on.
CREATE TABLE message (
    message_id       uuid PRIMARY KEY,
    seq              bigserial UNIQUE,          -- list order and cursors
    event_id         text NOT NULL,             -- CloudEvents id, or reminder:<meeting>:<start>
    recipient        text NOT NULL,             -- citizen:<ref> | akasse:<code> | caseworker:<id>
    template         text NOT NULL,
    template_version integer NOT NULL,
    trigger          text NOT NULL,             -- event type, or meeting.reminder
    recipient_kind   text NOT NULL CHECK (recipient_kind IN ('citizen', 'akasse', 'caseworker')),
    recipient_id     text NOT NULL,
    case_id          uuid NOT NULL,
    citizen_ref      uuid,
    fields           jsonb NOT NULL,            -- the trigger's values (no personal data)
    origin_topic     text NOT NULL,
    origin_partition integer NOT NULL,
    origin_offset    bigint NOT NULL,
    origin_key       text,
    event_time       timestamptz,               -- when the triggering event happened
    status           text NOT NULL
        CHECK (status IN ('awaiting_contact', 'pending', 'sent', 'failed', 'cancelled')),
    channel          text CHECK (channel IN ('digital_post', 'email', 'sms', 'akasse_webhook',
                                             'internal', 'physical_letter')),
    -- PERSONAL DATA once rendered (names, addresses); cleared on erasure
    subject          text,
    body_text        text,
    body_html        text,
    rendered_at      timestamptz,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    failure_reason   text,
    cancelled_reason text,
    resends          integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    failed_at        timestamptz,
    erased_at        timestamptz,
    UNIQUE (event_id, recipient, template)
);
CREATE INDEX message_due_idx ON message (next_attempt_at) WHERE status = 'pending';
CREATE INDEX message_case_idx ON message (case_id, seq);
CREATE INDEX message_citizen_idx ON message (citizen_ref) WHERE citizen_ref IS NOT NULL;
CREATE INDEX message_awaiting_idx ON message (created_at) WHERE status = 'awaiting_contact';
CREATE INDEX message_status_idx ON message (status, seq);

-- Wake the delivery workers when a message becomes due (a hint: they poll too).
CREATE FUNCTION message_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('notifications_delivery', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER message_notify_insert AFTER INSERT ON message
    FOR EACH STATEMENT EXECUTE FUNCTION message_notify();
CREATE TRIGGER message_notify_update AFTER UPDATE OF status ON message
    FOR EACH ROW WHEN (NEW.status = 'pending' AND OLD.status <> 'pending')
    EXECUTE FUNCTION message_notify();

-- Every delivery attempt: when, what the receiver said (never its body).
CREATE TABLE delivery_attempt (
    message_id  uuid NOT NULL REFERENCES message ON DELETE CASCADE,
    round       integer NOT NULL,          -- 0, then 1 after the first operator resend, ...
    attempt     integer NOT NULL,          -- 1-based within the round
    channel     text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    outcome     text NOT NULL CHECK (outcome IN ('sent', 'transient', 'permanent')),
    http_status integer,
    error       text,
    duration_ms integer NOT NULL,
    PRIMARY KEY (message_id, round, attempt)
);

-- The internal queue: reminders caseworkers read through the API.
CREATE TABLE caseworker_reminder (
    message_id    uuid PRIMARY KEY REFERENCES message,
    caseworker_id text NOT NULL,
    case_id       uuid NOT NULL,
    subject       text NOT NULL,
    body          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX caseworker_reminder_idx ON caseworker_reminder (caseworker_id, created_at);

-- Meeting reminders: one row per booked meeting, sent by the sweep the lead
-- time before the start (each start time once), cancelled with the meeting
-- or the case.
CREATE TABLE meeting_reminder (
    meeting_id       uuid PRIMARY KEY,
    case_id          uuid NOT NULL,
    citizen_ref      uuid NOT NULL,
    starts_at        timestamptz NOT NULL,
    fields           jsonb NOT NULL,
    origin_topic     text NOT NULL,
    origin_partition integer NOT NULL,
    origin_offset    bigint NOT NULL,
    status           text NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'sent', 'cancelled', 'expired')),
    message_id       uuid,
    cancelled_reason text,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meeting_reminder_due_idx ON meeting_reminder (starts_at) WHERE status = 'scheduled';
CREATE INDEX meeting_reminder_case_idx ON meeting_reminder (case_id);

-- Every read of personal data through the API: who, which citizen/case, why.
CREATE TABLE audit_read (
    id          bigserial PRIMARY KEY,
    principal   text NOT NULL,
    citizen_ref uuid,
    case_id     uuid,
    purpose     text NOT NULL,
    route       text NOT NULL,
    read_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_read_case_idx ON audit_read (case_id, read_at);
