#include "jc/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

static void to_hex(const unsigned char *md, unsigned n, char *out)
{
        static const char hex[] = "0123456789abcdef";

        for (unsigned i = 0; i < n; i++) {
                out[2 * i] = hex[md[i] >> 4];
                out[2 * i + 1] = hex[md[i] & 15];
        }
        out[2 * n] = '\0';
}

int jc_sha256_hex(const void *data, size_t len, char out[65])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;

        if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
                return -1;
        to_hex(md, n, out);
        return 0;
}

int jc_hmac_sha256_hex(const void *key, size_t keylen, const void *data,
                       size_t len, char out[65])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;

        if (!HMAC(EVP_sha256(), key, (int)keylen, data, len, md, &n) || n != 32)
                return -1;
        to_hex(md, n, out);
        return 0;
}

int jc_ct_equal(const void *a, const void *b, size_t n)
{
        const volatile unsigned char *x = a, *y = b;
        unsigned char d = 0;

        for (size_t i = 0; i < n; i++)
                d |= (unsigned char)(x[i] ^ y[i]);
        return d == 0;
}
