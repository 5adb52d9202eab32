/* image.c - posters for the console: decode, turn upright, scale, encode.
 *
 * The console is the staff tool's web face and links no SDL, so images go
 * through the libraries SDL2_image itself sits on: libpng (its simplified
 * png_image API reads any PNG as 8-bit RGBA and writes one with no
 * ancillary chunks) and libjpeg (turbo).  A phone's photo is stored
 * sideways with an EXIF orientation tag; since the tag goes with the rest
 * of the metadata (which can carry the place the photo was taken), the
 * pixels are turned by it first.  Scaling down is an area average
 * (every source pixel weighs by how much of it an output pixel covers),
 * done one output row at a time over premultiplied colour, so memory is
 * one float row of the source besides the two images and a transparent
 * edge does not bleed dark.  Everything is checked against the size the
 * header claims before a pixel is decoded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h> /* after stdio.h: it uses FILE and size_t */
#include <png.h>

#include "admin/image.h"

#define JPEG_QUALITY 85

typedef struct rgba {
	unsigned char *px; /* w * h * 4, straight (not premultiplied) alpha */
	int w, h;
	bool alpha;        /* some pixel is not opaque */
} rgba;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void say(char *why, size_t len, const char *fmt, ...);

static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

static bool too_big(uint64_t w, uint64_t h)
{
	return w == 0 || h == 0 || w > 65535 || h > 65535 || w * h > ADMIN_IMAGE_MAX_PIXELS;
}

/* ---- PNG ---------------------------------------------------------------- */

static tt_err png_decode(const void *data, size_t len, rgba *img, char *why, size_t whylen)
{
	png_image pi;
	memset(&pi, 0, sizeof pi);
	pi.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&pi, data, len)) {
		say(why, whylen, "not a readable PNG: %s", pi.message);
		png_image_free(&pi);
		return TT_ERR_PARSE;
	}
	if (too_big(pi.width, pi.height)) {
		say(why, whylen, "the PNG is %ux%u pixels, more than %u million", (unsigned)pi.width,
		    (unsigned)pi.height, ADMIN_IMAGE_MAX_PIXELS / 1000000u);
		png_image_free(&pi);
		return TT_ERR_RANGE;
	}
	pi.format = PNG_FORMAT_RGBA;
	img->w = (int)pi.width;
	img->h = (int)pi.height;
	img->px = malloc(PNG_IMAGE_SIZE(pi));
	if (!img->px) {
		png_image_free(&pi);
		say(why, whylen, "out of memory");
		return TT_ERR_NOMEM;
	}
	if (!png_image_finish_read(&pi, NULL, img->px, 0, NULL)) {
		say(why, whylen, "a broken PNG: %s", pi.message);
		png_image_free(&pi);
		free(img->px);
		img->px = NULL;
		return TT_ERR_PARSE;
	}
	size_t n = (size_t)img->w * (size_t)img->h;
	for (size_t i = 0; i < n && !img->alpha; i++)
		img->alpha = img->px[i * 4 + 3] != 255;
	return TT_OK;
}

static tt_err png_encode(const rgba *img, admin_image *out, char *why, size_t whylen)
{
	png_image pi;
	png_alloc_size_t size = 0;
	unsigned char *rgb = NULL;
	const void *src = img->px;
	memset(&pi, 0, sizeof pi);
	pi.version = PNG_IMAGE_VERSION;
	pi.width = (png_uint_32)img->w;
	pi.height = (png_uint_32)img->h;
	pi.format = img->alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
	if (!img->alpha) { /* a quarter smaller without a channel that says nothing */
		size_t n = (size_t)img->w * (size_t)img->h;
		if (!(rgb = malloc(n * 3)))
			goto nomem;
		for (size_t i = 0; i < n; i++)
			memcpy(rgb + i * 3, img->px + i * 4, 3);
		src = rgb;
	}
	if (!png_image_write_get_memory_size(pi, size, 0, src, 0, NULL)) {
		say(why, whylen, "cannot encode the PNG: %s", pi.message);
		free(rgb);
		return TT_ERR_PARSE;
	}
	if (!(out->data = malloc(size)))
		goto nomem;
	if (!png_image_write_to_memory(&pi, out->data, &size, 0, src, 0, NULL)) {
		say(why, whylen, "cannot encode the PNG: %s", pi.message);
		free(out->data);
		out->data = NULL;
		free(rgb);
		return TT_ERR_PARSE;
	}
	out->len = size;
	out->ext = "png";
	free(rgb);
	return TT_OK;
nomem:
	free(rgb);
	say(why, whylen, "out of memory");
	return TT_ERR_NOMEM;
}

/* ---- JPEG --------------------------------------------------------------- */

typedef struct jerr {
	struct jpeg_error_mgr mgr;
	jmp_buf jump;
	char msg[JMSG_LENGTH_MAX];
} jerr;

static void on_jpeg_error(j_common_ptr c)
{
	jerr *e = (jerr *)c->err;
	c->err->format_message(c, e->msg);
	longjmp(e->jump, 1);
}

static void on_jpeg_message(j_common_ptr c, int level)
{
	(void)c;
	(void)level; /* warnings about a sloppy encoder are no reason to refuse */
}

static unsigned rd16(const unsigned char *p, bool le)
{
	return le ? (unsigned)p[0] | (unsigned)p[1] << 8 : (unsigned)p[0] << 8 | (unsigned)p[1];
}

static uint32_t rd32(const unsigned char *p, bool le)
{
	return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
	          : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The EXIF orientation (1..8) in an APP1 segment, or 1. */
static int exif_orientation(const unsigned char *d, size_t len)
{
	if (len < 14 || memcmp(d, "Exif\0\0", 6) != 0)
		return 1;
	const unsigned char *t = d + 6;
	size_t tl = len - 6;
	bool le;
	if (!memcmp(t, "II*\0", 4))
		le = true;
	else if (!memcmp(t, "MM\0*", 4))
		le = false;
	else
		return 1;
	uint32_t ifd = rd32(t + 4, le);
	if (ifd > tl - 2 || ifd < 8)
		return 1;
	unsigned n = rd16(t + ifd, le);
	for (unsigned i = 0; i < n; i++) {
		size_t e = (size_t)ifd + 2 + (size_t)i * 12;
		if (e + 12 > tl)
			return 1;
		if (rd16(t + e, le) == 0x0112 && rd16(t + e + 2, le) == 3) { /* SHORT */
			unsigned v = rd16(t + e + 8, le);
			return v >= 1 && v <= 8 ? (int)v : 1;
		}
	}
	return 1;
}

static tt_err jpeg_decode(const void *data, size_t len, rgba *img, int *orientation, char *why, size_t whylen)
{
	struct jpeg_decompress_struct c;
	jerr e;
	unsigned char *volatile px = NULL;
	memset(&c, 0, sizeof c);
	c.err = jpeg_std_error(&e.mgr);
	e.mgr.error_exit = on_jpeg_error;
	e.mgr.emit_message = on_jpeg_message;
	e.msg[0] = '\0';
	if (setjmp(e.jump)) {
		say(why, whylen, "a broken JPEG: %s", e.msg);
		jpeg_destroy_decompress(&c);
		free(px);
		return TT_ERR_PARSE;
	}
	jpeg_create_decompress(&c);
	jpeg_mem_src(&c, data, (unsigned long)len);
	jpeg_save_markers(&c, JPEG_APP0 + 1, 0xffff);
	jpeg_read_header(&c, TRUE);
	*orientation = 1;
	for (jpeg_saved_marker_ptr m = c.marker_list; m; m = m->next)
		if (m->marker == JPEG_APP0 + 1 && (*orientation = exif_orientation(m->data, m->data_length)) != 1)
			break;
	if (too_big(c.image_width, c.image_height)) {
		say(why, whylen, "the JPEG is %ux%u pixels, more than %u million", (unsigned)c.image_width,
		    (unsigned)c.image_height, ADMIN_IMAGE_MAX_PIXELS / 1000000u);
		jpeg_destroy_decompress(&c);
		return TT_ERR_RANGE;
	}
	c.out_color_space = JCS_EXT_RGBA; /* libjpeg-turbo: CMYK and grey come out as RGBA too */
	jpeg_start_decompress(&c);
	size_t w = c.output_width, h = c.output_height;
	if (!(px = malloc(w * h * 4))) {
		jpeg_destroy_decompress(&c);
		say(why, whylen, "out of memory");
		return TT_ERR_NOMEM;
	}
	while (c.output_scanline < c.output_height) {
		JSAMPROW row = px + (size_t)c.output_scanline * w * 4;
		jpeg_read_scanlines(&c, &row, 1);
	}
	jpeg_finish_decompress(&c);
	jpeg_destroy_decompress(&c);
	img->px = px;
	img->w = (int)w;
	img->h = (int)h;
	img->alpha = false;
	return TT_OK;
}

typedef struct membuf {
	unsigned char *data;
	unsigned long len;
} membuf;

static tt_err jpeg_encode(const rgba *img, admin_image *out, char *why, size_t whylen)
{
	struct jpeg_compress_struct c;
	jerr e;
	/* on the heap: libjpeg fills it, and it is read after a longjmp */
	membuf *mb = calloc(1, sizeof *mb);
	if (!mb) {
		say(why, whylen, "out of memory");
		return TT_ERR_NOMEM;
	}
	memset(&c, 0, sizeof c);
	c.err = jpeg_std_error(&e.mgr);
	e.mgr.error_exit = on_jpeg_error;
	e.mgr.emit_message = on_jpeg_message;
	if (setjmp(e.jump)) {
		say(why, whylen, "cannot encode the JPEG: %s", e.msg);
		jpeg_destroy_compress(&c);
		free(mb->data);
		free(mb);
		return TT_ERR_PARSE;
	}
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &mb->data, &mb->len);
	c.image_width = (JDIMENSION)img->w;
	c.image_height = (JDIMENSION)img->h;
	c.input_components = 4;
	c.in_color_space = JCS_EXT_RGBA;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, JPEG_QUALITY, TRUE);
	c.optimize_coding = TRUE;
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = img->px + (size_t)c.next_scanline * (size_t)img->w * 4;
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	out->data = mb->data;
	out->len = mb->len;
	out->ext = "jpg";
	free(mb);
	return TT_OK;
}

/* ---- turning and scaling -------------------------------------------------- */

/* img turned by EXIF orientation o (2..8) into a new buffer. */
static bool orient(rgba *img, int o)
{
	int w = img->w, h = img->h, nw = o >= 5 ? h : w, nh = o >= 5 ? w : h;
	unsigned char *px = malloc((size_t)w * (size_t)h * 4);
	if (!px)
		return false;
	for (int y = 0; y < nh; y++)
		for (int x = 0; x < nw; x++) {
			int sx, sy;
			switch (o) {
			case 2: sx = w - 1 - x; sy = y; break;
			case 3: sx = w - 1 - x; sy = h - 1 - y; break;
			case 4: sx = x; sy = h - 1 - y; break;
			case 5: sx = y; sy = x; break;
			case 6: sx = y; sy = h - 1 - x; break;
			case 7: sx = w - 1 - y; sy = h - 1 - x; break;
			case 8: sx = w - 1 - y; sy = x; break;
			default: sx = x; sy = y; break;
			}
			memcpy(px + ((size_t)y * (size_t)nw + (size_t)x) * 4, img->px + ((size_t)sy * (size_t)w + (size_t)sx) * 4,
			       4);
		}
	free(img->px);
	img->px = px;
	img->w = nw;
	img->h = nh;
	return true;
}

/* The weights of the source pixels [first, first + n) that output pixel i
 * of out covers, when n_in pixels map onto n_out. */
typedef struct span {
	int first, n;
	float *w;
} span;

static span *spans_new(int n_in, int n_out)
{
	span *s = calloc((size_t)n_out, sizeof *s);
	double scale = (double)n_in / n_out;
	if (!s)
		return NULL;
	for (int i = 0; i < n_out; i++) {
		double a = i * scale, b = (i + 1) * scale;
		int first = (int)a, last = (int)b;
		if (last >= n_in || (double)last == b)
			last--;
		if (last < first)
			last = first;
		s[i].first = first;
		s[i].n = last - first + 1;
		if (!(s[i].w = malloc((size_t)s[i].n * sizeof *s[i].w))) {
			for (int k = 0; k < i; k++)
				free(s[k].w);
			free(s);
			return NULL;
		}
		for (int k = 0; k < s[i].n; k++) {
			double lo = first + k > a ? first + k : a, hi = first + k + 1 < b ? first + k + 1 : b;
			s[i].w[k] = (float)((hi - lo) / scale);
		}
	}
	return s;
}

static void spans_free(span *s, int n)
{
	for (int i = 0; s && i < n; i++)
		free(s[i].w);
	free(s);
}

static bool scale(rgba *img, int nw, int nh)
{
	span *sx = spans_new(img->w, nw), *sy = spans_new(img->h, nh);
	float *acc = malloc((size_t)img->w * 4 * sizeof *acc);
	unsigned char *px = malloc((size_t)nw * (size_t)nh * 4);
	bool ok = sx && sy && acc && px;
	for (int y = 0; ok && y < nh; y++) {
		/* this output row's share of each source column, premultiplied */
		memset(acc, 0, (size_t)img->w * 4 * sizeof *acc);
		for (int k = 0; k < sy[y].n; k++) {
			const unsigned char *row = img->px + (size_t)(sy[y].first + k) * (size_t)img->w * 4;
			float wy = sy[y].w[k];
			for (int x = 0; x < img->w; x++) {
				float a = row[x * 4 + 3] / 255.0f * wy;
				acc[x * 4 + 0] += row[x * 4 + 0] * a;
				acc[x * 4 + 1] += row[x * 4 + 1] * a;
				acc[x * 4 + 2] += row[x * 4 + 2] * a;
				acc[x * 4 + 3] += a;
			}
		}
		for (int x = 0; x < nw; x++) {
			float c[4] = {0, 0, 0, 0};
			for (int k = 0; k < sx[x].n; k++) {
				const float *p = acc + (size_t)(sx[x].first + k) * 4;
				for (int ch = 0; ch < 4; ch++)
					c[ch] += p[ch] * sx[x].w[k];
			}
			unsigned char *o = px + ((size_t)y * (size_t)nw + (size_t)x) * 4;
			for (int ch = 0; ch < 3; ch++) {
				float v = c[3] > 0 ? c[ch] / c[3] : 0;
				o[ch] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5f);
			}
			float a = c[3] * 255.0f;
			o[3] = (unsigned char)(a < 0 ? 0 : a > 255 ? 255 : a + 0.5f);
		}
	}
	spans_free(sx, nw);
	spans_free(sy, nh);
	free(acc);
	if (!ok) {
		free(px);
		return false;
	}
	free(img->px);
	img->px = px;
	img->w = nw;
	img->h = nh;
	return true;
}

tt_err admin_image_fit(const void *data, size_t len, int max_w, int max_h, admin_image *out, char *why,
                       size_t whylen)
{
	static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	rgba img = {0};
	int orientation = 1;
	tt_err rc;
	if (!out)
		return TT_ERR_INVAL;
	memset(out, 0, sizeof *out);
	if (!data || max_w < 1 || max_h < 1) {
		say(why, whylen, "no image");
		return TT_ERR_INVAL;
	}
	const unsigned char *d = data;
	bool is_png = len >= 8 && !memcmp(d, png_sig, 8), is_jpeg = len >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff;
	if (!is_png && !is_jpeg) {
		say(why, whylen, "not a PNG or JPEG image");
		return TT_ERR_PARSE;
	}
	rc = is_png ? png_decode(data, len, &img, why, whylen) : jpeg_decode(data, len, &img, &orientation, why, whylen);
	if (rc != TT_OK)
		return rc;
	if (orientation != 1 && !orient(&img, orientation))
		goto nomem;
	out->src_width = img.w;
	out->src_height = img.h;
	if (img.w > max_w || img.h > max_h) {
		/* the larger reduction of the two sides, so both fit */
		double f = (double)max_w / img.w < (double)max_h / img.h ? (double)max_w / img.w : (double)max_h / img.h;
		int nw = (int)(img.w * f + 0.5), nh = (int)(img.h * f + 0.5);
		if (nw < 1)
			nw = 1;
		if (nh < 1)
			nh = 1;
		if (nw > max_w)
			nw = max_w;
		if (nh > max_h)
			nh = max_h;
		if (!scale(&img, nw, nh))
			goto nomem;
	}
	rc = is_png ? png_encode(&img, out, why, whylen) : jpeg_encode(&img, out, why, whylen);
	out->width = img.w;
	out->height = img.h;
	free(img.px);
	return rc;
nomem:
	free(img.px);
	say(why, whylen, "out of memory");
	return TT_ERR_NOMEM;
}

void admin_image_free(admin_image *img)
{
	if (!img)
		return;
	free(img->data);
	img->data = NULL;
	img->len = 0;
}
