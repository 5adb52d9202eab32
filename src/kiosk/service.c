/* service.c - from a citizen's "Send" to a durable, sealed outbox row.
 *
 * submit() runs on the UI thread and returns only after the outbox commit
 * (WAL, synchronous=FULL): building the inner JSON, sealing it to the
 * collector, signing it with the kiosk key and committing take about a
 * millisecond, well inside a frame.  The network thread (transport.c)
 * then delivers it; when the collector's ack erases the row, the delivery
 * state the receipt polls turns to "delivered".  Plain text exists only
 * in memory here and is wiped after sealing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "service.h"
#include "tramtin/clock.h"
#include "tramtin/code.h"
#include "tramtin/crypto.h"
#include "tramtin/envelope.h"
#include "tramtin/log.h"
#include "tramtin/outbox.h"
#include "tramtin/bundle.h"
#include "tramtin/ratelimit.h"
#include "tramtin/transport.h"
#include "tramtin/i18n.h"
#include "tt_build.h"

struct kiosk_service {
	const tt_config *cfg;
	tt_sign_key key;
	unsigned char collector_pk[crypto_box_PUBLICKEYBYTES];
	bool have_collector;
	outbox *ob;
	transport *net;
	char outbox_path[CONFIG_PATH + 32];
	char pub_b64[64];
	int64_t boot;
	char channels[2][BUNDLE_CHANNEL_MAX];
	char content_root[CONFIG_PATH + 16];
	uint64_t content_shown; /* content generation the UI shows */
	ratelimit *limit;       /* submissions from the screen */
};

static int mkdirs(const char *path)
{
	char tmp[CONFIG_PATH];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int64_t next_boot(const char *dir)
{
	char path[CONFIG_PATH + 16];
	long long boot = 0;
	snprintf(path, sizeof path, "%s/boot", dir);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &boot) != 1)
			boot = 0;
		fclose(f);
	}
	boot++;
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%lld\n", boot);
		fclose(f);
	}
	return boot;
}

tt_err kiosk_key(const tt_config *cfg, tt_sign_key *key, char *b64, size_t b64len, char *err, size_t errlen)
{
	char path[CONFIG_PATH + 32];
	if (crypto_init() != TT_OK) {
		snprintf(err, errlen, "libsodium cannot start");
		return TT_ERR_CRYPTO;
	}
	if (mkdirs(cfg->state_dir) != 0) {
		snprintf(err, errlen, "%s: cannot create the state folder: %s", cfg->state_dir, tt_strerrno(errno));
		return TT_ERR_IO;
	}
	snprintf(path, sizeof path, "%s/kiosk.key", cfg->state_dir);
	tt_err rc = crypto_sign_key_load_or_create(path, key);
	if (rc != TT_OK) {
		snprintf(err, errlen, "%s: cannot %s the kiosk key: %s", path, rc == TT_ERR_PARSE ? "read" : "create",
		         rc == TT_ERR_IO ? tt_strerrno(errno) : tt_strerror(rc));
		return rc;
	}
	b64_encode(key->pk, sizeof key->pk, b64, b64len);
	return TT_OK;
}

kiosk_service *kiosk_service_new(const tt_config *cfg, bool demo_keys, void (*on_change)(void *), void *ctx, char *err,
                                 size_t errlen)
{
	kiosk_service *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	if (kiosk_key(cfg, &s->key, s->pub_b64, sizeof s->pub_b64, err, errlen) != TT_OK)
		goto fail;
	char path[CONFIG_PATH + 32];

	const char *pk = cfg->collector_public_key;
	char demo[128] = "";
	if (!pk[0] && demo_keys) {
		/* Without a config the kiosk runs on the demo collector key that
		 * scripts/demo's collector holds; never in a real deployment. */
		snprintf(path, sizeof path, "%s/kiosk-config/demo/collector.pub", TT_SOURCE_DIR);
		FILE *f = fopen(path, "r");
		if (f && fgets(demo, sizeof demo, f))
			demo[strcspn(demo, "\r\n")] = '\0';
		if (f)
			fclose(f);
		pk = demo;
		if (demo[0])
			tt_warn("no config: sealing to the demo collector key in %s", path);
	}
	if (!pk[0])
		tt_error("[collector] public_key is not set: this kiosk cannot take feedback until it is configured");
	else if (b64_decode(pk, s->collector_pk, sizeof s->collector_pk, sizeof s->collector_pk, NULL) != TT_OK)
		tt_error("[collector] public_key: not the base64 of a 32-byte X25519 key; got '%.60s'", pk);
	else
		s->have_collector = true;

	snprintf(s->outbox_path, sizeof s->outbox_path, "%s/outbox.db", cfg->state_dir);
	s->ob = outbox_open(s->outbox_path, (size_t)cfg->outbox_max, err, errlen);
	if (!s->ob)
		goto fail;
	s->boot = next_boot(cfg->state_dir);

	ratelimit_config rl = {.min_interval_s = cfg->limit_interval_s, .per_hour = cfg->limit_per_hour,
	                       .repeat_s = cfg->limit_repeat_s};
	s->limit = ratelimit_new(&rl);
	kiosk_channels(cfg, s->channels);
	snprintf(s->content_root, sizeof s->content_root, "%s/content", cfg->state_dir);
	if (cfg->mqtt_host[0]) {
		char root[512], e[512];
		snprintf(root, sizeof root, "tramtin/v1/%s/%s/%s", cfg->province, cfg->commune, cfg->kiosk_id);
		transport_config tc = {
			.host = cfg->mqtt_host, .port = cfg->mqtt_port,
			.username = cfg->mqtt_username[0] ? cfg->mqtt_username : NULL, .password = cfg->mqtt_password,
			.tls_ca = cfg->tls_ca, .tls_cert = cfg->tls_cert, .tls_key = cfg->tls_key,
			.client_id = cfg->kiosk_id, .root = root, .outbox_path = s->outbox_path,
			.outbox_max = (size_t)cfg->outbox_max, .retry_ms = cfg->retry_s * 1000, .boot = s->boot,
			.version = TT_VERSION, .state_dir = cfg->state_dir, .on_change = on_change, .ctx = ctx,
			.content_root = s->content_root, .content_channels = {s->channels[0], s->channels[1]},
			.content_trust = cfg->content_keys,
		};
		s->net = transport_start(&tc, e, sizeof e);
		if (!s->net)
			tt_error("%s; submissions wait in the outbox", e);
	} else {
		tt_info("no [mqtt] host: submissions wait in the outbox (%s)", s->outbox_path);
	}
	return s;
fail:
	kiosk_service_free(s);
	return NULL;
}

void kiosk_service_free(kiosk_service *s)
{
	if (!s)
		return;
	transport_stop(s->net);
	outbox_close(s->ob);
	ratelimit_free(s->limit);
	crypto_wipe(&s->key, sizeof s->key);
	free(s);
}


int kiosk_service_submit(kiosk_service *s, const struct tt_submission *sub, char *id, size_t idlen, char *why,
                         size_t whylen)
{
	char uuid[ENVELOPE_ID_LEN + 1];
	char *inner = NULL, *env = NULL;
	int rc = TT_ERR_STATE;
	if (!s->have_collector) {
		snprintf(why, whylen, "%s", _("This kiosk is not set up to take messages yet. Please tell the commune staff."));
		return TT_ERR_CONFIG;
	}
	envelope_uuid(uuid);
	inner = envelope_inner_json(sub);
	if (!inner) {
		snprintf(why, whylen, "%s", _("Your message could not be saved. Please tell the commune staff."));
		return TT_ERR_INVAL;
	}
	rc = envelope_build(uuid, s->cfg->kiosk_id, inner, s->collector_pk, &s->key, &env);
	crypto_wipe(inner, strlen(inner));
	free(inner);
	if (rc != TT_OK) {
		snprintf(why, whylen, "%s", _("Your message could not be saved. Please tell the commune staff."));
		return rc;
	}
	rc = outbox_put(s->ob, uuid, env);
	free(env);
	if (rc == TT_ERR_FULL) {
		tt_error("%s: outbox full (%d waiting); refusing new submissions until some are delivered", s->outbox_path,
		         s->cfg->outbox_max);
		snprintf(why, whylen, "%s",
		         _("This kiosk has too many messages waiting to be sent and cannot take more now. Nothing you sent before is lost. Please try again later or tell the commune staff."));
		return rc;
	}
	if (rc != TT_OK) {
		snprintf(why, whylen, "%s", _("Your message could not be saved. Please tell the commune staff."));
		return rc;
	}
	snprintf(id, idlen, "%s", uuid);
	transport_wake(s->net);
	return TT_OK;
}

/* The form's Send: the screen's limits, then the same path as any
 * submission.  The words are for the citizen. */
static int submit(void *ctx, const struct tt_submission *sub, char *id, size_t idlen, char *why, size_t whylen)
{
	kiosk_service *s = ctx;
	/* a survey answer is not text anyone typed: never a "repeat" */
	const char *text = sub->kind == SUB_SURVEY ? NULL : sub->text;
	int wait = 0;
	switch (ratelimit_check(s->limit, text, clock_ms(), &wait)) {
	case RL_TOO_SOON:
		snprintf(why, whylen, _("Please wait %d seconds, then send again. What you wrote is kept."), wait);
		return TT_ERR_FULL;
	case RL_HOURLY_CAP:
		snprintf(why, whylen, "%s",
		         _("This kiosk has taken many messages this hour. Please try again later, or tell the commune staff."));
		return TT_ERR_FULL;
	case RL_REPEAT:
		snprintf(why, whylen, "%s", _("This same message was sent a short while ago, and it was saved. There is no need to send it again."));
		return TT_ERR_FULL;
	case RL_OK:
		break;
	}
	int rc = kiosk_service_submit(s, sub, id, idlen, why, whylen);
	if (rc == TT_OK)
		ratelimit_note(s->limit, text, clock_ms());
	return rc;
}

static ui_delivery delivery(void *ctx, const char *id)
{
	kiosk_service *s = ctx;
	int p = outbox_pending(s->ob, id);
	return p == 1 ? DELIVERY_SAVED : p == 0 ? DELIVERY_DELIVERED : DELIVERY_UNKNOWN;
}

static void track_ask(void *ctx, const char *code)
{
	kiosk_service *s = ctx;
	char hash[CODE_HASH_HEX + 1];
	if (s->net && code_hash(code, hash))
		transport_track(s->net, s->cfg->province, hash);
}

static int track_result(void *ctx, const char *code, char *status, size_t slen, char *updated, size_t ulen)
{
	kiosk_service *s = ctx;
	char hash[CODE_HASH_HEX + 1];
	if (!code_hash(code, hash))
		return -3;
	if (!s->net)
		return -2;
	return transport_track_result(s->net, hash, status, slen, updated, ulen);
}

void kiosk_channels(const tt_config *cfg, char out[2][BUNDLE_CHANNEL_MAX])
{
	/* each part of a valid channel is at most 31 characters */
	bool fits = strlen(cfg->province) < 32 && strlen(cfg->commune) < 32;
	snprintf(out[0], BUNDLE_CHANNEL_MAX, "%.31s/%.31s", fits ? cfg->province : "", cfg->commune);
	snprintf(out[1], BUNDLE_CHANNEL_MAX, "%.31s", fits ? cfg->province : "");
	for (int i = 0; i < 2; i++)
		if (!bundle_channel_valid(out[i]))
			out[i][0] = '\0';
}

content_bundle *kiosk_content_load(const tt_config *cfg)
{
	char channels[2][BUNDLE_CHANNEL_MAX], root[CONFIG_PATH + 16], dirs[2][1024];
	const char *list[2];
	size_t n = 0;
	kiosk_channels(cfg, channels);
	snprintf(root, sizeof root, "%s/content", cfg->state_dir);
	for (int i = 0; i < 2; i++) {
		int64_t v;
		if (channels[i][0] && bundle_current(root, channels[i], dirs[n], sizeof dirs[n], &v) == TT_OK)
			list[n] = dirs[n], n++;
	}
	if (n == 0)
		return content_load(cfg->content_dir); /* the local fallback: nothing signed yet */
	return content_load_many(list, n);
}

/* The UI asks when nobody is using the screen: a newer bundle installed? */
static bool content_swap(void *ctx, content_bundle **bundle)
{
	kiosk_service *s = ctx;
	uint64_t gen = transport_content_generation(s->net);
	if (gen == s->content_shown)
		return false;
	content_bundle *b = kiosk_content_load(s->cfg);
	if (!b)
		return false; /* out of memory: keep what is shown, try again later */
	s->content_shown = gen;
	if (content_faults(b))
		tt_warn("new content: %u fault(s); showing what can be shown", content_faults(b));
	content_free(*bundle);
	*bundle = b;
	return true;
}

static bool announcement(void *ctx, int lang, char *out, size_t outlen)
{
	kiosk_service *s = ctx;
	return transport_announcement(s->net, clock_now(), (tt_lang)lang, out, outlen);
}

static bool survey(void *ctx, int lang, ui_survey *out)
{
	kiosk_service *s = ctx;
	return transport_survey(s->net, clock_now(), (tt_lang)lang, out->id, sizeof out->id, out->question,
	                        sizeof out->question, out->answers, &out->n_answers);
}

static int take_command(void *ctx)
{
	kiosk_service *s = ctx;
	switch ((signed_cmd)transport_take_command(s->net)) {
	case CMD_SCREEN_OFF:
		return UI_CMD_SCREEN_OFF;
	case CMD_SCREEN_ON:
		return UI_CMD_SCREEN_ON;
	case CMD_RESTART:
		return UI_CMD_RESTART;
	default:
		return UI_CMD_NONE;
	}
}

static void display(void *ctx, const char *state)
{
	kiosk_service *s = ctx;
	transport_set_display(s->net, state);
}

static void admin_info(void *ctx, ui_admin_info *out)
{
	kiosk_service *s = ctx;
	const tt_config *c = s->cfg;
	memset(out, 0, sizeof *out);
	snprintf(out->kiosk, sizeof out->kiosk, "%s", c->kiosk_id);
	snprintf(out->version, sizeof out->version, "%s", TT_VERSION);
	out->broker_set = c->mqtt_host[0] != '\0';
	snprintf(out->broker, sizeof out->broker, "%s:%d", c->mqtt_host, c->mqtt_port);
	if (s->net) {
		transport_stats st;
		transport_get_stats(s->net, &st);
		out->connected = st.connected;
		snprintf(out->last_error, sizeof out->last_error, "%s", st.last_error);
		snprintf(out->content_error, sizeof out->content_error, "%s", st.content_error);
		out->content_failures = st.content_failures;
	}
	outbox_stats(s->ob, &out->pending, &out->oldest_s);
	size_t n = 0;
	for (int i = 0; i < 2; i++) {
		char dir[CONFIG_PATH + 64];
		int64_t v = 0;
		if (s->channels[i][0] && bundle_current(s->content_root, s->channels[i], dir, sizeof dir, &v) == TT_OK) {
			int k = snprintf(out->content + n, sizeof out->content - n, "%s%s: %lld", n ? ", " : "", s->channels[i],
			                 (long long)v);
			if (k > 0 && (size_t)k < sizeof out->content - n)
				n += (size_t)k;
		}
	}
	struct statvfs vfs;
	out->disk_free_mb = statvfs(c->state_dir, &vfs) == 0
		                    ? (long)((unsigned long long)vfs.f_bavail * vfs.f_frsize / (1024 * 1024))
		                    : -1;
	const char *src;
	out->clock_synced = clock_synced(&src);
	snprintf(out->clock, sizeof out->clock, "%s", src);
}

static void sync_now(void *ctx)
{
	kiosk_service *s = ctx;
	tt_info("admin screen: sync now");
	transport_sync_now(s->net);
}

/* A test from the admin screen: a feedback in category "kiosk-test", so the
 * collector's staff can tell it from a citizen's and filter it out. */
static int test_submit(void *ctx, char *id, size_t idlen, char *why, size_t whylen)
{
	kiosk_service *s = ctx;
	char code[CODE_GROUPED_LEN + 1];
	code_new(code);
	tt_submission sub = {.kind = SUB_FEEDBACK, .category = "kiosk-test", .lang = "vi", .code = code,
	                     .text = "Kiểm tra trạm tin: gửi thử từ màn hình quản trị.", .created = clock_now()};
	int rc = kiosk_service_submit(s, &sub, id, idlen, why, whylen);
	if (rc == TT_OK)
		tt_info("admin screen: test submission %s stored", id);
	return rc;
}

void kiosk_service_bind(kiosk_service *s, ui_services *out)
{
	out->admin_info = admin_info;
	out->sync_now = sync_now;
	out->test_submit = test_submit;
	out->display = display;
	out->content_swap = content_swap;
	out->announcement = announcement;
	out->survey = survey;
	out->take_command = take_command;
	out->ctx = s;
	out->submit = submit;
	out->delivery = delivery;
	out->track_ask = track_ask;
	out->track_result = track_result;
	out->followup_url = s->cfg->followup_url;
}

int kiosk_service_all_delivered(kiosk_service *s)
{
	return s ? outbox_empty(s->ob) : -1;
}
