/*
 * static.c - serves the embedded web UI (web_assets.h).
 *
 * Only the exact paths of the embedded files exist: there is no file system
 * behind this, so "../" and other path tricks can only ever find nothing.
 * A path with ".." or a backslash is refused outright (400) so that probes
 * show up clearly in the request log.
 */
#include "common.h"
#include "http.h"
#include "web_assets.h"

void static_serve(struct http_request *req)
{
	if (strstr(req->path, "..") || strchr(req->path, '\\') || strstr(req->path, "//")) {
		http_error(req, 400, "bad_path", "パスが正しくありません");
		return;
	}
	for (const struct web_asset *a = web_assets; a->path; a++)
		if (!strcmp(a->path, req->path) ||
		    (!strcmp(req->path, "/index.html") && !strcmp(a->path, "/"))) {
			http_asset(req, a->content_type, a->data, a->size, a->etag);
			return;
		}
	http_error(req, 404, "not_found", "%s はありません", req->path);
}
