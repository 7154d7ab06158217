/*
 * The receiving port: Digital Post, e-mail, SMS and a-kasse webhooks.
 *
 *   POST /digital-post/messages        channel digital_post
 *   POST /email/messages               channel email
 *   POST /sms/messages                 channel sms
 *   POST /akasse/<code>/reports        channel akasse
 *
 * Every request needs an Idempotency-Key header and a JSON object body. The
 * first request with a key is recorded (202 accepted); later ones with the
 * same key are not recorded again (200 duplicate), which is how a real
 * gateway deduplicates retries. A jc-signature header (signed a-kasse
 * reports) is kept with the record. Injected faults are answered before
 * anything is recorded; a slow answer is recorded first and answered late.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jc/buf.h"
#include "jc/log.h"
#include "jc/timeutil.h"
#include "postreceiver.h"

/* The channel of `url` (and the a-kasse code for webhooks), or NULL. */
static const char *channel_of(const char *url, char akasse[32])
{
        akasse[0] = '\0';
        if (strcmp(url, "/digital-post/messages") == 0)
                return "digital_post";
        if (strcmp(url, "/email/messages") == 0)
                return "email";
        if (strcmp(url, "/sms/messages") == 0)
                return "sms";
        if (strncmp(url, "/akasse/", 8) == 0) {
                const char *code = url + 8, *slash = strchr(code, '/');
                size_t n = slash ? (size_t)(slash - code) : 0;

                if (n == 0 || n >= 32 || strcmp(slash, "/reports") != 0)
                        return NULL;
                for (size_t i = 0; i < n; i++)
                        if (!((code[i] >= 'A' && code[i] <= 'Z') || (code[i] >= 'a' && code[i] <= 'z') ||
                              (code[i] >= '0' && code[i] <= '9') || code[i] == '-'))
                                return NULL;
                memcpy(akasse, code, n);
                akasse[n] = '\0';
                return "akasse";
        }
        return NULL;
}

static int applies(const pr_fault *f, const char *channel)
{
        return f->active && (!f->channel[0] || strcmp(f->channel, channel) == 0);
}

/* Appends to the request log (caller holds the lock). */
static void log_request(pr_state *st, long seq, const char *channel, const char *key, int status)
{
        json_array_append_new(st->requests,
                              json_pack("{s:I, s:s, s:s?, s:i, s:I}", "seq", (json_int_t)seq,
                                        "channel", channel, "key", key, "status", status, "at_ms",
                                        (json_int_t)pr_now_ms()));
}

static enum MHD_Result handle(pr_state *st, struct MHD_Connection *conn, const char *url,
                              const char *method, pr_req *req)
{
        char akasse[32];
        const char *channel = channel_of(url, akasse);
        const char *key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key");
        const char *sig = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "jc-signature");
        json_t *body = NULL, *rec;
        json_error_t jerr;
        long seq, slow_ms = 0;
        int status = 0;

        if (!channel)
                return pr_reply(conn, 404, json_pack("{s:s}", "error", "no such endpoint"));
        if (strcmp(method, "POST") != 0)
                return pr_reply(conn, 405, json_pack("{s:s}", "error", "use POST"));
        if (key && (strlen(key) == 0 || strlen(key) >= PR_KEY_MAX))
                key = NULL;
        pthread_mutex_lock(&st->lock);
        seq = ++st->seq;
        if (applies(&st->reject, channel)) {
                status = st->reject.status;
        } else if (applies(&st->fail, channel) && st->fail.count > 0) {
                status = st->fail.status;
                if (--st->fail.count == 0)
                        st->fail.active = 0;
        }
        if (status) {
                log_request(st, seq, channel, key, status);
                pthread_mutex_unlock(&st->lock);
                return pr_reply(conn, status, json_pack("{s:s}", "error", "injected fault"));
        }
        pthread_mutex_unlock(&st->lock);

        if (!key)
                status = 400;
        else if (req->too_large)
                status = 413;
        else if (!(body = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr)) ||
                 !json_is_object(body))
                status = 400;
        if (status) {
                json_decref(body);
                pthread_mutex_lock(&st->lock);
                log_request(st, seq, channel, key, status);
                pthread_mutex_unlock(&st->lock);
                return pr_reply(conn, status,
                             json_pack("{s:s}", "error",
                                       !key ? "an Idempotency-Key header is required"
                                            : status == 413 ? "body too large"
                                                            : "the body must be a JSON object"));
        }

        pthread_mutex_lock(&st->lock);
        rec = json_object_get(st->by_key, key);
        if (rec) {
                json_object_set_new(rec, "duplicates",
                                    json_integer(json_integer_value(json_object_get(rec, "duplicates")) + 1));
                status = 200;
        } else {
                rec = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:I, s:i}", "seq", (json_int_t)seq, "channel",
                                channel, "path", url, "key", key, "akasse", akasse[0] ? akasse : NULL,
                                "at_ms", (json_int_t)pr_now_ms(), "duplicates", 0);
                if (rec && st->keep_bodies)
                        json_object_set(rec, "body", body);
                if (rec && sig) { /* and the exact bytes, to check the signature */
                        json_object_set_new(rec, "signature", json_string(sig));
                        json_object_set_new(rec, "raw", json_stringn(req->body.data, req->body.len));
                }
                if (!rec || json_array_append_new(st->records, rec) != 0 ||
                    json_object_set(st->by_key, key, rec) != 0)
                        status = 500;
                else
                        status = 202;
        }
        log_request(st, seq, channel, key, status);
        if (applies(&st->slow, channel))
                slow_ms = st->slow.ms;
        pthread_mutex_unlock(&st->lock);
        json_decref(body);
        if (slow_ms > 0)
                jc_time_sleep_ms(slow_ms);
        return pr_reply(conn, status,
                     json_pack("{s:s, s:I}", "status",
                               status == 202 ? "accepted" : status == 200 ? "duplicate" : "error",
                               "receipt", (json_int_t)seq));
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **req_cls)
{
        pr_req *req = NULL;
        int rc = pr_collect(req_cls, upload_data, upload_data_size, PR_MAX_BODY, &req);

        (void)version;
        if (rc <= 0)
                return rc == 0 ? MHD_YES : MHD_NO;
        return handle(cls, conn, url, method, req);
}

/* A listening socket on 127.0.0.1:port (SO_REUSEADDR, so `up` after `down`
 * gets the same port back at once). */
static int listen_on(int port, int *bound, char *err, size_t errlen)
{
        struct sockaddr_in addr;
        socklen_t alen = sizeof(addr);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

        if (fd < 0) {
                snprintf(err, errlen, "socket: %s", strerror(errno));
                return -1;
        }
        memset(&addr, 0, sizeof(addr));
        addr.sin_family = AF_INET;
        addr.sin_port = htons((uint16_t)port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
            bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 128) != 0 ||
            getsockname(fd, (struct sockaddr *)&addr, &alen) != 0) {
                snprintf(err, errlen, "could not listen on 127.0.0.1:%d: %s", port, strerror(errno));
                close(fd);
                return -1;
        }
        *bound = ntohs(addr.sin_port);
        return fd;
}

int pr_receiver_start(pr_state *st, char *err, size_t errlen)
{
        int bound = 0, fd = listen_on(st->port, &bound, err, errlen);

        if (fd < 0)
                return -1;
        st->receiver = MHD_start_daemon(
            MHD_USE_THREAD_PER_CONNECTION | MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC, 0, NULL,
            NULL, access_cb, st, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned)120, MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
            MHD_OPTION_NOTIFY_COMPLETED, pr_completed, st, MHD_OPTION_END);
        if (!st->receiver) {
                close(fd);
                snprintf(err, errlen, "could not start the receiver on port %d", bound);
                return -1;
        }
        st->port = bound;
        return 0;
}

void pr_receiver_stop(pr_state *st)
{
        if (st->receiver)
                MHD_stop_daemon(st->receiver); /* closes the listening socket */
        st->receiver = NULL;
}
