/* A set of byte strings with an integer for each (open addressing; copies its keys). */
#ifndef SEXTANT_STRSET_H
#define SEXTANT_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strset_slot;

struct strset {
	struct strset_slot *slots;
	size_t cap, used;
};

void strset_init(struct strset *s);
void strset_release(struct strset *s);
/* Add key with value; if present, returns false and *existing gets its value. */
bool strset_add(struct strset *s, const char *key, size_t n, int64_t value, int64_t *existing);
bool strset_get(const struct strset *s, const char *key, size_t n, int64_t *value);

#endif
