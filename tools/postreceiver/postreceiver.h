#ifndef POSTRECEIVER_H
#define POSTRECEIVER_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

#include "jc/buf.h"

/*
 * postreceiver: the outside world of notifications on loopback, for the dev
 * stack and the tests. One HTTP port plays Digital Post, the e-mail and SMS
 * gateways and the a-kasse webhooks; it records what it accepted (deduped
 * on the Idempotency-Key header) and every request it saw. A second port is
 * the control channel: read the records, inject faults.
 */

#define PR_MAX_BODY (1024 * 1024)
#define PR_KEY_MAX 128

/* A fault that applies to one channel ("digital_post", "email", "sms",
 * "akasse") or to all ("" ). */
typedef struct pr_fault {
        int active;
        char channel[24];
        int status;   /* fail / reject: the status answered */
        long count;   /* fail: requests left to fail */
        long ms;      /* slow: delay before answering */
} pr_fault;

typedef struct pr_state {
        pthread_mutex_t lock;
        json_t *records;        /* array of accepted messages, in arrival order */
        json_t *by_key;         /* Idempotency-Key -> record (borrowed from records) */
        json_t *requests;       /* array of every request: seq, channel, key, status, at_ms */
        long seq;
        int keep_bodies;        /* 0: records keep no body (long benchmarks) */
        pr_fault fail;          /* answer `status` to the next `count` requests */
        pr_fault reject;        /* answer `status` to every request */
        pr_fault slow;          /* record, then wait `ms` before answering */
        int down;
        /* the receiving port */
        int port;
        struct MHD_Daemon *receiver;
} pr_state;

/* http_util.c: a request's body as it arrives. */
typedef struct pr_req {
        jc_buf body;
        int too_large;
} pr_req;

/* The body-collecting part of an access handler: 1 when the request is
 * complete (*out set: handle it), 0 to go on (answer MHD_YES), -1 out of
 * memory (answer MHD_NO). Bodies beyond `limit` set too_large. */
int pr_collect(void **req_cls, const char *upload_data, size_t *upload_data_size, size_t limit,
               pr_req **out);
/* Queues `body` (stolen) as application/json with `status`. */
enum MHD_Result pr_reply(struct MHD_Connection *conn, int status, json_t *body);
/* MHD_OPTION_NOTIFY_COMPLETED: frees the request. */
void pr_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                  enum MHD_RequestTerminationCode toe);

/* receiver.c: the receiving port. Binds 127.0.0.1:port (0: any free; the
 * chosen one is stored in st->port). Returns 0 or -1 with err. */
int pr_receiver_start(pr_state *st, char *err, size_t errlen);
/* Closes the port: new connections are refused until pr_receiver_start. */
void pr_receiver_stop(pr_state *st);

/* control.c: the control port. */
struct MHD_Daemon *pr_control_start(pr_state *st, int port, int *bound_port, char *err,
                                    size_t errlen);
/* Runs one fault command ("fail 503 3 sms", "down", …). Returns 0, or -1
 * with the reason in err. */
int pr_command(pr_state *st, const char *line, char *err, size_t errlen);

/* Milliseconds since the epoch. */
int64_t pr_now_ms(void);

#endif
