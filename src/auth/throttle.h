/*
 * Failed logins, counted in the database so that every node sees them (SECURITY.md: brute
 * force). Two counters, each over a sliding window: one per account name and one per client
 * address. An account name is counted whether or not such a user exists, so a lock tells an
 * attacker nothing about who exists. A lock ends by itself when the window has passed, or when
 * an administrator lifts it (`sextant user unlock`).
 */
#ifndef SEXTANT_THROTTLE_H
#define SEXTANT_THROTTLE_H

#include "db/db.h"

#include <stdint.h>

struct login_limits {
	long account_failures; /* failures of one account name within the window */
	long ip_failures;      /* failures from one client address within the window */
	long window_s;
};

/*
 * Whether a login of this account from this address may be tried now: *retry_after_s is 0 if
 * so, else the seconds until it may.
 */
int login_throttle_check(struct db *db, const struct login_limits *l, const char *username,
                         const char *ip, int64_t *retry_after_s);
/* A failed login: counts against both the account name and the address. */
int login_throttle_failed(struct db *db, const char *username, const char *ip);
/* A successful login, or an administrator's unlock: the account's count starts again. */
int login_throttle_clear(struct db *db, const char *username);
/* Forget failures older than a day (the hourly purge). */
int login_throttle_purge(struct db *db);

#endif
