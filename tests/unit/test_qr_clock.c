/* test_qr_clock.c - QR matrices and the clock's date arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tramtin/clock.h"
#include "tramtin/qr.h"

/* A finder pattern: 7x7 dark ring, light ring, 3x3 dark core. */
static void assert_finder(const tt_qr *q, int ox, int oy)
{
	for (int y = 0; y < 7; y++)
		for (int x = 0; x < 7; x++) {
			bool ring = x == 0 || y == 0 || x == 6 || y == 6;
			bool core = x >= 2 && x <= 4 && y >= 2 && y <= 4;
			assert_int_equal(qr_dark(q, ox + x, oy + y), ring || core);
		}
}

static void qr_matrix_has_finders(void **state)
{
	(void)state;
	tt_qr q;
	const char *url = "https://vbpl.vn/pages/vbpq-timkiem.aspx?type=0&s=1&Keyword=90/Q%C4%90-TTg";
	assert_int_equal(qr_encode(url, &q), TT_OK);
	assert_true(q.size >= 21 && q.size <= 57);
	assert_int_equal((q.size - 17) % 4, 0);
	assert_finder(&q, 0, 0);
	assert_finder(&q, q.size - 7, 0);
	assert_finder(&q, 0, q.size - 7);
	assert_false(qr_dark(&q, -1, 0));
	assert_false(qr_dark(&q, q.size, 0));
	qr_free(&q);
	assert_null(q.modules);
	qr_free(&q);
	qr_free(NULL);
}

static void qr_rejects_empty_and_huge(void **state)
{
	(void)state;
	tt_qr q;
	static char big[8000];
	memset(big, 'x', sizeof big - 1);
	assert_int_equal(qr_encode("", &q), TT_ERR_INVAL);
	assert_int_equal(qr_encode(NULL, &q), TT_ERR_INVAL);
	assert_int_equal(qr_encode(big, &q), TT_ERR_RANGE);
	assert_null(q.modules);
}

static void clock_parses_dates(void **state)
{
	(void)state;
	int64_t t;
	assert_true(clock_parse("1970-01-01T00:00:00Z", 0, &t));
	assert_int_equal(t, 0);
	assert_true(clock_parse("2026-11-27T09:00:00+07:00", 0, &t));
	assert_int_equal(t, 1795744800); /* 2026-11-27T02:00:00Z */
	int64_t d;
	assert_true(clock_parse("2026-11-27", CLOCK_TZ_VN_MIN, &d));
	assert_int_equal(d, 1795744800 - 9 * 3600);
	assert_false(clock_parse("2026-02-29", 0, &d)); /* not a leap year */
	assert_true(clock_parse("2028-02-29", 0, &d));
	assert_false(clock_parse("2026-13-01", 0, &d));
	assert_false(clock_parse("2026-11-27T25:00", 0, &d));
	assert_false(clock_parse("2026-11-27junk", 0, &d));
	assert_false(clock_parse(NULL, 0, &d));
	int y, m, day, h, mi, wd;
	clock_civil(1795744800, CLOCK_TZ_VN_MIN, &y, &m, &day, &h, &mi, &wd);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 11);
	assert_int_equal(day, 27);
	assert_int_equal(h, 9);
	assert_int_equal(wd, 5); /* a Friday */
}

static void clock_advances(void **state)
{
	(void)state;
	uint64_t a = clock_ms();
	int64_t w = clock_now();
	clock_advance(65000);
	assert_true(clock_ms() - a >= 65000);
	assert_true(clock_now() - w >= 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qr_matrix_has_finders),
		cmocka_unit_test(qr_rejects_empty_and_huge),
		cmocka_unit_test(clock_parses_dates),
		cmocka_unit_test(clock_advances),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
