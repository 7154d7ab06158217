#ifndef JC_RULES_H
#define JC_RULES_H

#include <jansson.h>
#include <stddef.h>

#include "jc/date.h"
#include "jc/embed.h"

/*
 * Effective-dated rule sets as data. The law changes (2020 LAB reform, the
 * 2024 a-kasse handover, the 2025 work obligation); a case follows the rule
 * set in force on its start date, and a new rule set is a new entry in the
 * file, not new code.
 *
 *   {"rule_sets": [
 *     {"id": "lab-2020", "valid_from": "2020-01-01", "description": "…",
 *      "rules": [{"id": "R1-four-meetings", …service-specific fields…}, …]},
 *     {"id": "lab-2024", "valid_from": "2024-01-01", "rules": […]}]}
 *
 * What a rule means is the service's business (scheduling's contact
 * cadences, offers' deadlines); this module loads the file, checks the
 * envelope (unique ids, valid_from dates in order, rules with ids) and picks
 * the set in force on a date.
 */
typedef struct jc_rulebook {
        json_t *root;   /* owned */
        json_t *sets;   /* borrowed from root, sorted by valid_from */
} jc_rulebook;

/* Loads `path`, or the compiled-in `embedded` file when `path` is NULL.
 * Release with jc_rulebook_release(). Returns 0, or -1 with `err` naming
 * what is wrong (rule set index, field). */
int jc_rulebook_load(jc_rulebook *rb, const char *path, const jc_embedded_file *embedded,
                     char *err, size_t errlen);
void jc_rulebook_release(jc_rulebook *rb);

/* The rule set in force on `d` (the latest with valid_from <= d), or NULL
 * when `d` is before every set. Borrowed from `rb`. */
json_t *jc_rulebook_set_for(const jc_rulebook *rb, jc_date d);
/* The rule set with this id, or NULL. Borrowed. */
json_t *jc_rulebook_set_by_id(const jc_rulebook *rb, const char *id);

#endif
