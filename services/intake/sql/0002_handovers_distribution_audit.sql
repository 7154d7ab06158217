-- A-kasser, handovers, caseworkers and distribution, audit of personal-data reads.

-- The a-kasser that may hand over (code = the one in their token scope akasse:<code>).
CREATE TABLE akasse (
    code   text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{2,12}$'),
    name   text NOT NULL,
    active boolean NOT NULL DEFAULT true
);
INSERT INTO akasse (code, name) VALUES
    ('3F', 'Fagligt Fælles Forbunds A-kasse (3F)'),
    ('FOA', 'FOA A-kasse'),
    ('METAL', 'Metalarbejdernes A-kasse'),
    ('DANA', 'Det Faglige Hus A-kasse'),
    ('KRIFA', 'Krifa A-kasse'),
    ('ASE', 'ASE A-kasse'),
    ('HK', 'HK A-kasse'),
    ('MINA', 'Min A-kasse'),
    ('AKA', 'Akademikernes A-kasse'),
    ('CA', 'CA A-kasse'),
    ('DLF', 'Lærernes A-kasse'),
    ('FTFA', 'Fag og Arbejde A-kasse (FTF-A)'),
    ('SPA', 'Socialpædagogernes A-kasse'),
    ('BUPL', 'BUPL A-kasse'),
    ('DSA', 'Danske Sundhedsorganisationers A-kasse'),
    ('EL', 'El-fagets A-kasse'),
    ('FORSIKR', 'Forsikringsforbundets A-kasse'),
    ('IAK', 'IAK A-kasse'),
    ('KA', 'Kristelig A-kasse'),
    ('MA', 'Magistrenes A-kasse'),
    ('NNF', 'Fødevareforbundet NNF A-kasse'),
    ('PROSA', 'PROSA A-kasse'),
    ('TEKNIQ', 'Teknikernes A-kasse');

-- One row per a-kasse handover (HTTP or Kafka), unique per a-kasse and its id.
CREATE TABLE handover (
    akasse                text NOT NULL REFERENCES akasse,
    handover_id           text NOT NULL,
    request_hash          text NOT NULL,
    case_id               uuid NOT NULL REFERENCES case_file,
    citizen_ref           uuid NOT NULL REFERENCES citizen,
    unemployed_since      date NOT NULL,
    handover_date         date NOT NULL,
    cv_on_jobnet          boolean NOT NULL,
    availability_concerns boolean NOT NULL,
    received_via          text NOT NULL CHECK (received_via IN ('http', 'kafka')),
    received_at           timestamptz NOT NULL DEFAULT now(),
    response              text NOT NULL,   -- the first answer, replayed verbatim
    PRIMARY KEY (akasse, handover_id)
);

-- The conversations the a-kasse held in the first three months.
CREATE TABLE handover_contact (
    akasse       text NOT NULL,
    handover_id  text NOT NULL,
    ordinal      integer NOT NULL,
    held_on      date NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('individual', 'group')),
    channel      text CHECK (channel IN ('in_person', 'phone', 'video')),
    PRIMARY KEY (akasse, handover_id, ordinal),
    FOREIGN KEY (akasse, handover_id) REFERENCES handover
);

CREATE TABLE team (
    team_id text PRIMARY KEY CHECK (team_id ~ '^[a-z0-9-]{1,40}$'),
    name    text NOT NULL
);

CREATE TABLE caseworker (
    caseworker_id text PRIMARY KEY CHECK (caseworker_id ~ '^[a-z0-9-]{1,40}$'),
    name          text NOT NULL,
    team_id       text NOT NULL REFERENCES team,
    target_groups text[] NOT NULL,        -- the groups this caseworker takes
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX caseworker_groups_idx ON caseworker USING gin (target_groups);

-- Citizens per caseworker (full-time) per target group: the unions' guideline
-- caseloads (domain brief 5.4, upper bounds), configurable by an admin.
CREATE TABLE caseload_norm (
    target_group text PRIMARY KEY,
    norm         integer NOT NULL CHECK (norm > 0)
);
INSERT INTO caseload_norm VALUES
    ('a-dagpenge', 55),
    ('kontanthjaelp-jobparat', 55),
    ('kontanthjaelp-aktivitetsparat', 50),
    ('uddannelseshjaelp-uddannelsesparat', 50),
    ('uddannelseshjaelp-aktivitetsparat', 45),
    ('sygedagpenge-beskaeftiget', 50),
    ('sygedagpenge-ledig', 50),
    ('jobafklaring', 45),
    ('ressourceforloeb', 45),
    ('ledighedsydelse', 45),
    ('revalidering', 45),
    ('selvforsoergelse-hjemrejse', 50),
    ('ung-under-18', 45);

ALTER TABLE case_file
    ADD COLUMN visitation    text,
    ADD COLUMN caseworker_id text REFERENCES caseworker,
    ADD COLUMN assigned_at   timestamptz,
    ADD COLUMN origin        text NOT NULL DEFAULT 'caseworker'
        CHECK (origin IN ('caseworker', 'akasse-handover')),
    ADD COLUMN closed_on     date;
ALTER TABLE case_file ADD CONSTRAINT case_file_close_reason_check CHECK (
    close_reason IS NULL OR close_reason IN
    ('job', 'education', 'flexjob', 'early_pension', 'moved', 'self_supporting', 'other'));
CREATE INDEX case_file_caseworker_open_idx ON case_file (caseworker_id) WHERE status = 'open';
CREATE INDEX case_file_unassigned_idx ON case_file (opened_at)
    WHERE status = 'open' AND caseworker_id IS NULL;

-- Every change to a case, with who made it (the case's own history).
CREATE TABLE case_change (
    id         bigserial PRIMARY KEY,
    case_id    uuid NOT NULL REFERENCES case_file,
    change     text NOT NULL,
    detail     jsonb NOT NULL DEFAULT '{}',
    principal  text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_change_case_idx ON case_change (case_id);

-- Every read of personal data: who, which citizen, when, why.
CREATE TABLE audit_read (
    id          bigserial PRIMARY KEY,
    principal   text NOT NULL,
    citizen_ref uuid NOT NULL,
    case_id     uuid,
    purpose     text NOT NULL,
    route       text NOT NULL,
    read_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_read_citizen_idx ON audit_read (citizen_ref, read_at);

-- Erasure keeps the pseudonymous citizen_ref (cases stay countable) and
-- removes the personal data.
ALTER TABLE citizen ALTER COLUMN cpr DROP NOT NULL;
ALTER TABLE citizen ALTER COLUMN name DROP NOT NULL;
ALTER TABLE citizen ADD COLUMN erased_at timestamptz;

-- Handovers that arrived on akasse.handover.v1 and were refused (they went to
-- the dead-letter topic); GET /v1/handovers/{id} shows the a-kasse the reason.
-- HTTP handovers get the reason in the response and leave no row.
CREATE TABLE handover_rejection (
    akasse      text NOT NULL,
    handover_id text NOT NULL,
    reason      text NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (akasse, handover_id, rejected_at)
);
