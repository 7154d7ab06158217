#!/bin/sh
# Runs once in the official postgres image (docker-entrypoint-initdb.d):
# one role and one schema per service, from deploy/postgres/roles.sql.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v intake_password="$INTAKE_DB_PASSWORD" \
  -v scheduling_password="$SCHEDULING_DB_PASSWORD" \
  -v offers_password="$OFFERS_DB_PASSWORD" \
  -v control_password="$CONTROL_DB_PASSWORD" \
  -v notifications_password="$NOTIFICATIONS_DB_PASSWORD" \
  -f /jobcenter/roles.sql
