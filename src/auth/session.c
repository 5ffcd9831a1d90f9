#include "session.h"
#include "db/dbjson.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void token_random(char out[TOKEN_TEXT_LEN])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, TOKEN_TEXT_LEN, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void token_hash(const char *token, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, h, sizeof h);
}

int session_create(struct db *db, int64_t user_id, const char *ip, const char *user_agent,
                   int64_t absolute_ms, char token[TOKEN_TEXT_LEN], char csrf[TOKEN_TEXT_LEN])
{
	char hash[65], now[TIME_ISO_LEN], expires[TIME_ISO_LEN];
	token_random(token);
	token_random(csrf);
	token_hash(token, hash);
	int64_t t = time_now_ms();
	time_format_iso(t, now);
	time_format_iso(t + absolute_ms, expires);
	struct db_stmt *st;
	int rc =
	    db_prepare(db,
	               "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, "
	               "last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	               &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, hash);
	db_bind_int(st, 2, user_id);
	db_bind_texts(st, 3, csrf);
	db_bind_texts(st, 4, now);
	db_bind_texts(st, 5, now);
	db_bind_texts(st, 6, expires);
	db_bind_texts(st, 7, ip);
	db_bind_texts(st, 8, user_agent); /* already cut and made valid UTF-8 (req_user_agent) */
	rc = db_step(st);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/*
 * A short-lived cache of sessions looked up by this process. Every request looks its session
 * up; on PostgreSQL that is a round trip as long as the request's own query. Entries live for
 * SESSION_CACHE_MS: a session ended on another node stays usable here that long at most (one
 * ended here leaves the cache at once). Direct-mapped by the token's hash: bounded, no
 * eviction policy to get wrong.
 */
#define SESSION_CACHE_SLOTS 1024
#define SESSION_CACHE_MS    2000

struct cached_session {
	char hash[65];      /* "" = empty */
	int64_t fetched_ns; /* monotonic */
	int64_t seen_ms, expires_ms, created_ms;
	int64_t user_id;
	char csrf[TOKEN_TEXT_LEN];
	char *username, *display_name, *locale;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached_session cache[SESSION_CACHE_SLOTS];
/* Bumped by every eviction: a lookup that read the database before it must not store what it
 * read (it may be the session just ended). */
static uint64_t cache_generation;

static struct cached_session *cache_slot(const char hash[65])
{
	unsigned long h = strtoul((char[]){hash[0], hash[1], hash[2], hash[3], 0}, NULL, 16);
	return &cache[h % SESSION_CACHE_SLOTS];
}

static void cache_clear_slot(struct cached_session *c)
{
	free(c->username);
	free(c->display_name);
	free(c->locale);
	memset(c, 0, sizeof *c);
}

static bool cache_get(const char hash[65], struct arena *a, int64_t idle_ms, struct session *s)
{
	bool hit = false;
	int64_t now = time_now_ms();
	pthread_mutex_lock(&cache_lock);
	struct cached_session *c = cache_slot(hash);
	if (strcmp(c->hash, hash) == 0 &&
	    time_mono_ns() - c->fetched_ns < SESSION_CACHE_MS * 1000000LL && now < c->expires_ms &&
	    now < c->seen_ms + idle_ms) {
		s->user_id = c->user_id;
		s->created_ms = c->created_ms;
		memcpy(s->csrf, c->csrf, sizeof s->csrf);
		s->username = arena_strdup(a, c->username);
		s->display_name = arena_strdup(a, c->display_name);
		s->locale = arena_strdup(a, c->locale);
		hit = true;
	}
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

static uint64_t cache_generation_now(void)
{
	pthread_mutex_lock(&cache_lock);
	uint64_t g = cache_generation;
	pthread_mutex_unlock(&cache_lock);
	return g;
}

/* Store a lookup that began at fetched_ns (before its query), unless an eviction came since. */
static void cache_put(const char hash[65], const struct session *s, int64_t seen, int64_t expires,
                      int64_t fetched_ns, uint64_t generation)
{
	pthread_mutex_lock(&cache_lock);
	if (generation != cache_generation) {
		pthread_mutex_unlock(&cache_lock);
		return;
	}
	struct cached_session *c = cache_slot(hash);
	cache_clear_slot(c);
	memcpy(c->hash, hash, sizeof c->hash);
	c->fetched_ns = fetched_ns;
	c->seen_ms = seen;
	c->expires_ms = expires;
	c->user_id = s->user_id;
	c->created_ms = s->created_ms;
	memcpy(c->csrf, s->csrf, sizeof c->csrf);
	c->username = xstrdup(s->username);
	c->display_name = xstrdup(s->display_name);
	c->locale = s->locale ? xstrdup(s->locale) : NULL;
	pthread_mutex_unlock(&cache_lock);
}

static void cache_forget(const char hash[65])
{
	pthread_mutex_lock(&cache_lock);
	struct cached_session *c = cache_slot(hash);
	if (strcmp(c->hash, hash) == 0)
		cache_clear_slot(c);
	cache_generation++;
	pthread_mutex_unlock(&cache_lock);
}

void session_cache_forget_user(int64_t user_id)
{
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < SESSION_CACHE_SLOTS; i++)
		if (cache[i].hash[0] && cache[i].user_id == user_id)
			cache_clear_slot(&cache[i]);
	cache_generation++;
	pthread_mutex_unlock(&cache_lock);
}

int session_end_all(struct db *db, int64_t user_id)
{
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)user_id);
	const char *p[] = {id};
	return db_run(db, "DELETE FROM sessions WHERE user_id = ?", 1, p);
}

int session_list_json(struct db *db, int64_t user_id, const char *current_token, int64_t idle_ms,
                      struct str *out)
{
	char current[65] = "";
	if (current_token)
		token_hash(current_token, current);
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT token_hash, created_at, last_seen_at, expires_at, ip, "
	                    "user_agent FROM sessions WHERE user_id = ? AND expires_at > ? "
	                    "ORDER BY last_seen_at DESC, token_hash LIMIT 200",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user_id);
	db_bind_texts(st, 2, now);
	str_addc(out, '[');
	size_t count = 0;
	int64_t now_ms = time_now_ms();
	while ((rc = db_step(st)) == DB_ROW) {
		const char *hash = db_column_text(st, 0, NULL);
		int64_t seen_ms = 0;
		/* Past the idle limit a session is over, though its row is purged later. */
		if (!db_column_time(st, 2, &seen_ms) || now_ms >= seen_ms + idle_ms)
			continue;
		str_adds(out, count++ ? ",{\"id\":" : "{\"id\":");
		str_addc(out, '"');
		str_add(out, hash, SESSION_ID_LEN);
		str_adds(out, "\",\"created_at\":");
		json_add_time_column(out, st, 1);
		str_adds(out, ",\"last_seen_at\":");
		json_add_time_column(out, st, 2);
		str_adds(out, ",\"expires_at\":");
		json_add_time_column(out, st, 3);
		str_adds(out, ",\"ip\":");
		json_add_text_column(out, st, 4);
		str_adds(out, ",\"user_agent\":");
		json_add_text_column(out, st, 5);
		str_adds(out, ",\"current\":");
		str_adds(out, strcmp(hash, current) == 0 ? "true}" : "false}");
	}
	db_reset(st);
	str_addc(out, ']');
	return rc == DB_DONE ? DB_OK : rc;
}

int session_revoke(struct db *db, int64_t user_id, const char *id, const char *current_token,
                   bool *was_current)
{
	*was_current = false;
	if (strlen(id) != SESSION_ID_LEN || strspn(id, "0123456789abcdef") != SESSION_ID_LEN)
		return DB_DONE;
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", (long long)user_id);
	const char *p[] = {uid, id};
	/* Before and after, as for a logout: no lookup in between may keep it cached. */
	session_cache_forget_user(user_id);
	int rc = db_run(
	    db, "DELETE FROM sessions WHERE user_id = ? AND substr(token_hash, 1, 16) = ?", 2, p);
	if (rc)
		return rc;
	if (db_changes(db) == 0)
		return DB_DONE;
	session_cache_forget_user(user_id);
	if (current_token) {
		char current[65];
		token_hash(current_token, current);
		*was_current = strncmp(current, id, SESSION_ID_LEN) == 0;
	}
	return DB_OK;
}

void session_cache_release(void)
{
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < SESSION_CACHE_SLOTS; i++)
		cache_clear_slot(&cache[i]);
	pthread_mutex_unlock(&cache_lock);
}

int session_lookup(struct db *db, struct arena *a, const char *token, int64_t idle_ms,
                   struct session *s)
{
	if (strlen(token) != TOKEN_TEXT_LEN - 1)
		return DB_DONE;
	char hash[65];
	token_hash(token, hash);
	if (cache_get(hash, a, idle_ms, s))
		return DB_OK;
	/* The cache entry's age counts from before the query, not from after it. */
	int64_t fetched_ns = time_mono_ns();
	uint64_t generation = cache_generation_now();
	struct db_stmt *st;
	int rc =
	    db_prepare(db,
	               "SELECT s.user_id, s.csrf_token, s.last_seen_at, s.expires_at, u.username, "
	               "u.display_name, u.locale, u.disabled, s.created_at FROM sessions s "
	               "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
	               &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, hash);
	rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? DB_DONE : rc;
	}
	int64_t now = time_now_ms(), seen = 0, expires = 0;
	db_column_time(st, 2, &seen);
	db_column_time(st, 3, &expires); /* unreadable: 0, so not live */
	bool live = !db_column_int(st, 7) && now < expires && now < seen + idle_ms;
	if (live) {
		s->user_id = db_column_int(st, 0);
		s->created_ms = 0;
		db_column_time(st, 8, &s->created_ms);
		snprintf(s->csrf, sizeof s->csrf, "%s", db_column_text(st, 1, NULL));
		s->username = arena_strdup(a, db_column_text(st, 4, NULL));
		s->display_name = arena_strdup(a, db_column_text(st, 5, NULL));
		s->locale =
		    db_column_null(st, 6) ? NULL : arena_strdup(a, db_column_text(st, 6, NULL));
	}
	db_reset(st);
	if (!live) {
		cache_forget(hash);
		return DB_DONE;
	}
	/* Sliding idle timeout, written at most once a minute per session. A read must not wait
	 * for a writer (an import holds SQLite's write lock for its whole commit), so the write is
	 * skipped while one is busy and made by a later request. */
	if (now - seen > 60 * 1000) {
		char iso[TIME_ISO_LEN];
		time_format_iso(now, iso);
		const char *p[] = {iso, hash};
		rc = db_run_unless_busy(
		    db, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", 2, p);
		if (rc == DB_OK)
			seen = now;
		else if (rc != DB_EBUSY)
			log_warn("cannot refresh session: %s", db_errmsg(db));
	}
	cache_put(hash, s, seen, expires, fetched_ns, generation);
	return DB_OK;
}

int session_delete(struct db *db, const char *token)
{
	char hash[65];
	token_hash(token, hash);
	cache_forget(hash);
	const char *p[] = {hash};
	int rc = db_run(db, "DELETE FROM sessions WHERE token_hash = ?", 1, p);
	/* Again after the delete: a lookup that began after the first eviction may have read
	 * the row before the delete and stored it. */
	cache_forget(hash);
	return rc;
}
