/* libFuzzer target: a contact rulebook (JC_CONTACT_RULES_FILE): the envelope
 * check of jc/rules.h, scheduling's field check, and — when both accept it —
 * deriving the obligations of every target group on dates across a year, so
 * whatever passes the check cannot crash derivation. */
#include <stddef.h>
#include <stdint.h>

#include "jc/vocab.h"
#include "scheduling.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        jc_embedded_file f = {"fuzz.json", (const char *)data, size};
        sched_obligation_spec specs[SCHED_MAX_OBLIGATIONS];
        sched_ctx ctx = {0};
        jc_calendar cal;
        char err[512], rule_set[48];

        if (jc_calendar_init(&cal, "06-05,12-24,12-31", err, sizeof(err)) != 0)
                return 0;
        if (jc_rulebook_load(&ctx.rules, NULL, &f, err, sizeof(err)) != 0)
                return 0;
        if (sched_rules_check(&ctx.rules, err, sizeof(err)) == 0) {
                for (size_t g = 0; jc_target_groups[g]; g++) {
                        for (int m = 1; m <= 12; m += 5) {
                                jc_date start = {2024, m, 29};

                                (void)sched_rules_derive(&ctx, &cal, jc_target_groups[g],
                                                         "sygedagpenge-kategori-2", start, specs,
                                                         SCHED_MAX_OBLIGATIONS, rule_set);
                        }
                }
        }
        jc_rulebook_release(&ctx.rules);
        return 0;
}
