/* fuzz_image.c - fuzz target for the console's poster upload
 * (admin_image_fit: PNG or JPEG in, EXIF orientation, scaled, encoded
 * again).  A result must be inside the box and carry data; a refusal must
 * say why.  Nothing may crash, leak or read out of bounds.  libFuzzer
 * target; with -DFUZZ_STANDALONE standalone.c gives it a main(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "admin/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	admin_image out = {0};
	char why[256] = "";
	tt_err rc = admin_image_fit(data, size, 64, 48, &out, why, sizeof why);
	if (rc == TT_OK ? !out.data || !out.len || out.width < 1 || out.width > 64 || out.height < 1 || out.height > 48
	                : !why[0]) {
		fprintf(stderr, "fuzz_image: rc %d, %dx%d, why '%s'\n", rc, out.width, out.height, why);
		abort();
	}
	admin_image_free(&out);
	return 0;
}
