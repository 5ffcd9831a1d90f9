/*
 * What a transition does besides moving the state (docs/internals/PROCESSES.md): shares the
 * record, tells the people it names, and creates the tasks it declares, all inside the
 * transition's transaction.
 */
#ifndef SEXTANT_PROCESS_EFFECTS_H
#define SEXTANT_PROCESS_EFFECTS_H

#include "op.h"
#include "process.h"

#include <jansson.h>

/*
 * Carry out t's effects on record id of op->e, which is next after the transition (as the API
 * shows it) and was in state from. 0, or a negative status with op->problem set (a task for
 * nobody: 409 no_assignee).
 */
int process_effects(struct op *op, int64_t id, const struct process *p, const struct transition *t,
                    json_t *next, const char *from, const char *comment);

#endif
