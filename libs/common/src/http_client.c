/*
 * A small blocking HTTP/1.1 client: POST with headers, timeouts, status and
 * body (see jc/http_client.h). Non-blocking sockets driven by poll(), so
 * every wait has a deadline.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jc/http_client.h"
#include "jc/timeutil.h"

#define HEADER_LIMIT (16 * 1024)

typedef struct parsed_url {
        char host[256];
        char port[8];
        const char *path; /* borrowed from the URL; "/" when empty */
        int default_port;
} parsed_url;

const char *jc_http_client_error_name(jc_http_client_error e)
{
        switch (e) {
        case JC_HTTPC_OK: return "ok";
        case JC_HTTPC_BAD_URL: return "bad URL";
        case JC_HTTPC_RESOLVE: return "host not found";
        case JC_HTTPC_CONNECT: return "connection refused";
        case JC_HTTPC_TIMEOUT: return "timeout";
        case JC_HTTPC_IO: return "connection broken";
        case JC_HTTPC_PROTOCOL: return "not an HTTP response";
        case JC_HTTPC_TOO_LARGE: return "response too large";
        }
        return "unknown error";
}

static int fail(jc_http_response *resp, jc_http_client_error e, const char *fmt, const char *detail)
{
        resp->error = e;
        resp->status = 0;
        snprintf(resp->message, sizeof(resp->message), fmt, detail ? detail : "");
        return -1;
}

/* http://host[:port][/path]; IPv6 literals in brackets. */
static int parse_url(const char *url, parsed_url *u)
{
        const char *p, *host_end, *port_start = NULL;
        size_t hlen;

        if (strncmp(url, "http://", 7) != 0)
                return -1;
        p = url + 7;
        if (*p == '[') {
                host_end = strchr(p, ']');
                if (!host_end)
                        return -1;
                hlen = (size_t)(host_end - p - 1);
                if (hlen == 0 || hlen >= sizeof(u->host))
                        return -1;
                memcpy(u->host, p + 1, hlen);
                p = host_end + 1;
        } else {
                hlen = strcspn(p, ":/?#");
                if (hlen == 0 || hlen >= sizeof(u->host))
                        return -1;
                memcpy(u->host, p, hlen);
                p += hlen;
        }
        u->host[hlen] = '\0';
        if (*p == ':') {
                size_t plen;

                port_start = ++p;
                plen = strspn(p, "0123456789");
                if (plen == 0 || plen > 5 || atoi(port_start) < 1 || atoi(port_start) > 65535)
                        return -1;
                memcpy(u->port, port_start, plen);
                u->port[plen] = '\0';
                p += plen;
        } else {
                snprintf(u->port, sizeof(u->port), "80");
        }
        u->default_port = strcmp(u->port, "80") == 0;
        if (*p && *p != '/')
                return -1;
        for (const char *c = p; *c; c++)
                if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
                        return -1;
        u->path = *p ? p : "/";
        return 0;
}

static int remaining_ms(int64_t deadline)
{
        int64_t left = deadline - jc_time_mono_ms();

        return left <= 0 ? 0 : (left > 0x7fffffff ? 0x7fffffff : (int)left);
}

/* Waits until `fd` is ready for `events`; 1 ready, 0 deadline, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
        for (;;) {
                struct pollfd pfd = {.fd = fd, .events = events};
                int ms = remaining_ms(deadline), n;

                if (ms == 0)
                        return 0;
                n = poll(&pfd, 1, ms);
                if (n > 0)
                        return 1;
                if (n == 0)
                        return 0;
                if (errno != EINTR)
                        return -1;
        }
}

/* Returns a connected non-blocking socket, or -1 with resp filled. */
static int connect_to(const parsed_url *u, int connect_timeout_ms, jc_http_response *resp)
{
        struct addrinfo hints, *res = NULL, *ai;
        int64_t deadline = jc_time_mono_ms() + connect_timeout_ms;
        jc_http_client_error last = JC_HTTPC_CONNECT;
        const char *why = "connection refused";
        int rc, fd = -1;

        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        rc = getaddrinfo(u->host, u->port, &hints, &res);
        if (rc != 0)
                return fail(resp, JC_HTTPC_RESOLVE, "could not resolve the host: %s",
                            gai_strerror(rc));
        for (ai = res; ai; ai = ai->ai_next) {
                int err = 0;
                socklen_t elen = sizeof(err);

                fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            ai->ai_protocol);
                if (fd < 0)
                        continue;
                if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
                        break;
                if (errno == EINPROGRESS) {
                        int w = wait_fd(fd, POLLOUT, deadline);

                        if (w == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 &&
                            err == 0)
                                break;
                        if (w == 0) {
                                last = JC_HTTPC_TIMEOUT;
                                why = "connect timed out";
                        } else {
                                last = JC_HTTPC_CONNECT;
                                why = strerror(err ? err : errno);
                        }
                } else {
                        last = JC_HTTPC_CONNECT;
                        why = strerror(errno);
                }
                close(fd);
                fd = -1;
        }
        freeaddrinfo(res);
        if (fd < 0)
                return fail(resp, last, "could not connect: %s", why);
        return fd;
}

static int send_all(int fd, const char *p, size_t n, int64_t deadline, jc_http_response *resp)
{
        while (n > 0) {
                ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

                if (w > 0) {
                        p += w;
                        n -= (size_t)w;
                        continue;
                }
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                        int r = wait_fd(fd, POLLOUT, deadline);

                        if (r == 0)
                                return fail(resp, JC_HTTPC_TIMEOUT, "timed out sending%s", NULL);
                        if (r < 0)
                                return fail(resp, JC_HTTPC_IO, "send failed: %s", strerror(errno));
                        continue;
                }
                return fail(resp, JC_HTTPC_IO, "send failed: %s", strerror(errno));
        }
        return 0;
}

/* Reads what is available into `raw`. 1 data, 0 end of stream, -1 error
 * (resp filled). */
static int read_some(int fd, jc_buf *raw, int64_t deadline, jc_http_response *resp)
{
        char chunk[8192];

        for (;;) {
                ssize_t n = recv(fd, chunk, sizeof(chunk), 0);

                if (n > 0) {
                        if (raw->len + (size_t)n > JC_HTTPC_MAX_BODY + HEADER_LIMIT)
                                return fail(resp, JC_HTTPC_TOO_LARGE,
                                            "response larger than the limit%s", NULL);
                        if (jc_buf_append(raw, chunk, (size_t)n) != 0)
                                return fail(resp, JC_HTTPC_IO, "out of memory%s", NULL);
                        return 1;
                }
                if (n == 0)
                        return 0;
                if (errno == EINTR)
                        continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                        int r = wait_fd(fd, POLLIN, deadline);

                        if (r == 0)
                                return fail(resp, JC_HTTPC_TIMEOUT,
                                            "timed out waiting for the response%s", NULL);
                        if (r < 0)
                                return fail(resp, JC_HTTPC_IO, "read failed: %s", strerror(errno));
                        continue;
                }
                return fail(resp, JC_HTTPC_IO, "read failed: %s", strerror(errno));
        }
}

typedef struct head_info {
        size_t head_len;        /* bytes up to and including the blank line */
        int status;
        long long content_length; /* -1: not given */
        int chunked;
} head_info;

/* Parses one response head at `p`. 1 parsed, 0 incomplete, -1 malformed. */
static int parse_head(const char *p, size_t len, head_info *h)
{
        const char *end = NULL, *line, *eol;

        for (size_t i = 3; i < len; i++)
                if (p[i - 3] == '\r' && p[i - 2] == '\n' && p[i - 1] == '\r' && p[i] == '\n') {
                        end = p + i + 1;
                        break;
                }
        if (!end)
                return len > HEADER_LIMIT ? -1 : 0;
        h->head_len = (size_t)(end - p);
        h->content_length = -1;
        h->chunked = 0;
        if (len < 12 || strncmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ' || p[9] < '1' || p[9] > '5' ||
            p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9')
                return -1;
        h->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
        line = strstr(p, "\r\n") + 2;
        while (line < end - 2) {
                const char *colon;

                eol = strstr(line, "\r\n");
                if (!eol || eol > end)
                        return -1;
                colon = memchr(line, ':', (size_t)(eol - line));
                if (colon) {
                        size_t nlen = (size_t)(colon - line);
                        const char *v = colon + 1;

                        while (v < eol && (*v == ' ' || *v == '\t'))
                                v++;
                        if (nlen == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
                                char *num_end;
                                long long cl = strtoll(v, &num_end, 10);

                                if (num_end == v || cl < 0)
                                        return -1;
                                h->content_length = cl;
                        } else if (nlen == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0) {
                                size_t vlen = (size_t)(eol - v);

                                if (vlen >= 7 && strncasecmp(eol - 7, "chunked", 7) == 0)
                                        h->chunked = 1;
                        }
                }
                line = eol + 2;
        }
        return 1;
}

/* Decodes a chunked body. 1 complete (out filled), 0 incomplete, -1 bad. */
static int dechunk(const char *p, size_t len, jc_buf *out)
{
        size_t i = 0;

        jc_buf_reset(out);
        for (;;) {
                char *num_end;
                unsigned long long size;
                const char *eol = NULL;

                for (size_t j = i; j + 1 < len; j++)
                        if (p[j] == '\r' && p[j + 1] == '\n') {
                                eol = p + j;
                                break;
                        }
                if (!eol)
                        return 0;
                size = strtoull(p + i, &num_end, 16);
                if (num_end == p + i || (num_end < eol && *num_end != ';' && *num_end != ' '))
                        return -1;
                if (size > JC_HTTPC_MAX_BODY)
                        return -1;
                i = (size_t)(eol - p) + 2;
                if (size == 0) {
                        /* trailers end with an empty line */
                        for (size_t j = i; j + 1 < len; j++) {
                                if (p[j] == '\r' && p[j + 1] == '\n') {
                                        if (j == i)
                                                return 1;
                                        i = j + 2;
                                }
                        }
                        return 0;
                }
                if (len < i + size + 2)
                        return 0;
                if (jc_buf_append(out, p + i, (size_t)size) != 0)
                        return -1;
                i += (size_t)size;
                if (p[i] != '\r' || p[i + 1] != '\n')
                        return -1;
                i += 2;
        }
}

/* Reads the whole response into resp. 0 or -1. */
static int read_response(int fd, int64_t deadline, jc_http_response *resp)
{
        jc_buf raw = JC_BUF_INIT;
        head_info h;
        size_t off = 0;
        int rc = -1, eof = 0;

        for (;;) {
                int r = parse_head(raw.data + off, raw.len - off, &h);

                if (r < 0) {
                        fail(resp, JC_HTTPC_PROTOCOL, "malformed response head%s", NULL);
                        goto out;
                }
                if (r == 1 && h.status >= 100 && h.status < 200) {
                        off += h.head_len; /* 100 Continue and friends */
                        continue;
                }
                if (r == 1)
                        break;
                if (eof) {
                        fail(resp, JC_HTTPC_IO, "connection closed before the response%s", NULL);
                        goto out;
                }
                r = read_some(fd, &raw, deadline, resp);
                if (r < 0)
                        goto out;
                eof = r == 0;
        }
        off += h.head_len;
        for (;;) {
                size_t have = raw.len - off;

                if (h.chunked) {
                        int d = dechunk(raw.data + off, have, &resp->body);

                        if (d < 0) {
                                fail(resp, JC_HTTPC_PROTOCOL, "malformed chunked body%s", NULL);
                                goto out;
                        }
                        if (d == 1)
                                break;
                } else if (h.content_length >= 0) {
                        if (h.content_length > JC_HTTPC_MAX_BODY) {
                                fail(resp, JC_HTTPC_TOO_LARGE, "response larger than the limit%s",
                                     NULL);
                                goto out;
                        }
                        if (have >= (size_t)h.content_length) {
                                jc_buf_reset(&resp->body);
                                if (jc_buf_append(&resp->body, raw.data + off,
                                                  (size_t)h.content_length) != 0) {
                                        fail(resp, JC_HTTPC_IO, "out of memory%s", NULL);
                                        goto out;
                                }
                                break;
                        }
                } else if (eof || h.status == 204 || h.status == 304) {
                        jc_buf_reset(&resp->body);
                        if (!(h.status == 204 || h.status == 304) &&
                            jc_buf_append(&resp->body, raw.data + off, have) != 0) {
                                fail(resp, JC_HTTPC_IO, "out of memory%s", NULL);
                                goto out;
                        }
                        break;
                }
                if (eof) {
                        fail(resp, JC_HTTPC_IO, "connection closed in the middle of the body%s",
                             NULL);
                        goto out;
                }
                {
                        int r = read_some(fd, &raw, deadline, resp);

                        if (r < 0)
                                goto out;
                        eof = r == 0;
                }
        }
        resp->status = h.status;
        resp->error = JC_HTTPC_OK;
        resp->message[0] = '\0';
        rc = 0;
out:
        jc_buf_release(&raw);
        return rc;
}

/* One request; `body` NULL sends no body (GET). */
static int http_request(const char *method, const char *url, const jc_http_client_header *headers,
                        size_t nheaders, const char *content_type, const void *body, size_t len,
                        int connect_timeout_ms, int timeout_ms, jc_http_response *resp)
{
        parsed_url u;
        jc_buf req = JC_BUF_INIT;
        int64_t deadline;
        int fd = -1, rc = -1;

        memset(resp, 0, sizeof(*resp));
        resp->body = (jc_buf)JC_BUF_INIT;
        if (!url || parse_url(url, &u) != 0)
                return fail(resp, JC_HTTPC_BAD_URL,
                            "not a usable http:// URL (https needs a TLS proxy)%s", NULL);
        for (size_t i = 0; i < nheaders; i++)
                for (const char *c = headers[i].value; c && *c; c++)
                        if (*c == '\r' || *c == '\n')
                                return fail(resp, JC_HTTPC_BAD_URL,
                                            "header %s contains a line break", headers[i].name);
        fd = connect_to(&u, connect_timeout_ms, resp);
        if (fd < 0)
                return -1;
        deadline = jc_time_mono_ms() + timeout_ms;
        if (jc_buf_appendf(&req, "%s %s HTTP/1.1\r\nHost: %s%s%s%s%s\r\n", method, u.path,
                           strchr(u.host, ':') ? "[" : "", u.host, strchr(u.host, ':') ? "]" : "",
                           u.default_port ? "" : ":", u.default_port ? "" : u.port) != 0 ||
            (body && jc_buf_appendf(&req, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                                    content_type ? content_type : "application/octet-stream",
                                    len) != 0) ||
            jc_buf_appends(&req, "Connection: close\r\nUser-Agent: jobcenter\r\n") != 0)
                goto oom;
        for (size_t i = 0; i < nheaders; i++)
                if (jc_buf_appendf(&req, "%s: %s\r\n", headers[i].name,
                                   headers[i].value ? headers[i].value : "") != 0)
                        goto oom;
        if (jc_buf_appends(&req, "\r\n") != 0 || (body && jc_buf_append(&req, body, len) != 0))
                goto oom;
        if (send_all(fd, req.data, req.len, deadline, resp) != 0)
                goto out;
        rc = read_response(fd, deadline, resp);
        goto out;
oom:
        fail(resp, JC_HTTPC_IO, "out of memory%s", NULL);
out:
        jc_buf_release(&req);
        close(fd);
        return rc;
}

int jc_http_post(const char *url, const jc_http_client_header *headers, size_t nheaders,
                 const char *content_type, const void *body, size_t len, int connect_timeout_ms,
                 int timeout_ms, jc_http_response *resp)
{
        return http_request("POST", url, headers, nheaders, content_type, body ? body : "", len,
                            connect_timeout_ms, timeout_ms, resp);
}

int jc_http_get(const char *url, const jc_http_client_header *headers, size_t nheaders,
                int connect_timeout_ms, int timeout_ms, jc_http_response *resp)
{
        return http_request("GET", url, headers, nheaders, NULL, NULL, 0, connect_timeout_ms,
                            timeout_ms, resp);
}

void jc_http_response_release(jc_http_response *resp)
{
        jc_buf_release(&resp->body);
}

int jc_http_response_transient(const jc_http_response *resp)
{
        if (resp->error != JC_HTTPC_OK)
                return resp->error != JC_HTTPC_BAD_URL;
        return resp->status == 408 || resp->status == 425 || resp->status == 429 ||
               resp->status >= 500;
}
