#include "oidc.h"
#include "jwt.h"
#include "session.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/audit.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- clients ---- */

static void uris_from_json(struct arena *a, const char *text, const char ***out, size_t *n)
{
	json_t *j = json_loads(text, 0, NULL);
	size_t count = json_array_size(j);
	*out = ARENA_NEW_ARRAY(a, const char *, count + 1);
	*n = 0;
	for (size_t i = 0; i < count; i++) {
		const char *u = json_string_value(json_array_get(j, i));
		if (u)
			(*out)[(*n)++] = arena_strdup(a, u);
	}
	json_decref(j);
}

int oidc_client_get(struct db *db, struct arena *a, const char *client_id, struct oidc_client *c)
{
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT name, secret_hash, redirect_uris, post_logout_redirect_uris "
	                    "FROM oidc_clients WHERE client_id = ?",
	                    &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, client_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		memset(c, 0, sizeof *c);
		c->client_id = arena_strdup(a, client_id);
		c->name = arena_strdup(a, db_column_text(st, 0, NULL));
		c->confidential = !db_column_null(st, 1);
		c->secret_hash =
		    c->confidential ? arena_strdup(a, db_column_text(st, 1, NULL)) : NULL;
		uris_from_json(a, db_column_text(st, 2, NULL), &c->redirect_uris,
		               &c->n_redirect_uris);
		uris_from_json(a, db_column_text(st, 3, NULL), &c->logout_uris, &c->n_logout_uris);
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}

bool oidc_uri_registered(const char *const *uris, size_t n, const char *uri)
{
	for (size_t i = 0; uri && i < n; i++)
		if (strcmp(uris[i], uri) == 0)
			return true;
	return false;
}

bool oidc_client_secret_ok(const struct oidc_client *c, const char *secret)
{
	if (!c->confidential || !secret)
		return false;
	char hash[65];
	token_hash(secret, hash);
	return sodium_memcmp(hash, c->secret_hash, 64) == 0;
}

static void uris_json(struct str *out, const char *const *uris, size_t n)
{
	str_addc(out, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			str_addc(out, ',');
		str_add_jsons(out, uris[i]);
	}
	str_addc(out, ']');
}

int oidc_client_create(struct op *op, const char *name, const char *const *redirect_uris,
                       size_t n_redirect, const char *const *logout_uris, size_t n_logout,
                       bool confidential, char client_id[OIDC_CLIENT_ID_LEN], char secret[44])
{
	unsigned char raw[10];
	randombytes_buf(raw, sizeof raw);
	memcpy(client_id, "sxc_", 4);
	sodium_bin2hex(client_id + 4, OIDC_CLIENT_ID_LEN - 4, raw, sizeof raw);
	char hash[65] = "";
	secret[0] = '\0';
	if (confidential) {
		token_random(secret);
		token_hash(secret, hash);
	}
	struct str ru = STR_INIT, lu = STR_INIT, c = STR_INIT;
	uris_json(&ru, redirect_uris, n_redirect);
	uris_json(&lu, logout_uris, n_logout);
	char now[TIME_ISO_LEN], by[24];
	time_now_iso(now);
	snprintf(by, sizeof by, "%lld", (long long)op->user_id);
	int rc = db_begin(op->db);
	if (!rc)
		rc =
		    db_run(op->db,
		           "INSERT INTO oidc_clients (client_id, name, secret_hash, redirect_uris, "
		           "post_logout_redirect_uris, created_at, created_by) "
		           "VALUES (?, ?, ?, ?, ?, ?, ?)",
		           7,
		           (const char *[]){client_id, name, confidential ? hash : NULL, ru.buf,
		                            lu.buf, now, op->user_id ? by : NULL});
	str_adds(&c, "{\"client_id\":");
	str_add_jsons(&c, client_id);
	str_adds(&c, ",\"name\":");
	str_add_jsons(&c, name);
	str_adds(&c, ",\"redirect_uris\":");
	str_add(&c, ru.buf, ru.len);
	str_addc(&c, '}');
	if (!rc)
		rc = audit_write(op, "client_create", "oidc_clients", 0, c.buf);
	rc = rc ? (db_rollback(op->db), rc) : db_commit(op->db);
	str_release(&ru);
	str_release(&lu);
	str_release(&c);
	return rc;
}

int oidc_clients_json(struct db *db, struct str *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT client_id, name, secret_hash IS NOT NULL, redirect_uris, "
	                    "post_logout_redirect_uris, created_at FROM oidc_clients "
	                    "ORDER BY created_at, client_id",
	                    &st);
	if (rc)
		return rc;
	str_addc(out, '[');
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		str_adds(out, n++ ? ",{\"client_id\":" : "{\"client_id\":");
		str_add_jsons(out, db_column_text(st, 0, NULL));
		str_adds(out, ",\"name\":");
		str_add_jsons(out, db_column_text(st, 1, NULL));
		str_adds(out, db_column_int(st, 2) ? ",\"confidential\":true"
		                                   : ",\"confidential\":false");
		/* Stored by us as JSON arrays of strings. */
		str_adds(out, ",\"redirect_uris\":");
		str_adds(out, db_column_text(st, 3, NULL));
		str_adds(out, ",\"post_logout_redirect_uris\":");
		str_adds(out, db_column_text(st, 4, NULL));
		str_adds(out, ",\"created_at\":");
		json_add_time_column(out, st, 5);
		str_addc(out, '}');
	}
	db_reset(st);
	str_addc(out, ']');
	return rc == DB_DONE ? DB_OK : rc;
}

int oidc_client_delete(struct op *op, const char *client_id)
{
	int rc = db_begin(op->db);
	const char *p[] = {client_id};
	/* Its tokens die with it. */
	if (!rc)
		rc = db_run(op->db, "DELETE FROM oidc_tokens WHERE client_id = ?", 1, p);
	if (!rc)
		rc = db_run(op->db, "DELETE FROM oidc_codes WHERE client_id = ?", 1, p);
	if (!rc)
		rc = db_run_one(op->db, "DELETE FROM oidc_clients WHERE client_id = ?", 1, p);
	struct str c = STR_INIT;
	str_adds(&c, "{\"client_id\":");
	str_add_jsons(&c, client_id);
	str_addc(&c, '}');
	if (!rc)
		rc = audit_write(op, "client_delete", "oidc_clients", 0, c.buf);
	str_release(&c);
	return rc ? (db_rollback(op->db), rc) : db_commit(op->db);
}

/* ---- keys ---- */

static int insert_key(struct db *db)
{
	char kid[JWT_KID_LEN], now[TIME_ISO_LEN];
	char *pem = NULL;
	struct str jwk = STR_INIT;
	if (jwt_key_new(kid, &pem, &jwk)) {
		str_release(&jwk);
		return DB_ERROR;
	}
	time_now_iso(now);
	int rc = db_run(db,
	                "INSERT INTO oidc_keys (kid, private_pem, public_jwk, created_at) "
	                "VALUES (?, ?, ?, ?)",
	                4, (const char *[]){kid, pem, jwk.buf, now});
	sodium_memzero(pem, strlen(pem));
	free(pem);
	str_release(&jwk);
	if (!rc)
		log_info("OpenID signing key %s made", kid);
	return rc;
}

static int newest_key(struct db *db, struct arena *a, const char **kid, const char **pem)
{
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT kid, private_pem FROM oidc_keys WHERE retired_at IS NULL "
	                    "ORDER BY created_at DESC, kid LIMIT 1",
	                    &st);
	if (rc)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*kid = arena_strdup(a, db_column_text(st, 0, NULL));
		*pem = arena_strdup(a, db_column_text(st, 1, NULL));
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}

int oidc_signing_key(struct db *db, struct arena *a, const char **kid, const char **pem)
{
	int rc = newest_key(db, a, kid, pem);
	if (rc != DB_DONE)
		return rc;
	/* The first use makes one (two nodes at once would make two: both are published). */
	if ((rc = insert_key(db)))
		return rc;
	return newest_key(db, a, kid, pem);
}

int oidc_key_pem(struct db *db, struct arena *a, const char *kid, const char **pem)
{
	struct db_stmt *st;
	int rc = db_prepare(
	    db, "SELECT private_pem FROM oidc_keys WHERE kid = ? AND retired_at IS NULL", &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, kid);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*pem = arena_strdup(a, db_column_text(st, 0, NULL));
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}

int oidc_jwks_json(struct db *db, struct str *out)
{
	struct arena a;
	arena_init(&a, 4096);
	const char *kid, *pem;
	int rc = oidc_signing_key(db, &a, &kid, &pem); /* so that there is one to publish */
	arena_release(&a);
	if (rc)
		return rc;
	struct db_stmt *st;
	if ((rc = db_prepare(db,
	                     "SELECT public_jwk FROM oidc_keys WHERE retired_at IS NULL "
	                     "ORDER BY created_at DESC, kid",
	                     &st)))
		return rc;
	str_adds(out, "{\"keys\":[");
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		if (n++)
			str_addc(out, ',');
		str_adds(out, db_column_text(st, 0, NULL)); /* a JWK we wrote */
	}
	db_reset(st);
	str_adds(out, "]}");
	return rc == DB_DONE ? DB_OK : rc;
}

int oidc_keys_rotate(struct op *op)
{
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	int rc = db_begin(op->db);
	/* Keep the key that signs now published (its tokens are still out there); retire the rest.
	 */
	if (!rc)
		rc = db_run(
		    op->db,
		    "UPDATE oidc_keys SET retired_at = ? WHERE retired_at IS NULL AND kid <> "
		    "coalesce((SELECT kid FROM oidc_keys WHERE retired_at IS NULL ORDER BY "
		    "created_at DESC, kid LIMIT 1), '')",
		    1, (const char *[]){now});
	if (!rc)
		rc = insert_key(op->db);
	if (!rc)
		rc = audit_write(op, "key_rotate", "oidc_keys", 0, NULL);
	return rc ? (db_rollback(op->db), rc) : db_commit(op->db);
}

/* ---- codes and tokens ---- */

int oidc_code_issue(struct db *db, const struct oidc_grant *g, char code[44])
{
	char hash[65], uid[24], auth[24], expires[TIME_ISO_LEN];
	token_random(code);
	token_hash(code, hash);
	snprintf(uid, sizeof uid, "%lld", (long long)g->user_id);
	snprintf(auth, sizeof auth, "%lld", (long long)g->auth_time);
	time_format_iso(time_now_ms() + OIDC_CODE_TTL_S * 1000LL, expires);
	/* Old codes go as new ones come, so the table stays small without a job; a code is kept
	 * as long as tokens from it may live, to recognise a replay. */
	char old[TIME_ISO_LEN];
	time_format_iso(time_now_ms() - OIDC_TOKEN_TTL_S * 1000LL, old);
	int rc =
	    db_run(db, "DELETE FROM oidc_codes WHERE expires_at < ?", 1, (const char *[]){old});
	if (!rc)
		rc = db_run(
		    db,
		    "INSERT INTO oidc_codes (code_hash, client_id, user_id, redirect_uri, scope, "
		    "nonce, code_challenge, auth_time, expires_at) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    9,
		    (const char *[]){hash, g->client_id, uid, g->redirect_uri, g->scope, g->nonce,
		                     g->code_challenge, auth, expires});
	return rc;
}

/* RFC 7636 S256: base64url(SHA-256(verifier)) equals the challenge. */
static bool pkce_ok(const char *challenge, const char *verifier)
{
	if (!challenge || !verifier)
		return !challenge && !verifier; /* a verifier without a challenge: a downgrade */
	size_t n = strlen(verifier);
	if (n < 43 || n > 128)
		return false;
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, (const unsigned char *)verifier, n);
	struct str want = STR_INIT;
	base64url_add(&want, digest, sizeof digest);
	bool ok =
	    strlen(challenge) == want.len && sodium_memcmp(challenge, want.buf, want.len) == 0;
	str_release(&want);
	return ok;
}

static int token_insert(struct db *db, const struct oidc_grant *g, const char code_hash[65],
                        char token[44])
{
	char hash[65], uid[24], expires[TIME_ISO_LEN];
	token_random(token);
	token_hash(token, hash);
	snprintf(uid, sizeof uid, "%lld", (long long)g->user_id);
	time_format_iso(time_now_ms() + OIDC_TOKEN_TTL_S * 1000LL, expires);
	return db_run(db,
	              "INSERT INTO oidc_tokens (token_hash, client_id, user_id, scope, code_hash, "
	              "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
	              6, (const char *[]){hash, g->client_id, uid, g->scope, code_hash, expires});
}

int oidc_code_exchange(struct db *db, struct arena *a, const char *code, const char *client_id,
                       const char *redirect_uri, const char *verifier, struct oidc_grant *g,
                       char token[44], bool *reused)
{
	char code_hash[65];
	*reused = false;
	token_hash(code, code_hash);
	int rc = db_begin(db);
	if (rc)
		return rc;
	struct db_stmt *st;
	if ((rc = db_prepare(
	         db,
	         "SELECT client_id, user_id, redirect_uri, scope, nonce, code_challenge, "
	         "auth_time, expires_at, used_at FROM oidc_codes WHERE code_hash = ?",
	         &st)))
		goto out;
	db_bind_texts(st, 1, code_hash);
	rc = db_step(st);
	bool used = false;
	int64_t expires = 0;
	if (rc == DB_ROW) {
		memset(g, 0, sizeof *g);
		g->client_id = arena_strdup(a, db_column_text(st, 0, NULL));
		g->user_id = db_column_int(st, 1);
		g->redirect_uri = arena_strdup(a, db_column_text(st, 2, NULL));
		g->scope = arena_strdup(a, db_column_text(st, 3, NULL));
		g->nonce =
		    db_column_null(st, 4) ? NULL : arena_strdup(a, db_column_text(st, 4, NULL));
		g->code_challenge =
		    db_column_null(st, 5) ? NULL : arena_strdup(a, db_column_text(st, 5, NULL));
		g->auth_time = db_column_int(st, 6);
		db_column_time(st, 7, &expires);
		used = !db_column_null(st, 8);
		rc = DB_OK;
	}
	db_reset(st);
	if (rc)
		goto out;
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	if (used) {
		/* A code presented twice was stolen or replayed: what its first use gave is void.
		 */
		*reused = true;
		rc = db_run(
		    db,
		    "UPDATE oidc_tokens SET revoked_at = ? WHERE code_hash = ? AND revoked_at "
		    "IS NULL",
		    2, (const char *[]){now, code_hash});
		if (!rc)
			rc = db_commit(db);
		return rc ? rc : DB_DONE;
	}
	if (expires <= time_now_ms() || strcmp(g->client_id, client_id) != 0 || !redirect_uri ||
	    strcmp(g->redirect_uri, redirect_uri) != 0 || !pkce_ok(g->code_challenge, verifier)) {
		rc = DB_DONE;
		goto out;
	}
	/* DB_DONE: another exchange of it committed first. */
	rc = db_run_one(db,
	                "UPDATE oidc_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL",
	                2, (const char *[]){now, code_hash});
	/* The token in the same transaction: a replay can never slip in between. */
	if (!rc)
		rc = token_insert(db, g, code_hash, token);
	if (!rc)
		return db_commit(db);
out:
	db_rollback(db);
	return rc;
}

int oidc_token_lookup(struct db *db, struct arena *a, const char *token, struct oidc_grant *g)
{
	if (strlen(token) != TOKEN_TEXT_LEN - 1)
		return DB_DONE;
	char hash[65], now[TIME_ISO_LEN];
	token_hash(token, hash);
	time_now_iso(now);
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT t.client_id, t.user_id, t.scope FROM oidc_tokens t "
	                    "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND "
	                    "t.revoked_at IS NULL AND t.expires_at > ? AND u.disabled = ?",
	                    &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, hash);
	db_bind_texts(st, 2, now);
	db_bind_int(st, 3, 0);
	rc = db_step(st);
	if (rc == DB_ROW) {
		memset(g, 0, sizeof *g);
		g->client_id = arena_strdup(a, db_column_text(st, 0, NULL));
		g->user_id = db_column_int(st, 1);
		g->scope = arena_strdup(a, db_column_text(st, 2, NULL));
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}
