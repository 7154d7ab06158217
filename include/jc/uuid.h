#ifndef JC_UUID_H
#define JC_UUID_H

#include <stddef.h>

#define JC_UUID_STRLEN 37 /* 36 characters + NUL */

/* Fills `buf` with `n` bytes from the kernel's CSPRNG. Returns 0 or -1. */
int jc_random_bytes(void *buf, size_t n);
/* Writes a random (version 4) UUID in lowercase canonical form. Returns 0,
 * or -1 if the kernel RNG failed. */
int jc_uuid_v4(char out[JC_UUID_STRLEN]);
/* 1 when `s` is a canonical UUID (8-4-4-4-12 hex digits, any case). */
int jc_uuid_is_valid(const char *s);

#endif
