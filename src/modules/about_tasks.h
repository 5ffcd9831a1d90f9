/*
 * The tasks a module makes about one of its records (tasks.about_entity, tasks.about_id): a
 * contact plan's touches, a return visit's reminder. Made and changed as the system (the two
 * fields are read-only to people), in the caller's transaction.
 */
#ifndef SEXTANT_ABOUT_TASKS_H
#define SEXTANT_ABOUT_TASKS_H

#include "meta/op.h"

#include <jansson.h>

/* Create the task body describes. 0, or a negative status with op->problem set. */
int about_task_add(struct op *op, const json_t *body);
/* Apply change (a partial task) to every open task about entity's record id. */
int about_tasks_change(struct op *op, const char *entity, int64_t id, const json_t *change);

#endif
