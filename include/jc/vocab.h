#ifndef JC_VOCAB_H
#define JC_VOCAB_H

/*
 * Vocabularies that are part of the event contract (the schemas in schemas/events/):
 * every service uses these lists, and tests/unit/test_vocab.c checks them
 * against the schema enums. NULL-terminated.
 */

/* Target groups (målgrupper). */
extern const char *const jc_target_groups[];
/* Visitation categories (job-ready, activity-ready, education-ready, and the
 * sickness-benefit follow-up categories 1-3). */
extern const char *const jc_visitation_categories[];
/* Why a case was closed. */
extern const char *const jc_close_reasons[];

/* 1 when `s` is in the NULL-terminated `list`. */
int jc_vocab_has(const char *const *list, const char *s);

#endif
