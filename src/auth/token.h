/*
 * API tokens: a user's credentials for programs (integrations, scripts). A token is shown once,
 * when it is made; only its SHA-256 is stored. It carries the user's own rights, has an expiry,
 * and can be revoked. Sent as `Authorization: Bearer sxt_…`; a request so authenticated needs no
 * CSRF token (no browser sends it on its own), and cannot make further tokens.
 */
#ifndef SEXTANT_TOKEN_H
#define SEXTANT_TOKEN_H

#include "session.h"
#include "core/arena.h"
#include "core/str.h"
#include "db/db.h"

#include <stdint.h>

#define API_TOKEN_PREFIX   "sxt_"
#define API_TOKEN_LEN      (4 + 43) /* "sxt_" and 32 random bytes in unpadded base64url */
#define API_TOKEN_MAX_DAYS 366

/* A new token for the user, valid until expires_ms; the token text (once) into token_out. */
int api_token_create(struct db *db, int64_t user_id, const char *name, int64_t expires_ms,
                     int64_t *id, char token_out[API_TOKEN_LEN + 1]);
/* The user's tokens, newest first, as a JSON array without their secrets. */
int api_token_list_json(struct db *db, int64_t user_id, struct str *out);
/* Revoke one of the user's tokens: DB_DONE if the user has none with this id. */
int api_token_revoke(struct db *db, int64_t user_id, int64_t id);
/* A Bearer token → the identity it carries (s->csrf empty); DB_DONE if it is not a live token
 * of an active user. */
int api_token_lookup(struct db *db, struct arena *a, const char *token, struct session *s);

#endif
