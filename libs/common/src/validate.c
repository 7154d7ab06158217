#include "jc/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jc/uuid.h"

void jc_verrs_init(jc_verrs *v)
{
        v->list = json_array();
}

void jc_verrs_release(jc_verrs *v)
{
        json_decref(v->list);
        v->list = NULL;
}

size_t jc_verrs_count(const jc_verrs *v)
{
        return json_array_size(v->list);
}

static void pointer_from_field(char *out, size_t outlen, const char *field)
{
        size_t o = 0;

        o += (size_t)snprintf(out, outlen, "#/");
        for (const char *p = field; *p && o + 2 < outlen; p++) {
                if (*p == '.' || *p == '[')
                        out[o++] = '/';
                else if (*p != ']')
                        out[o++] = *p;
        }
        out[o < outlen ? o : outlen - 1] = '\0';
}

void jc_verrs_add(jc_verrs *v, const char *field, const char *fmt, ...)
{
        char msg[640], ptr[256];
        va_list ap;
        json_t *e;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        pointer_from_field(ptr, sizeof(ptr), field);
        e = json_pack("{s:s, s:s, s:s}", "field", field, "pointer", ptr,
                      "message", msg);
        if (e && v->list)
                json_array_append_new(v->list, e);
        else
                json_decref(e);
}

void jc_verrs_first(const jc_verrs *v, char *out, size_t outlen)
{
        json_t *e = json_array_get(v->list, 0);

        if (!e) {
                snprintf(out, outlen, "invalid");
                return;
        }
        snprintf(out, outlen, "%s: %s",
                 json_string_value(json_object_get(e, "field")),
                 json_string_value(json_object_get(e, "message")));
}

json_t *jc_verrs_take(jc_verrs *v)
{
        json_t *l = v->list;

        v->list = json_array();
        return l;
}

void jc_vfield(char *out, size_t outlen, const char *prefix, const char *key)
{
        if (prefix && *prefix)
                snprintf(out, outlen, "%s.%s", prefix, key);
        else
                snprintf(out, outlen, "%s", key);
}

/* Fetches obj[key]; records "is required" when required and missing/null.
 * Returns NULL when absent (or obj not an object). */
static json_t *get(json_t *obj, const char *prefix, const char *key,
                   int required, jc_verrs *v, char *field, size_t flen)
{
        json_t *val;

        jc_vfield(field, flen, prefix, key);
        val = json_is_object(obj) ? json_object_get(obj, key) : NULL;
        if (val && json_is_null(val))
                val = NULL;
        if (!val && required)
                jc_verrs_add(v, field, "is required");
        return val;
}

static size_t utf8_length(const char *s)
{
        size_t n = 0;

        for (; *s; s++)
                if (((unsigned char)*s & 0xc0) != 0x80)
                        n++;
        return n;
}

const char *jc_v_str(json_t *obj, const char *prefix, const char *key,
                     int required, size_t minlen, size_t maxlen, jc_verrs *v)
{
        char field[128];
        json_t *val = get(obj, prefix, key, required, v, field, sizeof(field));
        const char *s;
        size_t n;

        if (!val)
                return NULL;
        if (!json_is_string(val)) {
                jc_verrs_add(v, field, "must be a string");
                return NULL;
        }
        s = json_string_value(val);
        if (strlen(s) != json_string_length(val)) {
                jc_verrs_add(v, field, "must not contain NUL characters");
                return NULL;
        }
        n = utf8_length(s);
        if (n < minlen || n > maxlen) {
                if (minlen == maxlen)
                        jc_verrs_add(v, field, "must be %zu characters long",
                                     minlen);
                else if (n < minlen)
                        jc_verrs_add(v, field,
                                     "must be at least %zu characters long",
                                     minlen);
                else
                        jc_verrs_add(v, field,
                                     "must be at most %zu characters long",
                                     maxlen);
                return NULL;
        }
        return s;
}

const char *jc_v_enum(json_t *obj, const char *prefix, const char *key,
                      int required, const char *const *allowed, jc_verrs *v)
{
        char field[128], list[600];
        const char *s = jc_v_str(obj, prefix, key, required, 1, 128, v);
        size_t o = 0;

        if (!s)
                return NULL;
        for (size_t i = 0; allowed[i]; i++)
                if (strcmp(s, allowed[i]) == 0)
                        return s;
        list[0] = '\0';
        for (size_t i = 0; allowed[i] && o < sizeof(list); i++)
                o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
                                      i ? ", " : "", allowed[i]);
        jc_vfield(field, sizeof(field), prefix, key);
        jc_verrs_add(v, field, "must be one of: %s", list);
        return NULL;
}

const char *jc_v_uuid(json_t *obj, const char *prefix, const char *key,
                      int required, jc_verrs *v)
{
        char field[128];
        json_t *val = get(obj, prefix, key, required, v, field, sizeof(field));

        if (!val)
                return NULL;
        if (!json_is_string(val) || !jc_uuid_is_valid(json_string_value(val))) {
                jc_verrs_add(v, field, "must be a UUID");
                return NULL;
        }
        return json_string_value(val);
}

int jc_v_date(json_t *obj, const char *prefix, const char *key, int required,
              jc_date *out, jc_verrs *v)
{
        char field[128];
        json_t *val = get(obj, prefix, key, required, v, field, sizeof(field));

        if (!val)
                return required ? -1 : 0;
        if (!json_is_string(val) ||
            jc_date_parse(json_string_value(val), out) != 0) {
                jc_verrs_add(v, field, "must be a calendar date YYYY-MM-DD");
                return -1;
        }
        return 1;
}

int jc_v_bool(json_t *obj, const char *prefix, const char *key, int required,
              int *out, jc_verrs *v)
{
        char field[128];
        json_t *val = get(obj, prefix, key, required, v, field, sizeof(field));

        if (!val)
                return required ? -1 : 0;
        if (!json_is_boolean(val)) {
                jc_verrs_add(v, field, "must be true or false");
                return -1;
        }
        *out = json_is_true(val);
        return 1;
}

int jc_v_int(json_t *obj, const char *prefix, const char *key, int required,
             long long min, long long max, long long *out, jc_verrs *v)
{
        char field[128];
        json_t *val = get(obj, prefix, key, required, v, field, sizeof(field));

        if (!val)
                return required ? -1 : 0;
        if (!json_is_integer(val) || json_integer_value(val) < min ||
            json_integer_value(val) > max) {
                jc_verrs_add(v, field, "must be an integer from %lld to %lld",
                             min, max);
                return -1;
        }
        *out = json_integer_value(val);
        return 1;
}

json_t *jc_v_array(json_t *obj, const char *prefix, const char *key,
                   int required, size_t maxitems, jc_verrs *v)
{
        char field[128];
        json_t *val = get(obj, prefix, key, required, v, field, sizeof(field));

        if (!val)
                return NULL;
        if (!json_is_array(val)) {
                jc_verrs_add(v, field, "must be an array");
                return NULL;
        }
        if (json_array_size(val) > maxitems) {
                jc_verrs_add(v, field, "must have at most %zu items", maxitems);
                return NULL;
        }
        return val;
}

json_t *jc_v_object(json_t *obj, const char *prefix, const char *key,
                    int required, jc_verrs *v)
{
        char field[128];
        json_t *val = get(obj, prefix, key, required, v, field, sizeof(field));

        if (!val)
                return NULL;
        if (!json_is_object(val)) {
                jc_verrs_add(v, field, "must be an object");
                return NULL;
        }
        return val;
}

void jc_v_no_unknown(json_t *obj, const char *prefix, const char *const *known,
                     jc_verrs *v)
{
        const char *key;
        json_t *val;

        if (!json_is_object(obj))
                return;
        json_object_foreach(obj, key, val) {
                char field[128];
                int found = 0;

                (void)val;
                for (size_t i = 0; known[i]; i++)
                        if (strcmp(key, known[i]) == 0)
                                found = 1;
                if (!found) {
                        char safe[48];

                        /* echo at most a short, printable key */
                        snprintf(safe, sizeof(safe), "%.40s", key);
                        for (char *c = safe; *c; c++)
                                if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                                        *c = '?';
                        jc_vfield(field, sizeof(field), prefix, safe);
                        jc_verrs_add(v, field, "is not a recognized field");
                }
        }
}

void jc_json_error_safe(const json_error_t *jerr, char *out, size_t outlen)
{
        char *near;

        snprintf(out, outlen, "%s", jerr->text);
        near = strstr(out, " near ");
        if (near)
                *near = '\0';
        near = strstr(out, " near'");
        if (near)
                *near = '\0';
}
