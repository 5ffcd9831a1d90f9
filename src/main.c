/*
 * sextant: one binary, subcommands as rows of a table (`sextant help`; the options are in
 * docs/CONFIGURATION.md).
 */
#include "api/api.h"
#include "app.h"
#include "auth/actor.h"
#include "auth/policy.h"
#include "auth/session.h"
#include "auth/throttle.h"
#include "auth/user.h"
#include "core/config.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "core/version.h"
#include "demo/demo.h"
#include "http/http.h"
#include "meta/registry.h"
#include "meta/transfer.h"
#include "services/files.h"
#include "meta/approval.h"
#include "services/workers.h"

#include <curl/curl.h>

#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct command {
	const char *name;
	int (*fn)(struct config *cfg, int argc, char **argv);
	const char *usage;
};

/* The background thread: picks up model changes made on other nodes. */
static atomic_bool background_stop;

static void *background(void *arg)
{
	const struct config *cfg = arg;
	struct db *db = NULL;
	while (!atomic_load(&background_stop)) {
		if (!db && app_open_db(cfg, &db))
			db = NULL;
		if (db)
			registry_refresh(db);
		for (int i = 0; i < 20 && !atomic_load(&background_stop); i++)
			usleep(100000);
	}
	db_close(db);
	return NULL;
}

static int cmd_serve(struct config *cfg, int argc, char **argv)
{
	UNUSED(argv);
	if (argc > 1) {
		fprintf(stderr, "sextant serve: unexpected argument '%s'\n", argv[1]);
		return 2;
	}
	int64_t t0 = time_mono_ns();
	struct db *db;
	bool fresh;
	if (app_open_db(cfg, &db) || app_prepare(cfg, db, &fresh) || app_bootstrap_admin(cfg, db)) {
		return 1;
	}
	if (fresh && !cfg->no_demo && demo_load(db, cfg->data_dir, false)) {
		db_close(db);
		return 1;
	}
	db_close(db);
	/* What migrations, key rebuilds and the demo took (hundreds of MiB for a migration that
	 * drops a large table) is free now: give it back before serving. */
	malloc_trim(0);
	log_info("database ready in %.0f ms", (double)(time_mono_ns() - t0) / 1e6);
	if (files_init(cfg))
		return 1;
	pthread_t bg;
	pthread_create(&bg, NULL, background, cfg);
	approval_link_ttl_ms = cfg->approval_link_hours * 3600 * 1000LL;
	if (workers_start(cfg)) {
		log_error("cannot start the job and outbox workers");
		return 1;
	}
	int rc = http_serve(cfg, api_routes, api_routes_count);
	workers_stop();
	atomic_store(&background_stop, true);
	pthread_join(bg, NULL);
	files_shutdown();
	return rc ? 1 : 0;
}

static int cmd_migrate(struct config *cfg, int argc, char **argv)
{
	UNUSED(argc);
	UNUSED(argv);
	struct db *db;
	bool fresh;
	if (app_open_db(cfg, &db))
		return 1;
	int rc = app_prepare(cfg, db, &fresh);
	db_close(db);
	if (!rc)
		log_info("the database is up to date");
	return rc ? 1 : 0;
}

static int cmd_demo(struct config *cfg, int argc, char **argv)
{
	UNUSED(argc);
	UNUSED(argv);
	struct db *db;
	bool fresh;
	if (app_open_db(cfg, &db))
		return 1;
	int rc = app_prepare(cfg, db, &fresh) || app_bootstrap_admin(cfg, db) ||
	         demo_load(db, cfg->data_dir, true);
	db_close(db);
	return rc ? 1 : 0;
}

static int read_password_stdin(char *buf, size_t n)
{
	if (!fgets(buf, (int)n, stdin))
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf[0] ? 0 : -1;
}

/* Reads the password from standard input for `user add` and `user passwd`. */
static int password_from_stdin(const char *what, bool given, char *buf, size_t n)
{
	if (!given) {
		fprintf(stderr,
		        "sextant user %s: give the password on standard input "
		        "(--password-stdin), never on the command line\n",
		        what);
		return 2;
	}
	if (read_password_stdin(buf, n)) {
		fprintf(stderr, "sextant user %s: no password on standard input\n", what);
		return 2;
	}
	return 0;
}

static int user_add_cmd(struct db *db, int argc, char **argv)
{
	const char *name = argv[2], *role = "user", *display = NULL;
	bool from_stdin = false;
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			role = argv[++i];
		else if (strcmp(argv[i], "--display-name") == 0 && i + 1 < argc)
			display = argv[++i];
		else if (strcmp(argv[i], "--password-stdin") == 0)
			from_stdin = true;
		else {
			fprintf(stderr, "sextant user add: unknown option '%s'\n", argv[i]);
			return 2;
		}
	}
	char password[1024];
	int rc = password_from_stdin("add", from_stdin, password, sizeof password);
	if (rc)
		return rc;
	int64_t id = 0;
	rc = user_add(db, name, display, role, password, &id);
	sodium_memzero(password, sizeof password);
	if (rc == DB_ECONSTRAINT)
		fprintf(stderr, "sextant user add: '%s' exists already\n", name);
	else if (rc == DB_EFOREIGN)
		fprintf(stderr, "sextant user add: there is no role '%s'\n", role);
	else if (rc)
		fprintf(stderr, "sextant user add: %s\n", db_errmsg(db));
	else
		printf("user '%s' (id %lld, role %s) created\n", name, (long long)id, role);
	return rc ? 1 : 0;
}

/* passwd, disable, enable, unlock: a change to an existing account. */
static int user_change_cmd(struct db *db, int argc, char **argv)
{
	const char *what = argv[1], *name = argv[2];
	bool from_stdin = false;
	for (int i = 3; i < argc; i++) {
		if (strcmp(what, "passwd") == 0 && strcmp(argv[i], "--password-stdin") == 0)
			from_stdin = true;
		else {
			fprintf(stderr, "sextant user %s: unknown option '%s'\n", what, argv[i]);
			return 2;
		}
	}
	char password[1024] = "";
	int rc;
	if (strcmp(what, "passwd") == 0 &&
	    (rc = password_from_stdin(what, from_stdin, password, sizeof password)))
		return rc;
	int64_t id = 0;
	bool changed = true;
	rc = user_find(db, name, &id);
	if (rc == DB_OK) {
		if (strcmp(what, "passwd") == 0)
			rc = user_set_password(db, id, password, 0, false);
		else if (strcmp(what, "unlock") == 0)
			rc = user_unlock(db, id, name, 0);
		else
			rc = user_set_disabled(db, id, strcmp(what, "disable") == 0, 0, &changed);
	}
	sodium_memzero(password, sizeof password);
	if (rc == DB_DONE)
		fprintf(stderr, "sextant user %s: there is no user '%s'\n", what, name);
	else if (rc)
		fprintf(stderr, "sextant user %s: %s\n", what, db_errmsg(db));
	else if (strcmp(what, "passwd") == 0)
		printf("password of '%s' changed; their sessions have ended\n", name);
	else if (strcmp(what, "unlock") == 0)
		printf("user '%s' may log in again (failed logins forgotten)\n", name);
	else if (!changed)
		printf("user '%s' was %sd already; nothing changed\n", name, what);
	else
		printf("user '%s' %sd%s\n", name, what,
		       strcmp(what, "disable") == 0 ? "; their sessions have ended" : "");
	return rc ? 1 : 0;
}

#define USER_USAGE                                                             \
	"user add NAME [--role ROLE] [--display-name TEXT] --password-stdin\n" \
	"             user passwd NAME --password-stdin | user disable|enable|unlock NAME"

static int cmd_user(struct config *cfg, int argc, char **argv)
{
	bool add = argc >= 3 && strcmp(argv[1], "add") == 0;
	bool change =
	    argc >= 3 && (strcmp(argv[1], "passwd") == 0 || strcmp(argv[1], "disable") == 0 ||
	                  strcmp(argv[1], "enable") == 0 || strcmp(argv[1], "unlock") == 0);
	if (!add && !change) {
		fprintf(stderr, "usage: sextant user add NAME [--role ROLE] [--display-name TEXT] "
		                "--password-stdin\n"
		                "       sextant user passwd NAME --password-stdin\n"
		                "       sextant user disable NAME\n"
		                "       sextant user enable NAME\n"
		                "       sextant user unlock NAME\n");
		return 2;
	}
	struct db *db;
	bool fresh;
	if (app_open_db(cfg, &db))
		return 1;
	int rc = app_prepare(cfg, db, &fresh);
	if (rc) {
		db_close(db);
		return 1;
	}
	rc = add ? user_add_cmd(db, argc, argv) : user_change_cmd(db, argc, argv);
	db_close(db);
	return rc;
}

static int cmd_import(struct config *cfg, int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr,
		        "usage: sextant import ENTITY FILE.csv [--dry-run] [--mapping JSON]\n");
		return 2;
	}
	struct import_options o = {.max_bytes = SIZE_MAX};
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			o.dry_run = true;
		else if (strcmp(argv[i], "--mapping") == 0 && i + 1 < argc)
			o.mapping = argv[++i];
		else {
			fprintf(stderr, "sextant import: unknown option '%s'\n", argv[i]);
			return 2;
		}
	}
	int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	struct db *db;
	bool fresh;
	if (app_open_db(cfg, &db)) {
		close(fd);
		return 1;
	}
	int rc = 1;
	if (app_prepare(cfg, db, &fresh) == 0) {
		struct registry *reg = registry_acquire();
		struct str out = STR_INIT;
		int64_t t0 = time_mono_ns();
		int status = import_run(db, reg, argv[1], fd, &o, 0, "cli", &out);
		double secs = (double)(time_mono_ns() - t0) / 1e9;
		if (status < 0) {
			fprintf(stderr, "%s\n", out.buf);
		} else {
			printf("%s\n", out.buf);
			fprintf(stderr, "import took %.2f s\n", secs);
			rc = 0;
		}
		str_release(&out);
		registry_release(reg);
	}
	close(fd);
	db_close(db);
	return rc;
}

static int cmd_generate(struct config *cfg, int argc, char **argv)
{
	UNUSED(cfg);
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	long first = argc > 4 ? strtol(argv[4], NULL, 10) : 1;
	if (argc < 3 || n <= 0 || first <= 0 ||
	    (strcmp(argv[1], "customers") && strcmp(argv[1], "contacts") &&
	     strcmp(argv[1], "opportunities"))) {
		fprintf(stderr,
		        "usage: sextant generate customers|contacts|opportunities COUNT [SEED "
		        "[FIRST]] > file.csv\n");
		return 2;
	}
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
	return demo_generate_csv(stdout, argv[1], n, first, seed) ? 1 : 0;
}

static int cmd_version(struct config *cfg, int argc, char **argv)
{
	UNUSED(cfg);
	UNUSED(argc);
	UNUSED(argv);
	printf("sextant %s\n", SEXTANT_VERSION);
	return 0;
}

static int cmd_help(struct config *cfg, int argc, char **argv);

static const struct command commands[] = {
    {"serve", cmd_serve, "serve the web application and API (the default)"},
    {"migrate", cmd_migrate, "bring the database up to date and exit"},
    {"demo", cmd_demo, "load the demo data"},
    {"user", cmd_user, USER_USAGE},
    {"import", cmd_import, "import ENTITY FILE.csv [--dry-run] [--mapping JSON]"},
    {"generate", cmd_generate,
     "generate customers|contacts|opportunities COUNT [SEED [FIRST]]: demo CSV on stdout"},
    {"version", cmd_version, "print the version"},
    {"help", cmd_help, "this list"},
};

static int cmd_help(struct config *cfg, int argc, char **argv)
{
	UNUSED(cfg);
	UNUSED(argc);
	UNUSED(argv);
	fprintf(stderr, "usage: sextant [COMMAND] [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(stderr, "  %-10s %s\n", commands[i].name, commands[i].usage);
	fputc('\n', stderr);
	config_usage();
	return 0;
}

int main(int argc, char **argv)
{
	/* glibc gives the heap back to the kernel whenever 128 KiB lie free at its top, and
	 * counts that down again as big blocks are freed: an import's batches, which take and
	 * free a few MiB each, then paid again and again for fresh zeroed pages (page faults and
	 * sysmalloc were a fifth of an import's time). 64 MiB may stay; the long-request pool
	 * gives its memory back after each request (heap_release_begin, http/server.c). */
	mallopt(M_TRIM_THRESHOLD, HEAP_KEEP);
	struct config cfg;
	config_defaults(&cfg);
	argc--;
	argv++;
	if (config_parse_args(&cfg, &argc, argv))
		return 2;
	int level = log_level_parse(cfg.log_level);
	if (level < 0) {
		fprintf(stderr, "sextant: unknown log level '%s'\n", cfg.log_level);
		return 2;
	}
	log_threshold = (enum log_level)level;
	if (sodium_init() < 0)
		die("libsodium cannot start");
	/* Before any thread: libcurl's global set-up is not thread-safe. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		die("libcurl cannot start");
	const char *name = argc > 0 ? argv[0] : "serve";
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help"; /* what people type first */
	char *serve_argv[] = {(char *)"serve", NULL};
	if (argc == 0) {
		argv = serve_argv;
		argc = 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(name, commands[i].name) == 0) {
			int rc = commands[i].fn(&cfg, argc, argv);
			registry_install(NULL);
			registry_drop_schema_dir();
			session_cache_release();
			actor_cache_release();
			policy_cache_invalidate();
			config_release(&cfg);
			curl_global_cleanup();
			return rc;
		}
	fprintf(stderr, "sextant: unknown command '%s' (try 'sextant help')\n", name);
	config_release(&cfg);
	return 2;
}
