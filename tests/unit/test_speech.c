/* test_speech.c - read aloud: espeak-ng turns Vietnamese text into real
 * PCM on the worker thread, and stop drops it at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tramtin/speech.h"

static tt_speech *sp;

static int setup(void **state)
{
	(void)state;
	char err[256] = "";
	if (speech_new(&sp, "vi", SPEECH_RATE_DEFAULT, err, sizeof err) != TT_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	speech_free(sp);
	sp = NULL;
	return 0;
}

/* Pulls everything synthesised for the current text. */
static size_t drain(uint64_t *energy)
{
	int16_t buf[4096];
	size_t total = 0, n;
	*energy = 0;
	for (;;) {
		bool over = speech_wait_synth(sp, 10);
		while ((n = speech_read(sp, buf, 4096)) > 0) {
			for (size_t i = 0; i < n; i++)
				*energy += (uint64_t)((int32_t)buf[i] * buf[i]) / 1024;
			total += n;
		}
		if (over && !speech_read(sp, buf, 1))
			return total;
	}
}

static void vietnamese_to_pcm(void **state)
{
	(void)state;
	assert_int_equal(speech_sample_rate(sp), 22050);
	/* decomposed input (NFD "ủ") is read as its NFC form */
	assert_int_equal(speech_speak(sp, "Xin chào. Hỗ trợ hộ nghe\xcc\x80o vay vốn ưu đãi."), TT_OK);
	uint64_t energy;
	size_t n = drain(&energy);
	speech_status st;
	char text[256];
	speech_get_status(sp, &st, text, sizeof text);
	assert_true(n > 22050 / 2); /* more than half a second of sound */
	assert_int_equal(st.samples, n);
	assert_int_equal(st.played, n);
	assert_true(st.peak > 1000);
	assert_true(energy > 0);
	assert_false(st.active);
	assert_false(st.synthesizing);
	assert_string_equal(text, "Xin chào. Hỗ trợ hộ nghèo vay vốn ưu đãi.");
}

static void faster_rate_is_shorter(void **state)
{
	(void)state;
	const char *t = "Ủy ban nhân dân xã thông báo lịch tiếp công dân trong tháng mười hai.";
	uint64_t e;
	speech_set_rate(sp, 120);
	speech_speak(sp, t);
	size_t slow = drain(&e);
	speech_set_rate(sp, 300);
	speech_speak(sp, t);
	size_t fast = drain(&e);
	assert_true(fast * 3 < slow * 2);
	speech_set_rate(sp, SPEECH_RATE_DEFAULT);
}

static void stop_drops_everything(void **state)
{
	(void)state;
	char long_text[8192] = "";
	for (int i = 0; i < 60; i++)
		strcat(long_text, "Người dân có thể gửi ý kiến phản ánh tại trạm tin của xã. ");
	assert_int_equal(speech_speak(sp, long_text), TT_OK);
	speech_status st;
	/* wait until sound is coming, without playing it */
	for (int i = 0; i < 500; i++) {
		speech_get_status(sp, &st, NULL, 0);
		if (st.samples > 0)
			break;
		speech_wait_synth(sp, 10);
	}
	assert_true(st.samples > 0);
	assert_true(st.active);
	speech_stop(sp);
	speech_get_status(sp, &st, NULL, 0);
	assert_false(st.active);
	assert_false(st.synthesizing);
	int16_t buf[64];
	assert_int_equal(speech_read(sp, buf, 64), 0);
	/* the worker let go of the old text: a new one is read whole */
	assert_true(speech_wait_synth(sp, 5000));
	speech_speak(sp, "Một.");
	uint64_t e;
	assert_true(drain(&e) > 1000);
}

static void bad_input(void **state)
{
	(void)state;
	assert_int_equal(speech_speak(sp, "\xff\xfe"), TT_ERR_PARSE);
	assert_int_equal(speech_speak(NULL, "a"), TT_ERR_INVAL);
	/* punctuation only: nothing to say, and nothing hangs */
	assert_int_equal(speech_speak(sp, "..."), TT_OK);
	uint64_t e;
	drain(&e);
	speech_status st;
	speech_get_status(sp, &st, NULL, 0);
	assert_false(st.active);
	char err[128];
	tt_speech *second;
	assert_int_equal(speech_new(&second, "vi", 150, err, sizeof err), TT_ERR_STATE);
}

int main(void)
{
	if (!speech_available()) {
		printf("speech: this build has no espeak-ng; skipped\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vietnamese_to_pcm),
		cmocka_unit_test(faster_rate_is_shorter),
		cmocka_unit_test(stop_drops_everything),
		cmocka_unit_test(bad_input),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
