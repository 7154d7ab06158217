/*
 * Prints the report (case_state_report's JSON) for a person to read.
 */
#ifndef REPORT_TEXT_H
#define REPORT_TEXT_H

#include <stdio.h>

#include <jansson.h>

/* Writes the report to `out`; `source` names where it was read from.
 * Returns 0, or -1 when writing failed. */
int report_print_text(FILE *out, const json_t *report, const char *source);

#endif
