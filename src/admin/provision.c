/* provision.c - tramtin-admin provision: a new kiosk's broker account,
 * its place in the collector's kiosk registry, and its kiosk.ini.
 *
 * The kiosk id is its MQTT user name (ARCHITECTURE.md), and the broker's
 * ACL pins that name to the kiosk's own topics (kiosk-config/mosquitto/,
 * the kiosks' listener, which also makes it the kiosk's client id).
 * The account is one line of mosquitto's password file in the format
 * mosquitto 2.x writes and reads, "id:$7$101$SALT$HASH": PBKDF2-HMAC-
 * SHA512 over a random password with a 12-byte salt, 101 iterations and a
 * 64-byte hash, both standard base64.  We compute it with OpenSSL's
 * PKCS5_PBKDF2_HMAC, the same call mosquitto_passwd makes (libsodium has
 * HMAC-SHA512 but no PBKDF2, and running mosquitto_passwd -b would put
 * the password on a command line that ps shows).  The password is 24
 * random bytes from libsodium, so the iteration count protects nothing
 * and stays mosquitto's default; it is written only into the kiosk.ini.
 *
 * The kiosk makes its Ed25519 key on its first start (tramtin
 * --print-public-key prints it), usually after its kiosk.ini exists, so
 * registering "id key" in the collector's registry is often a second run
 * with --kiosks and --public-key alone.  Each file is locked (flock) while
 * it is checked for the id and appended to, so two staff provisioning at
 * once cannot both add the same id; an id already there is refused before
 * anything is written.  The kiosk.ini is written (or printed) before the
 * account is added, so a failure never leaves an account whose password
 * nobody has. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "tramtin/bundle.h"
#include "tramtin/config.h"
#include "tramtin/crypto.h"

#define SALT_LEN     12  /* mosquitto's */
#define HASH_LEN     64  /* SHA-512 */
#define ITERATIONS   101 /* mosquitto_passwd's default */
#define PASSWORD_LEN 24  /* random bytes, 32 characters of URL-safe base64 */
#define ID_MAX       63  /* tt_config's id fields hold 63 characters */
#define FILE_MAX     (64u << 20)

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int bad(const char *fmt, ...);

/* One line on stderr; returns 2. */
static int bad(const char *fmt, ...)
{
	va_list ap;
	fputs("tramtin-admin: provision: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/* An id as the kiosk's config takes it, short enough for it, and not a
 * level name of the topic tree: the ACL lets every account read
 * .../content/# and .../track/+, so a commune or kiosk called "content"
 * would open its kiosks' topics to all. */
static int check_id(const char *what, const char *s)
{
	if (!config_id_valid(s) || strlen(s) > ID_MAX)
		return bad("%s '%s' is not an id (1 to %d letters, digits, '-' or '_')", what, s, ID_MAX);
	if (!strcmp(s, "content") || !strcmp(s, "track"))
		return bad("%s '%s' is a level of the topic tree; choose another", what, s);
	return 0;
}

/* A kiosk id is also its MQTT client id (the broker forces it), and the
 * collector, tramtin-admin and the console connect as "tramtin-...": a
 * kiosk called so would throw them off the broker. */
static int check_kiosk_id(const char *s)
{
	if (check_id("KIOSK_ID", s))
		return 2;
	if (!strncmp(s, "tramtin-", 8))
		return bad("KIOSK_ID '%s': ids beginning with 'tramtin-' are the programs' MQTT client ids", s);
	return 0;
}

static int check_key(const char *opt, const char *s)
{
	unsigned char k[32];
	if (s && b64_decode(s, k, sizeof k, sizeof k, NULL) != TT_OK)
		return bad("--%s '%s' is not a public key (base64 of 32 bytes)", opt, s);
	return 0;
}

/* A value that goes into kiosk.ini as it is: one line, no comment mark. */
static int check_value(const char *opt, const char *s)
{
	if (!s)
		return 0;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f || *c == ';')
			return bad("--%s '%s' cannot go into kiosk.ini (a control character or ';')", opt, s);
	if (!*s || s[0] == ' ' || s[strlen(s) - 1] == ' ')
		return bad("--%s '%s' is empty or starts or ends with a space", opt, s);
	return 0;
}

/* "channel=KEY ..." as [trust] content_keys takes it, every entry valid. */
static int check_content_keys(const char *s)
{
	char entry[256];
	unsigned char k[32];
	if (!s)
		return 0;
	if (!*s || strlen(s) >= sizeof((tt_config *)0)->content_keys)
		return bad("--content-keys is empty or too long");
	while (*s) {
		size_t n = strcspn(s, " ");
		if (n && n < sizeof entry) {
			memcpy(entry, s, n);
			entry[n] = '\0';
			char *eq = strchr(entry, '=');
			if (eq)
				*eq = '\0';
			if (!eq || !bundle_channel_valid(entry) ||
			    b64_decode(eq + 1, k, sizeof k, sizeof k, NULL) != TT_OK)
				return bad("--content-keys: '%.*s' is not CHANNEL=KEY (CHANNEL ht or ht/<commune>, "
				           "KEY base64 of 32 bytes)",
				           (int)n, s);
		} else if (n) {
			return bad("--content-keys: entry '%.40s...' is too long", s);
		}
		s += n;
		s += strspn(s, " ");
	}
	return 0;
}

/* Opens path for appending (created with mode if missing) and locks it;
 * -1 after one line on stderr. */
static int open_locked(const char *path, mode_t mode)
{
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, mode);
	if (fd < 0) {
		fprintf(stderr, "tramtin-admin: provision: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX) != 0) {
		fprintf(stderr, "tramtin-admin: provision: %s: cannot lock: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The whole file behind fd (a new string), or NULL after one line. */
static char *slurp(int fd, const char *path)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size > FILE_MAX) {
		fprintf(stderr, "tramtin-admin: provision: %s: %s\n", path,
		        (uint64_t)st.st_size > FILE_MAX ? "too large" : strerror(errno));
		return NULL;
	}
	char *data = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (data && got < (size_t)st.st_size) {
		ssize_t r = pread(fd, data + got, (size_t)st.st_size - got, (off_t)got);
		if (r <= 0) {
			fprintf(stderr, "tramtin-admin: provision: %s: cannot read: %s\n", path,
			        r < 0 ? strerror(errno) : "it shrank");
			free(data);
			return NULL;
		}
		got += (size_t)r;
	}
	if (!data)
		fprintf(stderr, "tramtin-admin: provision: out of memory\n");
	else
		data[got] = '\0';
	return data;
}

/* Whether a line of text names id: "id:..." (sep ':', a password file) or
 * "id KEY" (sep ' ', the registry, where lines may be indented and '#'
 * starts a comment; an id alone on its line counts too). */
static bool names(const char *text, const char *id, char sep)
{
	size_t n = strlen(id);
	for (const char *l = text; *l; l += strcspn(l, "\n"), l += *l == '\n') {
		const char *p = sep == ' ' ? l + strspn(l, " \t") : l;
		if (!strncmp(p, id, n) && (p[n] == sep || (sep == ' ' && strchr("\t\r\n", p[n]))))
			return true;
	}
	return false;
}

/* Appends line (with its '\n') to the locked fd, after a '\n' if the file
 * does not end with one, and syncs it.  False after one line on stderr. */
static bool append(int fd, const char *path, const char *text, const char *line)
{
	size_t tl = strlen(text);
	bool ok = !(tl && text[tl - 1] != '\n') || write(fd, "\n", 1) == 1;
	size_t len = strlen(line);
	ok = ok && write(fd, line, len) == (ssize_t)len && fsync(fd) == 0;
	if (!ok)
		fprintf(stderr, "tramtin-admin: provision: %s: cannot append: %s\n", path, strerror(errno));
	return ok;
}

/* The password file's line for user: "user:$7$101$SALT$HASH\n". */
static bool passwd_line(const char *user, const char *password, char *out, size_t outlen)
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	char salt64[sodium_base64_ENCODED_LEN(SALT_LEN, sodium_base64_VARIANT_ORIGINAL)];
	char hash64[sodium_base64_ENCODED_LEN(HASH_LEN, sodium_base64_VARIANT_ORIGINAL)];
	randombytes_buf(salt, sizeof salt);
	bool ok = PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)sizeof salt, ITERATIONS, EVP_sha512(),
	                            (int)sizeof hash, hash) == 1;
	ok = ok && (size_t)snprintf(out, outlen, "%s:$7$%d$%s$%s\n", user, ITERATIONS,
	                            b64_encode(salt, sizeof salt, salt64, sizeof salt64),
	                            b64_encode(hash, sizeof hash, hash64, sizeof hash64)) < outlen;
	sodium_memzero(hash, sizeof hash);
	return ok;
}

static void add(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* The kiosk.ini text (password NULL: no account). */
static void make_ini(const admin_provision_args *p, const char *password, char *ini, size_t len)
{
	ini[0] = '\0';
	add(ini, len, "; kiosk.ini for kiosk %s, made by tramtin-admin provision.\n", p->id);
	if (password)
		add(ini, len, "; It holds the kiosk's broker password: readable by the kiosk's user only.\n");
	add(ini, len, "[kiosk]\nid = %s\nprovince = %s\ncommune = %s\n\n[mqtt]\n", p->id, p->province, p->commune);
	if (p->host)
		add(ini, len, "host = %s\n", p->host);
	else
		add(ini, len, "; no host: the kiosk keeps what citizens send until one is set\n;host =\n");
	add(ini, len, "port = %d\n", p->port);
	if (password)
		add(ini, len, "username = %s\npassword = %s\n", p->id, password);
	if (p->tls_ca)
		add(ini, len, "tls_ca = %s\n", p->tls_ca);
	if (p->collector_key || p->followup_url) {
		add(ini, len, "\n[collector]\n");
		if (p->collector_key)
			add(ini, len, "public_key = %s\n", p->collector_key);
		if (p->followup_url)
			add(ini, len, "followup_url = %s\n", p->followup_url);
	}
	if (p->content_keys)
		add(ini, len, "\n[trust]\ncontent_keys = %s\n", p->content_keys);
}

/* Writes text to a new file path (mode 0600; an existing one is refused). */
static int write_new(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST
		           ? bad("--out %s exists; it is not overwritten", path)
		           : (fprintf(stderr, "tramtin-admin: provision: %s: %s\n", path, strerror(errno)), 1);
	size_t len = strlen(text);
	bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
	int e = errno;
	ok = close(fd) == 0 && ok;
	if (!ok) {
		fprintf(stderr, "tramtin-admin: provision: %s: cannot write: %s\n", path, strerror(e));
		unlink(path);
		return 1;
	}
	return 0;
}

int admin_provision(const admin_provision_args *p)
{
	int pw_fd = -1, reg_fd = -1, status = 2;
	char *pw_text = NULL, *reg_text = NULL;
	char password[sodium_base64_ENCODED_LEN(PASSWORD_LEN, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	char line[512], ini[4096];
	unsigned char raw[PASSWORD_LEN];
	bool make = p->passwd || !p->kiosks;            /* a kiosk.ini, unless only registering a key */
	FILE *info = make && !p->out ? stderr : stdout; /* stdout may be the kiosk.ini */

	if (check_kiosk_id(p->id) || check_id("--province", p->province) || check_id("--commune", p->commune) ||
	    check_key("public-key", p->public_key) || check_key("collector-key", p->collector_key) ||
	    check_value("host", p->host) || check_value("tls-ca", p->tls_ca) ||
	    check_value("followup-url", p->followup_url) || check_content_keys(p->content_keys))
		return 2;
	if (!!p->kiosks != !!p->public_key)
		return bad(
		    "--kiosks and --public-key go together (the key: tramtin --config kiosk.ini --print-public-key "
		    "on the kiosk)");
	if (!make && p->out)
		return bad("--out: only registering a key makes no kiosk.ini (--passwd makes the account and one)");
	if (p->followup_url && strncmp(p->followup_url, "http://", 7) != 0 &&
	    strncmp(p->followup_url, "https://", 8) != 0)
		return bad("--followup-url '%s' does not start with http:// or https://", p->followup_url);
	if (p->out && access(p->out, F_OK) == 0) /* again at creation (O_EXCL); here before any file is touched */
		return bad("--out %s exists; it is not overwritten", p->out);
	if (p->passwd && p->kiosks && !strcmp(p->passwd, p->kiosks))
		return bad("--passwd and --kiosks are the same file '%s'", p->passwd);
	if (!bundle_channel_valid(p->province) || !bundle_channel_valid(p->commune))
		fprintf(stderr,
		        "tramtin-admin: provision: warning: %s/%s cannot have a content channel (a-z, 0-9, '-'); "
		        "the kiosk will show only its local content\n",
		        p->province, p->commune);

	/* Both files locked and checked before anything is written. */
	if (p->passwd && ((pw_fd = open_locked(p->passwd, 0640)) < 0 || !(pw_text = slurp(pw_fd, p->passwd)))) {
		status = 1;
		goto out;
	}
	if (p->kiosks && ((reg_fd = open_locked(p->kiosks, 0644)) < 0 || !(reg_text = slurp(reg_fd, p->kiosks)))) {
		status = 1;
		goto out;
	}
	if (pw_text && names(pw_text, p->id, ':')) {
		bad("kiosk '%s' already has an account in %s (remove its line first to make a new one)", p->id,
		    p->passwd);
		goto out;
	}
	if (reg_text && names(reg_text, p->id, ' ')) {
		bad("kiosk '%s' is already registered in %s (remove its line first to register a new key)", p->id,
		    p->kiosks);
		goto out;
	}

	status = 1;
	if (p->passwd) {
		randombytes_buf(raw, sizeof raw);
		sodium_bin2base64(password, sizeof password, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		if (!passwd_line(p->id, password, line, sizeof line)) {
			fprintf(stderr, "tramtin-admin: provision: PBKDF2 failed (OpenSSL)\n");
			goto out;
		}
	}
	if (make) {
		make_ini(p, p->passwd ? password : NULL, ini, sizeof ini);
		if (p->out) {
			if ((status = write_new(p->out, ini)) != 0)
				goto out;
			status = 1;
		} else if (fputs(ini, stdout) == EOF || fflush(stdout) != 0) {
			fprintf(stderr, "tramtin-admin: provision: cannot write kiosk.ini to standard output\n");
			goto out;
		}
	}
	if (p->passwd && !append(pw_fd, p->passwd, pw_text, line)) {
		if (p->out)
			unlink(p->out);
		goto out;
	}
	if (p->kiosks) {
		snprintf(line, sizeof line, "%s %s\n", p->id, p->public_key);
		if (!append(reg_fd, p->kiosks, reg_text, line)) {
			if (p->passwd)
				fprintf(stderr, "tramtin-admin: provision: the account in %s was made all the same\n",
				        p->passwd);
			goto out;
		}
	}
	if (p->out)
		fprintf(info, "wrote %s (it holds the kiosk's password: copy it to the kiosk only)\n", p->out);
	if (p->passwd)
		fprintf(info,
		        "added %s to %s (the broker reads it again on SIGHUP: systemctl reload mosquitto-tramtin)\n",
		        p->id, p->passwd);
	if (p->kiosks)
		fprintf(info, "registered %s in %s (the collector reads it again on SIGHUP)\n", p->id, p->kiosks);
	status = 0;
out:
	sodium_memzero(password, sizeof password);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(ini, sizeof ini);
	sodium_memzero(line, sizeof line);
	free(pw_text);
	free(reg_text);
	if (pw_fd >= 0)
		close(pw_fd);
	if (reg_fd >= 0)
		close(reg_fd);
	return status;
}
