#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "jc/pg.h"

struct jc_pg_pool {
        const jc_pg_config *cfg;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        size_t size;
        size_t in_use;
        size_t nidle;
        PGconn **idle; /* stack of open idle connections */
};

jc_pg_pool *jc_pg_pool_new(const jc_pg_config *cfg, size_t size)
{
        jc_pg_pool *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        p->idle = calloc(size ? size : 1, sizeof(PGconn *));
        if (!p->idle) {
                free(p);
                return NULL;
        }
        p->cfg = cfg;
        p->size = size ? size : 1;
        pthread_mutex_init(&p->lock, NULL);
        pthread_cond_init(&p->cond, NULL);
        return p;
}

PGconn *jc_pg_pool_get(jc_pg_pool *p, int timeout_ms, jc_pg_err *e)
{
        struct timespec deadline;
        PGconn *c = NULL;

        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&p->lock);
        while (p->in_use >= p->size) {
                if (pthread_cond_timedwait(&p->cond, &p->lock, &deadline) == ETIMEDOUT) {
                        pthread_mutex_unlock(&p->lock);
                        jc_pg_err_set(e, 1,
                                      "no database connection free within %d ms (pool of %zu)",
                                      timeout_ms, p->size);
                        return NULL;
                }
        }
        p->in_use++;
        if (p->nidle > 0)
                c = p->idle[--p->nidle];
        pthread_mutex_unlock(&p->lock);

        if (c && !jc_pg_alive(c)) {
                PQfinish(c);
                c = NULL;
        }
        if (!c)
                c = jc_pg_open(p->cfg, e);
        if (!c) {
                pthread_mutex_lock(&p->lock);
                p->in_use--;
                pthread_cond_signal(&p->cond);
                pthread_mutex_unlock(&p->lock);
        }
        return c;
}

void jc_pg_pool_put(jc_pg_pool *p, PGconn *c)
{
        if (c && PQstatus(c) == CONNECTION_OK &&
            PQtransactionStatus(c) != PQTRANS_IDLE) {
                PGresult *r = PQexec(c, "ROLLBACK");
                PQclear(r);
        }
        if (c && (PQstatus(c) != CONNECTION_OK ||
                  PQtransactionStatus(c) != PQTRANS_IDLE)) {
                PQfinish(c);
                c = NULL;
        }
        pthread_mutex_lock(&p->lock);
        if (c)
                p->idle[p->nidle++] = c;
        p->in_use--;
        pthread_cond_signal(&p->cond);
        pthread_mutex_unlock(&p->lock);
}

void jc_pg_pool_free(jc_pg_pool *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->nidle; i++)
                PQfinish(p->idle[i]);
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->cond);
        free(p->idle);
        free(p);
}
