/* bundle.c - signed content bundles: build, sign, verify, install.
 *
 * A bundle travels as a manifest (the content manifest plus a "files" list
 * of path, sha256 and size) and content-addressed blobs.  Building copies
 * exactly the files a source's manifest uses (page bodies, cover images,
 * images embedded in the Markdown) after checking that every page loads,
 * renders and links only to pages of the bundle, so that what is signed is
 * what a kiosk can show.  Nothing half-done is ever visible: a build is
 * written to OUT.tmp and swapped in; a kiosk's blob is written to
 * {sha}.part and renamed only once its hash matches; an installed version
 * is built in v{N}.tmp, fsynced, renamed, and shown by replacing the
 * symlink "current" with rename(2).  Every path that comes from a manifest
 * is checked (relative, no "." or "..", no empty segment, no backslash or
 * control character) before it is joined to a folder, and every sha256
 * before it names a file.  Files of size 0 need no blob: an empty
 * retained MQTT message would clear a topic rather than hold a chunk, so
 * their (well-known) hash is checked in the manifest and the file is made
 * empty at install. */
#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tramtin/bundle.h"
#include "tramtin/clock.h"
#include "tramtin/content.h"
#include "tramtin/log.h"

#define SIG_PREFIX   "tramtin-manifest-v1\n"
#define REL_MAX      1024 /* bytes of a path inside a bundle */
#define SEG_MAX      255  /* bytes of one of its segments */
#define CHUNK_MIN    1024u
#define CHUNK_MAX    (16u << 20)
#define FILE_MAX     ((uint64_t)1 << 30)
#define VERSION_MAX  9007199254740991LL /* 2^53 - 1: exact in JSON numbers */
#define FS_PATH      4096
#define KEYS_MAX     16 /* trusted keys per channel */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void say(char *why, size_t len, const char *fmt, ...);

static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* ---- checks ------------------------------------------------------------ */

bool bundle_channel_valid(const char *channel)
{
	int parts = 1;
	size_t seg = 0;
	if (!channel || !*channel)
		return false;
	for (const char *c = channel;; c++) {
		if (*c == '/' || !*c) {
			if (seg == 0 || seg > 31)
				return false;
			if (!*c)
				break;
			if (++parts > 2)
				return false;
			seg = 0;
		} else if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-') {
			seg++;
		} else {
			return false;
		}
	}
	return true;
}

tt_err bundle_topic_root(const char *channel, char *out, size_t outlen)
{
	if (!bundle_channel_valid(channel) || !out)
		return TT_ERR_INVAL;
	if ((size_t)snprintf(out, outlen, "tramtin/v1/%s/content", channel) >= outlen)
		return TT_ERR_RANGE;
	return TT_OK;
}

/* Why rel is not a safe relative path inside a bundle, or NULL if it is. */
static const char *path_fault(const char *rel)
{
	if (!rel || !*rel)
		return "is empty";
	if (strlen(rel) > REL_MAX)
		return "is too long";
	if (rel[0] == '/')
		return "is absolute";
	for (const unsigned char *c = (const unsigned char *)rel; *c; c++) {
		if (*c == '\\')
			return "has a backslash";
		if (*c < 0x20 || *c == 0x7f)
			return "has a control character";
	}
	for (const char *s = rel;;) {
		const char *e = strchr(s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len == 0)
			return "has an empty segment";
		if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
			return "has a '.' or '..' segment";
		if (len > SEG_MAX)
			return "has a segment longer than 255 bytes";
		if (!e)
			break;
		s = e + 1;
	}
	if (!strcmp(rel, "manifest.json") || !strcmp(rel, "manifest.sig"))
		return "is the manifest's own name";
	return NULL;
}

static bool sha_valid(const char *s)
{
	if (!s)
		return false;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

/* True if the JSON text holds a NUL byte or a \u0000 escape inside a
 * string: cJSON would cut such a string short, so a path could pass the
 * checks as one name and be another. */
static bool json_has_nul(const char *j, size_t len)
{
	bool in = false;
	if (memchr(j, '\0', len))
		return true;
	for (size_t i = 0; i < len; i++) {
		if (!in) {
			in = j[i] == '"';
		} else if (j[i] == '"') {
			in = false;
		} else if (j[i] == '\\' && i + 1 < len) {
			if (j[i + 1] == 'u' && i + 5 < len && memcmp(j + i + 2, "0000", 4) == 0)
				return true;
			i++;
		}
	}
	return false;
}

/* ---- files ------------------------------------------------------------- */

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int rc = fsync(fd) == 0 ? 0 : errno;
	close(fd);
	return rc == EINVAL ? 0 : rc; /* some file systems cannot sync a folder */
}

static int fsync_parent(const char *path)
{
	char dir[FS_PATH];
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	return fsync_dir(dir);
}

/* mkdir -p path (0755).  Returns 0 or an errno value. */
static int mkdirs(const char *path)
{
	char p[FS_PATH];
	struct stat st;
	if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
		return ENAMETOOLONG;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return errno;
		if (stat(p, &st) != 0)
			return errno;
		if (!S_ISDIR(st.st_mode))
			return ENOTDIR;
		*s = c;
		if (!c)
			return 0;
	}
}

/* mkdir -p of the folder that holds path. */
static int mkdirs_parent(const char *path)
{
	char dir[FS_PATH];
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	return mkdirs(dir);
}

/* rm -rf path (symlinks are removed, never followed). */
static int rm_tree(const char *path)
{
	struct stat st;
	int rc = 0;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) == 0 ? 0 : errno;
	DIR *d = opendir(path);
	if (!d)
		return errno;
	for (struct dirent *e; (e = readdir(d));) {
		char sub[FS_PATH];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= (int)sizeof sub) {
			rc = ENAMETOOLONG;
			continue;
		}
		int r = rm_tree(sub);
		if (r && !rc)
			rc = r;
	}
	closedir(d);
	if (rmdir(path) != 0 && !rc)
		rc = errno;
	return rc;
}

/* fsyncs every folder under (and including) dir; files are synced as
 * they are written. */
static int fsync_tree(const char *dir)
{
	int rc = fsync_dir(dir);
	DIR *d = opendir(dir);
	if (!d)
		return errno;
	for (struct dirent *e; !rc && (e = readdir(d));) {
		char sub[FS_PATH];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) >= (int)sizeof sub)
			rc = ENAMETOOLONG;
		else if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			rc = fsync_tree(sub);
	}
	closedir(d);
	return rc;
}

/* Reads fd to its end, hashing it and, if dst >= 0, copying it there.
 * Returns 0 or an errno value (EFBIG beyond FILE_MAX). */
static int hash_fd(int fd, int dst, char hex[65], uint64_t *size)
{
	crypto_hash_sha256_state st;
	unsigned char buf[65536], digest[crypto_hash_sha256_BYTES];
	uint64_t n = 0;
	crypto_hash_sha256_init(&st);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno;
		if (r == 0)
			break;
		n += (uint64_t)r;
		if (n > FILE_MAX)
			return EFBIG;
		crypto_hash_sha256_update(&st, buf, (size_t)r);
		if (dst >= 0) {
			int e = write_all(dst, buf, (size_t)r);
			if (e)
				return e;
		}
	}
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(hex, 65, digest, sizeof digest);
	*size = n;
	return 0;
}

/* Hash and size of the file at path.  Returns 0 or an errno value. */
static int hash_file(const char *path, char hex[65], uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int rc = hash_fd(fd, -1, hex, size);
	close(fd);
	return rc;
}

/* Copies from to a new file to (0644, parents created, fsynced), hashing
 * what it copied.  Returns 0 or an errno value. */
static int copy_file(const char *from, const char *to, char hex[65], uint64_t *size)
{
	int rc = mkdirs_parent(to);
	if (rc)
		return rc;
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return errno;
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		rc = errno;
		close(in);
		return rc;
	}
	rc = hash_fd(in, out, hex, size);
	if (!rc && fsync(out) != 0)
		rc = errno;
	if (close(out) != 0 && !rc)
		rc = errno;
	close(in);
	return rc;
}

/* Writes a new file (0644) inside a folder being built, and fsyncs it. */
static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	int rc = write_all(fd, data, len);
	if (!rc && fsync(fd) != 0)
		rc = errno;
	if (close(fd) != 0 && !rc)
		rc = errno;
	return rc;
}

/* Replaces path with data: temp file, fsync, rename, fsync the folder. */
static int write_atomic(const char *path, const void *data, size_t len)
{
	char tmp[FS_PATH];
	if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
		return ENAMETOOLONG;
	int fd = mkstemp(tmp);
	if (fd < 0)
		return errno;
	int rc = fchmod(fd, 0644) == 0 ? 0 : errno;
	if (!rc)
		rc = write_all(fd, data, len);
	if (!rc && fsync(fd) != 0)
		rc = errno;
	if (close(fd) != 0 && !rc)
		rc = errno;
	if (!rc && rename(tmp, path) != 0)
		rc = errno;
	if (rc)
		unlink(tmp);
	else
		rc = fsync_parent(path);
	return rc;
}

/* The whole file at path (NUL-terminated, *len without it), or NULL with
 * errno set (EFBIG beyond max bytes). */
static char *read_all(const char *path, size_t max, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	int bad = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : !S_ISREG(st.st_mode) ? EINVAL : 0;
	if (bad) {
		close(fd);
		errno = bad;
		return NULL;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *data = malloc(cap);
	if (!data) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	for (;;) {
		if (n + 1 == cap) { /* the file grew while we read */
			if (cap > max) {
				free(data);
				close(fd);
				errno = EFBIG;
				return NULL;
			}
			char *p = realloc(data, cap * 2);
			if (!p) {
				free(data);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			data = p;
			cap *= 2;
		}
		ssize_t r = read(fd, data + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(data);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > max) {
		free(data);
		errno = EFBIG;
		return NULL;
	}
	data[n] = '\0';
	*len = n;
	return data;
}

/* ---- manifest ---------------------------------------------------------- */

void bundle_manifest_free(bundle_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_files; i++)
		free(m->files[i].path);
	free(m->files);
	free(m->json);
	memset(m, 0, sizeof *m);
}

/* An integer-valued JSON number in [lo, hi]. */
static bool int_field(const cJSON *o, const char *name, int64_t lo, int64_t hi, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!cJSON_IsNumber(v))
		return false;
	double d = v->valuedouble;
	if (!(d >= (double)lo && d <= (double)hi) || d != (double)(int64_t)d)
		return false;
	*out = (int64_t)d;
	return true;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const bundle_file *)a)->path, ((const bundle_file *)b)->path);
}

/* Files sorted by path: true if one path is given twice or names a file
 * that another path uses as a folder ("a" and "a/b"). */
static const char *path_clash(const bundle_file *sorted, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (!strcmp(sorted[i].path, sorted[i + 1].path))
			return sorted[i].path;
	for (size_t i = 0; i < n; i++) {
		char prefix[REL_MAX + 1];
		snprintf(prefix, sizeof prefix, "%s", sorted[i].path);
		for (char *s = strchr(prefix, '/'); s; s = strchr(s + 1, '/')) {
			*s = '\0';
			bundle_file key = {.path = prefix};
			if (bsearch(&key, sorted, n, sizeof *sorted, by_path))
				return sorted[i].path;
			*s = '/';
		}
	}
	return NULL;
}

tt_err bundle_manifest_parse(const char *json, size_t len, bundle_manifest *m, char *why, size_t whylen)
{
	tt_err rc = TT_ERR_PARSE;
	cJSON *root = NULL;
	int64_t v;
	if (!m)
		return TT_ERR_INVAL;
	memset(m, 0, sizeof *m);
	if (!json) {
		say(why, whylen, "manifest: no data");
		return TT_ERR_INVAL;
	}
	if (len > BUNDLE_MANIFEST_MAX) {
		say(why, whylen, "manifest: %zu bytes, more than the %d allowed", len, BUNDLE_MANIFEST_MAX);
		return TT_ERR_RANGE;
	}
	if (json_has_nul(json, len)) {
		say(why, whylen, "manifest: holds a NUL character");
		return TT_ERR_PARSE;
	}
	root = cJSON_ParseWithLength(json, len);
	if (!cJSON_IsObject(root)) {
		say(why, whylen, "manifest: not a JSON object");
		goto fail;
	}
	const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
	if (format && !(int_field(root, "format", 1, 1, &v))) {
		say(why, whylen, "manifest: \"format\" must be 1");
		goto fail;
	}
	const char *ch = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "channel"));
	if (!bundle_channel_valid(ch)) {
		say(why, whylen, "manifest: \"channel\" must be a province or province/commune of a-z, 0-9 and '-'");
		goto fail;
	}
	snprintf(m->channel, sizeof m->channel, "%s", ch);
	if (!int_field(root, "version", 1, VERSION_MAX, &m->version)) {
		say(why, whylen, "manifest: \"version\" must be an integer from 1");
		goto fail;
	}
	const char *created = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "created"));
	if (!created || !clock_parse(created, 0, &m->created)) {
		say(why, whylen, "manifest: \"created\" must be a time YYYY-MM-DDTHH:MM:SSZ");
		goto fail;
	}
	if (!int_field(root, "chunk", CHUNK_MIN, CHUNK_MAX, &v)) {
		say(why, whylen, "manifest: \"chunk\" must be an integer from %u to %u bytes", CHUNK_MIN, CHUNK_MAX);
		goto fail;
	}
	m->chunk = (uint32_t)v;
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(root, "files");
	if (!cJSON_IsArray(files)) {
		say(why, whylen, "manifest: no \"files\" list (not a built bundle)");
		goto fail;
	}
	int nf = cJSON_GetArraySize(files);
	m->files = calloc((size_t)nf + 1, sizeof *m->files);
	if (!m->files) {
		rc = TT_ERR_NOMEM;
		goto fail;
	}
	const cJSON *f;
	cJSON_ArrayForEach(f, files) {
		size_t i = m->n_files;
		const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "path"));
		const char *sha = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "sha256"));
		const char *fault = path ? path_fault(path) : "is missing";
		if (fault) {
			say(why, whylen, "manifest: file %zu: path '%.200s' %s", i + 1, path ? path : "", fault);
			goto fail;
		}
		if (!sha_valid(sha)) {
			say(why, whylen, "manifest: file %.200s: \"sha256\" must be 64 lower-case hex digits", path);
			goto fail;
		}
		if (!int_field(f, "size", 0, (int64_t)FILE_MAX, &v)) {
			say(why, whylen, "manifest: file %.200s: \"size\" must be an integer from 0 to 1 GiB", path);
			goto fail;
		}
		if (v == 0 && strcmp(sha, EMPTY_SHA256) != 0) {
			say(why, whylen, "manifest: file %.200s: size 0 but sha256 is not that of empty data", path);
			goto fail;
		}
		if (!(m->files[i].path = strdup(path))) {
			rc = TT_ERR_NOMEM;
			goto fail;
		}
		memcpy(m->files[i].sha256, sha, 65);
		m->files[i].size = (uint64_t)v;
		m->n_files++;
	}
	/* A sorted copy finds a path given twice without n^2 comparisons. */
	bundle_file *sorted = malloc((m->n_files + 1) * sizeof *sorted);
	if (!sorted) {
		rc = TT_ERR_NOMEM;
		goto fail;
	}
	memcpy(sorted, m->files, m->n_files * sizeof *sorted);
	qsort(sorted, m->n_files, sizeof *sorted, by_path);
	const char *clash = path_clash(sorted, m->n_files);
	if (clash)
		say(why, whylen, "manifest: file %.200s is listed twice or is also used as a folder", clash);
	free(sorted);
	if (clash)
		goto fail;
	if (!(m->json = malloc(len + 1))) {
		rc = TT_ERR_NOMEM;
		goto fail;
	}
	memcpy(m->json, json, len);
	m->json[len] = '\0';
	m->len = len;
	cJSON_Delete(root);
	return TT_OK;
fail:
	if (rc == TT_ERR_NOMEM)
		say(why, whylen, "manifest: out of memory");
	cJSON_Delete(root);
	bundle_manifest_free(m);
	return rc;
}

/* ---- signatures and the wire form -------------------------------------- */

void bundle_sign_bytes(const char *json, size_t len, const tt_sign_key *key, unsigned char sig[64])
{
	if (!sig)
		return;
	memset(sig, 0, 64); /* a zero signature verifies with no key */
	if ((!json && len) || !key || crypto_init() != TT_OK)
		return;
	crypto_sign_prefixed(SIG_PREFIX, json, len, key, sig);
}

bool bundle_verify_bytes(const char *json, size_t len, const unsigned char sig[64], const unsigned char pk[32])
{
	if ((!json && len) || !sig || !pk || crypto_init() != TT_OK)
		return false;
	return crypto_verify_prefixed(SIG_PREFIX, json, len, sig, pk);
}

char *bundle_wire_encode(const char *json, size_t len, const unsigned char sig[64])
{
	char sig64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	size_t blen = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = NULL, *out = NULL;
	cJSON *o = NULL;
	if ((!json && len) || !sig || len > BUNDLE_MANIFEST_MAX || !(b64 = malloc(blen)))
		return NULL;
	b64_encode((const unsigned char *)json, len, b64, blen);
	b64_encode(sig, 64, sig64, sizeof sig64);
	if ((o = cJSON_CreateObject()) && cJSON_AddNumberToObject(o, "v", 1) &&
	    cJSON_AddStringToObject(o, "manifest", b64) && cJSON_AddStringToObject(o, "sig", sig64))
		out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	free(b64);
	return out;
}

tt_err bundle_wire_decode(const char *payload, size_t len, char **json, size_t *jlen, unsigned char sig[64], char *why,
                          size_t whylen)
{
	size_t wire_max = sodium_base64_ENCODED_LEN(BUNDLE_MANIFEST_MAX, sodium_base64_VARIANT_ORIGINAL) + 1024;
	tt_err rc = TT_ERR_PARSE;
	unsigned char *bin = NULL;
	if (!json || !jlen || !sig)
		return TT_ERR_INVAL;
	*json = NULL;
	*jlen = 0;
	if (!payload || !len) {
		say(why, whylen, "payload is empty");
		return TT_ERR_PARSE;
	}
	if (len > wire_max) {
		say(why, whylen, "payload is %zu bytes, more than a manifest of %d bytes takes", len,
		    BUNDLE_MANIFEST_MAX);
		return TT_ERR_RANGE;
	}
	cJSON *o = cJSON_ParseWithLength(payload, len);
	if (!cJSON_IsObject(o)) {
		say(why, whylen, "payload is not a JSON object");
		goto out;
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "v");
	if (!cJSON_IsNumber(v) || v->valuedouble != 1) {
		say(why, whylen, "payload \"v\" is not 1");
		goto out;
	}
	const char *b64 = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "manifest"));
	const char *s64 = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "sig"));
	if (!b64 || !s64) {
		say(why, whylen, "payload has no \"manifest\" or no \"sig\" string");
		goto out;
	}
	if (b64_decode(s64, sig, 64, 64, NULL) != TT_OK) {
		say(why, whylen, "payload \"sig\" is not base64 of a 64-byte signature");
		goto out;
	}
	size_t cap = strlen(b64) / 4 * 3 + 3, got = 0;
	if (!(bin = malloc(cap + 1))) {
		rc = TT_ERR_NOMEM;
		say(why, whylen, "payload: out of memory");
		goto out;
	}
	if (b64_decode(b64, bin, cap, 0, &got) != TT_OK) {
		say(why, whylen, "payload \"manifest\" is not base64");
		goto out;
	}
	if (got > BUNDLE_MANIFEST_MAX) {
		say(why, whylen, "manifest is %zu bytes, more than the %d allowed", got, BUNDLE_MANIFEST_MAX);
		rc = TT_ERR_RANGE;
		goto out;
	}
	bin[got] = '\0';
	*json = (char *)bin;
	*jlen = got;
	bin = NULL;
	rc = TT_OK;
out:
	if (rc != TT_OK)
		memset(sig, 0, 64);
	free(bin);
	cJSON_Delete(o);
	return rc;
}

size_t bundle_trust_keys(const char *trust, const char *channel, unsigned char (*keys)[32], size_t max)
{
	size_t n = 0;
	if (!channel || (!keys && max))
		return 0;
	for (const char *s = trust ? trust : ""; *s;) {
		char entry[256];
		unsigned char pk[32];
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		const char *e = s;
		while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
			e++;
		size_t len = (size_t)(e - s);
		if (!len)
			break;
		if (len >= sizeof entry) {
			tt_warn("[trust] content_keys: entry '%.40s...' is too long; skipped", s);
			s = e;
			continue;
		}
		memcpy(entry, s, len);
		entry[len] = '\0';
		s = e;
		char *eq = strchr(entry, '=');
		if (eq)
			*eq = '\0';
		if (!eq || !bundle_channel_valid(entry) ||
		    b64_decode(eq + 1, pk, sizeof pk, sizeof pk, NULL) != TT_OK) {
			if (eq)
				*eq = '=';
			tt_warn("[trust] content_keys: entry '%s' is not channel=KEY (KEY: base64 of a 32-byte Ed25519 "
			        "public key); skipped",
			        entry);
			continue;
		}
		if (strcmp(entry, channel) != 0)
			continue;
		if (n == max) {
			tt_warn("[trust] content_keys: more than %zu keys for channel %s; the rest are ignored", max,
			        channel);
			break;
		}
		memcpy(keys[n++], pk, 32);
	}
	return n;
}

tt_err bundle_accept(const char *payload, size_t len, const char *trust, const char *channel, int64_t current,
                     bundle_manifest *m, char *why, size_t whylen)
{
	unsigned char sig[64], keys[KEYS_MAX][32];
	char *json = NULL;
	size_t jlen = 0;
	tt_err rc;
	if (!m)
		return TT_ERR_INVAL;
	memset(m, 0, sizeof *m);
	if (!bundle_channel_valid(channel)) {
		say(why, whylen, "channel '%.64s' is not a valid channel", channel ? channel : "");
		return TT_ERR_INVAL;
	}
	if ((rc = bundle_wire_decode(payload, len, &json, &jlen, sig, why, whylen)) != TT_OK)
		return rc;
	rc = bundle_manifest_parse(json, jlen, m, why, whylen);
	free(json);
	if (rc != TT_OK)
		return rc;
	if (strcmp(m->channel, channel) != 0) {
		say(why, whylen, "channel %s of the manifest is not %s, the channel of its topic", m->channel, channel);
		rc = TT_ERR_INVAL;
		goto fail;
	}
	size_t n = bundle_trust_keys(trust, channel, keys, KEYS_MAX);
	if (!n) {
		say(why, whylen, "signature: no key in [trust] content_keys is trusted for channel %s", channel);
		rc = TT_ERR_CRYPTO;
		goto fail;
	}
	bool ok = false;
	for (size_t i = 0; i < n && !ok; i++)
		ok = bundle_verify_bytes(m->json, m->len, sig, keys[i]);
	if (!ok) {
		say(why, whylen, "signature does not verify with the %zu key(s) trusted for channel %s", n, channel);
		rc = TT_ERR_CRYPTO;
		goto fail;
	}
	if (m->version <= current) {
		say(why, whylen, "version %lld is not newer than %lld", (long long)m->version, (long long)current);
		rc = TT_ERR_STATE;
		goto fail;
	}
	return TT_OK;
fail:
	bundle_manifest_free(m);
	return rc;
}

/* ---- build ------------------------------------------------------------- */

typedef struct file_list {
	char **paths; /* relative, normalised */
	size_t n, cap;
} file_list;

static void file_list_free(file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	memset(l, 0, sizeof *l);
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the file rel (relative to base, a file of the bundle, or to the
 * root if base is NULL) of page pid, after checking that it is a regular
 * file inside the source folder (real, after links: realsrc). */
static tt_err add_file(file_list *l, const content_bundle *b, const char *realsrc, const char *pid, const char *what,
                       const char *base, const char *rel, char *err, size_t errlen)
{
	char full[FS_PATH], real[PATH_MAX];
	struct stat st;
	const char *dir = content_dir(b);
	if (content_path(b, base, rel, full, sizeof full) != TT_OK || strncmp(full, dir, strlen(dir)) != 0 ||
	    full[strlen(dir)] != '/') {
		say(err, errlen, "%s/%s: page '%s': %s '%.200s' is not a path inside the bundle", dir,
		    base ? base : "manifest.json", pid, what, rel);
		return TT_ERR_INVAL;
	}
	const char *norm = full + strlen(dir) + 1;
	const char *fault = path_fault(norm);
	if (fault) {
		say(err, errlen, "%s/%s: page '%s': %s '%.200s' %s", dir, base ? base : "manifest.json", pid, what, rel,
		    fault);
		return TT_ERR_INVAL;
	}
	if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
		say(err, errlen, "%s: page '%s': %s file is missing", full, pid, what);
		return TT_ERR_NOTFOUND;
	}
	if (!realpath(full, real) || strncmp(real, realsrc, strlen(realsrc)) != 0 || real[strlen(realsrc)] != '/') {
		say(err, errlen, "%s: page '%s': %s is a link that leads out of the source folder", full, pid, what);
		return TT_ERR_INVAL;
	}
	if ((uint64_t)st.st_size > FILE_MAX) {
		say(err, errlen, "%s: page '%s': %s file is larger than 1 GiB", full, pid, what);
		return TT_ERR_RANGE;
	}
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->paths[i], norm))
			return TT_OK;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		char **p = realloc(l->paths, ncap * sizeof *p);
		if (!p)
			goto nomem;
		l->paths = p;
		l->cap = ncap;
	}
	if (!(l->paths[l->n] = strdup(norm)))
		goto nomem;
	l->n++;
	return TT_OK;
nomem:
	say(err, errlen, "bundle build: out of memory");
	return TT_ERR_NOMEM;
}

/* Checks that every page renders and links to pages of the bundle, and
 * lists every file the bundle uses. */
static tt_err check_pages(content_bundle *b, const char *realsrc, file_list *files, char *err, size_t errlen)
{
	const char *dir = content_dir(b);
	tt_err rc;
	for (size_t i = 0; i < content_page_count(b); i++) {
		const content_page *p = content_page_at(b, i);
		for (int l = 0; l < LANG__COUNT; l++) {
			if (!p->body[l])
				continue;
			if ((rc = add_file(files, b, realsrc, p->id, "body", NULL, p->body[l], err, errlen)) != TT_OK)
				return rc;
			/* content_page_doc falls back to the other language: a new
			 * fault, not a NULL, says this one failed */
			const mdoc *d = content_page_doc(b, p, (tt_lang)l);
			if (!d || content_faults(b)) {
				if (content_faults(b))
					say(err, errlen, "%s", content_first_fault(b));
				else
					say(err, errlen, "%s/%s: page '%s' does not render", dir, p->body[l], p->id);
				return TT_ERR_PARSE;
			}
			for (size_t k = 0; k < d->n_blocks; k++) {
				if (d->blocks[k].kind != MDOC_IMG)
					continue;
				if (!d->blocks[k].src || !*d->blocks[k].src) {
					say(err, errlen, "%s/%s: page '%s': an image without a path", dir, p->body[l],
					    p->id);
					return TT_ERR_PARSE;
				}
				rc = add_file(files, b, realsrc, p->id, "image", p->body[l], d->blocks[k].src, err,
				              errlen);
				if (rc != TT_OK)
					return rc;
			}
		}
		if (p->image &&
		    (rc = add_file(files, b, realsrc, p->id, "image", NULL, p->image, err, errlen)) != TT_OK)
			return rc;
		for (size_t k = 0; k < p->n_links; k++)
			if (!content_page_find(b, p->links[k])) {
				say(err, errlen,
				    "%s/manifest.json: page '%s': link '%.200s' names no page of the bundle", dir,
				    p->id, p->links[k]);
				return TT_ERR_PARSE;
			}
	}
	return TT_OK;
}

/* Sets o[key] = v in place (keeping the key's position) or at the end. */
static bool set_item(cJSON *o, const char *key, cJSON *v)
{
	if (!v)
		return false;
	if (cJSON_GetObjectItemCaseSensitive(o, key))
		return cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
	return cJSON_AddItemToObject(o, key, v);
}

/* The version of the build in out (0 if out does not exist or is empty);
 * refuses a folder that is neither. */
static tt_err previous_build(const char *out, bool *exists, int64_t *prev, char *err, size_t errlen)
{
	struct stat st;
	char path[FS_PATH], why[256];
	size_t len;
	*exists = false;
	*prev = 0;
	if (lstat(out, &st) != 0) {
		if (errno == ENOENT)
			return TT_OK;
		say(err, errlen, "%s: %s", out, tt_strerrno(errno));
		return TT_ERR_IO;
	}
	if (!S_ISDIR(st.st_mode)) {
		say(err, errlen, "%s: exists and is not a folder", out);
		return TT_ERR_INVAL;
	}
	*exists = true;
	DIR *d = opendir(out);
	if (!d) {
		say(err, errlen, "%s: %s", out, tt_strerrno(errno));
		return TT_ERR_IO;
	}
	bool empty = true;
	for (struct dirent *e; empty && (e = readdir(d));)
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	if (empty)
		return TT_OK;
	char *data = NULL;
	if (snprintf(path, sizeof path, "%s/manifest.json", out) < (int)sizeof path)
		data = read_all(path, BUNDLE_MANIFEST_MAX, &len);
	if (!data) {
		say(err, errlen, "%s: not empty and not a built bundle (no manifest.json); give a new or empty folder",
		    out);
		return TT_ERR_INVAL;
	}
	bundle_manifest m;
	tt_err rc = bundle_manifest_parse(data, len, &m, why, sizeof why);
	free(data);
	if (rc != TT_OK) {
		say(err, errlen, "%s: not empty and not a built bundle (%s); give a new or empty folder", path, why);
		return TT_ERR_INVAL;
	}
	*prev = m.version;
	bundle_manifest_free(&m);
	return TT_OK;
}

tt_err bundle_build(const char *src, const char *out, const char *channel, int64_t version, uint32_t chunk, char *err,
                    size_t errlen)
{
	char outp[FS_PATH], tmp[FS_PATH], old[FS_PATH], path[FS_PATH], from[FS_PATH], realsrc[PATH_MAX];
	char created[32], why[256];
	content_bundle *b = NULL;
	cJSON *root = NULL, *list = NULL;
	char *data = NULL, *text = NULL;
	file_list files = {0};
	bool exists, made_tmp = false;
	int64_t prev;
	size_t len;
	tt_err rc;
	int e;

	say(err, errlen, "%s", "");
	if (!src || !*src || !out || !*out) {
		say(err, errlen, "bundle build: a source folder and an output folder are needed");
		return TT_ERR_INVAL;
	}
	if (!bundle_channel_valid(channel)) {
		say(err, errlen, "channel '%.64s' is not valid (a province or province/commune of a-z, 0-9 and '-')",
		    channel ? channel : "");
		return TT_ERR_INVAL;
	}
	if (version < 0 || version > VERSION_MAX) {
		say(err, errlen, "version %lld is out of range (1 to 2^53-1, or 0 for the next)", (long long)version);
		return TT_ERR_RANGE;
	}
	if (!chunk)
		chunk = BUNDLE_CHUNK_DEFAULT;
	if (chunk < CHUNK_MIN || chunk > CHUNK_MAX) {
		say(err, errlen, "chunk %u bytes is out of range (%u to %u)", chunk, CHUNK_MIN, CHUNK_MAX);
		return TT_ERR_RANGE;
	}
	if (crypto_init() != TT_OK) {
		say(err, errlen, "bundle build: libsodium did not initialise");
		return TT_ERR_CRYPTO;
	}
	len = strlen(out);
	while (len > 1 && out[len - 1] == '/')
		len--;
	if (len + 32 >= sizeof outp || snprintf(outp, sizeof outp, "%.*s", (int)len, out) < 0 ||
	    snprintf(tmp, sizeof tmp, "%s.tmp", outp) >= (int)sizeof tmp ||
	    snprintf(old, sizeof old, "%s.old", outp) >= (int)sizeof old) {
		say(err, errlen, "%s: path too long", out);
		return TT_ERR_RANGE;
	}
	if (!realpath(src, realsrc)) {
		say(err, errlen, "%s: %s", src, tt_strerrno(errno));
		return errno == ENOENT ? TT_ERR_NOTFOUND : TT_ERR_IO;
	}
	char realout[PATH_MAX];
	if (realpath(outp, realout) && !strcmp(realout, realsrc)) {
		say(err, errlen, "%s: the output folder cannot be the source folder", out);
		return TT_ERR_INVAL;
	}
	if ((rc = previous_build(outp, &exists, &prev, err, errlen)) != TT_OK)
		return rc;
	if (!version)
		version = prev + 1;
	else if (version <= prev)
		tt_warn(
		    "%s: version %lld is not higher than the previous build's %lld; kiosks that have it will not take "
		    "this one",
		    outp, (long long)version, (long long)prev);

	if (!(b = content_load(src))) {
		say(err, errlen, "bundle build: out of memory");
		return TT_ERR_NOMEM;
	}
	if (content_faults(b)) {
		if (content_faults(b) > 1)
			say(err, errlen, "%s (and %u more faults)", content_first_fault(b), content_faults(b) - 1);
		else
			say(err, errlen, "%s", content_first_fault(b));
		rc = TT_ERR_PARSE;
		goto cleanup;
	}
	if ((rc = check_pages(b, realsrc, &files, err, errlen)) != TT_OK)
		goto cleanup;
	qsort(files.paths, files.n, sizeof *files.paths, by_str);

	snprintf(path, sizeof path, "%s/manifest.json", content_dir(b));
	if (!(data = read_all(path, BUNDLE_MANIFEST_MAX, &len))) {
		say(err, errlen, "%s: cannot read: %s", path, tt_strerrno(errno));
		rc = TT_ERR_IO;
		goto cleanup;
	}
	root = cJSON_ParseWithLength(data, len);
	if (!cJSON_IsObject(root)) {
		say(err, errlen, "%s: not a JSON object", path);
		rc = TT_ERR_PARSE;
		goto cleanup;
	}
	const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
	if (format && !(cJSON_IsNumber(format) && format->valuedouble == 1)) {
		say(err, errlen, "%s: \"format\" is not 1, the only format this tool knows", path);
		rc = TT_ERR_PARSE;
		goto cleanup;
	}

	if ((e = rm_tree(tmp)) != 0 || mkdir(tmp, 0755) != 0) {
		say(err, errlen, "%s: cannot create: %s", tmp, tt_strerrno(e ? e : errno));
		rc = TT_ERR_IO;
		goto cleanup;
	}
	made_tmp = true;
	if (!(list = cJSON_CreateArray()))
		goto nomem;
	for (size_t i = 0; i < files.n; i++) {
		char hex[65];
		uint64_t size;
		snprintf(from, sizeof from, "%s/%s", content_dir(b), files.paths[i]);
		if ((size_t)snprintf(path, sizeof path, "%s/%s", tmp, files.paths[i]) >= sizeof path) {
			say(err, errlen, "%s/%s: path too long", tmp, files.paths[i]);
			rc = TT_ERR_RANGE;
			goto cleanup;
		}
		if ((e = copy_file(from, path, hex, &size)) != 0) {
			say(err, errlen, "%s: cannot copy to %s: %s", from, path, tt_strerrno(e));
			rc = e == EFBIG ? TT_ERR_RANGE : TT_ERR_IO;
			goto cleanup;
		}
		cJSON *f = cJSON_CreateObject();
		if (!f || !cJSON_AddItemToArray(list, f))
			goto nomem;
		if (!cJSON_AddStringToObject(f, "path", files.paths[i]) || !cJSON_AddStringToObject(f, "sha256", hex) ||
		    !cJSON_AddNumberToObject(f, "size", (double)size))
			goto nomem;
	}

	int64_t now = clock_now();
	int y, mo, d, h, mi, wd;
	clock_civil(now, 0, &y, &mo, &d, &h, &mi, &wd);
	snprintf(created, sizeof created, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi,
	         (int)(((now % 60) + 60) % 60));
	if (!set_item(root, "channel", cJSON_CreateString(channel)) ||
	    !set_item(root, "version", cJSON_CreateNumber((double)version)) ||
	    !set_item(root, "created", cJSON_CreateString(created)) ||
	    !set_item(root, "chunk", cJSON_CreateNumber((double)chunk)))
		goto nomem;
	if (!set_item(root, "files", list))
		goto nomem;
	list = NULL; /* owned by root now */
	if (!(text = cJSON_Print(root)))
		goto nomem;
	len = strlen(text);
	char *t2 = realloc(text, len + 2);
	if (!t2)
		goto nomem;
	text = t2;
	text[len++] = '\n';
	text[len] = '\0';
	bundle_manifest check;
	if ((rc = bundle_manifest_parse(text, len, &check, why, sizeof why)) != TT_OK) {
		say(err, errlen, "%s/manifest.json: %s", content_dir(b), why);
		goto cleanup;
	}
	bundle_manifest_free(&check);
	if (snprintf(path, sizeof path, "%s/manifest.json", tmp) >= (int)sizeof path)
		e = ENAMETOOLONG;
	else if ((e = write_file(path, text, len)) == 0)
		e = fsync_tree(tmp);
	if (e) {
		say(err, errlen, "%s: cannot write: %s", path, tt_strerrno(e));
		rc = TT_ERR_IO;
		goto cleanup;
	}

	/* Swap: a failure before the second rename leaves the old build. */
	if (exists) {
		rm_tree(old);
		if (rename(outp, old) != 0) {
			say(err, errlen, "%s: cannot move the previous build aside: %s", outp, tt_strerrno(errno));
			rc = TT_ERR_IO;
			goto cleanup;
		}
	}
	if (rename(tmp, outp) != 0) {
		e = errno;
		if (exists)
			rename(old, outp);
		say(err, errlen, "%s: cannot rename to %s: %s", tmp, outp, tt_strerrno(e));
		rc = TT_ERR_IO;
		goto cleanup;
	}
	made_tmp = false;
	if (exists && (e = rm_tree(old)) != 0)
		tt_warn("%s: cannot remove the previous build: %s", old, tt_strerrno(e));
	fsync_parent(outp);
	rc = TT_OK;
	goto cleanup;
nomem:
	say(err, errlen, "bundle build: out of memory");
	rc = TT_ERR_NOMEM;
cleanup:
	if (made_tmp)
		rm_tree(tmp);
	cJSON_Delete(list);
	cJSON_Delete(root);
	free(text);
	free(data);
	file_list_free(&files);
	content_free(b);
	return rc;
}

/* Checks every file of m against the folder dir. */
static tt_err check_files(const char *dir, const bundle_manifest *m, char *err, size_t errlen)
{
	char path[FS_PATH], hex[65];
	uint64_t size;
	for (size_t i = 0; i < m->n_files; i++) {
		const bundle_file *f = &m->files[i];
		snprintf(path, sizeof path, "%s/%s", dir, f->path);
		int e = hash_file(path, hex, &size);
		if (e) {
			say(err, errlen, "%s: cannot read: %s", path, tt_strerrno(e));
			return e == ENOENT ? TT_ERR_NOTFOUND : TT_ERR_IO;
		}
		if (size != f->size || strcmp(hex, f->sha256) != 0) {
			say(err, errlen,
			    "%s: differs from its sha256 and size in manifest.json (changed since the build?)", path);
			return TT_ERR_PARSE;
		}
	}
	return TT_OK;
}

tt_err bundle_sign(const char *dir, const tt_sign_key *key, char *err, size_t errlen)
{
	char path[FS_PATH], why[256];
	char line[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL) + 1];
	unsigned char sig[64];
	bundle_manifest m;
	size_t len;
	if (!dir || !*dir || !key) {
		say(err, errlen, "bundle sign: a folder and a key are needed");
		return TT_ERR_INVAL;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/manifest.json", dir) >= sizeof path) {
		say(err, errlen, "%s: path too long", dir);
		return TT_ERR_RANGE;
	}
	char *data = read_all(path, BUNDLE_MANIFEST_MAX, &len);
	if (!data) {
		int e = errno;
		say(err, errlen, "%s: cannot read: %s", path, tt_strerrno(e));
		return e == ENOENT ? TT_ERR_NOTFOUND : e == EFBIG ? TT_ERR_RANGE : TT_ERR_IO;
	}
	tt_err rc = bundle_manifest_parse(data, len, &m, why, sizeof why);
	if (rc != TT_OK) {
		say(err, errlen, "%s: %s", path, why);
		free(data);
		return rc;
	}
	rc = check_files(dir, &m, err, errlen);
	if (rc == TT_OK) {
		bundle_sign_bytes(m.json, m.len, key, sig);
		if (!bundle_verify_bytes(m.json, m.len, sig, key->pk)) {
			say(err, errlen, "%s: the signature does not verify with the key's public half", path);
			rc = TT_ERR_CRYPTO;
		}
	}
	if (rc == TT_OK) {
		b64_encode(sig, sizeof sig, line, sizeof line);
		len = strlen(line);
		line[len++] = '\n';
		snprintf(path, sizeof path, "%s/manifest.sig", dir);
		int e = write_atomic(path, line, len);
		if (e) {
			say(err, errlen, "%s: cannot write: %s", path, tt_strerrno(e));
			rc = TT_ERR_IO;
		}
	}
	bundle_manifest_free(&m);
	free(data);
	return rc;
}

/* ---- the kiosk's side: blobs, install ----------------------------------- */

uint32_t bundle_chunks(uint64_t size, uint32_t chunk)
{
	if (!chunk || !size)
		return 1;
	uint64_t n = (size - 1) / chunk + 1;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

size_t bundle_missing(const bundle_manifest *m, const char *blobs_dir, size_t *missing)
{
	char path[FS_PATH];
	struct stat st;
	size_t n = 0;
	if (!m || !blobs_dir || !missing)
		return 0;
	for (size_t i = 0; i < m->n_files; i++) {
		const bundle_file *f = &m->files[i];
		bool seen = false;
		if (f->size == 0) /* made at install, needs no blob */
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(m->files[k].sha256, f->sha256);
		if (seen)
			continue;
		snprintf(path, sizeof path, "%s/%s", blobs_dir, f->sha256);
		if (!sha_valid(f->sha256) || stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
		    (uint64_t)st.st_size != f->size)
			missing[n++] = i;
	}
	return n;
}

tt_err bundle_blob_chunk(const char *blobs_dir, const char *sha, uint64_t size, uint32_t chunk, uint32_t n,
                         const void *data, size_t len, char *why, size_t whylen)
{
	char path[FS_PATH];
	if (!blobs_dir || !sha_valid(sha) || (!data && len)) {
		say(why, whylen, "blob %.64s: not a sha256 or no data", sha ? sha : "(null)");
		return TT_ERR_INVAL;
	}
	if (!chunk || size > FILE_MAX) {
		say(why, whylen, "blob %s: chunk size %u or file size %llu is out of range", sha, chunk,
		    (unsigned long long)size);
		return TT_ERR_RANGE;
	}
	uint32_t chunks = bundle_chunks(size, chunk);
	if (n >= chunks) {
		say(why, whylen, "blob %s: chunk %u, but a file of %llu bytes has %u", sha, n, (unsigned long long)size,
		    chunks);
		return TT_ERR_RANGE;
	}
	uint64_t off = (uint64_t)n * chunk;
	uint64_t want = n + 1 < chunks ? chunk : size - off;
	if (len != want) {
		say(why, whylen, "blob %s: chunk %u is %zu bytes, expected %llu", sha, n, len,
		    (unsigned long long)want);
		return TT_ERR_PARSE;
	}
	int e = mkdirs(blobs_dir);
	if (e) {
		say(why, whylen, "%s: cannot create: %s", blobs_dir, tt_strerrno(e));
		return TT_ERR_IO;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/%s.part", blobs_dir, sha) >= sizeof path) {
		say(why, whylen, "%s: path too long", blobs_dir);
		return TT_ERR_RANGE;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		say(why, whylen, "%s: cannot open: %s", path, tt_strerrno(errno));
		return TT_ERR_IO;
	}
	const char *p = data;
	for (size_t done = 0; done < len && !e;) {
		ssize_t w = pwrite(fd, p + done, len - done, (off_t)(off + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			e = errno;
		else
			done += (size_t)w;
	}
	if (close(fd) != 0 && !e)
		e = errno;
	if (e) {
		say(why, whylen, "%s: cannot write chunk %u: %s", path, n, tt_strerrno(e));
		return TT_ERR_IO;
	}
	return TT_OK;
}

tt_err bundle_blob_finish(const char *blobs_dir, const char *sha, uint64_t size, char *why, size_t whylen)
{
	char part[FS_PATH], done[FS_PATH], hex[65];
	uint64_t got;
	if (!blobs_dir || !sha_valid(sha)) {
		say(why, whylen, "blob %.64s: not a sha256", sha ? sha : "(null)");
		return TT_ERR_INVAL;
	}
	if ((size_t)snprintf(part, sizeof part, "%s/%s.part", blobs_dir, sha) >= sizeof part) {
		say(why, whylen, "%s: path too long", blobs_dir);
		return TT_ERR_RANGE;
	}
	snprintf(done, sizeof done, "%s/%s", blobs_dir, sha);
	int fd = open(part, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		say(why, whylen, "%s: cannot open: %s", part, tt_strerrno(e));
		return e == ENOENT ? TT_ERR_NOTFOUND : TT_ERR_IO;
	}
	int e = hash_fd(fd, -1, hex, &got);
	if (!e && (got != size || strcmp(hex, sha) != 0)) {
		close(fd);
		unlink(part);
		if (got != size)
			say(why, whylen, "blob %s: %llu bytes arrived, the manifest says %llu; dropped", sha,
			    (unsigned long long)got, (unsigned long long)size);
		else
			say(why, whylen, "blob %s: the data arrived has sha256 %s; dropped", sha, hex);
		return TT_ERR_PARSE;
	}
	if (!e && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(part, done) != 0)
		e = errno;
	if (!e)
		e = fsync_dir(blobs_dir);
	if (e) {
		say(why, whylen, "%s: %s", part, tt_strerrno(e));
		return TT_ERR_IO;
	}
	return TT_OK;
}

/* {root}/{channel with '/' as '_'} */
static bool chan_dir(const char *content_root, const char *channel, char *out, size_t outlen)
{
	if ((size_t)snprintf(out, outlen, "%s/%s", content_root, channel) >= outlen)
		return false;
	for (char *c = out + strlen(content_root) + 1; *c; c++)
		if (*c == '/')
			*c = '_';
	return true;
}

/* Version of a folder name "v<digits>" (with "tmp", also "v<digits>.tmp"),
 * or -1. */
static int64_t version_name(const char *name, bool tmp)
{
	int64_t v = 0;
	const char *c = name;
	if (*c++ != 'v' || !(*c >= '0' && *c <= '9'))
		return -1;
	for (; *c >= '0' && *c <= '9'; c++) {
		if (v > (VERSION_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*c - '0');
	}
	if (!*c)
		return v;
	return tmp && !strcmp(c, ".tmp") ? v : -1;
}

tt_err bundle_install(const char *content_root, const char *blobs_dir, const bundle_manifest *m,
                      const unsigned char sig[64], char *why, size_t whylen)
{
	char cdir[FS_PATH], vname[32], vdir[FS_PATH], tmp[FS_PATH], path[FS_PATH], blob[FS_PATH], hex[65];
	char link[FS_PATH], ltmp[FS_PATH], prev[64] = "";
	char line[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL) + 1];
	uint64_t size;
	tt_err rc = TT_OK;
	int e;

	if (!content_root || !*content_root || !blobs_dir || !m || !m->json || !sig ||
	    !bundle_channel_valid(m->channel) || m->version < 1) {
		say(why, whylen, "bundle install: a content folder, a blobs folder and a parsed manifest are needed");
		return TT_ERR_INVAL;
	}
	snprintf(vname, sizeof vname, "v%lld", (long long)m->version);
	if (!chan_dir(content_root, m->channel, cdir, sizeof cdir) ||
	    (size_t)snprintf(vdir, sizeof vdir, "%s/%s", cdir, vname) >= sizeof vdir ||
	    (size_t)snprintf(tmp, sizeof tmp, "%s.tmp", vdir) >= sizeof tmp ||
	    (size_t)snprintf(link, sizeof link, "%s/current", cdir) >= sizeof link ||
	    (size_t)snprintf(ltmp, sizeof ltmp, "%s/current.tmp", cdir) >= sizeof ltmp) {
		say(why, whylen, "%s: path too long", content_root);
		return TT_ERR_RANGE;
	}
	if ((e = mkdirs(cdir)) != 0) {
		say(why, whylen, "%s: cannot create: %s", cdir, tt_strerrno(e));
		return TT_ERR_IO;
	}
	ssize_t r = readlink(link, prev, sizeof prev - 1);
	prev[r > 0 ? r : 0] = '\0';
	if (!strcmp(prev, vname)) {
		say(why, whylen, "%s: version %lld is installed and shown already", cdir, (long long)m->version);
		return TT_ERR_STATE;
	}
	/* Leftovers of an install cut short, never shown. */
	if ((e = rm_tree(tmp)) != 0 || (e = rm_tree(vdir)) != 0 || mkdir(tmp, 0755) != 0) {
		say(why, whylen, "%s: cannot create: %s", tmp, tt_strerrno(e ? e : errno));
		return TT_ERR_IO;
	}
	for (size_t i = 0; i < m->n_files && rc == TT_OK; i++) {
		const bundle_file *f = &m->files[i];
		const char *fault = path_fault(f->path);
		if (fault || !sha_valid(f->sha256)) {
			say(why, whylen, "manifest: file '%.200s' %s", f->path ? f->path : "",
			    fault ? fault : "has no valid sha256");
			rc = TT_ERR_INVAL;
			break;
		}
		if ((size_t)snprintf(path, sizeof path, "%s/%s", tmp, f->path) >= sizeof path) {
			say(why, whylen, "%s/%s: path too long", tmp, f->path);
			rc = TT_ERR_RANGE;
			break;
		}
		if (f->size == 0) {
			e = mkdirs_parent(path);
			if (!e)
				e = write_file(path, "", 0);
			if (e) {
				say(why, whylen, "%s: cannot write: %s", path, tt_strerrno(e));
				rc = TT_ERR_IO;
			}
			continue;
		}
		snprintf(blob, sizeof blob, "%s/%s", blobs_dir, f->sha256);
		e = copy_file(blob, path, hex, &size);
		if (e) {
			say(why, whylen, "%s (for %s): %s", blob, f->path,
			    e == ENOENT ? "blob is missing" : tt_strerrno(e));
			rc = e == ENOENT ? TT_ERR_NOTFOUND : TT_ERR_IO;
		} else if (size != f->size || strcmp(hex, f->sha256) != 0) {
			say(why, whylen, "%s (for %s): content does not match its sha256", blob, f->path);
			rc = TT_ERR_PARSE;
		}
	}
	if (rc == TT_OK) {
		e = ENAMETOOLONG;
		if (snprintf(path, sizeof path, "%s/manifest.json", tmp) < (int)sizeof path &&
		    (e = write_file(path, m->json, m->len)) == 0) {
			b64_encode(sig, 64, line, sizeof line);
			size_t n = strlen(line);
			line[n++] = '\n';
			e = ENAMETOOLONG;
			if (snprintf(path, sizeof path, "%s/manifest.sig", tmp) < (int)sizeof path)
				e = write_file(path, line, n);
		}
		if (!e && (e = fsync_tree(tmp)) == 0 && rename(tmp, vdir) != 0)
			e = errno;
		if (!e)
			e = fsync_dir(cdir);
		if (e) {
			say(why, whylen, "%s: %s", path, tt_strerrno(e));
			rc = TT_ERR_IO;
		}
	}
	if (rc != TT_OK) {
		rm_tree(tmp);
		return rc;
	}
	/* The switch: a new symlink renamed over "current". */
	unlink(ltmp);
	if (symlink(vname, ltmp) != 0 || rename(ltmp, link) != 0) {
		e = errno;
		unlink(ltmp);
		rm_tree(vdir);
		say(why, whylen, "%s: cannot switch to %s: %s", link, vname, tt_strerrno(e));
		return TT_ERR_IO;
	}
	fsync_dir(cdir);
	/* Keep the new and the previous version; older ones go. */
	DIR *d = opendir(cdir);
	for (struct dirent *ent; d && (ent = readdir(d));) {
		if (version_name(ent->d_name, true) < 0 || !strcmp(ent->d_name, vname) || !strcmp(ent->d_name, prev))
			continue;
		if (snprintf(path, sizeof path, "%s/%s", cdir, ent->d_name) >= (int)sizeof path)
			continue;
		if ((e = rm_tree(path)) != 0)
			tt_warn("%s: cannot remove an old version: %s", path, tt_strerrno(e));
	}
	if (d)
		closedir(d);
	return TT_OK;
}

tt_err bundle_current(const char *content_root, const char *channel, char *out, size_t outlen, int64_t *version)
{
	char cdir[FS_PATH], link[FS_PATH], target[64];
	struct stat st;
	if (!content_root || !out || !outlen || !bundle_channel_valid(channel))
		return TT_ERR_INVAL;
	if (!chan_dir(content_root, channel, cdir, sizeof cdir) ||
	    (size_t)snprintf(link, sizeof link, "%s/current", cdir) >= sizeof link)
		return TT_ERR_RANGE;
	ssize_t r = readlink(link, target, sizeof target - 1);
	if (r <= 0)
		return TT_ERR_NOTFOUND;
	target[r] = '\0';
	int64_t v = version_name(target, false);
	if (v < 1)
		return TT_ERR_NOTFOUND;
	if ((size_t)snprintf(out, outlen, "%s/%s", cdir, target) >= outlen)
		return TT_ERR_RANGE;
	if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode))
		return TT_ERR_NOTFOUND;
	if (version)
		*version = v;
	return TT_OK;
}
