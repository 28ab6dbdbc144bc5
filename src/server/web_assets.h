/*
 * web_assets.h - the web UI files, embedded at build time by tools/embed.py
 * (web_assets.c is generated; see meson.build).
 */
#ifndef MAMORI_WEB_ASSETS_H
#define MAMORI_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path;         /* "/" or "/static/<file>" */
	const char *content_type;
	const unsigned char *data;
	size_t size;
	const char *etag;
};

/* Terminated by an entry with path NULL. */
extern const struct web_asset web_assets[];

#endif
