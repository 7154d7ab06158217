/*
 * intake: citizens, cases and the a-kasse handover.
 * Handlers: cases_http.c. SQL: ../sql/ and stmts.c. Tests: tests/intake/.
 */
#include "intake.h"

extern const jc_embedded_file intake_migrations[];

static const jc_http_route intake_routes[] = {
        {"POST", "/v1/cases", "caseworker", intake_case_create, "case_create"},
        {"GET", "/v1/cases/{case_id}", "caseworker", intake_case_get, "case_get"},
        {NULL, NULL, NULL, NULL, NULL},
};

static const jc_service_def intake_def = {
        .name = "intake",
        .default_port = 8081,
        .routes = intake_routes,
        .stmts = intake_stmts,
        .migrations = intake_migrations,
};

int main(int argc, char **argv)
{
        return jc_service_main(&intake_def, argc, argv);
}
