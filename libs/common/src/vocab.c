#include "jc/vocab.h"

#include <stddef.h>
#include <string.h>

const char *const jc_target_groups[] = {
        "a-dagpenge",
        "kontanthjaelp-jobparat",
        "kontanthjaelp-aktivitetsparat",
        "uddannelseshjaelp-uddannelsesparat",
        "uddannelseshjaelp-aktivitetsparat",
        "sygedagpenge-beskaeftiget",
        "sygedagpenge-ledig",
        "jobafklaring",
        "ressourceforloeb",
        "ledighedsydelse",
        "revalidering",
        "selvforsoergelse-hjemrejse",
        "ung-under-18",
        NULL,
};

const char *const jc_visitation_categories[] = {
        "jobparat",
        "aktivitetsparat",
        "uddannelsesparat",
        "sygedagpenge-kategori-1",
        "sygedagpenge-kategori-2",
        "sygedagpenge-kategori-3",
        NULL,
};

const char *const jc_close_reasons[] = {
        "job", "education", "flexjob", "early_pension", "moved", "self_supporting", "other", NULL,
};

int jc_vocab_has(const char *const *list, const char *s)
{
        for (size_t i = 0; s && list[i]; i++)
                if (strcmp(list[i], s) == 0)
                        return 1;
        return 0;
}
