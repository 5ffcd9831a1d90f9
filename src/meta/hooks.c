#include "hooks.h"
#include "crud.h"
#include "core/str.h"
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

int hook_update_as_system(struct op *op, const struct entity *e, int64_t id, json_t *body)
{
	struct op sys = op_as_system(op);
	if (e)
		sys.e = e;
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_update_in_tx(&sys, id, body, -1, &out, &res);
	json_decref(body);
	str_release(&out);
	return status < 0 ? status : 0;
}
