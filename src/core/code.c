/* code.c - tracking codes: make, read back, hash.
 *
 * A code is 80 bits from libsodium's random source written as 16 symbols
 * of Crockford base32 (5 bits each, most significant first), shown in four
 * groups of four.  Reading it back forgives what people and OCR get wrong:
 * case, dashes and spaces are ignored and I/L read as 1, O as 0; U is not a
 * symbol and is refused rather than guessed.  Only the hash of the
 * normalised code (keyed BLAKE2b-128, lower-case hex) is ever stored or
 * published, so the code itself stays a bearer secret on the citizen's
 * receipt and inside the sealed envelope. */
#include <sodium.h>
#include <string.h>

#include "tramtin/code.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
static const unsigned char hash_key[16] = {'t', 'r', 'a', 'm', 't', 'i', 'n', '-',
                                           't', 'r', 'a', 'c', 'k', '-', 'v', '1'};

/* The canonical symbol for a typed character, or 0 if it is none. */
static char canonical(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'I' || c == 'L')
		return '1';
	if (c == 'O')
		return '0';
	if (c == '\0' || !strchr(alphabet, c))
		return 0;
	return c;
}

void code_new(char out[CODE_GROUPED_LEN + 1])
{
	unsigned char bytes[10];
	char code[CODE_LEN + 1];

	if (!out)
		return;
	randombytes_buf(bytes, sizeof bytes);
	/* 10 bytes = 80 bits = 16 groups of 5 bits, read big-endian. */
	for (int i = 0; i < CODE_LEN; i++) {
		int bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = (unsigned)bytes[byte] << 8 | (byte + 1 < 10 ? bytes[byte + 1] : 0);
		code[i] = alphabet[(v >> (11 - shift)) & 31];
	}
	code[CODE_LEN] = '\0';
	code_group(code, out);
	sodium_memzero(bytes, sizeof bytes);
	sodium_memzero(code, sizeof code);
}

bool code_normalise(const char *typed, char out[CODE_LEN + 1])
{
	size_t n = 0;

	if (!typed || !out)
		return false;
	for (const char *p = typed; *p; p++) {
		if (*p == '-' || *p == ' ' || *p == '\t')
			continue;
		char c = canonical(*p);
		if (!c || n == CODE_LEN)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == CODE_LEN;
}

void code_group(const char code[CODE_LEN + 1], char out[CODE_GROUPED_LEN + 1])
{
	size_t n = 0;

	if (!code || !out)
		return;
	for (int i = 0; i < CODE_LEN; i++) {
		if (i && i % 4 == 0)
			out[n++] = '-';
		out[n++] = code[i];
	}
	out[n] = '\0';
}

bool code_hash(const char *typed, char out[CODE_HASH_HEX + 1])
{
	char code[CODE_LEN + 1];
	unsigned char h[CODE_HASH_HEX / 2];

	if (!out || !code_normalise(typed, code) || sodium_init() < 0)
		return false;
	crypto_generichash(h, sizeof h, (const unsigned char *)code, CODE_LEN, hash_key, sizeof hash_key);
	sodium_bin2hex(out, CODE_HASH_HEX + 1, h, sizeof h);
	sodium_memzero(code, sizeof code);
	return true;
}
