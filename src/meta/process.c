#include "process.h"
#include "registry.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

static bool is_state(const struct field *sf, const char *s)
{
	for (size_t i = 0; s && i < sf->n_options; i++)
		if (str_eq(sf->options[i].key, s))
			return true;
	return false;
}

static int label(struct arena *a, const json_t *j, struct label *out, char *err, size_t n,
                 const char *what)
{
	memset(out, 0, sizeof *out);
	const char *k;
	json_t *v;
	if (!json_is_object(j))
		return fail_with(err, n, "%s.label: an object of languages", what);
	json_object_foreach((json_t *)j, k, v)
	{
		int l = lang_parse(k);
		if (l < 0 || !json_is_string(v) || !*json_string_value(v))
			return fail_with(err, n, "%s.label.%s: zh-CN or en, with text", what, k);
		out->text[l] = arena_strdup(a, json_string_value(v));
	}
	if (!out->text[LANG_ZH] || !out->text[LANG_EN])
		return fail_with(err, n, "%s.label: needs zh-CN and en", what);
	return 0;
}

/* The user field named by s, for who and notify rules. */
static const struct field *user_field(const struct entity *e, const char *s)
{
	const struct field *f = s ? entity_field(e, s) : NULL;
	return f && f->type == FT_USER ? f : NULL;
}

static const char *const person_names[] = {"role", "owner", "superior", "actor",
                                           "head", "field", "user",     NULL};

/* "a, b or c" of the kinds in allowed, as the definition writes them. */
static void person_forms(unsigned allowed, char *out, size_t n)
{
	static const char *const forms[] = {"{\"role\"}",
	                                    "\"owner\"",
	                                    "\"superior\"",
	                                    "\"actor\"",
	                                    "{\"head\":\"department\"|\"subsidiary\"}",
	                                    "{\"field\"}",
	                                    "{\"user\"}"};
	size_t len = 0, count = 0, seen = 0;
	for (size_t k = 0; k < 7; k++)
		count += (allowed & PERSON_KIND(k)) != 0;
	out[0] = '\0';
	for (size_t k = 0; k < 7 && len < n; k++) {
		if (!(allowed & PERSON_KIND(k)))
			continue;
		seen++;
		const char *sep = seen == 1 ? "" : seen == count ? " or " : ", ";
		len += (size_t)snprintf(out + len, n - len, "%s%s", sep, forms[k]);
	}
}

/* A person rule of e, of a kind in allowed (PERSON_KIND bits), into r (strings in a). */
static int person(struct arena *a, const struct entity *e, const json_t *j, unsigned allowed,
                  struct person_rule *r, char *err, size_t n, const char *what)
{
	memset(r, 0, sizeof *r);
	const char *name = json_string_value(j);
	const char *k = NULL;
	json_t *v = NULL;
	if (json_is_object(j) && json_object_size(j) == 1) {
		void *it = json_object_iter((json_t *)j);
		k = json_object_iter_key(it);
		v = json_object_iter_value(it);
	}
	size_t kind = 0;
	const char *key = name ? name : k;
	while (key && person_names[kind] && !str_eq(person_names[kind], key))
		kind++;
	bool ok = key && person_names[kind] && (allowed & PERSON_KIND(kind));
	r->kind = (enum person_kind)kind;
	if (ok && name) /* a bare name: only the relations, which need no value */
		ok = kind == P_OWNER || kind == P_SUPERIOR || kind == P_ACTOR;
	else if (ok && (kind == P_OWNER || kind == P_SUPERIOR || kind == P_ACTOR))
		ok = json_is_true(v);
	else if (ok && kind == P_ROLE)
		ok = json_is_string(v) && *json_string_value(v);
	else if (ok && kind == P_HEAD)
		ok = json_is_string(v) && (str_eq(json_string_value(v), "department") ||
		                           str_eq(json_string_value(v), "subsidiary"));
	else if (ok && kind == P_USER)
		ok = json_is_integer(v) && json_integer_value(v) > 0;
	else if (ok && kind == P_FIELD) {
		if (!json_is_string(v))
			ok = false;
		else if (!(r->field = user_field(e, json_string_value(v))))
			return fail_with(err, n, "%s.field: '%s' is not a user field of %s", what,
			                 json_string_value(v), e->name);
	}
	if (!ok) {
		char forms[256];
		person_forms(allowed, forms, sizeof forms);
		return fail_with(err, n, "%s: one of %s", what, forms);
	}
	if (kind == P_ROLE || kind == P_HEAD)
		r->value = arena_strdup(a, json_string_value(v));
	if (kind == P_USER)
		r->user = json_integer_value(v);
	return 0;
}

/* A list of person rules (member of the object at what) into *out, *count. */
static int person_list(struct arena *a, const struct entity *e, const json_t *list,
                       unsigned allowed, struct person_rule **out, size_t *count, char *err,
                       size_t n, const char *what, const char *member)
{
	*count = json_array_size(list);
	*out = ARENA_NEW_ARRAY(a, struct person_rule, *count ? *count : 1);
	for (size_t i = 0; i < *count; i++) {
		char sub[160];
		snprintf(sub, sizeof sub, "%s.%s[%zu]", what, member, i);
		if (person(a, e, json_array_get(list, i), allowed, &(*out)[i], err, n, sub))
			return -1;
	}
	return 0;
}

static const char *const guard_ops[] = {"eq",  "ne", "lt",   "lte",      "gt",
                                        "gte", "in", "null", "not_null", NULL};

static int guard(struct arena *a, const struct entity *e, const json_t *j, struct guard *g,
                 char *err, size_t n, const char *what)
{
	const char *field = json_string_value(json_object_get(j, "field"));
	const char *op = json_string_value(json_object_get(j, "op"));
	json_t *value = json_object_get(j, "value");
	if (!field || !(g->field = entity_field(e, field)))
		return fail_with(err, n, "%s.field: not a field of %s", what, e->name);
	size_t k = 0;
	while (op && guard_ops[k] && !str_eq(guard_ops[k], op))
		k++;
	if (!op || !guard_ops[k])
		return fail_with(err, n, "%s.op: one of eq ne lt lte gt gte in null not_null",
		                 what);
	g->op = (enum guard_op)k;
	bool needs = g->op != G_NULL && g->op != G_NOT_NULL;
	if (needs != (value != NULL))
		return fail_with(err, n, "%s.value: %s", what,
		                 needs ? "required" : "not for this op");
	if (g->op == G_IN && !json_is_array(value))
		return fail_with(err, n, "%s.value: a list for op in", what);
	if (needs && g->op != G_IN && !json_is_string(value) && !json_is_number(value) &&
	    !json_is_boolean(value))
		return fail_with(err, n, "%s.value: a string, number or boolean", what);
	if (needs) {
		char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
		g->value = arena_strdup(a, text);
		free(text);
	}
	return 0;
}

/* A list of conditions (a transition's guard, a step's when) into *out. */
static int guard_list(struct arena *a, const struct entity *e, const json_t *list,
                      struct guard **out, size_t *count, char *err, size_t n, const char *what,
                      const char *member)
{
	*count = json_array_size(list);
	*out = ARENA_NEW_ARRAY(a, struct guard, *count ? *count : 1);
	for (size_t i = 0; i < *count; i++) {
		char sub[160];
		snprintf(sub, sizeof sub, "%s.%s[%zu]", what, member, i);
		if (guard(a, e, json_array_get(list, i), &(*out)[i], err, n, sub))
			return -1;
	}
	return 0;
}

/* The kinds of person each place takes. */
#define WHO_KINDS                                                               \
	(PERSON_KIND(P_ROLE) | PERSON_KIND(P_OWNER) | PERSON_KIND(P_SUPERIOR) | \
	 PERSON_KIND(P_FIELD) | PERSON_KIND(P_USER))
#define NOTIFY_KINDS   (WHO_KINDS | PERSON_KIND(P_ACTOR))
#define ASSIGNEE_KINDS (NOTIFY_KINDS & ~PERSON_KIND(P_ROLE))
#define APPROVER_KINDS                                                         \
	(PERSON_KIND(P_ROLE) | PERSON_KIND(P_SUPERIOR) | PERSON_KIND(P_HEAD) | \
	 PERSON_KIND(P_FIELD) | PERSON_KIND(P_USER))

/* The members of an object must be among names. */
static int only(const json_t *o, const char *const *names, char *err, size_t n, const char *what);

static int task_effect(struct arena *a, const struct entity *e, const json_t *j,
                       struct task_effect *t, char *err, size_t n, const char *what)
{
	static const char *const members[] = {"subject",       "description", "assignee", "due_in",
	                                      "remind_before", "priority",    NULL};
	static const char *const priorities[] = {"high", "normal", "low", NULL};
	if (!json_is_object(j))
		return fail_with(err, n, "%s: an object", what);
	if (only(j, members, err, n, what))
		return -1;
	const char *subject = json_string_value(json_object_get(j, "subject"));
	if (!subject || !*subject || utf8_length(subject, strlen(subject)) > 200)
		return fail_with(err, n, "%s.subject: required, at most 200 characters", what);
	t->subject = arena_strdup(a, subject);
	json_t *v = json_object_get(j, "description");
	if (v && !json_is_string(v))
		return fail_with(err, n, "%s.description: text", what);
	t->description = v ? arena_strdup(a, json_string_value(v)) : NULL;
	char sub[160];
	snprintf(sub, sizeof sub, "%s.assignee", what);
	json_t *who = json_object_get(j, "assignee");
	if (!who)
		return fail_with(err, n, "%s: required", sub);
	if (person(a, e, who, ASSIGNEE_KINDS, &t->assignee, err, n, sub))
		return -1;
	static const char *const spans[] = {"due_in", "remind_before"};
	int64_t *span_ms[] = {&t->due_in_ms, &t->remind_before_ms};
	for (size_t i = 0; i < 2; i++) {
		json_t *span = json_object_get(j, spans[i]);
		if (span && !time_parse_span(json_string_value(span), span_ms[i]))
			return fail_with(err, n, "%s.%s: a span such as \"30m\", \"4h\" or \"3d\"",
			                 what, spans[i]);
	}
	if (t->remind_before_ms && !t->due_in_ms)
		return fail_with(err, n, "%s.remind_before: needs due_in", what);
	const char *priority = json_string_value(json_object_get(j, "priority"));
	if (json_object_get(j, "priority") && !str_in_list(priority, priorities))
		return fail_with(err, n, "%s.priority: high, normal or low", what);
	t->priority = priority ? arena_strdup(a, priority) : NULL;
	return 0;
}

/* The members of an object must be among names. */
static int only(const json_t *o, const char *const *names, char *err, size_t n, const char *what)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v)
	{
		if (!str_in_list(k, names))
			return fail_with(err, n, "%s.%s: unknown member", what, k);
	}
	return 0;
}

static int transition(struct arena *a, const struct entity *e, const struct field *sf,
                      const json_t *j, struct transition *t, char *err, size_t n, const char *what)
{
	static const char *const members[] = {"key",   "label",    "from", "to",     "who",
	                                      "guard", "require",  "set",  "notify", "share",
	                                      "tasks", "approval", NULL};
	if (!json_is_object(j))
		return fail_with(err, n, "%s: an object", what);
	if (only(j, members, err, n, what))
		return -1;
	const char *key = json_string_value(json_object_get(j, "key"));
	if (!key || !*key || strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(key))
		return fail_with(err, n, "%s.key: lower-case letters, digits and _", what);
	t->key = arena_strdup(a, key);
	if (label(a, json_object_get(j, "label"), &t->label, err, n, what))
		return -1;
	const char *to = json_string_value(json_object_get(j, "to"));
	if (!is_state(sf, to))
		return fail_with(err, n, "%s.to: '%s' is not a state of %s", what, to ? to : "",
		                 sf->name);
	t->to = arena_strdup(a, to);
	json_t *from = json_object_get(j, "from");
	if (from && !json_is_array(from))
		return fail_with(err, n, "%s.from: a list of states", what);
	t->n_from = json_array_size(from);
	t->from = ARENA_NEW_ARRAY(a, const char *, t->n_from ? t->n_from : 1);
	for (size_t i = 0; i < t->n_from; i++) {
		const char *s = json_string_value(json_array_get(from, i));
		if (!is_state(sf, s))
			return fail_with(err, n, "%s.from[%zu]: not a state of %s", what, i,
			                 sf->name);
		t->from[i] = arena_strdup(a, s);
	}
	json_t *who = json_object_get(j, "who"), *guards = json_object_get(j, "guard"),
	       *req = json_object_get(j, "require"), *set = json_object_get(j, "set"),
	       *tell = json_object_get(j, "notify");
	if ((who && !json_is_array(who)) || (guards && !json_is_array(guards)) ||
	    (req && !json_is_array(req)) || (tell && !json_is_array(tell)) ||
	    (set && !json_is_object(set)))
		return fail_with(
		    err, n, "%s: who, guard, require and notify are lists; set an object", what);
	char sub[96];
	if (person_list(a, e, who, WHO_KINDS, &t->who, &t->n_who, err, n, what, "who"))
		return -1;
	if (guard_list(a, e, guards, &t->guards, &t->n_guards, err, n, what, "guard"))
		return -1;
	t->n_require = json_array_size(req);
	t->require = ARENA_NEW_ARRAY(a, const struct field *, t->n_require ? t->n_require : 1);
	for (size_t i = 0; i < t->n_require; i++) {
		const char *f = json_string_value(json_array_get(req, i));
		if (!f || !(t->require[i] = entity_field(e, f)))
			return fail_with(err, n, "%s.require[%zu]: not a field of %s", what, i,
			                 e->name);
	}
	if (set) {
		const char *k;
		json_t *v;
		json_object_foreach(set, k, v)
		{
			if (!entity_field(e, k) || str_eq(k, sf->name))
				return fail_with(err, n,
				                 "%s.set.%s: not a field the transition may set",
				                 what, k);
		}
		char *text = json_dumps(set, JSON_COMPACT);
		t->set = arena_strdup(a, text);
		free(text);
	}
	json_t *share = json_object_get(j, "share");
	if (share && !json_is_array(share))
		return fail_with(err, n, "%s.share: a list of {\"field\", \"access\"}", what);
	t->n_share = json_array_size(share);
	t->share = ARENA_NEW_ARRAY(a, struct share_target, t->n_share ? t->n_share : 1);
	for (size_t i = 0; i < t->n_share; i++) {
		json_t *o = json_array_get(share, i);
		const char *access = json_string_value(json_object_get(o, "access"));
		static const char *const levels[] = {"read", "edit", NULL};
		if (!(t->share[i].field =
		          user_field(e, json_string_value(json_object_get(o, "field")))))
			return fail_with(err, n, "%s.share[%zu].field: not a user field of %s",
			                 what, i, e->name);
		if (!access || !str_in_list(access, levels))
			return fail_with(err, n, "%s.share[%zu].access: read or edit", what, i);
		t->share[i].access = arena_strdup(a, access);
	}
	json_t *tasks = json_object_get(j, "tasks");
	if (tasks && !json_is_array(tasks))
		return fail_with(err, n, "%s.tasks: a list of tasks", what);
	t->n_tasks = json_array_size(tasks);
	t->tasks = ARENA_NEW_ARRAY(a, struct task_effect, t->n_tasks ? t->n_tasks : 1);
	for (size_t i = 0; i < t->n_tasks; i++) {
		snprintf(sub, sizeof sub, "%s.tasks[%zu]", what, i);
		if (task_effect(a, e, json_array_get(tasks, i), &t->tasks[i], err, n, sub))
			return -1;
	}
	json_t *flow = json_object_get(j, "approval");
	if (flow && !json_is_string(flow))
		return fail_with(err, n, "%s.approval: the key of an approval flow", what);
	t->approval = flow ? arena_strdup(a, json_string_value(flow)) : NULL;
	if (person_list(a, e, tell, NOTIFY_KINDS, &t->notify, &t->n_notify, err, n, what, "notify"))
		return -1;
	return 0;
}

static int step(struct arena *a, const struct entity *e, const json_t *j, struct approval_step *s,
                char *err, size_t n, const char *what)
{
	static const char *const members[] = {"key", "label", "approvers", "mode", "when", NULL};
	if (!json_is_object(j))
		return fail_with(err, n, "%s: an object", what);
	if (only(j, members, err, n, what))
		return -1;
	const char *key = json_string_value(json_object_get(j, "key"));
	if (!key || !*key)
		return fail_with(err, n, "%s.key: required", what);
	s->key = arena_strdup(a, key);
	if (label(a, json_object_get(j, "label"), &s->label, err, n, what))
		return -1;
	const char *mode = json_string_value(json_object_get(j, "mode"));
	if (mode && !str_eq(mode, "any") && !str_eq(mode, "all"))
		return fail_with(err, n, "%s.mode: any or all", what);
	s->all = mode && str_eq(mode, "all");
	json_t *list = json_object_get(j, "approvers"), *when = json_object_get(j, "when");
	if (!json_is_array(list) || !json_array_size(list))
		return fail_with(err, n, "%s.approvers: a non-empty list", what);
	if (when && !json_is_array(when))
		return fail_with(err, n, "%s.when: a list of conditions", what);
	if (person_list(a, e, list, APPROVER_KINDS, &s->approvers, &s->n_approvers, err, n, what,
	                "approvers"))
		return -1;
	return guard_list(a, e, when, &s->when, &s->n_when, err, n, what, "when");
}

/* A transition a flow fires must be one of the process's. */
static int flow_transition(struct arena *a, const struct process *p, const json_t *j,
                           const char *member, const char **out, bool required, char *err, size_t n,
                           const char *what)
{
	const char *key = json_string_value(json_object_get(j, member));
	*out = NULL;
	if (!key && !required)
		return 0;
	if (!key || !process_transition(p, key))
		return fail_with(err, n, "%s.%s: not a transition of this process", what, member);
	*out = arena_strdup(a, key);
	return 0;
}

static int flow(struct arena *a, const struct entity *e, const struct process *p, const json_t *j,
                struct approval_flow *f, char *err, size_t n, const char *what)
{
	static const char *const members[] = {"key",       "label",       "steps", "on_approve",
	                                      "on_reject", "on_withdraw", NULL};
	if (!json_is_object(j))
		return fail_with(err, n, "%s: an object", what);
	if (only(j, members, err, n, what))
		return -1;
	const char *key = json_string_value(json_object_get(j, "key"));
	if (!key || !*key)
		return fail_with(err, n, "%s.key: required", what);
	f->key = arena_strdup(a, key);
	if (label(a, json_object_get(j, "label"), &f->label, err, n, what) ||
	    flow_transition(a, p, j, "on_approve", &f->on_approve, true, err, n, what) ||
	    flow_transition(a, p, j, "on_reject", &f->on_reject, true, err, n, what) ||
	    flow_transition(a, p, j, "on_withdraw", &f->on_withdraw, false, err, n, what))
		return -1;
	json_t *steps = json_object_get(j, "steps");
	if (!json_is_array(steps) || !json_array_size(steps))
		return fail_with(err, n, "%s.steps: a non-empty list", what);
	f->n_steps = json_array_size(steps);
	f->steps = ARENA_NEW_ARRAY(a, struct approval_step, f->n_steps);
	for (size_t i = 0; i < f->n_steps; i++) {
		char sub[96];
		snprintf(sub, sizeof sub, "%s.steps[%zu]", what, i);
		if (step(a, e, json_array_get(steps, i), &f->steps[i], err, n, sub))
			return -1;
	}
	return 0;
}

/* The approval flows of a parsed process, after its transitions. */
static int flows(struct arena *a, const struct entity *e, const json_t *def, struct process *out,
                 char *err, size_t errlen)
{
	json_t *list = json_object_get(def, "approvals");
	if (list && !json_is_array(list))
		return fail_with(err, errlen, "approvals: a list of approval flows");
	out->n_flows = json_array_size(list);
	out->flows = ARENA_NEW_ARRAY(a, struct approval_flow, out->n_flows ? out->n_flows : 1);
	for (size_t i = 0; i < out->n_flows; i++) {
		char what[48];
		snprintf(what, sizeof what, "approvals[%zu]", i);
		if (flow(a, e, out, json_array_get(list, i), &out->flows[i], err, errlen, what))
			return -1;
		for (size_t k = 0; k < i; k++)
			if (str_eq(out->flows[k].key, out->flows[i].key))
				return fail_with(err, errlen, "%s.key: '%s' twice", what,
				                 out->flows[i].key);
	}
	for (size_t i = 0; i < out->n_flows; i++) {
		const struct approval_flow *f = &out->flows[i];
		const char *outcomes[] = {f->on_approve, f->on_reject, f->on_withdraw};
		for (size_t k = 0; k < 3; k++)
			if (outcomes[k])
				((struct transition *)process_transition(out, outcomes[k]))
				    ->by_flow = true;
	}
	for (size_t i = 0; i < out->n_transitions; i++)
		if (out->transitions[i].approval &&
		    !process_flow(out, out->transitions[i].approval))
			return fail_with(err, errlen,
			                 "transitions[%zu].approval: no approval flow '%s'", i,
			                 out->transitions[i].approval);
	return 0;
}

int process_parse(struct arena *a, const struct entity *e, const char *key, const json_t *def,
                  struct process *out, char *err, size_t errlen)
{
	static const char *const members[] = {"entity",      "label",     "state_field", "initial",
	                                      "transitions", "approvals", NULL};
	memset(out, 0, sizeof *out);
	if (!json_is_object(def))
		return fail_with(err, errlen, "the definition is an object");
	if (only(def, members, err, errlen, "definition"))
		return -1;
	out->key = arena_strdup(a, key);
	if (label(a, json_object_get(def, "label"), &out->label, err, errlen, "definition"))
		return -1;
	const char *sf = json_string_value(json_object_get(def, "state_field"));
	const struct field *f = sf ? entity_field(e, sf) : NULL;
	if (!f || f->type != FT_ENUM)
		return fail_with(err, errlen, "state_field: '%s' is not an option-list field of %s",
		                 sf ? sf : "", e->name);
	out->state_field = f;
	const char *initial = json_string_value(json_object_get(def, "initial"));
	if (!is_state(f, initial))
		return fail_with(err, errlen, "initial: '%s' is not a state of %s",
		                 initial ? initial : "", f->name);
	out->initial = arena_strdup(a, initial);
	json_t *list = json_object_get(def, "transitions");
	if (!json_is_array(list) || !json_array_size(list))
		return fail_with(err, errlen, "transitions: a non-empty list");
	out->n_transitions = json_array_size(list);
	out->transitions = ARENA_NEW_ARRAY(a, struct transition, out->n_transitions);
	for (size_t i = 0; i < out->n_transitions; i++) {
		char what[48];
		snprintf(what, sizeof what, "transitions[%zu]", i);
		if (transition(a, e, f, json_array_get(list, i), &out->transitions[i], err, errlen,
		               what))
			return -1;
		for (size_t k = 0; k < i; k++)
			if (str_eq(out->transitions[k].key, out->transitions[i].key))
				return fail_with(err, errlen, "%s.key: '%s' twice", what,
				                 out->transitions[i].key);
	}
	return flows(a, e, def, out, err, errlen);
}

const struct transition *process_transition(const struct process *p, const char *key)
{
	for (size_t i = 0; p && i < p->n_transitions; i++)
		if (str_eq(p->transitions[i].key, key))
			return &p->transitions[i];
	return NULL;
}

bool transition_from(const struct transition *t, const char *state)
{
	if (!t->n_from)
		return true;
	for (size_t i = 0; i < t->n_from; i++)
		if (state && str_eq(t->from[i], state))
			return true;
	return false;
}

const struct approval_flow *process_flow(const struct process *p, const char *key)
{
	for (size_t i = 0; p && key && i < p->n_flows; i++)
		if (str_eq(p->flows[i].key, key))
			return &p->flows[i];
	return NULL;
}
