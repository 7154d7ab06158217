#ifndef JC_METRICS_H
#define JC_METRICS_H

#include "jc/buf.h"

/*
 * Prometheus metrics for /metrics (text exposition format 0.0.4).
 * Series are created on first use; `labels` is the inside of the braces,
 * e.g. `route="handover_create",status="201"`, or "" for none. Thread-safe.
 */
typedef struct jc_metrics jc_metrics;

/* Returns a registry the caller frees with jc_metrics_free(), or NULL. */
jc_metrics *jc_metrics_new(void);
void jc_metrics_free(jc_metrics *m);

void jc_metrics_counter_add(jc_metrics *m, const char *name, const char *help,
                            const char *labels, double delta);
void jc_metrics_gauge_set(jc_metrics *m, const char *name, const char *help,
                          const char *labels, double value);
/* Histogram of durations in seconds (fixed buckets 1 ms … 10 s). */
void jc_metrics_observe(jc_metrics *m, const char *name, const char *help,
                        const char *labels, double seconds);

/* Appends the whole registry in exposition format. Returns 0 or -1. */
int jc_metrics_render(jc_metrics *m, jc_buf *out);

#endif
