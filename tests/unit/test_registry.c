/* test_registry.c - the collector's kiosk registry (src/collector/registry.c)
 * from real files: comments and blank lines, lookup by id, and a bad file
 * (missing, a short line, a bad key) refused with the old registry kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "collector/registry.h"
#include "tramtin/crypto.h"

static char path[256];

static void write_file(const char *text)
{
	snprintf(path, sizeof path, "/tmp/test_registry_%d", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Ed25519 public keys: 32 bytes of 1s and of 2s, in base64. */
#define K1 "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define K2 "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="

static void loads_and_finds(void **state)
{
	(void)state;
	kiosk_registry r = {0};
	write_file("# kiosks of Hà Tĩnh\n\nzz-kiosk " K2 "\n  ka " K1 "\n");
	assert_true(registry_load(path, &r));
	assert_int_equal(r.n, 2);
	const unsigned char *pk = registry_find(&r, "ka");
	assert_non_null(pk);
	assert_int_equal(pk[0], 1);
	pk = registry_find(&r, "zz-kiosk");
	assert_non_null(pk);
	assert_int_equal(pk[31], 2);
	assert_null(registry_find(&r, "kb"));
	assert_null(registry_find(&r, ""));
	registry_free(&r);
	assert_int_equal(r.n, 0);
	unlink(path);
}

static void bad_file_keeps_the_old(void **state)
{
	(void)state;
	kiosk_registry r = {0};
	write_file("ka " K1 "\n");
	assert_true(registry_load(path, &r));
	const char *bad[] = {"ka " K1 "\nkb\n", "ka " K1 "\nkb not-base64\n", "kb " K1 "xx\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file(bad[i]);
		assert_false(registry_load(path, &r));
		assert_int_equal(r.n, 1);
		assert_non_null(registry_find(&r, "ka"));
	}
	unlink(path);
	assert_false(registry_load(path, &r)); /* missing */
	assert_non_null(registry_find(&r, "ka"));
	registry_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(loads_and_finds),
	    cmocka_unit_test(bad_file_keeps_the_old),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
