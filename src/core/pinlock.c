/* pinlock.c - the admin PIN: Argon2id check and the lock after wrong tries. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tramtin/log.h"
#include "tramtin/pinlock.h"

/* Argon2id with 16 MiB and 3 passes: about 50 ms on the kiosk, and well
 * under its memory budget for that moment. */
#define PIN_OPSLIMIT 3
#define PIN_MEMLIMIT (16u << 20)

static void save(const pinlock *l)
{
	char tmp[sizeof l->path + 8];
	snprintf(tmp, sizeof tmp, "%s.tmp", l->path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		tt_warn("%s: cannot write the admin lock: %s", tmp, tt_strerrno(errno));
		return;
	}
	fprintf(f, "%d %lld\n", l->failures, (long long)l->locked_at);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0) {
		tt_warn("%s: cannot write the admin lock", tmp);
		return;
	}
	if (rename(tmp, l->path) != 0)
		tt_warn("%s: cannot write the admin lock: %s", l->path, tt_strerrno(errno));
}

void pinlock_init(pinlock *l, const char *state_dir)
{
	memset(l, 0, sizeof *l);
	snprintf(l->path, sizeof l->path, "%s/admin-lock", state_dir);
	FILE *f = fopen(l->path, "r");
	if (!f)
		return;
	int failures = 0;
	long long at = 0;
	if (fscanf(f, "%d %lld", &failures, &at) == 2 && failures >= 0 && failures <= PINLOCK_TRIES && at >= 0) {
		l->failures = failures;
		l->locked_at = at;
	} else {
		tt_warn("%s: not an admin lock file; starting a new count", l->path);
	}
	fclose(f);
}

int64_t pinlock_wait_s(pinlock *l, int64_t now)
{
	if (!l->locked_at)
		return 0;
	if (now < l->locked_at) { /* the clock went back: the lock starts again */
		l->locked_at = now > 0 ? now : 1;
		save(l);
	}
	int64_t left = l->locked_at + PINLOCK_SECONDS - now;
	if (left > 0)
		return left;
	l->locked_at = 0;
	l->failures = 0;
	save(l);
	return 0;
}

int pinlock_tries_left(const pinlock *l)
{
	return l->locked_at ? 0 : PINLOCK_TRIES - l->failures;
}

bool pin_valid(const char *pin)
{
	size_t n = pin ? strlen(pin) : 0;
	if (n < PIN_MIN_DIGITS || n > PIN_MAX_DIGITS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return false;
	return true;
}

pin_result pinlock_check(pinlock *l, const char *hash, const char *pin, int64_t now)
{
	if (!hash || !hash[0])
		return PIN_UNSET;
	if (pinlock_wait_s(l, now) > 0)
		return PIN_LOCKED;
	bool ok = pin && sodium_init() >= 0 && crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
	if (ok) {
		if (l->failures) {
			l->failures = 0;
			save(l);
		}
		return PIN_OK;
	}
	if (++l->failures >= PINLOCK_TRIES) {
		l->locked_at = now > 0 ? now : 1;
		tt_warn("admin screen: %d wrong PINs; locked for %d minutes", PINLOCK_TRIES, PINLOCK_SECONDS / 60);
	}
	save(l);
	return PIN_WRONG;
}

tt_err pin_hash(const char *pin, char *out, size_t outlen)
{
	if (!pin_valid(pin))
		return TT_ERR_INVAL;
	if (outlen < crypto_pwhash_STRBYTES || sodium_init() < 0)
		return TT_ERR_CRYPTO;
	if (crypto_pwhash_str(out, pin, strlen(pin), PIN_OPSLIMIT, PIN_MEMLIMIT) != 0)
		return TT_ERR_NOMEM;
	return TT_OK;
}
