/* fuzz_parsers.c - fuzz target for what arrives from the network on a
 * kiosk: the content manifest (bundle_manifest_parse), its wire form and
 * the kiosk's decision on it (bundle_wire_decode, bundle_accept), and staff
 * messages (signed_parse, signed_accept).  The first byte picks the
 * parser; the rest is its input.  Nothing may crash, leak or read out of
 * bounds (run under ASan); results are freed whatever they are.
 *
 * Built with clang -fsanitize=fuzzer this is a libFuzzer target.  Built
 * with -DFUZZ_STANDALONE it has a main():
 *   fuzz_parsers FILE...          runs each file as one input
 *   fuzz_parsers [-n N] [-s SEED] mutates the valid seeds below N times */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/bundle.h"
#include "tramtin/signed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char trust[] = "ht=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo= ht/xa=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 16)
		return 0;
	int which = data[0] % 4;
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	size_t len = size - 1;
	char why[256];
	switch (which) {
	case 0: {
		bundle_manifest m = {0};
		bundle_manifest_parse(text, len, &m, why, sizeof why);
		bundle_manifest_free(&m);
		break;
	}
	case 1: {
		char *json = NULL;
		size_t jlen = 0;
		unsigned char sig[64];
		if (bundle_wire_decode(text, len, &json, &jlen, sig, why, sizeof why) == TT_OK)
			free(json);
		bundle_manifest m = {0};
		bundle_accept(text, len, trust, "ht", 1, &m, why, sizeof why);
		bundle_manifest_free(&m);
		break;
	}
	case 2: {
		signed_msg m = {0};
		signed_parse(text, len, &m, why, sizeof why);
		signed_msg_free(&m);
		break;
	}
	default: {
		signed_msg m = {0};
		signed_accept(text, len, trust, "ht/xa", "k1", 1795000000, NULL, &m, why, sizeof why);
		signed_msg_free(&m);
		break;
	}
	}
	free(text);
	return 0;
}

#ifdef FUZZ_STANDALONE
static const char *const seeds[] = {
	"\x00{\"format\":1,\"id\":\"x\",\"channel\":\"ht\",\"version\":3,\"created\":\"2026-11-27T00:00:00Z\","
	"\"chunk\":262144,\"files\":[{\"path\":\"pages/a.vi.md\",\"sha256\":"
	"\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":0}],\"pages\":[]}",
	"\x01{\"v\":1,\"manifest\":\"eyJmb3JtYXQiOjEsImNoYW5uZWwiOiJodCIsInZlcnNpb24iOjJ9\",\"sig\":\"AAAA\"}",
	"\x02{\"v\":1,\"type\":\"survey\",\"id\":\"0b9e2a4c-3d5f-4e6a-8b7c-9d0e1f2a3b4c\",\"created\":\"2026-11-27T00:00:00Z\","
	"\"ttl\":600,\"target\":\"ht/xa\",\"question\":{\"vi\":\"Có không?\"},\"answers\":[{\"vi\":\"Có\"},{\"vi\":\"Không\"}]}",
	"\x03{\"msg\":\"eyJ2IjoxLCJ0eXBlIjoiY21kIiwiY21kIjoic3luYyJ9\",\"sig\":\"AAAA\"}",
};

static uint32_t rng(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz_parsers: %s: cannot open\n", path);
		return 2;
	}
	static uint8_t buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int main(int argc, char **argv)
{
	long iters = 20000;
	uint32_t seed = 0x9E3779B9u;
	int files = 0, status = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			iters = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			seed = (uint32_t)strtoul(argv[++i], NULL, 0) | 1;
		else
			files++, status |= run_file(argv[i]);
	}
	if (files)
		return status;
	static uint8_t buf[4096];
	for (long it = 0; it < iters; it++) {
		const char *s = seeds[rng(&seed) % (sizeof seeds / sizeof seeds[0])];
		size_t n = strlen(s + 1) + 1;
		memcpy(buf, s, n);
		/* a few mutations: flip, insert or delete bytes */
		int k = 1 + (int)(rng(&seed) % 8);
		for (int j = 0; j < k && n > 1; j++) {
			size_t at = 1 + rng(&seed) % (n - 1);
			switch (rng(&seed) % 3) {
			case 0:
				buf[at] = (uint8_t)rng(&seed);
				break;
			case 1:
				if (n < sizeof buf) {
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = (uint8_t)("{}[]\",:0\\u9aZ"[rng(&seed) % 13]);
					n++;
				}
				break;
			default:
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
			}
		}
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("fuzz_parsers: %ld inputs, no crash\n", iters);
	return 0;
}
#endif
