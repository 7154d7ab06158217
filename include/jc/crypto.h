#ifndef JC_CRYPTO_H
#define JC_CRYPTO_H

#include <stddef.h>

/* SHA-256 of `data` as 64 lowercase hex digits + NUL. Returns 0 or -1. */
int jc_sha256_hex(const void *data, size_t len, char out[65]);
/* HMAC-SHA-256 as 64 lowercase hex digits + NUL. Returns 0 or -1. */
int jc_hmac_sha256_hex(const void *key, size_t keylen, const void *data,
                       size_t len, char out[65]);
/* Compares `n` bytes in time independent of where they differ: 1 if equal. */
int jc_ct_equal(const void *a, const void *b, size_t n);

#endif
