-- One login role and one schema per service; a role can use only its own
-- schema. Used by scripts/stack.sh (local stack), docker-compose (init job)
-- and deploy/ (Kubernetes job). Run with psql against the jobcenter database,
-- with variables <service>_password set, e.g.
--   psql -v ON_ERROR_STOP=1 -v intake_password=... -f roles.sql
\set ON_ERROR_STOP on

REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE jobcenter FROM PUBLIC;

CREATE ROLE intake LOGIN PASSWORD :'intake_password';
CREATE ROLE scheduling LOGIN PASSWORD :'scheduling_password';
CREATE ROLE offers LOGIN PASSWORD :'offers_password';
CREATE ROLE control LOGIN PASSWORD :'control_password';
CREATE ROLE notifications LOGIN PASSWORD :'notifications_password';

GRANT CONNECT ON DATABASE jobcenter TO intake, scheduling, offers, control, notifications;

CREATE SCHEMA intake AUTHORIZATION intake;
CREATE SCHEMA scheduling AUTHORIZATION scheduling;
CREATE SCHEMA offers AUTHORIZATION offers;
CREATE SCHEMA control AUTHORIZATION control;
CREATE SCHEMA notifications AUTHORIZATION notifications;

ALTER ROLE intake SET search_path = intake;
ALTER ROLE scheduling SET search_path = scheduling;
ALTER ROLE offers SET search_path = offers;
ALTER ROLE control SET search_path = control;
ALTER ROLE notifications SET search_path = notifications;
