#include "jc/metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 12
static const double bucket_bounds[NBUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,   0.25,   0.5,   1,    2.5,   10};

typedef enum series_kind { KIND_COUNTER, KIND_GAUGE, KIND_HISTOGRAM } series_kind;

typedef struct series {
        char *name;
        char *help;
        char *labels;
        series_kind kind;
        double value; /* counter/gauge value; histogram sum */
        unsigned long long count;
        unsigned long long buckets[NBUCKETS];
} series;

struct jc_metrics {
        pthread_mutex_t lock;
        series *s;
        size_t n, cap;
};

jc_metrics *jc_metrics_new(void)
{
        jc_metrics *m = calloc(1, sizeof(*m));

        if (m)
                pthread_mutex_init(&m->lock, NULL);
        return m;
}

void jc_metrics_free(jc_metrics *m)
{
        if (!m)
                return;
        for (size_t i = 0; i < m->n; i++) {
                free(m->s[i].name);
                free(m->s[i].help);
                free(m->s[i].labels);
        }
        free(m->s);
        pthread_mutex_destroy(&m->lock);
        free(m);
}

/* Finds or creates a series; call with the lock held. NULL when out of
 * memory (the observation is then dropped, never the request). */
static series *find(jc_metrics *m, const char *name, const char *help,
                    const char *labels, series_kind kind)
{
        series *s;

        for (size_t i = 0; i < m->n; i++)
                if (strcmp(m->s[i].name, name) == 0 &&
                    strcmp(m->s[i].labels, labels) == 0)
                        return &m->s[i];
        if (m->n == m->cap) {
                size_t cap = m->cap ? m->cap * 2 : 32;
                series *p = realloc(m->s, cap * sizeof(*p));

                if (!p)
                        return NULL;
                m->s = p;
                m->cap = cap;
        }
        s = &m->s[m->n];
        memset(s, 0, sizeof(*s));
        s->name = strdup(name);
        s->help = strdup(help);
        s->labels = strdup(labels);
        s->kind = kind;
        if (!s->name || !s->help || !s->labels) {
                free(s->name);
                free(s->help);
                free(s->labels);
                return NULL;
        }
        m->n++;
        return s;
}

void jc_metrics_counter_add(jc_metrics *m, const char *name, const char *help,
                            const char *labels, double delta)
{
        series *s;

        if (!m)
                return;
        pthread_mutex_lock(&m->lock);
        s = find(m, name, help, labels, KIND_COUNTER);
        if (s)
                s->value += delta;
        pthread_mutex_unlock(&m->lock);
}

void jc_metrics_gauge_set(jc_metrics *m, const char *name, const char *help,
                          const char *labels, double value)
{
        series *s;

        if (!m)
                return;
        pthread_mutex_lock(&m->lock);
        s = find(m, name, help, labels, KIND_GAUGE);
        if (s)
                s->value = value;
        pthread_mutex_unlock(&m->lock);
}

void jc_metrics_observe(jc_metrics *m, const char *name, const char *help,
                        const char *labels, double seconds)
{
        series *s;

        if (!m)
                return;
        pthread_mutex_lock(&m->lock);
        s = find(m, name, help, labels, KIND_HISTOGRAM);
        if (s) {
                s->value += seconds;
                s->count++;
                for (int i = 0; i < NBUCKETS; i++)
                        if (seconds <= bucket_bounds[i])
                                s->buckets[i]++;
        }
        pthread_mutex_unlock(&m->lock);
}

static void render_labels(jc_buf *out, const char *labels, const char *extra)
{
        if (!*labels && !extra)
                return;
        jc_buf_appends(out, "{");
        jc_buf_appends(out, labels);
        if (extra)
                jc_buf_appendf(out, "%s%s", *labels ? "," : "", extra);
        jc_buf_appends(out, "}");
}

int jc_metrics_render(jc_metrics *m, jc_buf *out)
{
        static const char *const kinds[] = {"counter", "gauge", "histogram"};
        char *done;

        pthread_mutex_lock(&m->lock);
        done = calloc(m->n ? m->n : 1, 1);
        if (!done) {
                pthread_mutex_unlock(&m->lock);
                return -1;
        }
        for (size_t i = 0; i < m->n; i++) {
                if (done[i])
                        continue;
                jc_buf_appendf(out, "# HELP %s %s\n# TYPE %s %s\n", m->s[i].name,
                               m->s[i].help, m->s[i].name, kinds[m->s[i].kind]);
                for (size_t j = i; j < m->n; j++) {
                        series *s = &m->s[j];

                        if (done[j] || strcmp(s->name, m->s[i].name) != 0)
                                continue;
                        done[j] = 1;
                        if (s->kind != KIND_HISTOGRAM) {
                                jc_buf_appends(out, s->name);
                                render_labels(out, s->labels, NULL);
                                jc_buf_appendf(out, " %.17g\n", s->value);
                                continue;
                        }
                        for (int b = 0; b <= NBUCKETS; b++) {
                                char le[48];

                                if (b < NBUCKETS)
                                        snprintf(le, sizeof(le), "le=\"%g\"", bucket_bounds[b]);
                                else
                                        snprintf(le, sizeof(le), "le=\"+Inf\"");
                                jc_buf_appendf(out, "%s_bucket", s->name);
                                render_labels(out, s->labels, le);
                                jc_buf_appendf(out, " %llu\n",
                                               b < NBUCKETS ? s->buckets[b] : s->count);
                        }
                        jc_buf_appendf(out, "%s_sum", s->name);
                        render_labels(out, s->labels, NULL);
                        jc_buf_appendf(out, " %.17g\n%s_count", s->value, s->name);
                        render_labels(out, s->labels, NULL);
                        jc_buf_appendf(out, " %llu\n", s->count);
                }
        }
        free(done);
        pthread_mutex_unlock(&m->lock);
        return 0;
}
