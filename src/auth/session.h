/*
 * Sessions: the first login of the platform core (users and passwords: user.h). The identity issue
 * extends this (roles, scopes, TOTP, API tokens, throttling); see docs/internals/AUTH.md.
 *
 * Sessions live in the database so every node sees them (each node caches a lookup for two
 * seconds). The cookie carries a random token; only its SHA-256 is stored. Each session has a CSRF
 * token that cookie-authenticated unsafe requests must echo in X-CSRF-Token.
 */
#ifndef SEXTANT_SESSION_H
#define SEXTANT_SESSION_H

#include "core/arena.h"
#include "core/str.h"
#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

#define SESSION_COOKIE "sextant_session"
#define TOKEN_TEXT_LEN 44 /* 32 random bytes in unpadded base64url, plus NUL */

struct session {
	int64_t user_id;
	const char *username;
	const char *display_name;
	const char *locale;
	char csrf[TOKEN_TEXT_LEN];
	int64_t created_ms; /* when the user logged in (OpenID's auth_time); 0 for an API token */
};

/* Fill out with a fresh random token (32 bytes, base64url). */
void token_random(char out[TOKEN_TEXT_LEN]);
/* What is stored of a token: its SHA-256, in hex. */
void token_hash(const char *token, char out[65]);

/* A session that ends absolute_ms from now at the latest (the security policy's limits). */
int session_create(struct db *db, int64_t user_id, const char *ip, const char *user_agent,
                   int64_t absolute_ms, char token[TOKEN_TEXT_LEN], char csrf[TOKEN_TEXT_LEN]);
/* DB_OK with *s filled, DB_DONE if the token names no live session (past its end, or unused
 * for idle_ms). */
int session_lookup(struct db *db, struct arena *a, const char *token, int64_t idle_ms,
                   struct session *s);
int session_delete(struct db *db, const char *token);
/*
 * The user's own sessions, newest use first, as a JSON array: an id (the first 16 hex digits of
 * the token's hash, which tells nothing of the token), when it began, was last used and ends,
 * from where, with what browser, and whether it is the one the request came with.
 */
int session_list_json(struct db *db, int64_t user_id, const char *current_token, int64_t idle_ms,
                      struct str *out);
/* End one of the user's sessions by its listed id: DB_DONE if the user has none such;
 * *was_current tells if it was the one of current_token. */
int session_revoke(struct db *db, int64_t user_id, const char *id, const char *current_token,
                   bool *was_current);
#define SESSION_ID_LEN 16

/* End every session of a user (inside the caller's transaction); then, once it has committed,
 * session_cache_forget_user drops what this process cached of them. */
int session_end_all(struct db *db, int64_t user_id);
void session_cache_forget_user(int64_t user_id);
/* Free the process's session cache (at exit). */
void session_cache_release(void);

#endif
