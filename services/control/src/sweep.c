/*
 * The periodic sweep (JC_SWEEP_INTERVAL_S, or POST /v1/admin/sweep): Kafka
 * feeds whose parts did not all arrive within JC_FEED_PART_TIMEOUT_H hours
 * are refused as a whole (their staged lines dropped), so an incomplete feed
 * never lingers half-received.
 */
#include <stdio.h>

#include "control.h"
#include "jc/log.h"

int ctl_sweep(jc_service *svc, PGconn *db, jc_date today, json_t *report, char *err,
              size_t errlen)
{
        ctl_ctx *ctx = svc->ctx;
        jc_pg_err e;
        int expired = 0;

        (void)today;
        if (jc_pg_cmd(db, "BEGIN", &e) != 0 ||
            ctl_feed_expire(db, ctx->feed_part_timeout_h, &expired, &e) != 0 ||
            jc_pg_cmd(db, "COMMIT", &e) != 0) {
                jc_pg_rollback(db);
                snprintf(err, errlen, "%s", e.message);
                return -1;
        }
        if (expired)
                jc_log_write(JC_LOG_INFO, JC_KV({"component", "sweep"}),
                             "%d incomplete Kafka feed(s) refused", expired);
        json_object_set_new(report, "feeds_expired", json_integer(expired));
        return 0;
}
