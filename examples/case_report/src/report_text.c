/*
 * The report as text: sections with one "name  number" row each, keys sorted,
 * so a person can read it and a script can grep it.
 */
#include <stdlib.h>
#include <string.h>

#include "report_text.h"

static int by_name(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The object's keys, sorted. The caller frees the array (not the strings,
 * which belong to `obj`). NULL when `obj` is empty or out of memory. */
static const char **sorted_keys(const json_t *obj, size_t *n)
{
        const char **keys;
        const char *k;
        json_t *v;
        size_t i = 0;

        *n = json_object_size(obj);
        if (*n == 0)
                return NULL;
        keys = calloc(*n, sizeof(*keys));
        if (!keys) {
                *n = 0;
                return NULL;
        }
        json_object_foreach((json_t *)obj, k, v)
                keys[i++] = k;
        qsort(keys, *n, sizeof(*keys), by_name);
        return keys;
}

static json_int_t num(const json_t *obj, const char *key)
{
        return json_integer_value(json_object_get(obj, key));
}

static void counts(FILE *out, const char *title, const json_t *obj, const char *total_label,
                   json_int_t total)
{
        size_t n;
        const char **keys = sorted_keys(obj, &n);

        fprintf(out, "\n%s\n", title);
        if (n == 0)
                fprintf(out, "  (none)\n");
        for (size_t i = 0; i < n; i++)
                fprintf(out, "  %-44s %8lld\n", keys[i], (long long)num(obj, keys[i]));
        if (total_label)
                fprintf(out, "  %-44s %8lld\n", total_label, (long long)total);
        free(keys);
}

static void months(FILE *out, const json_t *obj)
{
        size_t n;
        const char **keys = sorted_keys(obj, &n);

        fprintf(out, "\nOpened and closed per month (the case's start_date and closed_on)\n");
        fprintf(out, "  %-10s %8s %8s\n", "month", "opened", "closed");
        if (n == 0)
                fprintf(out, "  (none)\n");
        for (size_t i = 0; i < n; i++) {
                const json_t *m = json_object_get(obj, keys[i]);

                fprintf(out, "  %-10s %8lld %8lld\n", keys[i], (long long)num(m, "opened"),
                        (long long)num(m, "closed"));
        }
        free(keys);
}

int report_print_text(FILE *out, const json_t *report, const char *source)
{
        fprintf(out, "Case report from %s: %lld messages, %lld cases "
                     "(%lld ignored: types this report does not use; %lld unreadable)\n",
                source, (long long)num(report, "messages"), (long long)num(report, "cases"),
                (long long)num(report, "ignored"), (long long)num(report, "unreadable"));
        counts(out, "Open cases per target group", json_object_get(report, "open_by_target_group"),
               "total", num(report, "open_total"));
        months(out, json_object_get(report, "months"));
        counts(out, "Close reasons", json_object_get(report, "close_reasons"), NULL, 0);
        counts(out, "Messages per event type", json_object_get(report, "types"), NULL, 0);
        return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
