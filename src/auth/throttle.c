#include "throttle.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

/* Keys: "u:" + the account name as typed, "ip:" + the address. Names are cut to a bound. */
static void make_key(char *out, size_t n, const char *kind, const char *value)
{
	snprintf(out, n, "%s:%.*s", kind, 120, value ? value : "");
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
		size_t n;
		const char *at = db_column_text(st, 0, &n);
		int64_t at_ms;
		if (time_parse_datetime(at, n, &at_ms)) {
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

int login_throttle_check(struct db *db, const struct login_limits *l, const char *username,
                         const char *ip, int64_t *retry_after_s)
{
	char key[160];
	int64_t by_account = 0, by_ip = 0;
	make_key(key, sizeof key, "u", username);
	int rc = blocked_for(db, key, l->account_failures, l->window_s, &by_account);
	if (!rc) {
		make_key(key, sizeof key, "ip", ip);
		rc = blocked_for(db, key, l->ip_failures, l->window_s, &by_ip);
	}
	*retry_after_s = by_account > by_ip ? by_account : by_ip;
	return rc;
}

int login_throttle_failed(struct db *db, const char *username, const char *ip)
{
	char account[160], addr[160], now[TIME_ISO_LEN];
	make_key(account, sizeof account, "u", username);
	make_key(addr, sizeof addr, "ip", ip);
	time_now_iso(now);
	const char *p[] = {account, now, addr, now};
	return db_run(db, "INSERT INTO sys_login_failures (key, at) VALUES (?, ?), (?, ?)", 4, p);
}

int login_throttle_clear(struct db *db, const char *username)
{
	char key[160];
	make_key(key, sizeof key, "u", username);
	const char *p[] = {key};
	return db_run(db, "DELETE FROM sys_login_failures WHERE key = ?", 1, p);
}

int login_throttle_purge(struct db *db)
{
	char cutoff[TIME_ISO_LEN];
	time_format_iso(time_now_ms() - 24 * 3600 * 1000LL, cutoff);
	const char *p[] = {cutoff};
	return db_run(db, "DELETE FROM sys_login_failures WHERE at < ?", 1, p);
}
