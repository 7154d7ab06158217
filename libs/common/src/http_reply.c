/*
 * HTTP request accessors and replies (problem+json for every error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"
#include "jc/log.h"
#include "jc/uuid.h"
#include "jc/validate.h"

void *jc_http_opaque(jc_http_req *req)
{
        return req->srv->cfg.opaque;
}

const char *jc_http_method(jc_http_req *req)
{
        return req->method;
}

const char *jc_http_path(jc_http_req *req)
{
        return req->url;
}

const char *jc_http_param(jc_http_req *req, const char *name)
{
        size_t n = strlen(name);

        for (size_t i = 0; i < req->nparams; i++)
                if (req->pname_lens[i] == n && strncmp(req->pnames[i], name, n) == 0)
                        return req->pvals[i];
        return NULL;
}

const char *jc_http_query(jc_http_req *req, const char *name)
{
        return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *jc_http_header(jc_http_req *req, const char *name)
{
        return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *jc_http_body(jc_http_req *req, size_t *len)
{
        if (len)
                *len = req->body.len;
        return req->body.data;
}

const jc_token *jc_http_principal(jc_http_req *req)
{
        return req->principal;
}

json_t *jc_http_json_body(jc_http_req *req)
{
        const char *ct = jc_http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
        json_error_t jerr;
        json_t *errors;

        if (req->json)
                return req->json;
        if (!ct || (strncasecmp(ct, "application/json", 16) != 0 &&
                    !strstr(ct, "+json"))) {
                jc_http_reply_problem(req, 415, "unsupported-media-type",
                                      "Unsupported media type",
                                      "send the body as application/json", NULL);
                return NULL;
        }
        req->json = json_loadb(req->body.data, req->body.len,
                               JSON_REJECT_DUPLICATES, &jerr);
        if (!req->json) {
                char safe[160], msg[256];

                jc_json_error_safe(&jerr, safe, sizeof(safe));
                snprintf(msg, sizeof(msg), "invalid JSON at line %d, column %d: %s",
                         jerr.line, jerr.column, safe);
                errors = json_pack("[{s:s, s:s, s:s}]", "field", "(body)", "pointer", "#",
                                   "message", msg);
                jc_http_reply_problem(req, 400, "malformed-json", "Body is not valid JSON",
                                      msg, errors);
                return NULL;
        }
        if (!json_is_object(req->json)) {
                json_decref(req->json);
                req->json = NULL;
                errors = json_pack("[{s:s, s:s, s:s}]", "field", "(body)", "pointer", "#",
                                   "message", "must be a JSON object");
                jc_http_reply_problem(req, 400, "malformed-json",
                                      "Body is not a JSON object",
                                      "the body must be a JSON object", errors);
                return NULL;
        }
        return req->json;
}

PGconn *jc_http_db(jc_http_req *req)
{
        jc_pg_err e;

        if (req->db)
                return req->db;
        req->db = jc_pg_pool_get(req->srv->cfg.pool, 5000, &e);
        if (!req->db)
                jc_http_reply_db_error(req, &e);
        return req->db;
}

void jc_http_add_header(jc_http_req *req, const char *name, const char *value)
{
        if (req->nheaders == JC_HTTP_MAX_HEADERS)
                return;
        req->hnames[req->nheaders] = strdup(name);
        req->hvals[req->nheaders] = strdup(value);
        if (!req->hnames[req->nheaders] || !req->hvals[req->nheaders]) {
                free(req->hnames[req->nheaders]);
                free(req->hvals[req->nheaders]);
                return;
        }
        req->nheaders++;
}

static void send_bytes(jc_http_req *req, int status, const char *content_type,
                       const char *data, size_t len)
{
        struct MHD_Response *resp;

        if (req->replied) {
                jc_log_write(JC_LOG_ERROR, JC_KV({"component", "http"}),
                             "second reply to one request ignored");
                return;
        }
        req->replied = 1;
        req->status = status;
        resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
        if (!resp)
                return;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
        MHD_add_response_header(resp, "Cache-Control", "no-store");
        if (req->trace_id[0])
                MHD_add_response_header(resp, "traceparent", req->traceparent);
        for (size_t i = 0; i < req->nheaders; i++)
                MHD_add_response_header(resp, req->hnames[i], req->hvals[i]);
        if (req->in_body) {
                /* A streaming handler answered before the end of the body:
                 * libmicrohttpd takes the response once the body is in. */
                req->deferred = resp;
                return;
        }
        MHD_queue_response(req->conn, (unsigned)status, resp);
        MHD_destroy_response(resp);
}

void jc_http_reply_text(jc_http_req *req, int status, const char *content_type,
                        const char *text, size_t len)
{
        send_bytes(req, status, content_type, text, len);
}

void jc_http_reply_json(jc_http_req *req, int status, json_t *body)
{
        char *s = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;

        json_decref(body);
        if (!s) {
                static const char oom[] =
                    "{\"type\":\"urn:jobcenter:problem:internal\",\"status\":500,"
                    "\"title\":\"Internal error\"}";

                send_bytes(req, 500, "application/problem+json", oom, sizeof(oom) - 1);
                return;
        }
        send_bytes(req, status, "application/json", s, strlen(s));
        free(s);
}

void jc_http_reply_problem(jc_http_req *req, int status, const char *type_slug,
                           const char *title, const char *detail, json_t *errors)
{
        char type[128];
        json_t *p;
        char *s;

        snprintf(type, sizeof(type), "urn:jobcenter:problem:%s", type_slug);
        p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", title,
                      "status", status, "detail", detail ? detail : title, "instance",
                      req->url ? req->url : "");
        if (p && req->trace_id[0])
                json_object_set_new(p, "trace_id", json_string(req->trace_id));
        if (p && errors)
                json_object_set(p, "errors", errors);
        json_decref(errors);
        s = p ? json_dumps(p, JSON_COMPACT) : NULL;
        json_decref(p);
        if (!s) {
                send_bytes(req, status, "application/problem+json", "{}", 2);
                return;
        }
        send_bytes(req, status, "application/problem+json", s, strlen(s));
        free(s);
}

void jc_http_reply_invalid(jc_http_req *req, json_t *errors)
{
        char detail[96];
        size_t n = json_array_size(errors);

        snprintf(detail, sizeof(detail), "%zu field%s invalid", n,
                 n == 1 ? " is" : "s are");
        jc_http_reply_problem(req, 422, "validation", "Request body is invalid", detail,
                              errors);
}

void jc_http_reply_field_problem(jc_http_req *req, int status, const char *type_slug,
                                 const char *title, const char *field, const char *message)
{
        jc_verrs v;
        char detail[320];

        jc_verrs_init(&v);
        jc_verrs_add(&v, field, "%s", message);
        snprintf(detail, sizeof(detail), "%s: %s", field, message);
        jc_http_reply_problem(req, status, type_slug, title, detail, jc_verrs_take(&v));
        jc_verrs_release(&v);
}

const char *jc_http_uuid_param(jc_http_req *req, const char *name)
{
        const char *id = jc_http_param(req, name);

        if (!jc_uuid_is_valid(id)) {
                jc_http_reply_field_problem(req, 422, "validation", "Invalid path", name,
                                            "must be a UUID");
                return NULL;
        }
        return id;
}

void jc_http_reply_db_error(jc_http_req *req, const jc_pg_err *e)
{
        jc_log_write(e->transient ? JC_LOG_WARN : JC_LOG_ERROR,
                     JC_KV({"component", "http"}, {"sqlstate", e->sqlstate},
                           {"route", req->route_name}),
                     "request failed: %s", e->message);
        if (e->transient) {
                jc_http_add_header(req, "Retry-After", "1");
                jc_http_reply_problem(req, 503, "unavailable", "Service unavailable",
                                      "the database is unavailable; retry shortly", NULL);
        } else {
                jc_http_reply_problem(req, 500, "internal", "Internal error",
                                      "the request could not be completed", NULL);
        }
}
