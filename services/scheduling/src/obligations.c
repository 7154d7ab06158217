/*
 * Obligations: derive and store what the rules require of a case, count the
 * meetings the a-kasse already held, fulfil obligations with held meetings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/buf.h"
#include "jc/log.h"
#include "scheduling.h"

typedef struct akasse_meeting {
        jc_date held_on;
} akasse_meeting;

static int cmp_date(const void *a, const void *b)
{
        return jc_date_cmp(((const akasse_meeting *)a)->held_on,
                           ((const akasse_meeting *)b)->held_on);
}

/* The individual meetings of the handover's contact history inside
 * [start, handover_date], in date order. */
static size_t akasse_meetings(json_t *handover, jc_date start, jc_date *handover_date,
                              akasse_meeting *out, size_t max)
{
        json_t *c;
        size_t i, n = 0;

        if (jc_date_parse(json_string_value(json_object_get(handover, "handover_date")) ?
                              json_string_value(json_object_get(handover, "handover_date")) : "",
                          handover_date) != 0)
                return 0;
        json_array_foreach(json_object_get(handover, "contact_history"), i, c) {
                const char *kind = json_string_value(json_object_get(c, "kind"));
                const char *date = json_string_value(json_object_get(c, "date"));
                jc_date d;

                if (n == max || !kind || strcmp(kind, "individual") != 0 || !date ||
                    jc_date_parse(date, &d) != 0 || jc_date_cmp(d, start) < 0 ||
                    jc_date_cmp(d, *handover_date) > 0)
                        continue;
                out[n++].held_on = d;
        }
        qsort(out, n, sizeof(*out), cmp_date);
        return n;
}

/* A handover case: the a-kasse's individual meetings fulfil the first
 * meeting obligations of rules that allow it; the rest fall to the jobcenter,
 * spread evenly from the handover date to the last due date. */
static void apply_akasse_meetings(const jc_calendar *cal, json_t *handover, jc_date start,
                                  sched_obligation_spec *specs, size_t n, int *fulfilled,
                                  jc_date *fulfilled_on)
{
        akasse_meeting held[SCHED_MAX_OBLIGATIONS];
        jc_date hdate, last = start;
        size_t k, used = 0, remaining = 0, j = 0;

        k = akasse_meetings(handover, start, &hdate, held, SCHED_MAX_OBLIGATIONS);
        for (size_t i = 0; i < n; i++) {
                if (!specs[i].akasse_meetings || strcmp(specs[i].kind, "meeting") != 0)
                        continue;
                if (used < k) {
                        fulfilled[i] = 1;
                        fulfilled_on[i] = held[used++].held_on;
                } else {
                        remaining++;
                }
                if (jc_date_cmp(specs[i].due, last) > 0)
                        last = specs[i].due;
        }
        for (size_t i = 0; i < n && remaining; i++) {
                int32_t span = jc_date_diff_days(hdate, last);
                jc_date due;

                if (!specs[i].akasse_meetings || strcmp(specs[i].kind, "meeting") != 0 || fulfilled[i])
                        continue;
                j++;
                due = jc_date_add_days(hdate, span > 0 ? (int32_t)(span * (long)j / (long)remaining) : 0);
                due = sched_roll(cal, due, specs[i].roll);
                if (jc_date_cmp(due, hdate) <= 0)
                        due = jc_calendar_add_working_days(cal, hdate, 1);
                specs[i].due = due;
                snprintf(specs[i].responsible, sizeof(specs[i].responsible), "jobcenter");
        }
}

int sched_obligations_derive(jc_service *svc, PGconn *db, const char *case_id,
                             const char *target_group, const char *visitation, jc_date start,
                             json_t *handover, jc_pg_err *e)
{
        sched_ctx *ctx = svc->ctx;
        sched_obligation_spec specs[SCHED_MAX_OBLIGATIONS];
        int fulfilled[SCHED_MAX_OBLIGATIONS] = {0};
        jc_date fulfilled_on[SCHED_MAX_OBLIGATIONS];
        jc_buf a[10];
        const char *params[13];
        char rule_set[48];
        PGresult *r;
        int n, rc = -1;

        n = sched_rules_derive(ctx, &svc->calendar, target_group, visitation, start, specs,
                               SCHED_MAX_OBLIGATIONS, rule_set);
        if (n < 0) {
                jc_log_warn("no contact rule set is in force on the case's start date");
                return 0;
        }
        if (handover)
                apply_akasse_meetings(&svc->calendar, handover, start, specs, (size_t)n, fulfilled,
                                      fulfilled_on);
        for (int k = 0; k < 10; k++)
                a[k] = (jc_buf)JC_BUF_INIT;
        for (int i = 0; i < n; i++) {
                char id[JC_UUID_STRLEN], ord[16], due[JC_DATE_STRLEN], fon[JC_DATE_STRLEN];

                if (jc_uuid_v4(id) != 0) {
                        jc_pg_err_set(e, 1, "kernel RNG failed");
                        goto out;
                }
                snprintf(ord, sizeof(ord), "%d", specs[i].ordinal);
                jc_date_format(specs[i].due, due);
                jc_pg_array_add(&a[0], id);
                jc_pg_array_add(&a[1], specs[i].kind);
                jc_pg_array_add(&a[2], ord);
                jc_pg_array_add(&a[3], due);
                jc_pg_array_add(&a[4], specs[i].responsible);
                jc_pg_array_add(&a[5], fulfilled[i] ? "fulfilled" : "open");
                jc_pg_array_add(&a[6], specs[i].rule_id);
                jc_pg_array_add(&a[7], fulfilled[i] ? "akasse" : NULL);
                if (fulfilled[i])
                        jc_date_format(fulfilled_on[i], fon);
                jc_pg_array_add(&a[8], fulfilled[i] ? fon : NULL);
                jc_pg_array_add(&a[9], specs[i].offer_fulfils ? "t" : "f");
        }
        params[0] = case_id;
        params[1] = target_group;
        params[2] = rule_set;
        for (int k = 0; k < 10; k++) {
                jc_pg_array_end(&a[k]);
                params[k + 3] = a[k].data;
        }
        r = jc_pg_exec(db, "sched_obligations_insert", 13, params, e);
        if (!r)
                goto out;
        PQclear(r);
        rc = 0;
out:
        for (int k = 0; k < 10; k++)
                jc_buf_release(&a[k]);
        return rc;
}

int sched_obligation_fulfil(PGconn *db, const char *case_id, const char *meeting_id,
                            const char *obligation_id, const char *purpose, jc_date held_on,
                            char fulfilled_id[JC_UUID_STRLEN], jc_pg_err *e)
{
        const char *kinds = strcmp(purpose, "reassessment") == 0 ? "{reassessment}"
                                                                  : "{meeting,youth_contact}";
        char on[JC_DATE_STRLEN];
        PGresult *r = NULL;

        fulfilled_id[0] = '\0';
        jc_date_format(held_on, on);
        if (obligation_id) {
                r = jc_pg_exec(db, "sched_obligation_fulfil_id",
                               JC_PG_ARGS(obligation_id, meeting_id, on), e);
                if (!r)
                        return -1;
                if (PQntuples(r) == 0) {
                        PQclear(r);
                        r = NULL;
                }
        }
        if (!r) {
                r = jc_pg_exec(db, "sched_obligation_fulfil_next",
                               JC_PG_ARGS(case_id, kinds, meeting_id, on), e);
                if (!r)
                        return -1;
        }
        if (PQntuples(r) == 1)
                snprintf(fulfilled_id, JC_UUID_STRLEN, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        return 0;
}
