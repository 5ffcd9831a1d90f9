/*
 * A small fixed-window rate limit by key (a client address), in this process's memory: for a
 * public form, where a flood from one address should be turned away cheaply and a node's
 * restart forgetting the counts does no harm. Keys hash to the slots of a fixed table; a key
 * that lands on a slot another key holds takes it over with a fresh count, so memory stays
 * fixed whatever the number of addresses.
 */
#ifndef SEXTANT_RATELIMIT_H
#define SEXTANT_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_SLOTS 1024

struct ratelimit {
	pthread_mutex_t lock;
	int max;        /* allowed per window */
	int64_t window; /* ms */
	struct ratelimit_slot {
		uint64_t key;
		int64_t start;
		int count;
	} slots[RATELIMIT_SLOTS];
};

#define RATELIMIT_INIT(max_, window_ms_)                                                 \
	{                                                                                \
		.lock = PTHREAD_MUTEX_INITIALIZER, .max = (max_), .window = (window_ms_) \
	}

/* Whether one more from key may go on now (it is then counted). */
bool ratelimit_allow(struct ratelimit *rl, const char *key, int64_t now_ms);

#endif
