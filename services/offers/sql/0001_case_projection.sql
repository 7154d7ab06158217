-- offers' projection of the cases it serves, learned from jobcenter.case.v1
-- (it never reads intake's tables), plus what it learns from
-- jobcenter.meeting.v1 for the weekly review list.
CREATE TABLE case_projection (
    case_id       uuid PRIMARY KEY,
    citizen_ref   uuid NOT NULL,
    target_group  text NOT NULL,
    start_date    date NOT NULL,          -- first day of the benefit period / unemployment / drop-out
    group_since   date NOT NULL,          -- start_date, or the effective_date of the last target-group change
    visitation    text,
    caseworker_id text,
    team_id       text,
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_on     date,
    close_reason  text,
    -- Covered by the work obligation (R68/R69): NULL = the rule set's default
    -- for the target group; a caseworker sets it (PUT /v1/cases/{id}/work-duty).
    work_duty     boolean,
    work_duty_set_by text,
    work_duty_set_at timestamptz,
    opened_at     timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_projection_caseworker_idx ON case_projection (caseworker_id, case_id)
    WHERE status = 'open';
CREATE INDEX case_projection_group_idx ON case_projection (target_group, group_since);

-- Every case event offers applied, in order (the proof, in tests, that each
-- event had exactly one effect).
CREATE TABLE case_event (
    id         bigserial PRIMARY KEY,
    case_id    uuid NOT NULL,
    event_id   text NOT NULL,
    event_type text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_event_case_idx ON case_event (case_id);

-- The last held meeting per case (meeting.held.v1), shown in the weekly
-- review. Kept apart from case_projection because the meeting and case topics
-- are not ordered with each other.
CREATE TABLE case_meeting (
    case_id      uuid PRIMARY KEY,
    last_held_on date NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
