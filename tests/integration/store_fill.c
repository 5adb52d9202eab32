/* store_fill.c - fills a collector store with realistic submissions for
 * the command-line test (cli.sh) and for trying the command line by hand.
 *
 * N records, the same for the same seed: feedback, complaints (most
 * anonymous: no contact, the day only), objections to notices and
 * surveys, from four communes of Hà Tĩnh over the 40 days before now
 * (clock_now(): TRAMTIN_NOW in tests), with Vietnamese texts (some with
 * commas and quotes, for CSV), ratings, tracking-code hashes, and a
 * follow-up history: some accepted, assigned, answered, closed or not
 * accepted, at past times, so reports have response times and overdue
 * items.  Prints one line per record: "id kind status anonymous|named".
 * usage: store_fill DB N [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/clock.h"
#include "tramtin/code.h"
#include "tramtin/crypto.h"
#include "tramtin/store.h"

#define DAY 86400

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: the same records for the same seed, on any libc */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static const char *const communes[] = {"cam-binh", "cam-thanh", "thach-ha", "ky-anh"};
static const char *const feedback_cats[] = {"policy", "support", "officials", "suggestion", "praise", "other"};
static const char *const complaint_cats[] = {"review", "targeting", "officials", "corruption", "other"};
static const char *const texts[] = {
    "Đường vào thôn Bắc bị sạt lở, đề nghị xã sớm sửa chữa.",
    "Gia đình tôi thuộc hộ cận nghèo nhưng chưa được hỗ trợ thẻ bảo hiểm y tế.",
    "Cán bộ tiếp dân rất nhiệt tình, hướng dẫn \"tận tình\", chu đáo.",
    "Danh sách hộ nghèo niêm yết có hộ ông Nguyễn Văn A, nhà có ô tô, đề nghị xem xét lại.",
    "Xin hỏi điều kiện vay vốn ưu đãi cho hộ mới thoát nghèo?",
    "Tiền hỗ trợ làm nhà chậm 3 tháng, bà con rất mong.",
    "Đề nghị mở lớp dạy nghề may cho phụ nữ, thời gian buổi tối.",
    "Thôn Trung chưa có điện chiếu sáng; đêm đi lại khó khăn, nguy hiểm.",
    "Việc bình xét hộ nghèo ở xóm 5 chưa công khai, minh bạch.",
    "Cảm ơn xã đã hỗ trợ giống lúa kịp thời vụ.",
};
static const char *const answers[] = {
    "Xã đã kiểm tra và bổ sung tên vào danh sách.",
    "UBND xã đã giao Phòng Kinh tế khắc phục trong tháng này.",
    "Cảm ơn ý kiến của bà con; xã sẽ tổ chức lớp học từ tháng sau.",
};
static const char *const names[] = {"Nguyễn Thị Hoa", "Trần Văn Bình", "Lê Thị Mai", "Phạm Đức Long"};

static int die(const char *what, tt_err e)
{
	fprintf(stderr, "store_fill: %s: %s\n", what, tt_strerror(e));
	return 1;
}

/* A random v4 UUID from the seeded generator. */
static void uuid(char out[40])
{
	uint64_t a = rnd(), b = rnd();
	snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
	         (unsigned)a & 0xfff, 0x8000u | ((unsigned)(b >> 48) & 0x3fff),
	         (unsigned long long)(b & 0xffffffffffffull));
}

/* A tracking code from the seeded generator (real ones use libsodium's). */
static void fake_code(char out[CODE_LEN + 1])
{
	static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	for (int i = 0; i < CODE_LEN; i++)
		out[i] = crockford[pick(32)];
	out[CODE_LEN] = '\0';
}

/* Moves a record along its follow-up at past times; returns its status. */
static const char *follow_up(store *s, const store_record *r, int64_t now)
{
	int64_t t = r->received + (int64_t)(1 + pick(4)) * DAY;
	store_change c;
	unsigned fate = pick(10);

	if (t >= now || fate < 4) /* received, waiting (some overdue) */
		return "received";
	if (fate == 4 && strcmp(r->kind, "complaint") == 0) {
		store_set_status(s, r->id, ST_NOT_ACCEPTED, OUT_NONE, "Không thuộc thẩm quyền của xã.", NULL,
		                 "cli:fill", t);
		return "not_accepted";
	}
	store_change_init(&c, "cli:fill", t);
	c.to = ST_ACCEPTED;
	c.complex = fate == 5;
	store_update(s, r->id, &c);
	if (fate <= 6) {
		t += DAY;
		if (t < now)
			store_set_status(s, r->id, ST_ASSIGNED, OUT_NONE, NULL, "UBND xã Cẩm Bình", "cli:fill", t);
		return t < now ? "assigned" : "accepted";
	}
	t += (int64_t)(1 + pick(6)) * DAY;
	if (t >= now)
		return "accepted";
	store_respond(s, r->id, answers[pick(3)], -1, "cli:fill", t);
	if (fate == 9 && t + DAY < now) {
		store_set_status(s, r->id, ST_CLOSED, OUT_RESOLVED, NULL, NULL, "cli:fill", t + DAY);
		return "closed";
	}
	return "responded";
}

int main(int argc, char **argv)
{
	char err[512], code[CODE_LEN + 1];
	long n;
	store *s;
	tt_err e;

	if (argc < 3 || argc > 4 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: store_fill DB N [SEED]\n");
		return 2;
	}
	rng_state = argc == 4 ? strtoull(argv[3], NULL, 10) * 2654435761ull + 1 : 88172645463325252ull;
	if (crypto_init() != TT_OK)
		return die("libsodium", TT_ERR_CRYPTO);
	if (!(s = store_open_sqlite(argv[1], err, sizeof err))) {
		fprintf(stderr, "store_fill: %s\n", err);
		return 1;
	}
	int64_t now = clock_now();
	store_record *recs = calloc((size_t)n, sizeof *recs);
	if (!recs)
		return die("records", TT_ERR_NOMEM);

	/* the kiosks' batches, as the daemon stores them */
	if ((e = store_begin(s)) != TT_OK)
		return die("begin", e);
	for (long i = 0; i < n; i++) {
		store_record *r = &recs[i];
		static const char *const kinds[] = {"feedback",  "feedback",  "complaint",
		                                    "complaint", "objection", "survey"};
		const char *kind = kinds[pick(6)];
		unsigned commune = pick(4);
		bool inserted;

		uuid(r->id);
		snprintf(r->province, sizeof r->province, "ht");
		snprintf(r->commune, sizeof r->commune, "%s", communes[commune]);
		snprintf(r->kiosk, sizeof r->kiosk, "ht-%s-%02u", communes[commune], 1 + pick(2));
		snprintf(r->kind, sizeof r->kind, "%s", kind);
		snprintf(r->lang, sizeof r->lang, "%s", pick(8) ? "vi" : "en");
		r->received = now - (int64_t)pick(40 * DAY);
		r->created = r->received - 2 - pick(30);
		r->text = (char *)texts[pick(sizeof texts / sizeof texts[0])];
		if (strcmp(kind, "feedback") == 0) {
			snprintf(r->category, sizeof r->category, "%s", feedback_cats[pick(6)]);
			r->rating = 1 + (int)pick(5);
		} else if (strcmp(kind, "complaint") == 0) {
			snprintf(r->category, sizeof r->category, "%s", complaint_cats[pick(5)]);
		} else if (strcmp(kind, "objection") == 0) {
			snprintf(r->ref, sizeof r->ref, "notice-ho-ngheo-2026");
		} else {
			snprintf(r->category, sizeof r->category, "%s", "policy");
			r->rating = 1 + (int)pick(5);
			r->text = NULL;
		}
		/* a complaint keeps its contact only if the citizen chose to */
		bool named = strcmp(kind, "complaint") == 0 ? pick(4) == 0 : pick(2) == 0;
		if (named) {
			r->contact_name = (char *)names[pick(4)];
			r->contact_phone = "0912 345 678";
		}
		if (strcmp(kind, "complaint") == 0 && !named)
			r->created -= r->created % DAY; /* the kiosk sends the day only */
		fake_code(code);
		code_hash(code, r->code_hash);
		r->status = ST_RECEIVED;
		if ((e = store_add(s, r, &inserted)) != TT_OK)
			return die("add", e);
		if ((i + 1) % 500 == 0 && ((e = store_commit(s)) != TT_OK || (e = store_begin(s)) != TT_OK))
			return die("commit", e);
	}
	if ((e = store_commit(s)) != TT_OK)
		return die("commit", e);
	/* the follow-up too in batches: one commit per change would take hours for a million */
	if ((e = store_begin(s)) != TT_OK)
		return die("begin", e);
	for (long i = 0; i < n; i++) {
		const store_record *r = &recs[i];
		const char *status = follow_up(s, r, now);
		printf("%s %s %s %s\n", r->id, r->kind, status, store_is_anonymous(r) ? "anonymous" : "named");
		if ((i + 1) % 500 == 0 && ((e = store_commit(s)) != TT_OK || (e = store_begin(s)) != TT_OK))
			return die("commit", e);
	}
	if ((e = store_commit(s)) != TT_OK)
		return die("commit", e);
	free(recs); /* the strings are the static pools' */
	store_close(s);
	return 0;
}
