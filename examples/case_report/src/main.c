/*
 * case-report: an example consumer for teams outside the platform. It joins
 * its own consumer group, replays jobcenter.case.v1 from the beginning and
 * prints open cases per target group, cases opened and closed per month, and
 * close reasons. Standalone (librdkafka + jansson only): copy the folder.
 *
 *   case-report -b 127.0.0.1:9092 [-g analytics.case-report] [-t jobcenter.case.v1]
 *               [-X key=value]... [--json] [--timeout SECONDS]
 *
 * Exit 0 with the report on stdout; 1 with the reason on stderr; 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_state.h"
#include "kafka_replay.h"
#include "report_text.h"

#define MAX_PROPS 64

typedef struct options {
        replay_opts replay;
        const char *props[MAX_PROPS + 1];
        int nprops;
        int json;
} options;

static void usage(FILE *out)
{
        fprintf(out,
                "usage: case-report -b BOOTSTRAP [-g GROUP] [-t TOPIC] [-X key=value]... [--json]\n"
                "                   [--timeout SECONDS]\n"
                "  -b  Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP, else 127.0.0.1:9092)\n"
                "  -g  consumer group, <team>.<purpose> (default analytics.case-report)\n"
                "  -t  topic (default jobcenter.case.v1)\n"
                "  -X  any librdkafka setting, e.g. -X security.protocol=SSL (repeatable)\n"
                "  --json     print the report as JSON\n"
                "  --timeout  give up when the end is not reached in this many seconds (60)\n");
}

/* Returns 0, or 2 after printing what is wrong. */
static int parse(int argc, char **argv, options *o)
{
        const char *env = getenv("KAFKA_BOOTSTRAP");

        memset(o, 0, sizeof(*o));
        o->replay.bootstrap = env && *env ? env : "127.0.0.1:9092";
        o->replay.group = "analytics.case-report";
        o->replay.topic = "jobcenter.case.v1";
        o->replay.timeout_s = 60;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

                if (strcmp(a, "--json") == 0) {
                        o->json = 1;
                        continue;
                }
                if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
                        usage(stdout);
                        exit(0);
                }
                if (!v || (strcmp(a, "-b") && strcmp(a, "-g") && strcmp(a, "-t") &&
                           strcmp(a, "-X") && strcmp(a, "--timeout"))) {
                        fprintf(stderr, "case-report: %s: unknown option or missing value\n", a);
                        usage(stderr);
                        return 2;
                }
                i++;
                if (strcmp(a, "-b") == 0) {
                        o->replay.bootstrap = v;
                } else if (strcmp(a, "-g") == 0) {
                        o->replay.group = v;
                } else if (strcmp(a, "-t") == 0) {
                        o->replay.topic = v;
                } else if (strcmp(a, "-X") == 0) {
                        if (o->nprops == MAX_PROPS) {
                                fprintf(stderr, "case-report: at most %d -X settings\n", MAX_PROPS);
                                return 2;
                        }
                        o->props[o->nprops++] = v;
                } else {
                        char *end;
                        long t = strtol(v, &end, 10);

                        if (*end || t < 1 || t > 86400) {
                                fprintf(stderr, "case-report: --timeout must be 1-86400 seconds\n");
                                return 2;
                        }
                        o->replay.timeout_s = (int)t;
                }
        }
        o->replay.props = o->props;
        return 0;
}

static void on_message(void *opaque, const rd_kafka_message_t *m)
{
        case_state_apply(opaque, m->payload, m->len);
}

int main(int argc, char **argv)
{
        options o;
        replay_stats st;
        case_state *state = NULL;
        json_t *report = NULL;
        char err[768], source[256];
        int rc = parse(argc, argv, &o);

        if (rc != 0)
                return rc;
        rc = 1;
        state = case_state_new();
        if (!state) {
                fprintf(stderr, "case-report: out of memory\n");
                goto out;
        }
        if (kafka_replay(&o.replay, on_message, state, &st, err, sizeof(err)) != 0) {
                fprintf(stderr, "case-report: %s\n", err);
                goto out;
        }
        report = case_state_report(state);
        if (!report) {
                fprintf(stderr, "case-report: out of memory\n");
                goto out;
        }
        if (json_object_set_new(report, "partitions", json_integer(st.partitions)) != 0 ||
            json_object_set_new(report, "group", json_string(o.replay.group)) != 0 ||
            json_object_set_new(report, "topic", json_string(o.replay.topic)) != 0) {
                fprintf(stderr, "case-report: out of memory\n");
                goto out;
        }
        if (o.json) {
                if (json_dumpf(report, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) != 0 ||
                    fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
                        fprintf(stderr, "case-report: cannot write the report\n");
                        goto out;
                }
        } else {
                snprintf(source, sizeof(source), "%s (group %s, %d partitions)", o.replay.topic,
                         o.replay.group, st.partitions);
                if (report_print_text(stdout, report, source) != 0) {
                        fprintf(stderr, "case-report: cannot write the report\n");
                        goto out;
                }
        }
        rc = 0;
out:
        json_decref(report);
        case_state_free(state);
        return rc;
}
