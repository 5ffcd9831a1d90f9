/*
 * Processes declared as data (docs/internals/PROCESSES.md): a state machine over one enum field
 * of an entity (its options are the states), with transitions that say from which states they
 * go to which, who may fire them, the guards on the record's fields, the fields they require,
 * and their effects. Definitions are JSON documents in table processes, one per entity, made
 * part of the model: the registry carries each entity's parsed process, and every node picks up
 * a change as it picks up a custom field.
 */
#ifndef SEXTANT_PROCESS_H
#define SEXTANT_PROCESS_H

#include "core/arena.h"
#include "core/i18n.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct entity;
struct field;

/*
 * A person (or people) a definition names, the same way wherever it names one: who may fire a
 * transition, whom it tells, who takes a task it makes, who approves a step. Written as a string
 * ("owner") or an object ({"owner": true}, {"role": "finance"}, {"field": "supervisor_id"},
 * {"user": 7}, {"head": "department"}); each place takes the kinds that make sense there.
 */
enum person_kind {
	P_ROLE,     /* every active user with role `value` */
	P_OWNER,    /* the record's owner */
	P_SUPERIOR, /* the superior of the record's owner (of the submitter, in an approval) */
	P_ACTOR,    /* whoever fires the transition */
	P_HEAD,     /* the head of the submitter's department or subsidiary (`value`) */
	P_FIELD,    /* the user in the record's user field `field` (e.g. 督办人) */
	P_USER,     /* user `user` */
};
#define PERSON_KIND(k) (1u << (k))

struct person_rule {
	enum person_kind kind;
	const char *value;         /* P_ROLE: the role; P_HEAD: "department" or "subsidiary" */
	const struct field *field; /* P_FIELD */
	int64_t user;              /* P_USER */
};

enum guard_op { G_EQ, G_NE, G_LT, G_LTE, G_GT, G_GTE, G_IN, G_NULL, G_NOT_NULL };

/* A condition on one field of the record as it would be after the transition. */
struct guard {
	const struct field *field;
	enum guard_op op;
	const char *value; /* the comparison value's JSON text (an array for G_IN) */
};

/* A record shared by a transition with the user a user field names afterwards (the project
 * manager it was assigned to), with read or edit access. */
struct share_target {
	const struct field *field;
	const char *access; /* "read" or "edit" */
};

/* A task a transition creates (the effect "create a task"), about the record, for one person. */
struct task_effect {
	const char *subject;         /* "{{record}}" in it becomes the record's title */
	const char *description;     /* or NULL */
	struct person_rule assignee; /* owner, superior, actor, a user field or a user */
	int64_t due_in_ms;           /* after the transition; 0: no due time */
	int64_t remind_before_ms;    /* before the due time; 0: no reminder */
	const char *priority;        /* high, normal or low; NULL: the task's default */
};

struct transition {
	const char *key;
	struct label label;
	const char **from; /* states it may start from; n_from 0: any */
	size_t n_from;
	const char *to;
	struct person_rule *who; /* none: whoever may change the record */
	size_t n_who;
	struct guard *guards;
	size_t n_guards;
	const struct field **require; /* fields that must hold a value afterwards */
	size_t n_require;
	const char *set;            /* a JSON object of fields the transition sets, or NULL */
	struct person_rule *notify; /* told of the transition (event process.transition) */
	size_t n_notify;
	struct share_target *share; /* the users in these fields get the record shared */
	size_t n_share;
	struct task_effect *tasks; /* tasks it creates */
	size_t n_tasks;
	const char *approval; /* the approval flow it starts, or NULL */
	bool by_flow;         /* an approval flow's outcome: fired by the flow, never by a user */
};

struct approval_step {
	const char *key;
	struct label label;
	struct person_rule *approvers; /* resolved when the step opens */
	size_t n_approvers;
	bool all;           /* every approver must approve ("all"), or one is enough ("any") */
	struct guard *when; /* the step applies only if these hold (none: always) */
	size_t n_when;
};

/* An approval flow: steps one after the other; approved, the on_approve transition is fired;
 * rejected by anyone, on_reject (the submitter told why); withdrawn, on_withdraw. */
struct approval_flow {
	const char *key;
	struct label label;
	struct approval_step *steps;
	size_t n_steps;
	const char *on_approve, *on_reject, *on_withdraw;
};

struct process {
	const char *key;
	struct label label;
	const struct field *state_field;
	const char *initial;
	struct transition *transitions;
	size_t n_transitions;
	struct approval_flow *flows;
	size_t n_flows;
	int64_t version;
};

/*
 * Parse and check a definition for entity e into out (strings in a). 0, or -1 with a message in
 * err naming the member that is wrong ("transitions[2].to: 'won' is not a state of stage").
 */
int process_parse(struct arena *a, const struct entity *e, const char *key, const json_t *def,
                  struct process *out, char *err, size_t errlen);

const struct transition *process_transition(const struct process *p, const char *key);
/* Whether t may start from state. */
bool transition_from(const struct transition *t, const char *state);
const struct approval_flow *process_flow(const struct process *p, const char *key);

#endif
