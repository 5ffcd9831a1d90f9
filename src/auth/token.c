#include "token.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"

#include <stdio.h>
#include <string.h>

int api_token_create(struct db *db, int64_t user_id, const char *name, int64_t expires_ms,
                     int64_t *id, char token_out[API_TOKEN_LEN + 1])
{
	char raw[TOKEN_TEXT_LEN], hash[65], now[TIME_ISO_LEN], expires[TIME_ISO_LEN];
	token_random(raw);
	snprintf(token_out, API_TOKEN_LEN + 1, "%s%s", API_TOKEN_PREFIX, raw);
	token_hash(token_out, hash);
	time_now_iso(now);
	time_format_iso(expires_ms, expires);
	/* Shown in lists so a user can tell tokens apart: the prefix and four characters. */
	char shown[16];
	snprintf(shown, sizeof shown, "%.8s", token_out);
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "INSERT INTO api_tokens (user_id, name, token_hash, shown_prefix, "
	                    "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user_id);
	db_bind_texts(st, 2, name);
	db_bind_texts(st, 3, hash);
	db_bind_texts(st, 4, shown);
	db_bind_texts(st, 5, now);
	db_bind_texts(st, 6, expires);
	return db_step_id(st, id);
}

int api_token_list_json(struct db *db, int64_t user_id, struct str *out)
{
	struct db_stmt *st;
	int rc =
	    db_prepare(db,
	               "SELECT id, name, shown_prefix, created_at, expires_at, last_used_at, "
	               "revoked_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC LIMIT 200",
	               &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user_id);
	str_addc(out, '[');
	size_t count = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		str_adds(out, count++ ? ",{\"id\":" : "{\"id\":");
		str_add_int(out, db_column_int(st, 0));
		str_adds(out, ",\"name\":");
		str_add_jsons(out, db_column_text(st, 1, NULL));
		str_adds(out, ",\"prefix\":");
		str_add_jsons(out, db_column_text(st, 2, NULL));
		static const char *const times[] = {"created_at", "expires_at", "last_used_at",
		                                    "revoked_at"};
		for (int i = 0; i < 4; i++) {
			str_addf(out, ",\"%s\":", times[i]);
			json_add_time_column(out, st, 3 + i);
		}
		str_addc(out, '}');
	}
	db_reset(st);
	str_addc(out, ']');
	return rc == DB_DONE ? DB_OK : rc;
}

int api_token_revoke(struct db *db, int64_t user_id, int64_t id)
{
	char now[TIME_ISO_LEN], uid[24], tid[24];
	time_now_iso(now);
	snprintf(uid, sizeof uid, "%lld", (long long)user_id);
	snprintf(tid, sizeof tid, "%lld", (long long)id);
	const char *p[] = {now, tid, uid};
	int rc = db_run(db,
	                "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? "
	                "AND revoked_at IS NULL",
	                3, p);
	if (rc)
		return rc;
	return db_changes(db) ? DB_OK : DB_DONE;
}

int api_token_lookup(struct db *db, struct arena *a, const char *token, struct session *s)
{
	if (strlen(token) != API_TOKEN_LEN ||
	    strncmp(token, API_TOKEN_PREFIX, strlen(API_TOKEN_PREFIX)) != 0)
		return DB_DONE;
	char hash[65], now[TIME_ISO_LEN];
	token_hash(token, hash);
	int64_t now_ms = time_now_ms();
	time_format_iso(now_ms, now);
	struct db_stmt *st;
	int rc =
	    db_prepare(db,
	               "SELECT t.id, t.last_used_at, u.id, u.username, u.display_name, u.locale "
	               "FROM api_tokens t JOIN users u ON u.id = t.user_id "
	               "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? "
	               "AND u.disabled = ?",
	               &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, hash);
	db_bind_texts(st, 2, now);
	db_bind_int(st, 3, 0);
	rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? DB_DONE : rc;
	}
	int64_t token_id = db_column_int(st, 0), used = 0;
	bool stale = !db_column_time(st, 1, &used) || now_ms - used > 60 * 1000;
	memset(s, 0, sizeof *s);
	s->user_id = db_column_int(st, 2);
	s->username = arena_strdup(a, db_column_text(st, 3, NULL));
	s->display_name =
	    db_column_null(st, 4) ? NULL : arena_strdup(a, db_column_text(st, 4, NULL));
	s->locale = db_column_null(st, 5) ? NULL : arena_strdup(a, db_column_text(st, 5, NULL));
	db_reset(st);
	if (stale) {
		/* When it was last used, to the minute: skipped, not waited for, while busy. */
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)token_id);
		const char *p[] = {now, id};
		db_run_unless_busy(db, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", 2, p);
	}
	return DB_OK;
}
