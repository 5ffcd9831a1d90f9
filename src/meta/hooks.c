#include "hooks.h"
#include "core/util.h"

#include <stdatomic.h>

static _Atomic(const struct record_hooks *) installed;

void record_hooks_install(const struct record_hooks *table)
{
	atomic_store(&installed, table);
}

const struct record_hooks *record_hooks_of(const struct entity *e)
{
	for (const struct record_hooks *h = atomic_load(&installed); h && h->entity; h++)
		if (str_eq(h->entity, e->name))
			return h;
	return NULL;
}
