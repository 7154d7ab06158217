/*
 * The control port (loopback):
 *
 *   GET  /received[?channel=C][&key=K]  accepted messages (with bodies)
 *   GET  /requests[?channel=C][&key=K]  every request: seq, channel, key, status answered, at_ms
 *   GET  /state                         faults in force, counts, the receiving URL
 *   POST /command                       one command line as the body:
 *        fail <status> <count> [channel]   the next count requests answer status (e.g. 503)
 *        reject <status> [channel]         every request answers status (e.g. 400) until clear
 *        slow <ms> [channel]               record, then wait ms before answering
 *        down | up                         close the receiving port (connection refused) / reopen it
 *        clear                             drop every fault
 *        reset                             forget records and requests
 *        bodies on|off                     keep message bodies in records (default on)
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/buf.h"
#include "jc/log.h"
#include "postreceiver.h"

static const char *const channels[] = {"digital_post", "email", "sms", "akasse", NULL};

static int parse_long(const char *s, long min, long max, long *out)
{
        char *end;
        long v;

        if (!s)
                return -1;
        v = strtol(s, &end, 10);
        if (end == s || *end || v < min || v > max)
                return -1;
        *out = v;
        return 0;
}

static int set_channel(pr_fault *f, const char *ch, char *err, size_t errlen)
{
        f->channel[0] = '\0';
        if (!ch)
                return 0;
        for (const char *const *c = channels; *c; c++)
                if (strcmp(*c, ch) == 0) {
                        snprintf(f->channel, sizeof(f->channel), "%s", ch);
                        return 0;
                }
        snprintf(err, errlen, "unknown channel \"%.24s\": digital_post, email, sms or akasse", ch);
        return -1;
}

int pr_command(pr_state *st, const char *line, char *err, size_t errlen)
{
        char buf[256], *argv[6] = {0}, *save = NULL, *tok;
        int argc = 0, rc = 0;
        long a, b;

        snprintf(buf, sizeof(buf), "%s", line);
        for (tok = strtok_r(buf, " \t\r\n", &save); tok && argc < 6;
             tok = strtok_r(NULL, " \t\r\n", &save))
                argv[argc++] = tok;
        if (argc == 0) {
                snprintf(err, errlen, "empty command");
                return -1;
        }
        if (strcmp(argv[0], "down") == 0 || strcmp(argv[0], "up") == 0) {
                /* outside the lock: stopping waits for requests in flight */
                if (argc != 1) {
                        snprintf(err, errlen, "usage: %s", argv[0]);
                        return -1;
                }
                if (argv[0][0] == 'd') {
                        pr_receiver_stop(st);
                        st->down = 1;
                        return 0;
                }
                if (!st->down)
                        return 0;
                if (pr_receiver_start(st, err, errlen) != 0)
                        return -1;
                st->down = 0;
                return 0;
        }
        pthread_mutex_lock(&st->lock);
        if (strcmp(argv[0], "fail") == 0 && (argc == 3 || argc == 4) &&
            parse_long(argv[1], 100, 599, &a) == 0 && parse_long(argv[2], 1, 1000000, &b) == 0) {
                rc = set_channel(&st->fail, argv[3], err, errlen);
                st->fail.status = (int)a;
                st->fail.count = b;
                st->fail.active = rc == 0;
        } else if (strcmp(argv[0], "reject") == 0 && (argc == 2 || argc == 3) &&
                   parse_long(argv[1], 100, 599, &a) == 0) {
                rc = set_channel(&st->reject, argv[2], err, errlen);
                st->reject.status = (int)a;
                st->reject.active = rc == 0;
        } else if (strcmp(argv[0], "slow") == 0 && (argc == 2 || argc == 3) &&
                   parse_long(argv[1], 0, 600000, &a) == 0) {
                rc = set_channel(&st->slow, argv[2], err, errlen);
                st->slow.ms = a;
                st->slow.active = rc == 0 && a > 0;
        } else if (strcmp(argv[0], "clear") == 0 && argc == 1) {
                memset(&st->fail, 0, sizeof(st->fail));
                memset(&st->reject, 0, sizeof(st->reject));
                memset(&st->slow, 0, sizeof(st->slow));
        } else if (strcmp(argv[0], "reset") == 0 && argc == 1) {
                json_array_clear(st->records);
                json_object_clear(st->by_key);
                json_array_clear(st->requests);
        } else if (strcmp(argv[0], "bodies") == 0 && argc == 2 &&
                   (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0)) {
                st->keep_bodies = strcmp(argv[1], "on") == 0;
        } else {
                snprintf(err, errlen,
                         "unknown command; use fail <status> <count> [channel], reject <status> "
                         "[channel], slow <ms> [channel], down, up, clear, reset, bodies on|off");
                rc = -1;
        }
        pthread_mutex_unlock(&st->lock);
        return rc;
}

/* Elements of `list` matching the channel/key query (deep copies). */
static json_t *filtered(struct MHD_Connection *conn, json_t *list)
{
        const char *ch = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "channel");
        const char *key = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "key");
        json_t *out = json_array(), *item;
        size_t i;

        json_array_foreach(list, i, item) {
                const char *ich = json_string_value(json_object_get(item, "channel"));
                const char *ikey = json_string_value(json_object_get(item, "key"));

                if ((ch && (!ich || strcmp(ch, ich) != 0)) || (key && (!ikey || strcmp(key, ikey) != 0)))
                        continue;
                json_array_append_new(out, json_deep_copy(item));
        }
        return out;
}

static json_t *fault_json(const pr_fault *f, const char *what)
{
        if (!f->active)
                return json_null();
        return json_pack("{s:s, s:s?, s:i, s:I, s:I}", "fault", what, "channel",
                         f->channel[0] ? f->channel : NULL, "status", f->status, "count",
                         (json_int_t)f->count, "ms", (json_int_t)f->ms);
}

static enum MHD_Result handle(pr_state *st, struct MHD_Connection *conn, const char *url,
                              const char *method, pr_req *req)
{
        json_t *out;
        char err[300];

        if (strcmp(method, "GET") == 0 && strcmp(url, "/received") == 0) {
                pthread_mutex_lock(&st->lock);
                out = json_pack("{s:o}", "records", filtered(conn, st->records));
                pthread_mutex_unlock(&st->lock);
                return pr_reply(conn, 200, out);
        }
        if (strcmp(method, "GET") == 0 && strcmp(url, "/requests") == 0) {
                pthread_mutex_lock(&st->lock);
                out = json_pack("{s:o}", "requests", filtered(conn, st->requests));
                pthread_mutex_unlock(&st->lock);
                return pr_reply(conn, 200, out);
        }
        if (strcmp(method, "GET") == 0 && strcmp(url, "/state") == 0) {
                pthread_mutex_lock(&st->lock);
                out = json_pack("{s:i, s:b, s:I, s:I, s:o, s:o, s:o}", "port", st->port, "down",
                                st->down, "records", (json_int_t)json_array_size(st->records),
                                "requests", (json_int_t)json_array_size(st->requests), "fail",
                                fault_json(&st->fail, "fail"), "reject",
                                fault_json(&st->reject, "reject"), "slow",
                                fault_json(&st->slow, "slow"));
                pthread_mutex_unlock(&st->lock);
                return pr_reply(conn, 200, out);
        }
        if (strcmp(method, "POST") == 0 && strcmp(url, "/command") == 0) {
                if (req->too_large)
                        return pr_reply(conn, 413, json_pack("{s:s}", "error", "one short command line"));
                if (pr_command(st, req->body.data, err, sizeof(err)) != 0)
                        return pr_reply(conn, 400, json_pack("{s:s}", "error", err));
                jc_log_write(JC_LOG_INFO, JC_KV({"command", req->body.data}), "control command");
                return pr_reply(conn, 200, json_pack("{s:b}", "ok", 1));
        }
        return pr_reply(conn, 404, json_pack("{s:s}", "error",
                                          "GET /received, GET /requests, GET /state, POST /command"));
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **req_cls)
{
        pr_req *req = NULL;
        int rc = pr_collect(req_cls, upload_data, upload_data_size, 4096, &req);

        (void)version;
        if (rc <= 0)
                return rc == 0 ? MHD_YES : MHD_NO;
        return handle(cls, conn, url, method, req);
}

struct MHD_Daemon *pr_control_start(pr_state *st, int port, int *bound_port, char *err,
                                    size_t errlen)
{
        struct sockaddr_in addr;
        struct MHD_Daemon *d;
        const union MHD_DaemonInfo *info;

        memset(&addr, 0, sizeof(addr));
        addr.sin_family = AF_INET;
        addr.sin_port = htons((uint16_t)port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC, (uint16_t)port, NULL,
                             NULL, access_cb, st, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                             MHD_OPTION_NOTIFY_COMPLETED, pr_completed, st, MHD_OPTION_END);
        if (!d) {
                snprintf(err, errlen, "could not listen on 127.0.0.1:%d for control", port);
                return NULL;
        }
        info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        if (!info || info->port == 0) {
                MHD_stop_daemon(d);
                snprintf(err, errlen, "could not learn the control port");
                return NULL;
        }
        *bound_port = info->port;
        return d;
}
