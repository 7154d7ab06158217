-- Providers and employers, their offers (places over dates), and the
-- citizens' enrolments in them. Offer types are data (rules/offer_rules.json):
-- the code is stored, the catalogue checked by the service.
CREATE TABLE provider (
    provider_id uuid PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('employer', 'provider', 'municipal')),
    name        text NOT NULL,
    cvr         char(8) CHECK (cvr ~ '^[0-9]{8}$'),   -- company register number, not personal data
    sector      text CHECK (sector IN ('private', 'public')),
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX provider_created_idx ON provider (created_at, provider_id);

CREATE TABLE offer (
    offer_id        uuid PRIMARY KEY,
    offer_type      text NOT NULL,
    provider_id     uuid NOT NULL REFERENCES provider,
    title           text NOT NULL,
    capacity        integer NOT NULL CHECK (capacity BETWEEN 1 AND 10000), -- places at the same time
    available_from  date NOT NULL,
    available_until date,                                             -- NULL: open-ended
    hours_per_week  integer NOT NULL CHECK (hours_per_week BETWEEN 1 AND 37),
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (available_until IS NULL OR available_until >= available_from)
);
CREATE INDEX offer_type_idx ON offer (offer_type, created_at, offer_id);
CREATE INDEX offer_provider_idx ON offer (provider_id);

-- A citizen's place on an offer. `period` is the days it holds the place:
-- [planned_start, planned_end] while assigned, [started_on, planned_end]
-- once started, [started_on, ended_on] when ended, empty when it ended
-- without starting.
CREATE TABLE enrolment (
    enrolment_id   uuid PRIMARY KEY,
    offer_id       uuid NOT NULL REFERENCES offer,
    case_id        uuid NOT NULL REFERENCES case_projection,
    citizen_ref    uuid NOT NULL,
    offer_type     text NOT NULL,
    counts_active  boolean NOT NULL,     -- an active offer (measure), from the catalogue
    work_duty_hours boolean NOT NULL,    -- counts toward the work-duty ceiling
    status         text NOT NULL DEFAULT 'assigned' CHECK (status IN ('assigned', 'started', 'ended')),
    planned_start  date NOT NULL,
    planned_end    date NOT NULL CHECK (planned_end >= planned_start),
    hours_per_week integer NOT NULL CHECK (hours_per_week BETWEEN 1 AND 37),
    started_on     date,
    ended_on       date,
    outcome        text CHECK (outcome IN ('job', 'education', 'completed', 'ended_early', 'no_show', 'cancelled')),
    ended_by       text CHECK (ended_by IN ('caseworker', 'case_closed')),
    period         daterange NOT NULL,
    assigned_by    text NOT NULL,
    assigned_at    timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'assigned') = (started_on IS NULL AND ended_on IS NULL)
           OR (status = 'ended' AND started_on IS NULL)),
    CHECK ((status = 'ended') = (outcome IS NOT NULL))
);
CREATE INDEX enrolment_case_idx ON enrolment (case_id);
CREATE INDEX enrolment_offer_idx ON enrolment (offer_id);
CREATE INDEX enrolment_active_idx ON enrolment (case_id) WHERE counts_active;
CREATE INDEX enrolment_ended_idx ON enrolment (ended_on) WHERE status = 'ended';

-- Attendance registrations, one per enrolment and day.
CREATE TABLE attendance (
    enrolment_id  uuid NOT NULL REFERENCES enrolment,
    day           date NOT NULL,
    attended      boolean NOT NULL,
    lawful_reason boolean,               -- for a miss: was there a lawful reason
    reason        text CHECK (reason IN ('illness', 'childcare', 'transport', 'other')),
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enrolment_id, day),
    CHECK (attended = (lawful_reason IS NULL)),
    CHECK (reason IS NULL OR lawful_reason)
);
