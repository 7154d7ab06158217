/*
 * Retry delays: exponential backoff with jitter ("equal jitter"). After
 * attempt n the delay is d = min(cap, base * 2^(n-1)); the wait is d/2 plus
 * a random part of d/2, so retries of many messages after an outage spread
 * out instead of hitting the receiver together, and each wait is still at
 * least half its exponential step.
 */
#include "jc/timeutil.h"
#include "jc/uuid.h"
#include "notifications.h"

long notif_backoff_ms(long base_ms, long cap_ms, int attempt)
{
        long d = base_ms, half;
        unsigned int rnd = 0;

        for (int i = 1; i < attempt && d < cap_ms; i++)
                d = d > cap_ms / 2 ? cap_ms : d * 2;
        if (d > cap_ms)
                d = cap_ms;
        half = d / 2;
        if (jc_random_bytes(&rnd, sizeof(rnd)) != 0)
                rnd = (unsigned int)jc_time_mono_ms();
        return half + (half > 0 ? (long)(rnd % (unsigned long)(half + 1)) : 0) + (d < 2 ? 1 : 0);
}
