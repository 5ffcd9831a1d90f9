/*
 * The HTTP layer: requests, routes and responses over libmicrohttpd (docs/internals/HTTP.md).
 *
 * A request is handled in one of MHD's worker threads, which also owns one database connection;
 * routes that may run long are handed to the long-request pool (offload.h).
 * Each request has an arena freed when MHD reports it complete. Routes are rows of one static
 * table (api/routes.c): method, pattern, handler, flags. Authentication, the CSRF check, body
 * limits and content types are settled from a route's flags before its handler runs.
 */
#ifndef SEXTANT_HTTP_H
#define SEXTANT_HTTP_H

#include "auth/policy.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/i18n.h"
#include "core/problem.h"
#include "core/str.h"
#include "meta/op.h"
#include "meta/registry.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

enum http_method { M_GET, M_HEAD, M_POST, M_PUT, M_PATCH, M_DELETE, M_OPTIONS, M__MAX };
extern const char *const http_method_names[M__MAX];

struct req;
typedef void (*route_fn)(struct req *r);

enum route_flags {
	RF_PUBLIC = 1 << 0,     /* no session needed */
	RF_ADMIN = 1 << 1,      /* administrators only */
	RF_BODY_JSON = 1 << 2,  /* a JSON body up to the body limit */
	RF_BODY_FILE = 1 << 3,  /* a body spooled to a temporary file, up to the import limit */
	RF_NO_DB = 1 << 4,      /* needs no database connection (health, static files) */
	RF_LONG = 1 << 5,       /* may run long: handled on the long-request pool (offload.h) */
	RF_SESSION = 1 << 6,    /* a browser session only, not an API token (making tokens) */
	RF_RESTRICTED = 1 << 7, /* open to a session that must first change its password or
	                           set up a second factor (policy_restriction) */
	RF_BODY_FORM = 1 << 8,  /* an application/x-www-form-urlencoded body (OAuth's token call) */
	RF_BODY_UPLOAD = 1 << 9, /* a file attached to a record, spooled as RF_BODY_FILE, up to the
	                            file limit (and a multipart form's envelope) */
};

struct route {
	enum http_method method;
	const char *pattern; /* segments; "{x}" captures one, a final "*" the rest */
	route_fn fn;
	unsigned flags;
	const char *name; /* for /metrics */
};

#define REQ_MAX_CAPTURES 4

struct req {
	struct arena arena;
	struct MHD_Connection *conn;
	enum http_method method;
	const char *path;
	const struct route *route;
	int route_index;
	const char *captures[REQ_MAX_CAPTURES];
	size_t n_captures;
	struct kv *query;
	size_t n_query;

	struct str body;
	int body_fd; /* RF_BODY_FILE, RF_BODY_UPLOAD: the spooled body, or -1 */
	uint64_t body_bytes;
	bool body_too_large;
	long body_limit;  /* the most bytes the body may have */
	long limit_named; /* the limit a refusal names (an upload's: the file's own) */

	struct session session;        /* valid when authed */
	struct actor actor;            /* likewise: roles, organisation, permissions */
	struct security_policy policy; /* loaded when a session or token is presented */
	bool by_token;                 /* authenticated by an API token, not a session cookie */
	bool authed;
	enum lang lang;
	char request_id[24];
	int64_t start_ns;
	uint64_t db_ns_start;

	struct db *db;
	bool offloaded; /* handled on the long-request pool */
	uint64_t db_ns; /* offloaded: database time, summed over both connections */
	struct registry *reg;
	struct problem problem;

	int status;
	struct MHD_Response *resp;
	bool queued;
};

/* The server's settings, fixed once it starts. */
extern const struct config *http_config;
/* --public-url, or http:// and the address bound (no trailing slash): the OpenID issuer. */
extern const char *http_public_url;

/* Start serving; returns after SIGTERM or SIGINT once requests in flight have finished. */
int http_serve(const struct config *cfg, const struct route *routes, size_t n_routes);

/* Header of the request, or NULL. */
const char *req_header(struct req *r, const char *name);
const char *req_cookie(struct req *r, const char *name);
/* Whether the Content-Type is want (any case), with or without parameters. */
bool req_content_type_is(struct req *r, const char *want);
const char *req_query(struct req *r, const char *name);
/* The client address as text. */
const char *req_ip(struct req *r);
/*
 * Text from a request to be stored (a header, a query parameter): at most max bytes, cut on a
 * character boundary, with bytes that are not UTF-8 and control characters as '?' (PostgreSQL
 * refuses invalid UTF-8 in text).
 */
const char *storable_text(struct arena *a, const char *s, size_t max);
/* The User-Agent to be stored (sessions, audit): at most 200 bytes of valid UTF-8, or NULL. */
const char *req_user_agent(struct req *r);
/* The request's database connection (the worker thread's own); NULL if it cannot be had. */
struct db *req_db(struct req *r);
/* An operation context for the generic engine. */
void req_op(struct req *r, const struct entity *e, struct op *op);

/* Responses. Each takes over its body. */
void resp_json(struct req *r, int status, struct str *body);
void resp_text(struct req *r, int status, const char *content_type, struct str *body);
void resp_empty(struct req *r, int status);
/* Render r->problem (its status and code must be set). */
void resp_problem(struct req *r);
/* Set a problem with status and code, and answer with it. */
void resp_error(struct req *r, int status, const char *code);
/* 413 body_too_large naming the limit (in the title, and as the member "limit") and the field
 * ("body", or "file" for an upload). */
void resp_too_large(struct req *r, const char *field, long limit);
/* A generic 500: the fault is logged with the request id. */
void resp_fault(struct req *r, const char *what);
void resp_header(struct req *r, const char *name, const char *value);
/* Queue a response built by the caller (streams, files). */
void resp_set(struct req *r, int status, struct MHD_Response *resp);

/* Metrics (http/metrics.c). */
void metrics_init(const struct route *routes, size_t n_routes);
void metrics_observe(int route_index, int status, int64_t ns, uint64_t db_ns);
void metrics_render(struct str *out);

/* Static files of the web application (http/static.c). */
void static_serve(struct req *r);

#endif
