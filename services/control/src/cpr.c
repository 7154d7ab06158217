/*
 * CPR numbers: checked in form, then reduced at once to a keyed hash
 * (HMAC-SHA256 with JC_CPR_HMAC_KEY). control never stores, logs or emits a
 * CPR number; the hash is enough to match a campaign record to a citizen and
 * useless without the key.
 */
#include <ctype.h>
#include <string.h>

#include "control.h"
#include "jc/cpr.h"
#include "jc/crypto.h"
#include "jc/date.h"

int ctl_cpr_hash(const ctl_ctx *ctx, const char cpr[11], char hex[65])
{
        return jc_hmac_sha256_hex(ctx->cpr_key, ctx->cpr_key_len, cpr, 10, hex);
}

int ctl_text_has_cpr(const char *text)
{
        size_t n = strlen(text);

        for (size_t i = 0; i + 10 <= n; i++) {
                char digits[11];
                size_t j = i, k = 0;

                if (i > 0 && isalnum((unsigned char)text[i - 1]))
                        continue;
                while (k < 10 && j < n) {
                        if (k == 6 && text[j] == '-') {
                                j++;
                                continue;
                        }
                        if (!isdigit((unsigned char)text[j]))
                                break;
                        digits[k++] = text[j++];
                }
                if (k < 10 || (j < n && isalnum((unsigned char)text[j])))
                        continue;
                digits[10] = '\0';
                if (jc_cpr_normalise(digits, digits) == 0)
                        return 1;
        }
        return 0;
}
