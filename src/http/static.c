/*
 * The built web application (web/dist): hashed assets cached for a year, index.html for every
 * other path so the client-side router can take it (docs/internals/HTTP.md).
 */
#include "http.h"
#include "core/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
};

/* The policy for our own pages: no inline script, no outside origins. */
#define CSP                                                                                        \
	"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' " \
	"data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "         \
	"base-uri 'self'; form-action 'self'; object-src 'none'"

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < ARRAY_SIZE(types); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* Only plain relative paths: no "..", no hidden files, no backslashes. */
static bool safe_path(const char *p)
{
	if (strstr(p, "..") || strchr(p, '\\') || strstr(p, "/."))
		return false;
	return p[0] != '.';
}

static bool serve_file(struct req *r, const char *rel, bool immutable)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", http_config->web_dir, rel);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return false;
	}
	struct MHD_Response *resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return false;
	}
	resp_set(r, 200, resp);
	MHD_add_response_header(resp, "Content-Type", type_of(rel));
	MHD_add_response_header(resp, "Cache-Control",
	                        immutable ? "public, max-age=31536000, immutable" : "no-cache");
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	return true;
}

/* Shown when the web application has not been built: the API works regardless. */
static const char fallback_page[] =
    "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>Sextant CRM</title>"
    "</head><body><h1>Sextant CRM</h1><p>服务已启动。API：<a href=\"/api/v1/openapi.json\">"
    "/api/v1/openapi.json</a></p><p>The server is running. The API is described at "
    "<a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p></body></html>\n";

void static_serve(struct req *r)
{
	const char *rel = r->path + 1;
	if (!safe_path(rel)) {
		resp_error(r, 404, "not_found");
		return;
	}
	if (strncmp(r->path, "/api/", 5) == 0) {
		resp_error(r, 404, "not_found");
		return;
	}
	bool asset = strncmp(rel, "assets/", 7) == 0;
	if (*rel && serve_file(r, rel, asset))
		return;
	/* A missing file (its last segment has an extension) is a 404, not the app page. */
	const char *last = strrchr(rel, '/');
	if (asset || strchr(last ? last : rel, '.')) {
		resp_error(r, 404, "not_found");
		return;
	}
	if (serve_file(r, "index.html", false))
		return;
	struct str body = STR_INIT;
	str_add(&body, fallback_page, sizeof fallback_page - 1);
	resp_text(r, 200, "text/html; charset=utf-8", &body);
	resp_header(r, "Content-Security-Policy", CSP);
}
