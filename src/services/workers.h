/*
 * The background workers of a node: one thread runs due jobs (services/jobs.h), another
 * delivers the outbox (services/outbox.h). Each has its own database connection, re-made
 * after a failure, and looks for work every --worker-poll milliseconds (the outbox sooner when
 * this node queued something).
 */
#ifndef SEXTANT_WORKERS_H
#define SEXTANT_WORKERS_H

#include "jobs.h"
#include "core/config.h"

/* Start both threads. -1 if they cannot be started. */
int workers_start(const struct config *cfg);
/* Ask them to stop after what they are doing, and wait. */
void workers_stop(void);
/* This node's name in leases and histories: host name and process id. */
const char *workers_node(void);

/* The hourly purge of expired rows (job maintenance.purge). */
int workers_purge(struct job_ctx *ctx);

#endif
