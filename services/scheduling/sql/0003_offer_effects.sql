-- Offers started (offer.started.v1 on jobcenter.offer.v1) can fulfil
-- obligations whose rule says so (rule data: "fulfilled_by_offer": true, e.g.
-- the under-18 contact duty, which an offer agreed with the young person
-- meets: domain.md R47).
ALTER TABLE obligation
    ADD COLUMN offer_fulfils      boolean NOT NULL DEFAULT false,
    ADD COLUMN fulfilled_by_offer uuid;     -- the enrolment (offers service)
ALTER TABLE obligation DROP CONSTRAINT obligation_fulfilled_by_check;
ALTER TABLE obligation ADD CONSTRAINT obligation_fulfilled_by_check
    CHECK (fulfilled_by IN ('jobcenter', 'akasse', 'offer'));
CREATE INDEX obligation_offer_idx ON obligation (case_id) WHERE offer_fulfils AND status = 'open';
