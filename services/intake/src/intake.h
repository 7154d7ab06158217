#ifndef INTAKE_H
#define INTAKE_H

#include <jansson.h>

#include "jc/audit.h"
#include "jc/consumer.h"
#include "jc/date.h"
#include "jc/http.h"
#include "jc/pg.h"
#include "jc/service.h"
#include "jc/uuid.h"
#include "jc/validate.h"

#define INTAKE_CASE_TOPIC "jobcenter.case.v1"
#define INTAKE_CITIZEN_TOPIC "jobcenter.citizen.v1"
#define INTAKE_HANDOVER_TOPIC "akasse.handover.v1"
#define INTAKE_ID_LEN 41 /* caseworker / team ids: 40 chars + NUL */

/* The service's own state (svc->ctx), set up by intake_init. */
typedef struct intake_ctx {
        long handover_tolerance_days;
        json_t *akasse_keys; /* {"3F": "<secret>", …} for signed Kafka handovers */
} intake_ctx;

extern const jc_pg_stmt intake_stmts[];


/* ---- contact data (contact.c) ---- */
typedef struct intake_contact {
        int digital_post;            /* registered for Digital Post (default 1) */
        const char *email;           /* may be NULL */
        const char *phone;           /* may be NULL */
        const char *street;          /* postal address: all three or none */
        const char *postcode;
        const char *city;
} intake_contact;

/* Reads digital_post, email, phone and address {street, postcode, city} from
 * a request body; strings borrowed from `body`; failing fields go into `v`. */
void intake_contact_parse(json_t *body, intake_contact *c, jc_verrs *v);
/* The contact object of the API and citizen.upserted.v1 from a row with the
 * columns of intake_citizen_get. Caller decrefs. */
json_t *intake_contact_from_row(const PGresult *r, int row);

/* ---- opening a case (case_store.c) ---- */
typedef struct intake_case_new {
        const char *cpr;             /* normalised 10 digits */
        const char *name;
        intake_contact contact;
        const char *target_group;
        jc_date start_date;
        const char *visitation;      /* may be NULL */
        const char *caseworker_id;   /* NULL: distribution picks one */
        const char *origin;          /* "caseworker" or "akasse-handover" */
        json_t *handover;            /* borrowed; the handover summary for case.opened */
        const char *principal;       /* who, for the case history */
} intake_case_new;

typedef struct intake_case_opened {
        char case_id[JC_UUID_STRLEN];
        char citizen_ref[JC_UUID_STRLEN];
        char opened_at[40];
        char caseworker_id[INTAKE_ID_LEN]; /* "" when no caseworker takes the group */
        char team_id[INTAKE_ID_LEN];
        char existing_case_id[JC_UUID_STRLEN]; /* INTAKE_OPEN_CASE_EXISTS */
} intake_case_opened;

typedef enum intake_open_result {
        INTAKE_OPENED,
        INTAKE_OPEN_CASE_EXISTS, /* the citizen has an open case of the group */
        INTAKE_BAD_CASEWORKER,   /* the requested caseworker cannot take it */
        INTAKE_ERROR,            /* database error in `e` */
} intake_open_result;

/* In the caller's transaction: upserts the citizen, opens the case, assigns a
 * caseworker, records the change, emits citizen.upserted.v1 and
 * case.opened.v1. */
intake_open_result intake_case_open(jc_service *svc, PGconn *db, const intake_case_new *in,
                                    intake_case_opened *out, jc_pg_err *e);

/* ---- distribution (distribution.c) ---- */
/* The least-loaded active caseworker who takes `target_group` (load = open
 * cases weighted by each group's caseload norm); "" when there is none. */
int intake_pick_caseworker(PGconn *db, const char *target_group,
                           char caseworker_id[INTAKE_ID_LEN], char team_id[INTAKE_ID_LEN],
                           jc_pg_err *e);
/* Assigns and emits case.caseworker_assigned.v1. `previous` may be NULL. */
int intake_assign(jc_service *svc, PGconn *db, const char *case_id, const char *citizen_ref,
                  const char *caseworker_id, const char *team_id, const char *previous,
                  const char *reason, const char *principal, jc_pg_err *e);
/* Assigns waiting (unassigned, open) cases of `groups` (a PostgreSQL text
 * array literal). */
int intake_assign_backlog(jc_service *svc, PGconn *db, const char *groups,
                          const char *principal, int *assigned, jc_pg_err *e);

/* ---- events and history (case_events.c) ---- */
/* Emits `short_type` on jobcenter.case.v1 for `case_id` with `data` (stolen),
 * and records the change with who made it. */
int intake_case_event(jc_service *svc, PGconn *db, const char *case_id, const char *short_type,
                      json_t *data, const char *principal, jc_pg_err *e);

/* ---- audit (audit.c) ---- */

/* ---- handovers (handover.c) ---- */
#define INTAKE_MAX_CONTACTS 20

typedef struct intake_handover {
        const char *handover_id;
        const char *akasse;
        char cpr[11];
        const char *name;
        jc_date unemployed_since;
        jc_date handover_date;
        int cv_on_jobnet;
        int availability_concerns;
        intake_contact contact;
        size_t ncontacts;
        struct {
                jc_date held_on;
                const char *kind;    /* individual | group */
                const char *channel; /* in_person | phone | video | NULL */
        } contacts[INTAKE_MAX_CONTACTS];
} intake_handover;

/* Validates a handover body (the same for HTTP and Kafka); every failing
 * field goes into `v`. Strings point into `body`. */
void intake_handover_parse(json_t *body, intake_handover *h, long tolerance_days, jc_date today,
                           jc_verrs *v);

typedef enum intake_handover_result {
        HANDOVER_CREATED,
        HANDOVER_REPLAY,          /* the same handover again: the first answer */
        HANDOVER_CONFLICT,        /* the same handover_id with another body */
        HANDOVER_OPEN_CASE,       /* an open a-dagpenge case exists */
        HANDOVER_UNKNOWN_AKASSE,
        HANDOVER_ERROR,           /* database error in `e` */
} intake_handover_result;

/* Applies a validated handover in the caller's transaction. On CREATED and
 * REPLAY `*response` is the 201 body (new reference); on OPEN_CASE
 * `existing_case_id` names the case. */
intake_handover_result intake_handover_apply(jc_service *svc, PGconn *db, const intake_handover *h,
                                             json_t *body, const char *via, const char *principal,
                                             json_t **response,
                                             char existing_case_id[JC_UUID_STRLEN], jc_pg_err *e);

/* ---- HTTP handlers ---- */
void intake_case_create(jc_http_req *req);
void intake_case_get(jc_http_req *req);
void intake_case_list(jc_http_req *req);
void intake_case_change_target_group(jc_http_req *req);
void intake_case_change_visitation(jc_http_req *req);
void intake_case_assign_http(jc_http_req *req);
void intake_case_close_http(jc_http_req *req);
void intake_citizen_get(jc_http_req *req);
void intake_citizen_erase(jc_http_req *req);
void intake_team_put(jc_http_req *req);
void intake_caseworker_put(jc_http_req *req);
void intake_caseworkers_list(jc_http_req *req);
void intake_norms_get(jc_http_req *req);
void intake_norm_put(jc_http_req *req);
void intake_akasser_list(jc_http_req *req);
void intake_handover_post(jc_http_req *req);
void intake_handover_get(jc_http_req *req);

/* ---- Kafka ingress (handover_kafka.c) ---- */
jc_handle_result intake_on_handover_message(jc_consume_ctx *ctx);
int intake_on_dead_letter(jc_consume_ctx *ctx, const char *reason, jc_pg_err *e);

#endif
