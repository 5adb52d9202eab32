/* image.h - posters for the console: PNG or JPEG in, upright, scaled to the
 * kiosk's screen and stripped of every metadata chunk, out. */
#ifndef TRAMTIN_ADMIN_IMAGE_H
#define TRAMTIN_ADMIN_IMAGE_H

#include <stddef.h>

#include "tramtin/err.h"

/* Larger inputs are refused before they are decoded (a 100 kB JPEG can
 * claim 65535x65535 pixels). */
#define ADMIN_IMAGE_MAX_PIXELS (50u * 1000u * 1000u)

typedef struct admin_image {
	unsigned char *data; /* the encoded file (owned) */
	size_t len;
	const char *ext;     /* "png" or "jpg" (static) */
	int width, height;   /* of the result */
	int src_width, src_height; /* as uploaded, after turning upright */
} admin_image;

/* Decodes the PNG or JPEG in data[0..len) (told apart by their signature,
 * not by a name), turns a JPEG upright by its EXIF orientation, scales it
 * down (never up) to fit max_w x max_h keeping its proportions, and encodes
 * it again: a PNG as an 8-bit RGB or RGBA PNG, a JPEG as a baseline JPEG of
 * quality 85.  Nothing of the input but its pixels is kept: no EXIF (GPS,
 * camera, date), no XMP, no ICC profile, no text chunks.  data is
 * borrowed.  TT_OK with out filled (admin_image_free), TT_ERR_PARSE for
 * something that is not a PNG or JPEG or is broken, TT_ERR_RANGE for one
 * of more than ADMIN_IMAGE_MAX_PIXELS, TT_ERR_NOMEM; why says which. */
tt_err admin_image_fit(const void *data, size_t len, int max_w, int max_h, admin_image *out, char *why,
                       size_t whylen);

/* Frees out's data; accepts an empty or freed one. */
void admin_image_free(admin_image *img);

#endif
