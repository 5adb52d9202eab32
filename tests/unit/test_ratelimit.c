/* test_ratelimit.c - the kiosk's submission limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tramtin/ratelimit.h"

#define S 1000u

static void interval_cap_and_repeat(void **state)
{
	(void)state;
	ratelimit_config c = {.min_interval_s = 30, .per_hour = 3, .repeat_s = 600};
	ratelimit *r = ratelimit_new(&c);
	int wait = -1;
	uint64_t t = 1000 * S;
	assert_int_equal(ratelimit_check(r, "Xin hỏi về hộ nghèo", t, &wait), RL_OK);
	ratelimit_note(r, "Xin hỏi về hộ nghèo", t);
	/* too soon, whatever the text */
	assert_int_equal(ratelimit_check(r, "Một ý kiến khác", t + 10 * S, &wait), RL_TOO_SOON);
	assert_int_equal(wait, 20);
	/* the same text again: refused even after the interval */
	assert_int_equal(ratelimit_check(r, "Xin hỏi về hộ nghèo", t + 60 * S, &wait), RL_REPEAT);
	assert_int_equal(wait, 0);
	assert_int_equal(ratelimit_check(r, "Xin hỏi về hộ nghèo", t + 601 * S, NULL), RL_OK);
	ratelimit_note(r, "Hai", t + 60 * S);
	ratelimit_note(r, "Ba", t + 120 * S);
	/* three in the hour: the fourth waits until the first is an hour old */
	assert_int_equal(ratelimit_check(r, "Bốn", t + 200 * S, &wait), RL_HOURLY_CAP);
	assert_int_equal(wait, 3600 - 200);
	assert_int_equal(ratelimit_check(r, "Bốn", t + 3600 * S, NULL), RL_OK);
	/* no text (a survey answer is checked without one): never a repeat */
	assert_int_equal(ratelimit_check(r, NULL, t + 3600 * S, NULL), RL_OK);
	ratelimit_free(r);
}

static void zero_is_off(void **state)
{
	(void)state;
	ratelimit_config c = {0};
	ratelimit *r = ratelimit_new(&c);
	for (int i = 0; i < 5000; i++) {
		assert_int_equal(ratelimit_check(r, "x", (uint64_t)i, NULL), RL_OK);
		ratelimit_note(r, "x", (uint64_t)i);
	}
	ratelimit_free(r);
	assert_int_equal(ratelimit_check(NULL, "x", 0, NULL), RL_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(interval_cap_and_repeat),
		cmocka_unit_test(zero_is_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
