/*
 * qr.h - QR codes as SVG images, for the otpauth:// URI that an
 * authenticator app scans when a user enrols two-factor sign-in.
 *
 * Encoding: libqrencode, error correction level M, 8-bit mode, case kept,
 * the smallest version that fits.  The image is self-contained SVG (no
 * fonts, no scripts, no external references): a white background with the
 * 4-module quiet zone the standard asks for, and one <path> that draws the
 * dark modules.  Its viewBox counts modules; width and height are the size
 * in pixels, (modules + 8) * module_px.
 */
#ifndef MAMORI_QR_H
#define MAMORI_QR_H

#define QR_MODULE_PX_MAX 64

/*
 * The SVG document of text's QR code (NUL-terminated; caller frees), or
 * NULL when text is NULL or empty, does not fit in a QR code (more than
 * about 2,300 bytes at level M), or module_px is outside
 * 1..QR_MODULE_PX_MAX.
 */
char *qr_svg(const char *text, int module_px);

#endif
