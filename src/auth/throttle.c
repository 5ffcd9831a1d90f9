#include "throttle.h"
#include "core/text.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

/*
 * Keys: "u:" + the account name as typed, "ip:" + the address. Names are cut to a bound, on a
 * character boundary (PostgreSQL refuses a split UTF-8 sequence).
 */
static void make_key(char *out, size_t n, const char *kind, const char *value)
{
	int len = snprintf(out, n, "%s:%.*s", kind, 120, value ? value : "");
	size_t end = len < 0 ? 0 : (size_t)len < n ? (size_t)len : n - 1;
	size_t start = strlen(kind) + 1;
	/* A cut sequence is at most three bytes: drop them. */
	while (end > start && !utf8_valid(out + start, end - start))
		end--;
	out[end] = '\0';
}

/*
 * Blocked while `limit` failures fall within the window; it opens when the limit-th newest of
 * them leaves it. While blocked nothing more is counted: a lock is not prolonged by an
 * attacker's further tries, which it refuses without checking a password.
 */
static int blocked_for(struct db *db, const char *key, long limit, long window_s,
                       int64_t *retry_after_s)
{
	*retry_after_s = 0;
	if (limit <= 0)
		return DB_OK; /* 0: no limit */
	int64_t now = time_now_ms();
	char cutoff[TIME_ISO_LEN], offset[24];
	time_format_iso(now - window_s * 1000, cutoff);
	snprintf(offset, sizeof offset, "%ld", limit - 1);
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT at FROM sys_login_failures WHERE key = ? AND at > ? "
	                    "ORDER BY at DESC LIMIT 1 OFFSET ?",
	                    &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, key);
	db_bind_texts(st, 2, cutoff);
	db_bind_texts(st, 3, offset);
	rc = db_step(st);
	if (rc == DB_ROW) {
		int64_t at_ms;
		if (db_column_time(st, 0, &at_ms)) {
			int64_t left_ms = at_ms + window_s * 1000 - now;
			*retry_after_s = left_ms > 0 ? (left_ms + 999) / 1000 : 1;
		}
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}

int login_throttle_begin(struct db *db, const struct login_limits *l, const char *username,
                         const char *ip, int64_t *retry_after_s, char at[TIME_ISO_LEN])
{
	char account[160], addr[160];
	make_key(account, sizeof account, "u", username);
	make_key(addr, sizeof addr, "ip", ip);
	time_now_iso(at);
	int64_t by_account = 0, by_ip = 0;
	int rc = db_begin(db);
	if (rc)
		return rc;
	/* SQLite has one writer at a time already; PostgreSQL takes a lock per account name. */
	if (db_kind(db) == DB_PG) {
		const char *p[] = {account};
		rc = db_run(db, "SELECT pg_advisory_xact_lock(7270002, hashtext(?))", 1, p);
	}
	if (!rc)
		rc = blocked_for(db, account, l->account_failures, l->window_s, &by_account);
	if (!rc)
		rc = blocked_for(db, addr, l->ip_failures, l->window_s, &by_ip);
	*retry_after_s = by_account > by_ip ? by_account : by_ip;
	if (!rc && *retry_after_s == 0) {
		const char *p[] = {account, at, addr, at};
		rc = db_run(db, "INSERT INTO sys_login_failures (key, at) VALUES (?, ?), (?, ?)", 4,
		            p);
	}
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}

int login_throttle_succeeded(struct db *db, const char *username, const char *ip,
                             const char at[TIME_ISO_LEN])
{
	char account[160], addr[160];
	make_key(account, sizeof account, "u", username);
	make_key(addr, sizeof addr, "ip", ip);
	const char *p[] = {account, addr, at};
	return db_run(db, "DELETE FROM sys_login_failures WHERE key = ? OR (key = ? AND at = ?)", 3,
	              p);
}

int login_throttle_uncount(struct db *db, const char *username, const char *ip,
                           const char at[TIME_ISO_LEN])
{
	char account[160], addr[160];
	make_key(account, sizeof account, "u", username);
	make_key(addr, sizeof addr, "ip", ip);
	const char *p[] = {account, at, addr, at};
	return db_run(db,
	              "DELETE FROM sys_login_failures WHERE (key = ? AND at = ?) OR "
	              "(key = ? AND at = ?)",
	              4, p);
}

int login_throttle_clear(struct db *db, const char *username)
{
	char key[160];
	make_key(key, sizeof key, "u", username);
	const char *p[] = {key};
	return db_run(db, "DELETE FROM sys_login_failures WHERE key = ?", 1, p);
}

int login_throttle_purge(struct db *db, long window_s)
{
	char cutoff[TIME_ISO_LEN];
	int64_t keep_s = window_s > 24 * 3600 ? window_s : 24 * 3600;
	time_format_iso(time_now_ms() - keep_s * 1000, cutoff);
	const char *p[] = {cutoff};
	return db_run(db, "DELETE FROM sys_login_failures WHERE at < ?", 1, p);
}
