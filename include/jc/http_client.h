#ifndef JC_HTTP_CLIENT_H
#define JC_HTTP_CLIENT_H

#include <stddef.h>

#include "jc/buf.h"

/*
 * A small blocking HTTP/1.1 client for outgoing webhooks and gateways
 * (notifications' channels). Plain http:// only: put TLS in front with an
 * egress proxy or sidecar. One request per connection ("Connection: close"),
 * a connect timeout and an overall deadline for sending and reading; the
 * response body is read from Content-Length, chunked encoding or until the
 * server closes, up to a size limit.
 *
 *   jc_http_client_header h[] = {{"Idempotency-Key", id}};
 *   jc_http_response resp;
 *   jc_http_post(url, h, 1, "application/json", body, len, 2000, 10000, &resp);
 *   ... resp.error, resp.status, resp.body.data ...
 *   jc_http_response_release(&resp);
 */
typedef enum jc_http_client_error {
        JC_HTTPC_OK = 0,        /* a complete response arrived (any status) */
        JC_HTTPC_BAD_URL,       /* not http://host[:port]/path: retrying cannot help */
        JC_HTTPC_RESOLVE,       /* host name did not resolve */
        JC_HTTPC_CONNECT,       /* connection refused or unreachable */
        JC_HTTPC_TIMEOUT,       /* connect or response deadline passed */
        JC_HTTPC_IO,            /* connection broken while sending or reading */
        JC_HTTPC_PROTOCOL,      /* the answer was not HTTP/1.x we understand */
        JC_HTTPC_TOO_LARGE,     /* the response body exceeded the limit */
} jc_http_client_error;

typedef struct jc_http_client_header {
        const char *name;
        const char *value;
} jc_http_client_header;

typedef struct jc_http_response {
        jc_http_client_error error;
        int status;             /* HTTP status when error == JC_HTTPC_OK, else 0 */
        jc_buf body;            /* response body (release with jc_http_response_release) */
        char message[256];      /* what went wrong, for logs (no request data in it) */
} jc_http_response;

/* Largest response body jc_http_post keeps. */
#define JC_HTTPC_MAX_BODY (256 * 1024)

/*
 * POSTs `body` to `url` with `content_type` and the extra `headers`.
 * `connect_timeout_ms` bounds the TCP connect, `timeout_ms` the whole
 * exchange after it. Always fills `resp` (release it with
 * jc_http_response_release, also on error). Returns 0 when a response
 * arrived (check resp->status), -1 otherwise (resp->error says why).
 */
int jc_http_post(const char *url, const jc_http_client_header *headers, size_t nheaders,
                 const char *content_type, const void *body, size_t len, int connect_timeout_ms,
                 int timeout_ms, jc_http_response *resp);
/* GETs `url` with the extra `headers`; otherwise as jc_http_post. */
int jc_http_get(const char *url, const jc_http_client_header *headers, size_t nheaders,
                int connect_timeout_ms, int timeout_ms, jc_http_response *resp);
void jc_http_response_release(jc_http_response *resp);

/* 1 when retrying the same request later may succeed: no response at all
 * (except a bad URL), or status 408, 425, 429 or 5xx. 0 for 2xx/3xx and the
 * other 4xx, which are final. */
int jc_http_response_transient(const jc_http_response *resp);

/* A short name for the error ("connection refused", "timeout", …). */
const char *jc_http_client_error_name(jc_http_client_error e);

#endif
