/* fuzz_envelope.c - fuzz target for submissions as the collector receives
 * them and acks as the kiosk receives them: the envelope
 * (envelope_parse, envelope_verify, envelope_open), the inner payload's
 * check (collector_parse_inner) and the ack (envelope_ack_parse).  The
 * input is tried as each of those; when its last byte is odd it is also
 * sealed and signed as an inner payload (envelope_build) and taken back
 * apart, so the checks behind the signature and the seal are reached.
 * Nothing may crash, leak or read out of bounds.  libFuzzer target; with
 * -DFUZZ_STANDALONE standalone.c gives it a main(). */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "tramtin/crypto.h"
#include "tramtin/envelope.h"
#include "tramtin/log.h"
#include "tramtin/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tt_sign_key kiosk;
static tt_box_key collector;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	tt_log_init("fuzz_envelope", TT_LOG_QUIET);
	if (crypto_init() != TT_OK)
		abort();
	unsigned char seed[32] = {1, 2, 3};
	crypto_sign_seed_keypair(kiosk.pk, kiosk.sk, seed);
	crypto_box_seed_keypair(collector.pk, collector.sk, seed);
	return 0;
}

static void inner(const char *json)
{
	store_record r = {0};
	char why[200] = "";
	if (!collector_parse_inner(json, &r, why, sizeof why) && !why[0]) {
		fprintf(stderr, "fuzz_envelope: inner payload refused without a reason\n");
		abort();
	}
	store_record_clear(&r);
}

static void envelope(const char *json, size_t len, bool must_open)
{
	tt_envelope env;
	char why[200];
	if (envelope_parse(json, len, &env, why, sizeof why) != TT_OK) {
		if (must_open) {
			fprintf(stderr, "fuzz_envelope: a built envelope does not parse: %s\n", why);
			abort();
		}
		return;
	}
	if (envelope_verify(&env, kiosk.pk) == TT_OK) {
		char *in = NULL;
		tt_err rc = envelope_open(&env, &collector, &in);
		if (rc == TT_OK) {
			inner(in);
			free(in);
		} else if (must_open && rc != TT_ERR_PARSE) { /* PARSE: sealed fine, not a JSON object */
			fprintf(stderr, "fuzz_envelope: a built envelope does not open\n");
			abort();
		}
	} else if (must_open) {
		fprintf(stderr, "fuzz_envelope: a built envelope does not verify\n");
		abort();
	}
	envelope_free(&env);
}

static void count(void *ctx, const char *const *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		*(size_t *)ctx += strlen(ids[i]) > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	envelope((const char *)data, size, false);
	inner(text);
	size_t n = 0;
	(void)envelope_ack_parse((const char *)data, size, count, &n);

	if (size && (data[size - 1] & 1)) {
		char *out = NULL;
		if (envelope_build("0b9e2a4c-3d5f-4e6a-8b7c-9d0e1f2a3b4c", "xa-01", text, collector.pk, &kiosk, &out) ==
		    TT_OK) {
			envelope(out, strlen(out), true);
			free(out);
		}
	}
	free(text);
	return 0;
}
