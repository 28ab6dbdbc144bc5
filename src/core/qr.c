/*
 * qr.c - SVG QR codes through libqrencode (see qr.h).
 *
 * Each row's runs of dark modules become one "M x y h n v 1 h -n z"
 * rectangle of the single path, so that a typical otpauth:// code is a few
 * kilobytes and scales without gaps (shape-rendering="crispEdges").
 */
#include "common.h"
#include "qr.h"
#include "strbuf.h"

#include <qrencode.h>

#define QUIET 4 /* modules of white around the symbol */

char *qr_svg(const char *text, int module_px)
{
	struct strbuf sb = STRBUF_INIT;
	QRcode *qr;
	int w, size;

	if (!text || !*text || module_px < 1 || module_px > QR_MODULE_PX_MAX)
		return NULL;
	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return NULL;
	w = qr->width;
	size = w + 2 * QUIET;
	strbuf_addf(&sb,
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n"
		    "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n"
		    "<path fill=\"#000000\" d=\"",
		    size * module_px, size * module_px, size, size, size, size);
	for (int y = 0; y < w; y++) {
		const unsigned char *row = qr->data + (size_t)y * (size_t)w;
		for (int x = 0; x < w;) {
			int n = 0;
			if (!(row[x] & 1)) {
				x++;
				continue;
			}
			while (x + n < w && (row[x + n] & 1))
				n++;
			strbuf_addf(&sb, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, n, n);
			x += n;
		}
	}
	strbuf_addstr(&sb, "\"/>\n</svg>\n");
	QRcode_free(qr);
	return strbuf_detach(&sb, NULL);
}
