/*
 * devbroker: a Kafka-protocol development broker for the local stack and the
 * integration tests, built on librdkafka's mock cluster.
 *
 * Creates every topic of the catalogue, checks them with a metadata request,
 * prints BOOTSTRAP=<host:port,...> and CONTROL=127.0.0.1:<port> on stdout,
 * optionally writes both to files, and serves the control channel until
 * SIGINT/SIGTERM or `shutdown`. Everything is kept in memory.
 */
#include "devbroker.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct devbroker_options {
        const char *catalogue; /* NULL: the compiled-in copy */
        int brokers;
        const char *bootstrap_file;
        const char *control_file;
        int control_port;
        jc_log_level log_level;
} devbroker_options;

/* The signal that asked us to stop, 0 while running. */
static volatile sig_atomic_t devbroker_signalled;

static void devbroker_on_signal(int sig)
{
        devbroker_signalled = sig;
}

static void devbroker_usage(FILE *f)
{
        fprintf(f,
                "usage: devbroker [--catalogue PATH] [--brokers N] "
                "[--bootstrap-file PATH]\n"
                "                 [--control-file PATH] [--control-port PORT] "
                "[--log-level debug|info|warn|error]\n"
                "\n"
                "Kafka-protocol development broker (librdkafka mock cluster).\n"
                "Prints BOOTSTRAP=<host:port,...> and CONTROL=127.0.0.1:<port> "
                "on stdout once every\ncatalogue topic exists; runs until "
                "SIGINT/SIGTERM or the `shutdown` control command.\n"
                "\n"
                "  --catalogue PATH       topic catalogue JSON (default: the "
                "compiled-in copy)\n"
                "  --brokers N            mock brokers, 1..%d (default 3)\n"
                "  --bootstrap-file PATH  also write the bootstrap list to "
                "PATH (written last)\n"
                "  --control-file PATH    also write 127.0.0.1:<port> to "
                "PATH\n"
                "  --control-port PORT    control channel port on 127.0.0.1 "
                "(default 0: any free)\n"
                "  --log-level LEVEL      debug, info, warn or error (default "
                "info)\n",
                DEVBROKER_MAX_BROKERS);
}

static int devbroker_parse_int_arg(const char *opt, const char *s, long min,
                                   long max, int *out)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
                fprintf(stderr,
                        "devbroker: %s must be a whole number %ld..%ld, not "
                        "\"%s\"\n",
                        opt, min, max, s);
                return -1;
        }
        *out = (int)v;
        return 0;
}

/* Returns 0 to run, 1 to exit 0 (--help), -1 to exit 2 (usage error). */
static int devbroker_parse_options(int argc, char **argv,
                                   devbroker_options *o)
{
        static const struct option longopts[] = {
                {"catalogue", required_argument, NULL, 'c'},
                {"brokers", required_argument, NULL, 'b'},
                {"bootstrap-file", required_argument, NULL, 'B'},
                {"control-file", required_argument, NULL, 'C'},
                {"control-port", required_argument, NULL, 'p'},
                {"log-level", required_argument, NULL, 'l'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        int opt;

        o->catalogue = NULL;
        o->brokers = 3;
        o->bootstrap_file = NULL;
        o->control_file = NULL;
        o->control_port = 0;
        o->log_level = JC_LOG_INFO;
        while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (opt) {
                case 'c':
                        o->catalogue = optarg;
                        break;
                case 'b':
                        if (devbroker_parse_int_arg("--brokers", optarg, 1,
                                                    DEVBROKER_MAX_BROKERS,
                                                    &o->brokers) < 0)
                                return -1;
                        break;
                case 'B':
                        o->bootstrap_file = optarg;
                        break;
                case 'C':
                        o->control_file = optarg;
                        break;
                case 'p':
                        if (devbroker_parse_int_arg("--control-port", optarg,
                                                    0, 65535,
                                                    &o->control_port) < 0)
                                return -1;
                        break;
                case 'l':
                        if (jc_log_level_parse(optarg, &o->log_level) < 0) {
                                fprintf(stderr,
                                        "devbroker: --log-level must be "
                                        "debug, info, warn or error, not "
                                        "\"%s\"\n",
                                        optarg);
                                return -1;
                        }
                        break;
                case 'h':
                        devbroker_usage(stdout);
                        return 1;
                default:
                        devbroker_usage(stderr);
                        return -1;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "devbroker: unexpected argument \"%s\"\n",
                        argv[optind]);
                devbroker_usage(stderr);
                return -1;
        }
        if (o->bootstrap_file && o->control_file &&
            strcmp(o->bootstrap_file, o->control_file) == 0) {
                fprintf(stderr, "devbroker: --bootstrap-file and "
                                "--control-file must be different files\n");
                return -1;
        }
        return 0;
}

/* SIGINT/SIGTERM only set a flag. They stay blocked in every thread (the
 * librdkafka threads inherit the mask) except while the control loop waits
 * in ppoll() with `waitmask`, so they always interrupt that wait. */
static int devbroker_signals_install(sigset_t *waitmask, char *err,
                                     size_t errlen)
{
        struct sigaction sa;
        sigset_t block;
        int e;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = SIG_IGN;
        if (sigemptyset(&sa.sa_mask) < 0 || sigaction(SIGPIPE, &sa, NULL) < 0)
                goto fail;
        sa.sa_handler = devbroker_on_signal;
        sa.sa_flags = 0; /* no SA_RESTART */
        if (sigaction(SIGINT, &sa, NULL) < 0 ||
            sigaction(SIGTERM, &sa, NULL) < 0)
                goto fail;
        if (sigemptyset(&block) < 0 || sigaddset(&block, SIGINT) < 0 ||
            sigaddset(&block, SIGTERM) < 0)
                goto fail;
        e = pthread_sigmask(SIG_BLOCK, &block, waitmask);
        if (e != 0) {
                errno = e;
                goto fail;
        }
        if (sigdelset(waitmask, SIGINT) < 0 || sigdelset(waitmask, SIGTERM) < 0)
                goto fail;
        return 0;
fail:
        snprintf(err, errlen, "could not install signal handlers: %s",
                 strerror(errno));
        return -1;
}

/* SIGINT/SIGTERM that arrived while blocked (during start-up) are pending,
 * not yet seen by the handler. Records the first one in the flag. */
static int devbroker_signal_pending(void)
{
        sigset_t pending;

        if (sigpending(&pending) == 0) {
                if (sigismember(&pending, SIGTERM) == 1)
                        devbroker_signalled = SIGTERM;
                else if (sigismember(&pending, SIGINT) == 1)
                        devbroker_signalled = SIGINT;
        }
        return devbroker_signalled != 0;
}

/* A file left behind by a devbroker that crashed would point scripts at a
 * dead broker: remove it before starting. */
static int devbroker_remove_stale(const char *path, char *err, size_t errlen)
{
        if (!path)
                return 0;
        if (unlink(path) == 0) {
                jc_log_write(JC_LOG_WARN, JC_KV({"path", path}),
                             "removed a stale address file left by an earlier "
                             "run");
                return 0;
        }
        if (errno == ENOENT)
                return 0;
        snprintf(err, errlen, "could not remove stale %s: %s", path,
                 strerror(errno));
        return -1;
}

/* Writes `line` and a newline to PATH.tmp, then renames it over PATH, so a
 * reader never sees half a file. */
static int devbroker_write_file_atomic(const char *path, const char *line,
                                       char *err, size_t errlen)
{
        jc_buf tmp = JC_BUF_INIT, content = JC_BUF_INIT;
        const char *p;
        size_t left;
        int fd = -1;
        int rc = -1;

        if (jc_buf_appendf(&tmp, "%s.tmp", path) < 0 ||
            jc_buf_appendf(&content, "%s\n", line) < 0) {
                snprintf(err, errlen, "out of memory writing %s", path);
                goto out;
        }
        fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
                snprintf(err, errlen, "could not create %s: %s", tmp.data,
                         strerror(errno));
                goto out;
        }
        for (p = content.data, left = content.len; left > 0;) {
                ssize_t w = write(fd, p, left);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0) {
                        snprintf(err, errlen, "could not write %s: %s",
                                 tmp.data, strerror(errno));
                        goto out;
                }
                p += w;
                left -= (size_t)w;
        }
        if (close(fd) < 0) {
                fd = -1;
                snprintf(err, errlen, "could not write %s: %s", tmp.data,
                         strerror(errno));
                goto out;
        }
        fd = -1;
        if (rename(tmp.data, path) < 0) {
                snprintf(err, errlen, "could not rename %s to %s: %s",
                         tmp.data, path, strerror(errno));
                goto out;
        }
        rc = 0;
out:
        if (fd >= 0)
                (void)close(fd);
        if (rc < 0 && tmp.len > 0)
                (void)unlink(tmp.data);
        jc_buf_release(&tmp);
        jc_buf_release(&content);
        return rc;
}

static void devbroker_remove_published(const char *path)
{
        if (path && unlink(path) < 0 && errno != ENOENT)
                jc_log_write(JC_LOG_WARN, JC_KV({"path", path}),
                             "could not remove address file: %s",
                             strerror(errno));
}

/* Prints the two address lines and writes the address files; the bootstrap
 * file comes last, so once it exists everything is ready. */
static int devbroker_publish(const devbroker_options *o, const char *bootstrap,
                             const char *control, int *wrote_bootstrap,
                             int *wrote_control, char *err, size_t errlen)
{
        if (printf("BOOTSTRAP=%s\nCONTROL=%s\n", bootstrap, control) < 0 ||
            fflush(stdout) != 0) {
                snprintf(err, errlen,
                         "could not print the addresses on stdout: %s",
                         strerror(errno));
                return -1;
        }
        if (o->control_file) {
                if (devbroker_write_file_atomic(o->control_file, control, err,
                                                errlen) < 0)
                        return -1;
                *wrote_control = 1;
        }
        if (o->bootstrap_file) {
                if (devbroker_write_file_atomic(o->bootstrap_file, bootstrap,
                                                err, errlen) < 0)
                        return -1;
                *wrote_bootstrap = 1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        devbroker_options opts;
        devbroker db = {0};
        jc_topic_catalogue cat = {0};
        int cat_loaded = 0;
        devbroker_control *ctl = NULL;
        sigset_t waitmask;
        char control[64];
        char nbrokers[16], ntopics[32];
        int wrote_bootstrap = 0, wrote_control = 0;
        char err[1024];
        int rc = 1;

        switch (devbroker_parse_options(argc, argv, &opts)) {
        case 1:
                return 0;
        case -1:
                return 2;
        default:
                break;
        }
        jc_log_init("devbroker", opts.log_level);
        if (devbroker_signals_install(&waitmask, err, sizeof(err)) < 0)
                goto fail;
        if (devbroker_remove_stale(opts.bootstrap_file, err, sizeof(err)) < 0 ||
            devbroker_remove_stale(opts.control_file, err, sizeof(err)) < 0)
                goto fail;
        if (jc_topics_load(&cat, opts.catalogue, err, sizeof(err)) < 0)
                goto fail;
        cat_loaded = 1;
        if (cat.ntopics == 0) {
                snprintf(err, sizeof(err), "topic catalogue %s declares no "
                                           "topics",
                         opts.catalogue ? opts.catalogue : "(compiled-in)");
                goto fail;
        }
        db.cat = &cat;
        if (devbroker_control_open(&ctl, opts.control_port, err, sizeof(err)) <
            0)
                goto fail;
        snprintf(control, sizeof(control), "127.0.0.1:%d",
                 devbroker_control_port(ctl));
        if (devbroker_cluster_start(&db, opts.brokers, opts.log_level, err,
                                    sizeof(err)) < 0 ||
            devbroker_cluster_create_topics(&db, err, sizeof(err)) < 0 ||
            devbroker_cluster_verify_topics(&db, err, sizeof(err)) < 0)
                goto fail;
        /* Asked to stop while starting: publish nothing. */
        if (devbroker_signal_pending())
                goto stopping;
        if (devbroker_publish(&opts, db.bootstrap, control, &wrote_bootstrap,
                              &wrote_control, err, sizeof(err)) < 0)
                goto fail;
        snprintf(nbrokers, sizeof(nbrokers), "%d", opts.brokers);
        snprintf(ntopics, sizeof(ntopics), "%zu", cat.ntopics);
        jc_log_write(JC_LOG_INFO,
                     JC_KV({"bootstrap", db.bootstrap}, {"control", control},
                           {"brokers", nbrokers}, {"topics", ntopics},
                           {"catalogue", opts.catalogue ? opts.catalogue
                                                        : "(compiled-in)"}),
                     "devbroker ready");
        if (devbroker_control_run(ctl, &db, &devbroker_signalled, &waitmask) <
            0) {
                snprintf(err, sizeof(err),
                         "the control channel failed (see the log line "
                         "above)");
                goto fail;
        }
stopping:
        if (devbroker_signalled)
                jc_log_info("stopping on %s",
                            devbroker_signalled == SIGINT ? "SIGINT"
                                                          : "SIGTERM");
        else
                jc_log_info("stopping on the shutdown command");
        rc = 0;
        goto out;
fail:
        jc_log_write(JC_LOG_ERROR, NULL, 0, "devbroker: %s", err);
out:
        /* Addresses first: nobody should connect to a dying broker. */
        if (wrote_bootstrap)
                devbroker_remove_published(opts.bootstrap_file);
        if (wrote_control)
                devbroker_remove_published(opts.control_file);
        devbroker_control_close(ctl);
        devbroker_cluster_stop(&db);
        if (cat_loaded)
                jc_topics_release(&cat);
        if (rc == 0)
                jc_log_info("devbroker stopped");
        return rc;
}
