/* The long-request pool (offload.h): a FIFO queue under one mutex, drained by a few threads. */
#include "offload.h"
#include "core/log.h"
#include "core/util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/* Requests are few (imports, model changes, bulk updates): a list is enough. Suspended
 * connections never time out in MHD, so the queue is bounded: past it, the server is busy. */
#define OFFLOAD_QUEUE_MAX 64

struct job {
	struct req *r;
	struct job *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct job *head, *tail;
static unsigned queued;
static bool stopping;
static pthread_t *threads;
static unsigned n_threads;
static void (*run_request)(struct req *r);
static void (*after_request)(void);

static void *worker(void *arg)
{
	UNUSED(arg);
	for (;;) {
		pthread_mutex_lock(&lock);
		while (!head && !stopping)
			pthread_cond_wait(&wake, &lock);
		struct job *j = head;
		if (j) {
			head = j->next;
			if (!head)
				tail = NULL;
			queued--;
		}
		pthread_mutex_unlock(&lock);
		if (!j)
			return NULL; /* stopping, and nothing left to run */
		struct req *r = j->r;
		free(j);
		run_request(r);
		/* From here the request belongs to its MHD worker again. */
		MHD_resume_connection(r->conn);
		after_request();
	}
}

void offload_start(unsigned n, void (*run)(struct req *r), void (*after)(void))
{
	run_request = run;
	after_request = after;
	stopping = false;
	threads = xcalloc(n, sizeof *threads);
	for (unsigned i = 0; i < n; i++)
		if (pthread_create(&threads[i], NULL, worker, NULL))
			die("cannot start the long-request threads");
	n_threads = n;
}

bool offload_push(struct req *r)
{
	pthread_mutex_lock(&lock);
	/* Once stopping, the threads may already be gone: a request brought by a kept-alive
	 * connection then would stay suspended, which MHD cannot stop with. */
	if (stopping || queued == OFFLOAD_QUEUE_MAX) {
		pthread_mutex_unlock(&lock);
		return false;
	}
	/* Suspended before a thread can see it, so its resume always follows the suspend. */
	MHD_suspend_connection(r->conn);
	struct job *j = xcalloc(1, sizeof *j);
	j->r = r;
	if (tail)
		tail->next = j;
	else
		head = j;
	tail = j;
	queued++;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	return true;
}

void offload_stop(void)
{
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	for (unsigned i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	threads = NULL;
	n_threads = 0;
	log_debug("long-request threads stopped");
}
