#include "totp.h"
#include "session.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t totp_code(const unsigned char *key, size_t keylen, uint64_t step, int digits,
                   enum totp_hash hash)
{
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	for (int i = 7; i >= 0; i--, step >>= 8)
		msg[i] = (unsigned char)(step & 0xff);
	const EVP_MD *md = hash == TOTP_SHA256   ? EVP_sha256()
	                   : hash == TOTP_SHA512 ? EVP_sha512()
	                                         : EVP_sha1();
	HMAC(md, key, (int)keylen, msg, sizeof msg, mac, &maclen);
	/* RFC 4226 §5.3: dynamic truncation. */
	unsigned off = mac[maclen - 1] & 0x0f;
	uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
	               ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
	uint32_t mod = 1;
	for (int i = 0; i < digits; i++)
		mod *= 10;
	return bin % mod;
}

void base32_encode(const unsigned char *in, size_t n, struct str *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint32_t buf = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		buf = (buf << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			str_addc(out, alphabet[(buf >> (bits - 5)) & 31]);
			bits -= 5;
		}
	}
	if (bits)
		str_addc(out, alphabet[(buf << (5 - bits)) & 31]);
}

int qr_svg(const char *text, struct str *out)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return -1;
	int w = qr->width, margin = 4;
	str_addf(out,
	         "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	         "shape-rendering=\"crispEdges\"><rect width=\"100%%\" height=\"100%%\" "
	         "fill=\"#fff\"/><path fill=\"#000\" d=\"",
	         w + 2 * margin, w + 2 * margin);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if (qr->data[y * w + x] & 1)
				str_addf(out, "M%d %dh1v1h-1z", x + margin, y + margin);
	str_adds(out, "\"/></svg>");
	QRcode_free(qr);
	return 0;
}

/* ---- the user's second factor ---- */

static int read_secret(struct db *db, int64_t user_id, unsigned char key[TOTP_SECRET_BYTES],
                       bool *enabled, int64_t *last_step)
{
	struct db_stmt *st;
	int rc = db_prepare(
	    db, "SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = ?", &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		size_t len = 0;
		const char *hex = db_column_null(st, 0) ? NULL : db_column_text(st, 0, NULL);
		*enabled = db_column_int(st, 1) != 0;
		*last_step = db_column_null(st, 2) ? -1 : db_column_int(st, 2);
		rc = hex &&
		             sodium_hex2bin(key, TOTP_SECRET_BYTES, hex, strlen(hex), NULL, &len,
		                            NULL) == 0 &&
		             len == TOTP_SECRET_BYTES
		         ? DB_OK
		         : DB_DONE;
	}
	db_reset(st);
	return rc;
}

int totp_setup(struct db *db, int64_t user_id, const char *issuer, const char *account,
               struct str *secret_b32, struct str *uri, struct str *svg)
{
	unsigned char key[TOTP_SECRET_BYTES];
	bool enabled = false;
	int64_t last;
	int rc = read_secret(db, user_id, key, &enabled, &last);
	if (rc != DB_OK && rc != DB_DONE)
		return rc;
	if (enabled)
		return DB_ECONSTRAINT;
	randombytes_buf(key, sizeof key);
	char hex[2 * TOTP_SECRET_BYTES + 1], id[24];
	sodium_bin2hex(hex, sizeof hex, key, sizeof key);
	snprintf(id, sizeof id, "%lld", (long long)user_id);
	rc = db_run(db, "UPDATE users SET totp_secret = ?, totp_last_step = NULL WHERE id = ?", 2,
	            (const char *[]){hex, id});
	sodium_memzero(hex, sizeof hex);
	if (rc)
		return rc;
	base32_encode(key, sizeof key, secret_b32);
	sodium_memzero(key, sizeof key);
	/* Key URI format: otpauth://totp/Issuer:account?secret=…&issuer=…; names URL-encoded. */
	str_adds(uri, "otpauth://totp/");
	str_add_urlenc(uri, issuer);
	str_addc(uri, ':');
	str_add_urlenc(uri, account);
	str_adds(uri, "?secret=");
	str_add(uri, secret_b32->buf, secret_b32->len);
	str_adds(uri, "&issuer=");
	str_add_urlenc(uri, issuer);
	str_addf(uri, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_STEP_S);
	return qr_svg(uri->buf, svg) ? DB_ERROR : DB_OK;
}

/* The step a code matches: this one or the one before (clock drift), else -1. */
static int64_t matching_step(const unsigned char *key, const char *code, int64_t now_s)
{
	if (!code || strlen(code) != TOTP_DIGITS || strspn(code, "0123456789") != TOTP_DIGITS)
		return -1;
	uint32_t want = (uint32_t)strtoul(code, NULL, 10);
	int64_t step = now_s / TOTP_STEP_S;
	for (int64_t s = step; s >= step - 1; s--)
		if (totp_code(key, TOTP_SECRET_BYTES, (uint64_t)s, TOTP_DIGITS, TOTP_SHA1) == want)
			return s;
	return -1;
}

/* Move the last used step forward to step, unless a login used it (or a later one) first. */
static int use_step(struct db *db, int64_t user_id, int64_t step)
{
	char id[24], s[24];
	snprintf(id, sizeof id, "%lld", (long long)user_id);
	snprintf(s, sizeof s, "%lld", (long long)step);
	int rc = db_run_one(db,
	                    "UPDATE users SET totp_last_step = ? WHERE id = ? AND "
	                    "(totp_last_step IS NULL OR totp_last_step < ?)",
	                    3, (const char *[]){s, id, s});
	return rc;
}

int totp_confirm(struct db *db, int64_t user_id, const char *code, int64_t now_s, struct str *codes)
{
	unsigned char key[TOTP_SECRET_BYTES];
	bool enabled = false;
	int64_t last;
	int rc = read_secret(db, user_id, key, &enabled, &last);
	if (rc)
		return rc;
	if (enabled)
		return DB_ECONSTRAINT;
	int64_t step = matching_step(key, code, now_s);
	sodium_memzero(key, sizeof key);
	if (step < 0)
		return DB_DONE;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)user_id);
	if ((rc = db_begin(db)))
		return rc;
	rc = use_step(db, user_id, step);
	if (!rc)
		rc = db_run(db, "UPDATE users SET totp_enabled = ? WHERE id = ?", 2,
		            (const char *[]){"1", id});
	if (!rc)
		rc = db_run(db, "DELETE FROM totp_recovery_codes WHERE user_id = ?", 1,
		            (const char *[]){id});
	str_addc(codes, '[');
	for (int i = 0; i < TOTP_RECOVERY_CODES && !rc; i++) {
		/* 10 characters of base32: 50 bits, shown as xxxxx-xxxxx. */
		unsigned char raw[8];
		randombytes_buf(raw, sizeof raw);
		struct str b = STR_INIT;
		base32_encode(raw, sizeof raw, &b);
		char text[16], hash[65];
		snprintf(text, sizeof text, "%.5s-%.5s", b.buf, b.buf + 5);
		for (char *c = text; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		str_release(&b);
		token_hash(text, hash);
		rc =
		    db_run(db, "INSERT INTO totp_recovery_codes (user_id, code_hash) VALUES (?, ?)",
		           2, (const char *[]){id, hash});
		str_adds(codes, i ? ",\"" : "\"");
		str_adds(codes, text);
		str_addc(codes, '"');
	}
	str_addc(codes, ']');
	if (!rc)
		rc = db_commit(db);
	if (rc) {
		db_rollback(db);
		str_reset(codes);
	}
	return rc;
}

int totp_enabled(struct db *db, int64_t user_id, bool *on)
{
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)user_id);
	int64_t n = 0;
	int rc = db_query_int(db, "SELECT count(*) FROM users WHERE id = ? AND totp_enabled = ?", 2,
	                      (const char *[]){id, "1"}, &n);
	*on = n > 0;
	return rc;
}

int totp_disable(struct db *db, int64_t user_id)
{
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)user_id);
	int rc = db_begin(db);
	if (!rc)
		rc = db_run(
		    db,
		    "UPDATE users SET totp_enabled = ?, totp_secret = NULL, totp_last_step = "
		    "NULL WHERE id = ?",
		    2, (const char *[]){"0", id});
	if (!rc)
		rc = db_run(db, "DELETE FROM totp_recovery_codes WHERE user_id = ?", 1,
		            (const char *[]){id});
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}

/* An unused recovery code of the user: used up now. */
static int use_recovery_code(struct db *db, int64_t user_id, const char *code)
{
	char text[16], hash[65], id[24], now[TIME_ISO_LEN];
	size_t n = 0;
	/* Typed in any case, with or without the dash. */
	for (const char *c = code; *c && n < 11; c++) {
		char ch = *c >= 'A' && *c <= 'Z' ? (char)(*c - 'A' + 'a') : *c;
		if (ch == '-' || ch == ' ')
			continue;
		if (n == 5)
			text[n++] = '-';
		text[n++] = ch;
	}
	text[n] = '\0';
	if (n != 11)
		return DB_DONE;
	token_hash(text, hash);
	snprintf(id, sizeof id, "%lld", (long long)user_id);
	time_now_iso(now);
	int rc = db_run_one(db,
	                    "UPDATE totp_recovery_codes SET used_at = ? WHERE user_id = ? AND "
	                    "code_hash = ? AND used_at IS NULL",
	                    3, (const char *[]){now, id, hash});
	return rc;
}

int totp_check(struct db *db, int64_t user_id, const char *code, int64_t now_s, bool *recovery)
{
	unsigned char key[TOTP_SECRET_BYTES];
	bool enabled = false;
	int64_t last;
	*recovery = false;
	int rc = read_secret(db, user_id, key, &enabled, &last);
	if (rc)
		return rc;
	if (!enabled || !code) {
		sodium_memzero(key, sizeof key);
		return DB_DONE;
	}
	int64_t step = matching_step(key, code, now_s);
	sodium_memzero(key, sizeof key);
	if (step >= 0)
		return use_step(db, user_id, step); /* DB_DONE if that step was used already */
	*recovery = true;
	return use_recovery_code(db, user_id, code);
}
