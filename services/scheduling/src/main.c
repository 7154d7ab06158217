/*
 * scheduling: contact obligations, meetings, calendars, the timeliness measure.
 * Consumed events: case_events.c. SQL: ../sql/ and stmts.c. Tests: tests/scheduling/.
 */
#include "scheduling.h"

extern const jc_embedded_file scheduling_migrations[];

static const char *const sched_topics[] = {SCHED_CASE_TOPIC, NULL};

static const jc_event_handler sched_handlers[] = {
        {SCHED_CASE_TOPIC, "case.opened.v1", sched_on_case_opened},
        {NULL, NULL, NULL},
};

static const jc_service_def sched_def = {
        .name = "scheduling",
        .default_port = 8082,
        .consume_topics = sched_topics,
        .handlers = sched_handlers,
        .stmts = sched_stmts,
        .migrations = scheduling_migrations,
};

int main(int argc, char **argv)
{
        return jc_service_main(&sched_def, argc, argv);
}
