/*
 * People who log in, and their passwords. The identity issue grows this into the organisation
 * (org units, positions, superiors, roles); see docs/internals/AUTH.md.
 */
#ifndef SEXTANT_USER_H
#define SEXTANT_USER_H

#include "core/arena.h"
#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

/* argon2id with at least OWASP's parameters (SECURITY.md): m = 19 MiB, t = 2. */
int password_hash(const char *password, char *out, size_t outlen);
bool password_verify(const char *hash, const char *password);
/* Spend the time of one verification, so an unknown user is not told by speed. */
void password_dummy_verify(const char *password);

/* A new active user with one role (DB_EFOREIGN if there is no such role; DB_ECONSTRAINT if
 * the name is taken), in one transaction. */
int user_add(struct db *db, const char *username, const char *display_name, const char *role,
             const char *password, int64_t *id);
/* The same inside the caller's transaction; must_change: the user must choose a new password
 * at the first login (an administrator chose this one). */
int user_insert(struct db *db, const char *username, const char *display_name, const char *role,
                const char *password, bool must_change, int64_t *id);
/* Username → id and password hash (copied into a); DB_DONE if there is no such active user. */
int user_credentials(struct db *db, struct arena *a, const char *username, int64_t *id,
                     const char **hash);
int user_count(struct db *db, int64_t *n);
/* Username → id, disabled or not; DB_DONE if there is none. */
int user_find(struct db *db, const char *username, int64_t *id);

/*
 * Changes an administrator makes to an account, each in one transaction with its audit row
 * (by_user 0: the command line). A new password and a disabled account end every session of
 * the user, on every node (a node's session cache may serve one for up to two seconds more).
 */
int user_set_password(struct db *db, int64_t id, const char *password, int64_t by_user,
                      bool must_change);
/* Whether a password is the user's current one or one of the `history` before it. */
int password_reused(struct db *db, int64_t id, const char *password, int history, bool *reused);
/* *changed is false when the account was already so (nothing is then written). */
int user_set_disabled(struct db *db, int64_t id, bool disabled, int64_t by_user, bool *changed);
/* Lift a lock after failed logins (throttle.h), with its audit row. */
int user_unlock(struct db *db, int64_t id, const char *username, int64_t by_user);

#endif
