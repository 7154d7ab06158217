#ifndef JC_BUF_H
#define JC_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer, always NUL-terminated (git's strbuf idea).
 *
 *   jc_buf b = JC_BUF_INIT;
 *   jc_buf_appendf(&b, "%d", 42);
 *   ... b.data ...
 *   jc_buf_release(&b);
 *
 * `data` is never NULL after JC_BUF_INIT (it points at a static empty string
 * until the first append). Appends return 0, or -1 when memory runs out (the
 * buffer is then unchanged).
 */
typedef struct jc_buf {
        char *data;
        size_t len;
        size_t cap;
} jc_buf;

extern char jc_buf_empty[1];
#define JC_BUF_INIT {jc_buf_empty, 0, 0}

int jc_buf_reserve(jc_buf *b, size_t extra);
int jc_buf_append(jc_buf *b, const void *p, size_t n);
int jc_buf_appends(jc_buf *b, const char *s);
int jc_buf_appendf(jc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int jc_buf_vappendf(jc_buf *b, const char *fmt, va_list ap);
/* Empties the buffer, keeping its memory. */
void jc_buf_reset(jc_buf *b);
/* Frees the memory and leaves `b` as JC_BUF_INIT. */
void jc_buf_release(jc_buf *b);
/* Takes the malloc'd string out of `b` (caller frees with free()); `b` is
 * left as JC_BUF_INIT. Returns NULL when out of memory. */
char *jc_buf_detach(jc_buf *b, size_t *len);



/* Appends `s` as a JSON string literal (with quotes), escaping quotes,
 * backslashes and control characters. Bytes >= 0x80 are copied as they are. */
int jc_buf_append_json_str(jc_buf *b, const char *s);
#endif
