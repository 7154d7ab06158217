-- Open cases per caseworker and target group, kept by a trigger on case_file
-- so that picking the least-loaded caseworker costs O(caseworkers), not
-- O(open cases), and cannot drift from the cases themselves.
CREATE TABLE caseworker_load (
    caseworker_id text NOT NULL REFERENCES caseworker,
    target_group  text NOT NULL,
    open_cases    integer NOT NULL DEFAULT 0 CHECK (open_cases >= 0),
    PRIMARY KEY (caseworker_id, target_group)
);

CREATE FUNCTION case_file_load() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'open' AND OLD.caseworker_id IS NOT NULL THEN
        UPDATE caseworker_load SET open_cases = open_cases - 1
         WHERE caseworker_id = OLD.caseworker_id AND target_group = OLD.target_group;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'open' AND NEW.caseworker_id IS NOT NULL THEN
        INSERT INTO caseworker_load (caseworker_id, target_group, open_cases)
        VALUES (NEW.caseworker_id, NEW.target_group, 1)
        ON CONFLICT (caseworker_id, target_group)
        DO UPDATE SET open_cases = caseworker_load.open_cases + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER case_file_load
    AFTER INSERT OR DELETE OR UPDATE OF status, caseworker_id, target_group ON case_file
    FOR EACH ROW EXECUTE FUNCTION case_file_load();

INSERT INTO caseworker_load (caseworker_id, target_group, open_cases)
SELECT caseworker_id, target_group, count(*) FROM case_file
 WHERE status = 'open' AND caseworker_id IS NOT NULL
 GROUP BY caseworker_id, target_group;
