/* ratelimit.c - see ratelimit.h.  Two rings: the times of the last
 * submissions (as many as the hourly cap needs, at most RING) and the
 * hashes of the last texts with their times. */
#include "tramtin/ratelimit.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define RING 1024
#define TEXTS 64
#define HOUR_MS 3600000u

struct ratelimit {
	ratelimit_config c;
	uint64_t times[RING];
	size_t n, head; /* head: the next slot; n: how many are kept */
	struct {
		unsigned char hash[16];
		uint64_t at;
		int used;
	} texts[TEXTS];
	size_t next_text;
};

ratelimit *ratelimit_new(const ratelimit_config *c)
{
	ratelimit *r = calloc(1, sizeof *r);
	if (r && c)
		r->c = *c;
	return r;
}

void ratelimit_free(ratelimit *r)
{
	if (r)
		sodium_memzero(r, sizeof *r);
	free(r);
}

static void hash_text(const char *text, unsigned char out[16])
{
	static const unsigned char key[16] = "tramtin-repeat";
	crypto_generichash(out, 16, (const unsigned char *)text, strlen(text), key, sizeof key);
}

/* The i-th most recent time (0: the last). */
static uint64_t recent(const ratelimit *r, size_t i)
{
	return r->times[(r->head + RING - 1 - i) % RING];
}

rl_verdict ratelimit_check(const ratelimit *r, const char *text, uint64_t now_ms, int *wait_s)
{
	int wait = 0;
	rl_verdict v = RL_OK;
	if (!r)
		goto out;
	if (text && *text && r->c.repeat_s > 0) {
		unsigned char h[16];
		hash_text(text, h);
		for (size_t i = 0; i < TEXTS; i++)
			if (r->texts[i].used && now_ms - r->texts[i].at < (uint64_t)r->c.repeat_s * 1000 &&
			    sodium_memcmp(r->texts[i].hash, h, sizeof h) == 0) {
				v = RL_REPEAT;
				goto out;
			}
	}
	if (r->n && r->c.min_interval_s > 0) {
		uint64_t last = recent(r, 0), gap = (uint64_t)r->c.min_interval_s * 1000;
		if (now_ms - last < gap) {
			v = RL_TOO_SOON;
			wait = (int)((gap - (now_ms - last) + 999) / 1000);
			goto out;
		}
	}
	if (r->c.per_hour > 0 && r->n >= (size_t)r->c.per_hour) {
		/* the per_hour-th most recent must be an hour old */
		uint64_t oldest = recent(r, (size_t)r->c.per_hour - 1);
		if (now_ms - oldest < HOUR_MS) {
			v = RL_HOURLY_CAP;
			wait = (int)((HOUR_MS - (now_ms - oldest) + 999) / 1000);
		}
	}
out:
	if (wait_s)
		*wait_s = wait;
	return v;
}

void ratelimit_note(ratelimit *r, const char *text, uint64_t now_ms)
{
	if (!r)
		return;
	r->times[r->head] = now_ms;
	r->head = (r->head + 1) % RING;
	if (r->n < RING)
		r->n++;
	if (text && *text) {
		hash_text(text, r->texts[r->next_text].hash);
		r->texts[r->next_text].at = now_ms;
		r->texts[r->next_text].used = 1;
		r->next_text = (r->next_text + 1) % TEXTS;
	}
}
