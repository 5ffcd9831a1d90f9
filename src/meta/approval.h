/*
 * Approval flows (meta/process.h): started by a transition, one step after another; each step's
 * approvers resolved when it opens (role, the submitter's superior, the head of their department
 * or subsidiary, a user field, a user), one task each; "any" needs one approval, "all" every
 * one; a step whose conditions do not hold is skipped. Anyone's rejection ends the approval and
 * fires on_reject with the comment told to the submitter; the last approval fires on_approve;
 * the submitter may withdraw (on_withdraw). The outcome's transition runs as the system, in the
 * transaction of the decision. docs/internals/PROCESSES.md.
 */
#ifndef SEXTANT_APPROVAL_H
#define SEXTANT_APPROVAL_H

#include "op.h"
#include "process.h"
#include "core/str.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* How long the link to decide a task from a mail or an SMS works (--approval-link-hours). */
extern int64_t approval_link_ttl_ms;

/* Start flow f on record id (rec: the record after the transition that starts it), submitted by
 * op->user_id, inside the caller's transaction. 0, or -1 with the problem (409
 * approval_pending, 409 no_approver naming the step). */
int approval_start(struct op *op, int64_t id, const struct process *p,
                   const struct approval_flow *f, json_t *rec);

/* The caller decides their approval task: 200 with the approval in out, or -1 (404 not theirs,
 * 409 already_decided). A rejection needs a comment. Opens and commits its transaction. */
int approval_decide(struct op *op, int64_t task_id, bool approve, const char *comment,
                    struct str *out);
/* The submitter withdraws a pending approval. */
int approval_withdraw(struct op *op, int64_t approval_id, const char *comment, struct str *out);

/* Every approval of record id of op->e with its tasks, oldest first: {"data":[…]}. */
int approvals_of_record_json(struct op *op, int64_t id, struct str *out);
/* The caller's approval tasks (pending: waiting for them; else decided): {"data":[…]}. */
int approval_tasks_json(struct op *op, bool pending, struct str *out);

#endif
