/*
 * Streaming request bodies (jc_http_stream_route) against a real
 * libmicrohttpd server on loopback: chunks arrive in order and in bounded
 * pieces (Content-Length and chunked transfer encoding), authentication and
 * authorisation happen before the body, a handler can refuse in begin or
 * mid-body, release runs exactly once (also when the client goes away
 * mid-body, and then end does not run), the Allow header names stream routes,
 * and ordinary routes keep their body limit.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jc/auth.h"
#include "jc/crypto.h"
#include "jc/http.h"
#include "jc/metrics.h"
#include "jc/timeutil.h"
#include "jc_test.h"

static atomic_int n_begin, n_end, n_release;
static atomic_size_t max_chunk;

typedef struct upload {
        size_t bytes;
        size_t chunks;
        unsigned sum; /* of all bytes, to check order-independent content */
        size_t stop_after;
} upload;

static void *up_begin(jc_http_req *req)
{
        const char *stop = jc_http_header(req, "X-Stop-After");
        upload *u;

        atomic_fetch_add(&n_begin, 1);
        if (jc_http_header(req, "X-Refuse")) {
                jc_http_reply_problem(req, 415, "unsupported-media-type", "Refused", "refused",
                                      NULL);
                return NULL;
        }
        u = calloc(1, sizeof(*u));
        if (!u) {
                jc_http_reply_problem(req, 500, "internal", "Internal error", "oom", NULL);
                return NULL;
        }
        u->stop_after = stop ? (size_t)strtoull(stop, NULL, 10) : 0;
        return u;
}

static int up_chunk(jc_http_req *req, void *state, const char *data, size_t len)
{
        upload *u = state;
        size_t prev = atomic_load(&max_chunk);

        while (len > prev && !atomic_compare_exchange_weak(&max_chunk, &prev, len))
                ;
        for (size_t i = 0; i < len; i++)
                u->sum += (unsigned char)data[i];
        u->bytes += len;
        u->chunks++;
        if (u->stop_after && u->bytes >= u->stop_after) {
                jc_http_reply_problem(req, 422, "validation", "Stopped", "stopped", NULL);
                return -1;
        }
        return 0;
}

static void up_end(jc_http_req *req, void *state)
{
        upload *u = state;

        atomic_fetch_add(&n_end, 1);
        jc_http_reply_json(req, 200,
                           json_pack("{s:I, s:I, s:I, s:s}", "bytes", (json_int_t)u->bytes,
                                     "chunks", (json_int_t)u->chunks, "sum", (json_int_t)u->sum,
                                     "principal", jc_http_principal(req)->principal));
}

static void up_release(void *state)
{
        atomic_fetch_add(&n_release, 1);
        free(state);
}

static void echo(jc_http_req *req)
{
        size_t len;

        jc_http_body(req, &len);
        jc_http_reply_json(req, 200, json_pack("{s:I}", "bytes", (json_int_t)len));
}

static const jc_http_stream_route stream_routes[] = {
        {"POST", "/v1/upload", "udk:feed", "upload", up_begin, up_chunk, up_end, up_release},
        {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const jc_http_route routes[] = {
        {"POST", "/v1/echo", NULL, echo, "echo"},
        {NULL, NULL, NULL, NULL, NULL},
};

/* A port the kernel just handed out (free unless someone races us). */
static int free_port(void)
{
        struct sockaddr_in a;
        socklen_t len = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
            getsockname(fd, (struct sockaddr *)&a, &len) == 0)
                port = ntohs(a.sin_port);
        if (fd >= 0)
                close(fd);
        return port;
}

static int connect_to(int port)
{
        struct sockaddr_in a;
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        return fd;
}

static int send_all(int fd, const void *p, size_t n)
{
        const char *c = p;

        while (n) {
                ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

                if (w <= 0)
                        return -1;
                c += w;
                n -= (size_t)w;
        }
        return 0;
}

/* Reads the response until the server closes; returns the status code and
 * copies the body (NUL-terminated, truncated) into `body`. */
static int read_response(int fd, char *body, size_t bodylen)
{
        static char buf[65536];
        size_t n = 0;
        ssize_t r;
        int status = -1;
        char *sep;

        while (n < sizeof(buf) - 1 && (r = recv(fd, buf + n, sizeof(buf) - 1 - n, 0)) > 0)
                n += (size_t)r;
        buf[n] = '\0';
        if (sscanf(buf, "HTTP/1.1 %d", &status) != 1)
                status = -1;
        sep = strstr(buf, "\r\n\r\n");
        snprintf(body, bodylen, "%s", sep ? sep + 4 : "");
        return status;
}

static int wait_for(atomic_int *counter, int value)
{
        int64_t deadline = jc_time_mono_ms() + 5000;

        while (atomic_load(counter) < value && jc_time_mono_ms() < deadline)
                jc_time_sleep_ms(10);
        return atomic_load(counter) == value;
}

static const char TOKEN[] = "unit-test-token-udk";
static const char CW_TOKEN[] = "unit-test-token-cw";

/* Uploads `total` bytes of a repeating pattern with Content-Length (or
 * chunked); returns the status. */
static int upload_body(int port, const char *token, size_t total, int chunked,
                       const char *extra_header, char *body, size_t bodylen)
{
        char head[512], piece[8192];
        int fd = connect_to(port), status;
        size_t sent = 0;
        int n;

        if (fd < 0)
                return -1;
        n = snprintf(head, sizeof(head),
                     "POST /v1/upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     "Content-Type: application/x-ndjson\r\n%s%s%s%s",
                     token ? "Authorization: Bearer " : "", token ? token : "",
                     token ? "\r\n" : "", extra_header ? extra_header : "");
        if (chunked)
                n += snprintf(head + n, sizeof(head) - (size_t)n,
                              "Transfer-Encoding: chunked\r\n\r\n");
        else
                n += snprintf(head + n, sizeof(head) - (size_t)n, "Content-Length: %zu\r\n\r\n",
                              total);
        send_all(fd, head, (size_t)n);
        for (size_t i = 0; i < sizeof(piece); i++)
                piece[i] = (char)('a' + i % 26);
        while (sent < total) {
                size_t k = total - sent < sizeof(piece) ? total - sent : sizeof(piece);
                char sz[32];

                if (chunked) {
                        int m = snprintf(sz, sizeof(sz), "%zx\r\n", k);

                        if (send_all(fd, sz, (size_t)m) != 0)
                                break;
                }
                if (send_all(fd, piece, k) != 0 || (chunked && send_all(fd, "\r\n", 2) != 0))
                        break;
                sent += k;
        }
        if (chunked)
                send_all(fd, "0\r\n\r\n", 5);
        status = read_response(fd, body, bodylen);
        close(fd);
        return status;
}

static unsigned pattern_sum(size_t total)
{
        unsigned s = 0;

        for (size_t i = 0; i < total; i++)
                s += (unsigned char)('a' + (i % 8192) % 26);
        return s;
}

int main(void)
{
        jc_token_table tokens;
        jc_http_config cfg;
        jc_http_server *srv;
        char tokjson[1024], h1[65], h2[65], err[256], body[4096], expect[128];
        int port = 0, status, fd;
        size_t big = 3 * 1024 * 1024 + 17;

        jc_sha256_hex(TOKEN, strlen(TOKEN), h1);
        jc_sha256_hex(CW_TOKEN, strlen(CW_TOKEN), h2);
        snprintf(tokjson, sizeof(tokjson),
                 "{\"tokens\":[{\"principal\":\"udk\",\"sha256\":\"%s\",\"scopes\":[\"udk:feed\"]},"
                 "{\"principal\":\"cw\",\"sha256\":\"%s\",\"scopes\":[\"caseworker\"]}]}",
                 h1, h2);
        CHECK_INT(jc_tokens_parse(&tokens, tokjson, err, sizeof(err)), 0);
        memset(&cfg, 0, sizeof(cfg));
        cfg.bind_addr = "127.0.0.1";
        cfg.max_body = 4096;
        cfg.timeout_s = 10;
        cfg.conn_limit = 16;
        cfg.per_ip_limit = 16;
        cfg.routes = routes;
        cfg.stream_routes = stream_routes;
        cfg.tokens = &tokens;
        cfg.metrics = jc_metrics_new();
        srv = NULL;
        for (int attempt = 0; attempt < 20 && !srv; attempt++) {
                port = free_port();
                cfg.port = port;
                srv = port > 0 ? jc_http_start(&cfg, err, sizeof(err)) : NULL;
        }
        CHECK(srv != NULL);
        if (!srv)
                return 1;

        /* 3 MiB with Content-Length: far over max_body, in bounded pieces. */
        status = upload_body(port, TOKEN, big, 0, NULL, body, sizeof(body));
        CHECK_INT(status, 200);
        snprintf(expect, sizeof(expect), "\"bytes\":%zu", big);
        CHECK_CONTAINS(body, expect);
        snprintf(expect, sizeof(expect), "\"sum\":%u", pattern_sum(big));
        CHECK_CONTAINS(body, expect);
        CHECK_CONTAINS(body, "\"principal\":\"udk\"");
        CHECK(atomic_load(&max_chunk) <= 256 * 1024);
        CHECK(wait_for(&n_release, 1));
        CHECK_INT(atomic_load(&n_end), 1);

        /* The same with chunked transfer encoding. */
        status = upload_body(port, TOKEN, big, 1, NULL, body, sizeof(body));
        CHECK_INT(status, 200);
        snprintf(expect, sizeof(expect), "\"bytes\":%zu", big);
        CHECK_CONTAINS(body, expect);
        CHECK(wait_for(&n_release, 2));

        /* No token: 401 before begin; wrong scope: 403. */
        status = upload_body(port, NULL, 1000, 0, NULL, body, sizeof(body));
        CHECK_INT(status, 401);
        status = upload_body(port, CW_TOKEN, 1000, 0, NULL, body, sizeof(body));
        CHECK_INT(status, 403);
        CHECK_INT(atomic_load(&n_begin), 2);

        /* begin refuses: its reply, no release (no state). */
        status = upload_body(port, TOKEN, 100000, 0, "X-Refuse: 1\r\n", body, sizeof(body));
        CHECK_INT(status, 415);
        CHECK_INT(atomic_load(&n_begin), 3);

        /* chunk refuses mid-body: the rest is read and discarded, then its reply
         * (to a client that sends everything before reading); end is not
         * called, release is. */
        status = upload_body(port, TOKEN, 2000000, 0, "X-Stop-After: 100000\r\n", body,
                             sizeof(body));
        CHECK_INT(status, 422);
        CHECK(wait_for(&n_release, 3));
        CHECK_INT(atomic_load(&n_end), 2);

        /* The client goes away mid-body: release, and no end. */
        fd = connect_to(port);
        if (fd >= 0) {
                const char *head = "POST /v1/upload HTTP/1.1\r\nHost: x\r\n"
                                   "Authorization: Bearer unit-test-token-udk\r\n"
                                   "Content-Length: 1000000\r\n\r\n";
                char part[50000];

                memset(part, 'x', sizeof(part));
                send_all(fd, head, strlen(head));
                send_all(fd, part, sizeof(part));
                jc_time_sleep_ms(200);
                close(fd);
        }
        CHECK(wait_for(&n_release, 4));
        CHECK_INT(atomic_load(&n_end), 2);

        /* GET on a stream route's path: 405 naming POST. */
        fd = connect_to(port);
        if (fd >= 0) {
                static char raw[8192];
                size_t n = 0;
                ssize_t r;
                const char *req = "GET /v1/upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

                send_all(fd, req, strlen(req));
                while (n < sizeof(raw) - 1 && (r = recv(fd, raw + n, sizeof(raw) - 1 - n, 0)) > 0)
                        n += (size_t)r;
                raw[n] = '\0';
                CHECK_CONTAINS(raw, "HTTP/1.1 405");
                CHECK_CONTAINS(raw, "Allow: POST");
                close(fd);
        }

        /* Ordinary routes are unchanged: buffered, and max_body applies. */
        fd = connect_to(port);
        if (fd >= 0) {
                const char *req = "POST /v1/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                  "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

                send_all(fd, req, strlen(req));
                CHECK_INT(read_response(fd, body, sizeof(body)), 200);
                CHECK_CONTAINS(body, "\"bytes\":2");
                close(fd);
        }
        fd = connect_to(port);
        if (fd >= 0) {
                const char *req = "POST /v1/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                  "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n";

                send_all(fd, req, strlen(req));
                CHECK_INT(read_response(fd, body, sizeof(body)), 413);
                close(fd);
        }

        jc_http_quiesce(srv);
        jc_http_stop(srv);
        CHECK_INT(atomic_load(&n_release), 4);
        jc_metrics_free(cfg.metrics);
        jc_tokens_release(&tokens);
        return JC_TEST_RESULT();
}
