/* meta/process: definitions parse into the engine's structures, and every mistake is named by
 * the member that holds it. Checked against the shipped tasks entity (state field: status). */
#include "unit.h"
#include "unit_registry.h"

#include "core/arena.h"
#include "core/log.h"
#include "meta/process.h"
#include "meta/registry.h"

#include <jansson.h>
#include <string.h>

static struct registry *reg;
static const struct entity *tasks;

static int setup(void **state)
{
	(void)state;
	if (!(reg = unit_registry()))
		return -1;
	tasks = registry_entity(reg, "tasks");
	return tasks ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	registry_free(reg);
	return 0;
}

/* A definition over tasks.status with one transition whose extra members come from `more`
 * (a JSON object's inside), and an approval flow when `flows` is not NULL. */
static int parse(const char *more, const char *flows, struct arena *a, struct process *p, char *err,
                 size_t n)
{
	char text[4096];
	snprintf(text, sizeof text,
	         "{\"entity\":\"tasks\",\"label\":{\"zh-CN\":\"任务\",\"en\":\"Task\"},"
	         "\"state_field\":\"status\",\"initial\":\"open\",\"transitions\":["
	         "{\"key\":\"finish\",\"label\":{\"zh-CN\":\"完成\",\"en\":\"Finish\"},"
	         "\"from\":[\"open\"],\"to\":\"done\"%s%s},"
	         "{\"key\":\"reopen\",\"label\":{\"zh-CN\":\"重开\",\"en\":\"Reopen\"},"
	         "\"to\":\"open\"}]%s%s}",
	         *more ? "," : "", more, flows ? ",\"approvals\":" : "", flows ? flows : "");
	json_error_t je;
	json_t *def = json_loads(text, 0, &je);
	if (!def)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	int rc = process_parse(a, tasks, "t", def, p, err, n);
	json_decref(def);
	return rc;
}

static void test_people_and_tasks(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096);
	struct process p;
	char err[256] = "";
	int rc = parse("\"who\":[{\"role\":\"finance\"},{\"owner\":true},\"superior\"],"
	               "\"notify\":[\"owner\",{\"actor\":true},{\"user\":7}],"
	               "\"tasks\":[{\"subject\":\"复核：{{record}}\",\"assignee\":{\"field\":"
	               "\"owner_id\"},\"due_in\":\"2d\",\"remind_before\":\"3h\","
	               "\"priority\":\"high\"}]",
	               NULL, &a, &p, err, sizeof err);
	if (rc)
		fail_msg("%s", err);
	const struct transition *t = process_transition(&p, "finish");
	assert_non_null(t);
	assert_int_equal(t->n_who, 3);
	assert_int_equal(t->who[0].kind, P_ROLE);
	assert_string_equal(t->who[0].value, "finance");
	assert_int_equal(t->who[1].kind, P_OWNER);
	assert_int_equal(t->who[2].kind, P_SUPERIOR);
	assert_int_equal(t->n_notify, 3);
	assert_int_equal(t->notify[1].kind, P_ACTOR);
	assert_int_equal(t->notify[2].kind, P_USER);
	assert_int_equal(t->notify[2].user, 7);
	assert_int_equal(t->n_tasks, 1);
	assert_int_equal(t->tasks[0].assignee.kind, P_FIELD);
	assert_string_equal(t->tasks[0].assignee.field->name, "owner_id");
	assert_int_equal(t->tasks[0].due_in_ms, 2 * 86400000LL);
	assert_int_equal(t->tasks[0].remind_before_ms, 3 * 3600000LL);
	assert_string_equal(t->tasks[0].priority, "high");
	assert_null(t->tasks[0].description);
	assert_true(transition_from(t, "open"));
	assert_false(transition_from(t, "done"));
	assert_true(transition_from(process_transition(&p, "reopen"), "done"));
	arena_release(&a);
}

static void test_flows(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096);
	struct process p;
	char err[256] = "";
	int rc = parse("\"approval\":\"check\"",
	               "[{\"key\":\"check\",\"label\":{\"zh-CN\":\"审核\",\"en\":\"Check\"},"
	               "\"on_approve\":\"finish\",\"on_reject\":\"reopen\",\"steps\":["
	               "{\"key\":\"a\",\"label\":{\"zh-CN\":\"甲\",\"en\":\"A\"},\"approvers\":"
	               "[{\"head\":\"subsidiary\"},{\"superior\":true}],\"mode\":\"all\","
	               "\"when\":[{\"field\":\"priority\",\"op\":\"eq\",\"value\":\"high\"}]}]}]",
	               &a, &p, err, sizeof err);
	if (rc)
		fail_msg("%s", err);
	const struct approval_flow *f = process_flow(&p, "check");
	assert_non_null(f);
	assert_int_equal(f->n_steps, 1);
	assert_true(f->steps[0].all);
	assert_int_equal(f->steps[0].approvers[0].kind, P_HEAD);
	assert_string_equal(f->steps[0].approvers[0].value, "subsidiary");
	assert_int_equal(f->steps[0].n_when, 1);
	/* The outcomes are the flow's to fire. */
	assert_true(process_transition(&p, "finish")->by_flow);
	assert_true(process_transition(&p, "reopen")->by_flow);
	arena_release(&a);
}

static void test_mistakes_named(void **state)
{
	(void)state;
	static const struct {
		const char *more, *flows, *want;
	} cases[] = {
	    {"\"who\":[{\"role\":\"x\",\"owner\":true}]", NULL, "transitions[0].who[0]: one of"},
	    {"\"who\":[\"actor\"]", NULL, "transitions[0].who[0]: one of"},
	    {"\"who\":[{\"owner\":false}]", NULL, "transitions[0].who[0]: one of"},
	    {"\"who\":[{\"field\":\"subject\"}]", NULL,
	     "transitions[0].who[0].field: 'subject' is not a user field of tasks"},
	    {"\"notify\":[{\"head\":\"department\"}]", NULL, "transitions[0].notify[0]: one of"},
	    {"\"notify\":[{\"user\":0}]", NULL, "transitions[0].notify[0]: one of"},
	    {"\"tasks\":[{\"subject\":\"x\",\"assignee\":{\"role\":\"finance\"}}]", NULL,
	     "transitions[0].tasks[0].assignee: one of \"owner\", \"superior\", \"actor\", "
	     "{\"field\"} or {\"user\"}"},
	    {"\"tasks\":[{\"subject\":\"x\"}]", NULL, "transitions[0].tasks[0].assignee: required"},
	    {"\"tasks\":[{\"subject\":\"x\",\"assignee\":\"owner\",\"due_in\":\"2w\"}]", NULL,
	     "transitions[0].tasks[0].due_in: a span"},
	    {"\"tasks\":[{\"subject\":\"x\",\"assignee\":\"owner\",\"remind_before\":\"1h\"}]",
	     NULL, "transitions[0].tasks[0].remind_before: needs due_in"},
	    {"\"tasks\":[{\"assignee\":\"owner\"}]", NULL, "transitions[0].tasks[0].subject"},
	    {"\"tasks\":{}", NULL, "transitions[0].tasks: a list"},
	    {"\"approval\":\"nope\"", NULL, "transitions[0].approval: no approval flow 'nope'"},
	    {"",
	     "[{\"key\":\"c\",\"label\":{\"zh-CN\":\"c\",\"en\":\"c\"},\"on_approve\":\"finish\","
	     "\"on_reject\":\"reopen\",\"steps\":[{\"key\":\"a\",\"label\":{\"zh-CN\":\"a\","
	     "\"en\":\"a\"},\"approvers\":[\"owner\"]}]}]",
	     "approvals[0].steps[0].approvers[0]: one of {\"role\"}, \"superior\", "
	     "{\"head\":\"department\"|\"subsidiary\"}, {\"field\"} or {\"user\"}"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct arena a;
		arena_init(&a, 4096);
		struct process p;
		char err[256] = "";
		int rc = parse(cases[i].more, cases[i].flows, &a, &p, err, sizeof err);
		if (rc != -1 || strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: want '%s', got %d '%s'", i, cases[i].want, rc, err);
		arena_release(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_people_and_tasks),
	    UNIT_TEST(test_flows),
	    UNIT_TEST(test_mistakes_named),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
