/*
 * Applies jobcenter.case.v1 events to the per-case state and derives the
 * report from it. See case_state.h.
 */
#include <stdlib.h>
#include <string.h>

#include "case_state.h"

#define TYPE_PREFIX "dk.jobcenter."

struct case_state {
        json_t *cases;    /* case_id -> {"group", "open", "opened_month", "closed_month", "reason"} */
        json_t *types;    /* CloudEvents type -> messages seen (redeliveries included) */
        json_int_t messages, ignored, unreadable;
};

case_state *case_state_new(void)
{
        case_state *s = calloc(1, sizeof(*s));

        if (!s)
                return NULL;
        s->cases = json_object();
        s->types = json_object();
        if (!s->cases || !s->types) {
                case_state_free(s);
                return NULL;
        }
        return s;
}

void case_state_free(case_state *s)
{
        if (!s)
                return;
        json_decref(s->cases);
        json_decref(s->types);
        free(s);
}

static const char *str_field(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(obj, key));
}

/* "YYYY-MM" of a "YYYY-MM-DD..." date into month[8]; -1 when it is not one. */
static int month_of(const char *date, char month[8])
{
        static const char shape[] = "dddd-dd";

        if (!date || strlen(date) < 10)
                return -1;
        for (size_t i = 0; i < 7; i++) {
                int digit = date[i] >= '0' && date[i] <= '9';

                if ((shape[i] == 'd') != digit || (shape[i] == '-' && date[i] != '-'))
                        return -1;
        }
        memcpy(month, date, 7);
        month[7] = '\0';
        return 0;
}

/* The case's entry (borrowed: owned by s->cases), created when absent.
 * NULL when out of memory. */
static json_t *case_entry(case_state *s, const char *case_id)
{
        json_t *c = json_object_get(s->cases, case_id);

        if (c)
                return c;
        c = json_object();
        if (!c || json_object_set_new(s->cases, case_id, c) != 0)
                return NULL;
        return c;
}

static int set_str(json_t *obj, const char *key, const char *value)
{
        return json_object_set_new(obj, key, json_string(value));
}

static case_apply_result on_opened(case_state *s, const json_t *data)
{
        const char *id = str_field(data, "case_id"), *group = str_field(data, "target_group");
        char month[8];
        json_t *c;

        if (!id || !group || month_of(str_field(data, "start_date"), month) != 0)
                return CASE_UNREADABLE;
        c = case_entry(s, id);
        if (!c)
                return CASE_UNREADABLE;
        /* A case closed before we saw it opened (never on one partition) stays closed. */
        if (!json_object_get(c, "open") &&
            json_object_set_new(c, "open", json_true()) != 0)
                return CASE_UNREADABLE;
        if (!json_object_get(c, "group") && set_str(c, "group", group) != 0)
                return CASE_UNREADABLE;
        if (set_str(c, "opened_month", month) != 0)
                return CASE_UNREADABLE;
        return CASE_APPLIED;
}

static case_apply_result on_group_changed(case_state *s, const json_t *data)
{
        const char *id = str_field(data, "case_id"), *group = str_field(data, "target_group");
        json_t *c;

        if (!id || !group)
                return CASE_UNREADABLE;
        c = case_entry(s, id);
        if (!c || set_str(c, "group", group) != 0)
                return CASE_UNREADABLE;
        return CASE_APPLIED;
}

static case_apply_result on_closed(case_state *s, const json_t *data)
{
        const char *id = str_field(data, "case_id"), *reason = str_field(data, "reason");
        const char *group = str_field(data, "target_group");
        char month[8];
        json_t *c;

        if (!id || !reason || month_of(str_field(data, "closed_on"), month) != 0)
                return CASE_UNREADABLE;
        c = case_entry(s, id);
        if (!c || json_object_set_new(c, "open", json_false()) != 0 ||
            set_str(c, "closed_month", month) != 0 || set_str(c, "reason", reason) != 0 ||
            (group && set_str(c, "group", group) != 0))
                return CASE_UNREADABLE;
        return CASE_APPLIED;
}

/* Adds `by` to counts[key]; -1 when out of memory. */
static int count(json_t *counts, const char *key, json_int_t by)
{
        json_int_t n = json_integer_value(json_object_get(counts, key));

        return json_object_set_new(counts, key, json_integer(n + by));
}

case_apply_result case_state_apply(case_state *s, const char *value, size_t len)
{
        json_t *ev = NULL, *data;
        const char *type;
        case_apply_result res = CASE_UNREADABLE;

        s->messages++;
        if (!value)
                goto out; /* a tombstone: nothing on this topic uses them */
        /* No JSON_REJECT_DUPLICATES-style strictness and no check for unknown
         * keys: producers may add optional fields at any time. */
        ev = json_loadb(value, len, 0, NULL);
        type = str_field(ev, "type");
        data = json_object_get(ev, "data");
        if (!type || !json_is_object(data))
                goto out;
        if (count(s->types, type, 1) != 0)
                goto out;
        if (strncmp(type, TYPE_PREFIX, strlen(TYPE_PREFIX)) != 0) {
                res = CASE_IGNORED;
                goto out;
        }
        type += strlen(TYPE_PREFIX);
        if (strcmp(type, "case.opened.v1") == 0)
                res = on_opened(s, data);
        else if (strcmp(type, "case.target_group_changed.v1") == 0)
                res = on_group_changed(s, data);
        else if (strcmp(type, "case.closed.v1") == 0)
                res = on_closed(s, data);
        else
                res = CASE_IGNORED; /* caseworker_assigned, visitation_changed, and any new type */
out:
        if (res == CASE_IGNORED)
                s->ignored++;
        else if (res == CASE_UNREADABLE)
                s->unreadable++;
        json_decref(ev);
        return res;
}

/* Counts per month: {"YYYY-MM": {"opened": n, "closed": n}}; -1 when out of memory. */
static int count_month(json_t *months, const char *month, const char *what)
{
        json_t *m = json_object_get(months, month);

        if (!m) {
                m = json_pack("{s:I, s:I}", "opened", (json_int_t)0, "closed", (json_int_t)0);
                if (!m || json_object_set_new(months, month, m) != 0)
                        return -1;
        }
        return count(m, what, 1);
}

json_t *case_state_report(const case_state *s)
{
        json_t *open = json_object(), *months = json_object(), *reasons = json_object();
        json_t *report = NULL, *c;
        json_int_t open_total = 0;
        const char *id;

        if (!open || !months || !reasons)
                goto out;
        json_object_foreach(s->cases, id, c) {
                const char *group = str_field(c, "group");
                const char *opened = str_field(c, "opened_month");
                const char *closed = str_field(c, "closed_month");
                const char *reason = str_field(c, "reason");

                if (json_is_true(json_object_get(c, "open")) && group) {
                        if (count(open, group, 1) != 0)
                                goto out;
                        open_total++;
                }
                if ((opened && count_month(months, opened, "opened") != 0) ||
                    (closed && (count_month(months, closed, "closed") != 0 ||
                                count(reasons, reason ? reason : "(none)", 1) != 0)))
                        goto out;
        }
        report = json_pack("{s:I, s:I, s:I, s:I, s:O, s:I, s:O, s:O, s:O}",
                           "messages", s->messages, "cases", (json_int_t)json_object_size(s->cases),
                           "ignored", s->ignored, "unreadable", s->unreadable,
                           "open_by_target_group", open, "open_total", open_total,
                           "months", months, "close_reasons", reasons, "types", s->types);
out:
        json_decref(open);
        json_decref(months);
        json_decref(reasons);
        return report;
}
