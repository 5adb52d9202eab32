/* fuzz_manifest.c - fuzz target for content manifests: the bundle
 * manifest as it arrives (bundle_manifest_parse, the wire form
 * bundle_wire_decode and the kiosk's decision bundle_accept, both on the
 * input as a wire payload and on the input signed with a trusted key, so
 * the checks after the signature are reached too) and manifest.json of a
 * content folder (content_load, then every page's texts, selection and
 * body).  Nothing may crash, leak or read out of bounds; a refusal must
 * say why.  libFuzzer target; with -DFUZZ_STANDALONE standalone.c gives it
 * a main(). */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tramtin/bundle.h"
#include "tramtin/content.h"
#include "tramtin/crypto.h"
#include "tramtin/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tt_sign_key key;
static char trust[256];
static char dir[64];

static void cleanup(void)
{
	char path[128];
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	tt_log_init("fuzz_manifest", TT_LOG_QUIET);
	if (crypto_init() != TT_OK)
		abort();
	unsigned char seed[crypto_sign_SEEDBYTES] = {7};
	crypto_sign_seed_keypair(key.pk, key.sk, seed);
	char b64[64];
	b64_encode(key.pk, sizeof key.pk, b64, sizeof b64);
	snprintf(trust, sizeof trust, "ht=%s ht/xa=%s bad=entry", b64, b64);
	/* in memory where there is /dev/shm: a file rewritten per input */
	snprintf(dir, sizeof dir, "/dev/shm/fuzz_manifest.XXXXXX");
	if (!mkdtemp(dir)) {
		snprintf(dir, sizeof dir, "/tmp/fuzz_manifest.XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	atexit(cleanup);
	return 0;
}

static void accept(const char *payload, size_t len, const char *channel, int64_t current)
{
	char why[256] = "";
	bundle_manifest m = {0};
	if (bundle_accept(payload, len, trust, channel, current, &m, why, sizeof why) != TT_OK && !why[0]) {
		fprintf(stderr, "fuzz_manifest: refused without a reason\n");
		abort();
	}
	bundle_manifest_free(&m);
}

static void content(const uint8_t *data, size_t size)
{
	char path[128];
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	content_bundle *b = content_load(dir);
	if (!b)
		return;
	(void)content_first_fault(b);
	for (size_t i = 0; i < content_category_count(b); i++) {
		const content_category *c = content_category_at(b, i);
		(void)content_tr(&c->title, LANG_EN);
	}
	for (size_t i = 0; i < content_page_count(b); i++) {
		const content_page *p = content_page_at(b, i);
		(void)content_tr(&p->title, LANG_VI);
		(void)content_tr(&p->summary, LANG_EN);
		(void)content_page_doc(b, p, LANG_VI);
		(void)content_attract_due(&p->attract, 3, 600);
		(void)content_page_find(b, p->id);
	}
	const content_page *out[16];
	for (int t = 0; t < CONTENT__TYPES; t++)
		(void)content_select(b, (content_type)t, NULL, 1795000000, out, 16);
	content_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	const char *text = (const char *)data;
	char why[256];

	bundle_manifest m = {0};
	bundle_manifest_parse(text, size, &m, why, sizeof why);
	bundle_manifest_free(&m);

	char *json = NULL;
	size_t jlen = 0;
	unsigned char sig[64];
	if (bundle_wire_decode(text, size, &json, &jlen, sig, why, sizeof why) == TT_OK)
		free(json);
	accept(text, size, "ht", 1);

	/* signed with a trusted key: the checks after the signature */
	bundle_sign_bytes(text, size, &key, sig);
	char *wire = bundle_wire_encode(text, size, sig);
	if (wire) {
		accept(wire, strlen(wire), "ht", 0);
		accept(wire, strlen(wire), "ht/xa", 5);
		free(wire);
	}

	content(data, size);
	return 0;
}
