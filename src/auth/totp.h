/*
 * The second factor: time-based one-time passwords (RFC 6238) as authenticator apps make them
 * (HMAC-SHA-1, 30-second steps, 6 digits), with enrolment by QR code and single-use recovery
 * codes (SECURITY.md). A code is accepted for its step or the one before, never twice: the
 * last step used is stored, and a login moves it forward atomically.
 */
#ifndef SEXTANT_TOTP_H
#define SEXTANT_TOTP_H

#include "core/arena.h"
#include "core/str.h"
#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

#define TOTP_STEP_S         30
#define TOTP_DIGITS         6
#define TOTP_SECRET_BYTES   20 /* 160 bits, as RFC 4226 recommends */
#define TOTP_RECOVERY_CODES 10

enum totp_hash { TOTP_SHA1, TOTP_SHA256, TOTP_SHA512 };

/* The code of one time step (RFC 4226's HOTP over the step number), with `digits` digits. */
uint32_t totp_code(const unsigned char *key, size_t keylen, uint64_t step, int digits,
                   enum totp_hash hash);
/* RFC 4648 base32 without padding, as otpauth:// URIs carry secrets. */
void base32_encode(const unsigned char *in, size_t n, struct str *out);
/* A QR code of text as an SVG document. */
int qr_svg(const char *text, struct str *out);

/*
 * Enrolment, first step: a new secret for the user (replacing one not yet confirmed), its
 * otpauth:// URI for the given issuer and account name, and that URI as a QR code.
 * DB_ECONSTRAINT if the user has a second factor already.
 */
int totp_setup(struct db *db, int64_t user_id, const char *issuer, const char *account,
               struct str *secret_b32, struct str *uri, struct str *svg);
/*
 * Second step: a code from the app confirms the secret; the second factor is on, and the
 * recovery codes (shown this once) are written to codes as a JSON array. DB_DONE if the code
 * is wrong or there is no secret being set up.
 */
int totp_confirm(struct db *db, int64_t user_id, const char *code, int64_t now_s,
                 struct str *codes);
/* Whether the user has a second factor on (read now, not from a cache). */
int totp_enabled(struct db *db, int64_t user_id, bool *on);
/* Turn the second factor off (and drop its recovery codes). */
int totp_disable(struct db *db, int64_t user_id);
/*
 * A login's second factor: a current code (moving the last used step forward, so it is never
 * accepted again) or an unused recovery code (then used up). DB_DONE if neither.
 * *recovery tells which it was.
 */
int totp_check(struct db *db, int64_t user_id, const char *code, int64_t now_s, bool *recovery);

#endif
