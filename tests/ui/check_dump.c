/* check_dump.c - checks on the widget dumps of UI scripts.
 *
 *   check_dump targets DUMP.json...   every visible tappable widget is at
 *       least 80x80 logical px (20 mm on a 21.5-inch 1080p panel), two
 *       tappable widgets are at least 10 px apart, and every widget that
 *       is not a scroll area has a label; no widget's words were cut
 *       ("clipped") and none reaches past the screen's edge unless it
 *       scrolls (inside the scroll area's content); the focus order
 *       (Tab) holds every enabled target once and never goes back up the
 *       screen by more than a row's slack (24 px)
 *   check_dump idle A.json B.json     no frame was drawn between two dumps
 *
 * Exit status 0 when all holds, 1 otherwise (one line per fault). */
#include <cJSON.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *load(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "check_dump: cannot open %s\n", path);
		exit(2);
	}
	static char buf[4 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	cJSON *j = cJSON_Parse(buf);
	if (!j) {
		fprintf(stderr, "check_dump: %s is not JSON\n", path);
		exit(2);
	}
	return j;
}

static int num(const cJSON *o, const char *k)
{
	return (int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, k));
}

static const char *str(const cJSON *o, const char *k)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
	return s ? s : "";
}

static int tappable(const cJSON *w)
{
	const char *role = str(w, "role");
	return cJSON_IsTrue(cJSON_GetObjectItem(w, "visible")) &&
	       (!strcmp(role, "button") || !strcmp(role, "tile") || !strcmp(role, "item") || !strcmp(role, "key") ||
	        !strcmp(role, "field"));
}

static int targets(const char *path)
{
	cJSON *j = load(path);
	const cJSON *ws = cJSON_GetObjectItem(j, "widgets"), *a, *b;
	int faults = 0, count = 0, sw = num(j, "width"), sh = num(j, "height");
	const cJSON *scroll = NULL;
	cJSON_ArrayForEach(a, ws) if (!strcmp(str(a, "role"), "scroll-content")) scroll = a;
	cJSON_ArrayForEach(a, ws) {
		if (strcmp(str(a, "role"), "scroll-content") && !*str(a, "label")) {
			fprintf(stderr, "%s: widget @%s has no label\n", path, str(a, "id"));
			faults++;
		}
		if (cJSON_IsTrue(cJSON_GetObjectItem(a, "clipped"))) {
			fprintf(stderr, "%s: @%s (\"%s\") does not fit: its words are cut\n", path, str(a, "id"), str(a, "label"));
			faults++;
		}
		int x = num(a, "x"), y = num(a, "y"), w = num(a, "w"), h = num(a, "h");
		bool scrolls = scroll && a != scroll && x >= num(scroll, "x") && y >= num(scroll, "y") &&
		               x + w <= num(scroll, "x") + num(scroll, "w") && y + h <= num(scroll, "y") + num(scroll, "h");
		if (sw && cJSON_IsTrue(cJSON_GetObjectItem(a, "visible")) && strcmp(str(a, "role"), "scroll-content") &&
		    !scrolls && (x < 0 || y < 0 || x + w > sw || y + h > sh)) {
			fprintf(stderr, "%s: @%s (\"%s\") at %d,%d %dx%d reaches past the %dx%d screen\n", path, str(a, "id"),
			        str(a, "label"), x, y, w, h, sw, sh);
			faults++;
		}
		if (!tappable(a))
			continue;
		count++;
		if (num(a, "w") < 80 || num(a, "h") < 80) {
			fprintf(stderr, "%s: @%s (\"%s\") is %dx%d, smaller than 80x80\n", path, str(a, "id"), str(a, "label"),
			        num(a, "w"), num(a, "h"));
			faults++;
		}
		cJSON_ArrayForEach(b, ws) {
			if (b == a || !tappable(b) || strcmp(str(a, "id"), str(b, "id")) >= 0)
				continue;
			int ax = num(a, "x"), ay = num(a, "y"), aw = num(a, "w"), ah = num(a, "h");
			int bx = num(b, "x"), by = num(b, "y"), bw = num(b, "w"), bh = num(b, "h");
			int gx = bx >= ax + aw ? bx - (ax + aw) : ax >= bx + bw ? ax - (bx + bw) : -1;
			int gy = by >= ay + ah ? by - (ay + ah) : ay >= by + bh ? ay - (by + bh) : -1;
			int gap = gx > gy ? gx : gy;
			/* targets cut by the scroll view's edge do not count */
			if (gap < 10) {
				fprintf(stderr, "%s: @%s and @%s are %d px apart (at least 10)\n", path, str(a, "id"), str(b, "id"),
				        gap);
				faults++;
			}
		}
	}
	/* focus order: complete, and in reading order */
	const cJSON *order = cJSON_GetObjectItem(j, "focus_order"), *o;
	int prev_y = INT_MIN / 2, in_order = 0;
	const char *prev_id = "";
	cJSON_ArrayForEach(o, order) {
		const cJSON *w = NULL;
		cJSON_ArrayForEach(a, ws) if (!strcmp(str(a, "id"), cJSON_GetStringValue(o))) w = a;
		if (!w) {
			fprintf(stderr, "%s: focus order names @%s, which is not on screen\n", path, cJSON_GetStringValue(o));
			faults++;
			continue;
		}
		in_order++;
		if (num(w, "y") < prev_y - 24) {
			fprintf(stderr, "%s: focus goes back up from @%s (y %d) to @%s (y %d)\n", path, prev_id, prev_y, str(w, "id"),
			        num(w, "y"));
			faults++;
		}
		prev_y = num(w, "y");
		prev_id = str(w, "id");
	}
	int enabled = 0;
	cJSON_ArrayForEach(a, ws) if (tappable(a) && !cJSON_IsFalse(cJSON_GetObjectItem(a, "enabled"))) enabled++;
	if (order && in_order != enabled) {
		fprintf(stderr, "%s: focus order has %d targets, the screen %d\n", path, in_order, enabled);
		faults++;
	}
	printf("%s: %d touch targets checked, %d fault(s)\n", path, count, faults);
	cJSON_Delete(j);
	return faults;
}

/* No widget label of the dump contains text: what was typed is gone. */
static int absent(const char *path, const char *text)
{
	cJSON *d = load(path);
	int faults = d ? 0 : 1;
	const cJSON *w;
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(d, "widgets")) {
		const char *label = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "label"));
		if (label && strstr(label, text)) {
			fprintf(stderr, "check_dump: %s: '%s' is still on screen: %s\n", path, text, label);
			faults++;
		}
	}
	cJSON_Delete(d);
	return faults;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "targets")) {
		int faults = 0;
		for (int i = 2; i < argc; i++)
			faults += targets(argv[i]);
		return faults ? 1 : 0;
	}
	if (argc == 4 && !strcmp(argv[1], "absent"))
		return absent(argv[2], argv[3]) ? 1 : 0;
	if (argc == 4 && !strcmp(argv[1], "idle")) {
		cJSON *a = load(argv[2]), *b = load(argv[3]);
		int fa = num(a, "frames"), fb = num(b, "frames");
		cJSON_Delete(a);
		cJSON_Delete(b);
		if (fa != fb) {
			fprintf(stderr, "check_dump: %d frame(s) drawn while nothing changed\n", fb - fa);
			return 1;
		}
		printf("check_dump: no frame drawn while idle\n");
		return 0;
	}
	fprintf(stderr, "usage: check_dump targets DUMP.json... | check_dump idle A.json B.json\n");
	return 2;
}
