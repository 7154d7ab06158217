-- control cases, no-shows, sanction proposals, a-kasse reports, availability
-- courses, and the audit of personal-data reads.

-- A control case: opened per matched citizen by a control campaign (with the
-- campaign records as evidence) or by a caseworker; outcome, then closed.
CREATE TABLE control_case (
    control_case_id uuid PRIMARY KEY,
    case_id         uuid NOT NULL,
    citizen_ref     uuid NOT NULL,
    theme           text NOT NULL
        CHECK (theme IN ('udlandsophold', 'uoplyst-arbejde', 'samlivsforhold', 'adresse', 'andet')),
    origin          text NOT NULL CHECK (origin IN ('campaign', 'caseworker')),
    campaign_id     text REFERENCES campaign,
    feed_uuid       uuid REFERENCES feed,  -- the feed that opened it
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    reason          text,                  -- why a caseworker opened it
    outcome         text CHECK (outcome IN ('no_basis', 'repayment_claim', 'sanction', 'police_report')),
    outcome_text    text,
    repayment_dkk   integer CHECK (repayment_dkk > 0),
    outcome_by      text,
    outcome_at      timestamptz,
    opened_by       text NOT NULL,
    opened_at       timestamptz NOT NULL DEFAULT now(),
    closed_by       text,
    closed_at       timestamptz,
    UNIQUE (campaign_id, citizen_ref)      -- one per citizen and campaign
);
CREATE INDEX control_case_feed_idx ON control_case (feed_uuid, control_case_id)
    WHERE feed_uuid IS NOT NULL;
CREATE INDEX control_case_list_idx ON control_case (opened_at, control_case_id);
CREATE INDEX control_case_case_idx ON control_case (case_id);

CREATE TABLE control_evidence (
    evidence_id     bigserial PRIMARY KEY,
    control_case_id uuid NOT NULL REFERENCES control_case,
    kind            text NOT NULL
        CHECK (kind IN ('udk_record', 'document', 'register_extract', 'statement', 'other')),
    campaign_id     text,                  -- udk_record: the campaign record
    udk_ref         text,
    description     text,
    received_on     date,
    added_by        text NOT NULL,
    added_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'udk_record') = (udk_ref IS NOT NULL))
);
CREATE INDEX control_evidence_case_idx ON control_evidence (control_case_id, evidence_id);

CREATE TABLE control_note (
    note_id         bigserial PRIMARY KEY,
    control_case_id uuid NOT NULL REFERENCES control_case,
    text            text NOT NULL,
    written_by      text NOT NULL,
    written_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX control_note_case_idx ON control_note (control_case_id, note_id);

-- Every read of personal data (a control case with its evidence and notes, a
-- sanction proposal with the citizen's hearing response): who, what, when, why.
CREATE TABLE audit_read (
    id          bigserial PRIMARY KEY,
    principal   text NOT NULL,
    resource    text NOT NULL CHECK (resource IN ('control_case', 'sanction_proposal')),
    resource_id uuid NOT NULL,
    case_id     uuid,
    citizen_ref uuid,
    purpose     text NOT NULL,
    route       text NOT NULL,
    read_at     timestamptz NOT NULL DEFAULT now()
);

-- A no-show without a lawful reason (R58-R61) and what it led to. No-shows
-- with a lawful reason are not recorded: they lead to nothing.
CREATE TABLE no_show (
    no_show_id   uuid PRIMARY KEY,
    basis        text NOT NULL CHECK (basis IN ('meeting_no_show', 'offer_attendance_missed')),
    source_id    uuid NOT NULL,            -- meeting_id or enrolment_id
    occurred_on  date NOT NULL,
    case_id      uuid NOT NULL,
    citizen_ref  uuid NOT NULL,
    target_group text NOT NULL,
    consequence  text NOT NULL
        CHECK (consequence IN ('municipal_sanction', 'akasse_report', 'manual_assessment')),
    rule_id      text,
    proposal_id  uuid,
    report_id    uuid,
    event_id     text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (basis, source_id, occurred_on)
);
CREATE INDEX no_show_list_idx ON no_show (recorded_at, no_show_id);

-- A municipal sanction (kontanthjælp, uddannelseshjælp, selvforsørgelses- og
-- hjemrejseydelse): proposed with one of the four rates (R56) chosen by the
-- monthly benefit, heard with the citizen (partshøring), decided by a
-- caseworker. Without a benefit basis it waits (awaiting_basis) and nothing
-- is sent.
CREATE TABLE sanction_proposal (
    proposal_id          uuid PRIMARY KEY,
    case_id              uuid NOT NULL,
    citizen_ref          uuid NOT NULL,
    target_group         text NOT NULL,
    basis                text NOT NULL
        CHECK (basis IN ('meeting_no_show', 'offer_attendance_missed', 'availability')),
    source_id            uuid NOT NULL,    -- meeting, enrolment or availability course
    source_event_id      text NOT NULL,
    meeting_id           uuid,
    enrolment_id         uuid,
    occurred_on          date NOT NULL,
    status               text NOT NULL
        CHECK (status IN ('awaiting_basis', 'hearing', 'decided')),
    kind                 text CHECK (kind IN ('sats-1', 'sats-2', 'sats-3', 'sats-4')),
    rate_dkk             integer,
    monthly_benefit_dkk  integer,
    rule_set             text,
    rates_effective_from date,
    hearing_started_on   date,
    hearing_deadline     date,
    hearing_response     text,
    hearing_response_on  date,
    hearing_response_by  text,
    decision             text CHECK (decision IN ('approved', 'rejected')),
    decision_reason      text,
    decided_by           text,
    decided_at           timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    proposed_at          timestamptz,      -- when sanction.proposed.v1 went out
    UNIQUE (basis, source_id, occurred_on),
    CHECK (status = 'awaiting_basis' OR (kind IS NOT NULL AND hearing_deadline IS NOT NULL)),
    CHECK (status <> 'decided' OR (decision IS NOT NULL AND decided_by IS NOT NULL))
);
CREATE INDEX sanction_proposal_list_idx ON sanction_proposal (created_at, proposal_id);
CREATE INDEX sanction_proposal_case_idx ON sanction_proposal (case_id);

-- For insured unemployed no municipal sanction: a report to the a-kasse,
-- which decides (R59-R61, R63); notifications delivers it. Held until a
-- caseworker names the a-kasse when the case did not come from a handover.
CREATE TABLE akasse_report (
    report_id       uuid PRIMARY KEY,
    case_id         uuid NOT NULL,
    citizen_ref     uuid NOT NULL,
    akasse          text CHECK (akasse ~ '^[A-Za-z0-9][A-Za-z0-9-]{0,31}$'),
    status          text NOT NULL CHECK (status IN ('awaiting_akasse', 'requested')),
    basis           text NOT NULL
        CHECK (basis IN ('meeting_no_show', 'offer_attendance_missed', 'availability')),
    source_id       uuid NOT NULL,
    source_event_id text NOT NULL,
    meeting_id      uuid,
    enrolment_id    uuid,
    occurred_on     date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    requested_at    timestamptz,
    UNIQUE (basis, source_id, occurred_on),
    CHECK (status = 'awaiting_akasse' OR akasse IS NOT NULL)
);
CREATE INDEX akasse_report_list_idx ON akasse_report (created_at, report_id);

-- Doubts about a citizen's availability (R60): no-shows without a lawful
-- reason, an a-kasse's concern at handover, a caseworker's observation.
CREATE TABLE availability_doubt (
    doubt_id     bigserial PRIMARY KEY,
    case_id      uuid NOT NULL,
    observed_on  date NOT NULL,
    source       text NOT NULL
        CHECK (source IN ('meeting_no_show', 'offer_attendance_missed', 'akasse_handover',
                          'caseworker')),
    source_id    text NOT NULL,            -- what it came from (or the caseworker's key)
    note         text,
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    course_id    uuid,                     -- the course it was counted in
    UNIQUE (case_id, source, source_id)
);

-- The course with more frequent contact and activation, then the
-- caseworker's assessment of real availability.
CREATE TABLE availability_course (
    course_id          uuid PRIMARY KEY,
    case_id            uuid NOT NULL,
    citizen_ref        uuid NOT NULL,
    target_group       text NOT NULL,
    rule_set           text NOT NULL,
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'assessed')),
    started_on         date NOT NULL,
    contact_every_days integer NOT NULL,
    window_days        integer NOT NULL,
    assessment_due     date NOT NULL,
    doubts             integer NOT NULL,
    outcome            text CHECK (outcome IN ('available', 'not_available')),
    assessment_note    text,
    assessed_on        date,
    assessed_by        text,
    assessed_at        timestamptz,
    proposal_id        uuid,
    report_id          uuid,
    started_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX availability_course_open_idx ON availability_course (case_id)
    WHERE status = 'open';
CREATE INDEX availability_course_list_idx ON availability_course (started_at, course_id);
