-- The citizen's postal address, for physical letters to citizens without
-- Digital Post (notifications reads it from jobcenter.citizen.v1). Erasure
-- clears it with the rest of the personal data.
ALTER TABLE citizen
    ADD COLUMN street   text,
    ADD COLUMN postcode text,
    ADD COLUMN city     text;
