/*
 * Reminders: a user asks to be reminded of something (a record, a note) at a time — a row of
 * table reminders and a one-off job (reminders.fire) that notifies them then — and tasks whose
 * reminder time has come (the recurring job tasks.remind). Each fires once: the row that says
 * so is written in the transaction that notifies.
 */
#ifndef SEXTANT_REMINDERS_H
#define SEXTANT_REMINDERS_H

#include "jobs.h"

#include <stdint.h>

/* A reminder for user at remind_at_ms with its job, inside the caller's transaction. note is
 * required; entity/record_id may be NULL/0. */
int reminder_add(struct db *db, int64_t user_id, const char *entity, int64_t record_id,
                 const char *note, int64_t remind_at_ms, int64_t *id);

int reminders_fire(struct job_ctx *ctx);
int reminders_tasks_due(struct job_ctx *ctx);
/* Open tasks past their due time: the owner's superior (or else the head of the owner's unit)
 * is told, once per task and due time. */
int reminders_tasks_overdue(struct job_ctx *ctx);

#endif
