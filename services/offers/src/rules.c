/*
 * The rulebook: the offer-type catalogue and the effective-dated rule sets
 * (rules/offer_rules.json, compiled in; JC_OFFERS_RULES_FILE overrides it),
 * checked and compiled into structs once at start-up so handlers never
 * interpret JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/vocab.h"
#include "offers.h"

extern const jc_embedded_file offers_rules[]; /* ../rules/offer_rules.json (service.cmake) */

static const char *const provider_kinds[] = {"employer", "provider", "municipal", NULL};
static const char *const obligations[] = {"active_offer", "youth_offer", "immediate_activation",
                                          NULL};

static int flag(json_t *o, const char *key)
{
        return json_is_true(json_object_get(o, key));
}

static int parse_type(json_t *t, size_t i, offers_type *out, char *err, size_t errlen)
{
        json_t *kinds = json_object_get(t, "provider_kinds"), *k;
        const char *sector;
        size_t j;

        memset(out, 0, sizeof(*out));
        out->json = t;
        out->code = json_string_value(json_object_get(t, "code"));
        out->category = json_string_value(json_object_get(t, "category"));
        if (!out->code || !*out->code || strlen(out->code) > 60 ||
            strspn(out->code, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(out->code)) {
                snprintf(err, errlen, "rulebook: offer_types[%zu].code must be 1-60 of a-z, 0-9, -",
                         i);
                return -1;
        }
        if (!out->category || !json_is_string(json_object_get(t, "name_da")) ||
            !json_is_string(json_object_get(t, "name_en"))) {
                snprintf(err, errlen, "rulebook: offer type \"%s\" needs name_da, name_en, category",
                         out->code);
                return -1;
        }
        out->company_oriented = flag(t, "company_oriented");
        out->active_offer = flag(t, "active_offer");
        out->work_duty_hours = flag(t, "work_duty_hours");
        if (!json_is_array(kinds) || json_array_size(kinds) == 0 ||
            json_array_size(kinds) > OFFERS_MAX_KINDS) {
                snprintf(err, errlen, "rulebook: offer type \"%s\" needs provider_kinds (1-%d)",
                         out->code, OFFERS_MAX_KINDS);
                return -1;
        }
        json_array_foreach(kinds, j, k) {
                if (!jc_vocab_has(provider_kinds, json_string_value(k))) {
                        snprintf(err, errlen,
                                 "rulebook: offer type \"%s\" provider_kinds[%zu] must be employer, provider or municipal",
                                 out->code, j);
                        return -1;
                }
                out->provider_kinds[out->nprovider_kinds++] = json_string_value(k);
        }
        sector = json_string_value(json_object_get(t, "employer_sector"));
        if (json_object_get(t, "employer_sector") &&
            (!sector || (strcmp(sector, "private") != 0 && strcmp(sector, "public") != 0))) {
                snprintf(err, errlen,
                         "rulebook: offer type \"%s\" employer_sector must be private or public",
                         out->code);
                return -1;
        }
        out->employer_sector = sector;
        return 0;
}

static int parse_types(offers_rulebook *r, char *err, size_t errlen)
{
        json_t *types = json_object_get(r->book.root, "offer_types"), *t;
        size_t i;

        if (!json_is_array(types) || json_array_size(types) == 0 ||
            json_array_size(types) > OFFERS_MAX_TYPES) {
                snprintf(err, errlen, "rulebook: \"offer_types\" must be an array of 1-%d types",
                         OFFERS_MAX_TYPES);
                return -1;
        }
        r->types = calloc(json_array_size(types), sizeof(*r->types));
        if (!r->types) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        json_array_foreach(types, i, t) {
                if (parse_type(t, i, &r->types[i], err, errlen) != 0)
                        return -1;
                if (offers_rules_type(r, r->types[i].code)) {
                        snprintf(err, errlen, "rulebook: offer type \"%s\" is listed twice",
                                 r->types[i].code);
                        return -1;
                }
                r->ntypes++;
        }
        return 0;
}

/* Copies a string array of target groups, checking each against the vocabulary. */
static int parse_groups(json_t *arr, const char *rule, const char **out, size_t *n, char *err,
                        size_t errlen)
{
        json_t *g;
        size_t i;

        *n = 0;
        if (!json_is_array(arr) || json_array_size(arr) == 0 ||
            json_array_size(arr) > OFFERS_MAX_GROUPS) {
                snprintf(err, errlen, "rulebook: rule \"%s\" needs a list of target groups", rule);
                return -1;
        }
        json_array_foreach(arr, i, g) {
                if (!jc_vocab_has(jc_target_groups, json_string_value(g))) {
                        snprintf(err, errlen, "rulebook: rule \"%s\" target group %zu is not a target group",
                                 rule, i);
                        return -1;
                }
                out[(*n)++] = json_string_value(g);
        }
        return 0;
}

static int positive_int(json_t *rule, const char *key, int min, int max, int *out)
{
        json_t *v = json_object_get(rule, key);

        if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
                return -1;
        *out = (int)json_integer_value(v);
        return 0;
}

static int parse_deadline(offers_rulebook *r, json_t *rule, const char *id, offers_deadline_rule *d,
                          char *err, size_t errlen)
{
        json_t *triggers = json_object_get(rule, "triggers"), *sat, *x;
        char why[160];
        size_t i;

        memset(d, 0, sizeof(*d));
        d->id = id;
        d->obligation = json_string_value(json_object_get(rule, "obligation"));
        d->description = json_string_value(json_object_get(rule, "description"));
        d->source = json_string_value(json_object_get(rule, "source"));
        if (!jc_vocab_has(obligations, d->obligation)) {
                snprintf(err, errlen,
                         "rulebook: rule \"%s\" obligation must be active_offer, youth_offer or immediate_activation",
                         id);
                return -1;
        }
        if (parse_groups(json_object_get(rule, "target_groups"), id, d->target_groups, &d->ngroups,
                         err, errlen) != 0)
                return -1;
        if (!json_is_array(triggers) || json_array_size(triggers) == 0) {
                snprintf(err, errlen, "rulebook: rule \"%s\" needs triggers", id);
                return -1;
        }
        json_array_foreach(triggers, i, x) {
                const char *t = json_string_value(x);

                if (t && strcmp(t, "case_opened") == 0)
                        d->on_case_opened = 1;
                else if (t && strcmp(t, "target_group_changed") == 0)
                        d->on_group_changed = 1;
                else {
                        snprintf(err, errlen,
                                 "rulebook: rule \"%s\" triggers must be case_opened or target_group_changed",
                                 id);
                        return -1;
                }
        }
        if (offers_period_parse(json_object_get(rule, "due"), OFFERS_ROLL_PREVIOUS, &d->due, why,
                                sizeof(why)) != 0 ||
            offers_period_parse(json_object_get(rule, "warn"), OFFERS_ROLL_PREVIOUS, &d->warn, why,
                                sizeof(why)) != 0) {
                snprintf(err, errlen, "rulebook: rule \"%s\" due/warn: %s", id, why);
                return -1;
        }
        if (d->due.unit == OFFERS_WORKING_DAYS && !json_object_get(json_object_get(rule, "due"),
                                                                  "if_not_working_day"))
                d->due.roll = OFFERS_ROLL_KEEP; /* already a working day (n > 0) */
        sat = json_object_get(rule, "satisfied_by");
        if (!json_is_array(sat) || json_array_size(sat) == 0 ||
            json_array_size(sat) > OFFERS_MAX_TYPES) {
                snprintf(err, errlen, "rulebook: rule \"%s\" needs satisfied_by (offer types)", id);
                return -1;
        }
        json_array_foreach(sat, i, x) {
                if (!json_is_string(x) || !offers_rules_type(r, json_string_value(x))) {
                        snprintf(err, errlen,
                                 "rulebook: rule \"%s\" satisfied_by[%zu] is not an offer type of the catalogue",
                                 id, i);
                        return -1;
                }
                d->satisfied_by[d->nsatisfied++] = json_string_value(x);
        }
        if (positive_int(rule, "min_duration_days", 1, 3660, &d->min_duration_days) != 0) {
                snprintf(err, errlen, "rulebook: rule \"%s\" min_duration_days must be 1 to 3660",
                         id);
                return -1;
        }
        return 0;
}

static int parse_rule(offers_rulebook *r, offers_rule_set *s, json_t *rule, char *err, size_t errlen)
{
        const char *id = json_string_value(json_object_get(rule, "id"));
        const char *kind = json_string_value(json_object_get(rule, "kind"));
        double thr;

        if (!kind) {
                snprintf(err, errlen, "rulebook: rule \"%s\" in set \"%s\" has no kind", id, s->id);
                return -1;
        }
        if (strcmp(kind, "offer_deadline") == 0)
                return parse_deadline(r, rule, id, &s->deadlines[s->ndeadlines++], err, errlen);
        if (strcmp(kind, "work_duty") == 0) {
                s->work_duty_rule = id;
                if (positive_int(rule, "max_hours_per_week", 1, 168, &s->work_duty_max_hours) != 0) {
                        snprintf(err, errlen, "rulebook: rule \"%s\" max_hours_per_week must be 1 to 168", id);
                        return -1;
                }
                return parse_groups(json_object_get(rule, "default_covered_target_groups"), id,
                                    s->work_duty_groups, &s->nwork_duty_groups, err, errlen);
        }
        if (strcmp(kind, "full_time") == 0) {
                s->full_time_rule = id;
                if (positive_int(rule, "hours_per_week_from", 1, 168, &s->full_time_from_hours) != 0) {
                        snprintf(err, errlen, "rulebook: rule \"%s\" hours_per_week_from must be 1 to 168", id);
                        return -1;
                }
                return 0;
        }
        if (strcmp(kind, "employer_follow_up") == 0) {
                s->follow_up_rule = id;
                if (positive_int(rule, "working_days_before_end", 0, 250,
                                 &s->follow_up_lead_working_days) != 0) {
                        snprintf(err, errlen, "rulebook: rule \"%s\" working_days_before_end must be 0 to 250", id);
                        return -1;
                }
                return 0;
        }
        if (strcmp(kind, "measure") == 0) {
                const char *m = json_string_value(json_object_get(rule, "measure"));

                thr = json_number_value(json_object_get(rule, "threshold"));
                if (!m || strcmp(m, "active-offer") != 0 ||
                    positive_int(rule, "seniority_months", 1, 120, &s->measure_seniority_months) != 0 ||
                    positive_int(rule, "min_population", 0, 1000000, &s->measure_min_population) != 0 ||
                    !json_is_number(json_object_get(rule, "threshold")) || thr <= 0 || thr >= 1) {
                        snprintf(err, errlen,
                                 "rulebook: rule \"%s\" needs measure \"active-offer\", seniority_months, threshold (0-1) and min_population",
                                 id);
                        return -1;
                }
                s->measure_rule = id;
                s->measure_threshold = thr;
                return 0;
        }
        if (strcmp(kind, "job_effect") == 0) {
                s->job_effect_rule = id;
                if (positive_int(rule, "window_days", 0, 3660, &s->job_effect_window_days) != 0) {
                        snprintf(err, errlen, "rulebook: rule \"%s\" window_days must be 0 to 3660", id);
                        return -1;
                }
                return 0;
        }
        snprintf(err, errlen, "rulebook: rule \"%s\" has unknown kind \"%.40s\"", id, kind);
        return -1;
}

static int parse_sets(offers_rulebook *r, char *err, size_t errlen)
{
        json_t *set;
        size_t i;

        r->sets = calloc(json_array_size(r->book.sets), sizeof(*r->sets));
        if (!r->sets) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        json_array_foreach(r->book.sets, i, set) {
                offers_rule_set *s = &r->sets[i];
                json_t *rules = json_object_get(set, "rules"), *rule;
                size_t j;

                s->id = json_string_value(json_object_get(set, "id"));
                jc_date_parse(json_string_value(json_object_get(set, "valid_from")), &s->valid_from);
                r->nsets++;
                s->deadlines = calloc(json_array_size(rules) + 1, sizeof(*s->deadlines));
                if (!s->deadlines) {
                        snprintf(err, errlen, "out of memory");
                        return -1;
                }
                json_array_foreach(rules, j, rule) {
                        if (parse_rule(r, s, rule, err, errlen) != 0)
                                return -1;
                }
        }
        return 0;
}

int offers_rules_load(offers_rulebook *r, const char *path, char *err, size_t errlen)
{
        memset(r, 0, sizeof(*r));
        if (jc_rulebook_load(&r->book, path, offers_rules, err, errlen) != 0)
                return -1;
        if (parse_types(r, err, errlen) != 0 || parse_sets(r, err, errlen) != 0) {
                offers_rules_release(r);
                return -1;
        }
        return 0;
}

void offers_rules_release(offers_rulebook *r)
{
        for (size_t i = 0; i < r->nsets; i++)
                free(r->sets[i].deadlines);
        free(r->sets);
        free(r->types);
        jc_rulebook_release(&r->book);
        memset(r, 0, sizeof(*r));
}

const offers_rule_set *offers_rules_set_for(const offers_rulebook *r, jc_date d)
{
        json_t *set = jc_rulebook_set_for(&r->book, d);

        /* r->sets[i] is compiled from r->book.sets[i] */
        for (size_t i = 0; set && i < r->nsets; i++)
                if (json_array_get(r->book.sets, i) == set)
                        return &r->sets[i];
        return NULL;
}

const offers_type *offers_rules_type(const offers_rulebook *r, const char *code)
{
        if (!code)
                return NULL;
        for (size_t i = 0; i < r->ntypes; i++)
                if (strcmp(r->types[i].code, code) == 0)
                        return &r->types[i];
        return NULL;
}

int offers_rule_applies(const offers_deadline_rule *rule, const char *group)
{
        for (size_t i = 0; i < rule->ngroups; i++)
                if (strcmp(rule->target_groups[i], group) == 0)
                        return 1;
        return 0;
}

const offers_deadline_rule *offers_rules_deadline(const offers_rulebook *r, const char *set_id,
                                                  const char *rule_id)
{
        for (size_t i = 0; i < r->nsets; i++) {
                if (strcmp(r->sets[i].id, set_id) != 0)
                        continue;
                for (size_t j = 0; j < r->sets[i].ndeadlines; j++)
                        if (strcmp(r->sets[i].deadlines[j].id, rule_id) == 0)
                                return &r->sets[i].deadlines[j];
        }
        return NULL;
}
