/*
 * Sextant as an OpenID Connect provider for the company's other systems (docs/internals/OIDC.md):
 * registered clients, signing keys with rotation, authorization codes (single use, PKCE) and
 * access tokens. The HTTP side is api/oidc.c.
 */
#ifndef SEXTANT_OIDC_H
#define SEXTANT_OIDC_H

#include "core/arena.h"
#include "core/str.h"
#include "meta/op.h"

#include <stdbool.h>
#include <stdint.h>

#define OIDC_CODE_TTL_S    60 /* a used code is kept as long as its tokens live (replays) */
#define OIDC_TOKEN_TTL_S   3600
#define OIDC_URIS_MAX      10
#define OIDC_CLIENT_ID_LEN 25 /* "sxc_" and 20 hex digits, plus NUL */

struct oidc_client {
	const char *client_id, *name;
	bool confidential; /* has a secret; public clients must use PKCE */
	const char *secret_hash;
	const char **redirect_uris, **logout_uris;
	size_t n_redirect_uris, n_logout_uris;
};

/* DB_DONE if there is no such client. */
int oidc_client_get(struct db *db, struct arena *a, const char *client_id, struct oidc_client *c);
/* Exactly one of the registered URIs (no prefix or pattern matching). */
bool oidc_uri_registered(const char *const *uris, size_t n, const char *uri);
bool oidc_client_secret_ok(const struct oidc_client *c, const char *secret);
/* Register a client; its secret (confidential ones) is written to secret, shown once. */
int oidc_client_create(struct op *op, const char *name, const char *const *redirect_uris,
                       size_t n_redirect, const char *const *logout_uris, size_t n_logout,
                       bool confidential, char client_id[OIDC_CLIENT_ID_LEN], char secret[44]);
int oidc_clients_json(struct db *db, struct str *out);
int oidc_client_delete(struct op *op, const char *client_id);

/* The key that signs now (made on first use): its kid and PEM, copied into a. */
int oidc_signing_key(struct db *db, struct arena *a, const char **kid, const char **pem);
/* A published key by kid (to check an id_token_hint); DB_DONE if none. */
int oidc_key_pem(struct db *db, struct arena *a, const char *kid, const char **pem);
/* {"keys":[…]}: the signing key and the one before it. */
int oidc_jwks_json(struct db *db, struct str *out);
/* A new signing key; the previous one stays published, older ones retire. */
int oidc_keys_rotate(struct op *op);

struct oidc_grant {
	const char *client_id;
	int64_t user_id;
	const char *redirect_uri, *scope, *nonce, *code_challenge;
	int64_t auth_time; /* seconds */
};

/* A single-use code for the grant, written to code. */
int oidc_code_issue(struct db *db, const struct oidc_grant *g, char code[44]);
/*
 * Exchange a code for an access token, in one transaction: the grant into g, the token into
 * token. The code must have been given to client_id for redirect_uri, and the verifier must
 * match its PKCE challenge (a verifier without a challenge is refused too) — a failed check
 * leaves the code unused, so whoever intercepted it cannot burn it. A code presented again
 * revokes every token its first use gave (*reused set). Every refusal is DB_DONE.
 */
int oidc_code_exchange(struct db *db, struct arena *a, const char *code, const char *client_id,
                       const char *redirect_uri, const char *verifier, struct oidc_grant *g,
                       char token[44], bool *reused);
/* A live access token's user, client and scope; DB_DONE if it is not one. */
int oidc_token_lookup(struct db *db, struct arena *a, const char *token, struct oidc_grant *g);

#endif
