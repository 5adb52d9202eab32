/* preview.c - the draft as the kiosk will show it, drawn by the kiosk.
 *
 * No second renderer: the draft is built into a bundle exactly as for
 * publishing (bundle_build, so a draft that would not build fails here
 * with the builder's message), and the kiosk program itself runs on it,
 * headless, with a config whose [content] dir is that bundle and an
 * automation script that goes where a visitor would go: home, the tile
 * of the page's list (policies also their category), the page's row
 * (list.item.N, N from content_select, the function the kiosk's lists
 * use), then a screenshot.  Landscape and portrait run at once, each in a
 * folder of its own (state, config, script), and each is killed if it
 * takes more than PREVIEW_TIMEOUT_S.  A notice is listed only inside its
 * posting window, so one outside it is shown with the kiosk's clock set
 * (TRAMTIN_NOW) to 09:00 of its first day, or of its last if it has
 * ended; the note says so. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "admin/console.h"
#include "tramtin/clock.h"
#include "tramtin/content.h"
#include "tramtin/log.h"

#define PREVIEW_TIMEOUT_S 60
#define PATH_LEN 4096

extern char **environ;

static const struct {
	int w, h;
	const char *name;
} shapes[2] = {{1920, 1080, "landscape"}, {1080, 1920, "portrait"}};

/* The script lines that open page p of bundle b at time now; false if the
 * kiosk has no way to it (a page type no screen lists). */
static bool route(content_bundle *b, const content_page *p, int64_t now, char *out, size_t outlen)
{
	const content_page *list[512];
	size_t n, at = 0;
	char extra[64] = "";
	const char *tile, *screen;
	switch (p->type) {
	case CONTENT_NOTICE: tile = "home.notices"; screen = "notice.page"; break;
	case CONTENT_CAMPAIGN: tile = "home.campaigns"; screen = "campaign.page"; break;
	case CONTENT_POLICY: {
		size_t c;
		for (c = 0; c < content_category_count(b); c++)
			if (p->category && !strcmp(content_category_at(b, c)->id, p->category))
				break;
		if (c == content_category_count(b))
			return false;
		snprintf(extra, sizeof extra, "tap @list.item.%zu\n", c + 1);
		tile = "home.policies";
		screen = "policy.page";
		break;
	}
	default: return false;
	}
	n = content_select(b, p->type, p->type == CONTENT_POLICY ? p->category : NULL, now, list, 512);
	for (size_t i = 0; i < n && i < 512; i++)
		if (list[i] == p)
			at = i + 1;
	if (!at)
		return false;
	snprintf(out, outlen, "tap @%s\n%stap @list.item.%zu\nexpect-screen %s\n", tile, extra, at, screen);
	return true;
}

static void iso(int64_t t, char out[32])
{
	int y, mo, d, h, mi;
	clock_civil(t, 0, &y, &mo, &d, &h, &mi, NULL);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:00Z", y, mo, d, h, mi);
}

static bool write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	bool ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

static void rm_rf(const char *path)
{
	/* only ever called on folders this file made under work_dir */
	pid_t pid;
	char *argv[] = {"rm", "-rf", "--", (char *)path, NULL};
	if (posix_spawnp(&pid, "rm", NULL, NULL, argv, environ) == 0)
		waitpid(pid, NULL, 0);
}

tt_err preview_run(const preview_req *r, preview_shot shots[2], char *note, size_t notelen, draft_err *e)
{
	char bundle[PATH_LEN], path[PATH_LEN], why[1024], steps[512], now_env[64] = "";
	content_bundle *b = NULL;
	pid_t pids[2] = {0, 0};
	tt_err rc = TT_ERR_INVAL;
	note[0] = '\0';

	if (mkdir(r->work_dir, 0755) != 0 && errno != EEXIST)
		return draft_fail(e, 500, "", "Không tạo được thư mục xem trước.", "%s: %s", r->work_dir, strerror(errno));
	snprintf(bundle, sizeof bundle, "%s/bundle", r->work_dir);
	rm_rf(bundle);
	/* the one line below says the first fault; the loader's own warnings
	 * for each would repeat it (as in bundle build) */
	tt_log_set_level(TT_LOG_ERROR);
	rc = bundle_build(r->draft_dir, bundle, r->channel, 1, 0, why, sizeof why);
	tt_log_set_level(TT_LOG_WARN);
	if (rc != TT_OK)
		return draft_fail(e, 400, "", "Bản nháp chưa đóng gói được; sửa lỗi này trước.", "%s", why);

	int64_t now = clock_now();
	b = content_load(bundle);
	const content_page *p = b ? content_page_find(b, r->page_id) : NULL;
	if (!p) {
		rc = draft_fail(e, 404, "id", "Không có trang này.", "no page '%.64s'", r->page_id);
		goto out;
	}
	if (p->type == CONTENT_NOTICE && p->has_posting && (now < p->post_from || now > p->post_to)) {
		int64_t day = now < p->post_from ? p->post_from : p->post_to - (86400 - 1);
		/* post_from is local midnight: 09:00 local that day */
		now = day + 9 * 3600;
		char t[32];
		iso(now, t);
		snprintf(now_env, sizeof now_env, "TRAMTIN_NOW=%s", t);
		int y, mo, d;
		clock_civil(now, CLOCK_TZ_VN_MIN, &y, &mo, &d, NULL, NULL, NULL);
		snprintf(note, notelen, "%02d/%02d/%04d", d, mo, y);
	}
	if (!route(b, p, now, steps, sizeof steps)) {
		rc = draft_fail(e, 400, "type", "Máy không có màn hình nào hiện loại trang này.",
		                "the kiosk has no screen that lists this page (type or category)");
		goto out;
	}
	const char *slash = strchr(r->channel, '/');
	char province[40], commune[40];
	snprintf(province, sizeof province, "%.*s", slash ? (int)(slash - r->channel) : (int)strlen(r->channel),
	         r->channel);
	snprintf(commune, sizeof commune, "%s", slash ? slash + 1 : "preview");

	/* environment: ours, without a TRAMTIN_NOW of our own, plus theirs */
	size_t ne = 0;
	while (environ[ne])
		ne++;
	char **env = calloc(ne + 2, sizeof *env);
	if (!env) {
		rc = draft_fail(e, 500, "", "Hết bộ nhớ.", "out of memory");
		goto out;
	}
	size_t k = 0;
	for (size_t i = 0; i < ne; i++)
		if (strncmp(environ[i], "TRAMTIN_NOW=", 12) != 0 || !now_env[0])
			env[k++] = environ[i];
	if (now_env[0])
		env[k++] = now_env;

	for (int s = 0; s < 2; s++) {
		char dir[PATH_LEN + 64], ini[PATH_LEN + 96], script[PATH_LEN + 96], log[PATH_LEN + 96], size[32],
		    text[PATH_LEN * 3];
		snprintf(dir, sizeof dir, "%s/%s", r->work_dir, shapes[s].name);
		rm_rf(dir);
		mkdir(dir, 0755);
		shots[s].w = shapes[s].w;
		shots[s].h = shapes[s].h;
		snprintf(shots[s].file, sizeof shots[s].file, "%s-%s-%dx%d.png", r->page_id, r->lang, shapes[s].w,
		         shapes[s].h);
		snprintf(path, sizeof path, "%s/%s", r->work_dir, shots[s].file);
		unlink(path);
		snprintf(ini, sizeof ini, "%s/kiosk.ini", dir);
		snprintf(text, sizeof text,
		         "; made by tramtin-admin console for one preview\n[kiosk]\nid = preview\nprovince = %s\ncommune = "
		         "%s\nlang = %s\n[content]\ndir = %s\n[state]\ndir = %s/state\n",
		         province, commune, r->lang, bundle, dir);
		snprintf(script, sizeof script, "%s/preview.script", dir);
		bool ok = write_text(ini, text);
		snprintf(text, sizeof text, "expect-screen home\n%sscreenshot %s\n", steps, path);
		ok = ok && write_text(script, text);
		if (!ok) {
			rc = draft_fail(e, 500, "", "Không ghi được tệp xem trước.", "%s: cannot write", dir);
			free(env);
			goto wait;
		}
		snprintf(size, sizeof size, "%dx%d", shapes[s].w, shapes[s].h);
		snprintf(log, sizeof log, "%s/kiosk.log", dir);
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
		char *argv[] = {(char *)r->tramtin, "--headless", "--size", size, "--config", ini, "--script", script, NULL};
		/* the console blocks SIGINT and SIGTERM to wait for them; the
		 * kiosk gets the default mask back */
		posix_spawnattr_t at;
		sigset_t none;
		sigemptyset(&none);
		posix_spawnattr_init(&at);
		posix_spawnattr_setsigmask(&at, &none);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
		int err = posix_spawn(&pids[s], r->tramtin, &fa, &at, argv, env);
		posix_spawnattr_destroy(&at);
		posix_spawn_file_actions_destroy(&fa);
		if (err) {
			pids[s] = 0;
			rc = draft_fail(e, 500, "", "Không chạy được chương trình của máy (tramtin).", "%s: cannot run: %s",
			                r->tramtin, strerror(err));
			free(env);
			goto wait;
		}
	}
	free(env);
	rc = TT_OK;
wait:
	for (int s = 0; s < 2; s++) {
		int st = 0;
		if (!pids[s])
			continue;
		time_t until = time(NULL) + PREVIEW_TIMEOUT_S;
		pid_t got;
		while ((got = waitpid(pids[s], &st, WNOHANG)) == 0 && time(NULL) < until) {
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		if (got == 0) {
			kill(pids[s], SIGKILL);
			waitpid(pids[s], &st, 0);
			if (rc == TT_OK)
				rc = draft_fail(e, 500, "", "Máy vẽ trang quá lâu.", "the kiosk took more than %d s to draw the page",
				                PREVIEW_TIMEOUT_S);
			continue;
		}
		struct stat sb;
		snprintf(path, sizeof path, "%s/%s", r->work_dir, shots[s].file);
		if (rc == TT_OK && (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || stat(path, &sb) != 0)) {
			char log[PATH_LEN], line[300] = "";
			snprintf(log, sizeof log, "%s/%s/kiosk.log", r->work_dir, shapes[s].name);
			FILE *f = fopen(log, "r");
			if (f) { /* the last line says what went wrong */
				char l[300];
				while (fgets(l, sizeof l, f))
					snprintf(line, sizeof line, "%s", l);
				fclose(f);
				line[strcspn(line, "\n")] = '\0';
			}
			rc = draft_fail(e, 500, "", "Máy không vẽ được trang này.", "the kiosk (%s) failed: %s", shapes[s].name,
			                line[0] ? line : "no screenshot");
		}
	}
out:
	content_free(b);
	return rc;
}
