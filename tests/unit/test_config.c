/* test_config.c - the INI config: defaults, every key, and the one-line
 * errors that name file, line and key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tramtin/config.h"

static char path[256];

static void write_ini(const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/tt-config-%d/kiosk.ini", (int)getpid());
	char dir[256];
	snprintf(dir, sizeof dir, "/tmp/tt-config-%d", (int)getpid());
	mkdir(dir, 0700);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	return 0;
}

static void defaults_are_sane(void **state)
{
	(void)state;
	tt_config c;
	char err[256];
	config_defaults(&c);
	assert_int_equal(c.idle_timeout_s, 60);
	assert_int_equal(c.form_timeout_s, 120);
	assert_int_equal(c.warning_s, 20);
	assert_int_equal(c.text_max_chars, 2000);
	assert_string_equal(c.lang, "vi");
	assert_int_equal(config_check(&c, NULL, err, sizeof err), TT_OK);
}

static void reads_every_section(void **state)
{
	(void)state;
	tt_config c;
	char err[256];
	config_defaults(&c);
	write_ini("; a comment\n[kiosk]\nid = ht-camxuyen-01\nprovince = ht\ncommune = camxuyen\nlang = en\n"
	          "[content]\ndir = content\n[state]\ndir = /var/lib/tramtin\n"
	          "[mqtt]\nhost = 127.0.0.1\nport = 8883\nusername = ht-camxuyen-01\npassword = s3cret\n"
	          "[collector]\npublic_key = AAAA\nfollowup_url = https://example.org/t\n"
	          "[trust]\ncontent_keys = ht=AAAA ht/camxuyen=BBBB\n"
	          "[idle]\ntimeout_s = 90\nform_timeout_s = 180\nwarning_s = 15\n"
	          "[display]\norientation = portrait\n[input]\nmethod = vni\nstyle = new\nmax_chars = 500\n");
	assert_int_equal(config_load(&c, path, err, sizeof err), TT_OK);
	assert_string_equal(c.kiosk_id, "ht-camxuyen-01");
	assert_string_equal(c.lang, "en");
	assert_int_equal(c.mqtt_port, 8883);
	assert_int_equal(c.idle_timeout_s, 90);
	assert_string_equal(c.orientation, "portrait");
	assert_string_equal(c.ime_method, "vni");
	assert_int_equal(c.text_max_chars, 500);
	assert_string_equal(c.state_dir, "/var/lib/tramtin");
	/* a relative path is taken from the config file's folder */
	assert_non_null(strstr(c.content_dir, "/tt-config-"));
	assert_non_null(strstr(c.content_dir, "/content"));
}

static void expect_error(const char *ini, const char *needle)
{
	tt_config c;
	char err[256];
	config_defaults(&c);
	write_ini(ini);
	assert_int_equal(config_load(&c, path, err, sizeof err), TT_ERR_CONFIG);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not contain '%s'", err, needle);
	assert_non_null(strstr(err, path));
}

static void errors_name_file_line_and_key(void **state)
{
	(void)state;
	expect_error("[kiosk]\nid = a\nbogus = 1\n", ":3: [kiosk] bogus: unknown key");
	expect_error("[kiosk]\n\n[nosuch]\nkey = 1\n", ":4: [nosuch] key: unknown section");
	expect_error("[mqtt]\nport = 99999\n", ":2: [mqtt] port: must be between 1 and 65535; got '99999'");
	expect_error("[mqtt]\nport = eighty\n", ":2: [mqtt] port: not a whole number");
	expect_error("[kiosk]\nlang = fr\n", ":2: [kiosk] lang: must be one of: vi en; got 'fr'");
	expect_error("[kiosk]\nthis line is not ini\n", ":2: not a valid INI line");
	expect_error("[kiosk]\nid = bad/id\n", "[kiosk] id: must be letters");
	expect_error("[idle]\ntimeout_s = 10\nwarning_s = 10\n", "[idle] warning_s: must be shorter");
	expect_error("[collector]\nfollowup_url = ftp://x\n", "[collector] followup_url");
	expect_error("[admin]\npin_hash = 1234\n", "[admin] pin_hash: not an Argon2id string (make one with: tramtin-admin pin-hash)");
	expect_error("[display]\nlarge_text = big\n", ":2: [display] large_text: must be true or false; got 'big'");
	expect_error("[accessibility]\nspeech_rate = 1000\n",
	             ":2: [accessibility] speech_rate: must be between 80 and 450; got '1000'");
	expect_error("[accessibility]\nspeech_rate = fast\n", ":2: [accessibility] speech_rate: not a whole number");
	expect_error("[accessibility]\nread_aloud = loud\n", ":2: [accessibility] read_aloud: must be true or false");
}

static void booleans(void **state)
{
	(void)state;
	tt_config c;
	char err[256];
	config_defaults(&c);
	assert_false(c.large_text);
	assert_false(c.high_contrast);
	write_ini("[display]\nlarge_text = yes\nhigh_contrast = on\n");
	assert_int_equal(config_load(&c, path, err, sizeof err), TT_OK);
	assert_true(c.large_text);
	assert_true(c.high_contrast);
	write_ini("[display]\nlarge_text = false\nhigh_contrast = 0\n");
	assert_int_equal(config_load(&c, path, err, sizeof err), TT_OK);
	assert_false(c.large_text);
	assert_false(c.high_contrast);
	assert_true(c.read_aloud);
	assert_false(c.announce_keys);
	assert_int_equal(c.speech_rate, 150);
	write_ini("[accessibility]\nread_aloud = false\nannounce_keys = true\nspeech_rate = 200\n");
	assert_int_equal(config_load(&c, path, err, sizeof err), TT_OK);
	assert_false(c.read_aloud);
	assert_true(c.announce_keys);
	assert_int_equal(c.speech_rate, 200);
}

static void missing_file_is_not_found(void **state)
{
	(void)state;
	tt_config c;
	char err[256];
	config_defaults(&c);
	assert_int_equal(config_load(&c, "/nonexistent/kiosk.ini", err, sizeof err), TT_ERR_NOTFOUND);
	assert_non_null(strstr(err, "/nonexistent/kiosk.ini: cannot open"));
}

static void example_config_is_valid(void **state)
{
	(void)state;
	tt_config c;
	char err[512], p[1024];
	config_defaults(&c);
	snprintf(p, sizeof p, "%s/kiosk-config/kiosk.ini.example", getenv("TT_SOURCE_DIR") ? getenv("TT_SOURCE_DIR") : ".");
	if (config_load(&c, p, err, sizeof err) != TT_OK)
		fail_msg("%s", err);
}

/* [schedule]: opening hours and days; bad values name the key. */
static void schedule_hours_and_days(void **state)
{
	(void)state;
	tt_config c;
	char err[300] = "";
	config_defaults(&c);
	assert_true(config_open_at(&c, 7, 3 * 60)); /* no hours: always on */
	snprintf(c.open_hours, sizeof c.open_hours, "07:00-17:30");
	snprintf(c.open_days, sizeof c.open_days, "123456");
	assert_int_equal(config_check(&c, "k.ini", err, sizeof err), TT_OK);
	assert_true(config_open_at(&c, 5, 7 * 60));
	assert_true(config_open_at(&c, 5, 17 * 60 + 29));
	assert_false(config_open_at(&c, 5, 17 * 60 + 30));
	assert_false(config_open_at(&c, 5, 6 * 60 + 59));
	assert_false(config_open_at(&c, 7, 9 * 60)); /* Sunday */
	snprintf(c.open_hours, sizeof c.open_hours, "17:00-07:00");
	assert_int_equal(config_check(&c, "k.ini", err, sizeof err), TT_ERR_CONFIG);
	assert_non_null(strstr(err, "k.ini: [schedule] hours"));
	snprintf(c.open_hours, sizeof c.open_hours, "07:00-17:00");
	snprintf(c.open_days, sizeof c.open_days, "1-5");
	assert_int_equal(config_check(&c, "k.ini", err, sizeof err), TT_ERR_CONFIG);
	assert_non_null(strstr(err, "[schedule] days"));
}

/* Found by fuzz_config: inih cut lines over its buffer silently and read
 * the rest as a line of its own; an indented line continued the key
 * before it. */
static void long_and_indented_lines(void **state)
{
	(void)state;
	tt_config c;
	char err[256], text[600];
	config_defaults(&c);
	snprintf(text, sizeof text, "[kiosk]\nid = k1\n# %0250d\n", 0);
	write_ini(text);
	assert_int_equal(config_load(&c, path, err, sizeof err), TT_ERR_CONFIG);
	assert_non_null(strstr(err, "kiosk.ini:3: line too long"));
	config_defaults(&c);
	snprintf(text, sizeof text, "[kiosk]\ncommune = %0197d\n", 0); /* 208 bytes: too long */
	assert_int_equal(config_load_text(&c, "mem.ini", text, strlen(text), err, sizeof err), TT_ERR_CONFIG);
	assert_string_equal(err, "mem.ini:2: line too long (at most 198 bytes)");
	config_defaults(&c);
	const char *indented = "[kiosk]\n  id = k2\n\tprovince = qb\n   [idle]\n    timeout_s = 90\n";
	assert_int_equal(config_load_text(&c, "mem.ini", indented, strlen(indented), err, sizeof err), TT_OK);
	assert_string_equal(c.kiosk_id, "k2");
	assert_string_equal(c.province, "qb");
	assert_int_equal(c.idle_timeout_s, 90);
	/* from memory as from the file, NUL-terminated or not */
	const char *bad = "[kiosk]\nid = a/b";
	assert_int_equal(config_load_text(&c, "mem.ini", bad, strlen(bad), err, sizeof err), TT_ERR_CONFIG);
	assert_non_null(strstr(err, "mem.ini: [kiosk] id"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_sane),
		cmocka_unit_test(reads_every_section),
		cmocka_unit_test(errors_name_file_line_and_key),
		cmocka_unit_test(missing_file_is_not_found),
		cmocka_unit_test(example_config_is_valid),
		cmocka_unit_test(schedule_hours_and_days),
		cmocka_unit_test(booleans),
		cmocka_unit_test(long_and_indented_lines),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
