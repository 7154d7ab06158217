-- intake owns citizens (the only place CPR is stored) and cases.

CREATE TABLE citizen (
    citizen_ref  uuid PRIMARY KEY,          -- pseudonymous id used on every topic
    cpr          char(10) NOT NULL UNIQUE,  -- never logged, never on a case topic
    name         text NOT NULL,
    digital_post boolean NOT NULL DEFAULT true,
    email        text,
    phone        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE case_file (
    case_id      uuid PRIMARY KEY,
    citizen_ref  uuid NOT NULL REFERENCES citizen,
    target_group text NOT NULL,
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    start_date   date NOT NULL,
    opened_at    timestamptz NOT NULL DEFAULT now(),
    closed_at    timestamptz,
    close_reason text
);

-- At most one open case per citizen and target group.
CREATE UNIQUE INDEX case_file_one_open_per_group
    ON case_file (citizen_ref, target_group) WHERE status = 'open';
CREATE INDEX case_file_citizen_idx ON case_file (citizen_ref);
