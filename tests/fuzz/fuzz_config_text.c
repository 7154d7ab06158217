/* libFuzzer target: configuration text an operator writes: the opening
 * hours (JC_OPENING_HOURS), the closing days (JC_CLOSED_DAYS) and the token
 * file (JC_TOKENS_FILE). The first byte picks the parser; the rest is the
 * text, NUL-terminated as getenv() or a file read would give it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jc/auth.h"
#include "jc/calendar.h"
#include "scheduling.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char err[512], *text;
        sched_hours hours;
        jc_calendar cal;
        jc_token_table tokens;

        if (size < 1)
                return 0;
        text = malloc(size);
        if (!text)
                return 0;
        memcpy(text, data + 1, size - 1);
        text[size - 1] = '\0';
        switch (data[0] % 3) {
        case 0:
                if (sched_hours_parse(&hours, text, err, sizeof(err)) == 0 &&
                    jc_calendar_init(&cal, "", err, sizeof(err)) == 0)
                        (void)sched_hours_fits(&hours, &cal, 1796112000, 30);
                break;
        case 1:
                (void)jc_calendar_init(&cal, text, err, sizeof(err));
                break;
        default:
                if (jc_tokens_parse(&tokens, text, err, sizeof(err)) == 0) {
                        (void)jc_tokens_verify(&tokens, "jctest-not-a-token");
                        jc_tokens_release(&tokens);
                }
                break;
        }
        free(text);
        return 0;
}
