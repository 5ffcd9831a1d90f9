#include "strset.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Keys up to this long are kept in their slot: most are (codes, ids), and a malloc each made a
 * busy set (an import's keys) spend more time allocating than finding. */
#define INLINE_KEY 16

struct strset_slot {
	uint64_t hash;
	int64_t value;
	size_t n;
	bool used;
	union {
		char *heap; /* n > INLINE_KEY */
		char in[INLINE_KEY];
	} key;
};

static const char *key_of(const struct strset_slot *slot)
{
	return slot->n > INLINE_KEY ? slot->key.heap : slot->key.in;
}

static uint64_t hash_of(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

void strset_init(struct strset *s)
{
	memset(s, 0, sizeof *s);
}

void strset_release(struct strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].used && s->slots[i].n > INLINE_KEY)
			free(s->slots[i].key.heap);
	free(s->slots);
	memset(s, 0, sizeof *s);
}

static struct strset_slot *find(const struct strset *s, const char *key, size_t n, uint64_t h)
{
	size_t i = h & (s->cap - 1);
	while (s->slots[i].used) {
		if (s->slots[i].hash == h && s->slots[i].n == n &&
		    memcmp(key_of(&s->slots[i]), key, n) == 0)
			return &s->slots[i];
		i = (i + 1) & (s->cap - 1);
	}
	return &s->slots[i];
}

static void grow(struct strset *s)
{
	struct strset_slot *old = s->slots;
	size_t oc = s->cap;
	s->cap = oc ? oc * 2 : 64;
	s->slots = xcalloc(s->cap, sizeof *s->slots);
	for (size_t i = 0; i < oc; i++)
		if (old[i].used)
			*find(s, key_of(&old[i]), old[i].n, old[i].hash) = old[i];
	free(old);
}

bool strset_add(struct strset *s, const char *key, size_t n, int64_t value, int64_t *existing)
{
	if ((s->used + 1) * 4 > s->cap * 3)
		grow(s);
	uint64_t h = hash_of(key, n);
	struct strset_slot *slot = find(s, key, n, h);
	if (slot->used) {
		if (existing)
			*existing = slot->value;
		return false;
	}
	if (n > INLINE_KEY)
		slot->key.heap = xstrndup(key, n);
	else
		memcpy(slot->key.in, key, n);
	slot->used = true;
	slot->n = n;
	slot->hash = h;
	slot->value = value;
	s->used++;
	return true;
}

bool strset_get(const struct strset *s, const char *key, size_t n, int64_t *value)
{
	if (!s->cap)
		return false;
	struct strset_slot *slot = find(s, key, n, hash_of(key, n));
	if (!slot->used)
		return false;
	if (value)
		*value = slot->value;
	return true;
}
