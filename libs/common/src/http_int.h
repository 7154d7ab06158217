/* Private to http_server.c and http_reply.c. */
#ifndef JC_HTTP_INT_H
#define JC_HTTP_INT_H

#include <microhttpd.h>
#include <stdint.h>
#include <unistd.h>

#include "jc/buf.h"
#include "jc/ce.h"
#include "jc/http.h"

#define JC_HTTP_MAX_PARAMS 8
#define JC_HTTP_MAX_HEADERS 8

struct jc_http_server {
        jc_http_config cfg;
        struct MHD_Daemon *d;
        int quiesced;
        MHD_socket listen_fd;
};

struct jc_http_req {
        jc_http_server *srv;
        struct MHD_Connection *conn;
        const char *url;    /* owned by MHD until completion */
        const char *method;
        jc_buf body;
        int too_large;
        const jc_http_route *route;
        const jc_http_stream_route *stream; /* a streaming route, or NULL */
        void *stream_state;                 /* its begin()'s state */
        int stream_stopped;                 /* chunk() refused: discard the rest */
        int in_body;                        /* stream body still arriving */
        struct MHD_Response *deferred;      /* a reply made while in_body */
        const char *route_name;
        const char *pnames[JC_HTTP_MAX_PARAMS]; /* point into the route pattern */
        size_t pname_lens[JC_HTTP_MAX_PARAMS];
        char *pvals[JC_HTTP_MAX_PARAMS];
        size_t nparams;
        const jc_token *principal;
        json_t *json;
        PGconn *db;
        int replied;
        int status;
        int64_t start_ms;
        char traceparent[JC_TRACEPARENT_LEN];
        char trace_id[33];
        char *hnames[JC_HTTP_MAX_HEADERS];
        char *hvals[JC_HTTP_MAX_HEADERS];
        size_t nheaders;
};

#endif
