-- Offer obligations produced by the rules (a deadline by which an offer of
-- the listed types has started), and employer follow-ups of placements.
CREATE TABLE obligation (
    obligation_id     uuid PRIMARY KEY,
    case_id           uuid NOT NULL REFERENCES case_projection,
    kind              text NOT NULL,     -- active_offer | youth_offer | immediate_activation
    rule_set          text NOT NULL,
    rule              text NOT NULL,
    base_date         date NOT NULL,     -- where the clock started
    due_date          date NOT NULL,
    warn_on           date NOT NULL,
    satisfied_by      text[] NOT NULL,   -- offer types that fulfil it (the rule, as it was)
    min_duration_days integer NOT NULL,
    status            text NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'due_soon', 'missed', 'fulfilled', 'cancelled')),
    fulfilled_by      uuid REFERENCES enrolment,
    fulfilled_on      date,
    cancelled_reason  text CHECK (cancelled_reason IN ('case_closed', 'target_group_changed')),
    warned_at         timestamptz,       -- offer.due_soon.v1 emitted
    missed_at         timestamptz,       -- offer.missed.v1 emitted
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (case_id, rule_set, rule, base_date)
);
CREATE INDEX obligation_case_idx ON obligation (case_id);
CREATE INDEX obligation_warn_idx ON obligation (warn_on) WHERE status = 'open';
CREATE INDEX obligation_due_idx ON obligation (due_date) WHERE status IN ('open', 'due_soon');

CREATE TABLE follow_up (
    follow_up_id   uuid PRIMARY KEY,
    enrolment_id   uuid NOT NULL REFERENCES enrolment,
    case_id        uuid NOT NULL,
    due_date       date NOT NULL,
    placement_end  date NOT NULL,        -- the planned end it prepares
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    result         text CHECK (result IN ('hired', 'extended', 'ended')),
    extended_until date,
    recorded_on    date,
    recorded_by    text,
    recorded_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'done') = (result IS NOT NULL)),
    CHECK ((result = 'extended') = (extended_until IS NOT NULL))
);
CREATE INDEX follow_up_due_idx ON follow_up (due_date, follow_up_id) WHERE status = 'open';
CREATE INDEX follow_up_enrolment_idx ON follow_up (enrolment_id);
