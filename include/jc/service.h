#ifndef JC_SERVICE_H
#define JC_SERVICE_H

#include <stddef.h>

#include "jc/auth.h"
#include "jc/calendar.h"
#include "jc/config.h"
#include "jc/consumer.h"
#include "jc/http.h"
#include "jc/metrics.h"
#include "jc/outbox.h"
#include "jc/pg.h"
#include "jc/topics.h"

/*
 * The service skeleton every service's main() hands its tables to:
 *
 *   int main(int argc, char **argv) { return jc_service_main(&intake_def, argc, argv); }
 *
 * It reads the configuration, applies the migrations (common outbox/inbox
 * tables, then the service's own), starts the roles listed in JC_ROLES
 * (http, relay, consumer; all by default, so each can also run as its own
 * process), and on SIGTERM/SIGINT shuts down in order: stop accepting HTTP,
 * finish the consumer's batch and leave the group, drain the relay, close.
 *
 * `<binary> --print-config` prints the configuration table for the README.
 */
typedef struct jc_service jc_service;

typedef struct jc_service_def {
        const char *name;         /* schema, DB role, consumer group, log name */
        int default_port;
        const jc_http_route *routes;            /* may be NULL */
        const char *const *consume_topics;      /* NULL = no consumer */
        const char *const *raw_topics;          /* consumed topics that are not CloudEvents */
        const jc_event_handler *handlers;
        /* see jc_consumer_config.on_dead_letter; may be NULL */
        int (*on_dead_letter)(jc_consume_ctx *ctx, const char *reason, jc_pg_err *e);
        const jc_pg_stmt *stmts;                /* the service's named statements */
        const jc_embedded_file *migrations;     /* the service's migrations */
        const jc_config_var *config;            /* the service's own variables */
        size_t nconfig;
        /* Called after configuration and migrations, before any role starts.
         * Set svc->ctx here. Return 0, or -1 with a message in err. */
        int (*init)(jc_service *svc, char *err, size_t errlen);
        void (*fini)(jc_service *svc);
        /* Optional periodic work on a date (deadline warnings, missed
         * marks): run every JC_SWEEP_INTERVAL_S by the "sweep" role, and on
         * demand by POST /v1/admin/sweep?today=YYYY-MM-DD (scope admin).
         * Runs in no transaction; must be safe to run concurrently and
         * repeatedly (emit each warning once: mark and emit in one
         * transaction). Adds counts to `report`. Returns 0, or -1 with err. */
        int (*sweep)(jc_service *svc, PGconn *db, jc_date today, json_t *report, char *err,
                     size_t errlen);
        /* Routes whose request bodies stream in chunks (see jc/http.h,
         * jc_http_stream_route); may be NULL. */
        const jc_http_stream_route *stream_routes;
} jc_service_def;

struct jc_service {
        const jc_service_def *def;
        jc_emitter emitter;             /* for jc_emit */
        jc_topic_catalogue catalogue;
        jc_token_table tokens;
        jc_calendar calendar;           /* with JC_CLOSED_DAYS */
        jc_metrics *metrics;
        jc_pg_config db;
        jc_pg_pool *pool;
        void *ctx;                      /* the service's own state (init/fini) */
        int today_pinned;               /* JC_TODAY set */
        jc_date today;                  /* its value */
};

/* The common variables every service reads (documented in the README). */
extern const jc_config_var jc_service_common_config[];
extern const size_t jc_service_common_config_count;

int jc_service_main(const jc_service_def *def, int argc, char **argv);

/* Today in Europe/Copenhagen, or the date pinned by JC_TODAY (tests, demos). */
jc_date jc_service_today(const jc_service *svc);

/* Convenience for handlers: the service behind an HTTP request. */
jc_service *jc_http_service(jc_http_req *req);

#endif
