/* fuzz_command.c - fuzz target for what staff send a kiosk: signed
 * announcements, surveys and commands.  The input is tried as a wire
 * payload and, signed with a trusted key (signed_wrap), as the message
 * inside it; each goes through the kiosk's own handling (staff_message on
 * the command, announcement and survey topics of the kiosk, its commune
 * and its province), then what the screens ask for: the announcement and
 * survey due, in both languages, and the pending commands.  signed_parse
 * sees the input directly too.  Nothing may crash, leak, read out of
 * bounds or hang.  libFuzzer target; with -DFUZZ_STANDALONE standalone.c
 * gives it a main(). */
#include <mosquitto.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/staff.h"
#include "tramtin/crypto.h"
#include "tramtin/log.h"
#include "tramtin/signed.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1795000000

static tt_sign_key key;
static char trust[256];

static const char *const topics[] = {
	"tramtin/v1/ht/xa/k1/down/cmd", "tramtin/v1/ht/xa/k1/down/announce", "tramtin/v1/ht/xa/k1/down/survey",
	"tramtin/v1/ht/xa/content/announce", "tramtin/v1/ht/xa/content/survey", "tramtin/v1/ht/content/announce",
	"tramtin/v1/ht/content/survey",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	tt_log_init("fuzz_command", TT_LOG_QUIET);
	if (crypto_init() != TT_OK)
		abort();
	unsigned char seed[crypto_sign_SEEDBYTES] = {9};
	crypto_sign_seed_keypair(key.pk, key.sk, seed);
	char b64[64];
	b64_encode(key.pk, sizeof key.pk, b64, sizeof b64);
	snprintf(trust, sizeof trust, "ht=%s ht/xa=%s", b64, b64);
	return 0;
}

static void kiosk(const char *payload, size_t len, unsigned which)
{
	staff *s = staff_new("tramtin/v1/ht/xa/k1", "ht/xa", "ht", "k1", trust, NULL);
	if (!s)
		abort();
	struct mosquitto_message msg = {0};
	msg.payload = (void *)payload;
	msg.payloadlen = (int)len;
	bool sync = false;
	for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
		if (!(which & (1u << i)))
			continue;
		msg.topic = (char *)topics[i];
		(void)staff_message(s, &msg, NOW, &sync);
	}
	char out[1200], id[64], q[1200], answers[SIGNED_MAX_ANSWERS][400];
	int n = 0;
	for (int lang = 0; lang < LANG__COUNT; lang++) {
		(void)staff_announcement(s, NOW + 60, (tt_lang)lang, out, sizeof out);
		(void)staff_survey(s, NOW + 60, (tt_lang)lang, id, sizeof id, q, sizeof q, answers, &n);
	}
	while (staff_take_command(s) != CMD_NONE)
		;
	staff_last_error(s, out, sizeof out);
	staff_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	const char *text = (const char *)data;
	char why[256];
	signed_msg m = {0};
	signed_parse(text, size, &m, why, sizeof why);
	signed_msg_free(&m);

	unsigned which = size ? data[0] : 0;
	kiosk(text, size, which | 1u);
	char *wire = signed_wrap(text, size, &key);
	if (wire) {
		kiosk(wire, strlen(wire), 0x7f);
		free(wire);
	}
	return 0;
}
