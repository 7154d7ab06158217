#include "jc/ce.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "jc/timeutil.h"
#include "jc/uuid.h"
#include "jc/validate.h"

int jc_ce_short_type(const char *type, char *out, size_t outlen)
{
        size_t plen = strlen(JC_CE_TYPE_PREFIX), n;
        const char *s, *v;

        if (strncmp(type, JC_CE_TYPE_PREFIX, plen) != 0)
                return -1;
        s = type + plen;
        n = strlen(s);
        if (n == 0 || n >= outlen)
                return -1;
        /* name: [a-z0-9_] segments separated by '.', then ".v<digits>" */
        v = strrchr(s, '.');
        if (!v || v == s || v[1] != 'v' || !isdigit((unsigned char)v[2]))
                return -1;
        for (const char *p = v + 2; *p; p++)
                if (!isdigit((unsigned char)*p))
                        return -1;
        for (const char *p = s; p < v; p++) {
                if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
                      *p == '_' || *p == '.'))
                        return -1;
                if (*p == '.' && (p == s || p[-1] == '.'))
                        return -1;
        }
        if (v[-1] == '.')
                return -1;
        memcpy(out, s, n + 1);
        return 0;
}

json_t *jc_ce_build(const char *source, const char *short_type,
                    const char *subject, const char *traceparent, json_t *data,
                    char *err, size_t errlen)
{
        char id[JC_UUID_STRLEN], now[40], type[JC_CE_MAX_TYPE + 16], check[JC_CE_MAX_TYPE];
        char schema[JC_CE_MAX_TYPE + 32];
        json_t *ev = NULL;

        if (!json_is_object(data)) {
                snprintf(err, errlen, "event data must be a JSON object");
                goto fail;
        }
        snprintf(type, sizeof(type), "%s%s", JC_CE_TYPE_PREFIX, short_type);
        if (jc_ce_short_type(type, check, sizeof(check)) != 0) {
                snprintf(err, errlen, "invalid event type \"%s\"", short_type);
                goto fail;
        }
        if (jc_uuid_v4(id) != 0) {
                snprintf(err, errlen, "could not generate event id: kernel RNG failed");
                goto fail;
        }
        jc_time_now_rfc3339(now, sizeof(now));
        snprintf(schema, sizeof(schema), "urn:jobcenter:schema:%s", short_type);
        ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "specversion", "1.0",
                       "id", id, "source", source, "type", type, "time", now,
                       "datacontenttype", "application/json", "dataschema",
                       schema);
        if (!ev)
                goto oom;
        if (subject && (json_object_set_new(ev, "subject", json_string(subject)) ||
                        json_object_set_new(ev, "partitionkey", json_string(subject))))
                goto oom;
        if (traceparent && *traceparent &&
            json_object_set_new(ev, "traceparent", json_string(traceparent)))
                goto oom;
        if (json_object_set_new(ev, "data", data) != 0) {
                data = NULL; /* consumed by set_new even on failure */
                goto oom;
        }
        return ev;
oom:
        snprintf(err, errlen, "out of memory building event");
fail:
        json_decref(data);
        json_decref(ev);
        return NULL;
}

static const char *opt_string(json_t *root, const char *key, int *bad)
{
        json_t *v = json_object_get(root, key);

        if (!v)
                return NULL;
        if (!json_is_string(v)) {
                *bad = 1;
                return NULL;
        }
        return json_string_value(v);
}

int jc_ce_decode(const void *buf, size_t len, jc_ce_event *ev, char *err,
                 size_t errlen)
{
        json_error_t jerr;
        json_t *sv, *dct;
        int bad = 0;

        memset(ev, 0, sizeof(*ev));
        if (!buf || len == 0) {
                snprintf(err, errlen, "empty message: expected a CloudEvents JSON object");
                return -1;
        }
        ev->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!ev->root) {
                char safe[160];

                jc_json_error_safe(&jerr, safe, sizeof(safe));
                snprintf(err, errlen, "invalid JSON at byte %d: %s", jerr.position,
                         safe);
                return -1;
        }
        if (!json_is_object(ev->root)) {
                snprintf(err, errlen, "envelope: expected a JSON object");
                goto fail;
        }
        sv = json_object_get(ev->root, "specversion");
        if (!json_is_string(sv) || strcmp(json_string_value(sv), "1.0") != 0) {
                snprintf(err, errlen, "envelope field 'specversion': must be \"1.0\"");
                goto fail;
        }
        ev->id = opt_string(ev->root, "id", &bad);
        if (!ev->id || !*ev->id || strlen(ev->id) > 128) {
                snprintf(err, errlen,
                         "envelope field 'id': must be a non-empty string of at most 128 characters");
                goto fail;
        }
        ev->source = opt_string(ev->root, "source", &bad);
        if (!ev->source || !*ev->source || strlen(ev->source) > 256) {
                snprintf(err, errlen,
                         "envelope field 'source': must be a non-empty URI-reference");
                goto fail;
        }
        ev->type = opt_string(ev->root, "type", &bad);
        if (!ev->type || jc_ce_short_type(ev->type, ev->short_type,
                                          sizeof(ev->short_type)) != 0) {
                snprintf(err, errlen,
                         "envelope field 'type': must look like \"dk.jobcenter.<name>.v<N>\"");
                goto fail;
        }
        bad = 0;
        ev->time = opt_string(ev->root, "time", &bad);
        if (bad || (ev->time && jc_time_check_rfc3339(ev->time) != 0)) {
                snprintf(err, errlen, "envelope field 'time': must be an RFC 3339 timestamp");
                goto fail;
        }
        ev->subject = opt_string(ev->root, "subject", &bad);
        if (bad) {
                snprintf(err, errlen, "envelope field 'subject': must be a string");
                goto fail;
        }
        ev->traceparent = opt_string(ev->root, "traceparent", &bad);
        if (bad) {
                snprintf(err, errlen, "envelope field 'traceparent': must be a string");
                goto fail;
        }
        dct = json_object_get(ev->root, "datacontenttype");
        if (dct && (!json_is_string(dct) ||
                    strncmp(json_string_value(dct), "application/json", 16) != 0)) {
                snprintf(err, errlen,
                         "envelope field 'datacontenttype': must be application/json");
                goto fail;
        }
        ev->data = json_object_get(ev->root, "data");
        if (!json_is_object(ev->data)) {
                snprintf(err, errlen, "envelope field 'data': must be a JSON object");
                goto fail;
        }
        return 0;
fail:
        jc_ce_event_release(ev);
        return -1;
}

void jc_ce_event_release(jc_ce_event *ev)
{
        json_decref(ev->root);
        memset(ev, 0, sizeof(*ev));
}

static void hex_random(char *out, size_t nbytes)
{
        static const char hex[] = "0123456789abcdef";
        unsigned char b[16];

        if (jc_random_bytes(b, nbytes) != 0)
                memset(b, 0x5a, nbytes);
        for (size_t i = 0; i < nbytes; i++) {
                out[2 * i] = hex[b[i] >> 4];
                out[2 * i + 1] = hex[b[i] & 15];
        }
        out[2 * nbytes] = '\0';
}

static int is_hex_lower(const char *s, size_t n)
{
        int nonzero = 0;

        for (size_t i = 0; i < n; i++) {
                if (!(isdigit((unsigned char)s[i]) || (s[i] >= 'a' && s[i] <= 'f')))
                        return 0;
                if (s[i] != '0')
                        nonzero = 1;
        }
        return nonzero;
}

static int traceparent_valid(const char *s)
{
        return s && strlen(s) == 55 && s[0] == '0' && s[1] == '0' &&
               s[2] == '-' && is_hex_lower(s + 3, 32) && s[35] == '-' &&
               is_hex_lower(s + 36, 16) && s[52] == '-' &&
               isxdigit((unsigned char)s[53]) && isxdigit((unsigned char)s[54]);
}

void jc_trace_new(char out[JC_TRACEPARENT_LEN])
{
        char trace[33], span[17];

        hex_random(trace, 16);
        hex_random(span, 8);
        snprintf(out, JC_TRACEPARENT_LEN, "00-%s-%s-01", trace, span);
}

void jc_trace_continue(const char *incoming, char out[JC_TRACEPARENT_LEN])
{
        char span[17];

        if (!traceparent_valid(incoming)) {
                jc_trace_new(out);
                return;
        }
        hex_random(span, 8);
        snprintf(out, JC_TRACEPARENT_LEN, "00-%.32s-%s-%.2s", incoming + 3, span,
                 incoming + 53);
}

void jc_trace_id(const char *traceparent, char out[33])
{
        if (!traceparent_valid(traceparent)) {
                out[0] = '\0';
                return;
        }
        memcpy(out, traceparent + 3, 32);
        out[32] = '\0';
}
