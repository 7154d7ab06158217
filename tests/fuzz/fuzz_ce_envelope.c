/* libFuzzer target: the CloudEvents envelope of every consumed message
 * (jc_ce_decode), then the short type. Any input must be refused or accepted
 * cleanly: no crash, no leak, no undefined behaviour. */
#include <stddef.h>
#include <stdint.h>

#include "jc/ce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        jc_ce_event ev;
        char err[256], short_type[128];

        if (jc_ce_decode(data, size, &ev, err, sizeof(err)) == 0) {
                (void)jc_ce_short_type(ev.type, short_type, sizeof(short_type));
                jc_ce_event_release(&ev);
        }
        return 0;
}
