/*
 * The report's state: one entry per case, built from the events of
 * jobcenter.case.v1. Applying an event sets the case's state rather than
 * adding to counters, so a redelivered event (Kafka is at-least-once) changes
 * nothing, and the figures are derived from the per-case state at the end.
 */
#ifndef CASE_STATE_H
#define CASE_STATE_H

#include <stddef.h>

#include <jansson.h>

typedef struct case_state case_state;

typedef enum {
        CASE_APPLIED,    /* an event this report uses */
        CASE_IGNORED,    /* a valid event of a type (or version) it does not use */
        CASE_UNREADABLE, /* not JSON, not a CloudEvent, or missing a field it needs */
} case_apply_result;

/* A new, empty state; free with case_state_free. NULL when out of memory. */
case_state *case_state_new(void);
void case_state_free(case_state *s);

/* Applies one message value (a CloudEvent in structured JSON mode). Unknown
 * event types and unknown fields are tolerated: consumers must ignore what
 * they do not know (additive schema evolution). */
case_apply_result case_state_apply(case_state *s, const char *value, size_t len);

/* The report as JSON:
 *   {"messages": n, "cases": n, "ignored": n, "unreadable": n,
 *    "open_by_target_group": {"<group>": n, ...}, "open_total": n,
 *    "months": {"YYYY-MM": {"opened": n, "closed": n}, ...},
 *    "close_reasons": {"<reason>": n, ...}, "types": {"<ce type>": n, ...}}
 * Opened/closed months are the case's own dates (start_date, closed_on).
 * The caller owns the result (json_decref). NULL when out of memory. */
json_t *case_state_report(const case_state *s);

#endif
