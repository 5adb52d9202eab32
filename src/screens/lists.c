/* lists.c - list screens: policy categories, pages of a category,
 * campaign items and notices.  Each row is a list.item.N widget (from 1),
 * the contract automation scripts rely on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/clock.h"
#include "screens/screens.h"

#define MAX_ROWS 256

int screens_item_index(const char *id)
{
	if (strncmp(id, "list.item.", 10) != 0)
		return 0;
	return atoi(id + 10);
}

void screens_date(int64_t t, char *out, size_t len)
{
	int y, m, d;
	clock_civil(t, CLOCK_TZ_VN_MIN, &y, &m, &d, NULL, NULL, NULL);
	snprintf(out, len, "%02d/%02d/%04d", d, m, y);
}

static void posting_text(const content_page *p, char *out, size_t len)
{
	char from[16], to[16];
	if (!p->has_posting) {
		out[0] = '\0';
		return;
	}
	screens_date(p->post_from, from, sizeof from);
	screens_date(p->post_to, to, sizeof to);
	snprintf(out, len, _("Posted from %s to %s"), from, to);
}

static int row_height(ui *u)
{
	return u->portrait ? 250 : 220;
}

void screens_page_list(ui *u, SDL_Rect r, const content_page *const *pages, size_t n, const char *empty_text)
{
	if (n == 0) {
		ui_label(u, "list.empty", FACE_REGULAR, 40, u->theme.muted, r.x, r.y, r.w, empty_text);
		return;
	}
	int rh = row_height(u), gap = 20;
	int scroll = *ui_scroll(u);
	ui_scroll_begin(u, r);
	int total = (int)n * (rh + gap) - gap;
	int w = total > r.h ? r.w - 150 : r.w; /* room for the scroll buttons */
	for (size_t i = 0; i < n; i++) {
		char id[32], meta[128];
		snprintf(id, sizeof id, "list.item.%zu", i + 1);
		posting_text(pages[i], meta, sizeof meta);
		tt_lang l = i18n_lang();
		ui_list_item(u, id, content_tr(&pages[i]->title, l), content_tr(&pages[i]->summary, l), meta,
		             (SDL_Rect){r.x, r.y + (int)i * (rh + gap) - scroll, w, rh});
	}
	ui_scroll_end(u, total);
}

/* --- policy categories ------------------------------------------------- */

static void categories_draw(ui *u)
{
	SDL_Rect r = ui_chrome(u, _("Policies"), true);
	size_t n = content_category_count(u->bundle);
	if (n == 0) {
		ui_label(u, "list.empty", FACE_REGULAR, 40, u->theme.muted, r.x, r.y, r.w,
		         _("No information yet. Please ask the commune staff."));
		return;
	}
	int rh = row_height(u), gap = 20, scroll = *ui_scroll(u);
	int total = (int)n * (rh + gap) - gap, w = total > r.h ? r.w - 150 : r.w;
	ui_scroll_begin(u, r);
	tt_lang l = i18n_lang();
	for (size_t i = 0; i < n; i++) {
		const content_category *c = content_category_at(u->bundle, i);
		char id[32], meta[64];
		size_t count = content_select(u->bundle, CONTENT_POLICY, c->id, u->now, NULL, 0);
		snprintf(id, sizeof id, "list.item.%zu", i + 1);
		snprintf(meta, sizeof meta, ngettext("%zu page", "%zu pages", count), count);
		ui_list_item(u, id, content_tr(&c->title, l), content_tr(&c->summary, l), meta,
		             (SDL_Rect){r.x, r.y + (int)i * (rh + gap) - scroll, w, rh});
	}
	ui_scroll_end(u, total);
}

static bool categories_activate(ui *u, const char *id)
{
	int i = screens_item_index(id);
	const content_category *c = i > 0 ? content_category_at(u->bundle, (size_t)i - 1) : NULL;
	if (!c)
		return false;
	ui_go(u, "policy.list", c->id);
	return true;
}

const ui_screen screen_policy_categories = {
	.id = "policy.categories", .draw = categories_draw, .activate = categories_activate};

/* --- pages of one type ---------------------------------------------------- */

struct list_kind {
	content_type type;
	const char *page_screen;
};

static size_t select_pages(ui *u, content_type type, const char *category, const content_page **out)
{
	size_t n = content_select(u->bundle, type, category, u->now ? u->now : clock_now(), out, MAX_ROWS);
	return n < MAX_ROWS ? n : MAX_ROWS;
}

static const char *category_title(ui *u, const char *id)
{
	for (size_t i = 0; i < content_category_count(u->bundle); i++) {
		const content_category *c = content_category_at(u->bundle, i);
		if (strcmp(c->id, id) == 0)
			return content_tr(&c->title, i18n_lang());
	}
	return _("Policies");
}

static void policy_list_draw(ui *u)
{
	const content_page *pages[MAX_ROWS];
	size_t n = select_pages(u, CONTENT_POLICY, ui_arg(u), pages);
	SDL_Rect r = ui_chrome(u, category_title(u, ui_arg(u)), true);
	screens_page_list(u, r, pages, n, _("No information yet. Please ask the commune staff."));
}

static bool open_item(ui *u, content_type type, const char *category, const char *screen, const char *id)
{
	const content_page *pages[MAX_ROWS];
	size_t n = select_pages(u, type, category, pages);
	int i = screens_item_index(id);
	if (i < 1 || (size_t)i > n)
		return false;
	ui_go(u, screen, pages[i - 1]->id);
	return true;
}

static bool policy_list_activate(ui *u, const char *id)
{
	return open_item(u, CONTENT_POLICY, ui_arg(u), "policy.page", id);
}

const ui_screen screen_policy_list = {.id = "policy.list", .draw = policy_list_draw, .activate = policy_list_activate};

static void campaign_draw(ui *u)
{
	const content_page *pages[MAX_ROWS];
	size_t n = select_pages(u, CONTENT_CAMPAIGN, NULL, pages);
	SDL_Rect r = ui_chrome(u, _("Campaigns"), true);
	screens_page_list(u, r, pages, n, _("No campaign at the moment."));
}

static bool campaign_activate(ui *u, const char *id)
{
	return open_item(u, CONTENT_CAMPAIGN, NULL, "campaign.page", id);
}

const ui_screen screen_campaign = {.id = "campaign", .draw = campaign_draw, .activate = campaign_activate};

static void notice_list_draw(ui *u)
{
	const content_page *pages[MAX_ROWS];
	size_t n = select_pages(u, CONTENT_NOTICE, NULL, pages);
	SDL_Rect r = ui_chrome(u, _("Notices"), true);
	screens_page_list(u, r, pages, n, _("No notice is posted at the moment."));
}

static bool notice_list_activate(ui *u, const char *id)
{
	return open_item(u, CONTENT_NOTICE, NULL, "notice.page", id);
}

const ui_screen screen_notice_list = {.id = "notice.list", .draw = notice_list_draw, .activate = notice_list_activate};
