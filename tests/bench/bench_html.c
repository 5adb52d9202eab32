/* bench_html.c - writes a content page as a self-contained HTML page that
 * looks like the kiosk's (same text, fonts, sizes, QR code as inline SVG),
 * so scripts/bench can time Chromium showing a comparable page.
 * usage: bench_html BUNDLE_DIR PAGE_ID OUT.html */
#include <stdio.h>
#include <string.h>

#include "tramtin/content.h"
#include "tramtin/qr.h"

static void esc(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		default: fputc(s[i], f);
		}
	}
}

static void runs(FILE *f, const mdoc_block *b)
{
	size_t pos = 0;
	for (size_t i = 0; i < b->n_spans; i++) {
		const mdoc_span *sp = &b->spans[i];
		esc(f, b->text + pos, sp->start - pos);
		fputs(sp->style & MDOC_BOLD ? "<b>" : "<span>", f);
		esc(f, b->text + sp->start, sp->len);
		fputs(sp->style & MDOC_BOLD ? "</b>" : "</span>", f);
		pos = sp->start + sp->len;
	}
	esc(f, b->text + pos, b->text_len - pos);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: bench_html BUNDLE_DIR PAGE_ID OUT.html\n");
		return 2;
	}
	content_bundle *b = content_load(argv[1]);
	const content_page *p = content_page_find(b, argv[2]);
	const mdoc *d = p ? content_page_doc(b, p, LANG_VI) : NULL;
	FILE *f = fopen(argv[3], "w");
	if (!d || !f) {
		fprintf(stderr, "bench_html: cannot write page %s\n", argv[2]);
		return 1;
	}
	fputs("<!doctype html><html lang=vi><meta charset=utf-8><style>"
	      "body{margin:0;background:#f6f3ec;font-family:'Noto Sans';color:#1c1c1e}"
	      "header{height:132px;background:#a61f24;display:flex;gap:20px;align-items:center;padding:0 24px}"
	      "header button{height:100px;min-width:300px;font:bold 36px 'Noto Sans';border-radius:18px;border:3px solid #c8c2b8;background:#fff}"
	      "main{display:flex;gap:32px;padding:28px 48px}article{flex:1;height:800px;overflow:auto;font-size:38px;line-height:1.3}"
	      "h1{font-size:60px;margin:0 48px}h2{color:#a61f24;font-size:46px}aside{width:480px;background:#fff;border-radius:20px;padding:28px}"
	      "</style><header><button>Về trang chủ</button><button>Quay lại</button></header><h1>", f);
	esc(f, content_tr(&p->title, LANG_VI), strlen(content_tr(&p->title, LANG_VI)));
	fputs("</h1><main><article>", f);
	for (size_t i = 0; i < d->n_blocks; i++) {
		const mdoc_block *k = &d->blocks[i];
		const char *tag = k->kind == MDOC_H2 ? "h2" : k->kind == MDOC_H3 ? "h3" : k->kind == MDOC_LI ? "li" : "p";
		if (k->kind == MDOC_H1 || k->kind == MDOC_IMG || k->kind == MDOC_HR)
			continue;
		fprintf(f, "<%s>", tag);
		runs(f, k);
		fprintf(f, "</%s>\n", tag);
	}
	fputs("</article><aside><h3>Toàn văn văn bản</h3>", f);
	tt_qr q;
	if (p->doc_url && qr_encode(p->doc_url, &q) == TT_OK) {
		fprintf(f, "<svg width=420 height=420 viewBox='-4 -4 %d %d' shape-rendering=crispEdges><rect x=-4 y=-4 width=%d height=%d fill=#fff/>",
		        q.size + 8, q.size + 8, q.size + 8, q.size + 8);
		for (int y = 0; y < q.size; y++)
			for (int x = 0; x < q.size; x++)
				if (qr_dark(&q, x, y))
					fprintf(f, "<rect x=%d y=%d width=1 height=1/>", x, y);
		fputs("</svg>", f);
		qr_free(&q);
	}
	fputs("</aside></main></html>\n", f);
	fclose(f);
	content_free(b);
	return 0;
}
