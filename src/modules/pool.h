/*
 * The shared customer pool (公海, REQUIREMENTS.md C-POOL; docs/internals/POOL.md). A customer
 * without an owner is in the pool: everyone who may read customers sees the pool's list and may
 * open its records; whoever may enter customers may claim one, up to a cap on the customers
 * they own, and not one they gave up lately. A customer nobody has followed up for N days (N
 * per level) is warned about to its owner, then returned to the pool by the job
 * customers.pool. An owner may release a customer to the pool, and a manager may hand one over
 * to someone else, its open work with it. Every move is a row of customer_moves.
 */
#ifndef SEXTANT_POOL_H
#define SEXTANT_POOL_H

#include "core/str.h"
#include "meta/op.h"
#include "services/jobs.h"

#include <jansson.h>

#define POOL_LEVELS_MAX 32

struct pool_rules {
	bool enabled;
	double default_days; /* without a follow-up for this long, back to the pool; 0: never */
	struct {
		char level[64];
		double days;
	} levels[POOL_LEVELS_MAX]; /* per customer level (an option key) */
	size_t n_levels;
	double warn_days;    /* the owner is warned this long before */
	int64_t claim_cap;   /* customers one person may own and still claim; 0: no cap */
	double reclaim_days; /* a customer given up may not be claimed back by its owner so soon */
};

void pool_rules_default(struct pool_rules *r);
/* The rules as stored (settings key "pool") over the defaults. A DB_ code. */
int pool_rules_load(struct db *db, struct pool_rules *r);
/* Check a settings document against the customers' levels; 0, or -1 with the problem's
 * errors added (member names). */
int pool_rules_check(const struct entity *customers, const json_t *doc, struct problem *p);
json_t *pool_rules_json(const struct pool_rules *r);

/* The pool's own answers: an HTTP status with out (the customer as it is now), or -1/-2 with
 * op->problem set. op->e is the pooled entity. */
int pool_claim(struct op *op, int64_t id, struct str *out);
/* body {"reason"} (required). */
int pool_release(struct op *op, int64_t id, const json_t *body, struct str *out);
/* body {"to": user id, "reason", "with_open_work": true}: the caller needs to be allowed to
 * assign the customer to that user. out also says what moved: "moved": {"contacts": n, …}. */
int pool_handover(struct op *op, int64_t id, const json_t *body, struct str *out);

/* The recurring job customers.pool: warn, then return. */
int pool_job(struct job_ctx *ctx);

#endif
