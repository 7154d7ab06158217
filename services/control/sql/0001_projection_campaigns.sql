-- control: what it learns from other services, and the Udbetaling Danmark
-- campaign feeds.
--
-- There is NO CPR and NO name column anywhere in this schema (a test checks
-- information_schema.columns): control keeps only a keyed hash (HMAC-SHA256
-- with JC_CPR_HMAC_KEY) of each CPR number, enough to match a feed record to
-- a citizen and useless without the key.

-- From jobcenter.citizen.v1: citizen_ref and the keyed hash of the CPR.
CREATE TABLE citizen_key (
    citizen_ref uuid PRIMARY KEY,
    cpr_hmac    bytea NOT NULL UNIQUE CHECK (octet_length(cpr_hmac) = 32),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- From jobcenter.case.v1: the cases, open and closed.
CREATE TABLE case_projection (
    case_id             uuid PRIMARY KEY,
    citizen_ref         uuid NOT NULL,
    target_group        text NOT NULL,
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    start_date          date NOT NULL,
    opened_at           timestamptz NOT NULL,
    visitation          text,
    caseworker_id       text,
    akasse              text,          -- a-kasse code of an a-kasse handover (a-dagpenge)
    -- the sanction basis (R56): the citizen's monthly benefit, from the
    -- payment system, recorded by a caseworker
    monthly_benefit_dkk integer CHECK (monthly_benefit_dkk >= 0),
    benefit_basis_by    text,
    benefit_basis_at    timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_projection_open_idx ON case_projection (citizen_ref, opened_at DESC, case_id)
    WHERE status = 'open';

-- A campaign of the yearly KL/UDK campaign plan (R65): an information or a
-- control campaign on a theme. Its first feed fixes theme, kind and period.
CREATE TABLE campaign (
    campaign_id       text PRIMARY KEY CHECK (campaign_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
    -- udlandsophold (stays abroad), uoplyst-arbejde (undeclared work),
    -- samlivsforhold (cohabitation), adresse (address, no fixed address)
    theme             text NOT NULL
        CHECK (theme IN ('udlandsophold', 'uoplyst-arbejde', 'samlivsforhold', 'adresse')),
    kind              text NOT NULL CHECK (kind IN ('information', 'control')),
    period_from       date NOT NULL,
    period_to         date NOT NULL CHECK (period_to >= period_from),
    target_groups     text[],        -- NULL: cases of every target group match
    first_received_at timestamptz NOT NULL DEFAULT now()
);

-- One delivery of a campaign (HTTP upload or the parts of a Kafka feed): one
-- unit of record-keeping, accepted or refused as a whole.
CREATE TABLE feed (
    feed_uuid       uuid PRIMARY KEY,
    campaign_id     text NOT NULL REFERENCES campaign,
    feed_id         text NOT NULL CHECK (feed_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
    received_via    text NOT NULL CHECK (received_via IN ('http', 'kafka')),
    principal       text NOT NULL,
    header_digest   text NOT NULL,   -- SHA-256 of the canonical header (without part)
    digest          text,            -- http: SHA-256 of the body, for replays
    parts           integer NOT NULL DEFAULT 1 CHECK (parts >= 1),
    record_count    integer NOT NULL CHECK (record_count >= 0), -- as declared
    status          text NOT NULL CHECK (status IN ('receiving', 'accepted', 'refused')),
    refusal_field   text,
    refusal         text,
    received        integer NOT NULL DEFAULT 0, -- record lines (not the header)
    valid           integer NOT NULL DEFAULT 0,
    invalid         integer NOT NULL DEFAULT 0,
    duplicate       integer NOT NULL DEFAULT 0,
    matched         integer NOT NULL DEFAULT 0,
    unmatched       integer NOT NULL DEFAULT 0,
    actions         integer NOT NULL DEFAULT 0, -- control cases opened / letters requested
    response_status integer,
    response        text,            -- the first answer, replayed verbatim
    received_at     timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    UNIQUE (campaign_id, feed_id)
);
CREATE INDEX feed_list_idx ON feed (received_at, feed_uuid);
CREATE INDEX feed_receiving_idx ON feed (received_at) WHERE status = 'receiving';

-- The parts of a Kafka feed received so far (an HTTP feed is one part).
CREATE TABLE feed_part (
    feed_uuid   uuid NOT NULL REFERENCES feed ON DELETE CASCADE,
    part        integer NOT NULL CHECK (part >= 1),
    digest      text NOT NULL,       -- SHA-256 of the message value
    lines       integer NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (feed_uuid, part)
);

-- Lines of feeds that are not complete yet: a scratch area (unlogged, no
-- constraints, filled by COPY), emptied when the feed is accepted or refused.
CREATE UNLOGGED TABLE record_stage (
    feed_uuid uuid NOT NULL,
    part      integer NOT NULL,
    line_no   integer NOT NULL,
    udk_ref   text,
    cpr_hmac  bytea,
    evidence  jsonb,
    errors    jsonb                  -- invalid line: [{field, message}]
);
CREATE INDEX record_stage_feed_idx ON record_stage (feed_uuid);

-- The valid records of accepted feeds, one per UDK reference in a campaign.
-- Data minimisation: the hash and the evidence are kept only for matched
-- records (unmatched ones keep their reference and position, for the counts
-- and for duplicate detection). No foreign keys: written only by the feed's
-- completion, in bulk.
CREATE TABLE campaign_record (
    campaign_id text NOT NULL,
    udk_ref     text NOT NULL,
    feed_uuid   uuid NOT NULL,
    part        integer NOT NULL,
    line_no     integer NOT NULL,
    cpr_hmac    bytea,               -- matched records only; NULL after erasure
    evidence    jsonb,               -- matched records only; NULL after erasure
    citizen_ref uuid,                -- matched: the citizen …
    case_id     uuid,                -- … and the open case the record was matched to
    PRIMARY KEY (campaign_id, udk_ref)
);
CREATE INDEX campaign_record_feed_idx ON campaign_record (feed_uuid, part, line_no);
CREATE INDEX campaign_record_citizen_idx ON campaign_record (citizen_ref)
    WHERE citizen_ref IS NOT NULL;
-- the matched records of a feed, in the order control cases and letters take them
CREATE INDEX campaign_record_matched_idx ON campaign_record (feed_uuid, citizen_ref, part, line_no)
    WHERE case_id IS NOT NULL;

-- Invalid and duplicate lines, by position, with every failing field (never
-- the submitted value).
CREATE TABLE feed_error (
    feed_uuid uuid NOT NULL REFERENCES feed ON DELETE CASCADE,
    part      integer NOT NULL,
    line_no   integer NOT NULL,
    udk_ref   text,                  -- when the line had a valid one
    errors    jsonb NOT NULL,        -- [{field, message}]
    PRIMARY KEY (feed_uuid, part, line_no)
);

-- An information campaign asks notifications for one letter per matched
-- citizen and campaign.
CREATE TABLE information_request (
    request_id   uuid PRIMARY KEY,
    campaign_id  text NOT NULL REFERENCES campaign,
    citizen_ref  uuid NOT NULL,
    case_id      uuid NOT NULL,
    feed_uuid    uuid NOT NULL REFERENCES feed,
    requested_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, citizen_ref)
);
CREATE INDEX information_request_feed_idx ON information_request (feed_uuid, request_id);

-- Kafka feed parts that were dead-lettered although correctly signed (bad
-- header, conflicting re-send …): UDK sees why at
-- GET /v1/campaigns/{campaign_id}/feeds/{feed_id}. Never a submitted value.
CREATE TABLE feed_part_rejection (
    id              bigserial PRIMARY KEY,
    campaign_id     text,
    feed_id         text,
    part            integer,
    key_id          text NOT NULL,
    reason          text NOT NULL,
    kafka_partition integer NOT NULL,
    kafka_offset    bigint NOT NULL,
    rejected_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feed_part_rejection_feed_idx ON feed_part_rejection (campaign_id, feed_id, id);
