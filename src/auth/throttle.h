/*
 * Failed logins, counted in the database so that every node sees them (SECURITY.md: brute
 * force). Two counters, each over a sliding window: one per account name and one per client
 * address. An account name is counted whether or not such a user exists, so a lock tells an
 * attacker nothing about who exists. A lock ends by itself when the window has passed, or when
 * an administrator lifts it (`sextant user unlock`).
 */
#ifndef SEXTANT_THROTTLE_H
#define SEXTANT_THROTTLE_H

#include "core/timeutil.h"
#include "db/db.h"

#include <stdint.h>

struct login_limits {
	long account_failures; /* failures of one account name within the window */
	long ip_failures;      /* failures from one client address within the window */
	long window_s;
};

/*
 * Begin a login attempt: if neither the account name nor the address is locked, the attempt is
 * counted as a failure at once, before any password is checked, in one transaction with the
 * check (serialised per account name), so parallel guesses cannot all slip in under the limit.
 * *retry_after_s is 0 when the attempt may go on, else the seconds until one may; at receives
 * the attempt's time, for login_throttle_succeeded.
 */
int login_throttle_begin(struct db *db, const struct login_limits *l, const char *username,
                         const char *ip, int64_t *retry_after_s, char at[TIME_ISO_LEN]);
/* The attempt begun at `at` succeeded: the account's count starts again, and the address's
 * count loses this attempt. */
int login_throttle_succeeded(struct db *db, const char *username, const char *ip,
                             const char at[TIME_ISO_LEN]);
/* The attempt begun at `at` was not a guess (a password asked again, a code asked for): it no
 * longer counts; earlier failures still do. */
int login_throttle_uncount(struct db *db, const char *username, const char *ip,
                           const char at[TIME_ISO_LEN]);
/* An administrator's unlock: the account's count starts again. */
int login_throttle_clear(struct db *db, const char *username);
/* Forget failures older than a day or the window, whichever is longer (the hourly purge). */
int login_throttle_purge(struct db *db, long window_s);

#endif
