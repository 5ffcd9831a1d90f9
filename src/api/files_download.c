/* Downloads (docs/internals/FILES.md): one range, ETag, a disposition that keeps Chinese names,
 * shown in the browser only for pictures and PDF. */
#include "files_internal.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/access.h"
#include "meta/audit.h"
#include "meta/crud.h"
#include "services/files.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- download ---- */

/* Whether an If-None-Match list names etag (or is "*"); weak tags compare by their value. */
static bool etag_listed(const char *h, const char *etag)
{
	size_t el = strlen(etag);
	for (const char *p = h; p && *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		size_t n = strcspn(p, ",");
		size_t t = n;
		while (t && (p[t - 1] == ' ' || p[t - 1] == '\t'))
			t--;
		if (t == el && memcmp(p, etag, el) == 0)
			return true;
		p += n;
	}
	return false;
}

/* A whole decimal number of up to 18 digits. */
static bool digits(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return true;
}

/*
 * The one range of the Range header over size bytes: 1 with [*from, *from + *len); 0 for the
 * whole file (no header, one that cannot be read, several ranges, an If-Range naming another
 * version: RFC 9110 lets a server answer those in full); -1 when it lies outside the file.
 */
static int want_range(struct req *r, const char *etag, uint64_t size, uint64_t *from, uint64_t *len)
{
	const char *h = req_header(r, "Range"), *if_range = req_header(r, "If-Range");
	if (!h || (if_range && strcmp(if_range, etag) != 0))
		return 0;
	while (*h == ' ')
		h++;
	if (strncasecmp(h, "bytes", 5) != 0)
		return 0;
	for (h += 5; *h == ' '; h++)
		;
	if (*h++ != '=')
		return 0;
	while (*h == ' ')
		h++;
	size_t n = strlen(h);
	while (n && h[n - 1] == ' ')
		n--;
	const char *dash = memchr(h, '-', n);
	if (!dash || memchr(h, ',', n))
		return 0;
	size_t la = (size_t)(dash - h), lb = n - la - 1;
	uint64_t a, b;
	if (la == 0) { /* the last b bytes */
		if (!digits(dash + 1, lb, &b))
			return 0;
		if (b == 0)
			return -1;
		*len = b < size ? b : size;
		*from = size - *len;
		return 1;
	}
	if (!digits(h, la, &a) || (lb && (!digits(dash + 1, lb, &b) || b < a)))
		return 0;
	if (a >= size)
		return -1;
	if (lb == 0 || b >= size)
		b = size - 1;
	*from = a;
	*len = b - a + 1;
	return 1;
}

/* The headers of a file response: what it is, its name, its tag, and what a browser may do
 * with it. Shown ones may be framed by our own pages (a preview); nothing else may be. */
static void file_headers(struct req *r, int status, struct MHD_Response *resp,
                         const struct file_row *f, const char *etag, bool show)
{
	resp_set(r, status, resp);
	struct str disp = STR_INIT;
	filetype_disposition(&disp, f->name, show);
	if (status != 304)
		resp_header(r, "Content-Type", f->type);
	resp_header(r, "Content-Disposition", disp.buf);
	str_release(&disp);
	resp_header(r, "ETag", etag);
	resp_header(r, "Accept-Ranges", "bytes");
	resp_header(r, "Cache-Control", "private, no-cache");
	resp_header(r, "X-Request-Id", r->request_id);
	/* Chrome's and Safari's PDF viewers do not run in a sandboxed document (DECISIONS.md). */
	bool pdf = strcmp(f->type, "application/pdf") == 0;
	resp_header(r, "Content-Security-Policy",
	            !show  ? "default-src 'none'; style-src 'unsafe-inline'; sandbox; "
	                     "frame-ancestors 'none'"
	            : !pdf ? "default-src 'none'; style-src 'unsafe-inline'; sandbox; "
	                     "frame-ancestors 'self'"
	                   : "default-src 'none'; style-src 'unsafe-inline'; "
	                     "frame-ancestors 'self'");
	if (show) {
		MHD_del_response_header(resp, "X-Frame-Options", "DENY");
		resp_header(r, "X-Frame-Options", "SAMEORIGIN");
	}
}

/* GET /api/v1/files/{id}[?inline=true] */
void api_file_download(struct req *r)
{
	const char *inl = req_query(r, "inline");
	if (!files_only_params(r, (const char *const[]){"inline", NULL}))
		return;
	if (inl && strcmp(inl, "true") != 0 && strcmp(inl, "false") != 0) {
		problem_add(&r->problem, "inline", "invalid_bool", NULL);
		resp_error(r, 400, "bad_request");
		return;
	}
	struct file_row f;
	struct op op;
	if (!files_reachable(r, ACT_READ, &f, &op))
		return;
	bool show = inl && strcmp(inl, "true") == 0 && filetype_inline(f.type);
	char etag[72];
	snprintf(etag, sizeof etag, "\"%s\"", f.sha256);
	if (etag_listed(req_header(r, "If-None-Match"), etag)) {
		file_headers(r, 304,
		             MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT),
		             &f, etag, show);
		return;
	}
	uint64_t from = 0, len = f.size;
	int range = want_range(r, etag, f.size, &from, &len);
	char cr[80];
	if (range < 0) {
		const char *size = arena_printf(&r->arena, "%llu", (unsigned long long)f.size);
		problem_add(&r->problem, "Range", "range_not_satisfiable",
		            (const char *[]){"size", size, NULL});
		problem_set1(&r->problem, 416, "range_not_satisfiable", "size", size);
		resp_problem(r);
		snprintf(cr, sizeof cr, "bytes */%s", size);
		resp_header(r, "Content-Range", cr);
		return;
	}
	struct file_ref ref = {
	    .id = f.id, .storage = f.storage, .sha256 = f.sha256, .size = f.size};
	struct MHD_Response *resp = files_response(r->db, &ref, from, len);
	if (!resp) {
		resp_fault(r, "reading a file");
		return;
	}
	file_headers(r, range ? 206 : 200, resp, &f, etag, show);
	if (range) {
		snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", (unsigned long long)from,
		         (unsigned long long)(from + len - 1), (unsigned long long)f.size);
		resp_header(r, "Content-Range", cr);
	}
}
