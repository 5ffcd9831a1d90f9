#include "app.h"
#include "auth/roles.h"
#include "auth/session.h"
#include "auth/user.h"
#include "core/log.h"
#include "core/util.h"
#include "db/migrate.h"
#include "meta/ddl.h"
#include "match/keys.h"
#include "meta/process_seed.h"
#include "modules/activity_totals.h"
#include "modules/funnel.h"
#include "modules/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int app_open_db(const struct config *cfg, struct db **out)
{
	struct db_options o = {.timeout_ms = (int)cfg->db_timeout_ms,
	                       .sqlite_sync = cfg->sqlite_sync};
	char path[4096];
	if (cfg->db_url && *cfg->db_url && !config_is_pg(cfg)) {
		log_error("--db takes a postgresql:// URL (SQLite lives in --data)");
		return -1;
	}
	/* The data folder also holds local state in PostgreSQL mode (the first admin password). */
	if (mkdir_p(cfg->data_dir)) {
		log_error("cannot create the data folder '%s': %s", cfg->data_dir, strerror(errno));
		return -1;
	}
	if (config_is_pg(cfg)) {
		o.kind = DB_PG;
		o.target = cfg->db_url;
	} else {
		o.kind = DB_SQLITE;
		o.target = config_sqlite_path(cfg, path, sizeof path);
	}
	char *err = NULL;
	if (db_open(&o, out, &err)) {
		log_error("cannot open the database: %s", err ? err : "?");
		free(err);
		return -1;
	}
	return 0;
}

int app_prepare(const struct config *cfg, struct db *db, bool *fresh)
{
	int64_t users = -1;
	/* Before migrations: is there a users table with anyone in it? */
	*fresh = db_query_int(db, "SELECT count(*) FROM users", 0, NULL, &users) != DB_OK;
	if (db_in_transaction(db))
		db_rollback(db); /* PostgreSQL aborts the transaction-less statement cleanly */
	if (migrate_core(db) || roles_seed(db))
		return -1;
	char *err = NULL;
	static bool schema_dir_read;
	if (cfg->schema_dir && *cfg->schema_dir && !schema_dir_read) {
		if (registry_add_schema_dir(cfg->schema_dir, &err)) {
			log_error("cannot read --schema-dir '%s': %s", cfg->schema_dir, err);
			free(err);
			return -1;
		}
		schema_dir_read = true;
	}
	struct registry *r = registry_build(db, &err);
	if (!r) {
		log_error("the model does not load: %s", err);
		free(err);
		return -1;
	}
	if (ddl_sync(db, r)) {
		log_error("cannot bring the tables up to date: %s", db_errmsg(db));
		registry_free(r);
		return -1;
	}
	if (match_keys_sync(db, r)) {
		log_error("cannot make the duplicate-check keys: %s", db_errmsg(db));
		registry_free(r);
		return -1;
	}
	registry_install(r);
	record_hooks_install(module_hooks);
	return process_seed(db) || funnel_sync(db) || activity_totals_sync(db) ? -1 : 0;
}

int app_bootstrap_admin(const struct config *cfg, struct db *db)
{
	int64_t n = 0;
	if (user_count(db, &n))
		return -1;
	if (n > 0)
		return 0;
	char password[TOKEN_TEXT_LEN];
	token_random(password);
	password[20] = '\0'; /* 120 bits are plenty and easier to type */
	int64_t id;
	if (user_add(db, "admin", "Administrator", "admin", password, &id)) {
		log_error("cannot create the admin user: %s", db_errmsg(db));
		return -1;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/admin-password.txt", cfg->data_dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		dprintf(fd, "%s\n", password);
		close(fd);
	}
	/* The only time the password is shown; it is not logged (stdout, not the log). */
	printf("\n  First start: user \"admin\" created with password %s\n"
	       "  (also written to %s, readable only by you)\n\n",
	       password, fd >= 0 ? path : "nowhere: the data folder is not writable");
	fflush(stdout);
	return 0;
}
