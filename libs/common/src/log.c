#include "jc/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jc/buf.h"
#include "jc/timeutil.h"

/* Set once in main before any thread starts; read-only afterwards. */
static char log_service[64] = "jobcenter";
static jc_log_level log_min = JC_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct log_ctx {
        char trace_id[65];
        char case_id[65];
        char event_id[65];
} log_ctx;

static _Thread_local log_ctx tls_ctx;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void jc_log_init(const char *service, jc_log_level min_level)
{
        snprintf(log_service, sizeof(log_service), "%s", service);
        log_min = min_level;
}

int jc_log_level_parse(const char *s, jc_log_level *out)
{
        for (int i = 0; i < 4; i++) {
                if (strcmp(s, level_names[i]) == 0) {
                        *out = (jc_log_level)i;
                        return 0;
                }
        }
        return -1;
}

int jc_log_enabled(jc_log_level lvl)
{
        return lvl >= log_min;
}

int jc_log_due(int64_t *last_ms, int64_t interval_ms)
{
        int64_t now = jc_time_mono_ms();

        if (*last_ms && now - *last_ms < interval_ms)
                return 0;
        *last_ms = now;
        return 1;
}

static void ctx_copy(char *dst, const char *src)
{
        snprintf(dst, 65, "%s", src ? src : "");
}

void jc_log_ctx_set(const char *trace_id, const char *case_id,
                    const char *event_id)
{
        ctx_copy(tls_ctx.trace_id, trace_id);
        ctx_copy(tls_ctx.case_id, case_id);
        ctx_copy(tls_ctx.event_id, event_id);
}

void jc_log_ctx_set_case(const char *case_id)
{
        ctx_copy(tls_ctx.case_id, case_id);
}

void jc_log_ctx_clear(void)
{
        memset(&tls_ctx, 0, sizeof(tls_ctx));
}

const char *jc_log_ctx_trace_id(void)
{
        return tls_ctx.trace_id;
}

static void add_field(jc_buf *b, const char *key, const char *val)
{
        if (!val || !*val)
                return;
        jc_buf_appends(b, ",");
        jc_buf_append_json_str(b, key);
        jc_buf_appends(b, ":");
        jc_buf_append_json_str(b, val);
}

void jc_log_write(jc_log_level lvl, const jc_kv *fields, size_t nfields,
                  const char *fmt, ...)
{
        jc_buf line = JC_BUF_INIT, msg = JC_BUF_INIT;
        char ts[40];
        va_list ap;

        if (lvl < log_min)
                return;
        va_start(ap, fmt);
        jc_buf_vappendf(&msg, fmt, ap);
        va_end(ap);
        jc_time_now_rfc3339(ts, sizeof(ts));

        jc_buf_appends(&line, "{\"ts\":");
        jc_buf_append_json_str(&line, ts);
        jc_buf_appends(&line, ",\"level\":");
        jc_buf_append_json_str(&line, level_names[lvl]);
        jc_buf_appends(&line, ",\"service\":");
        jc_buf_append_json_str(&line, log_service);
        jc_buf_appends(&line, ",\"msg\":");
        jc_buf_append_json_str(&line, msg.data);
        add_field(&line, "trace_id", tls_ctx.trace_id);
        add_field(&line, "case_id", tls_ctx.case_id);
        add_field(&line, "event_id", tls_ctx.event_id);
        for (size_t i = 0; i < nfields; i++)
                add_field(&line, fields[i].key, fields[i].val);
        jc_buf_appends(&line, "}\n");

        pthread_mutex_lock(&log_lock);
        {
                const char *p = line.data;
                size_t left = line.len;

                while (left > 0) {
                        ssize_t n = write(STDERR_FILENO, p, left);
                        if (n <= 0)
                                break;
                        p += n;
                        left -= (size_t)n;
                }
        }
        pthread_mutex_unlock(&log_lock);
        jc_buf_release(&line);
        jc_buf_release(&msg);
}
