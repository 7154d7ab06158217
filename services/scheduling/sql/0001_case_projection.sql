-- scheduling's local projection of the cases it schedules for, learned from
-- jobcenter.case.v1 (it never reads intake's tables).
CREATE TABLE case_projection (
    case_id      uuid PRIMARY KEY,
    citizen_ref  uuid NOT NULL,
    target_group text NOT NULL,
    start_date   date NOT NULL,
    status       text NOT NULL DEFAULT 'open',
    opened_at    timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Every case event scheduling applied, in order: the audit trail of what it
-- learned and when (and, in tests, the proof that each event had exactly one
-- effect).
CREATE TABLE case_event (
    id         bigserial PRIMARY KEY,
    case_id    uuid NOT NULL,
    event_id   text NOT NULL,
    event_type text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_event_case_idx ON case_event (case_id);
