/* test_code.c - tracking codes: the alphabet, grouping, reading back what
 * people type, and the keyed hash that names a code in public. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tramtin/code.h"
#include "tramtin/crypto.h"

#define CROCKFORD "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

static int setup(void **state)
{
	(void)state;
	return crypto_init() == TT_OK ? 0 : -1;
}

static void new_codes_are_grouped_crockford(void **state)
{
	(void)state;
	unsigned seen[32] = {0};
	for (int n = 0; n < 200; n++) {
		char c[CODE_GROUPED_LEN + 1], norm[CODE_LEN + 1];
		memset(c, 'x', sizeof c);
		code_new(c);
		assert_int_equal(strlen(c), CODE_GROUPED_LEN);
		for (int i = 0; i < CODE_GROUPED_LEN; i++) {
			if (i == 4 || i == 9 || i == 14) {
				assert_int_equal(c[i], '-');
				continue;
			}
			const char *p = strchr(CROCKFORD, c[i]);
			assert_non_null(p);
			assert_true(c[i] != '\0');
			seen[p - CROCKFORD]++;
		}
		/* a new code reads back as itself */
		assert_true(code_normalise(c, norm));
		char again[CODE_GROUPED_LEN + 1];
		code_group(norm, again);
		assert_string_equal(again, c);
	}
	/* 3200 symbols: every one of the 32 shows up (a stuck bit would not) */
	for (int i = 0; i < 32; i++)
		assert_true(seen[i] > 0);
}

static void new_codes_differ(void **state)
{
	(void)state;
	char a[CODE_GROUPED_LEN + 1], b[CODE_GROUPED_LEN + 1];
	code_new(a);
	code_new(b);
	assert_string_not_equal(a, b);
}

static void normalise_forgives(void **state)
{
	(void)state;
	char out[CODE_LEN + 1];
	assert_true(code_normalise("7KQ2-M9XD-4TRB-HV3N", out));
	assert_string_equal(out, "7KQ2M9XD4TRBHV3N");
	assert_true(code_normalise("7kq2m9xd4trbhv3n", out));
	assert_string_equal(out, "7KQ2M9XD4TRBHV3N");
	assert_true(code_normalise(" 7kq2 - m9xd 4trb-hv3n ", out));
	assert_string_equal(out, "7KQ2M9XD4TRBHV3N");
	/* I, i, L, l read as 1; O, o as 0 */
	assert_true(code_normalise("IiLl-OoOo-0000-1111", out));
	assert_string_equal(out, "1111000000001111");
	assert_true(code_normalise("abcdefghjkmnpqrs", out));
	assert_string_equal(out, "ABCDEFGHJKMNPQRS");
	assert_true(code_normalise("TVWXYZ0123456789", out));
	assert_string_equal(out, "TVWXYZ0123456789");
}

static void normalise_refuses(void **state)
{
	(void)state;
	char out[CODE_LEN + 1];
	assert_false(code_normalise(NULL, out));
	assert_false(code_normalise("", out));
	assert_false(code_normalise("7KQ2-M9XD-4TRB-HV3", out));    /* 15 */
	assert_false(code_normalise("7KQ2-M9XD-4TRB-HV3NN", out));  /* 17 */
	assert_false(code_normalise("7KQ2-M9XD-4TRB-HV3U", out));   /* U is no symbol */
	assert_false(code_normalise("7KQ2-M9XD-4TRB-HVuN", out));
	assert_false(code_normalise("7KQ2-M9XD-4TRB-HV3*", out));
	assert_false(code_normalise("7KQ2_M9XD_4TRB_HV3N", out));
	assert_false(code_normalise("7KQ2-M9XD-4TRB-HV3\xc3\x90", out)); /* non-ASCII */
	assert_false(code_normalise("7KQ2M9XD4TRBHV3N7KQ2M9XD4TRBHV3N", out));
}

static void group_and_normalise_agree(void **state)
{
	(void)state;
	char g[CODE_GROUPED_LEN + 1], n[CODE_LEN + 1];
	code_group("0123456789ABCDEF", g);
	assert_string_equal(g, "0123-4567-89AB-CDEF");
	assert_true(code_normalise(g, n));
	assert_string_equal(n, "0123456789ABCDEF");
}

/* The expected hash computed here, independently: BLAKE2b, 16 bytes of
 * output, key "tramtin-track-v1", over the 16 normalised characters. */
static void expected_hash(const char *norm, char hex[CODE_HASH_HEX + 1])
{
	unsigned char h[16];
	const char *key = "tramtin-track-v1";
	assert_int_equal(strlen(key), 16);
	assert_int_equal(crypto_generichash(h, sizeof h, (const unsigned char *)norm, 16, (const unsigned char *)key, 16), 0);
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
}

static void hash_is_keyed_blake2b_128(void **state)
{
	(void)state;
	char got[CODE_HASH_HEX + 1], want[CODE_HASH_HEX + 1];
	expected_hash("7KQ2M9XD4TRBHV3N", want);
	assert_true(code_hash("7KQ2-M9XD-4TRB-HV3N", got));
	assert_string_equal(got, want);
	assert_int_equal(strlen(got), CODE_HASH_HEX);
	for (int i = 0; i < CODE_HASH_HEX; i++)
		assert_non_null(strchr("0123456789abcdef", got[i]));

	/* the same code typed differently hashes the same */
	char other[CODE_HASH_HEX + 1];
	assert_true(code_hash("7kq2m9xd4trbhv3n", other));
	assert_string_equal(other, want);
	assert_true(code_hash("7KQ2 M9XD 4TRB HV3N", other));
	assert_string_equal(other, want);

	/* I/L/O variants are the same code */
	char a[CODE_HASH_HEX + 1], b[CODE_HASH_HEX + 1];
	assert_true(code_hash("ILO0-1100-0000-0000", a));
	assert_true(code_hash("1100-1100-0000-0000", b));
	assert_string_equal(a, b);

	/* not the unkeyed hash, not a hash of the grouped form */
	unsigned char h[16];
	char unkeyed[CODE_HASH_HEX + 1];
	crypto_generichash(h, sizeof h, (const unsigned char *)"7KQ2M9XD4TRBHV3N", 16, NULL, 0);
	sodium_bin2hex(unkeyed, sizeof unkeyed, h, sizeof h);
	assert_string_not_equal(got, unkeyed);

	/* a different code, a different hash */
	assert_true(code_hash("7KQ2-M9XD-4TRB-HV3P", other));
	assert_string_not_equal(other, want);
}

static void hash_is_stable(void **state)
{
	(void)state;
	/* Fixed values (Python: hashlib.blake2b(code, key=b"tramtin-track-v1",
	 * digest_size=16)), so a change of key, length or input is noticed even
	 * if the test's own computation changed with it: kiosks and collectors
	 * of different versions must agree on the track topic. */
	char got[CODE_HASH_HEX + 1];
	assert_true(code_hash("0000-0000-0000-0000", got));
	assert_string_equal(got, "68f10f44a980d9d4e16e67facc0eaa2e");
	assert_true(code_hash("7KQ2-M9XD-4TRB-HV3N", got));
	assert_string_equal(got, "1d949df4a9fafda0e4c25f82c44d379d");
	assert_true(code_hash("oooo-oooo-oooo-oooo", got));
	assert_string_equal(got, "68f10f44a980d9d4e16e67facc0eaa2e");
}

static void hash_refuses_bad_codes(void **state)
{
	(void)state;
	char out[CODE_HASH_HEX + 1];
	assert_false(code_hash("7KQ2-M9XD-4TRB-HV3", out));
	assert_false(code_hash("7KQ2-M9XD-4TRB-HV3U", out));
	assert_false(code_hash(NULL, out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_codes_are_grouped_crockford),
		cmocka_unit_test(new_codes_differ),
		cmocka_unit_test(normalise_forgives),
		cmocka_unit_test(normalise_refuses),
		cmocka_unit_test(group_and_normalise_agree),
		cmocka_unit_test(hash_is_keyed_blake2b_128),
		cmocka_unit_test(hash_is_stable),
		cmocka_unit_test(hash_refuses_bad_codes),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
