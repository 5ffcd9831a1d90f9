#include "work_reports.h"

#include "period.h"
#include "core/i18n.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/access.h"
#include "meta/crud.h"

#include <stdio.h>
#include <string.h>

/* Names listed in the draft before "…" stands for the rest. */
#define DRAFT_NAMES 10

/* The period in the company's time zone as UTC instants: [from, to). */
struct span {
	int64_t owner;
	char from[TIME_ISO_LEN], to[TIME_ISO_LEN];
};

static bool span_of(struct op *op, const struct value *vals, struct span *s)
{
	const struct value *kind = hook_value(op, vals, "period"),
	                   *on = hook_value(op, vals, "starts_on");
	char start[PERIOD_DATE_LEN], end[PERIOD_DATE_LEN], k[8];
	if (!kind || kind->kind != V_TEXT || !on || on->kind != V_TEXT || kind->n >= sizeof k)
		return false;
	snprintf(k, sizeof k, "%.*s", (int)kind->n, kind->s);
	if (!period_bounds(k, on->s, on->n, start, end))
		return false;
	int y, m, d;
	const int64_t day_ms = 86400000, zone_ms = (int64_t)TIME_DEFAULT_OFFSET_MIN * 60000;
	time_parse_date(start, 10, &y, &m, &d);
	time_format_iso(time_days_from_civil(y, m, d) * day_ms - zone_ms, s->from);
	time_parse_date(end, 10, &y, &m, &d);
	time_format_iso((time_days_from_civil(y, m, d) + 1) * day_ms - zone_ms, s->to);
	s->owner = period_person(op, vals);
	return s->owner != 0;
}

/* A statement over the span: parameters 1 owner, 2 from, 3 to. */
static int open_span(struct op *op, const char *sql, const struct span *s, struct db_stmt **st)
{
	int rc = db_prepare(op->db, sql, st);
	if (rc)
		return rc;
	db_bind_int(*st, 1, s->owner);
	db_bind_texts(*st, 2, s->from);
	db_bind_texts(*st, 3, s->to);
	return 0;
}

/* An option's label in the company's language (the draft is data, like a process's words). */
static const char *option_label(const struct registry *reg, const char *entity, const char *field,
                                const char *key)
{
	const struct entity *e = registry_entity(reg, entity);
	const struct field *f = e ? entity_field(e, field) : NULL;
	for (size_t i = 0; f && i < f->n_options; i++)
		if (str_eq(f->options[i].key, key))
			return label_get(&f->options[i].label, LANG_ZH);
	return key;
}

struct figures {
	int64_t customers, activities, visits, moves, won, won_fen;
	struct str draft;
};

/* The records sql names over the span (one name a row): counted into *count, and said in the
 * draft as "<what> <count> <unit>：<the first names> …". */
static int named(struct op *op, const struct span *s, const char *sql, const char *what,
                 const char *unit, int64_t *count, struct str *draft)
{
	struct db_stmt *st;
	int rc = open_span(op, sql, s, &st);
	if (rc)
		return rc;
	struct str names = STR_INIT;
	while ((rc = db_step(st)) == DB_ROW)
		if (++*count <= DRAFT_NAMES)
			str_addf(&names, "%s%s", *count > 1 ? "、" : "",
			         db_column_text(st, 0, NULL));
	db_reset(st);
	if (*count)
		str_addf(draft, "%s %lld %s：%s%s\n", what, (long long)*count, unit, names.buf,
		         *count > DRAFT_NAMES ? " …" : "");
	str_release(&names);
	return rc < 0 ? rc : 0;
}

static int new_customers(struct op *op, const struct span *s, struct figures *f)
{
	return named(op, s,
	             "SELECT name FROM customers WHERE owner_id = ? AND created_at >= ?"
	             " AND created_at < ? AND deleted_at IS NULL ORDER BY id",
	             "新增客户", "家", &f->customers, &f->draft);
}

static int activities(struct op *op, const struct span *s, struct figures *f)
{
	struct db_stmt *st;
	int rc = open_span(op,
	                   "SELECT kind, count(*) FROM activities WHERE owner_id = ?"
	                   " AND occurred_at >= ? AND occurred_at < ? AND deleted_at IS NULL"
	                   " GROUP BY kind ORDER BY count(*) DESC, kind",
	                   s, &st);
	if (rc)
		return rc;
	struct str kinds = STR_INIT;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t n = db_column_int(st, 1);
		f->activities += n;
		str_addf(&kinds, "%s%s %lld", kinds.len ? "、" : "",
		         option_label(op->reg, "activities", "kind", db_column_text(st, 0, NULL)),
		         (long long)n);
	}
	db_reset(st);
	if (f->activities)
		str_addf(&f->draft, "跟进记录 %lld 条：%s\n", (long long)f->activities, kinds.buf);
	str_release(&kinds);
	return rc < 0 ? rc : 0;
}

static int visits(struct op *op, const struct span *s, struct figures *f)
{
	return named(op, s,
	             "SELECT title FROM visits WHERE owner_id = ? AND visited_at >= ?"
	             " AND visited_at < ? AND deleted_at IS NULL ORDER BY visited_at",
	             "拜访", "次", &f->visits, &f->draft);
}

/* The moves of the owner's opportunities from stage to stage in the period, and the won. */
static int stage_moves(struct op *op, const struct span *s, struct figures *f)
{
	struct db_stmt *st;
	int rc = open_span(op,
	                   "SELECT o.name, h.from_state, h.to_state, o.amount, o.amount_currency"
	                   " FROM opportunities o JOIN process_history h"
	                   " ON h.entity = 'opportunities' AND h.record_id = o.id"
	                   " WHERE o.owner_id = ? AND h.at >= ? AND h.at < ?"
	                   " AND o.deleted_at IS NULL ORDER BY h.id",
	                   s, &st);
	if (rc)
		return rc;
	struct str moves = STR_INIT;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *to = db_column_text(st, 2, NULL);
		f->moves++;
		if (str_eq(to, "won")) {
			f->won++;
			/* Won business in yuan; another currency is in the words only. */
			if (str_eq(db_column_text(st, 4, NULL), "CNY"))
				f->won_fen += db_column_int(st, 3);
		}
		if (f->moves <= DRAFT_NAMES)
			str_addf(&moves, "\n- %s：%s → %s", db_column_text(st, 0, NULL),
			         option_label(op->reg, "opportunities", "stage",
			                      db_column_text(st, 1, NULL)),
			         option_label(op->reg, "opportunities", "stage", to));
	}
	db_reset(st);
	if (f->moves)
		str_addf(&f->draft, "商机推进 %lld 次：%s%s\n", (long long)f->moves, moves.buf,
		         f->moves > DRAFT_NAMES ? "\n- …" : "");
	if (f->won)
		str_addf(&f->draft, "赢单 %lld 个，金额 ¥%lld.%02lld\n", (long long)f->won,
		         (long long)(f->won_fen / 100), (long long)(f->won_fen % 100));
	str_release(&moves);
	return rc < 0 ? rc : 0;
}

int period_figures_fill(struct op *op, int64_t id, const struct value *vals)
{
	struct span s;
	if (!span_of(op, vals, &s))
		return 0;
	struct figures f = {.draft = STR_INIT};
	int rc;
	if ((rc = new_customers(op, &s, &f)) || (rc = activities(op, &s, &f)) ||
	    (rc = visits(op, &s, &f)) || (rc = stage_moves(op, &s, &f))) {
		str_release(&f.draft);
		return crud_db_error(op, rc, "a report's figures");
	}
	json_t *body = json_pack("{s:I, s:I, s:I, s:I, s:I, s:{s:I, s:s}}", "new_customers",
	                         (json_int_t)f.customers, "activities", (json_int_t)f.activities,
	                         "visits", (json_int_t)f.visits, "stage_moves", (json_int_t)f.moves,
	                         "won_count", (json_int_t)f.won, "won_amount", "amount",
	                         (json_int_t)f.won_fen, "currency", "CNY");
	/* An entity without a summary (an appraisal) takes the figures only. */
	const struct value *summary = hook_value(op, vals, "summary");
	if (summary && (summary->kind != V_TEXT || !summary->n))
		json_object_set_new(body, "summary",
		                    json_string(f.draft.len ? f.draft.buf : "本期暂无记录。\n"));
	str_release(&f.draft);
	return hook_update_as_system(op, NULL, id, body);
}

/* An appraisal's person (employee_id) is one of the caller's people — someone they may give
 * records to (the assign scope), or themselves — since their figures are read into it. The
 * system (imports, the demo) may name anyone. 0, or 403 naming the field. */
static int may_appraise(struct op *op, const struct value *vals)
{
	const struct value *person = hook_value(op, vals, "employee_id");
	if (!person || !op->actor)
		return 0;
	bool ok = false;
	int64_t unit = 0;
	int rc = access_check_owner(op, hook_int(person), &ok, &unit);
	if (rc)
		return crud_db_error(op, rc, "an appraisal's person");
	if (ok)
		return 0;
	problem_add(op->problem, "employee_id", "forbidden_field", NULL);
	return problem_set(op->problem, 403, "forbidden");
}

int work_reports_created(struct op *op, int64_t id, const struct value *vals)
{
	int status = may_appraise(op, vals);
	if (status >= 0)
		status = period_fill(op, id, NULL, vals);
	return status < 0 ? status : period_figures_fill(op, id, vals);
}

int work_reports_updated(struct op *op, int64_t id, const struct value *before,
                         const struct value *after, const bool *changed)
{
	static const char *const made_from[] = {"period", "starts_on", "owner_id", "employee_id"};
	for (size_t i = 0; i < sizeof made_from / sizeof *made_from; i++)
		if (hook_changed(op, changed, made_from[i])) {
			int status =
			    hook_changed(op, changed, "employee_id") ? may_appraise(op, after) : 0;
			if (status >= 0)
				status = period_fill(op, id, before, after);
			return status < 0 ? status : period_figures_fill(op, id, after);
		}
	return hook_changed(op, changed, "title") ? period_fill(op, id, before, after) : 0;
}
