/* test_pinlock.c - the admin PIN: Argon2id strings, five wrong tries lock
 * for fifteen minutes, the lock survives a restart and a clock set back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tramtin/pinlock.h"

static char dir[] = "/tmp/tt-pinlock-XXXXXX";
static char hash[160];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	return pin_hash("246810", hash, sizeof hash) == TT_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char p[200];
	snprintf(p, sizeof p, "%s/admin-lock", dir);
	unlink(p);
	rmdir(dir);
	return 0;
}

static void hash_is_argon2id_and_checks(void **state)
{
	(void)state;
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_null(strstr(hash, "246810"));
	char other[160];
	assert_int_equal(pin_hash("246810", other, sizeof other), TT_OK);
	assert_string_not_equal(hash, other); /* salted */
	assert_int_equal(pin_hash("12a4", other, sizeof other), TT_ERR_INVAL);
	assert_int_equal(pin_hash("123", other, sizeof other), TT_ERR_INVAL);
	assert_true(pin_valid("0000"));
	assert_false(pin_valid("1234567890123"));
	assert_false(pin_valid(""));
}

static void five_wrong_lock_for_fifteen_minutes(void **state)
{
	(void)state;
	pinlock l;
	pinlock_init(&l, dir);
	int64_t t = 1795000000;
	assert_int_equal(pinlock_check(&l, "", "246810", t), PIN_UNSET);
	assert_int_equal(pinlock_check(&l, hash, "246810", t), PIN_OK);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pinlock_check(&l, hash, "111111", t + i), PIN_WRONG);
		assert_int_equal(pinlock_tries_left(&l), PINLOCK_TRIES - 1 - i);
	}
	/* a right PIN starts the count again */
	assert_int_equal(pinlock_check(&l, hash, "246810", t + 5), PIN_OK);
	assert_int_equal(pinlock_tries_left(&l), PINLOCK_TRIES);
	for (int i = 0; i < 5; i++)
		assert_int_equal(pinlock_check(&l, hash, "999999", t + 10), PIN_WRONG);
	assert_int_equal(pinlock_tries_left(&l), 0);
	/* locked: even the right PIN is refused */
	assert_int_equal(pinlock_check(&l, hash, "246810", t + 11), PIN_LOCKED);
	assert_int_equal(pinlock_wait_s(&l, t + 10 + 60), PINLOCK_SECONDS - 60);

	/* a restart keeps the lock */
	pinlock again;
	pinlock_init(&again, dir);
	assert_int_equal(pinlock_check(&again, hash, "246810", t + 10 + 14 * 60), PIN_LOCKED);
	/* the clock set back an hour: the lock starts over, it does not end */
	assert_int_equal(pinlock_check(&again, hash, "246810", t - 3600), PIN_LOCKED);
	assert_int_equal(pinlock_wait_s(&again, t - 3600), PINLOCK_SECONDS);
	/* fifteen minutes later it opens, with five fresh tries */
	assert_int_equal(pinlock_check(&again, hash, "246810", t - 3600 + PINLOCK_SECONDS), PIN_OK);
	assert_int_equal(pinlock_tries_left(&again), PINLOCK_TRIES);
}

static void bad_lock_file_starts_a_new_count(void **state)
{
	(void)state;
	char p[200];
	snprintf(p, sizeof p, "%s/admin-lock", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("garbage\n", f);
	fclose(f);
	pinlock l;
	pinlock_init(&l, dir);
	assert_int_equal(pinlock_tries_left(&l), PINLOCK_TRIES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_is_argon2id_and_checks),
		cmocka_unit_test(five_wrong_lock_for_fifteen_minutes),
		cmocka_unit_test(bad_lock_file_starts_a_new_count),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
