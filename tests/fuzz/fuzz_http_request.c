/* libFuzzer target: a raw HTTP request, as any client on the network can send
 * it, through the HTTP server every service runs (libmicrohttpd's request
 * parser, then jc_http's routing with {path parameters}, bearer-token check,
 * query and header lookup, the JSON body, UUID path parameters and the
 * problem+json replies). The server runs in this process on a loopback port;
 * each input is written to a fresh connection, the write side is shut and the
 * answer read to the end. The routes are shaped like the services' (the same
 * patterns, scopes and helpers), with handlers that touch no database. */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "jc/auth.h"
#include "jc/http.h"
#include "jc/metrics.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzzer's own handles: one server for the whole run. */
static jc_http_server *fuzz_server;
static int fuzz_port;
static jc_token_table fuzz_tokens;
static jc_metrics *fuzz_metrics;

static void fuzz_add_string(json_t *o, const char *key, const char *value)
{
        if (value)
                json_object_set_new(o, key, json_string(value)); /* NULL for bad UTF-8: skipped */
}

/* Every handler: the path parameters (UUID-checked where the services check
 * them), a few query parameters and headers, the JSON body on writes. */
static void fuzz_echo(jc_http_req *req)
{
        static const char *const queries[] = {"list", "limit", "cursor", "within_days", "today",
                                              "status", NULL};
        const char *method = jc_http_method(req);
        json_t *out = json_object(), *body;

        for (const char *const *p = (const char *const[]){"case_id", "meeting_id", NULL}; *p; p++) {
                if (!jc_http_param(req, *p))
                        continue;
                if (!jc_http_uuid_param(req, *p))
                        goto out; /* answered 422 */
                fuzz_add_string(out, *p, jc_http_param(req, *p));
        }
        fuzz_add_string(out, "caseworker_id", jc_http_param(req, "caseworker_id"));
        for (const char *const *q = queries; *q; q++)
                fuzz_add_string(out, *q, jc_http_query(req, *q));
        fuzz_add_string(out, "idempotency_key", jc_http_header(req, "Idempotency-Key"));
        fuzz_add_string(out, "path", jc_http_path(req));
        if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
                body = jc_http_json_body(req);
                if (!body)
                        goto out; /* answered 400/415 */
                json_object_set(out, "body", body);
        }
        if (json_object_size(out) > 8) {
                jc_http_reply_field_problem(req, 422, "validation", "Request is invalid", "limit",
                                            "too many things at once");
                goto out;
        }
        jc_http_reply_json(req, 200, out);
        out = NULL;
out:
        json_decref(out);
}

static const jc_http_route fuzz_routes[] = {
    {"GET", "/v1/cases/{case_id}/obligations", "caseworker|admin", fuzz_echo, "obligations"},
    {"POST", "/v1/cases/{case_id}/meetings", "caseworker|portal", fuzz_echo, "meeting_book"},
    {"POST", "/v1/meetings/{meeting_id}/outcome", "caseworker", fuzz_echo, "meeting_outcome"},
    {"GET", "/v1/obligations", "caseworker", fuzz_echo, "obligations_list"},
    {"PUT", "/v1/caseworkers/{caseworker_id}", "admin", fuzz_echo, "caseworker_put"},
    {"POST", "/v1/handovers", "akasse:*", fuzz_echo, "handover_create"},
    {"GET", "/v1/public/{caseworker_id}/slots", NULL, fuzz_echo, "public"},
    {NULL, NULL, NULL, NULL, NULL},
};

/* Tokens "fuzz-caseworker", "fuzz-admin", "fuzz-akasse" (sha256 below). */
static const char fuzz_token_json[] =
    "{\"tokens\":["
    "{\"principal\":\"cw\",\"sha256\":"
    "\"1ef73313d583058de762c0498db9df482f3ac325c1e17e6800b62568ff98d90a\",\"scopes\":[\"caseworker\"]},"
    "{\"principal\":\"adm\",\"sha256\":\"1c64ed42d0e14a2b1a137b7634c45cc09a6b67d48ea1767a8a30cdad14225918\",\"scopes\":[\"admin\"]},"
    "{\"principal\":\"ak\",\"sha256\":\"5c8bba525b900f1d489c908b78ee1cd7ba33f0f01ca8d9ca043432d784889ab3\",\"scopes\":[\"akasse:3F\"]}]}";

static int fuzz_free_port(void)
{
        struct sockaddr_in a = {.sin_family = AF_INET};
        socklen_t len = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

        if (fd < 0)
                return -1;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
            getsockname(fd, (struct sockaddr *)&a, &len) == 0)
                port = ntohs(a.sin_port);
        close(fd);
        return port;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        jc_http_config cfg = {0};
        char err[256];

        (void)argc;
        (void)argv;
        if (jc_tokens_parse(&fuzz_tokens, fuzz_token_json, err, sizeof(err)) != 0) {
                fprintf(stderr, "fuzz_http_request: tokens: %s\n", err);
                abort();
        }
        fuzz_metrics = jc_metrics_new();
        fuzz_port = fuzz_free_port();
        cfg.bind_addr = "127.0.0.1";
        cfg.port = fuzz_port;
        cfg.max_body = 64 * 1024;
        cfg.timeout_s = 5;
        cfg.conn_limit = 64;
        cfg.per_ip_limit = 64;
        cfg.routes = fuzz_routes;
        cfg.tokens = &fuzz_tokens;
        cfg.metrics = fuzz_metrics;
        fuzz_server = fuzz_port > 0 ? jc_http_start(&cfg, err, sizeof(err)) : NULL;
        if (!fuzz_server) {
                fprintf(stderr, "fuzz_http_request: cannot start the server: %s\n",
                        fuzz_port > 0 ? err : "no free port");
                abort();
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct sockaddr_in a = {.sin_family = AF_INET};
        struct timeval tv = {.tv_sec = 5};
        char buf[4096];
        size_t off = 0;
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        if (fd < 0)
                abort();
        a.sin_port = htons((uint16_t)fuzz_port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
            connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
                perror("fuzz_http_request: connect");
                abort();
        }
        while (off < size) {
                ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);

                if (n <= 0)
                        break; /* the server closed early: a refusal */
                off += (size_t)n;
        }
        shutdown(fd, SHUT_WR);
        while (recv(fd, buf, sizeof(buf), 0) > 0)
                ;
        close(fd);
        return 0;
}
