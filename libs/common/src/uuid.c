#include "jc/uuid.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

int jc_random_bytes(void *buf, size_t n)
{
        unsigned char *p = buf;

        while (n > 0) {
                ssize_t got = getrandom(p, n, 0);

                if (got < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                p += got;
                n -= (size_t)got;
        }
        return 0;
}

int jc_uuid_v4(char out[JC_UUID_STRLEN])
{
        static const char hex[] = "0123456789abcdef";
        uint8_t b[16];
        char *o = out;

        if (jc_random_bytes(b, sizeof(b)) != 0) {
                out[0] = '\0';
                return -1;
        }
        b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
        b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
        for (int i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        *o++ = '-';
                *o++ = hex[b[i] >> 4];
                *o++ = hex[b[i] & 15];
        }
        *o = '\0';
        return 0;
}

int jc_uuid_is_valid(const char *s)
{
        if (!s || strlen(s) != 36)
                return 0;
        for (int i = 0; i < 36; i++) {
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                        if (s[i] != '-')
                                return 0;
                } else if (!isxdigit((unsigned char)s[i])) {
                        return 0;
                }
        }
        return 1;
}
