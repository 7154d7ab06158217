/*
 * jc-console: the management page. Serves one static page (page/, compiled
 * in) and a read-only JSON API under /api/ that forwards a fixed list of GET
 * requests to the services with the console's own token, so the browser never
 * holds a service token and can reach nothing else:
 *
 *   /api/measures/timeliness  -> scheduling GET /v1/measures/timeliness
 *   /api/measures/active-offer-> offers     GET /v1/measures/active-offer
 *   /api/obligations          -> scheduling GET /v1/obligations
 *   /api/caseworkers          -> intake     GET /v1/caseworkers
 *
 * Only the query parameters each endpoint documents are passed on. On loopback
 * by default; in production put it behind the municipality's single sign-on.
 *
 * Configuration (environment): JC_CONSOLE_ADDR (127.0.0.1), JC_CONSOLE_PORT
 * (8080), JC_CONSOLE_TOKEN_FILE (a file holding a caseworker-scope token),
 * JC_CONSOLE_INTAKE_URL, JC_CONSOLE_SCHEDULING_URL, JC_CONSOLE_OFFERS_URL
 * (http://127.0.0.1:8081, 8082, 8083). `jc-console --print-config` prints them.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jc/buf.h"
#include "jc/config.h"
#include "jc/embed.h"
#include "jc/http.h"
#include "jc/http_client.h"
#include "jc/log.h"
#include "jc/metrics.h"

extern const jc_embedded_file console_page[];

typedef struct console_upstream {
        const char *path;         /* console path */
        const char *service_var;  /* env var of the service's base URL */
        const char *upstream;     /* path on the service */
        const char *params[8];    /* query parameters passed on */
} console_upstream;

static const console_upstream upstreams[] = {
        {"/api/measures/timeliness", "JC_CONSOLE_SCHEDULING_URL", "/v1/measures/timeliness",
         {"target_group", "as_of", "window", "required_meetings", NULL}},
        {"/api/measures/active-offer", "JC_CONSOLE_OFFERS_URL", "/v1/measures/active-offer",
         {"target_group", "as_of", NULL}},
        {"/api/obligations", "JC_CONSOLE_SCHEDULING_URL", "/v1/obligations",
         {"list", "within_days", "target_group", "team_id", "caseworker_id", "limit", "cursor", NULL}},
        {"/api/caseworkers", "JC_CONSOLE_INTAKE_URL", "/v1/caseworkers", {"team_id", NULL}},
};

static const jc_config_var console_config[] = {
        {"JC_CONSOLE_ADDR", "127.0.0.1", "console: HTTP bind address"},
        {"JC_CONSOLE_PORT", "8080", "console: HTTP port of the management page"},
        {"JC_CONSOLE_TOKEN_FILE", NULL,
         "console: file holding the bearer token (caseworker scope) the console calls the services with"},
        {"JC_CONSOLE_INTAKE_URL", "http://127.0.0.1:8081", "console: intake's base URL"},
        {"JC_CONSOLE_SCHEDULING_URL", "http://127.0.0.1:8082", "console: scheduling's base URL"},
        {"JC_CONSOLE_OFFERS_URL", "http://127.0.0.1:8083", "console: offers' base URL"},
};

/* The console's state: the token it calls with (read once at start). */
typedef struct console {
        char token[256];
} console;

static const jc_embedded_file *page_file(const char *name)
{
        for (const jc_embedded_file *f = console_page; f->name; f++) {
                const char *base = strrchr(f->name, '/');

                if (strcmp(base ? base + 1 : f->name, name) == 0)
                        return f;
        }
        return NULL;
}

static void serve_file(jc_http_req *req, const char *name, const char *type)
{
        const jc_embedded_file *f = page_file(name);

        if (!f) {
                jc_http_reply_problem(req, 404, "not-found", "Not found", "no such file", NULL);
                return;
        }
        jc_http_add_header(req, "Cache-Control", "no-cache");
        jc_http_add_header(req, "Content-Security-Policy",
                           "default-src 'self'; style-src 'self'; img-src 'self' data:");
        jc_http_reply_text(req, 200, type, f->data, f->len);
}

static void page_index(jc_http_req *req)
{
        serve_file(req, "index.html", "text/html; charset=utf-8");
}

static void page_js(jc_http_req *req)
{
        serve_file(req, "app.js", "text/javascript; charset=utf-8");
}

static void page_css(jc_http_req *req)
{
        serve_file(req, "app.css", "text/css; charset=utf-8");
}

/* Appends "name=value" URL-encoded (RFC 3986 unreserved kept). */
static int append_param(jc_buf *b, const char *name, const char *value)
{
        static const char hex[] = "0123456789ABCDEF";

        if (jc_buf_appendf(b, "%c%s=", strchr(b->data, '?') ? '&' : '?', name) != 0)
                return -1;
        for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
                char enc[4] = {'%', hex[*p >> 4], hex[*p & 15], 0};

                if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                    *p == '-' || *p == '_' || *p == '.' || *p == '~') {
                        if (jc_buf_append(b, p, 1) != 0)
                                return -1;
                } else if (jc_buf_appends(b, enc) != 0) {
                        return -1;
                }
        }
        return 0;
}

static void forward(jc_http_req *req)
{
        const console *c = jc_http_opaque(req);
        const char *path = jc_http_path(req);
        const console_upstream *u = NULL;
        char auth[300];
        jc_http_client_header h[1] = {{"Authorization", auth}};
        jc_http_response resp;
        jc_buf url = JC_BUF_INIT;

        for (size_t i = 0; i < sizeof(upstreams) / sizeof(upstreams[0]); i++)
                if (strcmp(upstreams[i].path, path) == 0)
                        u = &upstreams[i];
        if (!u) {
                jc_http_reply_problem(req, 404, "not-found", "Not found", "no such console API", NULL);
                return;
        }
        if (jc_buf_appendf(&url, "%s%s", jc_config_str(u->service_var, ""), u->upstream) != 0)
                goto oom;
        for (size_t i = 0; u->params[i]; i++) {
                const char *v = jc_http_query(req, u->params[i]);

                if (v && append_param(&url, u->params[i], v) != 0)
                        goto oom;
        }
        snprintf(auth, sizeof(auth), "Bearer %s", c->token);
        if (jc_http_get(url.data, h, 1, 2000, 15000, &resp) != 0) {
                jc_log_write(JC_LOG_WARN, JC_KV({"component", "console"}, {"upstream", u->upstream}),
                             "service unreachable: %s", resp.message);
                jc_http_add_header(req, "Retry-After", "2");
                jc_http_reply_problem(req, 503, "unavailable", "Service unavailable",
                                      "the service behind this figure does not answer", NULL);
        } else {
                jc_http_reply_text(req, resp.status,
                                   resp.status < 300 ? "application/json" : "application/problem+json",
                                   resp.body.data ? resp.body.data : "", resp.body.len);
        }
        jc_http_response_release(&resp);
        jc_buf_release(&url);
        return;
oom:
        jc_buf_release(&url);
        jc_http_reply_problem(req, 500, "internal", "Internal error", "out of memory", NULL);
}

static const jc_http_route console_routes[] = {
        {"GET", "/", NULL, page_index, "page"},
        {"GET", "/app.js", NULL, page_js, "page_js"},
        {"GET", "/app.css", NULL, page_css, "page_css"},
        {"GET", "/api/measures/timeliness", NULL, forward, "api_timeliness"},
        {"GET", "/api/measures/active-offer", NULL, forward, "api_active_offer"},
        {"GET", "/api/obligations", NULL, forward, "api_obligations"},
        {"GET", "/api/caseworkers", NULL, forward, "api_caseworkers"},
        {NULL, NULL, NULL, NULL, NULL},
};

/* Reads the token (first line, trimmed) into c->token. */
static int read_token(console *c, const char *path, char *err, size_t errlen)
{
        FILE *f;
        size_t n;

        if (!path) {
                snprintf(err, errlen, "JC_CONSOLE_TOKEN_FILE is not set: the console needs a token");
                return -1;
        }
        f = fopen(path, "r");
        if (!f) {
                snprintf(err, errlen, "cannot read JC_CONSOLE_TOKEN_FILE %s: %s", path, strerror(errno));
                return -1;
        }
        n = fread(c->token, 1, sizeof(c->token) - 1, f);
        fclose(f);
        c->token[n] = '\0';
        c->token[strcspn(c->token, "\r\n \t")] = '\0';
        if (!c->token[0]) {
                snprintf(err, errlen, "JC_CONSOLE_TOKEN_FILE %s is empty", path);
                return -1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        static console c;
        char err[512];
        long port;
        jc_http_config cfg = {0};
        jc_http_server *srv = NULL;
        jc_metrics *metrics = NULL;
        jc_log_level level;
        sigset_t set;
        int sig, rc = 1;

        if (argc > 1 && strcmp(argv[1], "--print-config") == 0) {
                jc_config_print_markdown(console_config,
                                         sizeof(console_config) / sizeof(console_config[0]), stdout);
                return 0;
        }
        if (jc_log_level_parse(jc_config_str("JC_LOG_LEVEL", "info"), &level) != 0)
                level = JC_LOG_INFO;
        jc_log_init("console", level);
        if (jc_config_long("JC_CONSOLE_PORT", 8080, 1, 65535, &port, err, sizeof(err)) != 0 ||
            read_token(&c, jc_config_str("JC_CONSOLE_TOKEN_FILE", NULL), err, sizeof(err)) != 0) {
                jc_log_error("%s", err);
                return 2;
        }
        metrics = jc_metrics_new();
        if (!metrics)
                goto out;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        cfg.bind_addr = jc_config_str("JC_CONSOLE_ADDR", "127.0.0.1");
        cfg.port = (int)port;
        cfg.max_body = 1024;
        cfg.timeout_s = 30;
        cfg.conn_limit = 64;
        cfg.per_ip_limit = 32;
        cfg.routes = console_routes;
        cfg.metrics = metrics;
        cfg.opaque = &c;
        srv = jc_http_start(&cfg, err, sizeof(err));
        if (!srv) {
                jc_log_error("%s", err);
                goto out;
        }
        jc_log_info("management page on http://%s:%ld/", cfg.bind_addr, port);
        sigwait(&set, &sig);
        jc_http_quiesce(srv);
        rc = 0;
out:
        if (srv)
                jc_http_stop(srv);
        jc_metrics_free(metrics);
        return rc;
}
