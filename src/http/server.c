/*
 * libmicrohttpd glue: the request lifecycle, per-thread database connections, graceful stop.
 */
#include "http.h"
#include "offload.h"
#include "auth/token.h"
#include "core/log.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/db.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const char *const http_method_names[M__MAX] = {
    [M_GET] = "GET",     [M_HEAD] = "HEAD",     [M_POST] = "POST",       [M_PUT] = "PUT",
    [M_PATCH] = "PATCH", [M_DELETE] = "DELETE", [M_OPTIONS] = "OPTIONS",
};

const struct config *http_config;
const char *http_public_url = "";
static const struct route *routes;
static size_t n_routes;
static atomic_uint_fast64_t request_counter;
static uint64_t request_id_base;

/* Each MHD worker thread keeps one database connection for its whole life; the list lets
 * the server close them all once the workers have stopped. */
static _Thread_local struct db *thread_db;
static pthread_mutex_t worker_dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db **worker_dbs;
static size_t n_worker_dbs;
/* Threads of the long-request pool: imports and model changes, which are rare, queue there. */
#define OFFLOAD_THREADS 2
/* After the pool has finished at a stop, how long its answers get to be sent. */
#define OFFLOAD_GRACE_MS 5000
/* Requests between their first byte and their completion: what a graceful stop waits for. */
static atomic_long requests_in_flight;

struct db *req_db(struct req *r)
{
	if (r->db)
		return r->db;
	if (!thread_db) {
		struct db_options o = {
		    .kind = config_is_pg(http_config) ? DB_PG : DB_SQLITE,
		    .timeout_ms = (int)http_config->db_timeout_ms,
		    .sqlite_sync = http_config->sqlite_sync,
		    /* A wait on an MHD worker holds up all its connections; the pool's may wait. */
		    .yield_to_bulk = !r->offloaded,
		};
		char path[4096];
		o.target = o.kind == DB_PG ? http_config->db_url
		                           : config_sqlite_path(http_config, path, sizeof path);
		char *err = NULL;
		if (db_open(&o, &thread_db, &err)) {
			log_error("cannot open a database connection: %s", err ? err : "?");
			free(err);
			thread_db = NULL;
			return NULL;
		}
		pthread_mutex_lock(&worker_dbs_lock);
		worker_dbs = xrealloc(worker_dbs, (n_worker_dbs + 1) * sizeof *worker_dbs);
		worker_dbs[n_worker_dbs++] = thread_db;
		pthread_mutex_unlock(&worker_dbs_lock);
	}
	r->db = thread_db;
	r->db_ns_start = db_time_ns(thread_db);
	return r->db;
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *req_query(struct req *r, const char *name)
{
	for (size_t i = 0; i < r->n_query; i++)
		if (strcmp(r->query[i].key, name) == 0)
			return r->query[i].value;
	return NULL;
}

const char *req_ip(struct req *r)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	static _Thread_local char buf[INET6_ADDRSTRLEN];
	buf[0] = '\0';
	if (!ci || !ci->client_addr)
		return buf;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
		          sizeof buf);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		          buf, sizeof buf);
	return buf;
}

static bool unsafe_method(enum http_method m)
{
	return m == M_POST || m == M_PUT || m == M_PATCH || m == M_DELETE;
}

const char *storable_text(struct arena *a, const char *s, size_t max)
{
	size_t n = strlen(s), out = 0;
	char *t = arena_alloc(a, (n < max ? n : max) + 1);
	for (size_t i = 0; i < n;) {
		size_t l = (unsigned char)s[i] < 0x80
		               ? 1
		               : utf8_seq_len((const unsigned char *)s + i, n - i);
		if (out + (l ? l : 1) > max)
			break;
		if (l == 0 || (l == 1 && (unsigned char)s[i] < 0x20)) {
			t[out++] = '?';
			i++;
			continue;
		}
		memcpy(t + out, s + i, l);
		out += l;
		i += l;
	}
	t[out] = '\0';
	return t;
}

const char *req_user_agent(struct req *r)
{
	const char *ua = req_header(r, "User-Agent");
	return ua ? storable_text(&r->arena, ua, AUDIT_USER_AGENT_MAX) : NULL;
}

void req_op(struct req *r, const struct entity *e, struct op *op)
{
	memset(op, 0, sizeof *op);
	op->arena = &r->arena;
	op->db = r->db;
	op->reg = r->reg;
	op->e = e;
	/* Nobody logged in may do nothing: an op without an actor would act as the system. */
	static const struct actor nobody;
	op->user_id = r->authed ? r->session.user_id : 0;
	op->actor = r->authed ? &r->actor : &nobody;
	op->admin = op->actor->admin;
	op->lang = r->lang;
	op->request_id = r->request_id;
	/* Where a request came from is recorded by writes (the audit trail); a read never needs it,
	 * and the hot GETs are spared the work. */
	if (unsafe_method(r->method)) {
		op->ip = req_ip(r);
		op->user_agent = req_user_agent(r);
	}
	op->problem = &r->problem;
	op->count_cap = http_config->count_cap;
}

/* ---- responses ---- */

static void security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
}

void resp_set(struct req *r, int status, struct MHD_Response *resp)
{
	if (r->resp)
		MHD_destroy_response(r->resp);
	r->resp = resp;
	r->status = status;
	security_headers(resp);
}

static void resp_buffer(struct req *r, int status, const char *type, struct str *body)
{
	size_t len;
	char *buf = str_detach(body, &len);
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer_with_free_callback(len, buf, free);
	if (!resp)
		die("cannot create a response");
	resp_set(r, status, resp);
	if (type)
		MHD_add_response_header(resp, "Content-Type", type);
	if (strncmp(r->path, "/api/", 5) == 0)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
}

void resp_json(struct req *r, int status, struct str *body)
{
	resp_buffer(r, status, "application/json; charset=utf-8", body);
}

void resp_text(struct req *r, int status, const char *content_type, struct str *body)
{
	resp_buffer(r, status, content_type, body);
}

void resp_empty(struct req *r, int status)
{
	struct str empty = STR_INIT;
	resp_buffer(r, status, NULL, &empty);
}

void resp_header(struct req *r, const char *name, const char *value)
{
	if (r->resp)
		MHD_add_response_header(r->resp, name, value);
}

void resp_problem(struct req *r)
{
	struct str body = STR_INIT;
	if (!r->problem.status)
		problem_set(&r->problem, 500, "internal_error");
	problem_render(&r->problem, r->lang, &body);
	resp_buffer(r, r->problem.status, "application/problem+json; charset=utf-8", &body);
}

void resp_error(struct req *r, int status, const char *code)
{
	problem_set(&r->problem, status, code);
	resp_problem(r);
}

void resp_too_large(struct req *r, const char *field, long limit)
{
	const char *n = arena_printf(&r->arena, "%ld", limit);
	problem_add(&r->problem, field, "body_too_large", (const char *[]){"limit", n, NULL});
	problem_set1(&r->problem, 413, "body_too_large", "limit", n);
	r->problem.extra = arena_printf(&r->arena, "\"limit\":%s", n);
	resp_problem(r);
}

void resp_fault(struct req *r, const char *what)
{
	log_error("%s failed (request %s)", what, r->request_id);
	r->problem.n_errors = 0;
	resp_error(r, 500, "internal_error");
}

/* ---- routing ---- */

static int parse_method(const char *m)
{
	for (int i = 0; i < M__MAX; i++)
		if (strcmp(m, http_method_names[i]) == 0)
			return i;
	return -1;
}

/* Match path against pattern, filling captures; true on a match. */
static bool match(const char *pattern, const char *path, struct req *r)
{
	const char *p = pattern, *u = path;
	size_t nc = 0;
	while (*p) {
		if (*p == '*')
			return true;
		if (*p == '{') {
			const char *end = strchr(p, '}');
			const char *seg_end = strchr(u, '/');
			size_t len = seg_end ? (size_t)(seg_end - u) : strlen(u);
			if (len == 0 || nc == REQ_MAX_CAPTURES)
				return false;
			r->captures[nc++] = arena_strndup(&r->arena, u, len);
			u += len;
			p = end + 1;
			continue;
		}
		if (*p != *u)
			return false;
		p++;
		u++;
	}
	if (*u != '\0')
		return false;
	r->n_captures = nc;
	return true;
}

/* Find the route; if the path matches only with other methods, *allowed lists them. */
static const struct route *route_find(struct req *r, struct str *allowed)
{
	for (size_t i = 0; i < n_routes; i++) {
		if (!match(routes[i].pattern, r->path, r))
			continue;
		if (routes[i].method == r->method ||
		    (r->method == M_HEAD && routes[i].method == M_GET)) {
			r->route_index = (int)i;
			return &routes[i];
		}
		if (allowed->len)
			str_adds(allowed, ", ");
		str_adds(allowed, http_method_names[routes[i].method]);
	}
	return NULL;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
	UNUSED(kind);
	struct req *r = cls;
	if (r->n_query % 16 == 0) {
		struct kv *q = ARENA_NEW_ARRAY(&r->arena, struct kv, r->n_query + 16);
		if (r->n_query)
			memcpy(q, r->query, r->n_query * sizeof *q);
		r->query = q;
	}
	r->query[r->n_query].key = arena_strdup(&r->arena, key);
	r->query[r->n_query].value = arena_strdup(&r->arena, value ? value : "");
	r->n_query++;
	return MHD_YES;
}

/* ---- the request lifecycle ---- */

static struct req *req_new(struct MHD_Connection *conn, const char *url, const char *method)
{
	struct req *r = xcalloc(1, sizeof *r);
	arena_init(&r->arena, 8192);
	r->conn = conn;
	r->start_ns = time_mono_ns();
	r->body = (struct str)STR_INIT;
	r->body_fd = -1;
	r->route_index = -1;
	int m = parse_method(method);
	r->method = m < 0 ? M__MAX : (enum http_method)m;
	r->path = arena_strdup(&r->arena, url);
	uint64_t n = atomic_fetch_add(&request_counter, 1);
	snprintf(r->request_id, sizeof r->request_id, "%08llx%08llx",
	         (unsigned long long)request_id_base, (unsigned long long)n);
	problem_init(&r->problem, &r->arena);
	r->lang = lang_negotiate(req_header(r, "Accept-Language"));
	atomic_fetch_add(&requests_in_flight, 1);
	return r;
}

static void req_free(struct req *r)
{
	if (r->resp)
		MHD_destroy_response(r->resp);
	if (r->body_fd >= 0)
		close(r->body_fd);
	str_release(&r->body);
	registry_release(r->reg);
	arena_release(&r->arena);
	free(r);
	atomic_fetch_sub(&requests_in_flight, 1);
}

/* "Authorization: Bearer X" → X, else NULL. */
static const char *bearer_token(struct req *r)
{
	const char *h = req_header(r, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	for (h += 7; *h == ' '; h++)
		;
	return h;
}

/*
 * Authenticate by an API token or else the session cookie; false (with a response) if the
 * route needs it and fails. A token that is given must be good: it is never ignored in favour
 * of a cookie.
 */
static bool authenticate(struct req *r)
{
	const char *bearer = bearer_token(r);
	const char *token = bearer ? NULL : req_cookie(r, SESSION_COOKIE);
	if ((bearer || token) && req_db(r)) {
		int rc = policy_get(r->db, &r->arena, &r->policy);
		if (rc) {
			log_error("reading the security policy failed: %s", db_errmsg(r->db));
			resp_error(r, 503, "service_unavailable");
			return false;
		}
	}
	if (bearer && req_db(r)) {
		int rc = api_token_lookup(r->db, &r->arena, bearer, &r->session);
		if (rc == DB_OK) {
			r->authed = r->by_token = true;
		} else if (rc == DB_DONE) {
			/* A public route (a login, a health check) is served as to anyone. */
			if (!(r->route->flags & RF_PUBLIC)) {
				resp_error(r, 401, "unauthorized");
				return false;
			}
		} else {
			log_error("token lookup failed: %s", db_errmsg(r->db));
			resp_error(r, 503, "service_unavailable");
			return false;
		}
	}
	if (token && req_db(r)) {
		int rc = session_lookup(r->db, &r->arena, token, policy_idle_ms(&r->policy),
		                        &r->session);
		if (rc == DB_OK) {
			r->authed = true;
			if (r->session.locale && lang_parse(r->session.locale) >= 0 &&
			    !req_header(r, "Accept-Language"))
				r->lang = (enum lang)lang_parse(r->session.locale);
		} else if (rc != DB_DONE) {
			log_error("session lookup failed: %s", db_errmsg(r->db));
			resp_error(r, 503, "service_unavailable");
			return false;
		}
	}
	if (r->authed) {
		int rc = actor_load(r->db, &r->arena, r->session.user_id, &r->actor);
		if (rc == DB_DONE) {
			r->authed = false;
		} else if (rc) {
			log_error("loading the user's access failed: %s", db_errmsg(r->db));
			resp_error(r, 503, "service_unavailable");
			return false;
		}
	}
	if (r->route->flags & RF_PUBLIC)
		return true;
	if (!r->authed) {
		resp_error(r, 401, "unauthorized");
		return false;
	}
	/* Networks allowed per role: checked on every request, not just at login. */
	if (r->policy.n_ip_rules &&
	    !policy_ip_allowed(&r->policy, r->actor.roles, r->actor.n_roles, req_ip(r))) {
		resp_error(r, 403, "ip_not_allowed");
		return false;
	}
	/* A browser session with something to do first may do only that. */
	const char *restriction =
	    r->by_token ? NULL : policy_restriction(&r->policy, &r->actor, time_now_ms());
	if (restriction && !(r->route->flags & RF_RESTRICTED)) {
		resp_error(r, 403, restriction);
		return false;
	}
	if ((r->route->flags & RF_ADMIN) && !r->actor.admin) {
		resp_error(r, 403, "forbidden");
		return false;
	}
	if ((r->route->flags & RF_SESSION) && r->by_token) {
		resp_error(r, 403, "forbidden");
		return false;
	}
	/* A cookie is sent by the browser on its own; the CSRF token proves the page is ours. A
	 * token is sent only by a program that holds it. */
	if (unsafe_method(r->method) && !r->by_token) {
		const char *t = req_header(r, "X-CSRF-Token");
		if (!t || strlen(t) != strlen(r->session.csrf) ||
		    !secret_equal(t, r->session.csrf, strlen(t))) {
			resp_error(r, 403, "csrf_failed");
			return false;
		}
	}
	return true;
}

bool req_content_type_is(struct req *r, const char *want)
{
	const char *ct = req_header(r, "Content-Type");
	size_t n = strlen(want);
	return ct && strncasecmp(ct, want, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* The largest refused body still read to its end before answering (see admit()). */
#define DISCARD_MAX (64L << 20)
/* What a multipart form may add to the file it carries (boundaries, part headers). */
#define MULTIPART_ALLOWANCE (64L << 10)

/* The most bytes the route's body may have, and the limit a refusal names. */
static void set_body_limit(struct req *r)
{
	unsigned f = r->route->flags;
	r->body_limit = f & RF_BODY_FILE     ? http_config->import_limit
	                : f & RF_BODY_UPLOAD ? http_config->file_limit
	                                     : http_config->body_limit;
	r->limit_named = r->body_limit;
	/* The file in a form is measured on its own once the form is read (api/files.c). */
	if ((f & RF_BODY_UPLOAD) && req_content_type_is(r, "multipart/form-data"))
		r->body_limit += MULTIPART_ALLOWANCE;
}

static void answer_too_large(struct req *r)
{
	resp_too_large(r, r->route->flags & RF_BODY_UPLOAD ? "file" : "body", r->limit_named);
}

/* Everything that can be decided before the body arrives; false if answered already. */
static bool admit(struct req *r)
{
	if (r->method == M__MAX) {
		resp_error(r, 405, "method_not_allowed");
		return false;
	}
	struct str allowed = STR_INIT;
	r->route = route_find(r, &allowed);
	if (!r->route) {
		if (allowed.len) {
			resp_error(r, 405, "method_not_allowed");
			resp_header(r, "Allow", allowed.buf);
		} else {
			resp_error(r, 404, "not_found");
		}
		str_release(&allowed);
		return false;
	}
	str_release(&allowed);
	if (!(r->route->flags & RF_NO_DB)) {
		r->reg = registry_acquire();
		if (!req_db(r)) {
			resp_error(r, 503, "service_unavailable");
			return false;
		}
	}
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_query, r);
	for (size_t i = 0; i < r->n_query; i++)
		if (!utf8_valid(r->query[i].key, strlen(r->query[i].key)) ||
		    !utf8_valid(r->query[i].value, strlen(r->query[i].value))) {
			problem_add(&r->problem, NULL, "invalid_utf8", NULL);
			resp_error(r, 400, "bad_request");
			return false;
		}
	/* Public routes that need no database (health, static files) never look up a session. */
	bool needs_auth = !((r->route->flags & RF_PUBLIC) && (r->route->flags & RF_NO_DB));
	if (needs_auth && !authenticate(r))
		return false;
	const char *cl = req_header(r, "Content-Length");
	long long len = cl ? strtoll(cl, NULL, 10) : 0;
	unsigned f = r->route->flags;
	set_body_limit(r);
	long limit = r->body_limit;
	if (f & (RF_BODY_JSON | RF_BODY_FILE | RF_BODY_FORM | RF_BODY_UPLOAD)) {
		/*
		 * Too large by its announced length. Answering before the body is read makes the
		 * server close a socket with unread data, which resets the connection, and clients
		 * often lose the answer in that reset. So a body up to a generous bound is read and
		 * thrown away (accept_body) and the 413 comes after it; beyond the bound, at once.
		 */
		if (len > limit && len > DISCARD_MAX) {
			answer_too_large(r);
			return false;
		}
		if (len > limit)
			r->body_too_large = true;
		if ((f & RF_BODY_JSON) && !req_content_type_is(r, "application/json")) {
			problem_set1(&r->problem, 415, "unsupported_media_type", "expected",
			             "application/json");
			resp_problem(r);
			return false;
		}
		if ((f & RF_BODY_FORM) && len > 0 &&
		    !req_content_type_is(r, "application/x-www-form-urlencoded")) {
			problem_set1(&r->problem, 415, "unsupported_media_type", "expected",
			             "application/x-www-form-urlencoded");
			resp_problem(r);
			return false;
		}
	} else if (len > 0) {
		/* Routes without a body take none: answered before reading anything. */
		resp_error(r, 413, "body_not_allowed");
		return false;
	}
	if (f & (RF_BODY_FILE | RF_BODY_UPLOAD)) {
		char path[] = "/tmp/sextant-upload-XXXXXX";
		r->body_fd = mkstemp(path);
		if (r->body_fd < 0) {
			resp_fault(r, "spooling an upload");
			return false;
		}
		unlink(path); /* nothing is left behind whatever happens */
	} else {
		r->body.max = (size_t)limit;
	}
	return true;
}

static void accept_body(struct req *r, const char *data, size_t n)
{
	if (r->body_too_large)
		return;
	if (r->body_bytes + n > (uint64_t)r->body_limit) {
		r->body_too_large = true;
		return;
	}
	r->body_bytes += n;
	if (r->body_fd >= 0) {
		while (n) {
			ssize_t w = write(r->body_fd, data, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				r->body_too_large = true; /* disk full: refuse the upload */
				return;
			}
			data += w;
			n -= (size_t)w;
		}
	} else {
		str_add(&r->body, data, n);
		if (r->body.toobig)
			r->body_too_large = true;
	}
}

static enum MHD_Result queue(struct req *r)
{
	if (!r->resp)
		resp_fault(r, "handler gave no response");
	r->queued = true;
	return MHD_queue_response(r->conn, (unsigned)r->status, r->resp);
}

/* Run the route's handler, on an MHD worker or on the long-request pool. */
static void run_handler(struct req *r)
{
	if (r->offloaded && r->db) {
		/* The session was looked up on the MHD worker's connection; this thread has its
		 * own. */
		r->db = NULL;
		if (!req_db(r)) {
			resp_error(r, 503, "service_unavailable");
			return;
		}
	}
	if (r->body_fd >= 0)
		lseek(r->body_fd, 0, SEEK_SET);
	r->route->fn(r);
	if (r->db && db_in_transaction(r->db)) {
		/* A handler must never leave a transaction open on the shared connection. */
		log_error("transaction left open by '%s' (request %s)", r->route->name,
		          r->request_id);
		db_rollback(r->db);
	}
	if (r->offloaded && r->db)
		r->db_ns += db_time_ns(r->db) - r->db_ns_start;
}

/* On a pool thread, once its request's answer is on its way: what the request left behind. */
static void after_offloaded(void)
{
	if (!thread_db)
		return;
	db_settle(thread_db); /* an import's checkpoint */
	/* The pool's requests are rare and large (an import's batches): neither its page cache
	 * nor the heap they grew should stay with the process between them. This thread's heap
	 * is not the main one: its top goes back as the cache is freed (core/util.h). */
	heap_release_begin();
	db_release_memory(thread_db);
	heap_release_end();
	malloc_trim(0);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	UNUSED(cls);
	UNUSED(version);
	struct req *r = *con_cls;
	if (!r) {
		r = req_new(conn, url, method);
		*con_cls = r;
		if (!admit(r))
			return queue(r);
		return MHD_YES;
	}
	if (r->queued)
		return MHD_YES;
	if (r->offloaded)
		return queue(r); /* resumed: the pool has run the handler */
	if (*upload_size) {
		accept_body(r, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->body_too_large) {
		answer_too_large(r);
		return queue(r);
	}
	if (r->route->flags & RF_LONG) {
		r->offloaded = true;
		if (r->db)
			r->db_ns = db_time_ns(r->db) - r->db_ns_start;
		/* Once pushed, only the pool touches the request until it resumes the connection.
		 */
		if (offload_push(r))
			return MHD_YES;
		r->offloaded = false;
		resp_error(r, 503, "server_busy");
		resp_header(r, "Retry-After", "5");
		return queue(r);
	}
	run_handler(r);
	return queue(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	UNUSED(cls);
	UNUSED(conn);
	struct req *r = *con_cls;
	if (!r)
		return;
	uint64_t db_ns = r->offloaded ? r->db_ns : r->db ? db_time_ns(r->db) - r->db_ns_start : 0;
	int64_t ns = time_mono_ns() - r->start_ns;
	metrics_observe(r->route_index, r->status, ns, db_ns);
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		log_debug("request %s ended early (%d)", r->request_id, (int)toe);
	if (r->status >= 500)
		log_warn("%s %s -> %d in %.1f ms (request %s)",
		         http_method_names[r->method % M__MAX], r->path, r->status,
		         (double)ns / 1e6, r->request_id);
	else
		log_debug("%s %s -> %d in %.3f ms", http_method_names[r->method % M__MAX], r->path,
		          r->status, (double)ns / 1e6);
	req_free(r);
	*con_cls = NULL;
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	UNUSED(sig);
	stop_requested = 1;
}

static int parse_listen(const char *s, struct sockaddr_in *sa)
{
	char host[128];
	const char *colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof host)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (host[0] == '\0' || strcmp(host, "*") == 0)
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	return 0;
}

int http_serve(const struct config *cfg, const struct route *table, size_t n)
{
	http_config = cfg;
	/* The login limits of the flags hold until an administrator's policy says otherwise. */
	policy_set_defaults(cfg->login_failures, cfg->login_ip_failures, cfg->login_window_s);
	routes = table;
	n_routes = n;
	request_id_base = (uint64_t)time_now_ms() & 0xffffffffu;
	metrics_init(table, n);
	struct sockaddr_in sa;
	if (parse_listen(cfg->listen, &sa)) {
		log_error("cannot use listen address '%s' (want address:port)", cfg->listen);
		return -1;
	}
	unsigned workers = cfg->workers > 0 ? (unsigned)cfg->workers : 2;
	offload_start(OFFLOAD_THREADS, run_handler, after_offloaded);
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL,
	    NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, workers, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)4000, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024, MHD_OPTION_END);
	if (!d) {
		log_error("cannot listen on %s: %s", cfg->listen, strerror(errno));
		offload_stop();
		return -1;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char addr[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof addr);
	log_info("serving on http://%s:%u with %u workers", addr, di ? di->port : 0, workers);
	static char public_url[512];
	if (cfg->public_url && *cfg->public_url)
		snprintf(public_url, sizeof public_url, "%s", cfg->public_url);
	else
		/* All addresses: no one reaches "0.0.0.0"; set --public-url for other machines. */
		snprintf(public_url, sizeof public_url, "http://%s:%u",
		         strcmp(addr, "0.0.0.0") == 0 ? "127.0.0.1" : addr, di ? di->port : 0);
	size_t pl = strlen(public_url);
	while (pl > 0 && public_url[pl - 1] == '/')
		public_url[--pl] = '\0';
	http_public_url = public_url;

	struct sigaction act = {.sa_handler = on_signal};
	sigemptyset(&act.sa_mask);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!stop_requested)
		pause();

	/* Stop accepting, let requests in flight finish (idle keep-alive connections are not
	 * waited for), then stop, which closes what is left. */
	log_info("stopping: finishing requests in flight");
	/* The listening socket stays open until MHD has stopped (its threads may still use it);
	 * connections meanwhile wait in the backlog and are reset when it closes. */
	MHD_socket ls = MHD_quiesce_daemon(d);
	int64_t deadline = time_mono_ns() + cfg->shutdown_ms * 1000000LL;
	while (atomic_load(&requests_in_flight) > 0 && time_mono_ns() < deadline)
		usleep(10000);
	/* Long requests still running are finished, not cut (MHD must not stop with a connection
	 * suspended); their answers then get a moment to go out. */
	offload_stop();
	deadline = time_mono_ns() + OFFLOAD_GRACE_MS * 1000000LL;
	while (atomic_load(&requests_in_flight) > 0 && time_mono_ns() < deadline)
		usleep(10000);
	MHD_stop_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	/* The workers are gone: their connections can be closed from here. */
	pthread_mutex_lock(&worker_dbs_lock);
	for (size_t i = 0; i < n_worker_dbs; i++)
		db_close(worker_dbs[i]);
	free(worker_dbs);
	worker_dbs = NULL;
	n_worker_dbs = 0;
	pthread_mutex_unlock(&worker_dbs_lock);
	log_info("stopped");
	return 0;
}
