#ifndef JC_CPR_H
#define JC_CPR_H

/*
 * The form of a CPR number (personnummer), the one check every service that
 * receives one applies: 10 digits (a hyphen after the 6th is accepted) whose
 * first six are a real date of birth, the century read from the 7th digit
 * (CPR-kontoret's table). The modulus-11 check is not applied: it has not
 * held for every CPR number since 2007. Never log or echo the input.
 */

/* Writes the 10 normalised digits (NUL-terminated) to `out`. Returns 0 when
 * the form is valid, -1 otherwise (`out` then holds nothing useful). */
int jc_cpr_normalise(const char *in, char out[11]);

#endif
