-- Contact obligations derived from the rules, meetings, caseworker calendars.

ALTER TABLE case_projection
    ADD COLUMN visitation    text,
    ADD COLUMN caseworker_id text,
    ADD COLUMN team_id       text,
    ADD COLUMN origin        text,
    ADD COLUMN handover      jsonb,     -- what the a-kasse did (contact history)
    ADD COLUMN closed_on     date,
    ADD COLUMN rule_set      text;      -- the rule set in force on start_date
CREATE INDEX case_projection_caseworker_idx ON case_projection (caseworker_id)
    WHERE status = 'open';
CREATE INDEX case_projection_group_idx ON case_projection (target_group, start_date);

-- What the law requires of a case, by when, and why (rule set + rule).
CREATE TABLE obligation (
    obligation_id        uuid PRIMARY KEY,
    case_id              uuid NOT NULL REFERENCES case_projection,
    kind                 text NOT NULL CHECK (kind IN ('meeting', 'reassessment', 'youth_contact')),
    ordinal              integer NOT NULL CHECK (ordinal > 0),
    due_date             date NOT NULL,
    responsible          text NOT NULL DEFAULT 'jobcenter'
        CHECK (responsible IN ('jobcenter', 'akasse')),
    status               text NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'fulfilled', 'missed', 'cancelled')),
    target_group         text NOT NULL,
    rule_set             text NOT NULL,
    rule_id              text NOT NULL,
    fulfilled_by_meeting uuid,
    fulfilled_by         text CHECK (fulfilled_by IN ('jobcenter', 'akasse')),
    fulfilled_on         date,
    due_soon_sent_at     timestamptz,
    missed_at            timestamptz,
    cancelled_reason     text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (case_id, rule_set, rule_id, kind, ordinal)
);
CREATE INDEX obligation_due_idx ON obligation (due_date) WHERE status IN ('open', 'missed');
CREATE INDEX obligation_case_idx ON obligation (case_id, due_date);

CREATE TABLE meeting (
    meeting_id     uuid PRIMARY KEY,
    case_id        uuid NOT NULL REFERENCES case_projection,
    caseworker_id  text NOT NULL,
    starts_at      timestamptz NOT NULL,
    ends_at        timestamptz NOT NULL CHECK (ends_at > starts_at),
    channel        text NOT NULL CHECK (channel IN ('in_person', 'phone', 'video')),
    location       text,
    purpose        text NOT NULL DEFAULT 'meeting'
        CHECK (purpose IN ('meeting', 'reassessment', 'youth_contact')),
    obligation_id  uuid REFERENCES obligation,
    status         text NOT NULL DEFAULT 'booked'
        CHECK (status IN ('booked', 'held', 'no_show', 'cancelled')),
    booked_by      text NOT NULL CHECK (booked_by IN ('caseworker', 'citizen', 'system')),
    held_on        date,
    lawful_reason  boolean,
    no_show_reason text,
    cancel_reason  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meeting_caseworker_time_idx ON meeting (caseworker_id, starts_at)
    WHERE status IN ('booked', 'held');
CREATE INDEX meeting_case_idx ON meeting (case_id, starts_at);
CREATE INDEX meeting_obligation_idx ON meeting (obligation_id) WHERE status = 'booked';

-- One row per caseworker, locked while a booking checks and takes a slot, so
-- two concurrent bookings cannot both take it.
CREATE TABLE calendar_lock (
    caseworker_id text PRIMARY KEY
);

-- Time a caseworker is not available (leave, training, …).
CREATE TABLE calendar_block (
    block_id      uuid PRIMARY KEY,
    caseworker_id text NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL CHECK (ends_at > starts_at),
    reason        text NOT NULL,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calendar_block_idx ON calendar_block (caseworker_id, starts_at);
