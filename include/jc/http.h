#ifndef JC_HTTP_H
#define JC_HTTP_H

#include <jansson.h>
#include <stddef.h>

#include "jc/auth.h"
#include "jc/metrics.h"
#include "jc/pg.h"

/*
 * HTTP server on libmicrohttpd: a thread per connection (handlers block on
 * libpq), loopback by default, connection timeout and limits always set.
 *
 * Routes are a table; a pattern segment "{name}" captures that segment.
 * Built in: GET /healthz (alive), GET /readyz (database and broker
 * reachable), GET /metrics (Prometheus text).
 *
 * A handler runs once the whole body has arrived and must reply exactly once
 * (jc_http_reply_*); if it does not, the client gets a 500. Errors are RFC 9457
 * application/problem+json:
 *
 *   {"type":"urn:jobcenter:problem:validation","title":"Request body is invalid",
 *    "status":422,"detail":"2 fields are invalid","instance":"/v1/handovers",
 *    "trace_id":"…","errors":[{"field":"cpr","pointer":"#/cpr","message":"…"}]}
 */
typedef struct jc_http_req jc_http_req;
typedef struct jc_http_server jc_http_server;

typedef void (*jc_http_handler_fn)(jc_http_req *req);

typedef struct jc_http_route {
        const char *method;  /* "GET", "POST", … */
        const char *pattern; /* "/v1/handovers/{handover_id}" */
        const char *scope;   /* "caseworker|admin", "akasse:*"; NULL = public */
        jc_http_handler_fn fn;
        const char *name;    /* metrics label, e.g. "handover_create" */
} jc_http_route;

/*
 * Streaming request bodies (large uploads in bounded memory). A stream route
 * is matched, authenticated and authorised as soon as the request headers
 * have arrived; its body is then handed over chunk by chunk as it arrives,
 * instead of being collected into one buffer of at most max_body bytes
 * (JC_HTTP_MAX_BODY does not apply: the handler sets its own limit, e.g.
 * from Content-Length in begin and by counting in chunk). Callbacks run on
 * the connection's thread, so blocking in them (libpq, COPY) slows the
 * sender down instead of buffering:
 *
 *   begin(req)                 once, before the first body byte. Returns the
 *                              request's state, or NULL after replying (415,
 *                              413, 503 …); then no other callback but none.
 *   chunk(req, st, data, len)  for each piece of the body, in order. Returns
 *                              0 to go on, or -1 after replying: the rest of
 *                              the body is read and discarded and the reply
 *                              sent after it (libmicrohttpd sends nothing
 *                              while a body is arriving); end is not called.
 *   end(req, st)               once the whole body has arrived (never when
 *                              the client went away). Must reply.
 *   release(st)                exactly once for every non-NULL state, when
 *                              the request is finished, whatever happened
 *                              (also after a disconnect mid-body): roll back
 *                              and free here. Runs before the request's
 *                              pooled database connection is returned.
 *
 * jc_http_param/query/header/principal/db and the replies work as for
 * ordinary routes; jc_http_body and jc_http_json_body have no body to give.
 */
typedef struct jc_http_stream_route {
        const char *method;
        const char *pattern;
        const char *scope;
        const char *name;
        void *(*begin)(jc_http_req *req);
        int (*chunk)(jc_http_req *req, void *state, const char *data, size_t len);
        void (*end)(jc_http_req *req, void *state);
        void (*release)(void *state);
} jc_http_stream_route;

typedef struct jc_http_config {
        const char *bind_addr; /* "127.0.0.1" */
        int port;
        size_t max_body;
        unsigned timeout_s;
        unsigned conn_limit;
        unsigned per_ip_limit;
        const jc_http_route *routes; /* terminated by a route with fn == NULL */
        const jc_token_table *tokens;
        jc_metrics *metrics;
        jc_pg_pool *pool;
        /* /readyz: 1 when ready; else 0 with the reason in `why`. */
        int (*ready_fn)(void *opaque, char *why, size_t whylen);
        void *opaque; /* the service, for handlers (jc_http_opaque) */
        /* streaming routes, terminated by one with begin == NULL; may be NULL */
        const jc_http_stream_route *stream_routes;
} jc_http_config;

/* Starts listening. `cfg` is copied; what it points at must outlive the
 * server. NULL with `err` set on failure. */
jc_http_server *jc_http_start(const jc_http_config *cfg, char *err,
                              size_t errlen);
/* Stops accepting new connections (in-flight requests finish). */
void jc_http_quiesce(jc_http_server *s);
/* Waits for in-flight requests, closes everything, frees. */
void jc_http_stop(jc_http_server *s);

/* --- for handlers; every string is borrowed until the reply is sent --- */
void *jc_http_opaque(jc_http_req *req);
const char *jc_http_method(jc_http_req *req);
const char *jc_http_path(jc_http_req *req);
const char *jc_http_param(jc_http_req *req, const char *name);
const char *jc_http_query(jc_http_req *req, const char *name);
const char *jc_http_header(jc_http_req *req, const char *name);
const char *jc_http_body(jc_http_req *req, size_t *len);
/* The authenticated caller (NULL on public routes). */
const jc_token *jc_http_principal(jc_http_req *req);
/* The body as a JSON object (borrowed; freed with the request). On a wrong
 * content type, invalid JSON or a non-object it replies 415/400 itself and
 * returns NULL. */
json_t *jc_http_json_body(jc_http_req *req);
/* A pooled database connection for this request, returned automatically.
 * On failure replies 503 itself and returns NULL. */
PGconn *jc_http_db(jc_http_req *req);

/* Replies. `body`/`errors` are stolen. */
void jc_http_reply_json(jc_http_req *req, int status, json_t *body);
void jc_http_reply_text(jc_http_req *req, int status, const char *content_type,
                        const char *text, size_t len);
void jc_http_reply_problem(jc_http_req *req, int status, const char *type_slug,
                           const char *title, const char *detail,
                           json_t *errors);
/* 422 listing every field error collected in `errors` (stolen). */
void jc_http_reply_invalid(jc_http_req *req, json_t *errors);
/* The path parameter `name` when it is a UUID; otherwise answers 422 naming
 * it and returns NULL (the handler just returns). Borrowed from the request. */
const char *jc_http_uuid_param(jc_http_req *req, const char *name);
/* A problem naming one field: errors = [{field, pointer, message}]. */
void jc_http_reply_field_problem(jc_http_req *req, int status, const char *type_slug,
                                 const char *title, const char *field,
                                 const char *message);
/* 503 (transient, with Retry-After) or 500 for a database failure; logs it. */
void jc_http_reply_db_error(jc_http_req *req, const jc_pg_err *e);
/* Adds a response header (copied) to the reply sent next. */
void jc_http_add_header(jc_http_req *req, const char *name, const char *value);

#endif
