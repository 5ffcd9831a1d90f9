/*
 * The long-request pool: a few threads for requests that may take long (imports, model changes,
 * bulk updates). Each MHD worker serves many connections from one event loop; a handler that runs
 * for seconds there stalls every other connection the worker holds. A route flagged RF_LONG is
 * instead suspended in MHD, run here on a thread with its own database connection, and resumed
 * with its response ready (docs/internals/HTTP.md).
 */
#ifndef SEXTANT_OFFLOAD_H
#define SEXTANT_OFFLOAD_H

#include "http.h"

/* Start n threads that call run(r) for each request pushed, then resume its connection, then
 * call after() on the same thread: its tidying, which the answer need not wait for. */
void offload_start(unsigned n, void (*run)(struct req *r), void (*after)(void));
/* Suspend the request's connection and queue the request; called from MHD's access handler.
 * False, with nothing done, when the queue is full or the pool is stopping: the caller answers
 * at once. */
bool offload_push(struct req *r);
/* Run what is queued to the end, then stop the threads. */
void offload_stop(void);

#endif
