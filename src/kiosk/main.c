/* main.c - tramtin, the kiosk program.
 *
 * Reads the command line and the config, loads the content bundle, opens
 * the window and runs the event loop: it sleeps in ui_wait_event
 * until input or a timer needs it and draws a frame only when something
 * changed, so an idle kiosk uses no CPU.  With --script the automation
 * script drives the same loop instead of a person. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tramtin/clock.h"
#include "tramtin/config.h"
#include "tramtin/content.h"
#include "tramtin/i18n.h"
#include "tramtin/log.h"
#include "tramtin/notify.h"
#include "tt_build.h"
#include "service.h"
#include "ui/script.h"
#include "ui/ui.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: tramtin [--config FILE] [--windowed] [--size WxH] [--headless] [--script FILE]\n"
	           "               [--verbose] [--version]\n"
	           "       tramtin [--config FILE] --print-public-key\n");
}

/* Benchmarks (scripts/bench) set TRAMTIN_BENCH_T0_NS to the wall time in
 * ns just before they start us; we print when the first frame was done
 * and, at exit, the peak resident memory. */
static void bench_first_frame(void)
{
	const char *t0 = getenv("TRAMTIN_BENCH_T0_NS");
	struct timespec ts;
	if (!t0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	double now = (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
	fprintf(stderr, "bench: first-frame-ms=%.1f\n", (now - strtod(t0, NULL)) / 1e6);
}

static void bench_exit(uint64_t frames)
{
	char line[256];
	FILE *f;
	if (!getenv("TRAMTIN_BENCH_T0_NS") || !(f = fopen("/proc/self/status", "r")))
		return;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			fprintf(stderr, "bench: peak-rss-kib=%ld frames=%llu\n", strtol(line + 6, NULL, 10),
			        (unsigned long long)frames);
	fclose(f);
}

/* From the network thread: SDL_PushEvent is thread-safe; the UI wakes
 * and the receipt shows the new delivery state. */
static void wake_ui(void *ctx)
{
	SDL_Event ev;
	(void)ctx;
	memset(&ev, 0, sizeof ev);
	ev.type = SDL_USEREVENT;
	SDL_PushEvent(&ev);
}

static int delivered(void *ctx)
{
	return kiosk_service_all_delivered(ctx);
}

static const char *locale_dir(void)
{
	/* Installed catalogues first, then the build tree's. */
	const char *env = getenv("TRAMTIN_LOCALEDIR");
	return env && *env ? env : TT_LOCALE_DIR;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"windowed", no_argument, NULL, 'w'},
		{"size", required_argument, NULL, 's'},   {"headless", no_argument, NULL, 'H'},
		{"script", required_argument, NULL, 'S'}, {"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},      {"help", no_argument, NULL, 'h'},
		{"print-public-key", no_argument, NULL, 'P'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *script_path = NULL;
	bool print_key = false;
	ui_options uo = {0};
	uint64_t t0 = clock_ms();
	int c;
	tt_log_init("tramtin", TT_LOG_INFO);
	opterr = 0; /* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'w': uo.windowed = true; break;
		case 'H': uo.headless = true; break;
		case 'S': script_path = optarg; break;
		case 'v': tt_log_set_level(TT_LOG_DEBUG); break;
		case 'V': printf("tramtin %s\n", TT_VERSION); return 0;
		case 'P': print_key = true; break;
		case 'h': usage(stdout); return 0;
		case 's': {
			char x;
			if (sscanf(optarg, "%d%c%d", &uo.width, &x, &uo.height) != 3 || (x != 'x' && x != 'X') ||
			    uo.width < 320 || uo.height < 320 || uo.width > 16384 || uo.height > 16384) {
				fprintf(stderr, "tramtin: --size: expected WxH (e.g. 1920x1080), each 320 to 16384; got '%s'\n", optarg);
				return 2;
			}
			break;
		}
		default:
			fprintf(stderr, "tramtin: %s '%s' (see tramtin --help)\n",
			        c == ':' || (optind > 0 && optopt) ? "option needs a value:" : "unknown option", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tramtin: unexpected argument '%s' (see tramtin --help)\n", argv[optind]);
		return 2;
	}

	tt_config cfg;
	char err[1024];
	config_defaults(&cfg);
	if (config_path && config_load(&cfg, config_path, err, sizeof err) != TT_OK) {
		fprintf(stderr, "tramtin: %s\n", err);
		return 2;
	}
	if (print_key) {
		tt_sign_key key;
		char b64[64];
		tt_err rc = kiosk_key(&cfg, &key, b64, sizeof b64, err, sizeof err);
		crypto_wipe(&key, sizeof key);
		if (rc != TT_OK) {
			fprintf(stderr, "tramtin: %s\n", err);
			return 1;
		}
		printf("%s\n", b64);
		return 0;
	}
	script *sc = NULL;
	if (script_path && !(sc = script_load(script_path, err, sizeof err))) {
		fprintf(stderr, "tramtin: %s\n", err);
		return 2;
	}
	i18n_init(locale_dir());
	tt_lang lang = LANG_VI;
	i18n_parse(cfg.lang, &lang);
	i18n_set_lang(lang);

	content_bundle *bundle = kiosk_content_load(&cfg);
	if (!bundle) {
		fprintf(stderr, "tramtin: out of memory\n");
		script_free(sc);
		return 1;
	}
	if (content_faults(bundle))
		tt_warn("%s: %u fault(s) in the content; showing what can be shown", content_dir(bundle), content_faults(bundle));

	kiosk_service *ks = kiosk_service_new(&cfg, config_path == NULL, wake_ui, NULL, err, sizeof err);
	if (!ks) {
		fprintf(stderr, "tramtin: %s\n", err);
		content_free(bundle);
		script_free(sc);
		return 1;
	}
	ui *u = ui_new(&cfg, bundle, &uo);
	if (!u) {
		kiosk_service_free(ks);
		content_free(bundle);
		script_free(sc);
		return 1;
	}
	kiosk_service_bind(ks, &u->services);
	int rc = 0;
	ui_render(u);
	bench_first_frame();
	tt_debug("first frame after %llu ms", (unsigned long long)(clock_ms() - t0));
	if (sc) {
		script_host host = {.ctx = ks, .delivered = delivered};
		rc = script_run(sc, u, &host);
	} else {
		int dog = notify_watchdog_ms();
		notify_ready("showing the home screen");
		while (!u->quit) {
			SDL_Event ev;
			/* Sleep until input or the next timer; at least once a minute. */
			int wait = ui_tick(u);
			if (wait < 0 || wait > 60000)
				wait = 60000;
			notify_watchdog(); /* the loop runs: the UI is not stuck */
			if (dog > 0 && wait > dog)
				wait = dog;
			if (ui_wait_event(u, &ev, wait)) {
				ui_handle_event(u, &ev);
				while (SDL_PollEvent(&ev))
					ui_handle_event(u, &ev);
			}
			ui_render(u);
		}
	}
	tt_debug("%llu frames drawn", (unsigned long long)u->frames);
	bench_exit(u->frames);
	bundle = u->bundle; /* the content may have been swapped for newer */
	if (u->restart && rc == 0)
		rc = 75; /* EX_TEMPFAIL: the service manager starts the kiosk again */
	if (u->exit_desktop && rc == 0)
		rc = 3; /* staff left to the desktop: the unit does not restart it */
	ui_free(u);
	kiosk_service_free(ks);
	content_free(bundle);
	script_free(sc);
	return rc;
}
