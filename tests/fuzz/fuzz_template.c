/* libFuzzer target: a letter template (notifications' template language,
 * what JC_NOTIFY_TEMPLATES_DIR can bring in): the placeholder scan, then the
 * rendering as plain text and as HTML with a value for every field name. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notifications.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int add_field(const char *name, void *arg)
{
        json_object_set_new(arg, name, json_string("<b>Ærø & \"co\"</b>"));
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *src = malloc(size + 1), err[256], *out;
        json_t *values = json_object();

        if (!src || !values)
                goto out;
        memcpy(src, data, size);
        src[size] = '\0';
        if (notif_tmpl_scan(src, add_field, values, err, sizeof(err)) == 0) {
                for (int html = 0; html <= 1; html++) {
                        out = notif_tmpl_render(src, values, html, err, sizeof(err));
                        free(out);
                }
        }
out:
        json_decref(values);
        free(src);
        return 0;
}
