#include "plans.h"
#include "about_tasks.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/hooks.h"
#include "db/dbjson.h"
#include "meta/crud.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define SUBJECT_MAX 200
/* A touch is due at 09:00 in the company's time zone (UTC+8) and reminded half an hour before. */
#define DUE_UTC    "T01:00:00Z"
#define REMIND_UTC "T00:30:00Z"

static const char *text_of(const struct value *v, char *buf, size_t n)
{
	if (!v || v->kind != V_TEXT)
		return NULL;
	snprintf(buf, n, "%.*s", (int)v->n, v->s);
	return buf;
}

/* The k-th touch's date from the first: weeks are days; months keep the day, or the month's
 * last when it has fewer (31 January, then 28 February). */
static void touch_date(int y, int m, int d, const char *every, int k, char out[11])
{
	int64_t day = time_days_from_civil(y, m, d);
	if (str_eq(every, "weekly") || str_eq(every, "biweekly")) {
		time_civil_from_days(day + (int64_t)k * (str_eq(every, "weekly") ? 7 : 14), &y, &m,
		                     &d);
	} else {
		int months = k * (str_eq(every, "quarterly") ? 3 : 1);
		int total = (y * 12 + (m - 1)) + months;
		y = total / 12;
		m = total % 12 + 1;
		static const int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		int last = lengths[m - 1] + (m == 2 && leap);
		if (d > last)
			d = last;
	}
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

/* The kind's label in the company's language (data, like a process's words). */
static const char *kind_label(const struct op *op, const char *kind)
{
	const struct field *f = entity_field(op->e, "kind");
	for (size_t i = 0; f && kind && i < f->n_options; i++)
		if (str_eq(f->options[i].key, kind))
			return label_get(&f->options[i].label, LANG_ZH);
	return kind ? kind : "";
}

int plans_created(struct op *op, int64_t id, const struct value *vals)
{
	char status[32], subject[SUBJECT_MAX * 4 + 1], kind[64], every[32], starts[16];
	if (!text_of(hook_value(op, vals, "status"), status, sizeof status) ||
	    !str_eq(status, "active"))
		return 0;
	text_of(hook_value(op, vals, "subject"), subject, sizeof subject);
	text_of(hook_value(op, vals, "kind"), kind, sizeof kind);
	text_of(hook_value(op, vals, "every"), every, sizeof every);
	text_of(hook_value(op, vals, "starts_on"), starts, sizeof starts);
	int y, m, d;
	if (!time_parse_date(starts, strlen(starts), &y, &m, &d))
		return 0; /* required and checked: cannot happen */
	int64_t touches = hook_int(hook_value(op, vals, "touches"));
	int64_t owner = hook_int(hook_value(op, vals, "owner_id"))
	                    ? hook_int(hook_value(op, vals, "owner_id"))
	                    : op->user_id;
	for (int k = 0; k < touches; k++) {
		char date[11], due[32], remind[32];
		touch_date(y, m, d, every, k, date);
		snprintf(due, sizeof due, "%s%s", date, DUE_UTC);
		snprintf(remind, sizeof remind, "%s%s", date, REMIND_UTC);
		/* "<subject>（电话 2/6）", the plan's subject cut so the whole fits. */
		char tail[192];
		snprintf(tail, sizeof tail, "（%s %d/%lld）", kind_label(op, kind), k + 1,
		         (long long)touches);
		size_t room = SUBJECT_MAX - utf8_length(tail, strlen(tail));
		struct str s = STR_INIT;
		str_add(&s, subject, utf8_prefix_chars(subject, strlen(subject), room));
		str_adds(&s, tail);
		json_t *body = json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:I}", "subject", s.buf,
		    "status", "open", "priority", "normal", "due_at", due, "remind_at", remind,
		    "customer_id", (json_int_t)hook_int(hook_value(op, vals, "customer_id")),
		    "contact_id", (json_int_t)hook_int(hook_value(op, vals, "contact_id")),
		    "about_entity", "contact_plans", "about_id", (json_int_t)id, "owner_id",
		    (json_int_t)owner);
		str_release(&s);
		if (!owner) /* a plan of nobody's (an import by the system): touches of nobody's */
			json_object_del(body, "owner_id");
		int status_code = about_task_add(op, body);
		json_decref(body);
		if (status_code < 0)
			return status_code;
	}
	return 0;
}

/* The plan's open touches: cancelled (to = 0), or given to owner `to`. */
static int open_touches(struct op *op, int64_t id, int64_t to)
{
	json_t *change = to ? json_pack("{s:I}", "owner_id", (json_int_t)to)
	                    : json_pack("{s:s}", "status", "cancelled");
	int status = about_tasks_change(op, "contact_plans", id, change);
	json_decref(change);
	return status;
}

int plans_updated(struct op *op, int64_t id, const struct value *before, const struct value *after,
                  const bool *changed)
{
	(void)before;
	const struct field *status = entity_field(op->e, "status"),
	                   *owner = entity_field(op->e, "owner_id");
	char now[32];
	if (changed[status->position] && text_of(&after[status->position], now, sizeof now) &&
	    !str_eq(now, "active"))
		return open_touches(op, id, 0);
	if (owner && changed[owner->position] && after[owner->position].kind == V_INT)
		return open_touches(op, id, after[owner->position].i);
	return 0;
}

int plans_progress(struct op *op, int64_t id, struct str *out)
{
	struct str rec = STR_INIT;
	struct crud_result res = {0};
	int status = crud_get(op, id, false, &rec, &res);
	json_t *plan = NULL;
	if (status >= 0) {
		json_error_t je;
		plan = json_loadb(rec.buf, rec.len, 0, &je);
	}
	str_release(&rec);
	if (status < 0)
		return status;
	int64_t touches = json_integer_value(json_object_get(plan, "touches"));
	json_decref(plan);
	struct db_stmt *st;
	int rc =
	    db_prepare(op->db,
	               "SELECT id, subject, due_at, status FROM tasks WHERE about_entity = "
	               "'contact_plans' AND about_id = ? AND deleted_at IS NULL ORDER BY due_at, "
	               "id LIMIT 100",
	               &st);
	if (rc)
		return crud_db_error(op, rc, "a plan's progress");
	db_bind_int(st, 1, id);
	struct str list = STR_INIT;
	int64_t done = 0, open = 0, cancelled = 0, n = 0;
	char next[TIME_ISO_LEN] = "";
	while ((rc = db_step(st)) == DB_ROW) {
		const char *s = db_column_text(st, 3, NULL);
		done += str_eq(s, "done");
		cancelled += str_eq(s, "cancelled");
		if (str_eq(s, "open") && !open++) {
			int64_t ms;
			if (db_column_time(st, 2, &ms))
				time_format_iso(ms, next);
		}
		str_adds(&list, n++ ? "," : "");
		json_add_row(&list, st, "iid,tsubject,Tdue_at,tstatus");
	}
	db_reset(st);
	if (rc != DB_DONE) {
		str_release(&list);
		return crud_db_error(op, rc, "a plan's progress");
	}
	str_addf(out,
	         "{\"id\":%" PRId64 ",\"touches\":%" PRId64 ",\"done\":%" PRId64
	         ",\"open\":%" PRId64 ",\"cancelled\":%" PRId64 ",\"next_due_at\":",
	         id, touches, done, open, cancelled);
	if (*next)
		str_addf(out, "\"%s\"", next);
	else
		str_adds(out, "null");
	str_adds(out, ",\"tasks\":[");
	if (list.len)
		str_add(out, list.buf, list.len);
	str_adds(out, "]}");
	str_release(&list);
	return 200;
}
