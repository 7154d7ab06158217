/*
 * The sweep: obligation.due_soon (the lead time before the due date, no
 * meeting booked) and obligation.missed (the day after the due date), each
 * exactly once: the row is marked and the event emitted in one transaction,
 * rows claimed with SKIP LOCKED so concurrent sweeps do not collide.
 */
#include <stdio.h>
#include <stdlib.h>

#include "jc/log.h"
#include "jc/outbox.h"
#include "scheduling.h"

static int emit_rows(jc_service *svc, PGconn *db, PGresult *r, const char *type, int with_days,
                     jc_pg_err *e)
{
        for (int i = 0; i < PQntuples(r); i++) {
                json_t *data = json_pack(
                    "{s:s, s:s, s:s, s:s, s:i, s:s, s:s?, s:s, s:s}", "obligation_id",
                    PQgetvalue(r, i, 0), "case_id", PQgetvalue(r, i, 1), "citizen_ref",
                    PQgetvalue(r, i, 2), "kind", PQgetvalue(r, i, 3), "ordinal",
                    atoi(PQgetvalue(r, i, 4)), "due_date", PQgetvalue(r, i, 5), "caseworker_id",
                    PQgetisnull(r, i, 6) ? NULL : PQgetvalue(r, i, 6), "rule_set",
                    PQgetvalue(r, i, 7), "rule", PQgetvalue(r, i, 8));

                if (with_days)
                        json_object_set_new(data, "days_left", json_integer(atoi(PQgetvalue(r, i, 9))));
                if (jc_emit(&svc->emitter, db, SCHED_MEETING_TOPIC, PQgetvalue(r, i, 1), type,
                            PQgetvalue(r, i, 1), data, NULL, e) != 0)
                        return -1;
        }
        return 0;
}

/* Repeats one claim-mark-emit statement in transactions of up to 500 rows. */
static int sweep_kind(jc_service *svc, PGconn *db, const char *stmt, const char *type,
                      int nparams, const char *const *params, int with_days, long *count,
                      jc_pg_err *e)
{
        for (;;) {
                PGresult *r;
                int n;

                if (jc_pg_cmd(db, "BEGIN", e) != 0)
                        return -1;
                r = jc_pg_exec(db, stmt, nparams, params, e);
                if (!r || emit_rows(svc, db, r, type, with_days, e) != 0) {
                        PQclear(r);
                        jc_pg_rollback(db);
                        return -1;
                }
                n = PQntuples(r);
                PQclear(r);
                if (jc_pg_cmd(db, "COMMIT", e) != 0) {
                        jc_pg_rollback(db);
                        return -1;
                }
                *count += n;
                if (n == 0)
                        return 0;
        }
}

int sched_sweep(jc_service *svc, PGconn *db, jc_date today, json_t *report, char *err,
                size_t errlen)
{
        sched_ctx *ctx = svc->ctx;
        char d[JC_DATE_STRLEN], lead[16];
        long soon = 0, missed = 0;
        jc_pg_err e;

        jc_date_format(today, d);
        snprintf(lead, sizeof(lead), "%ld", ctx->due_soon_days);
        if (sweep_kind(svc, db, "sched_sweep_missed", "obligation.missed.v1", JC_PG_ARGS(d), 0,
                       &missed, &e) != 0 ||
            sweep_kind(svc, db, "sched_sweep_due_soon", "obligation.due_soon.v1",
                       JC_PG_ARGS(d, lead), 1, &soon, &e) != 0) {
                snprintf(err, errlen, "%s", e.message);
                return -1;
        }
        json_object_set_new(report, "obligations_due_soon", json_integer(soon));
        json_object_set_new(report, "obligations_missed", json_integer(missed));
        if (soon || missed)
                jc_log_write(JC_LOG_INFO, JC_KV({"component", "sweep"}),
                             "sweep %s: %ld due soon, %ld missed", d, soon, missed);
        return 0;
}
