/* qr.c - a thin, checked wrapper over libqrencode.
 *
 * Level M (15 % recovery) survives glare and fingerprints on a kiosk glass
 * and keeps a 100-character URL at version 5 or 6 (37-41 modules), coarse
 * enough for a phone at 50 cm when each module is 8 px or more. */
#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/qr.h"

tt_err qr_encode(const char *text, tt_qr *out)
{
	if (!out)
		return TT_ERR_INVAL;
	memset(out, 0, sizeof *out);
	if (!text || !*text)
		return TT_ERR_INVAL;
	errno = 0;
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!q)
		return errno == ENOMEM ? TT_ERR_NOMEM : TT_ERR_RANGE;
	size_t n = (size_t)q->width * (size_t)q->width;
	out->modules = malloc(n);
	if (!out->modules) {
		QRcode_free(q);
		return TT_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		out->modules[i] = q->data[i] & 1;
	out->size = q->width;
	QRcode_free(q);
	return TT_OK;
}

void qr_free(tt_qr *qr)
{
	if (!qr)
		return;
	free(qr->modules);
	qr->modules = NULL;
	qr->size = 0;
}

bool qr_dark(const tt_qr *qr, int x, int y)
{
	if (!qr || !qr->modules || x < 0 || y < 0 || x >= qr->size || y >= qr->size)
		return false;
	return qr->modules[(size_t)y * (size_t)qr->size + (size_t)x] != 0;
}
