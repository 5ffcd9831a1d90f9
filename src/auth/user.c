#include "user.h"
#include "actor.h"
#include "session.h"
#include "throttle.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define PWHASH_OPS 2
#define PWHASH_MEM (19U * 1024 * 1024)

int password_hash(const char *password, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str_alg(out, password, strlen(password), PWHASH_OPS, PWHASH_MEM,
	                             crypto_pwhash_ALG_ARGON2ID13);
}

bool password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static char dummy_hash[crypto_pwhash_STRBYTES];

static void dummy_hash_make(void)
{
	password_hash("not a password of anyone", dummy_hash, sizeof dummy_hash);
}

void password_dummy_verify(const char *password)
{
	/* Made once, by the first caller; the others wait for it rather than see it half made. */
	static pthread_once_t made = PTHREAD_ONCE_INIT;
	pthread_once(&made, dummy_hash_make);
	password_verify(dummy_hash, password);
}

int user_insert(struct db *db, const char *username, const char *display_name, const char *role,
                const char *password, bool must_change, int64_t *id)
{
	char hash[crypto_pwhash_STRBYTES], now[TIME_ISO_LEN];
	if (password_hash(password, hash, sizeof hash))
		return DB_ERROR;
	time_now_iso(now);
	const char *p[] = {role};
	int64_t known = 0;
	int rc = db_query_int(db, "SELECT count(*) FROM roles WHERE key = ?", 1, p, &known);
	if (rc)
		return rc;
	if (!known)
		return DB_EFOREIGN;
	struct db_stmt *st;
	if ((rc = db_prepare(db,
	                     "INSERT INTO users (username, display_name, password_hash, "
	                     "must_change_password, password_changed_at, created_at, updated_at) "
	                     "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
	                     &st)))
		return rc;
	db_bind_texts(st, 1, username);
	db_bind_texts(st, 2, display_name ? display_name : username);
	db_bind_texts(st, 3, hash);
	db_bind_int(st, 4, must_change);
	db_bind_texts(st, 5, now);
	db_bind_texts(st, 6, now);
	db_bind_texts(st, 7, now);
	if ((rc = db_step_id(st, id)))
		return rc;
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", (long long)*id);
	return db_run(db, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)", 2,
	              (const char *[]){uid, role});
}

int user_add(struct db *db, const char *username, const char *display_name, const char *role,
             const char *password, int64_t *id)
{
	int rc = db_begin(db);
	if (rc)
		return rc;
	if ((rc = user_insert(db, username, display_name, role, password, false, id)) ||
	    (rc = db_commit(db)))
		db_rollback(db);
	return rc;
}

int user_credentials(struct db *db, struct arena *a, const char *username, int64_t *id,
                     const char **hash)
{
	struct db_stmt *st;
	int rc = db_prepare(
	    db, "SELECT id, password_hash FROM users WHERE username = ? AND disabled = ?", &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, username);
	db_bind_int(st, 2, 0);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int(st, 0);
		*hash = arena_strdup(a, db_column_text(st, 1, NULL));
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}

int user_count(struct db *db, int64_t *n)
{
	*n = 0;
	return db_query_int(db, "SELECT count(*) FROM users", 0, NULL, n);
}

int user_find(struct db *db, const char *username, int64_t *id)
{
	const char *p[] = {username};
	*id = 0;
	int rc = db_query_int(db, "SELECT id FROM users WHERE username = ?", 1, p, id);
	if (rc)
		return rc;
	return *id ? DB_OK : DB_DONE;
}

/* The audit row of an account change: who (NULL for the command line), which user, what. */
static int audit_account(struct db *db, int64_t id, int64_t by_user, const char *action,
                         const char *changes)
{
	char now[TIME_ISO_LEN], who[24], whom[24];
	time_now_iso(now);
	snprintf(who, sizeof who, "%lld", (long long)by_user);
	snprintf(whom, sizeof whom, "%lld", (long long)id);
	const char *p[] = {now, by_user ? who : NULL, action, whom, changes};
	return db_run(db,
	              "INSERT INTO sys_audit (at, user_id, action, entity, record_id, changes) "
	              "VALUES (?, ?, ?, 'users', ?, ?)",
	              5, p);
}

/* Run one account change with its audit row and the end of the user's sessions. */
static int account_change(struct db *db, int64_t id, int64_t by_user, const char *action,
                          const char *changes, const char *sql, const char *value)
{
	char now[TIME_ISO_LEN], whom[24];
	time_now_iso(now);
	snprintf(whom, sizeof whom, "%lld", (long long)id);
	int rc = db_begin(db);
	if (rc)
		return rc;
	const char *p[] = {value, now, whom};
	rc = db_run_one(db, sql, 3, p);
	if (!rc)
		rc = audit_account(db, id, by_user, action, changes);
	if (!rc)
		rc = session_end_all(db, id);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	else
		session_cache_forget_user(id); /* after the commit: no lookup can bring them back */
	return rc;
}

int user_set_password(struct db *db, int64_t id, const char *password, int64_t by_user,
                      bool must_change)
{
	char hash[crypto_pwhash_STRBYTES], now[TIME_ISO_LEN], whom[24];
	if (password_hash(password, hash, sizeof hash))
		return DB_ERROR;
	time_now_iso(now);
	snprintf(whom, sizeof whom, "%lld", (long long)id);
	int rc = db_begin(db);
	/* The old password joins the history, which keeps the latest 24 (the policy's most). */
	if (!rc)
		rc = db_run(db,
		            "INSERT INTO password_history (user_id, password_hash, changed_at) "
		            "SELECT id, password_hash, ? FROM users WHERE id = ?",
		            2, (const char *[]){now, whom});
	if (!rc)
		rc = db_run(
		    db,
		    "DELETE FROM password_history WHERE user_id = ? AND changed_at < (SELECT "
		    "changed_at FROM password_history WHERE user_id = ? ORDER BY changed_at "
		    "DESC LIMIT 1 OFFSET 23)",
		    2, (const char *[]){whom, whom});
	if (!rc)
		rc = db_run_one(db,
		                "UPDATE users SET password_hash = ?, password_changed_at = ?, "
		                "must_change_password = ?, updated_at = ? WHERE id = ?",
		                5, (const char *[]){hash, now, must_change ? "1" : "0", now, whom});
	if (!rc)
		rc = audit_account(db, id, by_user, by_user == id ? "password_change" : "password",
		                   NULL);
	if (!rc)
		rc = session_end_all(db, id);
	if (!rc)
		rc = db_commit(db);
	sodium_memzero(hash, sizeof hash);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	session_cache_forget_user(id);
	actor_cache_invalidate(); /* the account's state (must change, changed at) */
	return DB_OK;
}

int password_reused(struct db *db, int64_t id, const char *password, int history, bool *reused)
{
	*reused = false;
	struct db_stmt *st;
	/* The current password and the latest `history` earlier ones. */
	int rc = db_prepare(db,
	                    "SELECT password_hash FROM users WHERE id = ? UNION ALL SELECT * FROM "
	                    "(SELECT password_hash FROM password_history WHERE user_id = ? "
	                    "ORDER BY changed_at DESC LIMIT ?) h",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, id);
	db_bind_int(st, 3, history);
	while (!*reused && (rc = db_step(st)) == DB_ROW)
		*reused = password_verify(db_column_text(st, 0, NULL), password);
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

int user_set_disabled(struct db *db, int64_t id, bool disabled, int64_t by_user, bool *changed)
{
	char whom[24];
	snprintf(whom, sizeof whom, "%lld", (long long)id);
	const char *p[] = {whom};
	int64_t now_disabled = -1;
	*changed = false;
	int rc =
	    db_query_int(db, "SELECT CASE WHEN disabled THEN 1 ELSE 0 END FROM users WHERE id = ?",
	                 1, p, &now_disabled);
	if (rc)
		return rc;
	if (now_disabled < 0)
		return DB_DONE;
	if ((now_disabled == 1) == disabled)
		return DB_OK; /* nothing to change, nothing to audit */
	*changed = true;
	/* "1" and "0": an integer on SQLite, a boolean's text form on PostgreSQL. */
	return account_change(
	    db, id, by_user, disabled ? "disable" : "enable",
	    disabled ? "{\"disabled\":[false,true]}" : "{\"disabled\":[true,false]}",
	    "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?", disabled ? "1" : "0");
}

int user_unlock(struct db *db, int64_t id, const char *username, int64_t by_user)
{
	int rc = db_begin(db);
	if (rc)
		return rc;
	rc = login_throttle_clear(db, username);
	if (!rc)
		rc = audit_account(db, id, by_user, "unlock", NULL);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}
