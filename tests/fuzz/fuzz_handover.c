/* libFuzzer target: an a-kasse handover body as intake reads it from HTTP
 * and from akasse.handover.v1 (JSON without duplicate keys, then
 * intake_handover_parse with every field check), and the problem list it
 * would answer with. */
#include <stddef.h>
#include <stdint.h>

#include "intake.h"
#include "jc/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_error_t jerr;
        json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
        intake_handover h;
        jc_verrs v;
        jc_date today = {2026, 11, 23};
        char first[256];

        if (!body)
                return 0;
        if (json_is_object(body)) {
                jc_verrs_init(&v);
                intake_handover_parse(body, &h, 14, today, &v);
                if (jc_verrs_count(&v))
                        jc_verrs_first(&v, first, sizeof(first));
                json_decref(jc_verrs_take(&v));
                jc_verrs_release(&v);
        }
        json_decref(body);
        return 0;
}
