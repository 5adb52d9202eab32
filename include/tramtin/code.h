/* code.h - tracking codes: 16 Crockford base32 characters (80 random bits)
 * shown as XXXX-XXXX-XXXX-XXXX, read back case- and dash-insensitively
 * (I and L read as 1, O as 0), and stored or published only as a hash:
 * lower-case hex of BLAKE2b-128 keyed "tramtin-track-v1" over the 16
 * normalised characters (ARCHITECTURE.md, "Tracking codes"). */
#ifndef TRAMTIN_CODE_H
#define TRAMTIN_CODE_H

#include <stdbool.h>
#include <stddef.h>

#include "tramtin/err.h"

#define CODE_LEN 16         /* characters, normalised */
#define CODE_GROUPED_LEN 19 /* with three dashes */
#define CODE_HASH_HEX 32    /* hex characters of the hash */

/* Writes a new random code, grouped, into out (at least 20 bytes).
 * Needs crypto_init() (libsodium) first. */
void code_new(char out[CODE_GROUPED_LEN + 1]);

/* Normalises what a person typed into the 16 canonical characters (upper
 * case, no dashes or spaces, I/L -> 1, O -> 0).  Returns false if what
 * remains is not exactly 16 Crockford characters (U is not one). */
bool code_normalise(const char *typed, char out[CODE_LEN + 1]);

/* Groups 16 normalised characters as XXXX-XXXX-XXXX-XXXX. */
void code_group(const char code[CODE_LEN + 1], char out[CODE_GROUPED_LEN + 1]);

/* The code's hash as 32 lower-case hex characters.  Returns false if the
 * code does not normalise. */
bool code_hash(const char *typed, char out[CODE_HASH_HEX + 1]);

#endif
