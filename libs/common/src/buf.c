#include "jc/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char jc_buf_empty[1];

int jc_buf_reserve(jc_buf *b, size_t extra)
{
        size_t need, cap;
        char *p;

        if (extra > (size_t)-1 - b->len - 1)
                return -1;
        need = b->len + extra + 1;
        if (need <= b->cap)
                return 0;
        cap = b->cap ? b->cap : 64;
        while (cap < need)
                cap = cap > (size_t)-1 / 2 ? need : cap * 2;
        p = realloc(b->cap ? b->data : NULL, cap);
        if (!p)
                return -1;
        if (!b->cap)
                p[0] = '\0';
        b->data = p;
        b->cap = cap;
        return 0;
}

int jc_buf_append(jc_buf *b, const void *p, size_t n)
{
        if (jc_buf_reserve(b, n) != 0)
                return -1;
        if (n)
                memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

int jc_buf_appends(jc_buf *b, const char *s)
{
        return jc_buf_append(b, s, strlen(s));
}

int jc_buf_vappendf(jc_buf *b, const char *fmt, va_list ap)
{
        va_list ap2;
        int n;

        va_copy(ap2, ap);
        n = vsnprintf(NULL, 0, fmt, ap2);
        va_end(ap2);
        if (n < 0 || jc_buf_reserve(b, (size_t)n) != 0)
                return -1;
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
        return 0;
}

int jc_buf_appendf(jc_buf *b, const char *fmt, ...)
{
        va_list ap;
        int rc;

        va_start(ap, fmt);
        rc = jc_buf_vappendf(b, fmt, ap);
        va_end(ap);
        return rc;
}

void jc_buf_reset(jc_buf *b)
{
        b->len = 0;
        if (b->cap)
                b->data[0] = '\0';
}

void jc_buf_release(jc_buf *b)
{
        if (b->cap)
                free(b->data);
        b->data = jc_buf_empty;
        b->len = 0;
        b->cap = 0;
}

char *jc_buf_detach(jc_buf *b, size_t *len)
{
        char *p;

        if (!b->cap && jc_buf_reserve(b, 0) != 0)
                return NULL;
        p = b->data;
        if (len)
                *len = b->len;
        b->data = jc_buf_empty;
        b->len = 0;
        b->cap = 0;
        return p;
}

int jc_buf_append_json_str(jc_buf *b, const char *s)
{
        static const char hex[] = "0123456789abcdef";
        const unsigned char *p = (const unsigned char *)s;
        size_t start = b->len;

        if (jc_buf_append(b, "\"", 1) != 0)
                return -1;
        for (; *p; p++) {
                char esc[7];
                const char *out = esc;
                size_t n = 2;

                switch (*p) {
                case '"': out = "\\\""; break;
                case '\\': out = "\\\\"; break;
                case '\n': out = "\\n"; break;
                case '\r': out = "\\r"; break;
                case '\t': out = "\\t"; break;
                default:
                        if (*p < 0x20) {
                                memcpy(esc, "\\u00", 4);
                                esc[4] = hex[*p >> 4];
                                esc[5] = hex[*p & 15];
                                n = 6;
                        } else {
                                esc[0] = (char)*p;
                                n = 1;
                        }
                }
                if (jc_buf_append(b, out, n) != 0)
                        goto fail;
        }
        if (jc_buf_append(b, "\"", 1) != 0)
                goto fail;
        return 0;
fail:
        b->len = start;
        if (b->cap)
                b->data[start] = '\0';
        return -1;
}
