#include "config.h"
#include "util.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum opt_type { OPT_STRING, OPT_LONG, OPT_BOOL };

struct opt {
	const char *flag; /* without the leading "--" */
	const char *env;
	enum opt_type type;
	size_t offset;
	const char *help;
};

#define O(f, e, t, field, h)                               \
	{                                                  \
		f, e, t, offsetof(struct config, field), h \
	}
static const struct opt opts[] = {
    O("data", "SEXTANT_DATA", OPT_STRING, data_dir,
      "folder for the SQLite database and local files (default ./data)"),
    O("db", "SEXTANT_DB", OPT_STRING, db_url,
      "postgresql:// URL (libpq multi-host allowed); empty: SQLite"),
    O("listen", "SEXTANT_LISTEN", OPT_STRING, listen,
      "address:port to serve on (default 127.0.0.1:8080)"),
    O("web", "SEXTANT_WEB", OPT_STRING, web_dir,
      "folder of the built web application (default web/dist)"),
    O("no-demo", "SEXTANT_NO_DEMO", OPT_BOOL, no_demo,
      "do not load demo data into an empty database"),
    O("log-level", "SEXTANT_LOG_LEVEL", OPT_STRING, log_level,
      "error, warn, info (default) or debug"),
    O("workers", "SEXTANT_WORKERS", OPT_LONG, workers, "HTTP worker threads (default: 1 per core)"),
    O("body-limit", "SEXTANT_BODY_LIMIT", OPT_LONG, body_limit,
      "largest JSON request body in bytes (default 1048576)"),
    O("import-limit", "SEXTANT_IMPORT_LIMIT", OPT_LONG, import_limit,
      "largest import file in bytes (default 268435456)"),
    O("file-limit", "SEXTANT_FILE_LIMIT", OPT_LONG, file_limit,
      "largest file attached to a record in bytes (default 52428800)"),
    O("file-dir", "SEXTANT_FILE_DIR", OPT_STRING, file_dir,
      "keep attached files in this folder (by SHA-256) instead of the database"),
    O("file-scan", "SEXTANT_FILE_SCAN", OPT_STRING, file_scan,
      "a virus scanner each uploaded file is given to on standard input, e.g. "
      "\"clamdscan --no-summary --fdpass -\"; exit 0 clean, 1 infected"),
    O("schema-dir", "SEXTANT_SCHEMA_DIR", OPT_STRING, schema_dir,
      "a folder of entity declarations (*.json, as in schema/) loaded besides the built-in ones"),
    O("count-cap", "SEXTANT_COUNT_CAP", OPT_LONG, count_cap,
      "list totals are exact up to this many rows (default 2000)"),
    O("db-timeout", "SEXTANT_DB_TIMEOUT", OPT_LONG, db_timeout_ms,
      "deadline of one database statement in ms (default 10000)"),
    O("shutdown-timeout", "SEXTANT_SHUTDOWN_TIMEOUT", OPT_LONG, shutdown_ms,
      "ms SIGTERM waits for requests in flight (default 20000)"),
    O("login-failures", "SEXTANT_LOGIN_FAILURES", OPT_LONG, login_failures,
      "failed logins of one account within the window before it is locked (default 5)"),
    O("login-ip-failures", "SEXTANT_LOGIN_IP_FAILURES", OPT_LONG, login_ip_failures,
      "failed logins from one address within the window before it is refused (default 50)"),
    O("login-window", "SEXTANT_LOGIN_WINDOW", OPT_LONG, login_window_s,
      "seconds failed logins are counted, and a lock lasts (default 900)"),
    O("cookie-secure", "SEXTANT_COOKIE_SECURE", OPT_BOOL, cookie_secure,
      "mark cookies Secure (serve behind HTTPS)"),
    O("public-url", "SEXTANT_PUBLIC_URL", OPT_STRING, public_url,
      "the URL users and other systems reach Sextant at, e.g. https://crm.example.cn "
      "(default: http:// and the listen address)"),
    O("sqlite-sync", "SEXTANT_SQLITE_SYNC", OPT_STRING, sqlite_sync,
      "SQLite synchronous mode: FULL (default) or NORMAL"),
    O("outbox-attempts", "SEXTANT_OUTBOX_ATTEMPTS", OPT_LONG, outbox_attempts,
      "deliveries of a mail, SMS or webhook call tried before it is parked (default 8)"),
    O("outbox-backoff", "SEXTANT_OUTBOX_BACKOFF", OPT_LONG, outbox_backoff_s,
      "seconds before the second try; doubled after each failure, at most an hour (default 30)"),
    O("outbox-timeout", "SEXTANT_OUTBOX_TIMEOUT", OPT_LONG, outbox_timeout_s,
      "seconds one delivery may take (default 30)"),
    O("worker-poll", "SEXTANT_WORKER_POLL", OPT_LONG, worker_poll_ms,
      "milliseconds between looks for due jobs and messages (default 1000)"),
    O("outbound-hosts", "SEXTANT_OUTBOUND_HOSTS", OPT_STRING, outbound_hosts,
      "hosts webhooks and SMS gateways may be at, comma-separated, *.domain for all under it "
      "(default: qyapi.weixin.qq.com,oapi.dingtalk.com)"),
    O("approval-link-hours", "SEXTANT_APPROVAL_LINK_HOURS", OPT_LONG, approval_link_hours,
      "hours a link in an approval mail or SMS works (default 168)"),
    O("tls-ca-file", "SEXTANT_TLS_CA_FILE", OPT_STRING, tls_ca_file,
      "a PEM file of the certificate authorities the mail server, webhooks and SMS gateways are "
      "checked against (default: the system's)"),
};
#undef O

static bool parse_bool(const char *v)
{
	return !(strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
	         strcmp(v, "off") == 0 || v[0] == '\0');
}

static int set_opt(struct config *c, const struct opt *o, const char *v, const char *source)
{
	void *field = (char *)c + o->offset;
	switch (o->type) {
	case OPT_STRING: {
		char **p = field;
		free(*p);
		*p = xstrdup(v);
		break;
	}
	case OPT_LONG: {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || *end || end == v || n < 0) {
			fprintf(stderr, "sextant: %s '%s' needs a whole number, not '%s'\n", source,
			        o->flag, v);
			return -1;
		}
		*(long *)field = n;
		break;
	}
	case OPT_BOOL:
		*(bool *)field = parse_bool(v);
		break;
	}
	return 0;
}

void config_defaults(struct config *c)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	*c = (struct config){
	    .data_dir = xstrdup("data"),
	    .listen = xstrdup("127.0.0.1:8080"),
	    .log_level = xstrdup("info"),
	    .web_dir = xstrdup("web/dist"),
	    .workers = ncpu > 0 ? ncpu : 2,
	    .body_limit = 1L << 20,
	    .import_limit = 256L << 20,
	    .file_limit = 50L << 20,
	    .count_cap = 2000,
	    .db_timeout_ms = 10000,
	    .shutdown_ms = 20000,
	    .login_failures = 5,
	    .login_ip_failures = 50,
	    .login_window_s = 900,
	    .sqlite_sync = xstrdup("FULL"),
	    .outbox_attempts = 8,
	    .outbox_backoff_s = 30,
	    .outbox_timeout_s = 30,
	    .worker_poll_ms = 1000,
	    .approval_link_hours = 168,
	};
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		const char *v = getenv(opts[i].env);
		if (v && set_opt(c, &opts[i], v, "environment") < 0)
			fprintf(stderr, "sextant: ignoring %s\n", opts[i].env);
	}
}

int config_parse_args(struct config *c, int *argc, char **argv)
{
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0) {
			argv[out++] = argv[i];
			continue;
		}
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		const struct opt *o = NULL;
		for (size_t j = 0; j < ARRAY_SIZE(opts); j++)
			if (strlen(opts[j].flag) == nlen && strncmp(opts[j].flag, name, nlen) == 0)
				o = &opts[j];
		if (!o) {
			argv[out++] = argv[i]; /* a subcommand's own flag */
			continue;
		}
		const char *v;
		if (eq) {
			v = eq + 1;
		} else if (o->type == OPT_BOOL) {
			v = "1";
		} else if (i + 1 < *argc) {
			v = argv[++i];
		} else {
			fprintf(stderr, "sextant: --%s needs a value\n", o->flag);
			return -1;
		}
		if (set_opt(c, o, v, "flag") < 0)
			return -1;
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

void config_usage(void)
{
	fputs("Options (each also read from its environment variable):\n", stderr);
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		fprintf(stderr, "  --%-18s %-26s %s\n", opts[i].flag, opts[i].env, opts[i].help);
}

bool config_is_pg(const struct config *c)
{
	return c->db_url && (strncmp(c->db_url, "postgresql://", 13) == 0 ||
	                     strncmp(c->db_url, "postgres://", 11) == 0);
}

const char *config_sqlite_path(const struct config *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s/sextant.db", c->data_dir);
	return buf;
}

void config_release(struct config *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (opts[i].type == OPT_STRING) {
			char **p = (char **)((char *)c + opts[i].offset);
			free(*p);
			*p = NULL;
		}
}
