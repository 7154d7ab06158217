/*
 * Contact rules: which obligations the rule set in force requires of a case
 * (rules/contact_rules.json, loaded with jc/rules.h).
 */
#include <stdio.h>
#include <string.h>

#include "jc/calendar.h"
#include "jc/vocab.h"
#include "scheduling.h"

static int in_list(json_t *arr, const char *s)
{
        size_t i;
        json_t *v;

        json_array_foreach(arr, i, v)
                if (s && json_is_string(v) && strcmp(json_string_value(v), s) == 0)
                        return 1;
        return 0;
}

jc_date sched_roll(const jc_calendar *cal, jc_date d, const char *roll)
{
        if (strcmp(roll, "previous_working_day") == 0)
                return jc_calendar_prev_working_day(cal, d);
        if (strcmp(roll, "next_working_day") == 0)
                return jc_calendar_next_working_day(cal, d);
        return d;
}

/* start + the offset {"months", "weeks", "days", "working_days"}. */
static jc_date apply_offset(const jc_calendar *cal, jc_date start, json_t *due)
{
        jc_date d = start;
        json_t *v;

        if ((v = json_object_get(due, "months")))
                d = jc_date_add_months(d, (int32_t)json_integer_value(v));
        if ((v = json_object_get(due, "weeks")))
                d = jc_date_add_weeks(d, (int32_t)json_integer_value(v));
        if ((v = json_object_get(due, "days")))
                d = jc_date_add_days(d, (int32_t)json_integer_value(v));
        if ((v = json_object_get(due, "working_days")))
                d = jc_calendar_add_working_days(cal, d, (int)json_integer_value(v));
        return d;
}

int sched_rules_derive(const sched_ctx *ctx, const jc_calendar *cal, const char *target_group,
                       const char *visitation, jc_date start, sched_obligation_spec *out,
                       size_t max, char rule_set[48])
{
        json_t *set = jc_rulebook_set_for(&ctx->rules, start), *rule;
        size_t n = 0, i;

        if (!set)
                return -1;
        snprintf(rule_set, 48, "%s", json_string_value(json_object_get(set, "id")));
        json_array_foreach(json_object_get(set, "rules"), i, rule) {
                const char *roll = json_string_value(json_object_get(rule, "roll"));
                json_t *ob;
                size_t j;

                if (!in_list(json_object_get(rule, "target_groups"), target_group) ||
                    in_list(json_object_get(rule, "visitation_excluded"), visitation))
                        continue;
                json_array_foreach(json_object_get(rule, "obligations"), j, ob) {
                        sched_obligation_spec *s;
                        const char *resp = json_string_value(json_object_get(ob, "responsible"));

                        if (n == max)
                                return (int)n;
                        s = &out[n++];
                        memset(s, 0, sizeof(*s));
                        snprintf(s->kind, sizeof(s->kind), "%s",
                                 json_string_value(json_object_get(ob, "kind")));
                        s->ordinal = (int)json_integer_value(json_object_get(ob, "ordinal"));
                        snprintf(s->roll, sizeof(s->roll), "%s", roll ? roll : "none");
                        s->due = sched_roll(cal, apply_offset(cal, start, json_object_get(ob, "due")),
                                            s->roll);
                        snprintf(s->responsible, sizeof(s->responsible), "%s",
                                 resp ? resp : "jobcenter");
                        snprintf(s->rule_id, sizeof(s->rule_id), "%s",
                                 json_string_value(json_object_get(rule, "id")));
                        s->akasse_meetings = json_is_true(json_object_get(rule, "akasse_meetings"));
                        s->offer_fulfils = json_is_true(json_object_get(ob, "fulfilled_by_offer"));
                }
        }
        return (int)n;
}

const char *sched_rules_source(const sched_ctx *ctx, const char *rule_set, const char *rule_id)
{
        json_t *set = jc_rulebook_set_by_id(&ctx->rules, rule_set), *rule;
        size_t i;

        json_array_foreach(json_object_get(set, "rules"), i, rule) {
                const char *id = json_string_value(json_object_get(rule, "id"));

                if (id && strcmp(id, rule_id) == 0) {
                        const char *src = json_string_value(json_object_get(rule, "source"));
                        return src ? src : "";
                }
        }
        return "";
}

static const char *const sched_kinds[] = {"meeting", "reassessment", "youth_contact", NULL};
static const char *const sched_rolls[] = {"none", "previous_working_day", "next_working_day", NULL};
static const char *const sched_responsible[] = {"jobcenter", "akasse", NULL};
static const char *const sched_due_keys[] = {"months", "weeks", "days", "working_days", NULL};

/* Every entry of `arr` (required, non-empty) is a string in `vocab`. */
static int check_list(json_t *arr, const char *const *vocab, int required, const char *what,
                      char *err, size_t errlen)
{
        size_t i;
        json_t *v;

        if (!arr && !required)
                return 0;
        if (!json_is_array(arr) || (required && json_array_size(arr) == 0)) {
                snprintf(err, errlen, "%s must be a non-empty array", what);
                return -1;
        }
        json_array_foreach(arr, i, v) {
                if (!json_is_string(v) || !jc_vocab_has(vocab, json_string_value(v))) {
                        snprintf(err, errlen, "%s[%zu] is not a known value", what, i);
                        return -1;
                }
        }
        return 0;
}

static int check_obligation(json_t *ob, char *err, size_t errlen)
{
        json_t *due = json_object_get(ob, "due"), *v;
        const char *key, *kind = json_string_value(json_object_get(ob, "kind"));
        const char *resp = json_string_value(json_object_get(ob, "responsible"));
        json_int_t ordinal = json_integer_value(json_object_get(ob, "ordinal"));

        if (!kind || !jc_vocab_has(sched_kinds, kind)) {
                snprintf(err, errlen, "kind must be meeting, reassessment or youth_contact");
                return -1;
        }
        if (!json_is_integer(json_object_get(ob, "ordinal")) || ordinal < 1 || ordinal > 99) {
                snprintf(err, errlen, "ordinal must be an integer from 1 to 99");
                return -1;
        }
        if (!json_is_object(due) || json_object_size(due) == 0) {
                snprintf(err, errlen, "due must be an offset object such as {\"months\": 6}");
                return -1;
        }
        json_object_foreach(due, key, v) {
                if (!jc_vocab_has(sched_due_keys, key) || !json_is_integer(v) ||
                    json_integer_value(v) < -400 || json_integer_value(v) > 400) {
                        snprintf(err, errlen,
                                 "due.%.40s: use months, weeks, days or working_days with an integer from -400 to 400",
                                 key);
                        return -1;
                }
        }
        if (json_object_get(ob, "responsible") && (!resp || !jc_vocab_has(sched_responsible, resp))) {
                snprintf(err, errlen, "responsible must be jobcenter or akasse");
                return -1;
        }
        v = json_object_get(ob, "fulfilled_by_offer");
        if (v && !json_is_boolean(v)) {
                snprintf(err, errlen, "fulfilled_by_offer must be true or false");
                return -1;
        }
        return 0;
}

int sched_rules_check(const jc_rulebook *rb, char *err, size_t errlen)
{
        char what[400];
        json_t *set, *rule, *ob;
        size_t i, j, k;

        json_array_foreach(rb->sets, i, set) {
                const char *set_id = json_string_value(json_object_get(set, "id"));
                size_t total = 0;

                json_array_foreach(json_object_get(set, "rules"), j, rule) {
                        const char *rule_id = json_string_value(json_object_get(rule, "id"));
                        const char *roll = json_string_value(json_object_get(rule, "roll"));
                        json_t *obs = json_object_get(rule, "obligations");

                        snprintf(what, sizeof(what), "rule set %s, rule %s: target_groups", set_id,
                                 rule_id);
                        if (check_list(json_object_get(rule, "target_groups"), jc_target_groups, 1,
                                       what, err, errlen) != 0)
                                return -1;
                        snprintf(what, sizeof(what), "rule set %s, rule %s: visitation_excluded",
                                 set_id, rule_id);
                        if (check_list(json_object_get(rule, "visitation_excluded"),
                                       jc_visitation_categories, 0, what, err, errlen) != 0)
                                return -1;
                        if (json_object_get(rule, "roll") && (!roll || !jc_vocab_has(sched_rolls, roll))) {
                                snprintf(err, errlen,
                                         "rule set %s, rule %s: roll must be none, previous_working_day or next_working_day",
                                         set_id, rule_id);
                                return -1;
                        }
                        if (!json_is_array(obs) || json_array_size(obs) == 0) {
                                snprintf(err, errlen,
                                         "rule set %s, rule %s: obligations must be a non-empty array",
                                         set_id, rule_id);
                                return -1;
                        }
                        json_array_foreach(obs, k, ob) {
                                char why[200];

                                if (check_obligation(ob, why, sizeof(why)) != 0) {
                                        snprintf(err, errlen,
                                                 "rule set %s, rule %s, obligations[%zu]: %s",
                                                 set_id, rule_id, k, why);
                                        return -1;
                                }
                        }
                        total += json_array_size(obs);
                }
                if (total > SCHED_MAX_OBLIGATIONS) {
                        snprintf(err, errlen,
                                 "rule set %s: %zu obligations in all; a target group can have at most %d",
                                 set_id, total, SCHED_MAX_OBLIGATIONS);
                        return -1;
                }
        }
        return 0;
}
