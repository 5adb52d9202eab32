/* fuzz_page.c - fuzz target for a content page: Markdown (mdoc_parse) to
 * the blocks the kiosk lays out.  Beyond not crashing, leaking or reading
 * out of bounds, every block must hold what the page view relies on: its
 * text valid UTF-8 and text_len its length, each run between span edges
 * in NFC (a combining mark styled apart from its base stays apart), spans inside the text,
 * in order and not overlapping, a list depth in 1..8 for items and 0
 * otherwise, an image with a source.  libFuzzer target; with
 * -DFUZZ_STANDALONE standalone.c gives it a main(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/markdown.h"
#include "tramtin/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void bad(const char *what, size_t i)
{
	fprintf(stderr, "fuzz_page: block %zu: %s\n", i, what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	mdoc *d = NULL;
	tt_err rc = mdoc_parse((const char *)data, size, &d);
	if (rc != TT_OK) {
		if (d)
			bad("a document after an error", 0);
		if (rc == TT_ERR_PARSE && text_valid((const char *)data, size))
			bad("valid UTF-8 refused", 0);
		return 0;
	}
	for (size_t i = 0; i < d->n_blocks; i++) {
		const mdoc_block *b = &d->blocks[i];
		if (!b->text || strlen(b->text) != b->text_len)
			bad("text_len is not the text's length", i);
		if (!text_valid(b->text, b->text_len))
			bad("text is not valid UTF-8", i);
		size_t end = 0;
		for (size_t k = 0; k <= b->n_spans; k++) {
			const mdoc_span *s = k < b->n_spans ? &b->spans[k] : NULL;
			if (s && (s->start < end || s->len == 0 || s->start > b->text_len || s->len > b->text_len - s->start))
				bad("a span outside the text or out of order", i);
			/* the run before the span, then the span */
			size_t from = end, to = s ? s->start : b->text_len;
			for (int r = 0; r < 2; r++) {
				char *nfc = text_nfc(b->text + from, to - from);
				if (!nfc || strlen(nfc) != to - from || memcmp(nfc, b->text + from, to - from) != 0)
					bad("a run of text is not NFC", i);
				free(nfc);
				if (!s)
					break;
				from = s->start;
				to = end = s->start + s->len;
			}
		}
		if (b->kind == MDOC_LI ? b->depth < 1 || b->depth > 8 : b->depth != 0)
			bad("list depth out of range", i);
		if ((b->kind == MDOC_IMG) != (b->src != NULL))
			bad("image source", i);
	}
	mdoc_free(d);
	return 0;
}
