#ifndef JC_VALIDATE_H
#define JC_VALIDATE_H

#include <jansson.h>
#include <stddef.h>

#include "jc/date.h"

/*
 * Field-by-field validation of JSON objects (HTTP bodies and event data).
 * Every failing field is collected, so a 422 names them all at once:
 *
 *   {"field":"unemployed_since","pointer":"#/unemployed_since",
 *    "message":"must be a date YYYY-MM-DD"}
 *
 * `prefix` builds nested names ("contact_history[2].date"). Messages never
 * contain the submitted value: it may be a CPR number.
 */
typedef struct jc_verrs {
        json_t *list; /* array of error objects, owned */
} jc_verrs;

void jc_verrs_init(jc_verrs *v);
void jc_verrs_release(jc_verrs *v);
size_t jc_verrs_count(const jc_verrs *v);
void jc_verrs_add(jc_verrs *v, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The first error as "field: message" (for logs and dead-letter reasons). */
void jc_verrs_first(const jc_verrs *v, char *out, size_t outlen);
/* Takes the array out (new reference, caller decrefs); `v` is left empty. */
json_t *jc_verrs_take(jc_verrs *v);

/* Joins `prefix` and `key` into `out` ("a.b", "a[3]"). */
void jc_vfield(char *out, size_t outlen, const char *prefix, const char *key);

/*
 * Getters. Each checks presence and type of obj[key] and records an error
 * when it fails; required == 0 accepts an absent key or JSON null.
 * They return the value (borrowed from `obj`) or NULL / -1 on failure.
 */
const char *jc_v_str(json_t *obj, const char *prefix, const char *key,
                     int required, size_t minlen, size_t maxlen, jc_verrs *v);
/* One of the NULL-terminated `allowed` strings. */
const char *jc_v_enum(json_t *obj, const char *prefix, const char *key,
                      int required, const char *const *allowed, jc_verrs *v);
const char *jc_v_uuid(json_t *obj, const char *prefix, const char *key,
                      int required, jc_verrs *v);
/* Returns 1 when found and valid (out set), 0 when absent and optional,
 * -1 on error. */
int jc_v_date(json_t *obj, const char *prefix, const char *key, int required,
              jc_date *out, jc_verrs *v);
int jc_v_bool(json_t *obj, const char *prefix, const char *key, int required,
              int *out, jc_verrs *v);
int jc_v_int(json_t *obj, const char *prefix, const char *key, int required,
             long long min, long long max, long long *out, jc_verrs *v);
json_t *jc_v_array(json_t *obj, const char *prefix, const char *key,
                   int required, size_t maxitems, jc_verrs *v);
json_t *jc_v_object(json_t *obj, const char *prefix, const char *key,
                    int required, jc_verrs *v);
/* Records an error for every key of `obj` not in the NULL-terminated
 * `known` list (strict request bodies; never use on events). */
void jc_v_no_unknown(json_t *obj, const char *prefix, const char *const *known,
                     jc_verrs *v);

/* jansson's error text without the "near '<input>'" fragment, which could
 * quote personal data into a log line or a dead letter. */
void jc_json_error_safe(const json_error_t *jerr, char *out, size_t outlen);

#endif
