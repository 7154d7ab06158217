-- What the measure and the weekly review read per case, kept on the case row
-- so they scan cases, not enrolments: the first day an offer of an
-- active-offer type started (kept once started, whatever happened since), the
-- first planned start of one still only assigned, and how many enrolments are
-- planned or running. Set from the case's enrolments whenever one changes
-- (same transaction, case row locked), so they cannot drift from them.
ALTER TABLE case_projection
    ADD COLUMN first_active_started date,
    ADD COLUMN first_active_planned date,
    ADD COLUMN open_enrolments integer NOT NULL DEFAULT 0 CHECK (open_enrolments >= 0);

UPDATE case_projection c
   SET first_active_started = x.s, first_active_planned = x.p, open_enrolments = x.n
  FROM (SELECT case_id,
               min(started_on) FILTER (WHERE counts_active) AS s,
               min(planned_start) FILTER (WHERE counts_active AND status = 'assigned') AS p,
               count(*) FILTER (WHERE status IN ('assigned', 'started')) AS n
          FROM enrolment GROUP BY case_id) x
 WHERE x.case_id = c.case_id;

-- The weekly review: a caseworker's open cases without a planned or running offer.
CREATE INDEX case_projection_review_idx ON case_projection (caseworker_id, case_id)
    WHERE status = 'open' AND open_enrolments = 0;
