/* bench_speech.c - read aloud: how long espeak-ng's Vietnamese voice takes
 * to synthesise 1,000 characters (a typical content page is 1,500-3,000),
 * how much sound that is, and how long the engine takes to start.
 * Prints figures only; nothing fails on a slow machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tramtin/speech.h"
#include "tramtin/text.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static const char *const sentences[] = {
	"Dự án hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo trên địa bàn các huyện nghèo.",
	"Có chỗ ở an toàn, chắc chắn thì gia đình mới yên tâm làm ăn, con cháu yên tâm học hành.",
	"Ai được hỗ trợ, mức hỗ trợ bao nhiêu, điều kiện ra sao, đều do Nhà nước quy định.",
	"Bà con có quyền hỏi vì sao gia đình mình được hoặc chưa được hỗ trợ.",
	"Ủy ban nhân dân xã niêm yết danh sách hộ nghèo trong mười lăm ngày để người dân góp ý.",
};

int main(void)
{
	if (!speech_available()) {
		printf("bench: speech: this build has no espeak-ng\n");
		return 0;
	}
	/* about 1,000 characters (code points) of Vietnamese */
	char text[4096] = "";
	for (size_t i = 0; text_graphemes(text, strlen(text)) < 1000; i++) {
		strcat(text, sentences[i % 5]);
		strcat(text, " ");
	}
	size_t chars = text_graphemes(text, strlen(text));
	char err[256];
	tt_speech *s;
	double t0 = now_ms();
	if (speech_new(&s, "vi", SPEECH_RATE_DEFAULT, err, sizeof err) != TT_OK) {
		printf("bench: speech: %s\n", err);
		return 1;
	}
	double start = now_ms() - t0;
	static int16_t buf[8192];
	double best = 1e18, total = 0;
	uint64_t samples = 0, first_best = UINT64_MAX;
	const int runs = 5;
	for (int r = 0; r < runs; r++) {
		double a = now_ms(), first = 0;
		speech_speak(s, text);
		uint64_t got = 0;
		for (;;) {
			bool over = speech_wait_sound(s, got + 1, 50);
			size_t n;
			while ((n = speech_read(s, buf, 8192)) > 0) {
				if (!got)
					first = now_ms() - a;
				got += n;
			}
			if (over && !speech_read(s, buf, 1)) {
				speech_status st;
				speech_get_status(s, &st, NULL, 0);
				if (!st.synthesizing)
					break;
			}
		}
		double ms = now_ms() - a;
		total += ms;
		if (ms < best)
			best = ms;
		if ((uint64_t)(first * 1000) < first_best)
			first_best = (uint64_t)(first * 1000);
		samples = got;
	}
	double audio_s = (double)samples / speech_sample_rate(s);
	printf("bench: speech: %zu characters of Vietnamese -> %.1f s of sound at %d words/min\n", chars, audio_s,
	       SPEECH_RATE_DEFAULT);
	printf("bench: speech synthesis: %.0f ms per 1,000 characters (best of %d; mean %.0f ms), %.0fx faster than "
	       "real time\n", best * 1000.0 / (double)chars, runs, total / runs * 1000.0 / (double)chars,
	       audio_s * 1000.0 / best);
	printf("bench: speech: first sound after %.1f ms; engine start %.1f ms\n", (double)first_best / 1000.0, start);
	speech_free(s);
	return 0;
}
