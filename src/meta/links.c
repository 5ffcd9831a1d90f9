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

/* j is an object of only those members: 0, or -1 with err naming the declaration (what). */
static int object_of(const json_t *j, const char *what, const char *const *members, char *err,
                     size_t errlen)
{
	const char *k;
	json_t *v;
	if (!json_is_object(j))
		return fail_with(err, errlen, "%s must be an object", what);
	json_object_foreach((json_t *)j, k, v)
	{
		if (!str_in_list(k, members))
			return fail_with(err, errlen, "%s: unknown key '%s'", what, k);
	}
	return 0;
}

static int resolve_timeline(struct arena *a, struct entity *e, const json_t *j, char *err,
                            size_t errlen)
{
	static const char *const members[] = {"customer", "contact",  "at", "kind",
	                                      "detail",   "followup", NULL};
	if (object_of(j, "timeline", members, err, errlen))
		return -1;
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

/* {"status": ["open"]}: one option field of e and some of its options. */
static int resolve_option_set(struct arena *a, const struct entity *e, const json_t *j,
                              const char *what, struct option_set *set, char *err, size_t errlen)
{
	void *it = json_object_iter((json_t *)j);
	json_t *keys = it ? json_object_iter_value(it) : NULL;
	set->field = it ? entity_field(e, json_object_iter_key(it)) : NULL;
	if (!json_is_object(j) || json_object_size(j) != 1 || !set->field ||
	    set->field->type != FT_ENUM || !json_is_array(keys) || !json_array_size(keys))
		return fail_with(err, errlen, "%s: {option field: [option, …]}", what);
	set->n_values = json_array_size(keys);
	set->values = ARENA_NEW_ARRAY(a, const char *, set->n_values);
	for (size_t i = 0; i < set->n_values; i++) {
		const char *key = json_string_value(json_array_get(keys, i));
		bool known = false;
		for (size_t o = 0; key && o < set->field->n_options; o++)
			known |= strcmp(set->field->options[o].key, key) == 0;
		if (!known)
			return fail_with(err, errlen, "%s: '%s' is not an option of %s", what,
			                 key ? key : "?", set->field->name);
		set->values[i] = arena_strdup(a, key);
	}
	return 0;
}

static int resolve_handover(struct arena *a, struct entity *e, const json_t *j, char *err,
                            size_t errlen)
{
	static const char *const members[] = {"customer", "when", NULL};
	if (!e->owned)
		return fail_with(err, errlen, "handover: only owned records move with a customer");
	if (object_of(j, "handover", members, err, errlen))
		return -1;
	struct handover *h = ARENA_NEW(a, struct handover);
	if (!(h->customer = ref_field(e, j, "customer", "customers")))
		return fail_with(err, errlen,
		                 "handover.customer must name a reference to customers");
	json_t *when = json_object_get(j, "when");
	if (when && resolve_option_set(a, e, when, "handover.when", &h->when, err, errlen))
		return -1;
	e->handover = h;
	return 0;
}

static int resolve_business(struct arena *a, struct entity *e, const json_t *j, char *err,
                            size_t errlen)
{
	static const char *const members[] = {"customer", "at", "counted", NULL};
	if (object_of(j, "business", members, err, errlen))
		return -1;
	struct business *b = ARENA_NEW(a, struct business);
	if (!(b->customer = ref_field(e, j, "customer", "customers")))
		return fail_with(err, errlen,
		                 "business.customer must name a reference to customers");
	b->at = ref_field(e, j, "at", NULL);
	if (!b->at || (b->at->type != FT_DATE && b->at->type != FT_DATETIME))
		return fail_with(err, errlen, "business.at must name a date or time field");
	json_t *counted = json_object_get(j, "counted");
	if (counted &&
	    resolve_option_set(a, e, counted, "business.counted", &b->counted, err, errlen))
		return -1;
	e->business = b;
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

int links_resolve(struct arena *a, struct entity *e, const json_t *schema, char *err, size_t errlen)
{
	const json_t *timeline = json_object_get(schema, "timeline"),
	             *handover = json_object_get(schema, "handover"),
	             *business = json_object_get(schema, "business");
	if (e->pool && check_pool(e, err, errlen))
		return -1;
	if (timeline && resolve_timeline(a, e, timeline, err, errlen))
		return -1;
	if (handover && resolve_handover(a, e, handover, err, errlen))
		return -1;
	if (business && resolve_business(a, e, business, err, errlen))
		return -1;
	return 0;
}
