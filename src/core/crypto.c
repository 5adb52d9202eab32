/* crypto.c - libsodium keys and their files.
 *
 * Keys live in small files of one base64 line (standard alphabet, with
 * padding).  A secret key file is never half-written and never replaced
 * behind someone's back: it is written to a temp file in the same folder
 * (O_EXCL, 0600), fsynced, then linked to its name, which fails if the
 * name exists, and the folder is fsynced so the name survives a power cut.
 * Linking rather than renaming means two processes that start together
 * cannot replace each other's fresh key: the second reads the first's.
 * File systems without hard links fall back to rename after a check.
 * Every buffer that held a secret is wiped before it is freed or left. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tramtin/crypto.h"
#include "tramtin/log.h"

#define KEY_FILE_MAX 1024 /* bytes of a key file we read; a key is ~90 */

tt_err crypto_init(void)
{
	return sodium_init() < 0 ? TT_ERR_CRYPTO : TT_OK;
}

char *b64_encode(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	if ((!in && len) || !out || outlen < sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL))
		return NULL;
	return sodium_bin2base64(out, outlen, in ? in : (const unsigned char *)"", len,
	                         sodium_base64_VARIANT_ORIGINAL);
}

tt_err b64_decode(const char *text, unsigned char *out, size_t outlen, size_t want, size_t *got)
{
	size_t n = 0, len;
	const char *end = NULL;

	if (!text || !out || (want && want > outlen))
		return TT_ERR_INVAL;
	len = strlen(text);
	if (sodium_base642bin(out, outlen, text, len, NULL, &n, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != text + len || (want && n != want))
		return TT_ERR_PARSE;
	if (got)
		*got = n;
	return TT_OK;
}

/* 0..63 for the standard alphabet, 64 for anything else. */
static const unsigned char b64_value[256] = {
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 62, 64, 64, 64, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 64, 64, 64, 64, 64, 64,
	64,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 64, 64, 64, 64, 64,
	64, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
};

tt_err b64_decode_public(const char *text, size_t len, unsigned char *out, size_t outlen, size_t want, size_t *got)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t pad = 0, n, o = 0;

	if (!text || !out || (want && want > outlen))
		return TT_ERR_INVAL;
	if (len % 4)
		return TT_ERR_PARSE;
	if (len && s[len - 1] == '=')
		pad = len >= 2 && s[len - 2] == '=' ? 2 : 1;
	n = len / 4 * 3 - pad;
	if (n > outlen || (want && n != want))
		return TT_ERR_PARSE;
	size_t full = pad ? len - 4 : len; /* quads without padding */
	for (size_t i = 0; i < full; i += 4) {
		unsigned a = b64_value[s[i]], b = b64_value[s[i + 1]], c = b64_value[s[i + 2]], d = b64_value[s[i + 3]];
		if ((a | b | c | d) & 64)
			return TT_ERR_PARSE;
		unsigned v = a << 18 | b << 12 | c << 6 | d;
		out[o++] = (unsigned char)(v >> 16);
		out[o++] = (unsigned char)(v >> 8);
		out[o++] = (unsigned char)v;
	}
	if (pad) {
		const unsigned char *q = s + full;
		unsigned a = b64_value[q[0]], b = b64_value[q[1]], c = pad == 1 ? b64_value[q[2]] : 0;
		if ((a | b | c) & 64)
			return TT_ERR_PARSE;
		unsigned v = a << 18 | b << 12 | c << 6;
		if (v & (pad == 1 ? 0xffu : 0xffffu)) /* trailing bits must be zero */
			return TT_ERR_PARSE;
		out[o++] = (unsigned char)(v >> 16);
		if (pad == 1)
			out[o++] = (unsigned char)(v >> 8);
	}
	if (got)
		*got = o;
	return TT_OK;
}

void crypto_wipe(void *p, size_t len)
{
	if (p && len)
		sodium_memzero(p, len);
}

tt_err crypto_read_key_file(const char *path, unsigned char *out, size_t len)
{
	char text[KEY_FILE_MAX + 1];
	size_t n, start = 0;
	tt_err rc;
	int saved;

	if (!path || !out || !len)
		return TT_ERR_INVAL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return TT_ERR_IO;
	n = fread(text, 1, sizeof text, f);
	saved = ferror(f) ? errno : 0;
	fclose(f);
	if (saved) {
		crypto_wipe(text, sizeof text);
		errno = saved;
		return TT_ERR_IO;
	}
	if (n > KEY_FILE_MAX) {
		crypto_wipe(text, sizeof text);
		return TT_ERR_PARSE;
	}
	/* One line; tolerate surrounding blanks and a CRLF from an editor. */
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	text[n] = '\0';
	while (text[start] == ' ' || text[start] == '\t')
		start++;
	rc = memchr(text, '\0', n) ? TT_ERR_PARSE : b64_decode(text + start, out, len, len, NULL);
	if (rc != TT_OK)
		crypto_wipe(out, len);
	crypto_wipe(text, sizeof text);
	return rc == TT_OK ? TT_OK : TT_ERR_PARSE;
}

/* Folder part of path into dir ("." when there is none). */
static void dir_of(const char *path, char *dir, size_t dirlen)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, dirlen, ".");
	else if (slash == path)
		snprintf(dir, dirlen, "/");
	else
		snprintf(dir, dirlen, "%.*s", (int)(slash - path), path);
}

static int fsync_dir(const char *path)
{
	char dir[4096];
	dir_of(path, dir, sizeof dir);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return errno;
	int rc = fsync(fd) == 0 ? 0 : errno;
	close(fd);
	/* Some file systems cannot fsync a folder; the data itself is synced. */
	return rc == EINVAL ? 0 : rc;
}

/* Writes data to path atomically with mode.  Unless replace, an existing
 * path is left alone and EEXIST returned.  Returns 0 or an errno value. */
static int write_atomic(const char *path, const char *data, size_t len, mode_t mode, bool replace)
{
	char tmp[4096];
	int fd, rc = 0;

	if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
		return ENAMETOOLONG;
	fd = mkstemp(tmp); /* O_CREAT | O_EXCL, 0600 */
	if (fd < 0)
		return errno;
	if (mode != 0600 && fchmod(fd, mode) != 0)
		rc = errno;
	for (size_t off = 0; !rc && off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			rc = errno;
		else
			off += (size_t)w;
	}
	if (!rc && fsync(fd) != 0)
		rc = errno;
	if (close(fd) != 0 && !rc)
		rc = errno;
	if (rc)
		goto cleanup;
	if (replace) {
		if (rename(tmp, path) != 0)
			rc = errno;
	} else if (link(tmp, path) != 0) {
		rc = errno;
		if (rc != EEXIST) {
			/* No hard links here (FAT, some FUSE): check, then rename. */
			struct stat st;
			if (lstat(path, &st) == 0)
				rc = EEXIST;
			else
				rc = rename(tmp, path) == 0 ? 0 : errno;
		}
	}
	if (!rc)
		rc = fsync_dir(path);
cleanup:
	unlink(tmp); /* after link, or a leftover on failure; gone after rename */
	return rc;
}

/* Checks that a 64-byte Ed25519 secret key carries the public key that
 * its seed makes, and fills key->pk. */
static bool sign_key_consistent(tt_sign_key *key)
{
	unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	crypto_sign_ed25519_sk_to_seed(seed, key->sk);
	crypto_sign_seed_keypair(pk, sk, seed);
	bool ok = sodium_memcmp(sk, key->sk, sizeof sk) == 0;
	memcpy(key->pk, pk, sizeof pk);
	crypto_wipe(seed, sizeof seed);
	crypto_wipe(sk, sizeof sk);
	return ok;
}

static bool box_key_consistent(tt_box_key *key)
{
	return crypto_scalarmult_base(key->pk, key->sk) == 0;
}

/* Reads a secret key file into sk (len bytes) and derives the public half
 * with derive; the key (size bytes) is wiped if that fails. */
static tt_err load_key(const char *path, unsigned char *sk, size_t len, void *key, size_t size,
                       bool (*derive)(void *key))
{
	if (!path || !*path || !key)
		return TT_ERR_INVAL;
	tt_err rc = crypto_read_key_file(path, sk, len);
	if (rc != TT_OK)
		return rc;
	if (derive(key))
		return TT_OK;
	crypto_wipe(key, size);
	return TT_ERR_PARSE;
}

static bool derive_sign(void *key)
{
	return sign_key_consistent(key);
}

static bool derive_box(void *key)
{
	return box_key_consistent(key);
}

tt_err crypto_sign_key_load(const char *path, tt_sign_key *key)
{
	return load_key(path, key ? key->sk : NULL, sizeof key->sk, key, sizeof *key, derive_sign);
}

tt_err crypto_box_key_load(const char *path, tt_box_key *key)
{
	return load_key(path, key ? key->sk : NULL, sizeof key->sk, key, sizeof *key, derive_box);
}

tt_err crypto_sign_key_load_or_create(const char *path, tt_sign_key *key)
{
	char line[sodium_base64_ENCODED_LEN(crypto_sign_SECRETKEYBYTES, sodium_base64_VARIANT_ORIGINAL) + 1];
	tt_err rc;
	int e;

	if (!path || !*path || !key)
		return TT_ERR_INVAL;
	if (sodium_init() < 0)
		return TT_ERR_CRYPTO;
	for (int tries = 0; tries < 2; tries++) {
		rc = crypto_sign_key_load(path, key);
		if (rc != TT_ERR_IO || errno != ENOENT)
			return rc;
		crypto_sign_keypair(key->pk, key->sk);
		b64_encode(key->sk, sizeof key->sk, line, sizeof line);
		size_t n = strlen(line);
		line[n++] = '\n';
		e = write_atomic(path, line, n, 0600, false);
		crypto_wipe(line, sizeof line);
		if (!e)
			return TT_OK;
		crypto_wipe(key, sizeof *key);
		if (e != EEXIST) {
			errno = e;
			return TT_ERR_IO;
		}
		/* Another process created it just now: use that one. */
	}
	errno = EEXIST;
	return TT_ERR_IO;
}

tt_err crypto_keygen(const char *kind, const char *prefix, char *err, size_t errlen)
{
	char keypath[4096], pubpath[4096];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	char line[sodium_base64_ENCODED_LEN(crypto_sign_SECRETKEYBYTES, sodium_base64_VARIANT_ORIGINAL) + 1];
	size_t pklen, sklen, n;
	tt_err rc = TT_OK;
	int e;
	char dummy[1];

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (!kind || !prefix || !*prefix) {
		snprintf(err, errlen, "keygen: a kind and an output prefix are needed");
		return TT_ERR_INVAL;
	}
	if (sodium_init() < 0) {
		snprintf(err, errlen, "keygen: libsodium did not initialise");
		return TT_ERR_CRYPTO;
	}
	if (strcmp(kind, "sign") == 0) {
		pklen = crypto_sign_PUBLICKEYBYTES;
		sklen = crypto_sign_SECRETKEYBYTES;
		crypto_sign_keypair(pk, sk);
	} else if (strcmp(kind, "box") == 0) {
		pklen = crypto_box_PUBLICKEYBYTES;
		sklen = crypto_box_SECRETKEYBYTES;
		crypto_box_keypair(pk, sk);
	} else {
		snprintf(err, errlen, "keygen: unknown key kind '%.64s' (sign or box)", kind);
		return TT_ERR_INVAL;
	}
	if (snprintf(keypath, sizeof keypath, "%s.key", prefix) >= (int)sizeof keypath ||
	    snprintf(pubpath, sizeof pubpath, "%s.pub", prefix) >= (int)sizeof pubpath) {
		snprintf(err, errlen, "keygen: output prefix too long");
		rc = TT_ERR_INVAL;
		goto cleanup;
	}

	b64_encode(sk, sklen, line, sizeof line);
	n = strlen(line);
	line[n++] = '\n';
	e = write_atomic(keypath, line, n, 0600, false);
	if (e) {
		if (e == EEXIST)
			snprintf(err, errlen, "%s: already exists; not overwritten", keypath);
		else
			snprintf(err, errlen, "%s: %s", keypath, tt_strerrno(e));
		errno = e;
		rc = TT_ERR_IO;
		goto cleanup;
	}

	b64_encode(pk, pklen, line, sizeof line);
	n = strlen(line);
	line[n++] = '\n';
	e = write_atomic(pubpath, line, n, 0644, true);
	if (e) {
		snprintf(err, errlen, "%s: %s", pubpath, tt_strerrno(e));
		unlink(keypath); /* ours, just made: no secret without its public half */
		errno = e;
		rc = TT_ERR_IO;
	}
cleanup:
	crypto_wipe(sk, sizeof sk);
	crypto_wipe(line, sizeof line);
	return rc;
}

static unsigned char *prefixed(const char *prefix, const void *msg, size_t len, size_t *n)
{
	size_t plen = strlen(prefix);
	unsigned char *buf = malloc(plen + len + 1);
	if (!buf)
		return NULL;
	memcpy(buf, prefix, plen);
	if (len)
		memcpy(buf + plen, msg, len);
	*n = plen + len;
	return buf;
}

tt_err crypto_sign_prefixed(const char *prefix, const void *msg, size_t len, const tt_sign_key *key,
                            unsigned char sig[crypto_sign_BYTES])
{
	size_t n;
	memset(sig, 0, crypto_sign_BYTES);
	unsigned char *buf = prefixed(prefix, msg, len, &n);
	if (!buf)
		return TT_ERR_NOMEM;
	crypto_sign_detached(sig, NULL, buf, n, key->sk);
	free(buf);
	return TT_OK;
}

bool crypto_verify_prefixed(const char *prefix, const void *msg, size_t len, const unsigned char sig[crypto_sign_BYTES],
                            const unsigned char pk[crypto_sign_PUBLICKEYBYTES])
{
	size_t n;
	unsigned char *buf = prefixed(prefix, msg, len, &n);
	if (!buf)
		return false;
	bool ok = crypto_sign_verify_detached(sig, buf, n, pk) == 0;
	free(buf);
	return ok;
}
