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
	assert_string_equal(h->when.field->name, "status");
	assert_int_equal(h->when.n_values, 1);
	assert_string_equal(h->when.values[0], "open");
	assert_null(ent("contacts")->handover->when.field); /* every contact moves */
	assert_null(ent("activities")->handover);           /* history stays with who made it */
	assert_true(ent("customers")->pool);
	assert_false(ent("contacts")->pool);
}

/* links_resolve on a copy of entity name, with the declarations of a schema as JSON text. */
static int resolve(const char *name, const char *schema, char *err, size_t n)
{
	struct entity copy = *ent(name);
	copy.timeline = NULL;
	copy.handover = NULL;
	copy.business = NULL;
	json_t *j = json_loads(schema, 0, NULL);
	if (!j)
		fail_msg("test declaration is not JSON: %s", schema);
	struct arena a;
	arena_init(&a, 0);
	err[0] = '\0';
	int rc = links_resolve(&a, &copy, j, err, n);
	json_decref(j);
	arena_release(&a);
	return rc;
}

static void test_refused(void **state)
{
	(void)state;
	static const struct {
		const char *entity, *schema, *says;
	} cases[] = {
	    {"activities", "{\"timeline\":[]}", "must be an object"},
	    {"activities",
	     "{\"timeline\":{\"customer\":\"customer_id\",\"at\":\"occurred_at\",\"colour\":1}}",
	     "unknown key 'colour'"},
	    {"activities", "{\"timeline\":{\"at\":\"occurred_at\"}}", "timeline.customer"},
	    {"activities", "{\"timeline\":{\"customer\":\"contact_id\",\"at\":\"occurred_at\"}}",
	     "timeline.customer"},
	    {"activities",
	     "{\"timeline\":{\"customer\":\"customer_id\",\"contact\":\"customer_id\",\"at\":\"occurred_at\"}}",
	     "timeline.contact"},
	    {"activities", "{\"timeline\":{\"customer\":\"customer_id\",\"at\":\"subject\"}}",
	     "timeline.at"},
	    {"activities",
	     "{\"timeline\":{\"customer\":\"customer_id\",\"at\":\"occurred_at\",\"kind\":\"subject\"}}",
	     "timeline.kind"},
	    {"activities",
	     "{\"timeline\":{\"customer\":\"customer_id\",\"at\":\"occurred_at\",\"detail\":\"occurred_at\"}}",
	     "timeline.detail"},
	    /* What the timeline shows, whoever reads the customer, is never personal data. */
	    {"contacts",
	     "{\"timeline\":{\"customer\":\"customer_id\",\"at\":\"updated_at\",\"detail\":\"home_address\"}}",
	     "not sensitive"},
	    {"tasks", "{\"handover\":true}", "must be an object"},
	    {"tasks", "{\"handover\":{\"customer\":\"contact_id\"}}", "handover.customer"},
	    {"tasks", "{\"handover\":{\"customer\":\"customer_id\",\"with\":1}}",
	     "unknown key 'with'"},
	    {"tasks",
	     "{\"handover\":{\"customer\":\"customer_id\",\"when\":{\"subject\":[\"x\"]}}}",
	     "handover.when"},
	    {"tasks", "{\"handover\":{\"customer\":\"customer_id\",\"when\":{\"status\":[]}}}",
	     "handover.when"},
	    {"tasks",
	     "{\"handover\":{\"customer\":\"customer_id\",\"when\":{\"status\":[\"lost\"]}}}",
	     "'lost' is not an option"},
	    {"tasks", "{\"business\":[]}", "business must be an object"},
	    {"tasks", "{\"business\":{\"customer\":\"contact_id\",\"at\":\"due_at\"}}",
	     "business.customer"},
	    {"tasks", "{\"business\":{\"customer\":\"customer_id\",\"at\":\"subject\"}}",
	     "business.at"},
	    {"tasks",
	     "{\"business\":{\"customer\":\"customer_id\",\"at\":\"due_at\",\"amount\":1}}",
	     "unknown key 'amount'"},
	    {"tasks",
	     "{\"business\":{\"customer\":\"customer_id\",\"at\":\"due_at\",\"counted\":{\"status\":[\"won\"]}}}",
	     "'won' is not an option"},
	};
	char err[300];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = resolve(cases[i].entity, cases[i].schema, err, sizeof err);
		EXPECT(rc == -1, "case %zu accepted", i);
		EXPECT(strstr(err, cases[i].says) != NULL, "case %zu says '%s', not '%s'", i, err,
		       cases[i].says);
	}
	/* A pool is the customers' only, and keeps its clocks. */
	struct entity pooled = *ent("contacts");
	pooled.pool = true;
	struct arena a;
	arena_init(&a, 0);
	EXPECT(links_resolve(&a, &pooled, NULL, err, sizeof err) == -1 &&
	           strstr(err, "only customers"),
	       "a pool of contacts: %s", err);
	arena_release(&a);
	/* And what the schemas say is accepted as it is. */
	EXPECT(
	    resolve("tasks",
	            "{\"timeline\":{\"customer\":\"customer_id\",\"at\":\"due_at\"},"
	            "\"handover\":{\"customer\":\"customer_id\",\"when\":{\"status\":[\"open\"]}},"
	            "\"business\":{\"customer\":\"customer_id\",\"at\":\"due_at\","
	            "\"counted\":{\"status\":[\"done\"]}}}",
	            err, sizeof err) == 0,
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
