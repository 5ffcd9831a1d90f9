/*
 * Configuration shared by every subcommand, from SEXTANT_* environment variables overridden by
 * command-line flags (docs/CONFIGURATION.md lists them all).
 */
#ifndef SEXTANT_CONFIG_H
#define SEXTANT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config {
	char *data_dir;         /* --data: folder of the SQLite file and local state */
	char *db_url;           /* --db: a postgresql:// URL selects PostgreSQL */
	char *listen;           /* --listen ADDR:PORT */
	char *web_dir;          /* --web: built web application to serve */
	bool no_demo;           /* --no-demo: do not load demo data on first start */
	char *log_level;        /* --log-level error|warn|info|debug */
	long workers;           /* --workers: HTTP worker threads, each with one DB connection */
	long body_limit;        /* --body-limit: bytes of a JSON request body */
	long import_limit;      /* --import-limit: bytes of an uploaded import file */
	long file_limit;        /* --file-limit: bytes of a file attached to a record */
	char *file_dir;         /* --file-dir: attached files in this folder, not the database */
	char *file_scan;        /* --file-scan: a virus scanner each upload is given to */
	char *schema_dir;       /* --schema-dir: entity declarations besides the built-in ones */
	long count_cap;         /* --count-cap: list totals are exact up to this many rows */
	long db_timeout_ms;     /* --db-timeout: deadline of one database statement */
	long shutdown_ms;       /* --shutdown-timeout: how long SIGTERM waits for requests */
	long login_failures;    /* --login-failures: per account within the window */
	long login_ip_failures; /* --login-ip-failures: per client address within the window */
	long login_window_s;    /* --login-window: seconds failures count and a lock lasts */
	bool cookie_secure;     /* --cookie-secure: mark cookies Secure (behind HTTPS) */
	char *public_url;      /* --public-url: where people and systems reach us (OpenID issuer) */
	char *sqlite_sync;     /* --sqlite-sync FULL|NORMAL */
	long outbox_attempts;  /* --outbox-attempts: deliveries tried before a message is parked */
	long outbox_backoff_s; /* --outbox-backoff: seconds after the first failure (doubling) */
	long outbox_timeout_s; /* --outbox-timeout: seconds one delivery may take */
	long worker_poll_ms;   /* --worker-poll: how often the workers look for due work */
	char *outbound_hosts;  /* --outbound-hosts: where webhooks and SMS gateways may be */
	char *tls_ca_file; /* --tls-ca-file: the CAs outbound TLS trusts (default: the system's) */
	long approval_link_hours; /* --approval-link-hours: how long a link to decide works */
};

/* Defaults, then environment. */
void config_defaults(struct config *c);
/*
 * Consume the global flags from argv (wherever they stand), leaving the rest in order in
 * argv[0..*argc). Returns 0, or -1 after printing what is wrong.
 */
int config_parse_args(struct config *c, int *argc, char **argv);
void config_usage(void);
/* Derived values. */
bool config_is_pg(const struct config *c);
const char *config_sqlite_path(const struct config *c, char *buf, size_t n);
void config_release(struct config *c);

#endif
