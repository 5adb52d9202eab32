/* pinlock.h - the admin screen's PIN.
 *
 * The PIN is kept only as a libsodium Argon2id string (crypto_pwhash_str)
 * in [admin] pin_hash; `tramtin-admin pin-hash` makes one.  After
 * PINLOCK_TRIES wrong PINs in a row the screen locks for PINLOCK_SECONDS.
 * The count and the lock live in a file in the state folder, so pulling
 * the plug does not give a guesser five more tries; a wall clock set back
 * restarts the lock instead of ending it. */
#ifndef TRAMTIN_PINLOCK_H
#define TRAMTIN_PINLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/err.h"

#define PINLOCK_TRIES 5
#define PINLOCK_SECONDS (15 * 60)
#define PIN_MIN_DIGITS 4
#define PIN_MAX_DIGITS 12

typedef enum pin_result { PIN_OK = 0, PIN_WRONG, PIN_LOCKED, PIN_UNSET } pin_result;

typedef struct pinlock {
	char path[1100];   /* {state}/admin-lock */
	int failures;      /* wrong PINs in a row */
	int64_t locked_at; /* wall clock when the lock began; 0: not locked */
} pinlock;

/* Reads the lock file in state_dir (missing: no failures). */
void pinlock_init(pinlock *l, const char *state_dir);

/* Checks pin against hash at wall time now.  PIN_UNSET if hash is empty
 * (the admin screen stays shut), PIN_LOCKED while locked (pin not even
 * checked), PIN_WRONG (one more failure; the fifth locks), PIN_OK (the
 * count starts again). */
pin_result pinlock_check(pinlock *l, const char *hash, const char *pin, int64_t now);

/* Tries left before the lock, and seconds until it ends (0: not locked). */
int pinlock_tries_left(const pinlock *l);
int64_t pinlock_wait_s(pinlock *l, int64_t now);

/* A PIN is PIN_MIN_DIGITS..PIN_MAX_DIGITS digits. */
bool pin_valid(const char *pin);
/* Writes the Argon2id string for pin (out: at least 128 bytes). */
tt_err pin_hash(const char *pin, char *out, size_t outlen);

#endif
