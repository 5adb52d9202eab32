/* loadgen.c - drives the kiosk's delivery path without the screen.
 *
 * Uses the kiosk's own service (src/kiosk/service.c: seal, sign, outbox
 * commit, MQTT transport), exactly what the form's Send calls, so fault
 * tests can push hundreds of submissions and kill the kiosk between
 * commit and publish or between publish and ack.
 *
 *   loadgen CONFIG submit N [--no-network] [--anonymous] [--hang]
 *                                                   prints each id once committed,
 *                                                   then waits until all are acknowledged
 *   loadgen CONFIG deliver                          runs the transport until the outbox is empty
 *   loadgen CONFIG forge-wrong-seal                 prints an envelope signed by this kiosk but
 *                                                   sealed to some other key (collector tests)
 *
 * Exit 0 when everything was acknowledged within TT_LOADGEN_TIMEOUT
 * seconds (default 60), 1 otherwise, 2 on usage or config errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/service.h"
#include "tramtin/clock.h"
#include "tramtin/code.h"
#include "tramtin/config.h"
#include "tramtin/crypto.h"
#include "tramtin/envelope.h"
#include "tramtin/log.h"

static int wait_delivered(kiosk_service *s)
{
	const char *env = getenv("TT_LOADGEN_TIMEOUT");
	uint64_t end = clock_ms() + (uint64_t)(env ? atoi(env) : 60) * 1000u;
	while (clock_ms() < end) {
		if (kiosk_service_all_delivered(s) == 1)
			return 0;
		usleep(20 * 1000);
	}
	fprintf(stderr, "loadgen: not all acknowledged in time\n");
	return 1;
}

/* An envelope this kiosk signs, sealed to a key no collector has. */
static int forge(const char *config)
{
	tt_config cfg;
	char err[512], path[CONFIG_PATH + 32], uuid[ENVELOPE_ID_LEN + 1], code[CODE_GROUPED_LEN + 1], *env = NULL;
	tt_sign_key key;
	tt_box_key other;
	config_defaults(&cfg);
	if (config_load(&cfg, config, err, sizeof err) != TT_OK || crypto_init() != TT_OK)
		return 2;
	snprintf(path, sizeof path, "%s/kiosk.key", cfg.state_dir);
	if (crypto_sign_key_load_or_create(path, &key) != TT_OK)
		return 1;
	crypto_box_keypair(other.pk, other.sk);
	code_new(code);
	tt_submission sub = {.kind = SUB_FEEDBACK, .text = "sealed to the wrong key", .lang = "vi", .code = code,
	                     .created = clock_now()};
	char *inner = envelope_inner_json(&sub);
	envelope_uuid(uuid);
	if (!inner || envelope_build(uuid, cfg.kiosk_id, inner, other.pk, &key, &env) != TT_OK)
		return 1;
	printf("%s", env);
	free(inner);
	free(env);
	return 0;
}

int main(int argc, char **argv)
{
	tt_config cfg;
	char err[512];
	if (argc < 3) {
		fprintf(stderr, "usage: loadgen CONFIG submit N [--no-network] [--anonymous] | loadgen CONFIG deliver\n");
		return 2;
	}
	tt_log_init("loadgen", TT_LOG_WARN);
	if (!strcmp(argv[2], "forge-wrong-seal"))
		return forge(argv[1]);
	config_defaults(&cfg);
	if (config_load(&cfg, argv[1], err, sizeof err) != TT_OK) {
		fprintf(stderr, "loadgen: %s\n", err);
		return 2;
	}
	bool submit = strcmp(argv[2], "submit") == 0, anonymous = false, hang = false;
	long n = submit && argc > 3 ? strtol(argv[3], NULL, 10) : 0;
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--no-network"))
			cfg.mqtt_host[0] = '\0';
		if (!strcmp(argv[i], "--anonymous"))
			anonymous = true;
		if (!strcmp(argv[i], "--hang"))
			hang = true; /* committed, then wait to be killed (kill -9 tests) */
	}
	kiosk_service *s = kiosk_service_new(&cfg, false, NULL, NULL, err, sizeof err);
	if (!s) {
		fprintf(stderr, "loadgen: %s\n", err);
		return 2;
	}
	for (long i = 0; i < n; i++) {
		char id[64], why[256], code[CODE_GROUPED_LEN + 1], text[128];
		code_new(code);
		snprintf(text, sizeof text, "Góp ý số %ld: đường vào thôn bị hỏng", i + 1);
		tt_submission sub = {.kind = anonymous ? SUB_COMPLAINT : SUB_FEEDBACK, .anonymous = anonymous,
		                     .category = "support", .rating = anonymous ? 0 : 3, .text = text,
		                     .name = anonymous ? "" : "Nguyễn Văn A", .phone = "", .lang = "vi", .code = code,
		                     .created = clock_now()};
		if (kiosk_service_submit(s, &sub, id, sizeof id, why, sizeof why) != TT_OK) {
			fprintf(stderr, "loadgen: submission %ld: %s\n", i + 1, why);
			kiosk_service_free(s);
			return 1;
		}
		printf("%s\n", id);
		fflush(stdout);
	}
	while (hang)
		pause();
	int rc = cfg.mqtt_host[0] ? wait_delivered(s) : 0;
	kiosk_service_free(s);
	return rc;
}
