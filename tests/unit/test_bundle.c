/* test_bundle.c - signed content bundles: building assets/content (files,
 * hashes as sha256sum sees them, versions), sources that must be refused,
 * signatures and the wire form, the kiosk's accept decision for each key
 * and channel, blob chunks in any order, install, rollback and clean-up,
 * and manifests whose file paths try to leave the bundle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tramtin/bundle.h"
#include "tramtin/crypto.h"
#include "tramtin/log.h"

static char src[1024]; /* the source tree */
static char tmpdir[64];
static char dir[256]; /* a fresh folder per test */
static int counter;

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tt-bundle-XXXXXX");
	if (!mkdtemp(tmpdir) || crypto_init() != TT_OK)
		return -1;
	setenv("TRAMTIN_NOW", "2026-11-27T09:00:00+07:00", 1);
	tt_log_init("test_bundle", TT_LOG_ERROR);
	return 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int fresh(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s/t%d", tmpdir, ++counter);
	return mkdir(dir, 0755);
}

static void run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return data;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Parses dir/manifest.json (must succeed). */
static void load_manifest(const char *bdir, bundle_manifest *m)
{
	char path[512], why[256] = "";
	size_t len;
	snprintf(path, sizeof path, "%s/manifest.json", bdir);
	char *json = slurp(path, &len);
	assert_non_null(json);
	if (bundle_manifest_parse(json, len, m, why, sizeof why) != TT_OK)
		fail_msg("%s: %s", path, why);
	free(json);
}

static void build_ok(const char *from, const char *out, const char *channel, int64_t version)
{
	char err[512] = "";
	if (bundle_build(from, out, channel, version, 0, err, sizeof err) != TT_OK)
		fail_msg("build %s: %s", from, err);
}

static void keygen(const char *prefix, tt_sign_key *key)
{
	char path[512], err[256] = "";
	if (crypto_keygen("sign", prefix, err, sizeof err) != TT_OK)
		fail_msg("keygen: %s", err);
	snprintf(path, sizeof path, "%s.key", prefix);
	assert_int_equal(crypto_sign_key_load(path, key), TT_OK);
}

static void b64pk(const tt_sign_key *key, char *out, size_t n)
{
	assert_non_null(b64_encode(key->pk, sizeof key->pk, out, n));
}

/* ---- build ------------------------------------------------------------- */

static void default_content_builds(void **state)
{
	(void)state;
	char from[1100], out[300], path[1400], cmd[1500], line[128];
	snprintf(from, sizeof from, "%s/assets/content", src);
	snprintf(out, sizeof out, "%s/out", dir);
	build_ok(from, out, "ht", 1);

	bundle_manifest m;
	load_manifest(out, &m);
	assert_string_equal(m.channel, "ht");
	assert_int_equal(m.version, 1);
	assert_int_equal(m.chunk, BUNDLE_CHUNK_DEFAULT);
	assert_int_equal(m.created, 1795744800); /* 2026-11-27T02:00:00Z, TRAMTIN_NOW */
	assert_non_null(strstr(m.json, "\"created\":\t\"2026-11-27T02:00:00Z\""));
	/* the source's other fields are kept */
	assert_non_null(strstr(m.json, "\"id\":\t\"tramtin-default\""));
	assert_non_null(strstr(m.json, "\"sample\":\ttrue"));
	/* 17 pages x 2 languages, 6 covers and 3 images only named in Markdown */
	assert_int_equal(m.n_files, 34 + 9);
	bool embedded = false;
	for (size_t i = 0; i < m.n_files; i++) {
		const bundle_file *f = &m.files[i];
		embedded |= !strcmp(f->path, "images/chuan-ngheo.png");
		snprintf(cmd, sizeof cmd, "sha256sum '%s/%s'", from, f->path);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(line, sizeof line, p));
		pclose(p);
		line[64] = '\0';
		if (strcmp(line, f->sha256) != 0)
			fail_msg("%s: sha256 %s, sha256sum says %s", f->path, f->sha256, line);
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", out, f->path);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal((uint64_t)st.st_size, f->size);
		if (i)
			assert_true(strcmp(m.files[i - 1].path, f->path) < 0);
	}
	assert_true(embedded);
	snprintf(path, sizeof path, "%s/README.md", out);
	assert_false(exists(path)); /* not referenced, not copied */
	snprintf(path, sizeof path, "%s.tmp", out);
	assert_false(exists(path));
	bundle_manifest_free(&m);
	bundle_manifest_free(&m); /* harmless on an empty one */
}

static void version_counts_up(void **state)
{
	(void)state;
	char from[1100], out[300], err[512];
	snprintf(from, sizeof from, "%s/assets/content", src);
	snprintf(out, sizeof out, "%s/out", dir);
	bundle_manifest m;
	mkdir(out, 0755); /* an empty folder is fine */
	build_ok(from, out, "ht/camxuyen", 0);
	load_manifest(out, &m);
	assert_int_equal(m.version, 1);
	assert_string_equal(m.channel, "ht/camxuyen");
	bundle_manifest_free(&m);
	build_ok(from, out, "ht/camxuyen", 0);
	load_manifest(out, &m);
	assert_int_equal(m.version, 2);
	bundle_manifest_free(&m);
	build_ok(from, out, "ht/camxuyen", 7);
	build_ok(from, out, "ht/camxuyen", 0);
	load_manifest(out, &m);
	assert_int_equal(m.version, 8);
	bundle_manifest_free(&m);

	/* a folder holding something else is never overwritten */
	char other[300], path[400];
	snprintf(other, sizeof other, "%s/other", dir);
	mkdir(other, 0755);
	snprintf(path, sizeof path, "%s/notes.txt", other);
	spit(path, "mine\n");
	assert_int_equal(bundle_build(from, other, "ht", 0, 0, err, sizeof err), TT_ERR_INVAL);
	assert_non_null(strstr(err, other));
	assert_true(exists(path));
	/* bad arguments */
	assert_int_equal(bundle_build(from, out, "HT", 0, 0, err, sizeof err), TT_ERR_INVAL);
	assert_non_null(strstr(err, "HT"));
	assert_int_equal(bundle_build(from, out, "ht/a/b", 0, 0, err, sizeof err), TT_ERR_INVAL);
	assert_int_equal(bundle_build(from, out, "ht", 0, 100, err, sizeof err), TT_ERR_RANGE);
	assert_int_equal(bundle_build(from, from, "ht", 0, 0, err, sizeof err), TT_ERR_INVAL);
}

/* A small source: page a (links to b) and page b, each in two languages. */
static void small_source(const char *s, const char *links, const char *body_b)
{
	char path[600], manifest[2048];
	snprintf(path, sizeof path, "%s/pages", s);
	mkdir(s, 0755);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/images", s);
	mkdir(path, 0755);
	snprintf(
	    manifest, sizeof manifest,
	    "{\"format\": 1, \"id\": \"small\", \"channel\": \"default\", \"version\": 4, \"sample\": false,\n"
	    " \"categories\": [{\"id\": \"c\", \"title\": {\"vi\": \"C\"}}],\n"
	    " \"pages\": [\n"
	    "  {\"id\": \"a\", \"type\": \"policy\", \"category\": \"c\", \"title\": {\"vi\": \"A\", \"en\": \"A\"},\n"
	    "   \"body\": {\"vi\": \"pages/a.vi.md\", \"en\": \"pages/a.en.md\"}, \"links\": [%s]},\n"
	    "  {\"id\": \"b\", \"type\": \"campaign\", \"title\": {\"vi\": \"B\"}, \"image\": \"images/b.png\",\n"
	    "   \"body\": {\"vi\": \"%s\"}}\n"
	    " ]}\n",
	    links, body_b);
	snprintf(path, sizeof path, "%s/manifest.json", s);
	spit(path, manifest);
	snprintf(path, sizeof path, "%s/pages/a.vi.md", s);
	spit(path, "# A\n\nMột.\n\n![Hình](../images/in-a.png)\n");
	snprintf(path, sizeof path, "%s/pages/a.en.md", s);
	spit(path, "# A\n\nOne.\n");
	snprintf(path, sizeof path, "%s/pages/b.vi.md", s);
	spit(path, "# B\n\nHai.\n");
	snprintf(path, sizeof path, "%s/images/b.png", s);
	spit(path, "not really a png\n");
	snprintf(path, sizeof path, "%s/images/in-a.png", s);
	spit(path, "");
}

static void bad_sources_are_refused(void **state)
{
	(void)state;
	char s[300], out[300], err[512], path[600];
	bundle_manifest m;
	snprintf(s, sizeof s, "%s/src", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	small_source(s, "\"b\"", "pages/b.vi.md");
	build_ok(s, out, "ht", 0);
	load_manifest(out, &m);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.n_files, 5);
	/* the empty image embedded in page a: size 0, the hash of nothing */
	assert_string_equal(m.files[1].path, "images/in-a.png");
	assert_int_equal(m.files[1].size, 0);
	bundle_manifest_free(&m);

	/* a link to a page that is not in the bundle */
	small_source(s, "\"b\", \"nowhere\"", "pages/b.vi.md");
	assert_int_equal(bundle_build(s, out, "ht", 0, 0, err, sizeof err), TT_ERR_PARSE);
	assert_non_null(strstr(err, "'nowhere'"));
	assert_non_null(strstr(err, "page 'a'"));
	/* the failed build left the previous one in place */
	load_manifest(out, &m);
	assert_int_equal(m.version, 1);
	bundle_manifest_free(&m);
	snprintf(path, sizeof path, "%s.tmp", out);
	assert_false(exists(path));

	/* a page file that does not exist */
	small_source(s, "\"b\"", "pages/gone.vi.md");
	tt_log_set_level(TT_LOG_QUIET);
	assert_int_equal(bundle_build(s, out, "ht", 0, 0, err, sizeof err), TT_ERR_PARSE);
	assert_non_null(strstr(err, "pages/gone.vi.md"));
	/* an image named only in the Markdown that does not exist */
	small_source(s, "\"b\"", "pages/b.vi.md");
	snprintf(path, sizeof path, "%s/images/in-a.png", s);
	unlink(path);
	assert_int_equal(bundle_build(s, out, "ht", 0, 0, err, sizeof err), TT_ERR_NOTFOUND);
	assert_non_null(strstr(err, "images/in-a.png"));
	/* a page body that is not UTF-8 does not render */
	small_source(s, "\"b\"", "pages/b.vi.md");
	snprintf(path, sizeof path, "%s/pages/a.en.md", s);
	spit(path, "# A\n\n\xff\xfe\n");
	assert_int_equal(bundle_build(s, out, "ht", 0, 0, err, sizeof err), TT_ERR_PARSE);
	assert_non_null(strstr(err, "pages/a.en.md"));
	/* a body that leaves the source folder */
	small_source(s, "\"b\"", "../outside.md");
	assert_int_equal(bundle_build(s, out, "ht", 0, 0, err, sizeof err), TT_ERR_PARSE);
	assert_non_null(strstr(err, "outside.md"));
	tt_log_set_level(TT_LOG_ERROR);
	/* a missing source */
	snprintf(path, sizeof path, "%s/none", dir);
	assert_int_not_equal(bundle_build(path, out, "ht", 0, 0, err, sizeof err), TT_OK);
	assert_non_null(strstr(err, path));
	load_manifest(out, &m);
	assert_int_equal(m.version, 1);
	bundle_manifest_free(&m);
}

/* ---- signatures and the wire -------------------------------------------- */

static void sign_and_verify(void **state)
{
	(void)state;
	char s[300], out[300], err[512], path[600], prefix[300];
	tt_sign_key key;
	unsigned char sig[64];
	size_t len;
	snprintf(s, sizeof s, "%s/src", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	snprintf(prefix, sizeof prefix, "%s/staff", dir);
	small_source(s, "\"b\"", "pages/b.vi.md");
	build_ok(s, out, "ht", 3);
	keygen(prefix, &key);
	if (bundle_sign(out, &key, err, sizeof err) != TT_OK)
		fail_msg("sign: %s", err);
	snprintf(path, sizeof path, "%s/manifest.sig", out);
	char *line = slurp(path, NULL);
	assert_non_null(line);
	assert_int_equal(strlen(line), 89); /* 88 base64 + '\n' */
	line[88] = '\0';
	assert_int_equal(b64_decode(line, sig, sizeof sig, 64, NULL), TT_OK);
	free(line);
	snprintf(path, sizeof path, "%s/manifest.json", out);
	char *json = slurp(path, &len);
	assert_true(bundle_verify_bytes(json, len, sig, key.pk));
	/* the prefix is part of what is signed */
	unsigned char raw[64];
	crypto_sign_detached(raw, NULL, (const unsigned char *)json, len, key.sk);
	assert_false(bundle_verify_bytes(json, len, raw, key.pk));
	/* one byte changed, or another key: no */
	json[len / 2] ^= 1;
	assert_false(bundle_verify_bytes(json, len, sig, key.pk));
	json[len / 2] ^= 1;
	tt_sign_key other;
	snprintf(prefix, sizeof prefix, "%s/other", dir);
	keygen(prefix, &other);
	assert_false(bundle_verify_bytes(json, len, sig, other.pk));
	free(json);

	/* a file changed after the build is not signed */
	snprintf(path, sizeof path, "%s/pages/b.vi.md", out);
	spit(path, "# B\n\nđổi.\n");
	assert_int_equal(bundle_sign(out, &key, err, sizeof err), TT_ERR_PARSE);
	assert_non_null(strstr(err, "pages/b.vi.md"));
	/* nor a source folder */
	assert_int_equal(bundle_sign(s, &key, err, sizeof err), TT_ERR_PARSE);
	assert_non_null(strstr(err, "manifest.json"));
}

static void wire_round_trip(void **state)
{
	(void)state;
	const char *json = "{\"channel\":\"ht\",\"text\":\"Hà Tĩnh\"}\n";
	unsigned char sig[64], back[64];
	char *out = NULL, why[256];
	size_t len;
	for (int i = 0; i < 64; i++)
		sig[i] = (unsigned char)(i * 7);
	char *wire = bundle_wire_encode(json, strlen(json), sig);
	assert_non_null(wire);
	assert_int_equal(strncmp(wire, "{\"v\":1,\"manifest\":\"", 19), 0);
	assert_int_equal(bundle_wire_decode(wire, strlen(wire), &out, &len, back, why, sizeof why), TT_OK);
	assert_int_equal(len, strlen(json));
	assert_memory_equal(out, json, len);
	assert_memory_equal(back, sig, 64);
	free(out);
	free(wire);
	const char *bad[] = {"",
	                     "not json",
	                     "[]",
	                     "{\"v\":2,\"manifest\":\"\",\"sig\":\"\"}",
	                     "{\"v\":1,\"manifest\":\"e30=\"}",
	                     "{\"v\":1,\"manifest\":\"%%%\",\"sig\":\"AAAA\"}",
	                     "{\"v\":1,\"manifest\":\"e30=\",\"sig\":\"AAAA\"}"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		why[0] = '\0';
		assert_int_not_equal(bundle_wire_decode(bad[i], strlen(bad[i]), &out, &len, back, why, sizeof why),
		                     TT_OK);
		assert_null(out);
		assert_true(strlen(why) > 0);
	}
}

static char *manifest_text(const char *channel, int64_t version, const char *files)
{
	char *t = malloc(4096);
	assert_non_null(t);
	snprintf(
	    t, 4096,
	    "{\"format\":1,\"channel\":\"%s\",\"version\":%lld,\"created\":\"2026-11-27T02:00:00Z\",\"chunk\":1024,"
	    "\"files\":[%s],\"pages\":[]}",
	    channel, (long long)version, files ? files : "");
	return t;
}

static char *signed_wire(const char *channel, int64_t version, const tt_sign_key *key)
{
	unsigned char sig[64];
	char *json = manifest_text(channel, version, NULL);
	bundle_sign_bytes(json, strlen(json), key, sig);
	char *wire = bundle_wire_encode(json, strlen(json), sig);
	free(json);
	assert_non_null(wire);
	return wire;
}

static void accept_decides(void **state)
{
	(void)state;
	tt_sign_key prov, comm, stranger;
	char prefix[300], kp[64], kc[64], trust[512], why[256];
	bundle_manifest m;
	snprintf(prefix, sizeof prefix, "%s/prov", dir);
	keygen(prefix, &prov);
	snprintf(prefix, sizeof prefix, "%s/comm", dir);
	keygen(prefix, &comm);
	snprintf(prefix, sizeof prefix, "%s/stranger", dir);
	keygen(prefix, &stranger);
	b64pk(&prov, kp, sizeof kp);
	b64pk(&comm, kc, sizeof kc);
	snprintf(trust, sizeof trust, "ht=%s  ht/camxuyen=%s", kp, kc);

	char *w = signed_wire("ht", 5, &prov);
	assert_int_equal(bundle_accept(w, strlen(w), trust, "ht", 4, &m, why, sizeof why), TT_OK);
	assert_int_equal(m.version, 5);
	assert_string_equal(m.channel, "ht");
	bundle_manifest_free(&m);
	/* equal or older */
	assert_int_equal(bundle_accept(w, strlen(w), trust, "ht", 5, &m, why, sizeof why), TT_ERR_STATE);
	assert_string_equal(why, "version 5 is not newer than 5");
	assert_null(m.json);
	assert_int_equal(bundle_accept(w, strlen(w), trust, "ht", 9, &m, why, sizeof why), TT_ERR_STATE);
	assert_string_equal(why, "version 5 is not newer than 9");
	/* arrived on another channel's topic */
	assert_int_equal(bundle_accept(w, strlen(w), trust, "ht/camxuyen", 0, &m, why, sizeof why), TT_ERR_INVAL);
	assert_non_null(strstr(why, "channel ht of the manifest"));
	free(w);

	/* a key nobody trusts */
	w = signed_wire("ht", 5, &stranger);
	assert_int_equal(bundle_accept(w, strlen(w), trust, "ht", 0, &m, why, sizeof why), TT_ERR_CRYPTO);
	assert_non_null(strstr(why, "signature"));
	free(w);
	/* a commune's key cannot sign for the province ... */
	w = signed_wire("ht", 5, &comm);
	assert_int_equal(bundle_accept(w, strlen(w), trust, "ht", 0, &m, why, sizeof why), TT_ERR_CRYPTO);
	assert_non_null(strstr(why, "signature"));
	char only_comm[128];
	snprintf(only_comm, sizeof only_comm, "ht/camxuyen=%s", kc);
	assert_int_equal(bundle_accept(w, strlen(w), only_comm, "ht", 0, &m, why, sizeof why), TT_ERR_CRYPTO);
	assert_non_null(strstr(why, "no key"));
	free(w);
	/* ... nor the province's for a commune */
	w = signed_wire("ht/camxuyen", 2, &prov);
	assert_int_equal(bundle_accept(w, strlen(w), trust, "ht/camxuyen", 0, &m, why, sizeof why), TT_ERR_CRYPTO);
	free(w);
	w = signed_wire("ht/camxuyen", 2, &comm);
	assert_int_equal(bundle_accept(w, strlen(w), trust, "ht/camxuyen", 1, &m, why, sizeof why), TT_OK);
	bundle_manifest_free(&m);
	/* malformed trust entries are skipped, the good one still counts;
	 * several keys per channel */
	char messy[512];
	snprintf(messy, sizeof messy, "garbage ht=notbase64 HT=%s ht/camxuyen=%s\tht/camxuyen=%s", kc, kp, kc);
	assert_int_equal(bundle_accept(w, strlen(w), messy, "ht/camxuyen", 1, &m, why, sizeof why), TT_OK);
	bundle_manifest_free(&m);
	assert_int_equal(bundle_accept(w, strlen(w), "", "ht/camxuyen", 1, &m, why, sizeof why), TT_ERR_CRYPTO);
	assert_int_equal(bundle_accept(w, strlen(w), NULL, "ht/camxuyen", 1, &m, why, sizeof why), TT_ERR_CRYPTO);
	/* the signed bytes are exactly the manifest: a changed one fails */
	char *json = NULL;
	size_t jlen;
	unsigned char sig[64];
	assert_int_equal(bundle_wire_decode(w, strlen(w), &json, &jlen, sig, why, sizeof why), TT_OK);
	char *v9 = strstr(json, "\"version\":2");
	assert_non_null(v9);
	v9[10] = '9';
	char *forged = bundle_wire_encode(json, jlen, sig);
	assert_int_equal(bundle_accept(forged, strlen(forged), trust, "ht/camxuyen", 1, &m, why, sizeof why),
	                 TT_ERR_CRYPTO);
	free(forged);
	free(json);
	free(w);
	/* garbage */
	const char *junk = "\x01\x02garbage{";
	assert_int_equal(bundle_accept(junk, strlen(junk), trust, "ht", 0, &m, why, sizeof why), TT_ERR_PARSE);
	assert_non_null(strstr(why, "payload"));
	assert_int_equal(bundle_accept(junk, 0, trust, "ht", 0, &m, why, sizeof why), TT_ERR_PARSE);
	/* a signed payload whose manifest is not a bundle manifest */
	unsigned char zsig[64];
	const char *notm = "{\"hello\":1}";
	bundle_sign_bytes(notm, strlen(notm), &prov, zsig);
	w = bundle_wire_encode(notm, strlen(notm), zsig);
	assert_int_equal(bundle_accept(w, strlen(w), trust, "ht", 0, &m, why, sizeof why), TT_ERR_PARSE);
	assert_non_null(strstr(why, "channel"));
	free(w);
}

/* ---- manifest checks ---------------------------------------------------- */

static void manifest_paths_stay_inside(void **state)
{
	(void)state;
	const char *sha = "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";
	const char *bad[] = {
	    "../etc/passwd", "/etc/passwd",  "pages/../../x", "a//b",        "a/./b",     "a\\\\b", "", "a/",
	    "manifest.json", "manifest.sig", "a/\\u0000/b",   "x\\u0000.md", "tab\\there"};
	char files[1024], why[256];
	bundle_manifest m;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(files, sizeof files, "{\"path\":\"%s\",\"sha256\":\"%s\",\"size\":4}", bad[i], sha);
		char *t = manifest_text("ht", 1, files);
		why[0] = '\0';
		if (bundle_manifest_parse(t, strlen(t), &m, why, sizeof why) == TT_OK)
			fail_msg("path '%s' was accepted", bad[i]);
		assert_true(strlen(why) > 0);
		assert_null(m.files);
		free(t);
	}
	/* fine, and the same path twice or as a folder is not */
	snprintf(
	    files, sizeof files,
	    "{\"path\":\"pages/a.md\",\"sha256\":\"%s\",\"size\":4},{\"path\":\"p/a.md\",\"sha256\":\"%s\",\"size\":4}",
	    sha, sha);
	char *t = manifest_text("ht", 1, files);
	assert_int_equal(bundle_manifest_parse(t, strlen(t), &m, why, sizeof why), TT_OK);
	assert_int_equal(m.n_files, 2);
	assert_int_equal(m.chunk, 1024);
	assert_int_equal(m.len, strlen(t));
	assert_string_equal(m.json, t);
	bundle_manifest_free(&m);
	free(t);
	const char *clash[] = {"\"a.md\",\"a.md\"", "\"p\",\"p/a.md\"", "\"p/a.md\",\"p\""};
	for (size_t i = 0; i < 3; i++) {
		char one[64], two[64];
		sscanf(clash[i], "%63[^,],%63s", one, two);
		snprintf(files, sizeof files,
		         "{\"path\":%s,\"sha256\":\"%s\",\"size\":4},{\"path\":%s,\"sha256\":\"%s\",\"size\":4}", one,
		         sha, two, sha);
		t = manifest_text("ht", 1, files);
		assert_int_equal(bundle_manifest_parse(t, strlen(t), &m, why, sizeof why), TT_ERR_PARSE);
		assert_non_null(strstr(why, "twice"));
		free(t);
	}
	/* sha256, size, channel, version, chunk */
	const char *fields[] = {
	    "{\"path\":\"a\",\"sha256\":\"B5BB9D8014A0F9B1D61E21E796D78DCCDF1352F23CD32812F4850B878AE4944C\",\"size\":"
	    "4}",
	    "{\"path\":\"a\",\"sha256\":\"b5bb\",\"size\":4}",
	    "{\"path\":\"a\",\"sha256\":\"b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c\",\"size\":-"
	    "1}",
	    "{\"path\":\"a\",\"sha256\":\"b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c\",\"size\":"
	    "1.5}",
	    "{\"path\":\"a\",\"sha256\":\"b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c\",\"size\":"
	    "2e9}",
	    "{\"path\":\"a\",\"sha256\":\"b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c\",\"size\":"
	    "0}",
	    "{\"path\":7,\"sha256\":\"b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c\",\"size\":1}",
	};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		t = manifest_text("ht", 1, fields[i]);
		if (bundle_manifest_parse(t, strlen(t), &m, why, sizeof why) == TT_OK)
			fail_msg("file entry %s was accepted", fields[i]);
		free(t);
	}
	t = manifest_text("ht/Cam", 1, NULL);
	assert_int_equal(bundle_manifest_parse(t, strlen(t), &m, why, sizeof why), TT_ERR_PARSE);
	assert_non_null(strstr(why, "channel"));
	free(t);
	t = manifest_text("ht", 0, NULL);
	assert_int_equal(bundle_manifest_parse(t, strlen(t), &m, why, sizeof why), TT_ERR_PARSE);
	assert_non_null(strstr(why, "version"));
	free(t);
	const char *nochunk =
	    "{\"channel\":\"ht\",\"version\":1,\"created\":\"2026-11-27T02:00:00Z\",\"chunk\":512,\"files\":[]}";
	assert_int_equal(bundle_manifest_parse(nochunk, strlen(nochunk), &m, why, sizeof why), TT_ERR_PARSE);
	assert_non_null(strstr(why, "chunk"));

	assert_true(bundle_channel_valid("ht"));
	assert_true(bundle_channel_valid("ht/cam-xuyen-2"));
	assert_false(bundle_channel_valid("ht/"));
	assert_false(bundle_channel_valid("/ht"));
	assert_false(bundle_channel_valid("ht/a/b"));
	assert_false(bundle_channel_valid("h_t"));
	assert_false(bundle_channel_valid("abcdefghijabcdefghijabcdefghijab")); /* 32 */
	assert_false(bundle_channel_valid(NULL));
	char root[64];
	assert_int_equal(bundle_topic_root("ht/camxuyen", root, sizeof root), TT_OK);
	assert_string_equal(root, "tramtin/v1/ht/camxuyen/content");
	assert_int_equal(bundle_topic_root("ht", root, sizeof root), TT_OK);
	assert_string_equal(root, "tramtin/v1/ht/content");
	assert_int_equal(bundle_topic_root("ht", root, 8), TT_ERR_RANGE);
	assert_int_equal(bundle_topic_root("h t", root, sizeof root), TT_ERR_INVAL);
}

/* ---- blobs, install ----------------------------------------------------- */

static void sha_hex(const unsigned char *data, size_t len, char hex[65])
{
	unsigned char d[32];
	crypto_hash_sha256(d, data, len);
	sodium_bin2hex(hex, 65, d, sizeof d);
}

static void blob_chunks_any_order(void **state)
{
	(void)state;
	char blobs[300], hex[65], path[512], why[256];
	unsigned char data[3000];
	snprintf(blobs, sizeof blobs, "%s/blobs", dir); /* made on the first chunk */
	randombytes_buf(data, sizeof data);
	sha_hex(data, sizeof data, hex);
	assert_int_equal(bundle_chunks(3000, 1024), 3);
	assert_int_equal(bundle_chunks(3072, 1024), 3);
	assert_int_equal(bundle_chunks(0, 1024), 1);
	assert_int_equal(bundle_chunks(1, 1024), 1);
	const uint32_t order[] = {2, 0, 1};
	for (int i = 0; i < 3; i++) {
		uint32_t n = order[i];
		size_t len = n == 2 ? 3000 - 2048 : 1024;
		if (bundle_blob_chunk(blobs, hex, 3000, 1024, n, data + n * 1024, len, why, sizeof why) != TT_OK)
			fail_msg("chunk %u: %s", n, why);
	}
	/* out of range and wrong lengths */
	assert_int_equal(bundle_blob_chunk(blobs, hex, 3000, 1024, 3, data, 1024, why, sizeof why), TT_ERR_RANGE);
	assert_int_equal(bundle_blob_chunk(blobs, hex, 3000, 1024, 1, data, 1000, why, sizeof why), TT_ERR_PARSE);
	assert_int_equal(bundle_blob_chunk(blobs, hex, 3000, 1024, 2, data, 1024, why, sizeof why), TT_ERR_PARSE);
	assert_int_equal(bundle_blob_chunk(blobs, "../../etc/passwd", 3000, 1024, 0, data, 1024, why, sizeof why),
	                 TT_ERR_INVAL);
	if (bundle_blob_finish(blobs, hex, 3000, why, sizeof why) != TT_OK)
		fail_msg("finish: %s", why);
	snprintf(path, sizeof path, "%s/%s", blobs, hex);
	size_t len;
	char *back = slurp(path, &len);
	assert_int_equal(len, 3000);
	assert_memory_equal(back, data, 3000);
	free(back);
	snprintf(path, sizeof path, "%s/%s.part", blobs, hex);
	assert_false(exists(path));

	/* wrong data: finish refuses and the .part is gone */
	unsigned char other[2000];
	char ohex[65];
	randombytes_buf(other, sizeof other);
	sha_hex(other, sizeof other, ohex);
	other[5] ^= 0x40;
	assert_int_equal(bundle_blob_chunk(blobs, ohex, 2000, 1024, 1, other + 1024, 976, why, sizeof why), TT_OK);
	assert_int_equal(bundle_blob_chunk(blobs, ohex, 2000, 1024, 0, other, 1024, why, sizeof why), TT_OK);
	assert_int_equal(bundle_blob_finish(blobs, ohex, 2000, why, sizeof why), TT_ERR_PARSE);
	assert_non_null(strstr(why, ohex));
	snprintf(path, sizeof path, "%s/%s.part", blobs, ohex);
	assert_false(exists(path));
	snprintf(path, sizeof path, "%s/%s", blobs, ohex);
	assert_false(exists(path));
	/* a missing chunk: the size is short, refused likewise */
	other[5] ^= 0x40;
	assert_int_equal(bundle_blob_chunk(blobs, ohex, 2000, 1024, 0, other, 1024, why, sizeof why), TT_OK);
	assert_int_equal(bundle_blob_finish(blobs, ohex, 2000, why, sizeof why), TT_ERR_PARSE);
	assert_int_equal(bundle_blob_finish(blobs, ohex, 2000, why, sizeof why), TT_ERR_NOTFOUND);
	/* a zero-size file: one empty chunk */
	char ehex[65];
	sha_hex((const unsigned char *)"", 0, ehex);
	assert_int_equal(bundle_blob_chunk(blobs, ehex, 0, 1024, 0, NULL, 0, why, sizeof why), TT_OK);
	assert_int_equal(bundle_blob_finish(blobs, ehex, 0, why, sizeof why), TT_OK);
}

static void missing_lists_each_hash_once(void **state)
{
	(void)state;
	char blobs[300], files[2048], path[512], why[256];
	char h[3][65];
	const char *body[3] = {"one\n", "two\n", "three\n"};
	for (int i = 0; i < 3; i++)
		sha_hex((const unsigned char *)body[i], strlen(body[i]), h[i]);
	snprintf(files, sizeof files,
	         "{\"path\":\"a\",\"sha256\":\"%s\",\"size\":4},{\"path\":\"b\",\"sha256\":\"%s\",\"size\":4},"
	         "{\"path\":\"c\",\"sha256\":\"%s\",\"size\":4},{\"path\":\"d\",\"sha256\":\"%s\",\"size\":6},"
	         "{\"path\":\"e\",\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
	         "\"size\":0}",
	         h[0], h[1], h[0], h[2]);
	char *t = manifest_text("ht", 1, files);
	bundle_manifest m;
	assert_int_equal(bundle_manifest_parse(t, strlen(t), &m, why, sizeof why), TT_OK);
	free(t);
	snprintf(blobs, sizeof blobs, "%s/blobs", dir);
	mkdir(blobs, 0755);
	size_t missing[5];
	assert_int_equal(bundle_missing(&m, blobs, missing), 3);
	assert_int_equal(missing[0], 0);
	assert_int_equal(missing[1], 1);
	assert_int_equal(missing[2], 3);
	snprintf(path, sizeof path, "%s/%s", blobs, h[1]);
	spit(path, body[1]);
	snprintf(path, sizeof path, "%s/%s.part", blobs, h[0]); /* in progress: still missing */
	spit(path, body[0]);
	assert_int_equal(bundle_missing(&m, blobs, missing), 2);
	assert_int_equal(missing[0], 0);
	assert_int_equal(missing[1], 3);
	bundle_manifest_free(&m);
}

/* Puts every file of the built bundle in out into blobs/, as a kiosk would
 * have fetched them, and returns the parsed manifest and its signature. */
static void as_fetched(const char *out, const char *blobs, bundle_manifest *m, unsigned char sig[64])
{
	char path[600];
	load_manifest(out, m);
	mkdir(blobs, 0755);
	for (size_t i = 0; i < m->n_files; i++)
		run("cp '%s/%s' '%s/%s'", out, m->files[i].path, blobs, m->files[i].sha256);
	snprintf(path, sizeof path, "%s/manifest.sig", out);
	char *line = slurp(path, NULL);
	assert_non_null(line);
	line[88] = '\0';
	assert_int_equal(b64_decode(line, sig, 64, 64, NULL), TT_OK);
	free(line);
}

static void install_keeps_one_previous(void **state)
{
	(void)state;
	char s[300], out[300], blobs[300], root[300], prefix[300], cur[600], path[700], why[256];
	unsigned char sig[64];
	tt_sign_key key;
	bundle_manifest m;
	int64_t v = 0;
	snprintf(s, sizeof s, "%s/src", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	snprintf(blobs, sizeof blobs, "%s/blobs", dir);
	snprintf(root, sizeof root, "%s/state/content", dir);
	snprintf(prefix, sizeof prefix, "%s/key", dir);
	keygen(prefix, &key);
	small_source(s, "\"b\"", "pages/b.vi.md");
	assert_int_equal(bundle_current(root, "ht/camxuyen", cur, sizeof cur, &v), TT_ERR_NOTFOUND);

	for (int version = 1; version <= 3; version++) {
		char err[256];
		build_ok(s, out, "ht/camxuyen", 0);
		assert_int_equal(bundle_sign(out, &key, err, sizeof err), TT_OK);
		as_fetched(out, blobs, &m, sig);
		assert_int_equal(m.version, version);
		size_t missing[8];
		assert_int_equal(bundle_missing(&m, blobs, missing), 0);
		if (bundle_install(root, blobs, &m, sig, why, sizeof why) != TT_OK)
			fail_msg("install v%d: %s", version, why);
		assert_int_equal(bundle_current(root, "ht/camxuyen", cur, sizeof cur, &v), TT_OK);
		assert_int_equal(v, version);
		snprintf(path, sizeof path, "%s/ht_camxuyen/v%d", root, version);
		assert_string_equal(cur, path);
		/* the installed folder is the built one: same files, same manifest,
		 * the empty file made without a blob */
		run("cd '%s' && for f in manifest.json manifest.sig pages/a.vi.md pages/a.en.md pages/b.vi.md "
		    "images/b.png "
		    "images/in-a.png; do cmp -s \"$f\" '%s'/\"$f\" || exit 1; done",
		    out, cur);
		snprintf(path, sizeof path, "%s/ht_camxuyen/v%d.tmp", root, version);
		assert_false(exists(path));
		bundle_manifest_free(&m);
		snprintf(path, sizeof path, "%s/ht_camxuyen/v1", root);
		assert_true(exists(path) == (version <= 2));
		snprintf(path, sizeof path, "%s/ht_camxuyen/v2", root);
		assert_true(exists(path) == (version >= 2));
	}
	/* shown already */
	as_fetched(out, blobs, &m, sig);
	assert_int_equal(bundle_install(root, blobs, &m, sig, why, sizeof why), TT_ERR_STATE);
	bundle_manifest_free(&m);

	/* a blob gone or wrong: v4 is not installed and v3 stays shown */
	build_ok(s, out, "ht/camxuyen", 0);
	assert_int_equal(bundle_sign(out, &key, why, sizeof why), TT_OK);
	as_fetched(out, blobs, &m, sig);
	snprintf(path, sizeof path, "%s/%s", blobs, m.files[0].sha256);
	spit(path, "tampered");
	assert_int_equal(bundle_install(root, blobs, &m, sig, why, sizeof why), TT_ERR_PARSE);
	assert_non_null(strstr(why, m.files[0].path));
	unlink(path);
	assert_int_equal(bundle_install(root, blobs, &m, sig, why, sizeof why), TT_ERR_NOTFOUND);
	assert_int_equal(bundle_current(root, "ht/camxuyen", cur, sizeof cur, &v), TT_OK);
	assert_int_equal(v, 3);
	snprintf(path, sizeof path, "%s/ht_camxuyen/v4", root);
	assert_false(exists(path));
	snprintf(path, sizeof path, "%s/ht_camxuyen/v4.tmp", root);
	assert_false(exists(path));
	bundle_manifest_free(&m);
	/* other channels are apart */
	assert_int_equal(bundle_current(root, "ht", cur, sizeof cur, &v), TT_ERR_NOTFOUND);
	assert_int_equal(bundle_current(root, "../x", cur, sizeof cur, &v), TT_ERR_INVAL);
	assert_int_equal(bundle_current(root, "ht/camxuyen", cur, 8, &v), TT_ERR_RANGE);
}

int main(void)
{
	snprintf(src, sizeof src, "%s", getenv("TT_SOURCE_DIR") ? getenv("TT_SOURCE_DIR") : ".");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(default_content_builds, fresh),
	    cmocka_unit_test_setup(version_counts_up, fresh),
	    cmocka_unit_test_setup(bad_sources_are_refused, fresh),
	    cmocka_unit_test_setup(sign_and_verify, fresh),
	    cmocka_unit_test_setup(wire_round_trip, fresh),
	    cmocka_unit_test_setup(accept_decides, fresh),
	    cmocka_unit_test_setup(manifest_paths_stay_inside, fresh),
	    cmocka_unit_test_setup(blob_chunks_any_order, fresh),
	    cmocka_unit_test_setup(missing_lists_each_hash_once, fresh),
	    cmocka_unit_test_setup(install_keeps_one_previous, fresh),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
