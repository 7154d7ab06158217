/*
 * Where each a-kasse receives its reports (JC_NOTIFY_AKASSE_WEBHOOKS_FILE).
 */
#include <stdio.h>
#include <string.h>

#include "notifications.h"

static int check_entry(const char *code, json_t *entry, char *err, size_t errlen)
{
        const char *url = json_string_value(json_object_get(entry, "url"));
        json_t *secret = json_object_get(entry, "secret");

        if (!json_is_object(entry) || !url || strncmp(url, "http://", 7) != 0) {
                snprintf(err, errlen,
                         "a-kasse webhooks: \"%s\" needs {\"url\": \"http://…\"} (https through an "
                         "egress proxy)",
                         code);
                return -1;
        }
        if (secret && (!json_is_string(secret) || json_string_length(secret) < 16)) {
                snprintf(err, errlen, "a-kasse webhooks: \"%s\": secret must be a string of 16+ characters",
                         code);
                return -1;
        }
        return 0;
}

int notif_akasse_hooks_load(notif_akasse_hooks *h, const char *path, char *err, size_t errlen)
{
        json_error_t jerr;
        json_t *hooks, *entry;
        const char *code;

        h->root = NULL;
        if (!path || !*path)
                return 0;
        h->root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (!h->root) {
                snprintf(err, errlen, "JC_NOTIFY_AKASSE_WEBHOOKS_FILE %s: %s (line %d)", path,
                         jerr.text, jerr.line);
                return -1;
        }
        hooks = json_object_get(h->root, "webhooks");
        if (!json_is_object(hooks)) {
                snprintf(err, errlen, "JC_NOTIFY_AKASSE_WEBHOOKS_FILE %s: needs {\"webhooks\": {…}}",
                         path);
                goto fail;
        }
        json_object_foreach(hooks, code, entry)
                if (check_entry(code, entry, err, errlen) != 0)
                        goto fail;
        return 0;
fail:
        json_decref(h->root);
        h->root = NULL;
        return -1;
}

void notif_akasse_hooks_release(notif_akasse_hooks *h)
{
        json_decref(h->root);
        h->root = NULL;
}

int notif_akasse_hook(const notif_akasse_hooks *h, const char *code, char *url, size_t urllen,
                      const char **secret)
{
        json_t *hooks = json_object_get(h->root, "webhooks");
        json_t *entry = json_object_get(hooks, code);
        const char *tmpl, *at;

        if (!entry)
                entry = json_object_get(hooks, "*");
        if (!entry)
                return -1;
        tmpl = json_string_value(json_object_get(entry, "url"));
        *secret = json_string_value(json_object_get(entry, "secret"));
        at = strstr(tmpl, "{akasse}");
        if (at)
                snprintf(url, urllen, "%.*s%s%s", (int)(at - tmpl), tmpl, code, at + 8);
        else
                snprintf(url, urllen, "%s", tmpl);
        return 0;
}
