/* qr.h - QR code matrices (libqrencode).
 *
 * The kiosk draws follow-up and document links as QR codes; this module
 * turns a string into a square matrix of dark/light modules, and nothing
 * else: drawing is the UI's business. */
#ifndef TRAMTIN_QR_H
#define TRAMTIN_QR_H

#include <stdbool.h>
#include <stddef.h>

#include "tramtin/err.h"

typedef struct tt_qr {
	int size;               /* modules per side, without the quiet zone */
	unsigned char *modules; /* size*size bytes, 1 = dark, row-major */
} tt_qr;

/* Encodes text (UTF-8, 8-bit mode, error correction level M).  Returns
 * TT_ERR_INVAL for an empty text, TT_ERR_RANGE if it is too long for a QR
 * code, TT_ERR_NOMEM.  Free the matrix with qr_free. */
tt_err qr_encode(const char *text, tt_qr *out);

/* Frees the matrix and zeroes the struct. Accepts NULL and an empty qr. */
void qr_free(tt_qr *qr);

/* True if the module at (x, y) is dark; false outside the matrix. */
bool qr_dark(const tt_qr *qr, int x, int y);

#endif
