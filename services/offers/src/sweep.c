/*
 * The deadline sweep (jc_service_def.sweep): offer.due_soon.v1 when an
 * obligation's warning date has come (and no planned offer will fulfil it in
 * time), offer.missed.v1 the day after its due date, each exactly once. Every
 * batch moves the obligations' status and inserts their events in one
 * transaction, and SKIP LOCKED lets several sweepers run without sending
 * anything twice.
 *
 * The common library runs it every JC_SWEEP_INTERVAL_S in processes with the
 * sweep role, and on demand via POST /v1/admin/sweep?today=YYYY-MM-DD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/log.h"
#include "offers.h"

/* Obligations moved per transaction. */
#define OFFERS_SWEEP_BATCH "500"

typedef enum sweep_kind { SWEEP_DUE_SOON, SWEEP_MISSED } sweep_kind;

/* The event for one returned row (new reference). */
static json_t *sweep_event(const PGresult *r, int i, sweep_kind kind)
{
        json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s*}", "obligation_id",
                              PQgetvalue(r, i, 0), "case_id", PQgetvalue(r, i, 1), "citizen_ref",
                              PQgetvalue(r, i, 2), "kind", PQgetvalue(r, i, 3), "due_date",
                              PQgetvalue(r, i, 4), "rule_set", PQgetvalue(r, i, 5), "rule",
                              PQgetvalue(r, i, 6), "caseworker_id", offers_pq_str(r, i, 7));

        if (d && kind == SWEEP_DUE_SOON)
                json_object_set_new(d, "days_left", json_integer(atoi(PQgetvalue(r, i, 8))));
        return d;
}

/* One batch in one transaction; *n gets how many obligations moved. */
static int sweep_batch(jc_service *svc, PGconn *db, sweep_kind kind, const char *today, long *n,
                       jc_pg_err *e)
{
        const char *stmt = kind == SWEEP_DUE_SOON ? "offers_sweep_due_soon" : "offers_sweep_missed";
        const char *type = kind == SWEEP_DUE_SOON ? "offer.due_soon.v1" : "offer.missed.v1";
        PGresult *r = NULL;

        *n = 0;
        if (jc_pg_cmd(db, "BEGIN", e) != 0)
                return -1;
        r = jc_pg_exec(db, stmt, JC_PG_ARGS(today, OFFERS_SWEEP_BATCH), e);
        if (!r)
                goto fail;
        for (int i = 0; i < PQntuples(r); i++) {
                jc_log_ctx_set_case(PQgetvalue(r, i, 1));
                if (offers_emit(&svc->emitter, db, PQgetvalue(r, i, 1), type, sweep_event(r, i, kind),
                                e) != 0)
                        goto fail;
        }
        jc_log_ctx_set_case(NULL);
        if (jc_pg_cmd(db, "COMMIT", e) != 0)
                goto fail;
        *n = PQntuples(r);
        PQclear(r);
        return 0;
fail:
        jc_log_ctx_set_case(NULL);
        PQclear(r);
        jc_pg_rollback(db);
        return -1;
}

int offers_sweep(jc_service *svc, PGconn *db, jc_date today, json_t *report, char *err,
                 size_t errlen)
{
        const sweep_kind kinds[] = {SWEEP_DUE_SOON, SWEEP_MISSED};
        long counts[2] = {0, 0};
        char today_s[JC_DATE_STRLEN];
        jc_pg_err e;

        jc_date_format(today, today_s);
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
                long moved;

                do {
                        if (sweep_batch(svc, db, kinds[k], today_s, &moved, &e) != 0) {
                                snprintf(err, errlen, "offer deadline sweep: %s", e.message);
                                return -1;
                        }
                        counts[k] += moved;
                } while (moved == atol(OFFERS_SWEEP_BATCH));
        }
        json_object_set_new(report, "due_soon", json_integer(counts[SWEEP_DUE_SOON]));
        json_object_set_new(report, "missed", json_integer(counts[SWEEP_MISSED]));
        jc_log_write(counts[0] || counts[1] ? JC_LOG_INFO : JC_LOG_DEBUG,
                     JC_KV({"component", "sweep"}, {"today", today_s}),
                     "offer deadline sweep: %ld due soon, %ld missed", counts[SWEEP_DUE_SOON],
                     counts[SWEEP_MISSED]);
        return 0;
}
