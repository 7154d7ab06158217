/* The form of a CPR number (jc/cpr.h). */
#include "jc/cpr.h"

#include <ctype.h>
#include <string.h>

#include "jc/date.h"

/* The century of a CPR number from its 7th digit and two-digit year
 * (CPR-kontoret's table). */
static int cpr_century(int digit7, int yy)
{
        if (digit7 <= 3)
                return 1900;
        if (digit7 == 4 || digit7 == 9)
                return yy <= 36 ? 2000 : 1900;
        return yy <= 57 ? 2000 : 1800; /* 5-8 */
}

int jc_cpr_normalise(const char *in, char out[11])
{
        size_t len = strlen(in), o = 0;
        int dd, mm, yy;

        if (len == 11) {
                if (in[6] != '-')
                        return -1;
        } else if (len != 10) {
                return -1;
        }
        for (size_t i = 0; i < len; i++) {
                if (len == 11 && i == 6)
                        continue;
                if (!isdigit((unsigned char)in[i]))
                        return -1;
                out[o++] = in[i];
        }
        out[10] = '\0';
        dd = (out[0] - '0') * 10 + (out[1] - '0');
        mm = (out[2] - '0') * 10 + (out[3] - '0');
        yy = (out[4] - '0') * 10 + (out[5] - '0');
        if (!jc_date_is_valid(cpr_century(out[6] - '0', yy) + yy, mm, dd))
                return -1;
        return 0;
}
