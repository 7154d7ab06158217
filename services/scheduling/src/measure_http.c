/*
 * The timeliness measure (STAR's early-intervention focus target, seed 002):
 * of the cases with six months' seniority, the share that had fewer than the
 * required meetings; more than 20 % is a breach. Also projected 4 and 8 weeks ahead from
 * what is booked, so a manager sees a breach coming.
 *
 * Cohort (window=month, the default): cases of the target group that reached
 * six months' seniority in the month up to as_of (start_date + 6 months in
 * (as_of - 1 month, as_of]) and were still open then; window=all: every case
 * with six months' seniority by as_of. Meetings counted: those the jobcenter
 * held (and, for a-kasse handovers, the a-kasse's) between the start and the
 * six-month date. STAR follows up only when the population is at least 10.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/validate.h"
#include "jc/vocab.h"
#include "scheduling.h"

typedef struct measure {
        long cohort;
        long short_of;       /* fewer than required */
        json_t *list;        /* the cases behind the number (when asked) */
} measure;

static int compute(PGconn *db, const char *group, jc_date as_of, const char *window, long required,
                   int count_booked, int want_list, measure *m, jc_pg_err *e)
{
        char d[JC_DATE_STRLEN];
        PGresult *r;

        jc_date_format(as_of, d);
        memset(m, 0, sizeof(*m));
        r = jc_pg_exec(db, "sched_measure_cohort", JC_PG_ARGS(group, d, window), e);
        if (!r)
                return -1;
        if (want_list)
                m->list = json_array();
        m->cohort = PQntuples(r);
        for (int i = 0; i < PQntuples(r); i++) {
                long held = atol(PQgetvalue(r, i, 3));
                long booked = count_booked ? atol(PQgetvalue(r, i, 4)) : 0;

                if (held + booked >= required)
                        continue;
                m->short_of++;
                if (want_list)
                        json_array_append_new(
                            m->list, json_pack("{s:s, s:s?, s:s, s:i, s:i}", "case_id",
                                               PQgetvalue(r, i, 0), "caseworker_id",
                                               PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1),
                                               "six_months_on", PQgetvalue(r, i, 2), "meetings_held",
                                               (int)held, "meetings_booked",
                                               (int)atol(PQgetvalue(r, i, 4))));
        }
        PQclear(r);
        return 0;
}

static json_t *result_json(const measure *m, double threshold, const char *as_of)
{
        double share = m->cohort ? (double)m->short_of / (double)m->cohort : 0.0;

        return json_pack("{s:s, s:i, s:i, s:f, s:f, s:b, s:b}", "as_of", as_of, "population",
                         (int)m->cohort, "short_of_required", (int)m->short_of, "share", share,
                         "threshold", threshold, "breach", m->cohort > 0 && share > threshold,
                         "population_sufficient", m->cohort >= 10);
}

void sched_measure_timeliness(jc_http_req *req)
{
        static const char *const windows[] = {"month", "all", NULL};
        jc_service *svc = jc_http_service(req);
        const char *group = jc_http_query(req, "target_group");
        const char *as_of_s = jc_http_query(req, "as_of");
        const char *window = jc_http_query(req, "window");
        const char *req_s = jc_http_query(req, "required_meetings");
        char *end = NULL, d[JC_DATE_STRLEN];
        long required = req_s ? strtol(req_s, &end, 10) : 4;
        double threshold = 0.20;
        jc_date as_of = jc_service_today(svc);
        measure now, ahead4, ahead8;
        json_t *out;
        jc_verrs v;
        jc_pg_err e;
        PGconn *db;

        jc_verrs_init(&v);
        if (!group || !jc_vocab_has(jc_target_groups, group))
                jc_verrs_add(&v, "target_group", "is required and must be a target group");
        if (as_of_s && jc_date_parse(as_of_s, &as_of) != 0)
                jc_verrs_add(&v, "as_of", "must be a date YYYY-MM-DD");
        if (!window)
                window = "month";
        if (!jc_vocab_has(windows, window))
                jc_verrs_add(&v, "window", "must be month or all");
        if (required < 1 || required > 12 || (end && (*end || end == req_s)))
                jc_verrs_add(&v, "required_meetings", "must be an integer from 1 to 12");
        if (jc_verrs_count(&v)) {
                jc_http_reply_invalid(req, jc_verrs_take(&v));
                goto out;
        }
        db = jc_http_db(req);
        if (!db)
                goto out;
        memset(&ahead4, 0, sizeof(ahead4));
        memset(&ahead8, 0, sizeof(ahead8));
        if (compute(db, group, as_of, window, required, 0, 1, &now, &e) != 0 ||
            compute(db, group, jc_date_add_weeks(as_of, 4), window, required, 1, 0, &ahead4, &e) != 0 ||
            compute(db, group, jc_date_add_weeks(as_of, 8), window, required, 1, 0, &ahead8, &e) != 0) {
                json_decref(now.list);
                jc_http_reply_db_error(req, &e);
                goto out;
        }
        jc_date_format(as_of, d);
        out = result_json(&now, threshold, d);
        json_object_set_new(out, "target_group", json_string(group));
        json_object_set_new(out, "required_meetings", json_integer(required));
        json_object_set_new(out, "window", json_string(window));
        json_object_set_new(out, "cases", now.list);
        jc_date_format(jc_date_add_weeks(as_of, 4), d);
        json_object_set_new(out, "projected_4_weeks", result_json(&ahead4, threshold, d));
        jc_date_format(jc_date_add_weeks(as_of, 8), d);
        json_object_set_new(out, "projected_8_weeks", result_json(&ahead8, threshold, d));
        jc_http_reply_json(req, 200, out);
out:
        jc_verrs_release(&v);
}
