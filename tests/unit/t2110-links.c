/* meta/links: how entities are tied to customers — the timeline, what moves in a handover, the
 * pool — as the shipped schemas declare them, and the declarations the registry refuses. */
#include "unit.h"
#include "unit_registry.h"

#include "meta/links.h"
#include "meta/registry.h"

#include <jansson.h>
#include <string.h>

static struct registry *reg;

static int setup(void **state)
{
	(void)state;
	return (reg = unit_registry()) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	registry_free(reg);
	return 0;
}

static const struct entity *ent(const char *name)
{
	const struct entity *e = registry_entity(reg, name);
	if (!e)
		fail_msg("entity %s missing", name);
	return e;
}

static void test_shipped(void **state)
{
	(void)state;
	const struct timeline *t = ent("activities")->timeline;
	assert_non_null(t);
	assert_string_equal(t->customer->name, "customer_id");
	assert_string_equal(t->contact->name, "contact_id");
	assert_string_equal(t->at->name, "occurred_at");
	assert_string_equal(t->kind->name, "kind");
	assert_string_equal(t->detail->name, "content");
	assert_true(t->followup);
	assert_false(ent("tasks")->timeline->followup); /* a task is not a follow-up */
	const struct handover *h = ent("tasks")->handover;
	assert_non_null(h);
	assert_string_equal(h->field->name, "status");
	assert_int_equal(h->n_values, 1);
	assert_string_equal(h->values[0], "open");
	assert_null(ent("contacts")->handover->field); /* every contact moves */
	assert_null(ent("activities")->handover);      /* history stays with who made it */
	assert_true(ent("customers")->pool);
	assert_false(ent("contacts")->pool);
}

/* links_resolve on a copy of entity name, with the declarations as JSON text (NULL: none). */
static int resolve(const char *name, const char *timeline, const char *handover, char *err,
                   size_t n)
{
	struct entity copy = *ent(name);
	copy.timeline = NULL;
	copy.handover = NULL;
	json_t *t = timeline ? json_loads(timeline, JSON_DECODE_ANY, NULL) : NULL;
	json_t *h = handover ? json_loads(handover, JSON_DECODE_ANY, NULL) : NULL;
	if ((timeline && !t) || (handover && !h))
		fail_msg("test declaration is not JSON");
	struct arena a;
	arena_init(&a, 0);
	err[0] = '\0';
	int rc = links_resolve(&a, &copy, t, h, err, n);
	json_decref(t);
	json_decref(h);
	arena_release(&a);
	return rc;
}

static void test_refused(void **state)
{
	(void)state;
	static const struct {
		const char *entity, *timeline, *handover, *says;
	} cases[] = {
	    {"activities", "[]", NULL, "must be an object"},
	    {"activities", "{\"customer\":\"customer_id\",\"at\":\"occurred_at\",\"colour\":1}",
	     NULL, "unknown key 'colour'"},
	    {"activities", "{\"at\":\"occurred_at\"}", NULL, "timeline.customer"},
	    {"activities", "{\"customer\":\"contact_id\",\"at\":\"occurred_at\"}", NULL,
	     "timeline.customer"},
	    {"activities",
	     "{\"customer\":\"customer_id\",\"contact\":\"customer_id\",\"at\":\"occurred_at\"}",
	     NULL, "timeline.contact"},
	    {"activities", "{\"customer\":\"customer_id\",\"at\":\"subject\"}", NULL,
	     "timeline.at"},
	    {"activities",
	     "{\"customer\":\"customer_id\",\"at\":\"occurred_at\",\"kind\":\"subject\"}", NULL,
	     "timeline.kind"},
	    {"activities",
	     "{\"customer\":\"customer_id\",\"at\":\"occurred_at\",\"detail\":\"occurred_at\"}",
	     NULL, "timeline.detail"},
	    /* What the timeline shows, whoever reads the customer, is never personal data. */
	    {"contacts",
	     "{\"customer\":\"customer_id\",\"at\":\"updated_at\",\"detail\":\"home_address\"}",
	     NULL, "not sensitive"},
	    {"tasks", NULL, "true", "must be an object"},
	    {"tasks", NULL, "{\"customer\":\"contact_id\"}", "handover.customer"},
	    {"tasks", NULL, "{\"customer\":\"customer_id\",\"with\":1}", "unknown key 'with'"},
	    {"tasks", NULL, "{\"customer\":\"customer_id\",\"when\":{\"subject\":[\"x\"]}}",
	     "handover.when"},
	    {"tasks", NULL, "{\"customer\":\"customer_id\",\"when\":{\"status\":[]}}",
	     "handover.when"},
	    {"tasks", NULL, "{\"customer\":\"customer_id\",\"when\":{\"status\":[\"lost\"]}}",
	     "'lost' is not an option"},
	};
	char err[300];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc =
		    resolve(cases[i].entity, cases[i].timeline, cases[i].handover, err, sizeof err);
		EXPECT(rc == -1, "case %zu accepted", i);
		EXPECT(strstr(err, cases[i].says) != NULL, "case %zu says '%s', not '%s'", i, err,
		       cases[i].says);
	}
	/* A pool is the customers' only, and keeps its clocks. */
	struct entity pooled = *ent("contacts");
	pooled.pool = true;
	struct arena a;
	arena_init(&a, 0);
	EXPECT(links_resolve(&a, &pooled, NULL, NULL, err, sizeof err) == -1 &&
	           strstr(err, "only customers"),
	       "a pool of contacts: %s", err);
	arena_release(&a);
	/* And what the schemas say is accepted as it is. */
	EXPECT(resolve("tasks", "{\"customer\":\"customer_id\",\"at\":\"due_at\"}",
	               "{\"customer\":\"customer_id\",\"when\":{\"status\":[\"open\"]}}", err,
	               sizeof err) == 0,
	       "a good declaration: %s", err);
	EXPECT_ALL();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_shipped),
	    UNIT_TEST(test_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
