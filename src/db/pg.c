/*
 * The PostgreSQL driver. Statements are prepared server-side once per connection, parameters
 * and results travel as text. Every round trip is made with libpq's asynchronous calls and a
 * poll() deadline: a frozen server costs one request an error, and the connection is dropped
 * and re-made (through the multi-host URL, so a promoted standby is found) on next use.
 */
#include "db_internal.h"
#include "../core/str.h"
#include "../core/timeutil.h"
#include "../core/util.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pgconn {
	PGconn *conn;
	char *target;
	bool broken;
	unsigned generation; /* bumped at every reconnect; server-side statements die with it */
	unsigned next_name;
	int64_t changes;
};

struct pgstmt {
	char name[16];
	unsigned generation;
	char *converted; /* SQL with $n placeholders */
	int nparams;
	char **values; /* malloc'd parameter texts, NULL = SQL NULL */
	int *lengths;  /* for binary parameters (blobs): their lengths and formats */
	int *formats;
	bool binary;         /* some parameter is bound in binary */
	unsigned char *blob; /* the last column_blob's bytes (PQfreemem) */
	PGresult *res;
	int row; /* current row, -1 before the first */
	int nrows;
	bool executed;
};

#define PGC(db) ((struct pgconn *)(db)->impl)
#define PGS(st) ((struct pgstmt *)(st)->impl)

/* Turn ? placeholders into $1, $2 … outside quotes and comments. */
static char *convert_placeholders(const char *sql, int *count)
{
	struct str out = STR_INIT;
	int n = 0;
	for (const char *p = sql; *p; p++) {
		char c = *p;
		if (c == '\'' || c == '"') {
			const char *q = p + 1;
			while (*q && *q != c)
				q++;
			str_add(&out, p, (size_t)(q - p) + (*q ? 1 : 0));
			p = *q ? q : q - 1;
			continue;
		}
		if (c == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				str_addc(&out, *p++);
			if (!*p)
				break;
			str_addc(&out, '\n');
			continue;
		}
		if (c == '?') {
			str_addf(&out, "$%d", ++n);
			continue;
		}
		str_addc(&out, c);
	}
	*count = n;
	return str_detach(&out, NULL);
}

static int map_result_error(struct db *db, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(PGC(db)->conn);
	db_set_error(db, "postgresql: %s [%s]", msg && *msg ? msg : "no result",
	             state ? state : "-");
	db->errcol[0] = '\0';
	if (PQstatus(PGC(db)->conn) == CONNECTION_BAD) {
		PGC(db)->broken = true;
		return DB_ECONN;
	}
	if (!state)
		return DB_ERROR;
	if (strcmp(state, "23505") == 0) {
		/* Unique indexes are named ux_<table>__<column>. */
		const char *cons = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
		const char *sep = cons ? strstr(cons, "__") : NULL;
		if (sep)
			snprintf(db->errcol, sizeof db->errcol, "%s", sep + 2);
		return DB_ECONSTRAINT;
	}
	if (strcmp(state, "23503") == 0)
		return DB_EFOREIGN;
	if (strcmp(state, "57014") == 0)
		return DB_ETIMEOUT;
	if (strcmp(state, "53100") == 0)
		return DB_EFULL;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0)
		return DB_EBUSY;
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "25006") == 0) /* read-only transaction: we reached a standby */
	{
		PGC(db)->broken = true;
		return DB_ECONN;
	}
	return DB_ERROR;
}

static void mark_broken(struct db *db, const char *why)
{
	struct pgconn *c = PGC(db);
	db_set_error(db, "postgresql: %s", why);
	c->broken = true;
	/* Close now: the server may still be running our statement; statement_timeout ends it. */
	PQfinish(c->conn);
	c->conn = NULL;
}

/* Wait for the socket until the deadline; false on timeout or a dead socket. */
static bool wait_socket(PGconn *conn, short events, int64_t deadline)
{
	for (;;) {
		int64_t left_ms = (deadline - time_mono_ns()) / 1000000;
		if (left_ms <= 0)
			return false;
		struct pollfd pfd = {.fd = PQsocket(conn), .events = events};
		if (pfd.fd < 0)
			return false;
		int rc = poll(&pfd, 1, left_ms > 1000000 ? 1000000 : (int)left_ms);
		if (rc > 0)
			return true;
		if (rc < 0 && errno != EINTR)
			return false;
	}
}

/*
 * Send what is queued and collect the results of one command string. Gives the first error
 * result if any, else the last result. DB_ETIMEOUT or DB_ECONN if the server does not answer.
 */
static int pg_wait(struct db *db, PGresult **out)
{
	struct pgconn *c = PGC(db);
	int64_t deadline = time_mono_ns() + (int64_t)db->timeout_ms * 1000000 + 500000000;
	*out = NULL;
	int f;
	while ((f = PQflush(c->conn)) == 1) {
		if (!wait_socket(c->conn, POLLOUT | POLLIN, deadline)) {
			mark_broken(db, "timed out sending");
			return DB_ETIMEOUT;
		}
		if (!PQconsumeInput(c->conn))
			break;
	}
	if (f < 0) {
		mark_broken(db, PQerrorMessage(c->conn));
		return DB_ECONN;
	}
	PGresult *keep = NULL;
	for (;;) {
		while (PQisBusy(c->conn)) {
			if (!wait_socket(c->conn, POLLIN, deadline)) {
				PQclear(keep);
				mark_broken(db, "timed out waiting for the server");
				return DB_ETIMEOUT;
			}
			if (!PQconsumeInput(c->conn)) {
				PQclear(keep);
				mark_broken(db, PQerrorMessage(c->conn));
				return DB_ECONN;
			}
		}
		PGresult *r = PQgetResult(c->conn);
		if (!r)
			break;
		if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
			PQclear(r); /* the first error is the one that explains */
			continue;
		}
		PQclear(keep);
		keep = r;
	}
	*out = keep;
	if (PQstatus(c->conn) == CONNECTION_BAD) {
		c->broken = true;
		return DB_ECONN;
	}
	return DB_OK;
}

static int pg_connect(struct db *db)
{
	struct pgconn *c = PGC(db);
	/* Our defaults come before the URL so that settings in the URL win. */
	const char *keys[] = {"connect_timeout",
	                      "keepalives_idle",
	                      "keepalives_interval",
	                      "keepalives_count",
	                      "fallback_application_name",
	                      "dbname",
	                      NULL};
	const char *vals[] = {"5", "10", "5", "3", "sextant", c->target, NULL};
	c->conn = PQconnectdbParams(keys, vals, 1);
	if (!c->conn || PQstatus(c->conn) != CONNECTION_OK) {
		db_set_error(db, "postgresql: cannot connect: %s",
		             c->conn ? PQerrorMessage(c->conn) : "out of memory");
		PQfinish(c->conn);
		c->conn = NULL;
		c->broken = true;
		return DB_ECONN;
	}
	PQsetnonblocking(c->conn, 1);
	c->broken = false;
	c->generation++;
	char setup[512];
	/* Times are exchanged in UTC and ISO form whatever the server's defaults; the server
	 * ends statements that outlive our deadline even if we have gone. */
	/* random_page_cost: PostgreSQL's default (4) models spinning disks and makes plans scan
	 * tables where an index serves (a capped count read thousands of wide rows); on SSDs 1.1
	 * is the usual setting. Only a value nobody set is changed: a DBA's own value stands. */
	snprintf(setup, sizeof setup,
	         "SET TimeZone='UTC'; SET DateStyle='ISO, YMD'; SET statement_timeout=%d;"
	         "SET idle_in_transaction_session_timeout=%d;"
	         "SELECT set_config('random_page_cost', '1.1', false) FROM pg_settings "
	         "WHERE name = 'random_page_cost' AND source = 'default'",
	         db->timeout_ms, db->timeout_ms * 6);
	if (!PQsendQuery(c->conn, setup))
		return map_result_error(db, NULL);
	PGresult *r;
	int rc = pg_wait(db, &r);
	if (rc == DB_OK && PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = map_result_error(db, r);
	PQclear(r);
	return rc;
}

/* Before each use: re-make a lost connection. Statements re-prepare lazily by generation. */
static int ensure_conn(struct db *db)
{
	struct pgconn *c = PGC(db);
	if (!c->broken && c->conn)
		return DB_OK;
	if (c->conn) {
		PQfinish(c->conn);
		c->conn = NULL;
	}
	return pg_connect(db);
}

static int pg_open(struct db *db, const struct db_options *o, char **err)
{
	struct pgconn *c = xcalloc(1, sizeof *c);
	c->target = xstrdup(o->target);
	db->impl = c;
	int rc = pg_connect(db);
	if (rc) {
		*err = xstrdup(db->errmsg);
		free(c->target);
		free(c);
		db->impl = NULL;
	}
	return rc;
}

static void pg_close(struct db *db)
{
	struct pgconn *c = PGC(db);
	if (!c)
		return;
	PQfinish(c->conn);
	free(c->target);
	free(c);
	db->impl = NULL;
}

static int server_prepare(struct db_stmt *st)
{
	struct db *db = st->db;
	struct pgconn *c = PGC(db);
	struct pgstmt *s = PGS(st);
	int rc = ensure_conn(db);
	if (rc)
		return rc;
	snprintf(s->name, sizeof s->name, "s%u", ++c->next_name);
	if (!PQsendPrepare(c->conn, s->name, s->converted, s->nparams, NULL))
		return map_result_error(db, NULL);
	PGresult *r;
	rc = pg_wait(db, &r);
	if (rc == DB_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = map_result_error(db, r);
	PQclear(r);
	if (rc == DB_OK)
		s->generation = c->generation;
	return rc;
}

static int pg_prepare(struct db_stmt *st)
{
	struct pgstmt *s = xcalloc(1, sizeof *s);
	s->converted = convert_placeholders(st->sql, &s->nparams);
	size_t n = (size_t)(s->nparams ? s->nparams : 1);
	s->values = xcalloc(n, sizeof *s->values);
	s->lengths = xcalloc(n, sizeof *s->lengths);
	s->formats = xcalloc(n, sizeof *s->formats);
	s->row = -1;
	st->impl = s;
	int rc = server_prepare(st);
	if (rc) {
		free(s->converted);
		free(s->values);
		free(s->lengths);
		free(s->formats);
		free(s);
		st->impl = NULL;
	}
	return rc;
}

static void clear_params(struct pgstmt *s)
{
	for (int i = 0; i < s->nparams; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
		s->formats[i] = 0;
	}
	s->binary = false;
}

static void clear_blob(struct pgstmt *s)
{
	if (s->blob)
		PQfreemem(s->blob);
	s->blob = NULL;
}

static void pg_finalize(struct db_stmt *st)
{
	struct pgstmt *s = PGS(st);
	if (!s)
		return;
	/* Server-side statements live as long as the connection; the cache bounds them. A
	 * statement evicted from the cache is deallocated so the server's set stays bounded too. */
	struct pgconn *c = PGC(st->db);
	if (c && c->conn && !c->broken && s->generation == c->generation && !PQisBusy(c->conn)) {
		char sql[40];
		snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
		if (PQsendQuery(c->conn, sql)) {
			PGresult *r;
			pg_wait(st->db, &r);
			PQclear(r);
		}
	}
	PQclear(s->res);
	clear_params(s);
	clear_blob(s);
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s->converted);
	free(s);
	st->impl = NULL;
}

static void set_param(struct db_stmt *st, int i, char *v)
{
	struct pgstmt *s = PGS(st);
	if (i < 1 || i > s->nparams) {
		free(v);
		return;
	}
	free(s->values[i - 1]);
	s->values[i - 1] = v;
	s->formats[i - 1] = 0;
}

static void pg_bind_int(struct db_stmt *st, int i, int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%lld", (long long)v);
	set_param(st, i, xstrdup(buf));
}

static void pg_bind_double(struct db_stmt *st, int i, double v)
{
	char buf[40];
	snprintf(buf, sizeof buf, "%.17g", v);
	set_param(st, i, xstrdup(buf));
}

static void pg_bind_text(struct db_stmt *st, int i, const char *p, size_t n)
{
	set_param(st, i, xstrndup(p, n));
}

static void pg_bind_null(struct db_stmt *st, int i)
{
	set_param(st, i, NULL);
}

static void pg_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	struct pgstmt *s = PGS(st);
	if (i < 1 || i > s->nparams || n > INT32_MAX)
		return;
	char *copy = xmalloc(n ? n : 1);
	if (n)
		memcpy(copy, p, n);
	set_param(st, i, copy);
	s->lengths[i - 1] = (int)n;
	s->formats[i - 1] = 1;
	s->binary = true;
}

static int pg_execute(struct db_stmt *st)
{
	struct db *db = st->db;
	struct pgconn *c = PGC(db);
	struct pgstmt *s = PGS(st);
	int rc = ensure_conn(db);
	if (rc)
		return rc;
	if (s->generation != c->generation && (rc = server_prepare(st)))
		return rc;
	if (!PQsendQueryPrepared(c->conn, s->name, s->nparams, (const char *const *)s->values,
	                         s->binary ? s->lengths : NULL, s->binary ? s->formats : NULL, 0))
		return map_result_error(db, NULL);
	PGresult *r;
	rc = pg_wait(db, &r);
	if (rc) {
		PQclear(r);
		return rc;
	}
	ExecStatusType status = PQresultStatus(r);
	if (status == PGRES_TUPLES_OK) {
		s->res = r;
		s->nrows = PQntuples(r);
		const char *t = PQcmdTuples(r);
		c->changes = t && *t ? strtoll(t, NULL, 10) : 0;
		return DB_OK;
	}
	if (status == PGRES_COMMAND_OK) {
		const char *t = PQcmdTuples(r);
		c->changes = t && *t ? strtoll(t, NULL, 10) : 0;
		PQclear(r);
		s->nrows = 0;
		return DB_OK;
	}
	rc = map_result_error(db, r);
	PQclear(r);
	return rc;
}

static int pg_step(struct db_stmt *st)
{
	struct pgstmt *s = PGS(st);
	clear_blob(s);
	if (!s->executed) {
		s->executed = true;
		int rc = pg_execute(st);
		if (rc)
			return rc;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return DB_ROW;
	}
	return DB_DONE;
}

static int pg_column_count(struct db_stmt *st)
{
	struct pgstmt *s = PGS(st);
	return s->res ? PQnfields(s->res) : 0;
}

static const char *pg_column_name(struct db_stmt *st, int i)
{
	struct pgstmt *s = PGS(st);
	return s->res ? PQfname(s->res, i) : "";
}

static bool pg_column_null(struct db_stmt *st, int i)
{
	struct pgstmt *s = PGS(st);
	return PQgetisnull(s->res, s->row, i);
}

static int64_t pg_column_int(struct db_stmt *st, int i)
{
	struct pgstmt *s = PGS(st);
	const char *v = PQgetvalue(s->res, s->row, i);
	if (v[0] == 't')
		return 1;
	if (v[0] == 'f')
		return 0;
	return strtoll(v, NULL, 10);
}

static double pg_column_double(struct db_stmt *st, int i)
{
	struct pgstmt *s = PGS(st);
	return strtod(PQgetvalue(s->res, s->row, i), NULL);
}

static const char *pg_column_text(struct db_stmt *st, int i, size_t *len)
{
	struct pgstmt *s = PGS(st);
	if (len)
		*len = (size_t)PQgetlength(s->res, s->row, i);
	return PQgetvalue(s->res, s->row, i);
}

/* bytea comes as text (\x and hex digits, or the old escape form): libpq decodes both. */
static const void *pg_column_blob(struct db_stmt *st, int i, size_t *len)
{
	struct pgstmt *s = PGS(st);
	clear_blob(s);
	*len = 0;
	if (PQgetisnull(s->res, s->row, i))
		return "";
	s->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, i), len);
	return s->blob;
}

static void pg_reset(struct db_stmt *st)
{
	struct pgstmt *s = PGS(st);
	clear_blob(s);
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	s->executed = false;
	clear_params(s);
}

static int pg_exec(struct db *db, const char *sql)
{
	int rc = ensure_conn(db);
	if (rc)
		return rc;
	struct pgconn *c = PGC(db);
	if (!PQsendQuery(c->conn, sql))
		return map_result_error(db, NULL);
	PGresult *r;
	rc = pg_wait(db, &r);
	if (rc == DB_OK && r && PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_EMPTY_QUERY)
		rc = map_result_error(db, r);
	PQclear(r);
	return rc;
}

static int64_t pg_changes(struct db *db)
{
	return PGC(db)->changes;
}

static bool pg_in_transaction(struct db *db)
{
	struct pgconn *c = PGC(db);
	if (!c->conn || c->broken)
		return false;
	PGTransactionStatusType t = PQtransactionStatus(c->conn);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

const struct db_driver db_pg_driver = {
    .open = pg_open,
    .close = pg_close,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .bind_int = pg_bind_int,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_text_static = pg_bind_text, /* parameters are copied into the request anyway */
    .bind_null = pg_bind_null,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .column_count = pg_column_count,
    .column_name = pg_column_name,
    .column_null = pg_column_null,
    .column_int = pg_column_int,
    .column_double = pg_column_double,
    .column_text = pg_column_text,
    .column_blob = pg_column_blob,
    .reset = pg_reset,
    .exec = pg_exec,
    .changes = pg_changes,
    .in_transaction = pg_in_transaction,
};
