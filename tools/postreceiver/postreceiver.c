/*
 * postreceiver: Digital Post, e-mail and SMS gateways and a-kasse webhooks
 * on loopback for the dev stack and the notifications tests (see README.md).
 *
 * Prints URL=http://127.0.0.1:<port> and CONTROL=http://127.0.0.1:<port> on
 * stdout, optionally writes them to files (control first, URL last: when
 * the URL file exists, both ports answer), and runs until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jc/log.h"
#include "postreceiver.h"

typedef struct pr_options {
        int port;
        int control_port;
        const char *url_file;
        const char *control_file;
        jc_log_level log_level;
} pr_options;

int64_t pr_now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(FILE *f)
{
        fprintf(f, "usage: postreceiver [--port PORT] [--control-port PORT] [--url-file PATH]\n"
                   "                    [--control-file PATH] [--log-level debug|info|warn|error]\n"
                   "\n"
                   "Plays Digital Post, the e-mail and SMS gateways and a-kasse webhooks on\n"
                   "127.0.0.1, records what it receives, and takes fault commands on the\n"
                   "control port. Ports default to 0 (any free one).\n");
}

static int parse_port(const char *opt, const char *s, int *out)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < 0 || v > 65535) {
                fprintf(stderr, "postreceiver: %s must be a port 0..65535, not \"%s\"\n", opt, s);
                return -1;
        }
        *out = (int)v;
        return 0;
}

/* 0 run, 1 exit 0 (--help), -1 exit 2. */
static int parse_options(int argc, char **argv, pr_options *o)
{
        static const struct option longopts[] = {
                {"port", required_argument, NULL, 'p'},
                {"control-port", required_argument, NULL, 'c'},
                {"url-file", required_argument, NULL, 'U'},
                {"control-file", required_argument, NULL, 'C'},
                {"log-level", required_argument, NULL, 'l'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        int opt;

        memset(o, 0, sizeof(*o));
        o->log_level = JC_LOG_INFO;
        while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (opt) {
                case 'p':
                        if (parse_port("--port", optarg, &o->port) != 0)
                                return -1;
                        break;
                case 'c':
                        if (parse_port("--control-port", optarg, &o->control_port) != 0)
                                return -1;
                        break;
                case 'U':
                        o->url_file = optarg;
                        break;
                case 'C':
                        o->control_file = optarg;
                        break;
                case 'l':
                        if (jc_log_level_parse(optarg, &o->log_level) != 0) {
                                fprintf(stderr, "postreceiver: --log-level must be debug, info, "
                                                "warn or error\n");
                                return -1;
                        }
                        break;
                case 'h':
                        usage(stdout);
                        return 1;
                default:
                        usage(stderr);
                        return -1;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "postreceiver: unexpected argument \"%s\"\n", argv[optind]);
                return -1;
        }
        return 0;
}

/* Writes `text` to `path` via PATH.tmp + rename. */
static int write_file(const char *path, const char *text)
{
        char tmp[4096];
        FILE *f;

        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        f = fopen(tmp, "w");
        if (!f)
                return -1;
        if (fprintf(f, "%s\n", text) < 0 || fclose(f) != 0) {
                unlink(tmp);
                return -1;
        }
        return rename(tmp, path);
}

int main(int argc, char **argv)
{
        pr_options o;
        pr_state st;
        struct MHD_Daemon *control = NULL;
        sigset_t sigs;
        char err[300], url[64], curl[64];
        int cport = 0, sig = 0, rc = 1;

        switch (parse_options(argc, argv, &o)) {
        case 1:
                return 0;
        case -1:
                return 2;
        }
        jc_log_init("postreceiver", o.log_level);
        signal(SIGPIPE, SIG_IGN);
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGINT);
        sigaddset(&sigs, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);

        memset(&st, 0, sizeof(st));
        pthread_mutex_init(&st.lock, NULL);
        st.records = json_array();
        st.by_key = json_object();
        st.requests = json_array();
        st.keep_bodies = 1;
        st.port = o.port;
        if (o.url_file)
                unlink(o.url_file);
        if (o.control_file)
                unlink(o.control_file);
        if (!st.records || !st.by_key || !st.requests) {
                jc_log_error("out of memory");
                goto out;
        }
        if (pr_receiver_start(&st, err, sizeof(err)) != 0) {
                jc_log_error("%s", err);
                goto out;
        }
        control = pr_control_start(&st, o.control_port, &cport, err, sizeof(err));
        if (!control) {
                jc_log_error("%s", err);
                goto out;
        }
        snprintf(url, sizeof(url), "http://127.0.0.1:%d", st.port);
        snprintf(curl, sizeof(curl), "http://127.0.0.1:%d", cport);
        if ((o.control_file && write_file(o.control_file, curl) != 0) ||
            (o.url_file && write_file(o.url_file, url) != 0)) {
                jc_log_error("could not write the address files: %s", strerror(errno));
                goto out;
        }
        printf("URL=%s\nCONTROL=%s\n", url, curl);
        fflush(stdout);
        jc_log_write(JC_LOG_INFO, JC_KV({"url", url}, {"control", curl}), "postreceiver listening");
        sigwait(&sigs, &sig);
        jc_log_info("received %s, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
        rc = 0;
out:
        if (o.url_file)
                unlink(o.url_file);
        if (o.control_file)
                unlink(o.control_file);
        if (control)
                MHD_stop_daemon(control);
        pr_receiver_stop(&st);
        json_decref(st.records);
        json_decref(st.by_key);
        json_decref(st.requests);
        pthread_mutex_destroy(&st.lock);
        return rc;
}
