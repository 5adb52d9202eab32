/* bench_delivery.c - the kiosk's submission path, timed.
 *
 *   bench_delivery CONFIG durable N   submit -> committed in the outbox (no network)
 *   bench_delivery CONFIG acked N     submit -> acknowledged by the collector, one at a time
 *   bench_delivery CONFIG drain N     N queued while offline, then drained: submissions/s
 *   bench_delivery CONFIG fill N      only queue N (offline), e.g. to profile a drain alone
 *   bench_delivery CONFIG drain-queued N   only drain what is queued, timed
 *
 * Uses the kiosk's own service (seal, sign, commit, transport), so the
 * figures are those of the kiosk.  Prints "bench: ..." lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/service.h"
#include "tramtin/clock.h"
#include "tramtin/code.h"
#include "tramtin/config.h"
#include "tramtin/envelope.h"
#include "tramtin/log.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int submit(kiosk_service *s, long i)
{
	char id[64], why[256], code[CODE_GROUPED_LEN + 1], text[160];
	code_new(code);
	snprintf(text, sizeof text, "Ý kiến số %ld: xin hỏi về hỗ trợ nhà ở cho hộ nghèo trong thôn", i);
	tt_submission sub = {.kind = SUB_FEEDBACK, .category = "policy", .rating = 4, .text = text,
	                     .name = "Nguyễn Văn A", .phone = "0912345678", .lang = "vi", .code = code,
	                     .created = clock_now()};
	if (kiosk_service_submit(s, &sub, id, sizeof id, why, sizeof why) != TT_OK) {
		fprintf(stderr, "bench: submit failed: %s\n", why);
		return -1;
	}
	return 0;
}

static void report(const char *what, double *t, long n, const char *target)
{
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("bench: %s: median %.3f ms, p99 %.3f ms over %ld (%s)\n", what, t[n / 2], t[n * 99 / 100], n, target);
}

int main(int argc, char **argv)
{
	tt_config cfg;
	char err[512];
	if (argc != 4) {
		fprintf(stderr, "usage: bench_delivery CONFIG durable|acked|drain|fill|drain-queued N\n");
		return 2;
	}
	long n = strtol(argv[3], NULL, 10);
	tt_log_init("bench", TT_LOG_ERROR);
	config_defaults(&cfg);
	if (config_load(&cfg, argv[1], err, sizeof err) != TT_OK) {
		fprintf(stderr, "bench: %s\n", err);
		return 2;
	}
	double *t = calloc((size_t)n + 1, sizeof *t);
	if (!strcmp(argv[2], "durable")) {
		cfg.mqtt_host[0] = '\0';
		kiosk_service *s = kiosk_service_new(&cfg, false, NULL, NULL, err, sizeof err);
		for (long i = 0; s && i < n; i++) {
			double a = now_ms();
			if (submit(s, i))
				return 1;
			t[i] = now_ms() - a;
		}
		report("submit -> durable (build, seal, sign, commit with fsync)", t, n, "target <= 2 ms median");
		kiosk_service_free(s);
	} else if (!strcmp(argv[2], "acked")) {
		kiosk_service *s = kiosk_service_new(&cfg, false, NULL, NULL, err, sizeof err);
		if (!s) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		/* let the transport connect first */
		double end = now_ms() + 5000;
		while (now_ms() < end && kiosk_service_all_delivered(s) != 1)
			usleep(1000);
		usleep(200 * 1000);
		for (long i = 0; i < n; i++) {
			double a = now_ms();
			if (submit(s, i))
				return 1;
			while (kiosk_service_all_delivered(s) != 1 && now_ms() - a < 5000)
				usleep(20);
			t[i] = now_ms() - a;
		}
		report("submit -> acknowledged by the collector stand-in (loopback)", t, n, "target <= 10 ms median");
		kiosk_service_free(s);
	} else if (!strcmp(argv[2], "drain") || !strcmp(argv[2], "fill") || !strcmp(argv[2], "drain-queued")) {
		char host[sizeof cfg.mqtt_host];
		memcpy(host, cfg.mqtt_host, sizeof host);
		cfg.mqtt_host[0] = '\0';
		kiosk_service *s = NULL;
		if (strcmp(argv[2], "drain-queued"))
			s = kiosk_service_new(&cfg, false, NULL, NULL, err, sizeof err);
		for (long i = 0; s && i < n; i++)
			if (submit(s, i))
				return 1;
		kiosk_service_free(s);
		if (!strcmp(argv[2], "fill")) {
			free(t);
			return 0;
		}
		memcpy(cfg.mqtt_host, host, sizeof host);
		double a = now_ms();
		s = kiosk_service_new(&cfg, false, NULL, NULL, err, sizeof err);
		/* poll gently: each poll is a query on the outbox */
		while (s && kiosk_service_all_delivered(s) != 1 && now_ms() - a < 120000)
			usleep(10000);
		double dt = now_ms() - a;
		printf("bench: drain of %ld queued submissions after an outage: %.0f ms, %.0f submissions/s (target >= 5000/s)\n",
		       n, dt, n / (dt / 1000.0));
		kiosk_service_free(s);
	}
	free(t);
	return 0;
}
