/*
 * HTTP server: request lifecycle, routing and authentication.
 * Replies are in http_reply.c; the request struct is shared via http_int.h.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"
#include "jc/ce.h"
#include "jc/log.h"
#include "jc/timeutil.h"

static void http_mhd_log(void *cls, const char *fmt, va_list ap)
{
        char msg[512];
        size_t n;

        (void)cls;
        vsnprintf(msg, sizeof(msg), fmt, ap);
        n = strlen(msg);
        while (n > 0 && msg[n - 1] == '\n')
                msg[--n] = '\0';
        jc_log_write(JC_LOG_WARN, JC_KV({"component", "http"}), "%s", msg);
}

/* Matches `path` against `pattern`, capturing "{name}" segments into req.
 * Returns 1 on a match. */
static int http_path_match(const char *pattern, const char *path, jc_http_req *req)
{
        const char *p = pattern, *u = path;
        size_t np = 0;

        while (*p && *u) {
                const char *pe, *ue;

                if (*p != '/' || *u != '/')
                        return 0;
                p++;
                u++;
                pe = strchr(p, '/');
                ue = strchr(u, '/');
                if (!pe)
                        pe = p + strlen(p);
                if (!ue)
                        ue = u + strlen(u);
                if (*p == '{' && pe[-1] == '}') {
                        if (ue == u || np == JC_HTTP_MAX_PARAMS)
                                return 0;
                        if (req) {
                                req->pnames[np] = p + 1;
                                req->pname_lens[np] = (size_t)(pe - p - 2);
                                req->pvals[np] = strndup(u, (size_t)(ue - u));
                        }
                        np++;
                } else if ((size_t)(pe - p) != (size_t)(ue - u) ||
                           strncmp(p, u, (size_t)(pe - p)) != 0) {
                        return 0;
                }
                p = pe;
                u = ue;
        }
        if (*p || *u)
                return 0;
        if (req)
                req->nparams = np;
        return 1;
}

static void http_release_params(jc_http_req *req)
{
        for (size_t i = 0; i < req->nparams; i++)
                free(req->pvals[i]);
        req->nparams = 0;
}

static const char *bearer_token(jc_http_req *req)
{
        const char *h = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_AUTHORIZATION);

        if (!h || strncasecmp(h, "Bearer ", 7) != 0)
                return NULL;
        h += 7;
        while (*h == ' ')
                h++;
        return *h ? h : NULL;
}

/* Checks the bearer token against `scope` (NULL = public route). Returns 0,
 * or -1 after replying 401 or 403. */
static int http_authorise(jc_http_req *req, const char *scope)
{
        char detail[160];

        if (!scope)
                return 0;
        req->principal = jc_tokens_verify(req->srv->cfg.tokens, bearer_token(req));
        if (!req->principal) {
                jc_http_add_header(req, "WWW-Authenticate", "Bearer realm=\"jobcenter\"");
                jc_http_reply_problem(req, 401, "unauthenticated", "Authentication required",
                                      "send a valid bearer token", NULL);
                return -1;
        }
        if (!jc_token_has_scope(req->principal, scope)) {
                snprintf(detail, sizeof(detail), "this operation needs scope %s", scope);
                jc_http_reply_problem(req, 403, "forbidden", "Forbidden", detail, NULL);
                return -1;
        }
        return 0;
}

static void http_builtin(jc_http_req *req)
{
        jc_http_server *s = req->srv;

        if (strcmp(req->url, "/healthz") == 0) {
                req->route_name = "healthz";
                jc_http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
        } else if (strcmp(req->url, "/readyz") == 0) {
                char why[256] = "";

                req->route_name = "readyz";
                if (!s->cfg.ready_fn || s->cfg.ready_fn(s->cfg.opaque, why, sizeof(why)))
                        jc_http_reply_json(req, 200, json_pack("{s:s}", "status", "ready"));
                else
                        jc_http_reply_problem(req, 503, "not-ready", "Service is not ready",
                                              why, NULL);
        } else {
                jc_buf out = JC_BUF_INIT;

                req->route_name = "metrics";
                jc_metrics_render(s->cfg.metrics, &out);
                jc_http_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8",
                                   out.data, out.len);
                jc_buf_release(&out);
        }
}

static void http_dispatch(jc_http_req *req)
{
        jc_http_server *s = req->srv;
        const jc_http_route *route = NULL;
        char allow[128] = "";
        size_t alen = 0;

        if (req->too_large) {
                char detail[128];

                snprintf(detail, sizeof(detail), "the request body is larger than %zu bytes",
                         s->cfg.max_body);
                jc_http_reply_problem(req, 413, "body-too-large", "Request body too large",
                                      detail, NULL);
                return;
        }
        if (strcmp(req->method, "GET") == 0 &&
            (strcmp(req->url, "/healthz") == 0 || strcmp(req->url, "/readyz") == 0 ||
             strcmp(req->url, "/metrics") == 0)) {
                http_builtin(req);
                return;
        }
        for (const jc_http_route *r = s->cfg.routes; r && r->fn; r++) {
                if (!http_path_match(r->pattern, req->url, NULL))
                        continue;
                if (strcmp(r->method, req->method) == 0) {
                        route = r;
                        break;
                }
                alen += (size_t)snprintf(allow + alen, sizeof(allow) - alen, "%s%s",
                                         alen ? ", " : "", r->method);
                if (alen >= sizeof(allow))
                        alen = sizeof(allow) - 1;
        }
        for (const jc_http_stream_route *r = s->cfg.stream_routes; !route && r && r->begin;
             r++) {
                if (!http_path_match(r->pattern, req->url, NULL))
                        continue;
                alen += (size_t)snprintf(allow + alen, sizeof(allow) - alen, "%s%s",
                                         alen ? ", " : "", r->method);
                if (alen >= sizeof(allow))
                        alen = sizeof(allow) - 1;
        }
        if (!route) {
                if (alen) {
                        jc_http_add_header(req, "Allow", allow);
                        jc_http_reply_problem(req, 405, "method-not-allowed",
                                              "Method not allowed",
                                              "this resource does not support the method",
                                              NULL);
                } else {
                        jc_http_reply_problem(req, 404, "not-found", "Not found",
                                              "no resource at this path", NULL);
                }
                return;
        }
        req->route = route;
        req->route_name = route->name;
        http_path_match(route->pattern, req->url, req);
        if (http_authorise(req, route->scope) != 0)
                return;
        route->fn(req);
        if (!req->replied) {
                jc_log_write(JC_LOG_ERROR, JC_KV({"component", "http"},
                                                 {"route", route->name}),
                             "handler returned without replying");
                jc_http_reply_problem(req, 500, "internal", "Internal error",
                                      "the request could not be completed", NULL);
        }
}

/* The streaming route for this method and path, or NULL. */
static const jc_http_stream_route *http_stream_route(jc_http_server *s, const char *url,
                                                     const char *method)
{
        for (const jc_http_stream_route *r = s->cfg.stream_routes; r && r->begin; r++)
                if (strcmp(r->method, method) == 0 && http_path_match(r->pattern, url, NULL))
                        return r;
        return NULL;
}

/* Routes, authorises and begins a streaming request (headers only so far). */
static void http_stream_begin(jc_http_req *req, const jc_http_stream_route *sr)
{
        req->stream = sr;
        req->route_name = sr->name;
        http_path_match(sr->pattern, req->url, req);
        if (http_authorise(req, sr->scope) != 0)
                return;
        req->stream_state = sr->begin(req);
        /* From here until the body is complete, libmicrohttpd accepts no
         * response: a reply from chunk() waits for the end (send_bytes). */
        req->in_body = 1;
        if (!req->stream_state && !req->replied) {
                jc_log_write(JC_LOG_ERROR, JC_KV({"component", "http"}, {"route", sr->name}),
                             "stream handler returned no state without replying");
                jc_http_reply_problem(req, 500, "internal", "Internal error",
                                      "the request could not be completed", NULL);
        }
}

/* A piece of a streaming body, or (len == 0) its end. */
static void http_stream_feed(jc_http_req *req, const char *data, size_t len)
{
        const jc_http_stream_route *sr = req->stream;

        if (len == 0) {
                /* The whole body is in: the reply can go out now. */
                req->in_body = 0;
                if (req->deferred) {
                        MHD_queue_response(req->conn, (unsigned)req->status, req->deferred);
                        MHD_destroy_response(req->deferred);
                        req->deferred = NULL;
                }
        }
        if (!req->stream_state || req->stream_stopped)
                return; /* refused or replied already: discard */
        if (len) {
                if (sr->chunk(req, req->stream_state, data, len) != 0) {
                        req->stream_stopped = 1;
                        if (!req->replied) {
                                jc_log_write(JC_LOG_ERROR,
                                             JC_KV({"component", "http"}, {"route", sr->name}),
                                             "stream handler stopped without replying");
                                jc_http_reply_problem(req, 500, "internal", "Internal error",
                                                      "the request could not be completed",
                                                      NULL);
                        }
                }
                return;
        }
        req->stream_stopped = 1;
        sr->end(req, req->stream_state);
        if (!req->replied) {
                jc_log_write(JC_LOG_ERROR, JC_KV({"component", "http"}, {"route", sr->name}),
                             "stream handler returned without replying");
                jc_http_reply_problem(req, 500, "internal", "Internal error",
                                      "the request could not be completed", NULL);
        }
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn,
                                   const char *url, const char *method,
                                   const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **req_cls)
{
        jc_http_server *s = cls;
        jc_http_req *req = *req_cls;

        (void)version;
        if (!req) {
                const jc_http_stream_route *sr;
                const char *cl;

                req = calloc(1, sizeof(*req));
                if (!req)
                        return MHD_NO;
                req->srv = s;
                req->conn = conn;
                req->url = url;
                req->method = method;
                req->start_ms = jc_time_mono_ms();
                req->body = (jc_buf)JC_BUF_INIT;
                jc_trace_continue(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                              "traceparent"),
                                  req->traceparent);
                jc_trace_id(req->traceparent, req->trace_id);
                *req_cls = req;
                sr = http_stream_route(s, url, method);
                if (sr) {
                        jc_log_ctx_set(req->trace_id, NULL, NULL);
                        http_stream_begin(req, sr);
                        jc_log_ctx_clear();
                        return MHD_YES;
                }
                cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
                if (cl && strtoull(cl, NULL, 10) > s->cfg.max_body) {
                        req->too_large = 1;
                        jc_log_ctx_set(req->trace_id, NULL, NULL);
                        http_dispatch(req); /* replies 413 before reading the body */
                        jc_log_ctx_clear();
                }
                return MHD_YES;
        }
        if (req->stream) {
                jc_log_ctx_set(req->trace_id, NULL, NULL);
                http_stream_feed(req, upload_data, *upload_data_size);
                jc_log_ctx_clear();
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (*upload_data_size) {
                if (!req->too_large && req->body.len + *upload_data_size <= s->cfg.max_body) {
                        if (jc_buf_append(&req->body, upload_data, *upload_data_size) != 0)
                                return MHD_NO;
                } else {
                        req->too_large = 1;
                }
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (req->replied)
                return MHD_YES;
        jc_log_ctx_set(req->trace_id, NULL, NULL);
        http_dispatch(req);
        jc_log_ctx_clear();
        return MHD_YES;
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                           enum MHD_RequestTerminationCode toe)
{
        jc_http_server *s = cls;
        jc_http_req *req = *req_cls;
        char status[8], ms[24], labels[160];
        double secs;

        (void)conn;
        (void)toe;
        if (!req)
                return;
        secs = (double)(jc_time_mono_ms() - req->start_ms) / 1000.0;
        snprintf(status, sizeof(status), "%d", req->status);
        snprintf(ms, sizeof(ms), "%.1f", secs * 1000.0);
        snprintf(labels, sizeof(labels), "route=\"%s\",status=\"%d\"",
                 req->route_name ? req->route_name : "unmatched", req->status);
        jc_metrics_counter_add(s->cfg.metrics, "jc_http_requests_total",
                               "HTTP requests by route and status", labels, 1);
        snprintf(labels, sizeof(labels), "route=\"%s\"",
                 req->route_name ? req->route_name : "unmatched");
        jc_metrics_observe(s->cfg.metrics, "jc_http_request_seconds",
                           "HTTP request duration by route", labels, secs);
        if (!req->route_name || (strcmp(req->route_name, "healthz") != 0 &&
                                 strcmp(req->route_name, "readyz") != 0 &&
                                 strcmp(req->route_name, "metrics") != 0)) {
                jc_log_ctx_set(req->trace_id, NULL, NULL);
                jc_log_write(req->status >= 500 ? JC_LOG_WARN : JC_LOG_INFO,
                             JC_KV({"component", "http"}, {"method", req->method},
                                   {"route", req->route_name ? req->route_name : "unmatched"},
                                   {"status", status}, {"duration_ms", ms},
                                   {"principal", req->principal ? req->principal->principal
                                                                : NULL}),
                             "request completed");
                jc_log_ctx_clear();
        }
        if (req->stream && req->stream_state && req->stream->release) {
                jc_log_ctx_set(req->trace_id, NULL, NULL);
                req->stream->release(req->stream_state);
                jc_log_ctx_clear();
        }
        req->stream_state = NULL;
        if (req->deferred)
                MHD_destroy_response(req->deferred); /* the client went away first */
        if (req->db)
                jc_pg_pool_put(s->cfg.pool, req->db);
        json_decref(req->json);
        http_release_params(req);
        for (size_t i = 0; i < req->nheaders; i++) {
                free(req->hnames[i]);
                free(req->hvals[i]);
        }
        jc_buf_release(&req->body);
        free(req);
        *req_cls = NULL;
}

jc_http_server *jc_http_start(const jc_http_config *cfg, char *err, size_t errlen)
{
        jc_http_server *s = calloc(1, sizeof(*s));
        struct sockaddr_in addr;

        if (!s) {
                snprintf(err, errlen, "out of memory");
                return NULL;
        }
        s->cfg = *cfg;
        memset(&addr, 0, sizeof(addr));
        addr.sin_family = AF_INET;
        addr.sin_port = htons((uint16_t)cfg->port);
        if (inet_pton(AF_INET, cfg->bind_addr, &addr.sin_addr) != 1) {
                snprintf(err, errlen, "invalid HTTP bind address \"%s\" (need IPv4)",
                         cfg->bind_addr);
                free(s);
                return NULL;
        }
        s->d = MHD_start_daemon(
            MHD_USE_THREAD_PER_CONNECTION | MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC |
                MHD_USE_ERROR_LOG,
            (uint16_t)cfg->port, NULL, NULL, http_access, s,
            MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
            MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
            MHD_OPTION_CONNECTION_LIMIT, cfg->conn_limit,
            MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)128 * 1024,
            MHD_OPTION_NOTIFY_COMPLETED, http_completed, s,
            MHD_OPTION_END);
        if (!s->d) {
                snprintf(err, errlen, "could not listen on %s:%d (port in use?)",
                         cfg->bind_addr, cfg->port);
                free(s);
                return NULL;
        }
        return s;
}

void jc_http_quiesce(jc_http_server *s)
{
        if (s && s->d && !s->quiesced) {
                s->listen_fd = MHD_quiesce_daemon(s->d);
                s->quiesced = 1;
        }
}

void jc_http_stop(jc_http_server *s)
{
        if (!s)
                return;
        MHD_stop_daemon(s->d);
        if (s->quiesced && s->listen_fd >= 0)
                close(s->listen_fd);
        free(s);
}
