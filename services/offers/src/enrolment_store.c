/*
 * Enrolments: locking one (case first, the platform's lock order), reading
 * it as JSON, the common event fields, and ending it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offers.h"

offers_load_result offers_enrolment_lock(PGconn *db, const char *enrolment_id,
                                         offers_enrolment *out, int *case_open, jc_pg_err *e)
{
        char case_id[JC_UUID_STRLEN];
        PGresult *r;

        memset(out, 0, sizeof(*out));
        r = jc_pg_exec(db, "offers_enrolment_case", JC_PG_ARGS(enrolment_id), e);
        if (!r)
                return OFFERS_LOAD_ERROR;
        if (PQntuples(r) == 0) {
                PQclear(r);
                return OFFERS_NOT_FOUND;
        }
        snprintf(case_id, sizeof(case_id), "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        r = jc_pg_exec(db, "offers_case_lock", JC_PG_ARGS(case_id), e);
        if (!r)
                return OFFERS_LOAD_ERROR;
        *case_open = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 4), "open") == 0;
        if (PQntuples(r) == 1) {
                snprintf(out->target_group, sizeof(out->target_group), "%s", PQgetvalue(r, 0, 2));
                out->work_duty = PQgetisnull(r, 0, 5) ? -1 : strcmp(PQgetvalue(r, 0, 5), "t") == 0;
                snprintf(out->caseworker_id, sizeof(out->caseworker_id), "%s", PQgetvalue(r, 0, 6));
        }
        PQclear(r);
        r = jc_pg_exec(db, "offers_enrolment_lock", JC_PG_ARGS(enrolment_id), e);
        if (!r)
                return OFFERS_LOAD_ERROR;
        if (PQntuples(r) == 0) {
                PQclear(r);
                return OFFERS_NOT_FOUND;
        }
        snprintf(out->enrolment_id, sizeof(out->enrolment_id), "%s", PQgetvalue(r, 0, 0));
        snprintf(out->offer_id, sizeof(out->offer_id), "%s", PQgetvalue(r, 0, 1));
        snprintf(out->case_id, sizeof(out->case_id), "%s", PQgetvalue(r, 0, 2));
        snprintf(out->citizen_ref, sizeof(out->citizen_ref), "%s", PQgetvalue(r, 0, 3));
        snprintf(out->offer_type, sizeof(out->offer_type), "%s", PQgetvalue(r, 0, 4));
        snprintf(out->status, sizeof(out->status), "%s", PQgetvalue(r, 0, 5));
        out->planned_start = offers_pq_date(r, 0, 6);
        out->planned_end = offers_pq_date(r, 0, 7);
        out->has_started = !PQgetisnull(r, 0, 8);
        out->started_on = offers_pq_date(r, 0, 8);
        out->has_ended = !PQgetisnull(r, 0, 9);
        out->ended_on = offers_pq_date(r, 0, 9);
        out->hours_per_week = atoi(PQgetvalue(r, 0, 10));
        snprintf(out->outcome, sizeof(out->outcome), "%s", PQgetvalue(r, 0, 11));
        snprintf(out->provider_id, sizeof(out->provider_id), "%s", PQgetvalue(r, 0, 12));
        PQclear(r);
        return OFFERS_LOADED;
}

json_t *offers_enrolment_json(PGconn *db, const char *enrolment_id, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "offers_enrolment_get", JC_PG_ARGS(enrolment_id), e);
        json_t *out = NULL;

        if (!r)
                return NULL;
        if (PQntuples(r) == 1)
                out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
        if (!out)
                jc_pg_err_set(e, 0, "could not read enrolment %s back", enrolment_id);
        PQclear(r);
        return out;
}

json_t *offers_enrolment_event_base(const offers_enrolment *en)
{
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "enrolment_id", en->enrolment_id,
                         "case_id", en->case_id, "citizen_ref", en->citizen_ref, "offer_id",
                         en->offer_id, "offer_type", en->offer_type, "provider_id", en->provider_id);
}

int offers_case_offer_dates(PGconn *db, const char *case_id, jc_pg_err *e)
{
        PGresult *r = jc_pg_exec(db, "offers_case_offer_dates", JC_PG_ARGS(case_id), e);

        if (!r)
                return -1;
        PQclear(r);
        return 0;
}

int offers_enrolment_finish(jc_service *svc, PGconn *db, const offers_enrolment *en,
                            jc_date ended_on, const char *outcome, const char *ended_by,
                            jc_pg_err *e)
{
        char on[JC_DATE_STRLEN], ps[JC_DATE_STRLEN], pe[JC_DATE_STRLEN], st[JC_DATE_STRLEN];
        json_t *data;
        PGresult *r;

        jc_date_format(ended_on, on);
        r = jc_pg_exec(db, "offers_enrolment_end",
                       JC_PG_ARGS(en->enrolment_id, on, outcome, ended_by), e);
        if (!r)
                return -1;
        PQclear(r);
        if (offers_case_offer_dates(db, en->case_id, e) != 0)
                return -1;
        /* A placement that ran its course still gets its employer follow-up
         * (did they hire?); any other end makes it pointless. */
        if (strcmp(outcome, "completed") != 0) {
                r = jc_pg_exec(db, "offers_follow_up_cancel", JC_PG_ARGS(en->enrolment_id), e);
                if (!r)
                        return -1;
                PQclear(r);
        }
        jc_date_format(en->planned_start, ps);
        jc_date_format(en->planned_end, pe);
        jc_date_format(en->started_on, st);
        data = offers_enrolment_event_base(en);
        if (data && json_object_update_new(
                        data, json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s*}", "outcome", outcome,
                                        "ended_on", on, "ended_by", ended_by, "started",
                                        en->has_started, "planned_start", ps, "planned_end", pe,
                                        "started_on", en->has_started ? st : NULL)) != 0) {
                json_decref(data);
                data = NULL;
        }
        return offers_emit(&svc->emitter, db, en->case_id, "offer.ended.v1", data, e);
}
