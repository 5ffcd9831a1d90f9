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
#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

#define SESSION_COOKIE      "sextant_session"
#define TOKEN_TEXT_LEN      44 /* 32 random bytes in unpadded base64url, plus NUL */
#define SESSION_IDLE_MS     (30LL * 60 * 1000)
#define SESSION_ABSOLUTE_MS (12LL * 60 * 60 * 1000)

struct session {
	int64_t user_id;
	const char *username;
	const char *display_name;
	const char *role;
	const char *locale;
	char csrf[TOKEN_TEXT_LEN];
};

/* Fill out with a fresh random token (32 bytes, base64url). */
void token_random(char out[TOKEN_TEXT_LEN]);

int session_create(struct db *db, int64_t user_id, const char *ip, const char *user_agent,
                   char token[TOKEN_TEXT_LEN], char csrf[TOKEN_TEXT_LEN]);
/* DB_OK with *s filled, DB_DONE if the token names no live session. */
int session_lookup(struct db *db, struct arena *a, const char *token, struct session *s);
int session_delete(struct db *db, const char *token);
/* End every session of a user (inside the caller's transaction); then, once it has committed,
 * session_cache_forget_user drops what this process cached of them. */
int session_end_all(struct db *db, int64_t user_id);
void session_cache_forget_user(int64_t user_id);
/* Free the process's session cache (at exit). */
void session_cache_release(void);

#endif
