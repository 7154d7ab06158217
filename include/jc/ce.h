#ifndef JC_CE_H
#define JC_CE_H

#include <jansson.h>
#include <stddef.h>

/*
 * CloudEvents 1.0 envelope, structured JSON mode (schemas/events/envelope.v1.json):
 *
 *   {"specversion":"1.0","id":"<uuid>","source":"/jobcenter/intake",
 *    "type":"dk.jobcenter.case.opened.v1","time":"2026-03-02T09:15:00.000Z",
 *    "subject":"<case_id>","partitionkey":"<case_id>",
 *    "datacontenttype":"application/json",
 *    "dataschema":"urn:jobcenter:schema:case.opened.v1",
 *    "traceparent":"00-…-…-01","data":{…}}
 *
 * On Kafka the value is this JSON, with header content-type
 * "application/cloudevents+json; charset=UTF-8" and ce_id / ce_type /
 * ce_source headers for routing without parsing.
 *
 * Short types: "case.opened.v1" is the catalogue name of
 * "dk.jobcenter.case.opened.v1".
 */

#define JC_CE_TYPE_PREFIX "dk.jobcenter."
#define JC_CE_CONTENT_TYPE "application/cloudevents+json; charset=UTF-8"
#define JC_CE_MAX_TYPE 96

typedef struct jc_ce_event {
        json_t *root;            /* owned */
        const char *id;          /* borrowed from root; never NULL */
        const char *source;      /* never NULL */
        const char *type;        /* full type, never NULL */
        const char *time;        /* NULL when absent */
        const char *subject;     /* NULL when absent */
        const char *traceparent; /* NULL when absent */
        char short_type[JC_CE_MAX_TYPE]; /* "case.opened.v1" */
        json_t *data;            /* borrowed; a JSON object */
} jc_ce_event;

/*
 * Builds an event. `short_type` is "case.opened.v1"; `subject` and
 * `traceparent` may be NULL. Steals `data` (even on failure). Returns a new
 * reference (caller json_decref()s), or NULL with `err` set.
 */
json_t *jc_ce_build(const char *source, const char *short_type,
                    const char *subject, const char *traceparent, json_t *data,
                    char *err, size_t errlen);

/*
 * Parses and strictly checks the envelope of a structured event: a JSON
 * object without duplicate keys; specversion "1.0"; id, source non-empty;
 * type "dk.jobcenter.<name>.v<N>"; time RFC 3339 when present;
 * datacontenttype application/json when present; data an object. Unknown
 * attributes (extensions) and unknown data fields are accepted (forward
 * compatibility). On failure returns -1 and names the failing field in
 * `err`, e.g. "envelope field 'type': ...". On success `ev` owns the parsed
 * JSON: release with jc_ce_event_release().
 */
int jc_ce_decode(const void *buf, size_t len, jc_ce_event *ev, char *err,
                 size_t errlen);
void jc_ce_event_release(jc_ce_event *ev);

/* "case.opened.v1" from "dk.jobcenter.case.opened.v1"; -1 if not ours. */
int jc_ce_short_type(const char *type, char *out, size_t outlen);

/* W3C trace context. */
#define JC_TRACEPARENT_LEN 56 /* 55 characters + NUL */
/* A new traceparent "00-<32 hex>-<16 hex>-01". */
void jc_trace_new(char out[JC_TRACEPARENT_LEN]);
/* Continues `incoming` (same trace id, new span id) when it is a valid
 * traceparent, else starts a new trace. */
void jc_trace_continue(const char *incoming, char out[JC_TRACEPARENT_LEN]);
/* Copies the 32-hex trace id out of a traceparent; "" if invalid. */
void jc_trace_id(const char *traceparent, char out[33]);

#endif
