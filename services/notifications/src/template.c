/*
 * The template language: text with {{field}} placeholders and nothing else.
 * No conditionals, loops, includes or code: a template can only insert the
 * values its trigger provides. HTML templates get every value escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notifications.h"

#define NAME_MAX_LEN 48

static int is_name_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Parses the placeholder starting at src[i] ("{{"). Writes the name and
 * returns the index after "}}", or -1 with err. */
static long parse_placeholder(const char *src, size_t i, int line, char name[NAME_MAX_LEN],
                              char *err, size_t errlen)
{
        size_t j = i + 2, n = 0;

        while (src[j] == ' ')
                j++;
        while (is_name_char(src[j])) {
                if (n + 1 >= NAME_MAX_LEN) {
                        snprintf(err, errlen, "line %d: placeholder name too long", line);
                        return -1;
                }
                name[n++] = src[j++];
        }
        name[n] = '\0';
        while (src[j] == ' ')
                j++;
        if (n == 0 || src[j] != '}' || src[j + 1] != '}') {
                snprintf(err, errlen,
                         "line %d: malformed placeholder (use {{field}} with a-z, 0-9 and _)", line);
                return -1;
        }
        return (long)(j + 2);
}

int notif_tmpl_scan(const char *src, notif_placeholder_fn fn, void *arg, char *err, size_t errlen)
{
        int line = 1;

        for (size_t i = 0; src[i];) {
                char name[NAME_MAX_LEN];
                long next;

                if (src[i] == '\n')
                        line++;
                if (src[i] != '{' || src[i + 1] != '{') {
                        i++;
                        continue;
                }
                next = parse_placeholder(src, i, line, name, err, errlen);
                if (next < 0)
                        return -1;
                if (fn && fn(name, arg) != 0)
                        return -1;
                i = (size_t)next;
        }
        return 0;
}

int notif_html_escape(jc_buf *b, const char *s)
{
        for (; *s; s++) {
                const char *rep = NULL;

                switch (*s) {
                case '&': rep = "&amp;"; break;
                case '<': rep = "&lt;"; break;
                case '>': rep = "&gt;"; break;
                case '"': rep = "&quot;"; break;
                case '\'': rep = "&#39;"; break;
                }
                if (rep ? jc_buf_appends(b, rep) != 0 : jc_buf_append(b, s, 1) != 0)
                        return -1;
        }
        return 0;
}

char *notif_tmpl_render(const char *src, json_t *values, int html, char *err, size_t errlen)
{
        jc_buf out = JC_BUF_INIT;
        int line = 1;
        size_t i = 0;

        while (src[i]) {
                char name[NAME_MAX_LEN];
                const char *v;
                long next;

                if (src[i] != '{' || src[i + 1] != '{') {
                        size_t run = i;

                        while (src[run] && !(src[run] == '{' && src[run + 1] == '{')) {
                                if (src[run] == '\n')
                                        line++;
                                run++;
                        }
                        if (jc_buf_append(&out, src + i, run - i) != 0)
                                goto oom;
                        i = run;
                        continue;
                }
                next = parse_placeholder(src, i, line, name, err, errlen);
                if (next < 0)
                        goto fail;
                v = json_string_value(json_object_get(values, name));
                if (!v) {
                        snprintf(err, errlen, "field \"%s\" has no value", name);
                        goto fail;
                }
                if (html ? notif_html_escape(&out, v) != 0 : jc_buf_appends(&out, v) != 0)
                        goto oom;
                i = (size_t)next;
        }
        return jc_buf_detach(&out, NULL);
oom:
        snprintf(err, errlen, "out of memory");
fail:
        jc_buf_release(&out);
        return NULL;
}
