/*
 * bench-http-load: a closed-loop HTTP/1.1 load generator on loopback.
 * C threads, one keep-alive connection each, send N requests whose body is a
 * template with per-request values; prints one JSON line with throughput and
 * latency percentiles.
 *
 *   bench-http-load PORT METHOD PATH TOKEN CONCURRENCY REQUESTS TEMPLATE_FILE
 *
 * Template placeholders: {{seq}} request number, {{uuid}} a random UUID,
 * {{cpr}} a synthetic CPR number valid in form (born 1940-1999),
 * {{name}} a synthetic name.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "jc/buf.h"
#include "jc/timeutil.h"
#include "jc/uuid.h"

typedef struct load_cfg {
        int port;
        const char *method, *path, *token, *tmpl;
        long requests;
        atomic_long next;
        atomic_long ok, failed, status_4xx, status_5xx;
        double *lat_ms; /* per request */
} load_cfg;

static double now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int connect_loopback(int port)
{
        struct sockaddr_in a;
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        return fd;
}

static void synthetic_cpr(char out[11])
{
        unsigned char r[6];

        jc_random_bytes(r, sizeof(r));
        snprintf(out, 11, "%02u%02u%02u%01u%03u", 1u + r[0] % 28u, 1u + r[1] % 12u,
                 40u + r[2] % 60u, r[3] % 4u, (unsigned)((r[4] << 8 | r[5]) % 1000u));
}

static void render(jc_buf *b, const char *tmpl, long seq)
{
        static const char *const first[] = {"Anna", "Mads", "Ida", "Omar", "Sofie"};
        const char *p = tmpl;

        jc_buf_reset(b);
        while (*p) {
                if (strncmp(p, "{{seq}}", 7) == 0) {
                        jc_buf_appendf(b, "%ld", seq);
                        p += 7;
                } else if (strncmp(p, "{{uuid}}", 8) == 0) {
                        char u[JC_UUID_STRLEN];

                        jc_uuid_v4(u);
                        jc_buf_appends(b, u);
                        p += 8;
                } else if (strncmp(p, "{{cpr}}", 7) == 0) {
                        char c[11];

                        synthetic_cpr(c);
                        jc_buf_appends(b, c);
                        p += 7;
                } else if (strncmp(p, "{{name}}", 8) == 0) {
                        jc_buf_appendf(b, "%s Benchsen%ld", first[seq % 5], seq);
                        p += 8;
                } else {
                        jc_buf_append(b, p++, 1);
                }
        }
}

/* Reads one response; returns the status, or -1 when the connection failed. */
static int read_response(int fd, jc_buf *in)
{
        size_t header_end = 0, content_length = 0;

        jc_buf_reset(in);
        for (;;) {
                char chunk[8192];
                ssize_t n;

                if (header_end && in->len >= header_end + content_length)
                        break;
                n = read(fd, chunk, sizeof(chunk));
                if (n <= 0)
                        return -1;
                jc_buf_append(in, chunk, (size_t)n);
                if (!header_end) {
                        char *e = strstr(in->data, "\r\n\r\n");
                        char *cl;

                        if (!e)
                                continue;
                        header_end = (size_t)(e - in->data) + 4;
                        cl = strcasestr(in->data, "\r\nContent-Length:");
                        if (cl && cl < e)
                                content_length = strtoul(cl + 17, NULL, 10);
                }
        }
        return in->len > 12 ? atoi(in->data + 9) : -1;
}

static void *worker(void *arg)
{
        load_cfg *c = arg;
        jc_buf body = JC_BUF_INIT, req = JC_BUF_INIT, in = JC_BUF_INIT;
        int fd = connect_loopback(c->port);
        long i;

        while ((i = atomic_fetch_add(&c->next, 1)) < c->requests) {
                double t0;
                int status;

                render(&body, c->tmpl, i);
                jc_buf_reset(&req);
                jc_buf_appendf(&req,
                               "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                               "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                               c->method, c->path, c->token, body.len, body.data);
                t0 = now_ms();
                if (fd < 0 || write(fd, req.data, req.len) != (ssize_t)req.len ||
                    (status = read_response(fd, &in)) < 0) {
                        atomic_fetch_add(&c->failed, 1);
                        c->lat_ms[i] = -1;
                        if (fd >= 0)
                                close(fd);
                        fd = connect_loopback(c->port);
                        continue;
                }
                c->lat_ms[i] = now_ms() - t0;
                if (status >= 200 && status < 300)
                        atomic_fetch_add(&c->ok, 1);
                else if (status < 500)
                        atomic_fetch_add(&c->status_4xx, 1);
                else
                        atomic_fetch_add(&c->status_5xx, 1);
        }
        if (fd >= 0)
                close(fd);
        jc_buf_release(&body);
        jc_buf_release(&req);
        jc_buf_release(&in);
        return NULL;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
        load_cfg c;
        pthread_t *th;
        FILE *f;
        long conc, n = 0, tsize;
        char *tmpl;
        int64_t t0, elapsed;
        double *sorted;

        if (argc != 8) {
                fprintf(stderr, "usage: bench-http-load PORT METHOD PATH TOKEN CONCURRENCY REQUESTS TEMPLATE\n");
                return 2;
        }
        memset(&c, 0, sizeof(c));
        c.port = atoi(argv[1]);
        c.method = argv[2];
        c.path = argv[3];
        c.token = argv[4];
        conc = atol(argv[5]);
        c.requests = atol(argv[6]);
        f = fopen(argv[7], "rb");
        if (!f || conc < 1 || c.requests < 1) {
                fprintf(stderr, "bench-http-load: bad arguments or unreadable template\n");
                return 2;
        }
        fseek(f, 0, SEEK_END);
        tsize = ftell(f);
        rewind(f);
        tmpl = calloc(1, (size_t)tsize + 1);
        if (fread(tmpl, 1, (size_t)tsize, f) != (size_t)tsize)
                return 2;
        fclose(f);
        c.tmpl = tmpl;
        c.lat_ms = calloc((size_t)c.requests, sizeof(double));
        th = calloc((size_t)conc, sizeof(pthread_t));
        t0 = jc_time_mono_ms();
        for (long i = 0; i < conc; i++)
                pthread_create(&th[i], NULL, worker, &c);
        for (long i = 0; i < conc; i++)
                pthread_join(th[i], NULL);
        elapsed = jc_time_mono_ms() - t0;
        sorted = calloc((size_t)c.requests, sizeof(double));
        for (long i = 0; i < c.requests; i++)
                if (c.lat_ms[i] >= 0)
                        sorted[n++] = c.lat_ms[i];
        qsort(sorted, (size_t)n, sizeof(double), cmp_double);
#define PCT(p) (n ? sorted[(long)((double)(n - 1) * (p))] : 0.0)
        printf("{\"requests\":%ld,\"concurrency\":%ld,\"ok\":%ld,\"status_4xx\":%ld,\"status_5xx\":%ld,"
               "\"failed\":%ld,\"seconds\":%.3f,\"per_s\":%.1f,\"p50_ms\":%.1f,\"p90_ms\":%.1f,"
               "\"p99_ms\":%.1f,\"max_ms\":%.1f}\n",
               c.requests, conc, (long)c.ok, (long)c.status_4xx, (long)c.status_5xx, (long)c.failed,
               (double)elapsed / 1000.0, (double)c.ok * 1000.0 / (double)(elapsed ? elapsed : 1),
               PCT(0.5), PCT(0.9), PCT(0.99), n ? sorted[n - 1] : 0.0);
        free(sorted);
        free(th);
        free(c.lat_ms);
        free(tmpl);
        return 0;
}
