#ifndef JC_EMBED_H
#define JC_EMBED_H

#include <stddef.h>

/*
 * A file compiled into the binary by cmake/embed.cmake (SQL migrations, the
 * topic catalogue). Arrays of these end with an all-zero entry; `data` is
 * NUL-terminated and `len` excludes the terminator. Static storage: never free.
 */
typedef struct jc_embedded_file {
        const char *name;
        const char *data;
        size_t len;
} jc_embedded_file;

#endif
