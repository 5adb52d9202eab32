/* main.c - tramtin-admin: the staff tool's command line.
 *
 *   tramtin-admin keygen --kind sign|box --out PREFIX
 *   tramtin-admin bundle build SRC --out DIR --channel CH [--version N] [--chunk BYTES]
 *   tramtin-admin bundle sign DIR --key PREFIX.key
 *   tramtin-admin bundle publish DIR --host H --port P [--username U --password W] [--tls-ca FILE]
 *                                    [--max-message BYTES]
 *   tramtin-admin bundle gc --channel CH --host H --port P [--username U --password W] [--tls-ca FILE]
 *   tramtin-admin announce|survey|cmd --key PREFIX.key --target T ... --host H --port P (usage() below)
 *   tramtin-admin console --workdir DIR --key PREFIX.key --channel CH --host H --port P ... (console.c)
 *   tramtin-admin provision KIOSK_ID --province P --commune C [--passwd FILE] [--kiosks FILE --public-key B64] ...
 *
 * This file only reads arguments and calls the core (bundle.h, crypto.h)
 * or publish.c, message.c, console.c and provision.c.  Exit status: 0 done; 1 a runtime failure (broker, disk);
 * 2 bad usage or a bad file, with one line on stderr naming the value or
 * the file at fault. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "admin/console.h"
#include "tramtin/bundle.h"
#include "tramtin/clock.h"
#include "tramtin/crypto.h"
#include "tramtin/log.h"
#include "tramtin/pinlock.h"
#include "tramtin/signed.h"
#include "tt_build.h"

#define OPTS_MAX  16
#define FLAGS_MAX 2
#define MULTI_MAX 16 /* values of the one repeatable option */

static void usage(FILE *f)
{
	fprintf(f, "usage: tramtin-admin keygen --kind sign|box --out PREFIX\n"
	           "       tramtin-admin bundle build SRC --out DIR --channel CH [--version N] [--chunk BYTES]\n"
	           "       tramtin-admin bundle sign DIR --key PREFIX.key\n"
	           "       tramtin-admin bundle publish DIR --host H --port P [--username U --password W]\n"
	           "                                        [--tls-ca FILE] [--max-message BYTES]\n"
	           "       tramtin-admin bundle gc --channel CH --host H --port P [--username U --password W]\n"
	           "                               [--tls-ca FILE]\n"
	           "       tramtin-admin announce --key PREFIX.key --target T\n"
	           "                              (--text-vi TEXT [--text-en TEXT] [--from TIME] [--to TIME]\n"
	           "                               [--ttl S] | --clear) --host H --port P\n"
	           "                              [--username U --password W] [--tls-ca FILE]\n"
	           "       tramtin-admin survey --key PREFIX.key --target T\n"
	           "                            (--question-vi Q [--question-en Q]\n"
	           "                             --answer \"VI[|EN]\" (2 to 6 times)\n"
	           "                             [--from TIME] [--to TIME] [--ttl S] | --clear)\n"
	           "                            --host H --port P [--username U --password W] [--tls-ca FILE]\n"
	           "       tramtin-admin cmd --key PREFIX.key --target ht/<commune>/<kiosk>\n"
	           "                         --cmd sync|restart|screen-off|screen-on [--ttl S]\n"
	           "                         --host H --port P [--username U --password W] [--tls-ca FILE]\n"
	           "       tramtin-admin console --workdir DIR --key PREFIX.key --channel ht/<commune>\n"
	           "                             --host H --port P [--username U --password W] [--tls-ca FILE]\n"
	           "                             [--bind 127.0.0.1] [--http-port 8090] [--kiosk-size 1920x1080]\n"
	           "       tramtin-admin pin-hash < PIN   (prints the [admin] pin_hash line for kiosk.ini)\n"
	           "       tramtin-admin provision KIOSK_ID --province P --commune C [--passwd FILE]\n"
	           "                               [--kiosks FILE --public-key B64] [--host H] [--port P] [--tls-ca FILE]\n"
	           "                               [--collector-key B64] [--followup-url URL] [--content-keys \"CH=KEY ...\"]\n"
	           "                               [--out kiosk.ini]\n"
	           "       tramtin-admin --version\n"
	           "\n"
	           "T: ht (the province), ht/<commune> (a commune), ht/<commune>/<kiosk> (one kiosk).\n"
	           "TIME: YYYY-MM-DDTHH:MM:SSZ (UTC) or \"YYYY-MM-DD HH:MM\" (Vietnam time, UTC+7).\n"
	           "--ttl: seconds the message stays valid (default: 7 days for announce and survey, longer\n"
	           "if --to needs it; 600 for cmd).  --clear empties the target's retained announce or survey.\n"
	           "--tls-ca: connect with TLS, checking the broker's certificate against this CA (scripts/mkcerts).\n"
	           "--password: or, with --username alone, from the environment: TRAMTIN_MQTT_PASSWORD=W\n"
	           "(a command line can be read by every user of the machine in ps; the environment cannot).\n"
	           "console: a web page on this machine for the channel's clerk (pages, notices, posters, previews\n"
	           "drawn by the kiosk, publishing, announcements, surveys, which kiosks have applied what); it\n"
	           "prints the address to open, with a token.  DIR holds the channel's source (made from\n"
	           "assets/content if empty).  --http-port 0 takes a free port.\n"
	           "provision: --passwd adds the kiosk's account (a new random password) to a mosquitto password\n"
	           "file; --kiosks adds \"KIOSK_ID KEY\" to the collector's registry (KEY: tramtin --config kiosk.ini\n"
	           "--print-public-key, on the kiosk); an id already in either file is refused.  It prints (or\n"
	           "writes to --out) the kiosk's kiosk.ini, the only place the password goes, unless it only\n"
	           "registers a key.  --tls-ca is the CA file's path on the kiosk; --port defaults to 8883 with\n"
	           "--tls-ca, else 1883.\n");
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int usage_error(const char *fmt, ...);

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("tramtin-admin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/* The options of one command: names allowed (without "--"), the values
 * given, flags (options without a value), one option that may be given
 * several times, and its one positional argument if it takes one. */
typedef struct opts {
	const char *cmd;
	const char *names[OPTS_MAX + 1];
	const char *val[OPTS_MAX];
	const char *flags[FLAGS_MAX + 1];
	bool set[FLAGS_MAX];
	const char *multi; /* NULL: none */
	const char *multi_val[MULTI_MAX];
	int n_multi;
	const char *pos_name; /* NULL: takes none */
	const char *pos;
} opts;

static int parse(opts *o, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] == '-' && a[1] == '-') {
			int k = -1;
			for (int j = 0; o->flags[j]; j++)
				if (!strcmp(o->flags[j], a + 2))
					k = j;
			if (k >= 0) {
				if (o->set[k])
					return usage_error("%s: option %s given twice", o->cmd, a);
				o->set[k] = true;
				continue;
			}
			if (o->multi && !strcmp(o->multi, a + 2)) {
				if (i + 1 >= argc)
					return usage_error("%s: option %s needs a value", o->cmd, a);
				if (o->n_multi == MULTI_MAX)
					return usage_error("%s: option %s given more than %d times", o->cmd, a,
					                   MULTI_MAX);
				o->multi_val[o->n_multi++] = argv[++i];
				continue;
			}
			for (int j = 0; o->names[j]; j++)
				if (!strcmp(o->names[j], a + 2))
					k = j;
			if (k < 0)
				return usage_error("%s: unknown option '%s'", o->cmd, a);
			if (o->val[k])
				return usage_error("%s: option %s given twice", o->cmd, a);
			if (i + 1 >= argc)
				return usage_error("%s: option %s needs a value", o->cmd, a);
			o->val[k] = argv[++i];
		} else if (o->pos_name && !o->pos) {
			o->pos = a;
		} else {
			return usage_error("%s: unexpected argument '%s'", o->cmd, a);
		}
	}
	if (o->pos_name && !o->pos)
		return usage_error("%s: %s is needed", o->cmd, o->pos_name);
	return 0;
}

static const char *opt(const opts *o, const char *name)
{
	for (int j = 0; o->names[j]; j++)
		if (!strcmp(o->names[j], name))
			return o->val[j];
	return NULL;
}

static bool flag(const opts *o, const char *name)
{
	for (int j = 0; o->flags[j]; j++)
		if (!strcmp(o->flags[j], name))
			return o->set[j];
	return false;
}

/* Checks that every named option was given; 0 or 2 after one line. */
static int need(const opts *o, const char *const *names)
{
	for (; *names; names++) {
		const char *v = opt(o, *names);
		if (!v)
			return usage_error("%s: --%s is needed", o->cmd, *names);
		if (!*v)
			return usage_error("%s: --%s is empty", o->cmd, *names);
	}
	return 0;
}

/* A decimal number in [min, max]; false after one line naming it. */
static bool number(const opts *o, const char *name, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s = opt(o, name);
	char *end;
	if (!s)
		return true;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *s == '-' || *s == '+' || *end || errno || v < min || v > max) {
		usage_error("%s: --%s '%s' is not a number from %" PRIu64 " to %" PRIu64, o->cmd, name, s, min, max);
		return false;
	}
	*out = v;
	return true;
}

/* 0 for success, 1 for what went wrong at run time, 2 for bad input. */
static int status_of(tt_err rc)
{
	return rc == TT_OK ? 0 : rc == TT_ERR_IO || rc == TT_ERR_NOMEM ? 1 : 2;
}

/* The admin screen's PIN, read from standard input (not the command line,
 * where ps and the shell history would keep it), as its Argon2id line. */
static int cmd_pin_hash(int argc, char **argv)
{
	(void)argv;
	if (argc > 0)
		return usage_error("pin-hash: takes no arguments; give the PIN on standard input");
	char pin[64] = "", hash[160];
	if (!fgets(pin, sizeof pin, stdin))
		return usage_error("pin-hash: no PIN on standard input");
	pin[strcspn(pin, "\r\n")] = '\0';
	if (!pin_valid(pin)) {
		sodium_memzero(pin, sizeof pin);
		return usage_error("pin-hash: a PIN is %d to %d digits", PIN_MIN_DIGITS, PIN_MAX_DIGITS);
	}
	tt_err rc = pin_hash(pin, hash, sizeof hash);
	sodium_memzero(pin, sizeof pin);
	if (rc != TT_OK) {
		fprintf(stderr, "tramtin-admin: pin-hash: %s\n", tt_strerror(rc));
		return 1;
	}
	printf("pin_hash = %s\n", hash);
	return 0;
}

static int cmd_keygen(int argc, char **argv)
{
	opts o = {.cmd = "keygen", .names = {"kind", "out"}};
	char err[1024], path[4096];
	size_t len;
	static const char *const req[] = {"kind", "out", NULL};
	if (parse(&o, argc, argv) || need(&o, req))
		return 2;
	tt_err rc = crypto_keygen(opt(&o, "kind"), opt(&o, "out"), err, sizeof err);
	if (rc != TT_OK) {
		int e = errno;
		usage_error("keygen: %s", err);
		return rc == TT_ERR_IO && e != EEXIST ? 1 : 2;
	}
	snprintf(path, sizeof path, "%s.pub", opt(&o, "out"));
	char *pub = admin_read_file(path, 1024, &len);
	while (pub && len && (pub[len - 1] == '\n' || pub[len - 1] == '\r'))
		pub[--len] = '\0';
	printf("wrote %s.key (secret: keep it off the broker and the kiosks) and %s: %s\n", opt(&o, "out"), path,
	       pub ? pub : "?");
	free(pub);
	return 0;
}

static int cmd_build(int argc, char **argv)
{
	opts o = {.cmd = "bundle build", .names = {"out", "channel", "version", "chunk"}, .pos_name = "SRC"};
	static const char *const req[] = {"out", "channel", NULL};
	char err[1024], path[4096], why[256];
	uint64_t version = 0, chunk = 0;
	bundle_manifest m;
	size_t len;
	if (parse(&o, argc, argv) || need(&o, req) || !number(&o, "version", 1, 9007199254740991ULL, &version) ||
	    !number(&o, "chunk", 1024, 16u << 20, &chunk))
		return 2;
	if (!bundle_channel_valid(opt(&o, "channel")))
		return usage_error("bundle build: --channel '%s' is not a channel (ht or ht/<commune>: a-z, 0-9, '-')",
		                   opt(&o, "channel"));
	snprintf(path, sizeof path, "%s/manifest.json", opt(&o, "out"));
	char *prev = version ? admin_read_file(path, BUNDLE_MANIFEST_MAX, &len) : NULL;
	if (prev && bundle_manifest_parse(prev, len, &m, why, sizeof why) == TT_OK) {
		if (m.version >= (int64_t)version)
			fprintf(stderr,
			        "tramtin-admin: warning: %s: version %" PRIu64
			        " is not higher than the previous build's %" PRId64
			        "; kiosks that have that one will not take this one\n",
			        path, version, m.version);
		bundle_manifest_free(&m);
	}
	free(prev);
	/* the first fault, in the one line below, is enough: the loader's
	 * warning for each would repeat it */
	tt_log_set_level(TT_LOG_ERROR);
	tt_err rc =
	    bundle_build(o.pos, opt(&o, "out"), opt(&o, "channel"), (int64_t)version, (uint32_t)chunk, err, sizeof err);
	tt_log_set_level(TT_LOG_WARN);
	if (rc != TT_OK) {
		usage_error("bundle build: %s", err);
		return status_of(rc);
	}
	char *json = admin_read_file(path, BUNDLE_MANIFEST_MAX, &len);
	if (!json || bundle_manifest_parse(json, len, &m, why, sizeof why) != TT_OK) {
		free(json);
		return usage_error("bundle build: %s: cannot read back what was written", path);
	}
	uint64_t bytes = 0;
	for (size_t i = 0; i < m.n_files; i++)
		bytes += m.files[i].size;
	printf("built %s: channel %s, version %" PRId64 ", %zu files, %" PRIu64 " bytes; sign it next\n",
	       opt(&o, "out"), m.channel, m.version, m.n_files, bytes);
	bundle_manifest_free(&m);
	free(json);
	return 0;
}

static int cmd_sign(int argc, char **argv)
{
	opts o = {.cmd = "bundle sign", .names = {"key"}, .pos_name = "DIR"};
	static const char *const req[] = {"key", NULL};
	char err[1024], pub[64];
	tt_sign_key key;
	if (parse(&o, argc, argv) || need(&o, req))
		return 2;
	const char *kpath = opt(&o, "key");
	tt_err rc = crypto_sign_key_load(kpath, &key);
	if (rc == TT_ERR_IO)
		return usage_error("bundle sign: %s: %s", kpath, tt_strerrno(errno));
	if (rc != TT_OK)
		return usage_error(
		    "bundle sign: %s: not a signing key (one line of base64 of 64 bytes, as keygen --kind sign "
		    "writes)",
		    kpath);
	rc = bundle_sign(o.pos, &key, err, sizeof err);
	b64_encode(key.pk, sizeof key.pk, pub, sizeof pub);
	crypto_wipe(&key, sizeof key);
	if (rc != TT_OK) {
		usage_error("bundle sign: %s", err);
		return status_of(rc);
	}
	printf("signed %s/manifest.json with the key whose public half is %s\n", o.pos, pub);
	return 0;
}

static bool mqtt_opts(const opts *o, admin_mqtt *mq)
{
	static const char *const req[] = {"host", "port", NULL};
	uint64_t port = 0;
	if (need(o, req) || !number(o, "port", 1, 65535, &port))
		return false;
	mq->host = opt(o, "host");
	mq->port = (int)port;
	mq->username = opt(o, "username");
	/* The environment keeps the password out of ps (a command line is
	 * world-readable in /proc, a process's environment is not). */
	mq->password = opt(o, "password");
	if (!mq->password && mq->username)
		mq->password = getenv("TRAMTIN_MQTT_PASSWORD"); /* NULL if unset */
	mq->tls_ca = opt(o, "tls-ca");
	if (mq->tls_ca && access(mq->tls_ca, R_OK) != 0) {
		usage_error("%s: --tls-ca %s: %s", o->cmd, mq->tls_ca, tt_strerrno(errno));
		return false;
	}
	if (mq->password && !mq->username) {
		usage_error("%s: --password needs --username", o->cmd);
		return false;
	}
	return true;
}

static int cmd_publish(int argc, char **argv)
{
	opts o = {.cmd = "bundle publish",
	          .names = {"host", "port", "username", "password", "tls-ca", "max-message"},
	          .pos_name = "DIR"};
	admin_mqtt mq;
	uint64_t max = ADMIN_MAX_MESSAGE_DEFAULT;
	if (parse(&o, argc, argv) || !mqtt_opts(&o, &mq) || !number(&o, "max-message", 1024, 268435455, &max))
		return 2;
	return admin_publish(o.pos, &mq, (size_t)max, NULL);
}

static int cmd_gc(int argc, char **argv)
{
	opts o = {.cmd = "bundle gc", .names = {"channel", "host", "port", "username", "password", "tls-ca"}};
	static const char *const req[] = {"channel", NULL};
	admin_mqtt mq;
	if (parse(&o, argc, argv) || need(&o, req) || !mqtt_opts(&o, &mq))
		return 2;
	if (!bundle_channel_valid(opt(&o, "channel")))
		return usage_error("bundle gc: --channel '%s' is not a channel (ht or ht/<commune>: a-z, 0-9, '-')",
		                   opt(&o, "channel"));
	return admin_gc(opt(&o, "channel"), &mq, NULL);
}

static int cmd_console(int argc, char **argv)
{
	opts o = {.cmd = "console",
	          .names = {"workdir", "key", "channel", "host", "port", "username", "password", "tls-ca", "bind",
	                    "http-port", "kiosk-size"}};
	static const char *const req[] = {"workdir", "key", "channel", NULL};
	console_opts c = {.bind = "127.0.0.1", .http_port = 8090, .kiosk_w = 1920, .kiosk_h = 1080};
	uint64_t port = 8090;
	if (parse(&o, argc, argv) || need(&o, req) || !mqtt_opts(&o, &c.mq) || !number(&o, "http-port", 0, 65535, &port))
		return 2;
	if (!bundle_channel_valid(opt(&o, "channel")))
		return usage_error("console: --channel '%s' is not a channel (ht or ht/<commune>: a-z, 0-9, '-')",
		                   opt(&o, "channel"));
	const char *size = opt(&o, "kiosk-size");
	if (size) {
		char x, extra;
		if (sscanf(size, "%d%c%d%c", &c.kiosk_w, &x, &c.kiosk_h, &extra) != 3 || (x != 'x' && x != 'X') ||
		    c.kiosk_w < 320 || c.kiosk_h < 320 || c.kiosk_w > 8192 || c.kiosk_h > 8192)
			return usage_error("console: --kiosk-size '%s' is not WxH (each 320 to 8192, e.g. 1920x1080)", size);
	}
	if (opt(&o, "bind"))
		c.bind = opt(&o, "bind");
	c.workdir = opt(&o, "workdir");
	c.key_path = opt(&o, "key");
	c.channel = opt(&o, "channel");
	c.http_port = (int)port;
	return admin_console(&c);
}

/* ---- announce, survey, cmd ------------------------------------------------- */

/* A TIME option: "YYYY-MM-DDTHH:MM:SSZ" (UTC) or "YYYY-MM-DD HH:MM" in
 * Vietnam time (clock_parse also takes an explicit offset); a date alone
 * is refused, since "--to 2026-12-01" could mean either end of that day.
 * False after one line naming it. */
static bool when(const opts *o, const char *name, bool *has, int64_t *out)
{
	const char *s = opt(o, name);
	*has = false;
	if (!s)
		return true;
	if (strlen(s) <= 10 || !clock_parse(s, CLOCK_TZ_VN_MIN, out)) {
		usage_error("%s: --%s '%s' is not a time (YYYY-MM-DDTHH:MM:SSZ in UTC, or \"YYYY-MM-DD HH:MM\" in "
		            "Vietnam time)",
		            o->cmd, name, s);
		return false;
	}
	*has = true;
	return true;
}

/* The options every message command has: key, target, ttl, the broker,
 * and (window) from and to.  0, or 2 after one line. */
static int msg_common(const opts *o, admin_msg *m, admin_mqtt *mq, bool window)
{
	static const char *const req[] = {"key", "target", NULL};
	uint64_t ttl = 0;
	if (need(o, req) || !number(o, "ttl", 1, 31536000, &ttl) || !mqtt_opts(o, mq))
		return 2;
	m->key_path = opt(o, "key");
	m->target = opt(o, "target");
	m->ttl = (int64_t)ttl;
	if (window && (!when(o, "from", &m->has_from, &m->from) || !when(o, "to", &m->has_to, &m->to)))
		return 2;
	return 0;
}

/* With --clear, none of names may be given; 0 or 2. */
static int clear_alone(const opts *o, const char *const *names)
{
	for (; *names; names++)
		if (opt(o, *names) || (!strcmp(*names, "answer") && o->n_multi))
			return usage_error("%s: --clear sends no message; --%s is not for it", o->cmd, *names);
	return 0;
}

/* An optional text option given empty is a mistake, not "absent". */
static int not_empty(const opts *o, const char *name)
{
	const char *v = opt(o, name);
	return v && !*v ? usage_error("%s: --%s is empty", o->cmd, name) : 0;
}

static int cmd_announce(int argc, char **argv)
{
	opts o = {.cmd = "announce",
	          .names = {"key", "target", "text-vi", "text-en", "from", "to", "ttl", "host", "port", "username",
	                    "password", "tls-ca"},
	          .flags = {"clear"}};
	static const char *const req[] = {"text-vi", NULL};
	static const char *const content[] = {"text-vi", "text-en", "from", "to", "ttl", NULL};
	admin_msg m = {.type = SIGNED_ANNOUNCE};
	admin_mqtt mq;
	if (parse(&o, argc, argv) || msg_common(&o, &m, &mq, true))
		return 2;
	m.clear = flag(&o, "clear");
	if (m.clear ? clear_alone(&o, content) : need(&o, req) || not_empty(&o, "text-en"))
		return 2;
	m.text[LANG_VI] = opt(&o, "text-vi");
	m.text[LANG_EN] = opt(&o, "text-en");
	return admin_message(&m, &mq, NULL);
}

static int cmd_survey(int argc, char **argv)
{
	opts o = {.cmd = "survey",
	          .names = {"key", "target", "question-vi", "question-en", "from", "to", "ttl", "host", "port",
	                    "username", "password", "tls-ca"},
	          .flags = {"clear"},
	          .multi = "answer"};
	static const char *const req[] = {"question-vi", NULL};
	static const char *const content[] = {"question-vi", "question-en", "answer", "from", "to", "ttl", NULL};
	admin_msg m = {.type = SIGNED_SURVEY};
	admin_mqtt mq;
	char *copy[SIGNED_MAX_ANSWERS] = {0};
	int status = 2;
	if (parse(&o, argc, argv) || msg_common(&o, &m, &mq, true))
		return 2;
	m.clear = flag(&o, "clear");
	if (m.clear) {
		if (clear_alone(&o, content))
			return 2;
		return admin_message(&m, &mq, NULL);
	}
	if (need(&o, req) || not_empty(&o, "question-en"))
		return 2;
	if (o.n_multi < 2 || o.n_multi > SIGNED_MAX_ANSWERS)
		return usage_error("survey: --answer given %d time%s; a survey has 2 to %d answers", o.n_multi,
		                   o.n_multi == 1 ? "" : "s", SIGNED_MAX_ANSWERS);
	m.text[LANG_VI] = opt(&o, "question-vi");
	m.text[LANG_EN] = opt(&o, "question-en");
	for (int i = 0; i < o.n_multi; i++) {
		if (!(copy[i] = strdup(o.multi_val[i]))) {
			fprintf(stderr, "tramtin-admin: survey: out of memory\n");
			status = 1;
			goto out;
		}
		char *bar = strchr(copy[i], '|');
		if (bar)
			*bar++ = '\0';
		if (!*copy[i] || (bar && !*bar)) {
			usage_error("survey: --answer '%s' has an empty %s (\"VI\" or \"VI|EN\")", o.multi_val[i],
			            *copy[i] ? "English after '|'" : "Vietnamese");
			goto out;
		}
		m.answers[i][LANG_VI] = copy[i];
		m.answers[i][LANG_EN] = bar;
	}
	m.n_answers = o.n_multi;
	status = admin_message(&m, &mq, NULL);
out:
	for (int i = 0; i < SIGNED_MAX_ANSWERS; i++)
		free(copy[i]);
	return status;
}

static int cmd_cmd(int argc, char **argv)
{
	opts o = {.cmd = "cmd", .names = {"key", "target", "cmd", "ttl", "host", "port", "username", "password", "tls-ca"}};
	static const char *const req[] = {"cmd", NULL};
	admin_msg m = {.type = SIGNED_CMD};
	admin_mqtt mq;
	if (parse(&o, argc, argv) || msg_common(&o, &m, &mq, false) || need(&o, req))
		return 2;
	if (!signed_cmd_parse(opt(&o, "cmd"), &m.cmd))
		return usage_error("cmd: --cmd '%s' is not sync, restart, screen-off or screen-on", opt(&o, "cmd"));
	return admin_message(&m, &mq, NULL);
}

/* A new kiosk: its broker account, its registration, its kiosk.ini. */
static int cmd_provision(int argc, char **argv)
{
	opts o = {.cmd = "provision",
	          .names = {"province", "commune", "passwd", "kiosks", "public-key", "host", "port", "tls-ca",
	                    "collector-key", "followup-url", "content-keys", "out"},
	          .pos_name = "KIOSK_ID"};
	static const char *const req[] = {"province", "commune", NULL};
	static const char *const files[] = {"passwd", "kiosks", "out", NULL};
	uint64_t port = 0;
	if (parse(&o, argc, argv) || need(&o, req) || !number(&o, "port", 1, 65535, &port))
		return 2;
	for (const char *const *f = files; *f; f++)
		if (not_empty(&o, *f))
			return 2;
	admin_provision_args a = {
	    .id = o.pos,
	    .province = opt(&o, "province"),
	    .commune = opt(&o, "commune"),
	    .passwd = opt(&o, "passwd"),
	    .kiosks = opt(&o, "kiosks"),
	    .public_key = opt(&o, "public-key"),
	    .host = opt(&o, "host"),
	    .port = port ? (int)port : opt(&o, "tls-ca") ? 8883 : 1883,
	    .tls_ca = opt(&o, "tls-ca"),
	    .collector_key = opt(&o, "collector-key"),
	    .followup_url = opt(&o, "followup-url"),
	    .content_keys = opt(&o, "content-keys"),
	    .out = opt(&o, "out"),
	};
	return admin_provision(&a);
}

int main(int argc, char **argv)
{
	tt_log_init("tramtin-admin", TT_LOG_WARN);
	if (argc < 2)
		return usage_error("a command is needed: keygen, bundle build|sign|publish|gc, announce, survey, cmd, "
		                   "console or provision (--help shows them)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("tramtin-admin %s\n", TT_VERSION);
		return 0;
	}
	if (crypto_init() != TT_OK) {
		fprintf(stderr, "tramtin-admin: libsodium did not initialise\n");
		return 1;
	}
	if (!strcmp(argv[1], "keygen"))
		return cmd_keygen(argc - 2, argv + 2);
	if (!strcmp(argv[1], "pin-hash"))
		return cmd_pin_hash(argc - 2, argv + 2);
	if (!strcmp(argv[1], "announce"))
		return cmd_announce(argc - 2, argv + 2);
	if (!strcmp(argv[1], "survey"))
		return cmd_survey(argc - 2, argv + 2);
	if (!strcmp(argv[1], "cmd"))
		return cmd_cmd(argc - 2, argv + 2);
	if (!strcmp(argv[1], "console"))
		return cmd_console(argc - 2, argv + 2);
	if (!strcmp(argv[1], "provision"))
		return cmd_provision(argc - 2, argv + 2);
	if (strcmp(argv[1], "bundle") != 0)
		return usage_error("unknown command '%s' (keygen, pin-hash, bundle build|sign|publish|gc, announce, survey, "
		                   "cmd, console or provision)",
		                   argv[1]);
	if (argc < 3)
		return usage_error("bundle: build, sign, publish or gc is needed");
	if (!strcmp(argv[2], "build"))
		return cmd_build(argc - 3, argv + 3);
	if (!strcmp(argv[2], "sign"))
		return cmd_sign(argc - 3, argv + 3);
	if (!strcmp(argv[2], "publish"))
		return cmd_publish(argc - 3, argv + 3);
	if (!strcmp(argv[2], "gc"))
		return cmd_gc(argc - 3, argv + 3);
	return usage_error("bundle: unknown command '%s' (build, sign, publish or gc)", argv[2]);
}
