#include "devbroker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * The control channel: a line protocol over TCP on 127.0.0.1. Several
 * clients may be connected at once; their commands run one at a time on
 * this thread, in the order their lines arrive.
 */

#define DEVBROKER_CONTROL_MAX_CLIENTS 8
#define DEVBROKER_CONTROL_LINE_MAX 1024 /* including the newline */

typedef struct devbroker_control_client {
        int fd; /* -1: slot free */
        char peer[64];
        char buf[DEVBROKER_CONTROL_LINE_MAX];
        size_t len;
} devbroker_control_client;

struct devbroker_control {
        int listen_fd;
        int port;
        devbroker_control_client clients[DEVBROKER_CONTROL_MAX_CLIENTS];
};

int devbroker_control_open(devbroker_control **out, int port, char *err,
                           size_t errlen)
{
        devbroker_control *ctl = calloc(1, sizeof(*ctl));
        struct sockaddr_in addr;
        socklen_t addrlen = sizeof(addr);
        int one = 1;
        int rc = -1;

        *out = NULL;
        if (!ctl) {
                snprintf(err, errlen, "out of memory opening control port");
                return -1;
        }
        ctl->listen_fd = -1;
        for (size_t i = 0; i < DEVBROKER_CONTROL_MAX_CLIENTS; i++)
                ctl->clients[i].fd = -1;
        ctl->listen_fd = socket(AF_INET,
                                SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (ctl->listen_fd < 0) {
                snprintf(err, errlen, "could not create control socket: %s",
                         strerror(errno));
                goto out;
        }
        if (setsockopt(ctl->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one,
                       sizeof(one)) < 0) {
                snprintf(err, errlen,
                         "could not set SO_REUSEADDR on control socket: %s",
                         strerror(errno));
                goto out;
        }
        memset(&addr, 0, sizeof(addr));
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons((uint16_t)port);
        if (bind(ctl->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
                snprintf(err, errlen,
                         "could not bind control port 127.0.0.1:%d: %s", port,
                         strerror(errno));
                goto out;
        }
        if (listen(ctl->listen_fd, 16) < 0) {
                snprintf(err, errlen,
                         "could not listen on control port 127.0.0.1:%d: %s",
                         port, strerror(errno));
                goto out;
        }
        if (getsockname(ctl->listen_fd, (struct sockaddr *)&addr, &addrlen) <
            0) {
                snprintf(err, errlen,
                         "could not read the bound control port: %s",
                         strerror(errno));
                goto out;
        }
        ctl->port = ntohs(addr.sin_port);
        *out = ctl;
        ctl = NULL;
        rc = 0;
out:
        devbroker_control_close(ctl);
        return rc;
}

int devbroker_control_port(const devbroker_control *ctl)
{
        return ctl->port;
}

static void devbroker_control_client_close(devbroker_control_client *c,
                                           const char *why)
{
        if (c->fd < 0)
                return;
        jc_log_write(JC_LOG_DEBUG, JC_KV({"peer", c->peer}, {"reason", why}),
                     "control client disconnected");
        if (close(c->fd) < 0)
                jc_log_write(JC_LOG_WARN, JC_KV({"peer", c->peer}),
                             "could not close control connection: %s",
                             strerror(errno));
        c->fd = -1;
        c->len = 0;
        c->peer[0] = '\0';
}

void devbroker_control_close(devbroker_control *ctl)
{
        if (!ctl)
                return;
        for (size_t i = 0; i < DEVBROKER_CONTROL_MAX_CLIENTS; i++)
                devbroker_control_client_close(&ctl->clients[i],
                                               "devbroker stopping");
        if (ctl->listen_fd >= 0 && close(ctl->listen_fd) < 0)
                jc_log_write(JC_LOG_WARN, NULL, 0,
                             "could not close control listener: %s",
                             strerror(errno));
        free(ctl);
}

/* Sends all of `s` or gives up: a client whose socket buffer is full is not
 * reading its replies and gets disconnected rather than stalling us. */
static int devbroker_control_client_send(devbroker_control_client *c,
                                         const char *s, size_t n)
{
        while (n > 0) {
                ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        const char *why = "not reading replies";

                        if (w < 0 && errno != EAGAIN)
                                why = strerror(errno);
                        devbroker_control_client_close(c, why);
                        return -1;
                }
                s += w;
                n -= (size_t)w;
        }
        return 0;
}

/* Runs one complete line and answers it. Returns -1 when the client is
 * gone afterwards. */
static int devbroker_control_client_run_line(devbroker_control_client *c,
                                             devbroker *db, char *line)
{
        jc_buf reply = JC_BUF_INIT;
        size_t n = strlen(line);
        int rc = -1;

        if (n > 0 && line[n - 1] == '\r')
                line[n - 1] = '\0';
        jc_log_write(JC_LOG_DEBUG, JC_KV({"peer", c->peer}, {"line", line}),
                     "control command");
        if (devbroker_control_handle_line(db, line, &reply) < 0 ||
            jc_buf_appends(&reply, "\n") < 0) {
                jc_log_error("out of memory answering a control command");
                devbroker_control_client_close(c, "out of memory");
                goto out;
        }
        if (devbroker_control_client_send(c, reply.data, reply.len) < 0)
                goto out;
        rc = 0;
out:
        jc_buf_release(&reply);
        return rc;
}

/* Reads what the client sent and runs every complete line in it. */
static void devbroker_control_client_read(devbroker_control_client *c,
                                          devbroker *db)
{
        static const char too_long[] =
            "ERR command line too long (at most 1023 bytes)\n";
        ssize_t r;
        char *nl;

        r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
        if (r < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return;
                devbroker_control_client_close(c, strerror(errno));
                return;
        }
        if (r == 0) {
                /* The client closed its side. A last line without newline
                 * still counts (printf 'ping' | nc ...). */
                /* c->len < sizeof(c->buf) here: a full buffer without a
                 * newline was refused below on the previous read. */
                if (c->len > 0 && !db->stop_requested) {
                        c->buf[c->len] = '\0';
                        if (devbroker_control_client_run_line(c, db, c->buf) <
                            0)
                                return;
                }
                devbroker_control_client_close(c, "end of stream");
                return;
        }
        c->len += (size_t)r;
        while (!db->stop_requested &&
               (nl = memchr(c->buf, '\n', c->len)) != NULL) {
                size_t used = (size_t)(nl - c->buf) + 1;

                *nl = '\0';
                if (devbroker_control_client_run_line(c, db, c->buf) < 0)
                        return;
                memmove(c->buf, c->buf + used, c->len - used);
                c->len -= used;
        }
        if (c->len == sizeof(c->buf)) {
                (void)devbroker_control_client_send(c, too_long,
                                                    sizeof(too_long) - 1);
                devbroker_control_client_close(c, "line too long");
        }
}

static void devbroker_control_accept(devbroker_control *ctl)
{
        for (;;) {
                struct sockaddr_in addr;
                socklen_t addrlen = sizeof(addr);
                devbroker_control_client *slot = NULL;
                char ip[INET_ADDRSTRLEN];
                int fd;

                fd = accept4(ctl->listen_fd, (struct sockaddr *)&addr, &addrlen,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) {
                        if (errno != EAGAIN && errno != EINTR &&
                            errno != ECONNABORTED)
                                jc_log_write(JC_LOG_WARN, NULL, 0,
                                             "could not accept control "
                                             "connection: %s",
                                             strerror(errno));
                        return;
                }
                for (size_t i = 0; i < DEVBROKER_CONTROL_MAX_CLIENTS; i++) {
                        if (ctl->clients[i].fd < 0) {
                                slot = &ctl->clients[i];
                                break;
                        }
                }
                if (!slot) {
                        static const char busy[] = "ERR too many control "
                                                   "clients (at most 8 at "
                                                   "once)\n";

                        jc_log_warn("control client refused: %d already "
                                    "connected",
                                    DEVBROKER_CONTROL_MAX_CLIENTS);
                        (void)send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL);
                        if (close(fd) < 0)
                                jc_log_write(JC_LOG_WARN, NULL, 0,
                                             "could not close refused control "
                                             "connection: %s",
                                             strerror(errno));
                        continue;
                }
                slot->fd = fd;
                slot->len = 0;
                if (!inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof(ip)))
                        snprintf(ip, sizeof(ip), "?");
                snprintf(slot->peer, sizeof(slot->peer), "%s:%u", ip,
                         (unsigned)ntohs(addr.sin_port));
                jc_log_write(JC_LOG_DEBUG, JC_KV({"peer", slot->peer}),
                             "control client connected");
        }
}

int devbroker_control_run(devbroker_control *ctl, devbroker *db,
                          volatile sig_atomic_t *signalled,
                          const sigset_t *waitmask)
{
        struct pollfd fds[1 + DEVBROKER_CONTROL_MAX_CLIENTS];
        devbroker_control_client *owner[1 + DEVBROKER_CONTROL_MAX_CLIENTS];

        while (!*signalled && !db->stop_requested) {
                nfds_t nfds = 0;
                int n;

                fds[nfds].fd = ctl->listen_fd;
                fds[nfds].events = POLLIN;
                owner[nfds] = NULL;
                nfds++;
                for (size_t i = 0; i < DEVBROKER_CONTROL_MAX_CLIENTS; i++) {
                        if (ctl->clients[i].fd < 0)
                                continue;
                        fds[nfds].fd = ctl->clients[i].fd;
                        fds[nfds].events = POLLIN;
                        owner[nfds] = &ctl->clients[i];
                        nfds++;
                }
                n = ppoll(fds, nfds, NULL, waitmask);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        jc_log_write(JC_LOG_ERROR, NULL, 0,
                                     "control channel wait failed: %s",
                                     strerror(errno));
                        return -1;
                }
                for (nfds_t i = 1; i < nfds && !db->stop_requested; i++) {
                        if (fds[i].revents == 0 || owner[i]->fd < 0)
                                continue;
                        if (fds[i].revents & POLLNVAL) {
                                devbroker_control_client_close(owner[i],
                                                               "invalid fd");
                                continue;
                        }
                        /* POLLHUP/POLLERR: recv reports what happened. */
                        devbroker_control_client_read(owner[i], db);
                }
                if (fds[0].revents & (POLLERR | POLLNVAL)) {
                        jc_log_write(JC_LOG_ERROR, NULL, 0,
                                     "control listener on 127.0.0.1:%d failed",
                                     ctl->port);
                        return -1;
                }
                if ((fds[0].revents & POLLIN) && !db->stop_requested)
                        devbroker_control_accept(ctl);
        }
        return 0;
}
