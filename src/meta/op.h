/* What every generic operation on an entity needs to know about the request it serves. */
#ifndef SEXTANT_OP_H
#define SEXTANT_OP_H

#include "registry.h"
#include "auth/actor.h"
#include "core/problem.h"

struct op {
	struct arena *arena;
	struct db *db;
	const struct registry *reg;
	const struct entity *e;
	int64_t user_id;
	const struct actor *actor; /* NULL: the system (command line, demo), which may do all */
	bool admin;                /* the actor is an administrator, or there is none */
	bool reveal;               /* a record shows its sensitive fields (checked and audited) */
	signed char shared;        /* records of e shared with the actor: 0 unknown, 1 yes, -1 no */
	enum lang lang;
	const char *request_id;
	const char *ip;         /* the client's address, for the audit trail; NULL off HTTP */
	const char *user_agent; /* likewise, cut to AUDIT_USER_AGENT_MAX bytes */
	struct problem *problem;
	long count_cap;     /* totals are exact up to this many rows */
	bool in_transition; /* the process engine moves the state field (meta/transition.c) */
	bool pool_view;     /* reads see the shared pool only: records of e without an owner */
	/* What an owner change of a pooled record is, in its moves ("claimed" …; NULL:
	 * "assigned"), and why (NULL: no reason given). */
	const char *move_action, *move_reason;
	/* An erasure of personal data (modules/personal.c): updates tell webhooks that the record
	 * changed, not its old values. */
	bool erasing;
};

/*
 * op as the system: no actor, so no who rules and no scopes apply. The process engine acts so
 * on a user's behalf (an approval's outcome, the tasks a transition makes, the record an
 * approver decides on): user_id stays, and the records it writes carry that user's name.
 */
static inline struct op op_as_system(const struct op *op)
{
	struct op sys = *op;
	sys.actor = NULL;
	sys.admin = true;
	sys.shared = 0;
	return sys;
}

#define AUDIT_USER_AGENT_MAX 200

/* One query-string parameter. */
struct kv {
	const char *key;
	const char *value; /* never NULL: "" for a bare key */
};

#endif
