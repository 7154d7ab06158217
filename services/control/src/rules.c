/*
 * control's rule data (rules/sanction_rules.json, loaded with jc/rules.h):
 * the consequence of a no-show per target group, the four sanction rates by
 * monthly benefit (R56), the hearing period, the availability course (R60).
 * The rule set in force on the day of the occurrence applies.
 */
#include <stdio.h>
#include <string.h>

#include "control.h"

static int in_list(json_t *arr, const char *s)
{
        size_t i;
        json_t *v;

        json_array_foreach(arr, i, v)
                if (s && json_is_string(v) && strcmp(json_string_value(v), s) == 0)
                        return 1;
        return 0;
}

/* The first rule of the set in force on `on` that has field `key` and, when
 * `target_group` is given, lists it. Borrowed. */
static json_t *find_rule(const ctl_ctx *ctx, jc_date on, const char *key, const char *target_group,
                         json_t **set_out)
{
        json_t *set = jc_rulebook_set_for(&ctx->rules, on), *rule;
        size_t i;

        if (set_out)
                *set_out = set;
        if (!set)
                return NULL;
        json_array_foreach(json_object_get(set, "rules"), i, rule) {
                if (!json_object_get(rule, key))
                        continue;
                if (target_group && !in_list(json_object_get(rule, "target_groups"), target_group))
                        continue;
                return rule;
        }
        return NULL;
}

const char *ctl_consequence_name(ctl_consequence c)
{
        switch (c) {
        case CTL_MUNICIPAL_SANCTION: return "municipal_sanction";
        case CTL_AKASSE_REPORT: return "akasse_report";
        case CTL_MANUAL_ASSESSMENT: break;
        }
        return "manual_assessment";
}

ctl_consequence ctl_rules_consequence(const ctl_ctx *ctx, const char *target_group, jc_date on,
                                      char rule_id[80])
{
        json_t *rule = find_rule(ctx, on, "consequence", target_group, NULL);
        const char *c = json_string_value(json_object_get(rule, "consequence"));

        if (rule_id)
                snprintf(rule_id, 80, "%s", rule ? json_string_value(json_object_get(rule, "id")) : "");
        if (c && strcmp(c, "municipal_sanction") == 0)
                return CTL_MUNICIPAL_SANCTION;
        if (c && strcmp(c, "akasse_report") == 0)
                return CTL_AKASSE_REPORT;
        return CTL_MANUAL_ASSESSMENT; /* no rule: a caseworker looks at it */
}

int ctl_rules_rate(const ctl_ctx *ctx, jc_date on, long long monthly_dkk, ctl_rate *out)
{
        json_t *set, *rule = find_rule(ctx, on, "rates", NULL, &set), *b;
        size_t i;

        if (!rule)
                return -1;
        json_array_foreach(json_object_get(rule, "rates"), i, b) {
                json_t *below = json_object_get(b, "below"), *up_to = json_object_get(b, "up_to");

                if ((below && monthly_dkk >= json_integer_value(below)) ||
                    (up_to && monthly_dkk > json_integer_value(up_to)))
                        continue;
                snprintf(out->kind, sizeof(out->kind), "%s",
                         json_string_value(json_object_get(b, "kind")));
                out->rate_dkk = (long)json_integer_value(json_object_get(b, "rate_dkk"));
                snprintf(out->rule_set, sizeof(out->rule_set), "%s",
                         json_string_value(json_object_get(set, "id")));
                snprintf(out->effective_from, sizeof(out->effective_from), "%s",
                         json_string_value(json_object_get(set, "valid_from")));
                return 0;
        }
        return -1;
}

long ctl_rules_hearing_days(const ctl_ctx *ctx, jc_date on)
{
        json_t *rule = find_rule(ctx, on, "hearing_days", NULL, NULL);

        return rule ? (long)json_integer_value(json_object_get(rule, "hearing_days")) : 14;
}

int ctl_rules_availability(const ctl_ctx *ctx, const char *target_group, jc_date on,
                           ctl_availability_rule *out)
{
        json_t *set, *rule = find_rule(ctx, on, "doubts", target_group, &set);

        if (!rule)
                return -1;
        snprintf(out->rule_set, sizeof(out->rule_set), "%s",
                 json_string_value(json_object_get(set, "id")));
        out->doubts = (long)json_integer_value(json_object_get(rule, "doubts"));
        out->window_days = (long)json_integer_value(json_object_get(rule, "window_days"));
        out->contact_every_days =
            (long)json_integer_value(json_object_get(rule, "contact_every_days"));
        out->assessment_after_days =
            (long)json_integer_value(json_object_get(rule, "assessment_after_days"));
        return 0;
}

/* Checks what control needs of the rule file, so a bad file stops start-up. */
int ctl_rules_check(const ctl_ctx *ctx, char *err, size_t errlen)
{
        size_t i;
        json_t *set;

        json_array_foreach(ctx->rules.sets, i, set) {
                const char *id = json_string_value(json_object_get(set, "id"));
                size_t j;
                json_t *rule;

                json_array_foreach(json_object_get(set, "rules"), j, rule) {
                        const char *rid = json_string_value(json_object_get(rule, "id"));
                        json_t *c = json_object_get(rule, "consequence"), *rates;
                        size_t k;
                        json_t *b;

                        if (c && (!json_is_string(c) ||
                                  (strcmp(json_string_value(c), "municipal_sanction") != 0 &&
                                   strcmp(json_string_value(c), "akasse_report") != 0 &&
                                   strcmp(json_string_value(c), "manual_assessment") != 0))) {
                                snprintf(err, errlen, "sanction rules: %s/%s: unknown consequence",
                                         id, rid);
                                return -1;
                        }
                        if ((c || json_object_get(rule, "doubts")) &&
                            !json_is_array(json_object_get(rule, "target_groups"))) {
                                snprintf(err, errlen, "sanction rules: %s/%s needs target_groups",
                                         id, rid);
                                return -1;
                        }
                        if (json_object_get(rule, "doubts") &&
                            (json_integer_value(json_object_get(rule, "doubts")) < 1 ||
                             json_integer_value(json_object_get(rule, "window_days")) < 1 ||
                             json_integer_value(json_object_get(rule, "contact_every_days")) < 1 ||
                             json_integer_value(json_object_get(rule, "assessment_after_days")) < 1)) {
                                snprintf(err, errlen,
                                         "sanction rules: %s/%s: doubts, window_days, "
                                         "contact_every_days and assessment_after_days must be "
                                         "positive integers",
                                         id, rid);
                                return -1;
                        }
                        rates = json_object_get(rule, "rates");
                        json_array_foreach(rates, k, b) {
                                json_t *below = json_object_get(b, "below");
                                json_t *up_to = json_object_get(b, "up_to");

                                if (!json_is_string(json_object_get(b, "kind")) ||
                                    !json_is_integer(json_object_get(b, "rate_dkk")) ||
                                    (below && !json_is_integer(below)) ||
                                    (up_to && !json_is_integer(up_to))) {
                                        snprintf(err, errlen,
                                                 "sanction rules: %s/%s rates[%zu] needs kind, "
                                                 "rate_dkk and whole-kroner brackets",
                                                 id, rid, k);
                                        return -1;
                                }
                        }
                }
        }
        return 0;
}
