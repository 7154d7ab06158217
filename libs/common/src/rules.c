#include "jc/rules.h"

#include <stdio.h>
#include <string.h>

static int check_sets(json_t *sets, char *err, size_t errlen)
{
        jc_date prev = {0, 0, 0};
        size_t i;
        json_t *set;

        if (!json_is_array(sets) || json_array_size(sets) == 0) {
                snprintf(err, errlen, "rulebook: \"rule_sets\" must be a non-empty array");
                return -1;
        }
        json_array_foreach(sets, i, set) {
                const char *id = json_string_value(json_object_get(set, "id"));
                const char *from = json_string_value(json_object_get(set, "valid_from"));
                json_t *rules = json_object_get(set, "rules");
                jc_date d;
                size_t j;
                json_t *rule;

                if (!id || !from || jc_date_parse(from, &d) != 0 || !json_is_array(rules)) {
                        snprintf(err, errlen,
                                 "rulebook: rule_sets[%zu] needs id, valid_from (YYYY-MM-DD) and rules",
                                 i);
                        return -1;
                }
                if (i > 0 && jc_date_cmp(d, prev) <= 0) {
                        snprintf(err, errlen,
                                 "rulebook: rule set \"%s\" must come after the previous one (valid_from in order)",
                                 id);
                        return -1;
                }
                prev = d;
                json_array_foreach(rules, j, rule) {
                        const char *rid = json_string_value(json_object_get(rule, "id"));

                        if (!rid || !*rid) {
                                snprintf(err, errlen, "rulebook: rule set \"%s\" rules[%zu] has no id",
                                         id, j);
                                return -1;
                        }
                        for (size_t k = 0; k < j; k++) {
                                const char *other = json_string_value(
                                    json_object_get(json_array_get(rules, k), "id"));

                                if (strcmp(other, rid) == 0) {
                                        snprintf(err, errlen,
                                                 "rulebook: rule set \"%s\" has two rules with id \"%s\"",
                                                 id, rid);
                                        return -1;
                                }
                        }
                }
                for (size_t k = 0; k < i; k++) {
                        const char *other =
                            json_string_value(json_object_get(json_array_get(sets, k), "id"));

                        if (strcmp(other, id) == 0) {
                                snprintf(err, errlen, "rulebook: two rule sets have id \"%s\"", id);
                                return -1;
                        }
                }
        }
        return 0;
}

int jc_rulebook_load(jc_rulebook *rb, const char *path, const jc_embedded_file *embedded,
                     char *err, size_t errlen)
{
        json_error_t jerr;

        memset(rb, 0, sizeof(*rb));
        if (path)
                rb->root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        else if (embedded && embedded->name)
                rb->root = json_loadb(embedded->data, embedded->len, JSON_REJECT_DUPLICATES, &jerr);
        else {
                snprintf(err, errlen, "rulebook: no rule file");
                return -1;
        }
        if (!rb->root) {
                snprintf(err, errlen, "could not parse rulebook %s: %s (line %d)",
                         path ? path : embedded->name, jerr.text, jerr.line);
                return -1;
        }
        rb->sets = json_object_get(rb->root, "rule_sets");
        if (check_sets(rb->sets, err, errlen) != 0) {
                jc_rulebook_release(rb);
                return -1;
        }
        return 0;
}

void jc_rulebook_release(jc_rulebook *rb)
{
        json_decref(rb->root);
        memset(rb, 0, sizeof(*rb));
}

json_t *jc_rulebook_set_for(const jc_rulebook *rb, jc_date d)
{
        json_t *found = NULL, *set;
        size_t i;

        json_array_foreach(rb->sets, i, set) {
                jc_date from;

                jc_date_parse(json_string_value(json_object_get(set, "valid_from")), &from);
                if (jc_date_cmp(from, d) <= 0)
                        found = set;
        }
        return found;
}

json_t *jc_rulebook_set_by_id(const jc_rulebook *rb, const char *id)
{
        json_t *set;
        size_t i;

        json_array_foreach(rb->sets, i, set)
                if (strcmp(json_string_value(json_object_get(set, "id")), id) == 0)
                        return set;
        return NULL;
}
