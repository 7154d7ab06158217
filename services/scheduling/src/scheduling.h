#ifndef SCHEDULING_H
#define SCHEDULING_H

#include "jc/consumer.h"
#include "jc/service.h"

#define SCHED_CASE_TOPIC "jobcenter.case.v1"

extern const jc_pg_stmt sched_stmts[];

/* Consumed events (case_events.c). */
jc_handle_result sched_on_case_opened(jc_consume_ctx *ctx);

#endif
