#include "process_effects.h"
#include "crud.h"
#include "transition.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "services/notify.h"

#include <stdio.h>
#include <string.h>

/* The users a transition tells, each once, into out (*n of them). A DB_ code. */
static int recipients(struct op *op, const struct transition *t, json_t *rec, int64_t *out,
                      size_t max, size_t *count)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n_notify; i++) {
		int64_t ids[64];
		size_t k = 0;
		int rc = person_users(op, &t->notify[i], rec, ids, 64, &k);
		if (rc)
			return rc;
		for (size_t j = 0; j < k; j++) {
			bool seen = !ids[j];
			for (size_t m = 0; m < n && !seen; m++)
				seen = out[m] == ids[j];
			if (!seen && n < max)
				out[n++] = ids[j];
		}
	}
	*count = n;
	return DB_OK;
}

/* Share the record with the users the transition names, unless they have it already. */
static int share(struct op *op, int64_t id, const struct transition *t, json_t *next)
{
	char now[TIME_ISO_LEN], rid[24], by[24];
	time_now_iso(now);
	snprintf(rid, sizeof rid, "%lld", (long long)id);
	snprintf(by, sizeof by, "%lld", (long long)op->user_id);
	int rc = DB_OK;
	for (size_t i = 0; i < t->n_share && !rc; i++) {
		int64_t user = record_user(next, t->share[i].field->name);
		if (!user)
			continue;
		char uid[24];
		snprintf(uid, sizeof uid, "%lld", (long long)user);
		int64_t have = 0;
		const char *p[] = {
		    op->e->name, rid, uid, t->share[i].access, op->user_id ? by : NULL, now};
		rc = db_query_int(
		    op->db,
		    "SELECT count(*) FROM record_shares WHERE entity = ? AND record_id = ? "
		    "AND user_id = ? AND access = ?",
		    4, p, &have);
		if (!rc && !have)
			rc =
			    db_run(op->db,
			           "INSERT INTO record_shares (entity, record_id, user_id, access, "
			           "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			           6, p);
	}
	return rc;
}

static const char *state_label(const struct field *sf, const char *key, enum lang lang)
{
	for (size_t i = 0; key && i < sf->n_options; i++)
		if (str_eq(sf->options[i].key, key))
			return label_get(&sf->options[i].label, lang);
	return key ? key : "";
}

static int tell(struct op *op, int64_t id, const struct process *p, const struct transition *t,
                json_t *rec, const char *from, const char *comment)
{
	int64_t to[128];
	size_t n = 0;
	int rc = recipients(op, t, rec, to, 128, &n);
	if (rc)
		return rc;
	const char *actor = user_name(op, op->user_id);
	for (size_t i = 0; i < n && !rc; i++) {
		/* Chinese labels: the template is rendered in each addressee's language, but the
		 * process's words are data; zh-CN is the company's. */
		json_t *vars = json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "process", label_get(&p->label, LANG_ZH),
		    "transition", label_get(&t->label, LANG_ZH), "record", record_title(op, rec),
		    "from", state_label(p->state_field, from, LANG_ZH), "to",
		    state_label(p->state_field, t->to, LANG_ZH), "comment", comment ? comment : "",
		    "actor", actor);
		struct notice notice = {.event = "process.transition",
		                        .user_id = to[i],
		                        .entity = op->e->name,
		                        .record_id = id,
		                        .vars = vars,
		                        .actor = op->user_id};
		rc = notify(op->db, &notice);
		json_decref(vars);
	}
	return rc;
}

/* A task's subject: "{{record}}" replaced by the record's title, cut to 200 characters. */
static const char *task_subject(struct op *op, const char *subject, const char *title)
{
	struct str out = STR_INIT;
	const char *mark = "{{record}}";
	for (const char *p = subject, *at; *p; p = at + strlen(mark)) {
		if (!(at = strstr(p, mark))) {
			str_adds(&out, p);
			break;
		}
		str_add(&out, p, (size_t)(at - p));
		str_adds(&out, title);
	}
	size_t end = out.buf ? utf8_prefix_chars(out.buf, out.len, 200) : 0;
	const char *s = arena_strndup(op->arena, out.buf ? out.buf : "", end);
	str_release(&out);
	return s;
}

/*
 * The tasks t creates, each about the record, for its one person, who is told unless they fired
 * the transition. A rule that names nobody (an owner without a superior, an empty field) refuses
 * the transition: a task for no one would be work lost.
 */
static int create_tasks(struct op *op, int64_t id, const struct transition *t, json_t *rec)
{
	const struct entity *tasks = registry_entity(op->reg, "tasks");
	const struct field *customer = entity_field(op->e, "customer_id");
	int64_t customer_id =
	    customer && customer->type == FT_REFERENCE && str_eq(customer->ref_name, "customers")
	        ? record_user(rec, "customer_id")
	        : 0;
	const char *title = record_title(op, rec);
	int64_t now = time_now_ms();
	for (size_t i = 0; i < t->n_tasks; i++) {
		const struct task_effect *te = &t->tasks[i];
		int64_t who = 0;
		size_t k = 0;
		int rc = person_users(op, &te->assignee, rec, &who, 1, &k);
		if (rc)
			return crud_db_error(op, rc, "a task");
		const char *subject = task_subject(op, te->subject, title);
		if (!k || !who) {
			problem_add(op->problem, NULL, "no_assignee",
			            (const char *[]){"task", subject, NULL});
			return problem_set(op->problem, 409, "conflict");
		}
		json_t *body = json_pack("{s:s, s:I, s:s, s:I}", "subject", subject, "owner_id",
		                         (json_int_t)who, "about_entity", op->e->name, "about_id",
		                         (json_int_t)id);
		char due[TIME_ISO_LEN], remind[TIME_ISO_LEN], shown[TIME_MINUTE_LEN] = "";
		if (te->due_in_ms) {
			time_format_iso(now + te->due_in_ms, due);
			json_object_set_new(body, "due_at", json_string(due));
			time_format_minute_local(now + te->due_in_ms, shown);
		}
		if (te->remind_before_ms) {
			int64_t at = now + te->due_in_ms - te->remind_before_ms;
			time_format_iso(at > now ? at : now, remind);
			json_object_set_new(body, "remind_at", json_string(remind));
		}
		if (te->description)
			json_object_set_new(body, "description", json_string(te->description));
		if (te->priority)
			json_object_set_new(body, "priority", json_string(te->priority));
		if (customer_id)
			json_object_set_new(body, "customer_id", json_integer(customer_id));
		/* Made by the engine for whoever fired the transition: their name on it, no scope.
		 */
		struct op sys = op_as_system(op);
		sys.e = tasks;
		struct str out = STR_INIT;
		struct crud_result res = {0};
		int status = crud_create_in_tx(&sys, body, &out, &res);
		json_decref(body);
		str_release(&out);
		if (status < 0)
			return status;
		if (who == op->user_id)
			continue;
		json_t *vars = json_pack("{s:s, s:s, s:s, s:s}", "subject", subject, "due", shown,
		                         "actor", user_name(op, op->user_id), "record", title);
		struct notice notice = {.event = "task.assigned",
		                        .user_id = who,
		                        .entity = "tasks",
		                        .record_id = res.id,
		                        .vars = vars,
		                        .actor = op->user_id};
		rc = notify(op->db, &notice);
		json_decref(vars);
		if (rc)
			return crud_db_error(op, rc, "a task");
	}
	return 0;
}

int process_effects(struct op *op, int64_t id, const struct process *p, const struct transition *t,
                    json_t *next, const char *from, const char *comment)
{
	int rc = share(op, id, t, next);
	if (!rc)
		rc = tell(op, id, p, t, next, from, comment);
	return rc ? crud_db_error(op, rc, "a transition") : create_tasks(op, id, t, next);
}
