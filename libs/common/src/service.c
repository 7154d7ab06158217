/*
 * jc_service_main: configuration, migrations, roles, signals, shutdown.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jc/idempotency.h"
#include "jc/kafka.h"
#include "jc/log.h"
#include "jc/service.h"
#include "jc/timeutil.h"

const jc_config_var jc_service_common_config[] = {
        {"JC_DB_URL", "host=127.0.0.1 port=5432 dbname=jobcenter user=<service>",
         "libpq connection string or URI of the service's own DB role"},
        {"JC_DB_POOL_SIZE", "16", "database connections for HTTP handlers"},
        {"JC_DB_STARTUP_WAIT_S", "60",
         "how long start-up waits for the database before giving up"},
        {"JC_KAFKA_BOOTSTRAP", "127.0.0.1:9092", "Kafka bootstrap servers"},
        {"JC_KAFKA_EXTRA", NULL,
         "extra librdkafka settings `key=value;key=value` (security.protocol, sasl.*, ssl.*)"},
        {"JC_KAFKA_SESSION_TIMEOUT_MS", "10000", "consumer group session timeout"},
        {"JC_KAFKA_FETCH_WAIT_MS", "100",
         "longest a fetch waits for data (Kafka answers early when data arrives; devbroker does not, so there it adds latency)"},
        {"JC_CONSUMER_GROUP", "<service>", "consumer group id"},
        {"JC_CONSUMER_BATCH", "200", "messages applied per consumer transaction"},
        {"JC_CONSUMER_MAX_ATTEMPTS", "5",
         "retries of a failing message (database healthy) before it is dead-lettered"},
        {"JC_RELAY_BATCH", "500", "outbox rows published per relay round"},
        {"JC_RELAY_POLL_MS", "1000", "relay fallback poll interval when no NOTIFY arrives"},
        {"JC_OUTBOX_RETENTION_HOURS", "168", "published outbox rows are kept this long"},
        {"JC_INBOX_RETENTION_DAYS", "30",
         "inbox rows (the redelivery guard) are kept this long (0: forever); replays older than this rely on idempotent handlers"},
        {"JC_HTTP_ADDR", "127.0.0.1", "HTTP bind address (0.0.0.0 in containers)"},
        {"JC_HTTP_PORT", "<service port>",
         "HTTP port: intake 8081, scheduling 8082, offers 8083, control 8084, notifications 8085"},
        {"JC_HTTP_MAX_BODY", "65536", "largest accepted request body in bytes"},
        {"JC_HTTP_TIMEOUT_S", "30", "idle connection timeout (slow senders are cut off)"},
        {"JC_HTTP_MAX_CONNECTIONS", "256", "concurrent HTTP connections"},
        {"JC_HTTP_MAX_CONNECTIONS_PER_IP", "128", "concurrent HTTP connections per client IP"},
        {"JC_TOKENS_FILE", NULL,
         "JSON file of bearer-token SHA-256 hashes and scopes (unset: every protected route answers 401)"},
        {"JC_CLOSED_DAYS", "06-05,12-24,12-31",
         "days the jobcentre is closed besides public holidays: MM-DD (yearly) or YYYY-MM-DD"},
        {"JC_ROLES", "http,relay,consumer,sweep", "which parts run in this process"},
        {"JC_SWEEP_INTERVAL_S", "300",
         "how often services with deadlines sweep for due-soon and missed ones (0: only on POST /v1/admin/sweep)"},
        {"JC_TODAY", NULL,
         "pins today's date (YYYY-MM-DD) for deadlines and validation: tests and demos only, never in production"},
        {"JC_LOG_LEVEL", "info", "debug, info, warn or error"},
};
const size_t jc_service_common_config_count =
    sizeof(jc_service_common_config) / sizeof(jc_service_common_config[0]);

typedef struct service_run {
        jc_service svc;
        char source[96];
        char db_default[160];
        char client_id[128];
        const char *kafka_bootstrap;
        const char *kafka_extra;
        const jc_pg_stmt *stmt_tables[4];
        int role_http, role_relay, role_consumer, role_sweep;
        jc_http_route *routes; /* the service's routes + built-ins (malloc'd) */
        pthread_t sweep_thread;
        int sweep_started;
        pthread_mutex_t sweep_lock;
        pthread_cond_t sweep_cond;
        int sweep_stop;
        long sweep_interval_s;
        jc_http_server *http;
        jc_relay *relay;
        jc_consumer *consumer;
        rd_kafka_t *probe; /* metadata-only handle for /readyz */
        pthread_mutex_t ready_lock;
        int64_t ready_checked_ms;
        int ready_cached;
        char ready_why[256];
} service_run;

jc_service *jc_http_service(jc_http_req *req)
{
        service_run *run = jc_http_opaque(req);

        return &run->svc;
}

static int parse_roles(service_run *run, const char *roles, char *err, size_t errlen)
{
        char *copy = strdup(roles), *save = NULL, *tok;
        int rc = 0;

        if (!copy) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
                if (strcmp(tok, "http") == 0)
                        run->role_http = 1;
                else if (strcmp(tok, "relay") == 0)
                        run->role_relay = 1;
                else if (strcmp(tok, "consumer") == 0)
                        run->role_consumer = 1;
                else if (strcmp(tok, "sweep") == 0)
                        run->role_sweep = 1;
                else {
                        snprintf(err, errlen,
                                 "invalid JC_ROLES entry \"%.20s\": use http, relay, consumer, sweep",
                                 tok);
                        rc = -1;
                        break;
                }
        }
        free(copy);
        return rc;
}

/* /readyz: database reachable and (if this process uses Kafka) a broker
 * answering. Cached for a second so probes cannot hammer either. */
static int service_ready(void *opaque, char *why, size_t whylen)
{
        service_run *run = opaque;
        int64_t now = jc_time_mono_ms();
        int ok;

        pthread_mutex_lock(&run->ready_lock);
        if (now - run->ready_checked_ms >= 1000) {
                jc_pg_err e;
                PGconn *c = jc_pg_pool_get(run->svc.pool, 1000, &e);

                run->ready_cached = 1;
                run->ready_why[0] = '\0';
                if (!c) {
                        run->ready_cached = 0;
                        snprintf(run->ready_why, sizeof(run->ready_why),
                                 "database unreachable: %.200s", e.message);
                } else {
                        PGresult *r = PQexec(c, "SELECT 1");

                        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
                                run->ready_cached = 0;
                                snprintf(run->ready_why, sizeof(run->ready_why),
                                         "database unreachable");
                        }
                        PQclear(r);
                        jc_pg_pool_put(run->svc.pool, c);
                }
                if (run->ready_cached && run->probe && !jc_kafka_ping(run->probe, 1000)) {
                        run->ready_cached = 0;
                        snprintf(run->ready_why, sizeof(run->ready_why),
                                 "no Kafka broker answered");
                }
                run->ready_checked_ms = now;
        }
        ok = run->ready_cached;
        snprintf(why, whylen, "%s", run->ready_why);
        pthread_mutex_unlock(&run->ready_lock);
        return ok;
}

static int env_long(const char *name, long def, long min, long max, long *out)
{
        char err[256];

        if (jc_config_long(name, def, min, max, out, err, sizeof(err)) != 0) {
                jc_log_error("%s", err);
                return -1;
        }
        return 0;
}

static int run_migrations(service_run *run)
{
        const jc_service_def *def = run->svc.def;
        long wait_s;
        int64_t deadline;
        jc_pg_err e;
        PGconn *c = NULL;

        if (env_long("JC_DB_STARTUP_WAIT_S", 60, 0, 3600, &wait_s) != 0)
                return -1;
        deadline = jc_time_mono_ms() + wait_s * 1000;
        while (!(c = jc_pg_open(&run->svc.db, &e))) {
                if (jc_time_mono_ms() > deadline) {
                        jc_log_error("giving up on the database after %ld s: %s", wait_s,
                                     e.message);
                        return -1;
                }
                jc_log_warn("waiting for the database: %s", e.message);
                jc_time_sleep_ms(1000);
        }
        if (jc_pg_migrate(c, def->name, "jc", jc_common_migrations, &e) != 0 ||
            jc_pg_migrate(c, def->name, def->name, def->migrations, &e) != 0) {
                jc_log_error("%s", e.message);
                PQfinish(c);
                return -1;
        }
        PQfinish(c);
        /* Statements can be prepared only now that the tables exist. */
        run->svc.db.stmt_tables = run->stmt_tables;
        c = jc_pg_open(&run->svc.db, &e);
        if (!c) {
                jc_log_error("%s", e.message);
                return -1;
        }
        PQfinish(c);
        return 0;
}

jc_date jc_service_today(const jc_service *svc)
{
        return svc->today_pinned ? svc->today : jc_date_today_copenhagen();
}

/* Runs the service's sweep once on `today`, with a pooled connection. */
static int run_sweep(service_run *run, jc_date today, json_t *report, char *err, size_t errlen)
{
        jc_pg_err e;
        PGconn *db = jc_pg_pool_get(run->svc.pool, 10000, &e);
        int rc;

        if (!db) {
                snprintf(err, errlen, "%s", e.message);
                return -1;
        }
        rc = run->svc.def->sweep(&run->svc, db, today, report, err, errlen);
        jc_pg_rollback(db);
        jc_pg_pool_put(run->svc.pool, db);
        return rc;
}

static void *sweep_main(void *arg)
{
        service_run *run = arg;

        for (;;) {
                struct timespec until;
                json_t *report;
                char err[512];
                int stop;

                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_sec += run->sweep_interval_s;
                pthread_mutex_lock(&run->sweep_lock);
                while (!run->sweep_stop &&
                       pthread_cond_timedwait(&run->sweep_cond, &run->sweep_lock, &until) == 0)
                        ;
                stop = run->sweep_stop;
                pthread_mutex_unlock(&run->sweep_lock);
                if (stop)
                        break;
                report = json_object();
                if (run_sweep(run, jc_service_today(&run->svc), report, err, sizeof(err)) != 0)
                        jc_log_write(JC_LOG_WARN, JC_KV({"component", "sweep"}), "sweep failed: %s",
                                     err);
                json_decref(report);
        }
        return NULL;
}

/* POST /v1/admin/sweep?today=YYYY-MM-DD: run the sweep now (operators, tests). */
static void sweep_http(jc_http_req *req)
{
        service_run *run = jc_http_opaque(req);
        const char *t = jc_http_query(req, "today");
        json_t *report = json_object();
        jc_date today = jc_service_today(&run->svc);
        char err[512], d[JC_DATE_STRLEN];

        if (t && jc_date_parse(t, &today) != 0) {
                json_decref(report);
                jc_http_reply_field_problem(req, 422, "validation", "Invalid query", "today",
                                            "must be a date YYYY-MM-DD");
                return;
        }
        if (run_sweep(run, today, report, err, sizeof(err)) != 0) {
                jc_pg_err e;

                json_decref(report);
                jc_pg_err_set(&e, 1, "%s", err);
                jc_http_reply_db_error(req, &e);
                return;
        }
        jc_date_format(today, d);
        json_object_set_new(report, "today", json_string(d));
        jc_http_reply_json(req, 200, report);
}

static int build_routes(service_run *run)
{
        const jc_service_def *def = run->svc.def;
        size_t n = 0;

        for (const jc_http_route *r = def->routes; r && r->fn; r++)
                n++;
        run->routes = calloc(n + 2, sizeof(jc_http_route));
        if (!run->routes)
                return -1;
        for (size_t i = 0; i < n; i++)
                run->routes[i] = def->routes[i];
        if (def->sweep)
                run->routes[n] = (jc_http_route){"POST", "/v1/admin/sweep", "admin", sweep_http,
                                                 "admin_sweep"};
        return 0;
}

static int start_roles(service_run *run)
{
        jc_service *svc = &run->svc;
        const jc_service_def *def = svc->def;
        char err[512];
        long v1, v2, v3, v4;

        if (run->role_consumer && def->consume_topics) {
                jc_consumer_config cc;

                memset(&cc, 0, sizeof(cc));
                if (env_long("JC_KAFKA_SESSION_TIMEOUT_MS", 10000, 1000, 300000, &v1) ||
                    env_long("JC_CONSUMER_BATCH", 200, 1, 10000, &v2) ||
                    env_long("JC_CONSUMER_MAX_ATTEMPTS", 5, 1, 1000, &v3) ||
                    env_long("JC_KAFKA_FETCH_WAIT_MS", 100, 1, 60000, &v4))
                        return -1;
                cc.name = def->name;
                cc.group_id = jc_config_str("JC_CONSUMER_GROUP", def->name);
                cc.bootstrap = run->kafka_bootstrap;
                cc.client_id = run->client_id;
                cc.kafka_extra = run->kafka_extra;
                cc.session_timeout_ms = (int)v1;
                cc.fetch_wait_ms = (int)v4;
                cc.topics = def->consume_topics;
                cc.raw_topics = def->raw_topics;
                cc.handlers = def->handlers;
                cc.on_dead_letter = def->on_dead_letter;
                cc.opaque = svc;
                cc.db = &svc->db;
                cc.emitter = &svc->emitter;
                cc.catalogue = &svc->catalogue;
                cc.metrics = svc->metrics;
                cc.batch_max = (int)v2;
                cc.max_attempts = (int)v3;
                run->consumer = jc_consumer_start(&cc, err, sizeof(err));
                if (!run->consumer) {
                        jc_log_error("%s", err);
                        return -1;
                }
        }
        if (run->role_relay) {
                jc_relay_config rc;

                memset(&rc, 0, sizeof(rc));
                if (env_long("JC_RELAY_BATCH", 500, 1, 100000, &v1) ||
                    env_long("JC_RELAY_POLL_MS", 1000, 10, 60000, &v2) ||
                    env_long("JC_OUTBOX_RETENTION_HOURS", 168, 0, 100000, &v3) ||
                    env_long("JC_INBOX_RETENTION_DAYS", 30, 0, 36500, &v4))
                        return -1;
                rc.db = &svc->db;
                rc.schema = def->name;
                rc.bootstrap = run->kafka_bootstrap;
                rc.client_id = run->client_id;
                rc.kafka_extra = run->kafka_extra;
                rc.batch_size = (int)v1;
                rc.poll_interval_ms = (int)v2;
                rc.retention_hours = (int)v3;
                rc.inbox_retention_days = (int)v4;
                rc.metrics = svc->metrics;
                run->relay = jc_relay_start(&rc, err, sizeof(err));
                if (!run->relay) {
                        jc_log_error("%s", err);
                        return -1;
                }
        }
        if (run->role_sweep && def->sweep && run->sweep_interval_s > 0) {
                if (pthread_create(&run->sweep_thread, NULL, sweep_main, run) != 0) {
                        jc_log_error("could not start the sweep thread");
                        return -1;
                }
                run->sweep_started = 1;
        }
        if (run->role_http) {
                jc_http_config hc;
                long port;

                memset(&hc, 0, sizeof(hc));
                if (env_long("JC_HTTP_PORT", def->default_port, 1, 65535, &port) ||
                    env_long("JC_HTTP_MAX_BODY", 65536, 1024, 1L << 30, &v1) ||
                    env_long("JC_HTTP_TIMEOUT_S", 30, 1, 3600, &v2) ||
                    env_long("JC_HTTP_MAX_CONNECTIONS", 256, 1, 10000, &v3) ||
                    env_long("JC_HTTP_MAX_CONNECTIONS_PER_IP", 128, 0, 10000, &v4))
                        return -1;
                hc.bind_addr = jc_config_str("JC_HTTP_ADDR", "127.0.0.1");
                hc.port = (int)port;
                hc.max_body = (size_t)v1;
                hc.timeout_s = (unsigned)v2;
                hc.conn_limit = (unsigned)v3;
                hc.per_ip_limit = (unsigned)v4;
                hc.routes = run->routes;
                hc.stream_routes = def->stream_routes;
                hc.tokens = &svc->tokens;
                hc.metrics = svc->metrics;
                hc.pool = svc->pool;
                hc.ready_fn = service_ready;
                hc.opaque = run;
                run->http = jc_http_start(&hc, err, sizeof(err));
                if (!run->http) {
                        jc_log_error("%s", err);
                        return -1;
                }
                jc_log_write(JC_LOG_INFO, JC_KV({"addr", hc.bind_addr}),
                             "listening on %s:%ld", hc.bind_addr, port);
        }
        return 0;
}

static void stop_roles(service_run *run)
{
        if (run->http)
                jc_http_quiesce(run->http);
        if (run->sweep_started) {
                pthread_mutex_lock(&run->sweep_lock);
                run->sweep_stop = 1;
                pthread_cond_signal(&run->sweep_cond);
                pthread_mutex_unlock(&run->sweep_lock);
                pthread_join(run->sweep_thread, NULL);
                run->sweep_started = 0;
        }
        if (run->consumer)
                jc_consumer_stop(run->consumer);
        run->consumer = NULL;
        if (run->relay)
                jc_relay_stop(run->relay);
        run->relay = NULL;
        if (run->http)
                jc_http_stop(run->http);
        run->http = NULL;
}

static void print_usage(const jc_service_def *def)
{
        printf("usage: jc-%s [--print-config | --print-routes]\n\n"
               "Runs the %s service; configuration comes from the environment.\n",
               def->name, def->name);
}

int jc_service_main(const jc_service_def *def, int argc, char **argv)
{
        service_run *run;
        sigset_t sigs;
        char err[512];
        jc_log_level level;
        const char *lvl;
        long pool_size;
        int sig = 0, rc = 1;

        if (argc > 1 && strcmp(argv[1], "--print-routes") == 0) {
                for (const jc_http_route *r = def->routes; r && r->fn; r++)
                        printf("%s %s %s %s\n", r->method, r->pattern,
                               r->scope ? r->scope : "-", r->name);
                for (const jc_http_stream_route *r = def->stream_routes; r && r->begin; r++)
                        printf("%s %s %s %s\n", r->method, r->pattern,
                               r->scope ? r->scope : "-", r->name);
                if (def->sweep)
                        printf("POST /v1/admin/sweep admin admin_sweep\n");
                return 0;
        }
        if (argc > 1 && strcmp(argv[1], "--print-config") == 0) {
                jc_config_print_markdown(jc_service_common_config,
                                         jc_service_common_config_count, stdout);
                jc_config_print_markdown(def->config, def->nconfig, stdout);
                return 0;
        }
        if (argc > 1) {
                print_usage(def);
                return strcmp(argv[1], "--help") == 0 ? 0 : 2;
        }
        lvl = jc_config_str("JC_LOG_LEVEL", "info");
        if (jc_log_level_parse(lvl, &level) != 0) {
                fprintf(stderr, "invalid JC_LOG_LEVEL \"%s\": use debug, info, warn, error\n", lvl);
                return 2;
        }
        jc_log_init(def->name, level);

        /* Signals are taken by sigwait() in this thread only. */
        signal(SIGPIPE, SIG_IGN);
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGINT);
        sigaddset(&sigs, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);

        run = calloc(1, sizeof(*run));
        if (!run) {
                jc_log_error("out of memory");
                return 1;
        }
        pthread_mutex_init(&run->ready_lock, NULL);
        pthread_mutex_init(&run->sweep_lock, NULL);
        pthread_cond_init(&run->sweep_cond, NULL);
        run->svc.def = def;
        snprintf(run->source, sizeof(run->source), "/jobcenter/%s", def->name);
        snprintf(run->db_default, sizeof(run->db_default),
                 "host=127.0.0.1 port=5432 dbname=jobcenter user=%s", def->name);
        {
                char host[64] = "host";

                gethostname(host, sizeof(host) - 1);
                snprintf(run->client_id, sizeof(run->client_id), "%s-%s-%d", def->name,
                         host, (int)getpid());
        }
        run->kafka_bootstrap = jc_config_str("JC_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
        run->kafka_extra = jc_config_str("JC_KAFKA_EXTRA", NULL);
        run->stmt_tables[0] = jc_common_stmts;
        run->stmt_tables[1] = jc_idem_stmts;
        run->stmt_tables[2] = def->stmts;
        run->stmt_tables[3] = NULL;
        run->svc.db.conninfo = jc_config_str("JC_DB_URL", run->db_default);
        run->svc.db.schema = def->name;
        run->svc.db.application_name = run->client_id;
        run->svc.db.stmt_tables = NULL; /* set after migrations */

        if (parse_roles(run, jc_config_str("JC_ROLES", "http,relay,consumer,sweep"), err,
                        sizeof(err)) != 0 ||
            jc_topics_load(&run->svc.catalogue, NULL, err, sizeof(err)) != 0 ||
            jc_tokens_load(&run->svc.tokens, jc_config_str("JC_TOKENS_FILE", NULL), err,
                           sizeof(err)) != 0 ||
            jc_calendar_init(&run->svc.calendar,
                             jc_config_str("JC_CLOSED_DAYS", "06-05,12-24,12-31"), err,
                             sizeof(err)) != 0) {
                jc_log_error("%s", err);
                goto out;
        }
        if (env_long("JC_DB_POOL_SIZE", 16, 1, 1000, &pool_size) != 0 ||
            env_long("JC_SWEEP_INTERVAL_S", 300, 0, 86400, &run->sweep_interval_s) != 0 ||
            build_routes(run) != 0)
                goto out;
        if (jc_config_str("JC_TODAY", NULL)) {
                if (jc_date_parse(jc_config_str("JC_TODAY", NULL), &run->svc.today) != 0) {
                        jc_log_error("invalid JC_TODAY: expected YYYY-MM-DD");
                        goto out;
                }
                run->svc.today_pinned = 1;
                jc_log_warn("JC_TODAY pins today's date: for tests and demos only");
        }
        run->svc.emitter.source = run->source;
        run->svc.emitter.catalogue = &run->svc.catalogue;
        run->svc.metrics = jc_metrics_new();
        if (!run->svc.metrics)
                goto out;
        if (run_migrations(run) != 0)
                goto out;
        run->svc.pool = jc_pg_pool_new(&run->svc.db, (size_t)pool_size);
        if (!run->svc.pool)
                goto out;
        if (def->init && def->init(&run->svc, err, sizeof(err)) != 0) {
                jc_log_error("%s", err);
                goto out_fini;
        }
        if (run->role_http && (run->role_relay || run->role_consumer ||
                               def->consume_topics)) {
                rd_kafka_conf_t *conf = jc_kafka_producer_conf(run->kafka_bootstrap,
                                                               run->client_id,
                                                               run->kafka_extra, err,
                                                               sizeof(err));
                char kerr[256];

                if (!conf) {
                        jc_log_error("%s", err);
                        goto out_fini;
                }
                run->probe = rd_kafka_new(RD_KAFKA_PRODUCER, conf, kerr, sizeof(kerr));
                if (!run->probe) {
                        rd_kafka_conf_destroy(conf);
                        jc_log_error("could not create Kafka client: %s", kerr);
                        goto out_fini;
                }
        }
        if (start_roles(run) != 0) {
                stop_roles(run);
                goto out_fini;
        }
        jc_log_write(JC_LOG_INFO, JC_KV({"roles", jc_config_str("JC_ROLES",
                                                                 "http,relay,consumer,sweep")}),
                     "%s service started", def->name);
        sigwait(&sigs, &sig);
        jc_log_info("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
        stop_roles(run);
        rc = 0;
        jc_log_info("%s service stopped", def->name);
out_fini:
        if (def->fini)
                def->fini(&run->svc);
out:
        if (run->probe)
                rd_kafka_destroy(run->probe);
        jc_pg_pool_free(run->svc.pool);
        jc_metrics_free(run->svc.metrics);
        jc_tokens_release(&run->svc.tokens);
        jc_topics_release(&run->svc.catalogue);
        pthread_mutex_destroy(&run->ready_lock);
        pthread_mutex_destroy(&run->sweep_lock);
        pthread_cond_destroy(&run->sweep_cond);
        free(run->routes);
        free(run);
        return rc;
}
