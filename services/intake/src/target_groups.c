#include <stddef.h>

#include "intake.h"

/* Target groups (målgrupper) from the domain brief; the names are part of the
 * event contract (schemas/events/case.opened.v1.json). */
const char *const intake_target_groups[] = {
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
