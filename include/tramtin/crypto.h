/* crypto.h - keys, signatures and sealing (libsodium).
 *
 * Keys and signatures are standard base64 (with padding) of libsodium's
 * raw bytes, in config files and on the wire.  A key file written by
 * crypto_keypair_save holds one line of base64 and is created 0600. */
#ifndef TRAMTIN_CRYPTO_H
#define TRAMTIN_CRYPTO_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/err.h"

/* Initialises libsodium; returns TT_ERR_CRYPTO if it cannot. Idempotent. */
tt_err crypto_init(void);

/* Standard base64 with padding.  b64_encode writes a NUL-terminated
 * string into out (size at least sodium_base64_ENCODED_LEN(len, ...)) and
 * returns it; b64_decode returns TT_ERR_PARSE unless the text decodes to
 * exactly want bytes (want 0: any length up to outlen, *got set). */
char *b64_encode(const unsigned char *in, size_t len, char *out, size_t outlen);
tt_err b64_decode(const char *text, unsigned char *out, size_t outlen, size_t want, size_t *got);
/* The same, as strict (padding, zero trailing bits), for text of known
 * length that is not secret (a ciphertext, a signature): a table lookup
 * per character, several times faster than sodium's constant-time
 * decoder, whose timing would not leak a key here.  Never for keys. */
tt_err b64_decode_public(const char *text, size_t len, unsigned char *out, size_t outlen, size_t want, size_t *got);

/* Ed25519 signing keys (crypto_sign_*). */
typedef struct tt_sign_key {
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
} tt_sign_key;

/* X25519 box keys (crypto_box_*, for crypto_box_seal). */
typedef struct tt_box_key {
	unsigned char pk[crypto_box_PUBLICKEYBYTES];
	unsigned char sk[crypto_box_SECRETKEYBYTES];
} tt_box_key;

/* Loads the signing key kept at path (base64 of the secret key), or, if
 * the file does not exist, creates a new key and writes it there
 * atomically (temp file, fsync, rename; mode 0600).  Returns TT_OK,
 * TT_ERR_IO (with errno), TT_ERR_PARSE (file not a key). */
tt_err crypto_sign_key_load_or_create(const char *path, tt_sign_key *key);

/* Loads an existing signing key file (base64 of the 64-byte secret key,
 * as crypto_keygen "sign" writes it); key->pk is derived from it.
 * TT_ERR_PARSE also if the public half in the file does not match. */
tt_err crypto_sign_key_load(const char *path, tt_sign_key *key);

/* Loads a box key file (base64 of the 32-byte X25519 secret key, as
 * crypto_keygen "box" writes it); key->pk is derived with
 * crypto_scalarmult_base.  Returns as crypto_read_key_file. */
tt_err crypto_box_key_load(const char *path, tt_box_key *key);

/* Writes PREFIX.key (secret, 0600) and PREFIX.pub (public) as base64
 * lines, for a new signing (kind "sign": the 64-byte Ed25519 secret key)
 * or box (kind "box": the 32-byte X25519 secret key) key.  An existing
 * PREFIX.key is never overwritten.  Returns TT_OK; TT_ERR_INVAL (unknown
 * kind, empty or too long prefix); TT_ERR_IO (errno says why, EEXIST when
 * PREFIX.key exists).  On error one line naming the file (or the kind) is
 * written to err (err may be NULL). */
tt_err crypto_keygen(const char *kind, const char *prefix, char *err, size_t errlen);

/* Reads a base64 key file (one line; blanks and a line end around it are
 * ignored) into out, exactly len bytes.  Returns TT_OK; TT_ERR_IO (errno
 * says why, ENOENT when there is no such file); TT_ERR_PARSE (not base64
 * of exactly len bytes; out is wiped). */
tt_err crypto_read_key_file(const char *path, unsigned char *out, size_t len);

/* Wipes a buffer (sodium_memzero). */
void crypto_wipe(void *p, size_t len);

/* Ed25519 detached signature over prefix followed by msg: the prefix
 * ("tramtin-manifest-v1\n", ...) keeps a signature made for one kind of
 * thing from passing for another.  sign returns TT_ERR_NOMEM (sig zeroed,
 * which verifies with no key) on out of memory. */
tt_err crypto_sign_prefixed(const char *prefix, const void *msg, size_t len, const tt_sign_key *key,
                            unsigned char sig[crypto_sign_BYTES]);
bool crypto_verify_prefixed(const char *prefix, const void *msg, size_t len, const unsigned char sig[crypto_sign_BYTES],
                            const unsigned char pk[crypto_sign_PUBLICKEYBYTES]);

#endif
