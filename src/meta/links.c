#include "links.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

/* Member key of o: a visible field of e referring to entity target (NULL: any type). */
static const struct field *ref_field(const struct entity *e, const json_t *o, const char *key,
                                     const char *target)
{
	const char *name = json_string_value(json_object_get(o, key));
	const struct field *f = name ? entity_field(e, name) : NULL;
	if (!f || !field_visible(f))
		return NULL;
	if (target && (f->type != FT_REFERENCE || !f->ref || strcmp(f->ref->name, target) != 0))
		return NULL;
	return f;
}

static int resolve_timeline(struct arena *a, struct entity *e, const json_t *j, char *err,
                            size_t errlen)
{
	static const char *const members[] = {"customer", "contact",  "at", "kind",
	                                      "detail",   "followup", NULL};
	const char *k;
	json_t *v;
	if (!json_is_object(j))
		return fail_with(err, errlen, "timeline must be an object");
	json_object_foreach((json_t *)j, k, v)
	{
		if (!str_in_list(k, members))
			return fail_with(err, errlen, "timeline: unknown key '%s'", k);
	}
	struct timeline *t = ARENA_NEW(a, struct timeline);
	t->customer = ref_field(e, j, "customer", "customers");
	if (!t->customer)
		return fail_with(err, errlen,
		                 "timeline.customer must name a reference to customers");
	if (json_object_get(j, "contact") && !(t->contact = ref_field(e, j, "contact", "contacts")))
		return fail_with(err, errlen, "timeline.contact must name a reference to contacts");
	t->at = ref_field(e, j, "at", NULL);
	if (!t->at || (t->at->type != FT_DATE && t->at->type != FT_DATETIME))
		return fail_with(err, errlen, "timeline.at must name a date or time field");
	/* Shown to whoever may read the customer (docs/internals/CUSTOMER360.md): never a
	 * sensitive field. */
	if (json_object_get(j, "kind") &&
	    (!(t->kind = ref_field(e, j, "kind", NULL)) || t->kind->type != FT_ENUM ||
	     (t->kind->flags & FF_SENSITIVE)))
		return fail_with(err, errlen,
		                 "timeline.kind must name an option field, not sensitive");
	if (json_object_get(j, "detail") &&
	    (!(t->detail = ref_field(e, j, "detail", NULL)) ||
	     (t->detail->type != FT_TEXT && t->detail->type != FT_LONGTEXT) ||
	     (t->detail->flags & FF_SENSITIVE)))
		return fail_with(err, errlen,
		                 "timeline.detail must name a text field, not sensitive");
	t->followup = json_is_true(json_object_get(j, "followup"));
	e->timeline = t;
	return 0;
}

static int resolve_handover(struct arena *a, struct entity *e, const json_t *j, char *err,
                            size_t errlen)
{
	static const char *const members[] = {"customer", "when", NULL};
	const char *k;
	json_t *v;
	if (!e->owned)
		return fail_with(err, errlen, "handover: only owned records move with a customer");
	if (!json_is_object(j))
		return fail_with(err, errlen, "handover must be an object");
	json_object_foreach((json_t *)j, k, v)
	{
		if (!str_in_list(k, members))
			return fail_with(err, errlen, "handover: unknown key '%s'", k);
	}
	struct handover *h = ARENA_NEW(a, struct handover);
	if (!(h->customer = ref_field(e, j, "customer", "customers")))
		return fail_with(err, errlen,
		                 "handover.customer must name a reference to customers");
	json_t *when = json_object_get(j, "when");
	if (when) {
		/* {"status": ["open"]}: one option field and the options that are open work. */
		void *it = json_object_iter(when);
		json_t *keys = it ? json_object_iter_value(it) : NULL;
		h->field = it ? entity_field(e, json_object_iter_key(it)) : NULL;
		if (json_object_size(when) != 1 || !h->field || h->field->type != FT_ENUM ||
		    !json_is_array(keys) || !json_array_size(keys))
			return fail_with(err, errlen, "handover.when: {option field: [option, …]}");
		h->n_values = json_array_size(keys);
		h->values = ARENA_NEW_ARRAY(a, const char *, h->n_values);
		for (size_t i = 0; i < h->n_values; i++) {
			const char *key = json_string_value(json_array_get(keys, i));
			bool known = false;
			for (size_t o = 0; key && o < h->field->n_options; o++)
				known |= strcmp(h->field->options[o].key, key) == 0;
			if (!known)
				return fail_with(err, errlen,
				                 "handover.when: '%s' is not an option of %s",
				                 key ? key : "?", h->field->name);
			h->values[i] = arena_strdup(a, key);
		}
	}
	e->handover = h;
	return 0;
}

/* A pooled entity keeps the clocks of its owner changes (owner_moves.h). */
static int check_pool(const struct entity *e, char *err, size_t errlen)
{
	static const char *const clocks[] = {"owned_since", "pool_entered_at", "pool_warned_at"};
	if (strcmp(e->name, "customers") != 0)
		return fail_with(err, errlen, "pool: only customers have a shared pool");
	for (size_t i = 0; i < ARRAY_SIZE(clocks); i++) {
		const struct field *f = entity_field(e, clocks[i]);
		if (!f || f->type != FT_DATETIME || !(f->flags & FF_READONLY))
			return fail_with(err, errlen, "pool: needs a read-only time field '%s'",
			                 clocks[i]);
	}
	return 0;
}

int links_resolve(struct arena *a, struct entity *e, const json_t *timeline, const json_t *handover,
                  char *err, size_t errlen)
{
	if (e->pool && check_pool(e, err, errlen))
		return -1;
	if (timeline && resolve_timeline(a, e, timeline, err, errlen))
		return -1;
	if (handover && resolve_handover(a, e, handover, err, errlen))
		return -1;
	return 0;
}
