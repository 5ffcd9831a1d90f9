#include "ratelimit.h"

#include <string.h>

/* FNV-1a: keys are short and not chosen to collide on purpose by anyone who gains from it. */
static uint64_t hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h;
}

bool ratelimit_allow(struct ratelimit *rl, const char *key, int64_t now_ms)
{
	uint64_t h = hash(key);
	pthread_mutex_lock(&rl->lock);
	struct ratelimit_slot *s = &rl->slots[h % RATELIMIT_SLOTS];
	if (s->key != h || now_ms - s->start >= rl->window) {
		s->key = h;
		s->start = now_ms;
		s->count = 0;
	}
	bool ok = s->count < rl->max;
	if (ok)
		s->count++;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}
