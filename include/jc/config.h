#ifndef JC_CONFIG_H
#define JC_CONFIG_H

#include <stddef.h>
#include <stdio.h>

/*
 * Configuration comes from environment variables, each with a default that
 * works on the dev stack. Every variable a binary reads is declared in a
 * jc_config_var table, so `<binary> --print-config` can print the table the
 * README documents (tests/integration checks the README lists them all).
 */
typedef struct jc_config_var {
        const char *name;
        const char *default_value; /* NULL: no default (unset = off/empty) */
        const char *help;
} jc_config_var;

/* The variable's value, or `def` when unset or empty. Borrowed: points into
 * the environment or at `def`. */
const char *jc_config_str(const char *name, const char *def);

/* Integer in [min, max]. Returns 0, or -1 with a message naming the variable
 * in `err`. */
int jc_config_long(const char *name, long def, long min, long max, long *out,
                   char *err, size_t errlen);
/* "1/true/yes/on" or "0/false/no/off". */
int jc_config_bool(const char *name, int def, int *out, char *err,
                   size_t errlen);

/* Prints `vars` as Markdown table rows: | name | default | help |. */
void jc_config_print_markdown(const jc_config_var *vars, size_t n, FILE *out);

#endif
