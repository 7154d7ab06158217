#ifndef JC_LOG_H
#define JC_LOG_H

#include <stddef.h>
#include <stdint.h>

/*
 * Structured logs: one JSON object per line on stderr.
 *
 *   {"ts":"2026-03-02T09:15:00.123Z","level":"info","service":"intake",
 *    "msg":"case opened","trace_id":"…","case_id":"…","event_id":"…"}
 *
 * trace_id / case_id / event_id come from the calling thread's log context
 * (set by the HTTP server per request and by the consumer per event), so a
 * handler's log lines carry them without passing them around. Extra fields
 * are key/value string pairs.
 *
 * Never log CPR numbers, names, addresses or bearer tokens: log the
 * citizen_ref / case_id instead. tests/ scans every log line for CPR shapes.
 */
typedef enum jc_log_level {
        JC_LOG_DEBUG = 0,
        JC_LOG_INFO = 1,
        JC_LOG_WARN = 2,
        JC_LOG_ERROR = 3,
} jc_log_level;

typedef struct jc_kv {
        const char *key;
        const char *val; /* NULL: field omitted */
} jc_kv;

/* Sets the service name and minimum level, once at start-up. */
void jc_log_init(const char *service, jc_log_level min_level);
/* Parses "debug|info|warn|error"; returns -1 for anything else. */
int jc_log_level_parse(const char *s, jc_log_level *out);
int jc_log_enabled(jc_log_level lvl);

void jc_log_write(jc_log_level lvl, const jc_kv *fields, size_t nfields,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define JC_KV(...) (const jc_kv[]){__VA_ARGS__}, \
        (sizeof((const jc_kv[]){__VA_ARGS__}) / sizeof(jc_kv))

#define jc_log_debug(...) jc_log_write(JC_LOG_DEBUG, NULL, 0, __VA_ARGS__)
#define jc_log_info(...) jc_log_write(JC_LOG_INFO, NULL, 0, __VA_ARGS__)
#define jc_log_warn(...) jc_log_write(JC_LOG_WARN, NULL, 0, __VA_ARGS__)
#define jc_log_error(...) jc_log_write(JC_LOG_ERROR, NULL, 0, __VA_ARGS__)

/* For failures that repeat every retry (an outage): 1, and records the
 * time, when at least `interval_ms` passed since *last_ms; else 0. */
int jc_log_due(int64_t *last_ms, int64_t interval_ms);

/* Per-thread context copied into every line this thread logs. Strings are
 * copied (truncated to 64 bytes); NULL clears a field. */
void jc_log_ctx_set(const char *trace_id, const char *case_id,
                    const char *event_id);
void jc_log_ctx_set_case(const char *case_id);
void jc_log_ctx_clear(void);
/* The calling thread's trace id, "" when none (borrowed, thread-local). */
const char *jc_log_ctx_trace_id(void);

#endif
