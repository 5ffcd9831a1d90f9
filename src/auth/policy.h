/*
 * The security policy, in one place (docs/internals/ACCESS.md): passwords (length, character
 * classes, history, expiry, common ones refused), login limits, session timeouts, the roles that
 * must use a second factor, and the networks each role may log in from. Stored as one JSON
 * document in sys_settings, edited by administrators, read through a two-second cache per
 * process. What an administrator has not set comes from the server's flags (login limits) or
 * built-in defaults. Who may export is a permission of roles (roles.h), shown with the policy.
 */
#ifndef SEXTANT_POLICY_H
#define SEXTANT_POLICY_H

#include "core/arena.h"
#include "core/problem.h"
#include "core/str.h"
#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define POLICY_NETS_MAX 64

struct net {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;
};

/* The networks the holders of one role may work from. */
struct ip_rule {
	const char *role;
	struct net *nets;
	size_t n_nets;
};

struct security_policy {
	int password_min_length;
	int password_min_classes;  /* of lower case, upper case, digits, others (0: no rule) */
	int password_history;      /* how many previous passwords may not be used again */
	int password_max_age_days; /* 0: passwords do not expire */
	bool password_block_common;
	long login_account_failures, login_ip_failures, login_window_s;
	int session_idle_minutes, session_absolute_hours;
	const char **totp_roles;
	size_t n_totp_roles;
	struct ip_rule *ip_rules;
	size_t n_ip_rules;
};

/* The defaults of what administrators leave unset: login limits from the server's flags. */
void policy_set_defaults(long account_failures, long ip_failures, long window_s);

/* The policy in force, copied into a (from this process's cache when fresh). */
int policy_get(struct db *db, struct arena *a, struct security_policy *out);
/* The policy as JSON (every setting, defaults filled in). */
void policy_json(const struct security_policy *p, struct str *out);
/*
 * Check a policy document (as PUT by an administrator) into out, defaults where it is silent;
 * problems name the member ("password.min_length", "ip_allowlist.admin[1]"). Roles named must
 * be known: known(role) tells.
 */
int policy_parse(struct arena *a, json_t *doc, bool (*known)(void *ctx, const char *role),
                 void *ctx, struct problem *p, struct security_policy *out);
/* Store a checked policy in the caller's transaction; after the commit, drop the cache. */
int policy_store(struct db *db, const struct security_policy *p, int64_t by_user);
/* Forget the cached policy (after a change; at exit). */
void policy_cache_invalidate(void);

static inline int64_t policy_idle_ms(const struct security_policy *p)
{
	return p->session_idle_minutes * 60000LL;
}
static inline int64_t policy_absolute_ms(const struct security_policy *p)
{
	return p->session_absolute_hours * 3600000LL;
}

struct actor;
/*
 * What a signed-in user must do before anything else, or NULL: "password_change_required" (an
 * administrator set the password, or it expired), "totp_enrolment_required" (a role of theirs
 * needs a second factor they have not set up).
 */
const char *policy_restriction(const struct security_policy *p, const struct actor *a,
                               int64_t now_ms);

/* Whether an address may be used by someone holding these roles (any rule of theirs lets it). */
bool policy_ip_allowed(const struct security_policy *p, const char *const *roles, size_t n_roles,
                       const char *ip);
/* Whether any of the roles must use a second factor. */
bool policy_totp_required(const struct security_policy *p, const char *const *roles,
                          size_t n_roles);
/*
 * Check a new password against the policy (not the history: password_history_check): adds the
 * problems under `field` and returns false if it fails. username: not to be contained in it.
 */
bool policy_password_ok(const struct security_policy *p, const char *password, const char *username,
                        struct problem *pr, const char *field);

#endif
