#include "return_visits.h"

#include "about_tasks.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/hooks.h"

#include <stdio.h>
#include <string.h>

#define REMIND_BEFORE_MS (30 * 60000)
#define SUBJECT_MAX      200

/* The task's due and reminder times from the visit's scheduled time; false without one. */
static bool times(const struct value *at, char due[TIME_ISO_LEN], char remind[TIME_ISO_LEN])
{
	int64_t ms;
	if (!at || at->kind != V_TEXT || !time_parse_datetime(at->s, at->n, &ms))
		return false;
	time_format_iso(ms, due);
	time_format_iso(ms - REMIND_BEFORE_MS, remind);
	return true;
}

int return_visits_created(struct op *op, int64_t id, const struct value *vals)
{
	char due[TIME_ISO_LEN], remind[TIME_ISO_LEN];
	if (!hook_text_is(hook_value(op, vals, "state"), "planned") ||
	    !times(hook_value(op, vals, "scheduled_at"), due, remind))
		return 0;
	const struct value *subject = hook_value(op, vals, "subject");
	/* "回访：<subject>", cut so the whole fits a task's subject. */
	const char head[] = "回访：";
	size_t room = SUBJECT_MAX - utf8_length(head, strlen(head));
	struct str s = STR_INIT;
	str_adds(&s, head);
	if (subject && subject->kind == V_TEXT)
		str_add(&s, subject->s, utf8_prefix_chars(subject->s, subject->n, room));
	int64_t owner = hook_int(hook_value(op, vals, "owner_id"));
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "subject", s.buf, "status",
	                         "open", "priority", "normal", "due_at", due, "remind_at", remind,
	                         "about_entity", "return_visits", "about_id", (json_int_t)id);
	str_release(&s);
	static const char *const copied[] = {"customer_id", "contact_id"};
	for (size_t i = 0; i < ARRAY_SIZE(copied); i++)
		if (hook_int(hook_value(op, vals, copied[i])))
			json_object_set_new(
			    body, copied[i],
			    json_integer(hook_int(hook_value(op, vals, copied[i]))));
	if (owner)
		json_object_set_new(body, "owner_id", json_integer(owner));
	int status = about_task_add(op, body);
	json_decref(body);
	return status;
}

int return_visits_updated(struct op *op, int64_t id, const struct value *before,
                          const struct value *after, const bool *changed)
{
	(void)before;
	json_t *change = json_object();
	const struct value *state = hook_value(op, after, "state");
	char due[TIME_ISO_LEN], remind[TIME_ISO_LEN];
	if (hook_changed(op, changed, "state") && !hook_text_is(state, "planned")) {
		/* Recorded (and what follows): the reminder did its work; cancelled: no visit. */
		json_object_set_new(
		    change, "status",
		    json_string(hook_text_is(state, "cancelled") ? "cancelled" : "done"));
	} else {
		if (hook_changed(op, changed, "scheduled_at") &&
		    times(hook_value(op, after, "scheduled_at"), due, remind)) {
			json_object_set_new(change, "due_at", json_string(due));
			json_object_set_new(change, "remind_at", json_string(remind));
		}
		if (hook_changed(op, changed, "owner_id") &&
		    hook_int(hook_value(op, after, "owner_id")))
			json_object_set_new(
			    change, "owner_id",
			    json_integer(hook_int(hook_value(op, after, "owner_id"))));
	}
	int status =
	    json_object_size(change) ? about_tasks_change(op, "return_visits", id, change) : 0;
	json_decref(change);
	return status;
}
